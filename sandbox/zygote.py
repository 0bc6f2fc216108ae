# rlef sandbox zygote: PID 1 of a slot.
#
# The sandbox init (Go) has already built the slot's file system, joined
# its cgroups, dropped every privilege and installed the seccomp filter;
# it executes this file with exactly the descriptors listed in
# RLEF_ZYGOTE. The zygote only forks and runs programs:
#
#   - it imports commonly used modules once and keeps a "spare" child
#     forked ahead of time: the spare joins the run's cgroups, takes fresh
#     stdio, closes every other descriptor and warms up before a request
#     arrives;
#   - for a run it hands the request to the spare (Python) or starts the
#     exec shim (native programs), waits for the run's first process,
#     kills and reaps everything the run left behind (as PID 1 it can),
#     reports the exit status and resource usage that wait4 gave it, and
#     empties the per-run directories;
#   - a session runs several Python processes at once, each with the
#     descriptors the supervisor passed for it.
#
# The protocol is described in the sandbox package's doc.go. Nothing a
# program writes is ever read here: a spare reports on its own socket only
# before the program's code runs, and closes it first.

import atexit
import base64
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
import sys
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
MAX_REQ = 1 << 16
TRACE_FD = os.dup(2) if CFG.get("trace") else -1

PR_SET_DUMPABLE = 4


def trace(*args):
    if TRACE_FD >= 0:
        try:
            os.write(TRACE_FD, ("zygote[%d]: %s\n" % (os.getpid(), " ".join(map(str, args)))).encode())
        except OSError:
            pass


def cpu_self():
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def send(sock, obj, fds=()):
    data = json.dumps(obj, separators=(",", ":")).encode()
    if fds:
        socket.send_fds(sock, [data], list(fds))
    else:
        sock.send(data)


def recv_fds(sock, bufsize, maxfds, flags=0):
    """socket.recv_fds, but honouring flags (3.11's ignores them)."""
    msg, anc, _, _ = sock.recvmsg(bufsize, socket.CMSG_LEN(maxfds * 4), flags)
    fds = []
    for level, kind, data in anc:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            usable = len(data) - len(data) % 4
            fds.extend(int.from_bytes(data[i:i + 4], sys.byteorder, signed=True) for i in range(0, usable, 4))
    return msg, fds


def recv_request(sock):
    """One request; a large one travels in a memfd (payload_fd)."""
    while True:
        try:
            msg, fds = recv_fds(sock, MAX_REQ, 16)
            break
        except InterruptedError:
            continue
    if not msg:
        return None, fds, msg
    r = json.loads(msg)
    if r.get("payload_fd") is not None:
        pfd = fds[r["payload_fd"]]
        r = json.loads(os.pread(pfd, os.fstat(pfd).st_size, 0))
    return r, fds, msg


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
        if not isinstance(name, str):
            continue
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


class Spare:
    """A forked child that will run one Python process of a request."""

    def __init__(self, pid, sock):
        self.pid, self.sock = pid, sock
        self.pidfd = os.pidfd_open(pid)
        self.ready = None  # its CPU time when it reported ready
        # idle: it was ready before the supervisor read the run's CPU
        # clock, so only what it spends after ready counts as the run's.
        self.idle = False

    @classmethod
    def fork(cls, warm=True):
        mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        pid = os.fork()
        if pid == 0:
            mine.close()
            try:
                spare(theirs, warm)
            except BaseException as e:  # a bug here, never the program's doing
                try:
                    send(theirs, {"setup_error": "spare: %s: %s" % (type(e).__name__, e)})
                finally:
                    os._exit(125)
            os._exit(126)
        theirs.close()
        trace("forked spare", pid)
        return cls(pid, mine)

    def wait_ready(self):
        """Wait for the spare's ready report; False if it died."""
        try:
            msg = self.sock.recv(MAX_REQ)
        except OSError:
            return False
        if not msg:
            return False
        self.ready = json.loads(msg).get("ready_cpu")
        return self.ready is not None

    def discard(self):
        """Kill an idle spare and reap it."""
        signal.pidfd_send_signal(self.pidfd, signal.SIGKILL)
        os.waitpid(self.pid, 0)
        self.close()

    def close(self):
        os.close(self.pidfd)
        self.sock.close()


