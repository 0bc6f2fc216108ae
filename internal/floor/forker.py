# rlef's sandbox floor: the least the zygote design can cost per run. A
# warm interpreter keeps a child forked ahead of time; for each run it hands
# the child the input, the child runs the snippet (compiled once, before the
# fork) on it, writes its output and exits, and the parent reaps it and
# forks the next. No sandbox, no limits, no accounting. A benchmark
# baseline only.
#
# Frames from and to the supervisor on descriptors 3 (in) and 4 (out): a
# 4-byte little-endian length, then the bytes (stdin in, stdout out).

import os
import struct
import sys

SNIPPET = compile(sys.argv[1], "/w/main.py", "exec")
for name in sys.argv[2:]:
    __import__(name)
HEADER = struct.Struct("<I")


def read_exact(fd, n):
    b = b""
    while len(b) < n:
        c = os.read(fd, n - len(b))
        if not c:
            os._exit(0)
        b += c
    return b


def spare():
    """Fork a child that waits for its input on a pipe."""
    in_r, in_w = os.pipe()
    out_r, out_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(in_w)
        os.close(out_r)
        os.dup2(in_r, 0)
        os.dup2(out_w, 1)
        os.close(in_r)
        os.close(out_w)
        sys.stdin = open(0, "r", closefd=False)
        sys.stdout = open(1, "w", closefd=False)
        os.read(0, 0)
        exec(SNIPPET, {"__name__": "__main__"})
        sys.stdout.flush()
        os._exit(0)
    os.close(in_r)
    os.close(out_w)
    return pid, in_w, out_r


def main():
    child = spare()
    while True:
        (n,) = HEADER.unpack(read_exact(3, 4))
        data = read_exact(3, n)
        pid, in_w, out_r = child
        os.write(in_w, data)
        os.close(in_w)
        out = b""
        while True:
            c = os.read(out_r, 65536)
            if not c:
                break
            out += c
        os.close(out_r)
        os.waitpid(pid, 0)
        os.write(4, HEADER.pack(len(out)) + out)
        child = spare()


main()
