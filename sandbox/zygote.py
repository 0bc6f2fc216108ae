# rlef sandbox zygote: PID 1 of a slot.
#
# The sandbox init (Go) has already built the slot's file system, joined
# its cgroups, dropped every privilege and installed the seccomp filter;
# it executes this file with exactly the descriptors listed in
# RLEF_ZYGOTE. The zygote only forks and runs programs:
#
#   - it imports commonly used modules once and keeps a "spare" child
#     forked ahead of time: the spare joins the run's cgroups, takes fresh
#     stdio, closes every other descriptor and applies the run's rlimits
#     before a request arrives, then hands its socket to the supervisor,
#     which sends a Python run straight to it;
#   - native programs (compiled C++, the compiler) start through a tiny
#     static exec shim;
#   - after every request it waits for the run's first process, kills and
#     reaps everything the run left behind (as PID 1 it can), reports the
#     exit status and resource usage that wait4 gave it, and empties the
#     per-run directories;
#   - a session runs several Python processes at once, each with the
#     descriptors the supervisor passed for it.
#
# The protocol is described in the sandbox package (protocol.go, and
# request.go for the binary run request). Nothing a program writes is
# ever read here, and nothing it can write reaches the supervisor as a
# report: a spare reports on its own socket only before the program's
# code runs, and closes it first.

import atexit
import builtins
import ctypes
import gc
import json
import os
import resource
import select
import signal
import socket
import stat
import struct
import sys
import time
import types

CFG = json.loads(os.environ.pop("RLEF_ZYGOTE"))

CTRL_FD = CFG["ctrl_fd"]
SHIM_FD = CFG.get("shim_fd", -1)
STDIN_FD, STDOUT_FD, STDERR_FD = CFG["stdio_fds"]
RUN_JOIN_FDS = CFG.get("run_join_fds", [])
WORK = CFG["work_dir"]
SCRATCH = [(d["path"], d["mode"]) for d in CFG["scratch"]]
PIDNS = CFG.get("pid_namespace", False)
FALLBACK_LIMITS = CFG.get("rlimit_fallback", False)
FIRST_LIMITS = tuple(CFG["first_limits"])
MAX_MSG = 1 << 16
TRACE_FD = os.dup(2) if CFG.get("trace") else -1

PR_SET_DUMPABLE = 4


def trace(*args):
    if TRACE_FD >= 0:
        try:
            os.write(TRACE_FD, ("zygote[%d] %d: %s\n" % (os.getpid(), time.monotonic_ns(),
                                                       " ".join(map(str, args)))).encode())
        except OSError:
            pass


def cpu_self():
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def send_event(sock, obj, fds=()):
    data = json.dumps(obj, separators=(",", ":")).encode()
    if fds:
        socket.send_fds(sock, [data], list(fds))
    else:
        sock.send(data)


def recv_fds(sock, bufsize, maxfds, flags=0):
    """socket.recv_fds, but honouring flags (3.11's ignores them) and
    retrying when interrupted."""
    while True:
        try:
            msg, anc, _, _ = sock.recvmsg(bufsize, socket.CMSG_LEN(maxfds * 4), flags)
            break
        except InterruptedError:
            continue
    fds = []
    for level, kind, data in anc:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            usable = len(data) - len(data) % 4
            fds.extend(int.from_bytes(data[i:i + 4], sys.byteorder, signed=True) for i in range(0, usable, 4))
    return msg, fds


# ---------------------------------------------------------------- requests

# The binary run request (see request.go): a fixed header, then the
# source, argv, environment, files and names to collect, each as a 32-bit
# length and the bytes.
HEADER = struct.Struct("<ccBbI6q4I")
U32 = struct.Struct("<I")
REPORT = struct.Struct("<cdd")  # a spare's report: kind, two CPU times

OP_ZYGOTE_RUN = b"R"   # a run the zygote starts (native programs)
OP_DIRECT_RUN = b"N"   # notice: the supervisor sent a Python run to the spare
OP_SPARE_RUN = b"P"    # a run for a spare
OP_SESSION_PROC = b"S"  # one process of a session, for a spare
OP_PAYLOAD = b"M"      # the request is in the memfd at descriptor index msg[1]
FLAG_WRITE_SOURCE = 1  # also write the source to argv[0]
FLAG_AWAIT_GO = 2      # after the S report, wait for b"G" before running