def start_spare(spare_, msg, fds):
    """Hand a request to a spare and wait for its report, made before the
    program's code runs. Returns (started, info)."""
    if fds:
        socket.send_fds(spare_.sock, [msg], fds)
    else:
        spare_.sock.send(msg)
    try:
        reply = spare_.sock.recv(MAX_REQ)
    except OSError:
        reply = b""
    info = json.loads(reply) if reply else {}
    started = "started_cpu" in info
    if started:
        base = spare_.ready if spare_.idle else info["join_cpu"]
        info["pre_cpu"] = info["started_cpu"] - base
        info["setup_cpu"] = info.pop("started_cpu")
        del info["join_cpu"]
    info["started"] = started
    return started, info


class Child:
    """A process of a run, as the zygote watches it."""

    def __init__(self, pid, pidfd=None):
        self.pid = pid
        self.pidfd = pidfd if pidfd is not None else os.pidfd_open(pid)
        self.status, self.rusage = None, None


# ---------------------------------------------------------------- zygote


def zygote():
    libc = ctypes.CDLL(None, use_errno=True)
    # Not dumpable: no process of the slot can read the zygote's memory or
    # descriptors through /proc, or trace it. As PID 1 of the slot it gets
    # only the signals it has handlers for, and it installs none.
    libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
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
    state = {"spare": None, "python": True}
    ready(ctrl, state)
    while True:
        r, fds, raw = recv_request(ctrl)
        if r is None:
            os._exit(0)  # the supervisor went away: the slot dies with us
        op = r.get("op")
        if op == "shutdown":
            os._exit(0)
        if op in ("run", "session"):
            serve(ctrl, state, r, fds, raw)
            continue
        for fd in fds:
            os.close(fd)  # a kill that came after its run ended


def ready(ctrl, state):
    """Tell the supervisor the slot can take a request. With Python runs
    coming, a warm spare is waiting (idle) by then, so the run's CPU clock
    read after this message counts nothing of its preparation."""
    if state["python"] and state["spare"] is None:
        s = Spare.fork()
        if s.wait_ready():
            s.idle = True
            state["spare"] = s
        else:
            reap_spare(s)
    send(ctrl, {"ev": "ready", "python": sys.version.split()[0]})


def reap_spare(s):
    try:
        os.waitpid(s.pid, 0)
    except ChildProcessError:
        pass
    s.close()


def take_spare(state):
    s = state["spare"]
    state["spare"] = None
    if s is None or not alive(s.pidfd):
        if s is not None:
            reap_spare(s)
        s = Spare.fork(warm=False)
        if not s.wait_ready():
            return s  # start_spare reports it
    return s


def alive(pidfd):
    return not select.select([pidfd], [], [], 0)[0]


def serve(ctrl, state, r, fds, raw):
    """Run one request and report it; then make the slot ready again."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    ev = {"ev": "exit", "id": r.get("id")}
    children, info = launch(state, r, fds, raw)
    for fd in fds:
        os.close(fd)
    ev.update(info)
    killed, shutdown = wait_children(ctrl, children)
    for c in children:
        if getattr(c, "exec_error", ""):
            ev["exec_error"] = c.exec_error
    kill_everything_else()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    out_fds, names = collect(r.get("collect") or [])
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
    try:
        send(ctrl, ev, out_fds)
    except OSError:
        os._exit(0)
    for fd in out_fds:
        os.close(fd)
    if shutdown:
        os._exit(0)
    # The per-run directories are empty before the next run.
    if not empty_scratch():
        send(ctrl, {"ev": "fatal", "error": "cannot empty the per-run directories"})
        os._exit(3)
    ready(ctrl, state)


def launch(state, r, fds, raw):
    """Start a request's processes. Returns (children, info); info holds
    setup_error or exec_error when something of ours failed before any of
    the program's code ran, and pre_cpu, the CPU the spares spent in the
    run's cgroup before that point."""
    if r["op"] == "session":
        return launch_session(state, r, fds)
    if r["kind"] == "python" or SHIM_FD < 0:
        state["python"] = True
        s = take_spare(state)
        # The request as it came (a large one travels in a memfd).
        started, info = start_spare(s, raw, fds)
        os.close(s.pidfd)
        s.sock.close()
        child = Child(s.pid)
        return [child], info
    state["python"] = False
    if state["spare"] is not None:
        state["spare"].discard()  # it would sit in the run's cgroup
        state["spare"] = None
    try:
        for name, content in (r.get("files") or {}).items():
            write_file(name, content)
        child, status_r = spawn(r, fds)
    except OSError as e:
        return [], {"started": False, "setup_error": "%s: %s" % (type(e).__name__, e)}
    child.status_r = status_r
    return [child], {"pre_cpu": 0.0, "started": True}


