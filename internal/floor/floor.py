# rlef's in-process floor: runs solutions with no sandbox, no process per
# test and no checking, to measure what judging costs against what the
# programs alone cost. A benchmark baseline only; never a way to judge.
#
# stdin: {"mode": "call" | "stdio", "problems": [{"source", "entry",
# "inputs": [text, ...]}]}; stdout: {"seconds": wall time of the runs}.

import io
import json
import sys
import time


def main():
    job = json.load(sys.stdin)
    stdin, stdout = sys.stdin, sys.stdout
    start = time.perf_counter()
    for p in job["problems"]:
        if job["mode"] == "call":
            ns = {"__name__": "solution"}
            exec(compile(p["source"], "solution.py", "exec"), ns)
            fn = ns[p["entry"]]
            for text in p["inputs"]:
                try:
                    fn(*json.loads(text))
                except Exception:
                    pass
        else:
            code = compile(p["source"], "main.py", "exec")
            for text in p["inputs"]:
                sys.stdin, sys.stdout = io.StringIO(text), io.StringIO()
                try:
                    exec(code, {"__name__": "__main__"})
                except BaseException:
                    pass
                finally:
                    sys.stdin, sys.stdout = stdin, stdout
    json.dump({"seconds": time.perf_counter() - start}, sys.stdout)


main()