class Request:
    __slots__ = ("op", "kind", "flags", "exe_fd", "id", "limits", "source", "argv", "env", "files", "collect")


def parse_request(msg, fds):
    """Decode a binary run request, the one parse it gets."""
    if msg[:1] == OP_PAYLOAD:
        pfd = fds[msg[1]]
        msg = os.pread(pfd, os.fstat(pfd).st_size, 0)
    r = Request()
    (r.op, r.kind, r.flags, r.exe_fd, r.id, *rest) = HEADER.unpack_from(msg)
    r.limits = tuple(rest[:6])
    nargv, nenv, nfiles, ncollect = rest[6:10]
    view, off = memoryview(msg), HEADER.size
    out = []
    for _ in range(1 + nargv + nenv + 2 * nfiles + ncollect):
        (n,) = U32.unpack_from(msg, off)
        off += 4
        out.append(view[off:off + n])
        off += n
    r.source = out[0]
    i = 1
    r.argv = [os.fsdecode(bytes(a)) for a in out[i:i + nargv]]
    i += nargv
    r.env = [bytes(e) for e in out[i:i + nenv]]
    i += nenv
    r.files = [(os.fsdecode(bytes(out[i + 2 * k])), out[i + 2 * k + 1]) for k in range(nfiles)]
    i += 2 * nfiles
    r.collect = [os.fsdecode(bytes(c)) for c in out[i:i + ncollect]]
    return r


def encode_request(op, rid, limits, source, argv, flags=0):
    """A request for a session's spare (the supervisor encodes the others)."""
    parts = [HEADER.pack(op, b"p", flags, -1, rid, *limits, len(argv), 0, 0, 0)]
    for s in [source] + [os.fsencode(a) for a in argv]:
        parts.append(U32.pack(len(s)))
        parts.append(s)
    return b"".join(parts)


def env_dict(env):
    d = {}
    for e in env:
        k, _, v = e.partition(b"=")
        d[k] = v
    return d


# ---------------------------------------------------------------- cleanup


def empty_dir(top, mode):
    """Empty a per-run directory without recursion and without long paths:
    a subdirectory met below the top level is first renamed to the top
    level, so a tree of any depth is removed one directory at a time. True
    when it is empty after."""
    ok, n, pending = True, 0, [top]
    while pending:
        d = pending.pop()
        try:
            os.chmod(d, 0o700)
            entries = list(os.scandir(d))
        except OSError:
            ok = False
            continue
        for e in entries:
            try:
                if not e.is_dir(follow_symlinks=False):
                    os.unlink(e.path)
                elif d == top:
                    pending.append(e.path)
                else:
                    os.chmod(e.path, 0o700)  # moving a directory rewrites its ".."
                    n, flat = move_up(e.path, top, n)
                    pending.append(flat)
            except OSError:
                ok = False
        if d != top:
            try:
                os.rmdir(d)
            except OSError:
                ok = False
    try:
        os.chmod(top, mode)
        ok = ok and not os.listdir(top)
    except OSError:
        ok = False
    return ok


def move_up(path, top, n):
    """Rename a directory to a free top-level name. The run may have left
    directories with any name, so a name in use (rename fails, or would
    replace an empty directory that is already queued) is skipped."""
    while True:
        n += 1
        flat = os.path.join(top, ".rlef-gc-%d" % n)
        if os.path.lexists(flat):
            continue
        os.rename(path, flat)
        return n, flat


def empty_scratch():
    ok = True
    for path, mode in SCRATCH:
        ok = empty_dir(path, mode) and ok
    return ok


def collect(names):
    """Open files the request asked to get back: regular files inside a
    per-run directory, reached without following a symbolic link at any
    step of the path."""
    fds, got = [], []
    for name in names:
        fd = open_beneath(name)
        if fd < 0:
            continue
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            continue
        fds.append(fd)
        got.append(name)
    return fds, got


def open_beneath(name):
    """Open name read-only, walking from the per-run directory it names one
    component at a time with O_NOFOLLOW, so that no symbolic link (or
    "..") leads out of it. -1 if that fails."""
    for root, _ in SCRATCH:
        prefix = root.rstrip("/") + "/"
        if name.startswith(prefix):
            break
    else:
        return -1
    parts = name[len(prefix):].split("/")
    if any(p in ("", ".", "..") for p in parts):
        return -1
    try:
        d = os.open(root, os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)
    except OSError:
        return -1
    try:
        for p in parts[:-1]:
            nd = os.open(p, os.O_PATH | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=d)
            os.close(d)
            d = nd
        return os.open(parts[-1], os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, dir_fd=d)
    except OSError:
        return -1
    finally:
        os.close(d)


