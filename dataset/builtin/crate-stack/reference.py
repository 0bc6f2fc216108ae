import sys


def main():
    lines = sys.stdin.read().split("\n")
    q = int(lines[0])
    maxima = []  # maxima[i] = heaviest among the bottom i+1 crates
    out = []
    for line in lines[1:1 + q]:
        parts = line.split()
        if parts[0] == "push":
            w = int(parts[1])
            maxima.append(max(w, maxima[-1]) if maxima else w)
        elif parts[0] == "pop":
            if maxima:
                maxima.pop()
        else:
            out.append(str(maxima[-1]) if maxima else "EMPTY")
    sys.stdout.write("\n".join(out) + ("\n" if out else ""))


main()
