# rlef's sandbox floor: the least the zygote design can cost per run. A
# warm interpreter (with the modules the sandbox preloads) keeps a child
# forked ahead of time; for each run it hands the child the input, the
# child compiles the snippet and runs it on the input (a program arrives
# with each request, so it is compiled in the child, as in the sandbox),
# writes its output and exits, and the parent reaps it and forks the next.
# No sandbox, no limits, no accounting, no IPC beyond the pipes. A
# benchmark baseline only.
#
# Frames from and to the supervisor on descriptors 3 (in) and 4 (out): a
# 4-byte little-endian length, then the bytes (stdin in, stdout out).

import ctypes
import gc
import os
import struct
import sys

SOURCE = sys.argv[1].encode()
for name in sys.argv[2:]:
    __import__(name)
HEADER = struct.Struct("<I")
# The sandbox's zygote forks the same way (glibc's _Fork, without the
# interpreter's at-fork work) and freezes the collector's objects first.
_FORK = getattr(ctypes.PyDLL(None, use_errno=True), "_Fork", None)
gc.collect()
gc.freeze()


def fork():
    if _FORK is None:
        return os.fork()
    pid = _FORK()
    if pid < 0:
        raise OSError(ctypes.get_errno(), "fork")
    if pid == 0 and "random" in sys.modules:
        sys.modules["random"].seed()
    return pid


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
    pid = fork()
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
        exec(compile(SOURCE, "/w/main.py", "exec"), {"__name__": "__main__"})
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