def launch_session(state, r, fds):
    """Start every process of a session, each from a spare, with the
    descriptors the supervisor sent for it."""
    state["python"] = True
    children, info = [], {"pre_cpu": 0.0, "setup_cpu": 0.0, "started": True}
    for i, proc in enumerate(r["procs"]):
        s = take_spare(state)
        sub = dict(proc, op="proc", limits=r["limits"], id=r.get("id"))
        mine = [fds[j] for j in proc["fds"]]
        sub["fds"] = list(range(len(mine)))
        started, pinfo = start_spare(s, json.dumps(sub, separators=(",", ":")).encode(), mine)
        os.close(s.pidfd)
        s.sock.close()
        children.append(Child(s.pid))
        info["pre_cpu"] += pinfo.get("pre_cpu", 0.0)
        info["setup_cpu"] += pinfo.get("setup_cpu", 0.0)
        if not started:
            info["started"] = False
            if "setup_error" in pinfo:
                info["setup_error"] = pinfo["setup_error"]
            break
    return children, info


# Descriptor numbers the shim gets, far from the zygote's own.
SHIM_CG1, SHIM_CG2, SHIM_EXE, SHIM_STATUS = 1000, 1001, 1002, 1003


def spawn(r, fds):
    """Start a native program through the exec shim, with posix_spawn (a
    vfork: nothing of the zygote's memory is copied)."""
    status_r, status_w = os.pipe()
    lim = r["limits"]
    exe = fds[r["exe_fd"]] if r.get("exe_fd") is not None else -1
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
            str(lim["cpu_s"]), str(lim["fsize"]), str(lim["stack"]), str(lim["nofile"]),
            str(lim["memory"] if fallback else -1), str(lim["nproc"] if fallback else -1),
            r["argv"][0]] + list(r["argv"])
    try:
        pid = os.posix_spawn("/proc/self/fd/%d" % SHIM_FD, argv, r["env"], file_actions=actions, setsid=True,
                             setsigdef=(signal.SIGPIPE, signal.SIGXFSZ, signal.SIGINT))
    finally:
        os.close(status_w)
    trace("spawned", pid)
    return Child(pid), status_r


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
                continue
            if fd != ctrl.fileno():
                continue
            try:
                msg, fds = recv_fds(ctrl, MAX_REQ, 8)
            except InterruptedError:
                continue
            for f in fds:
                os.close(f)
            op = json.loads(msg).get("op") if msg else "shutdown"
            trace("ctrl", op)
            if op in ("kill", "shutdown") and not killed:
                # The whole run at once: killing the first process first
                # would leave its descendants forking and allocating while
                # it is torn down.
                kill_all()
                killed = True
            shutdown = shutdown or op == "shutdown"
    for c in children:
        sr = getattr(c, "status_r", None)
        if sr is not None:
            c.exec_error = read_shim_status(sr)
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


def spare(sock, warm):
    """Runs in the forked child. Everything that does not depend on the
    request happens before it arrives: join the run's cgroups, take fresh
    stdio, close every other descriptor, warm up. The spare reports on its
    own socket twice, both times before any code of the program runs: when
    it is ready, and when the request's setup is done; then it closes the
    socket, so the program holds only descriptors 0, 1 and 2."""
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
    main = main_module()
    if warm:
        warm_up()
    send(sock, {"ready_cpu": cpu_self()})
    r, fds, _ = recv_request(sock)
    if r is None:
        os._exit(0)  # the supervisor went away
    try:
        setup(r, fds)
    except BaseException as e:  # our own failure, not the program's
        send(sock, {"setup_error": "%s: %s" % (type(e).__name__, e)})
        os._exit(125)
    send(sock, {"join_cpu": join_cpu, "started_cpu": cpu_self()})
    sock.close()
    if r["kind"] == "python":
        signal.signal(signal.SIGINT, signal.default_int_handler)
        run_python(r, main)
    else:
        run_exec(r, fds)


