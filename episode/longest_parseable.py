# Longest run of consecutive lines that parses as Python (the idea of
# EvalPlus's sanitizer), read from stdin, written to stdout. Empty output
# means nothing parses. Blank-only runs do not count.
import ast
import sys

lines = sys.stdin.read().split("\n")
n = len(lines)
best = (0, 0)
for i in range(n):
    if not lines[i].strip():
        continue
    for j in range(n, i, -1):
        if j - i <= best[1] - best[0]:
            break
        try:
            ast.parse("\n".join(lines[i:j]))
        except (SyntaxError, ValueError):
            continue
        best = (i, j)
        break
code = "\n".join(lines[best[0]:best[1]]).strip("\n")
sys.stdout.write(code + "\n" if code.strip() else "")