# ---------------------------------------------------------------- processes

LIBC = ctypes.PyDLL(None, use_errno=True)  # calls keep the GIL
_FORK = getattr(LIBC, "_Fork", None)  # glibc >= 2.34
if _FORK is not None:
    _FORK.restype, _FORK.argtypes = ctypes.c_int, []


def fork():
    """fork(2) without the interpreter's and the C library's at-fork work.
    os.fork re-initialises the interpreter's locks and runs the at-fork
    callbacks, which writes (and so copies) a few hundred pages; the
    zygote is single-threaded, so none of that is needed, and glibc's
    _Fork still gives the child its own thread ID and robust-futex list.
    The one callback with an effect, random's reseeding, runs in the
    spare (reseed)."""
    if _FORK is None:
        return os.fork()
    pid = _FORK()
    if pid < 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))
    return pid


def reseed():
    """What os.fork's callbacks would do in the child: a fresh seed for the
    random module's shared generator, as a program started cold gets."""
    random = sys.modules.get("random")
    if random is not None:
        random.seed()


class Spare:
    """A forked child that will run one Python process."""

    def __init__(self, pid, sock, limits):
        self.pid, self.sock, self.limits = pid, sock, limits
        self.pidfd = os.pidfd_open(pid)

    @classmethod
    def fork(cls, limits, warm):
        mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        pid = fork()
        if pid == 0:
            mine.close()
            try:
                spare(theirs, limits, warm)
            except BaseException as e:  # a bug here, never the program's doing
                try:
                    theirs.send(b"E" + ("spare: %s: %s" % (type(e).__name__, e)).encode())
                finally:
                    os._exit(125)
            os._exit(126)
        theirs.close()
        trace("forked spare", pid)
        return cls(pid, mine, limits)

    def kill(self):
        """Kill the spare (idle or running) and reap it."""
        try:
            signal.pidfd_send_signal(self.pidfd, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            os.waitpid(self.pid, 0)
        except ChildProcessError:
            pass
        self.close()

    def close(self):
        os.close(self.pidfd)
        if self.sock is not None:
            self.sock.close()
            self.sock = None


def read_report(sock):
    """A spare's report: (kind, message or CPU times). Kind R: ready; S:
    the program is about to start; E: the spare failed; "" if it died
    without a word."""
    try:
        msg = sock.recv(MAX_MSG)
    except OSError:
        msg = b""
    if not msg:
        return "", None
    kind = msg[:1]
    if kind == b"E":
        return "E", msg[1:].decode(errors="replace")
    _, a, b = REPORT.unpack(msg)
    return kind.decode(), (a, b)


class Child:
    """A process of a run, as the zygote watches it."""

    def __init__(self, pid, pidfd=None):
        self.pid = pid
        self.pidfd = pidfd if pidfd is not None else os.pidfd_open(pid)
        self.status, self.rusage = None, None
        self.status_r = None
        self.exec_error = ""


# ---------------------------------------------------------------- zygote


class State:
    def __init__(self):
        self.spare = None       # the idle spare the supervisor holds a socket to
        self.limits = FIRST_LIMITS  # the rlimits the next spare gets
        self.python = True      # the last request ran Python: keep a spare


def zygote():
    # Not dumpable: no process of the slot can read the zygote's memory or
    # descriptors through /proc, or trace it. As PID 1 of the slot it gets
    # only the signals it has handlers for, and it installs none.
    LIBC.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.chdir(WORK)  # native programs inherit it
    ctrl = socket.socket(fileno=CTRL_FD)
    for name in CFG.get("preload", []):
        try:
            __import__(name)
        except Exception:
            pass
    gc.collect()
    gc.freeze()  # keep the collector from touching (and copying) inherited objects
    state = State()
    ready(ctrl, state, first=True)
    while True:
        msg, fds = recv_fds(ctrl, MAX_MSG, 16)
        if not msg:
            os._exit(0)  # the supervisor went away: the slot dies with us
        if msg[:1] == b"{":
            c = json.loads(msg)
            if c.get("payload_fd") is not None:  # a large one travels in a memfd
                pfd = fds[c["payload_fd"]]
                c = json.loads(os.pread(pfd, os.fstat(pfd).st_size, 0))
            control(ctrl, state, c, fds)
            continue
        r = parse_request(msg, fds)
        trace("request", r.op, r.id)
        if r.op == OP_DIRECT_RUN:
            serve_direct(ctrl, state, r, fds)
        else:
            serve_native(ctrl, state, r, msg, fds)


def control(ctrl, state, c, fds):
    op = c.get("op")
    if op == "shutdown":
        os._exit(0)
    if op == "spare":
        # The supervisor wants a spare with other rlimits (or has none).
        if state.spare is not None:
            state.spare.kill()
            state.spare = None
        state.limits, state.python = tuple(c["limits"]), True
        ready(ctrl, state)
    elif op == "session":
        serve_session(ctrl, state, c, fds)
        return
    # "kill" after its run ended, and "done" outside a run: nothing to do.
    for fd in fds:
        os.close(fd)


def ready(ctrl, state, first=False):
    """Tell the supervisor the slot can take a request. With Python runs
    coming, a spare is forked and its socket travels with the message; the
    spare says on it when it is ready, so the supervisor starts the run's
    CPU clock only once the spare's preparation is over."""
    ev = {"ev": "ready"}
    if first:
        ev["python"] = sys.version.split()[0]
    if not state.python:
        send_event(ctrl, ev)
        return
    s = Spare.fork(state.limits, warm=True)
    state.spare = s
    ev["spare_limits"] = list(state.limits)
    send_event(ctrl, ev, [s.sock.fileno()])
    s.sock.close()  # the supervisor's now
    s.sock = None


def serve_direct(ctrl, state, r, fds):
    """A Python run the supervisor sent straight to the spare."""
    s = state.spare
    state.spare = None
    if s is None:
        send_event(ctrl, {"ev": "fatal", "error": "a direct run without a spare"})
        os._exit(3)
    child = Child(s.pid, s.pidfd)
    finish(ctrl, state, r, fds, [child], {"started": True})


def serve_native(ctrl, state, r, msg, fds):
    """A native program: through the exec shim, or, where there is none, a
    spare that executes it."""
    state.python = False
    if state.spare is not None:
        state.spare.kill()  # it would sit in the run's cgroup, at the program's reach
        state.spare = None
    if SHIM_FD < 0:
        child, info, _ = start_in_spare(r.limits, msg, fds)
        finish(ctrl, state, r, fds, [child], info)
        return
    try:
        for name, data in r.files:
            write_file(name, data)
        child = spawn(r, fds)
    except OSError as e:
        finish(ctrl, state, r, fds, [], {"started": False, "setup_error": "%s: %s" % (type(e).__name__, e)})
        return
    finish(ctrl, state, r, fds, [child], {"started": True})


def start_in_spare(limits, msg, fds, hold=False):
    """Fork a spare after the run's clock started, hand it a request and
    wait for its report. Returns the child, what it reported and, with
    hold, the socket of a spare that is set up and waits for b"G" before
    its program may start (None otherwise)."""
    s = Spare.fork(limits, warm=False)
    info = {"started": False, "pre_cpu": 0.0}
    try:
        kind, val = read_report(s.sock)
        if kind == "R":
            socket.send_fds(s.sock, [msg], fds)
            kind, val = read_report(s.sock)
    except OSError as e:
        kind, val = "E", "spare: %s: %s" % (type(e).__name__, e)
    if kind == "S":
        info["started"] = True
        info["pre_cpu"] = val[1]  # all of it counts in the run's cgroup
    else:
        info["setup_error"] = val if kind == "E" else "the spare died before the program started"
    held = None
    if hold and info["started"]:
        held = s.sock
    else:
        s.sock.close()
    s.sock = None
    return Child(s.pid, s.pidfd), info, held


def serve_session(ctrl, state, c, fds):
    """Start every process of a session, each from a fresh spare with the
    descriptors the supervisor sent for it. No program starts before every
    spare is set up: a program that ran could kill the spares still being
    set up, and so turn its own failure into the sandbox's."""
    state.python = True
    if state.spare is not None:
        state.spare.kill()
        state.spare = None
    limits = tuple(c["limits"])
    children, held, info = [], [], {"pre_cpu": 0.0, "started": True}
    for proc in c["procs"]:
        sub = encode_request(OP_SESSION_PROC, c["id"], limits, proc["source"].encode("utf-8", "surrogateescape"),
                             proc["argv"], FLAG_AWAIT_GO)
        child, pinfo, sock = start_in_spare(limits, sub, [fds[j] for j in proc["fds"]], hold=True)
        children.append(child)
        info["pre_cpu"] += pinfo["pre_cpu"]
        if sock is not None:
            held.append(sock)
        if not pinfo["started"]:
            info["started"] = False
            info["setup_error"] = pinfo["setup_error"]
            break
    for sock in held:
        if info["started"]:
            try:
                sock.send(b"G")
            except OSError:
                pass  # it died after its setup: its exit status says how
        sock.close()
    if not info["started"]:
        kill_all()  # none of them has run its program
    r = Request()
    r.id, r.collect = c["id"], []
    finish(ctrl, state, r, fds, children, info)


def finish(ctrl, state, r, fds, children, info):
    """Wait for the request's processes, clean up after them, report, and
    make the slot ready again once the supervisor has read the run's
    counters."""
    for fd in fds:
        os.close(fd)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    killed, shutdown = wait_children(ctrl, children)
    kill_everything_else()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    out_fds, names = collect(r.collect)
    ev = {"ev": "exit", "id": r.id}
    ev.update(info)
    ev.update({
        # The whole process tree: every process the run started has been
        # reaped by now, and its time added to our children's. Used only
        # where no cgroup counts the run's CPU time.
        "utime": after.ru_utime - before.ru_utime,
        "stime": after.ru_stime - before.ru_stime,
        "killed": killed,
        "collected": names,
        "procs": [{"wstatus": c.status or 0, "maxrss_kb": c.rusage.ru_maxrss if c.rusage else 0} for c in children],
    })
    for c in children:
        if c.exec_error:
            ev["exec_error"] = c.exec_error
    try:
        send_event(ctrl, ev, out_fds)
    except OSError:
        os._exit(0)
    for fd in out_fds:
        os.close(fd)
    if shutdown:
        os._exit(0)
    # The per-run directories are empty before the next run.
    if not empty_scratch():
        send_event(ctrl, {"ev": "fatal", "error": "cannot empty the per-run directories"})
        os._exit(3)
    await_done(ctrl)
    ready(ctrl, state)


def await_done(ctrl):
    """Wait until the supervisor has read the run's counters: a spare
    forked earlier would join the run's cgroup while they are read."""
    while True:
        msg, fds = recv_fds(ctrl, MAX_MSG, 16)
        for fd in fds:
            os.close(fd)
        if not msg:
            os._exit(0)
        op = json.loads(msg).get("op") if msg[:1] == b"{" else None
        if op == "done":
            return
        if op == "shutdown":
            os._exit(0)
        if op != "kill":  # a kill that came after its run ended
            send_event(ctrl, {"ev": "fatal", "error": "request before the last one was done"})
            os._exit(3)


# Descriptor numbers the shim gets, far from the zygote's own.
SHIM_CG1, SHIM_CG2, SHIM_EXE, SHIM_STATUS = 1000, 1001, 1002, 1003


def spawn(r, fds):
    """Start a native program through the exec shim, with posix_spawn (a
    vfork: nothing of the zygote's memory is copied)."""
    status_r, status_w = os.pipe()
    cpu_s, fsize, stack, memory, nproc, nofile = r.limits
    exe = fds[r.exe_fd] if r.exe_fd >= 0 else -1
    actions = [
        (os.POSIX_SPAWN_OPEN, 0, "/proc/self/fd/%d" % STDIN_FD, os.O_RDONLY, 0),
        (os.POSIX_SPAWN_OPEN, 1, "/proc/self/fd/%d" % STDOUT_FD, os.O_WRONLY, 0),
        (os.POSIX_SPAWN_OPEN, 2, "/proc/self/fd/%d" % STDERR_FD, os.O_WRONLY, 0),
        (os.POSIX_SPAWN_DUP2, status_w, SHIM_STATUS),
    ]
    cg = [-1, -1]
    for i, (fd, target) in enumerate(zip(RUN_JOIN_FDS, (SHIM_CG1, SHIM_CG2))):
        actions.append((os.POSIX_SPAWN_DUP2, fd, target))
        cg[i] = target
    if exe >= 0:
        actions.append((os.POSIX_SPAWN_DUP2, exe, SHIM_EXE))
    fallback = FALLBACK_LIMITS
    argv = ["rlef-shim", str(cg[0]), str(cg[1]), str(SHIM_EXE if exe >= 0 else -1), str(SHIM_STATUS),
            str(cpu_s), str(fsize), str(stack), str(nofile),
            str(memory if fallback else -1), str(nproc if fallback else -1),
            r.argv[0]] + r.argv
    try:
        pid = os.posix_spawn("/proc/self/fd/%d" % SHIM_FD, argv, env_dict(r.env), file_actions=actions, setsid=True,
                             setsigdef=(signal.SIGPIPE, signal.SIGXFSZ, signal.SIGINT))
    finally:
        os.close(status_w)
    trace("spawned", pid)
    child = Child(pid)
    child.status_r = status_r
    return child


def kill_all():
    """SIGKILL every process of the run. As PID 1 of the slot's PID
    namespace, kill(-1) reaches every other process in the slot but not the
    zygote, and it cannot race with fork: a process with SIGKILL pending
    cannot create children. Without a PID namespace (unsafe mode) it would
    reach the supervisor's own processes, so the run's sessions are all
    that can be named."""
    if PIDNS:
        try:
            os.kill(-1, signal.SIGKILL)
        except ProcessLookupError:
            pass
        return
    for pgid in list(SESSIONS):
        try:
            os.killpg(pgid, signal.SIGKILL)
        except OSError:
            pass


SESSIONS = set()  # process groups of the current run (unsafe mode only)


def kill_everything_else():
    """Kill what the run left behind (daemons, stopped processes) and reap
    it all."""
    kill_all()
    while True:
        try:
            got, _ = os.waitpid(-1, 0 if PIDNS else os.WNOHANG)
        except ChildProcessError:
            break
        except InterruptedError:
            continue
        if got == 0:
            break
    SESSIONS.clear()


def wait_children(ctrl, children):
    """Wait until every process of the request has exited, killing the whole
    run when the supervisor asks."""
    poller = select.poll()
    poller.register(ctrl.fileno(), select.POLLIN)
    for c in children:
        SESSIONS.add(c.pid)
        poller.register(c.pidfd, select.POLLIN)
    killed = shutdown = False
    waiting = {c.pidfd: c for c in children}
    while waiting:
        for fd, _ in poller.poll():
            if fd in waiting:
                c = waiting.pop(fd)
                poller.unregister(fd)
                _, c.status, c.rusage = os.wait4(c.pid, 0)
                os.close(c.pidfd)
                trace("reaped", c.pid)
                continue
            if fd != ctrl.fileno():
                continue
            msg, fds = recv_fds(ctrl, MAX_MSG, 8)
            for f in fds:
                os.close(f)
            op = json.loads(msg).get("op") if msg[:1] == b"{" else "shutdown"
            trace("ctrl", op)
            if op in ("kill", "shutdown") and not killed:
                # The whole run at once: killing the first process first
                # would leave its descendants forking and allocating while
                # it is torn down.
                kill_all()
                killed = True
            shutdown = shutdown or op == "shutdown"
    for c in children:
        if c.status_r is not None:
            c.exec_error = read_shim_status(c.status_r)
    return killed, shutdown


def read_shim_status(fd):
    """The exec shim's report, written before it executes the program (the
    descriptor is close-on-exec, so no program can write it)."""
    os.set_blocking(fd, False)
    try:
        data = os.read(fd, 4096)
    except OSError:
        data = b""
    os.close(fd)
    return data.decode(errors="replace").strip()


# ---------------------------------------------------------------- spare


def spare(sock, limits, warm):
    """Runs in the forked child. Everything that does not depend on the
    request happens before it arrives: join the run's cgroups, take fresh
    stdio, close every other descriptor, apply the rlimits, warm up. The
    spare reports on its own socket twice, both times before any code of
    the program runs: when it is ready, and when the request's setup is
    done; then it closes the socket, so the program holds only descriptors
    0, 1 and 2."""
    for fd in RUN_JOIN_FDS:
        os.write(fd, b"0")  # join the run's cgroups
    join_cpu = cpu_self()
    os.setsid()
    # Fresh open file descriptions, so offsets and flags never leak from
    # the supervisor's descriptors or between runs.
    for src, dst, flags in ((STDIN_FD, 0, os.O_RDONLY), (STDOUT_FD, 1, os.O_WRONLY),
                            (STDERR_FD, 2, os.O_WRONLY)):
        fd = os.open("/proc/self/fd/%d" % src, flags)
        os.dup2(fd, dst)
        os.close(fd)
    keep = sock.fileno()
    os.closerange(3, keep)
    os.closerange(keep + 1, 1 << 20)
    set_limits(limits)
    reseed()
    main = main_module()
    ready_cpu = cpu_self()
    sock.send(REPORT.pack(b"R", ready_cpu, join_cpu))
    # Warming up pays only in idle time: when runs come back to back, the
    # request follows the ready report within a fraction of a millisecond,
    # and warming up would only delay it. Its CPU time, spent after ready,
    # is part of what the spare reports at start.
    if warm and not select.select([sock], [], [], WARM_AFTER)[0]:
        warm_up()
    msg, fds = recv_fds(sock, MAX_MSG, 16)
    if not msg:
        os._exit(0)  # the supervisor went away
    try:
        r = parse_request(msg, fds)
        if r.limits != limits:
            raise ValueError("request limits %s, spare prepared for %s" % (r.limits, limits))
        setup(r, fds)
    except BaseException as e:  # our own failure, not the program's
        sock.send(b"E" + ("%s: %s" % (type(e).__name__, e)).encode())
        os._exit(125)
    # CPU spent since ready (when the supervisor's clock started for a
    # spare that was waiting) and since joining the cgroup (for one forked
    # after the clock started): the supervisor takes the one that applies.
    now = cpu_self()
    sock.send(REPORT.pack(b"S", now - ready_cpu, now - join_cpu))
    if r.flags & FLAG_AWAIT_GO and sock.recv(1) != b"G":
        os._exit(0)  # the session did not start
    sock.close()
    if r.kind == b"x":
        run_exec(r, fds)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    run_python(r, main)


def setup(r, fds):
    """Files and, for a session's process, its own stdio."""
    if r.op == OP_SESSION_PROC:
        for i, fd in enumerate(fds[:3]):
            os.dup2(fd, i)
        for fd in fds:
            if fd > 2:
                os.close(fd)
        return
    exe = fds[r.exe_fd] if r.exe_fd >= 0 else -1
    for fd in fds:
        if fd != exe:
            os.close(fd)
    if exe >= 0:
        os.set_inheritable(exe, False)
    for name, data in r.files:
        write_file(name, data)
    if r.flags & FLAG_WRITE_SOURCE:
        write_file(r.argv[0], r.source)


WARM_SOURCE = b"import sys\nprint(sys.stdin.readline().strip())\n"
WARM_AFTER = 0.0005  # seconds without a request before warming up


def warm_up():
    """Exercise, before the request, the code paths the run will use: after
    fork every page the child first writes costs a copy-on-write fault, and
    paying them now keeps them off the run's critical path."""
    compile(WARM_SOURCE, "/w/main.py", "exec", dont_inherit=True)


def set_limits(lim):
    cpu_s, fsize, stack, memory, nproc, nofile = lim
    setlim(resource.RLIMIT_CPU, cpu_s, cpu_s + 1)
    setlim(resource.RLIMIT_FSIZE, fsize, fsize)
    setlim(resource.RLIMIT_CORE, 0, 0)
    setlim(resource.RLIMIT_STACK, stack, stack)
    setlim(resource.RLIMIT_NOFILE, nofile, nofile)
    setlim(resource.RLIMIT_MEMLOCK, 0, 0)
    setlim(resource.RLIMIT_MSGQUEUE, 0, 0)
    if FALLBACK_LIMITS:
        setlim(resource.RLIMIT_AS, memory, memory)
        setlim(resource.RLIMIT_NPROC, nproc, nproc)


def setlim(res, soft, hard):
    """Set a limit, never asking for more than the current hard limit."""
    _, cur_hard = resource.getrlimit(res)
    if cur_hard != resource.RLIM_INFINITY and hard > cur_hard:
        hard = cur_hard
    resource.setrlimit(res, (min(soft, hard), hard))


def write_file(name, data):
    path = name if os.path.isabs(name) else os.path.join(WORK, name)
    parent = os.path.dirname(path)
    if parent:
        os.makedirs(parent, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    try:
        view = memoryview(data)
        while view:
            n = os.write(fd, view)
            view = view[n:]
    finally:
        os.close(fd)


def run_exec(r, fds):
    # Python ignores these (and the zygote SIGINT); an exec'd program must
    # start with the defaults.
    for sig in (signal.SIGPIPE, signal.SIGXFSZ, signal.SIGINT):
        signal.signal(sig, signal.SIG_DFL)
    target = fds[r.exe_fd] if r.exe_fd >= 0 else r.argv[0]
    try:
        os.execve(target, r.argv, env_dict(r.env))
    except OSError as e:
        # Past the report: the process exits 127 with the reason on
        # stderr, as a shell does.
        os.write(2, ("%s: %s\n" % (r.argv[0], e)).encode())
        os._exit(127)


def main_module():
    main = types.ModuleType("__main__")
    main.__builtins__ = builtins
    main.__cached__ = None
    return main


def run_python(r, main):
    """Run a script with the semantics of `python3 path` (CPython's
    pymain_run_file and Py_FinalizeEx), in this already-initialised
    interpreter. The environment is already the program's: the supervisor
    starts the zygote with exactly it. The source comes in the request and
    is compiled from there, never read back from a file another process
    could have changed."""
    path = r.argv[0]
    hide_runner_frames()
    # sys.stdin/stdout/stderr are the zygote's own, created at interpreter
    # start for non-terminal files under a UTF-8 locale exactly as for
    # `python3 file`, never used, and now on the run's descriptors.
    sys.argv = list(r.argv)
    sys.path.insert(0, os.path.dirname(path))  # the zygote runs with -P
    main.__file__ = path
    sys.modules["__main__"] = main
    code = 0
    try:
        source = bytes(r.source)
        if not r.flags & FLAG_WRITE_SOURCE:
            remember_source(path, source)
        exec(compile(source, path, "exec", dont_inherit=True), main.__dict__)
    except SystemExit as e:
        code = exit_code(e)
    except BaseException as e:
        code = 1
        report_exception(e)
        if isinstance(e, KeyboardInterrupt):
            # CPython ends an uninterrupted KeyboardInterrupt by killing
            # itself with SIGINT, so the parent sees the signal.
            finalize(code)
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            os.kill(os.getpid(), signal.SIGINT)
    os._exit(finalize(code))


def remember_source(path, source):
    """Tracebacks of a program with no file show its lines all the same."""
    import linecache
    text = source.decode("utf-8", "surrogateescape")
    linecache.cache[path] = (len(text), None, text.splitlines(True), path)


def hide_runner_frames():
    """The program runs a few frames deep (the zygote's and this runner's);
    under `python3 file` its module is the first frame. Raise the real
    recursion limit by that depth and let sys.getrecursionlimit and
    sys.setrecursionlimit speak in the program's terms, so recursion close
    to the limit behaves as under a cold start."""
    depth, f = 0, sys._getframe()
    while f is not None:
        depth += 1
        f = f.f_back
    # The program's module frame sits where this one does, and exec()
    # entering the interpreter loop from C costs one more level.
    offset = depth
    real_get, real_set = sys.getrecursionlimit, sys.setrecursionlimit
    real_set(real_get() + offset)

    def getrecursionlimit():
        return real_get() - offset

    def setrecursionlimit(limit):
        if not isinstance(limit, int):
            raise TypeError("'%s' object cannot be interpreted as an integer" % type(limit).__name__)
        if limit < 1:
            raise ValueError("recursion limit must be greater or equal than 1")
        real_set(limit + offset)

    getrecursionlimit.__doc__ = real_get.__doc__
    setrecursionlimit.__doc__ = real_set.__doc__
    sys.getrecursionlimit, sys.setrecursionlimit = getrecursionlimit, setrecursionlimit


def exit_code(e):
    c = e.code
    if c is None:
        return 0
    if isinstance(c, int):
        return c & 0xFF
    try:
        sys.stderr.write(str(c) + "\n")
    except BaseException:
        pass
    return 1


def report_exception(e):
    tb = e.__traceback__
    if tb is not None:
        # Hide this runner's own frame; the display uses the exception's
        # own __traceback__.
        tb = tb.tb_next
        e.__traceback__ = tb
    try:
        sys.excepthook(type(e), e, tb)
    except BaseException:
        pass


def finalize(code):
    """Like Py_FinalizeEx: join non-daemon threads (only if threading was
    imported), run atexit callbacks, flush."""
    threading = sys.modules.get("threading")
    if threading is not None:
        try:
            threading._shutdown()
        except BaseException:
            pass
    try:
        atexit._run_exitfuncs()
    except BaseException:
        pass
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:
            if code == 0:
                code = 120
    return code


if __name__ == "__main__":
    zygote()