def setup(r, fds):
    """Limits, files and, for a session's process, its own stdio."""
    set_limits(r["limits"])
    if r.get("op") == "proc":
        for i, fd in enumerate(fds[:3]):
            os.dup2(fd, i)
        for fd in fds:
            if fd > 2:
                os.close(fd)
        return
    exe = fds[r["exe_fd"]] if r.get("exe_fd") is not None else None
    for fd in fds:
        if fd != exe:
            os.close(fd)
    if exe is not None:
        os.set_inheritable(exe, False)
    for name, content in (r.get("files") or {}).items():
        write_file(name, content)


WARM_SOURCE = b"import sys\nprint(sys.stdin.readline().strip())\n"


def warm_up():
    """Exercise, before the request, the allocator pools and code paths the
    run will use: after fork every page the child first writes costs a
    copy-on-write fault, and paying them now keeps them off the run's
    critical path."""
    r = json.loads(json.dumps({"op": "run", "kind": "python", "argv": ["/w/main.py"],
                               "files": {"/w/main.py": base64.b64encode(WARM_SOURCE).decode()},
                               "limits": {"cpu_s": 3, "fsize": 1 << 24, "stack": 1 << 28}}))
    base64.b64decode(r["files"]["/w/main.py"])
    compile(WARM_SOURCE, "/w/main.py", "exec", dont_inherit=True)


def set_limits(lim):
    setlim(resource.RLIMIT_CPU, lim["cpu_s"], lim["cpu_s"] + 1)
    setlim(resource.RLIMIT_FSIZE, lim["fsize"], lim["fsize"])
    setlim(resource.RLIMIT_CORE, 0, 0)
    setlim(resource.RLIMIT_STACK, lim["stack"], lim["stack"])
    setlim(resource.RLIMIT_NOFILE, lim["nofile"], lim["nofile"])
    setlim(resource.RLIMIT_MEMLOCK, 0, 0)
    setlim(resource.RLIMIT_MSGQUEUE, 0, 0)
    if FALLBACK_LIMITS:
        setlim(resource.RLIMIT_AS, lim["memory"], lim["memory"])
        setlim(resource.RLIMIT_NPROC, lim["nproc"], lim["nproc"])


def setlim(res, soft, hard):
    """Set a limit, never asking for more than the current hard limit."""
    _, cur_hard = resource.getrlimit(res)
    if cur_hard != resource.RLIM_INFINITY and hard > cur_hard:
        hard = cur_hard
    resource.setrlimit(res, (min(soft, hard), hard))


def write_file(name, content):
    path = name if os.path.isabs(name) else os.path.join(WORK, name)
    parent = os.path.dirname(path)
    if parent:
        os.makedirs(parent, exist_ok=True)
    data = base64.b64decode(content)
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
    exe = fds[r["exe_fd"]] if r.get("exe_fd") is not None else None
    target = exe if exe is not None else r["argv"][0]
    try:
        os.execve(target, r["argv"], r["env"])
    except OSError as e:
        # Past the report: the process exits 127 with the reason on
        # stderr, as a shell does.
        os.write(2, ("%s: %s\n" % (r["argv"][0], e)).encode())
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
    starts the zygote with exactly it. A session's process gets its source
    in the request ("source"), never from a file another process could
    change."""
    path = r["argv"][0]
    hide_runner_frames()
    # sys.stdin/stdout/stderr are the zygote's own, created at interpreter
    # start for non-terminal files under a UTF-8 locale exactly as for
    # `python3 file`, never used, and now on the run's descriptors.
    sys.argv = list(r["argv"])
    sys.path.insert(0, os.path.dirname(path))  # the zygote runs with -P
    main.__file__ = path
    sys.modules["__main__"] = main
    code = 0
    try:
        if "source" in r:
            source = r["source"].encode("utf-8", "surrogateescape")
            remember_source(path, r["source"])
        else:
            with open(path, "rb") as f:
                source = f.read()
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


def remember_source(path, text):
    import linecache
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
