# rlef sandbox zygote.
#
# One zygote runs in each sandbox slot. Started by the supervisor in fresh
# mount, PID, network, IPC and UTS namespaces (and a user namespace when not
# root), it first builds the slot's file system view (read-only system
# directories, private tmpfs /w and /tmp, minimal /dev and /etc) and pivots
# into it. Then it drops every privilege for good (the programs' uid, no
# capabilities, no_new_privs, the seccomp filter), imports commonly used
# modules once and, for every run, forks a "spare" child ahead of time. The
# spare joins the run's memory cgroup, takes fresh stdio and warms the code
# paths of a run, and only then waits for the request: the run's critical
# path is reduced to setting limits, writing files and starting the
# program. After each run the zygote, PID 1 of the slot, kills and reaps
# everything the run left behind.
#
# Native programs (compiled C++, the compiler) do not need a forked
# interpreter: the zygote starts them with posix_spawn (a vfork) through a
# tiny exec shim that joins the cgroup, sets hard limits and execs them.
#
# Wire protocol (SOCK_SEQPACKET, one JSON object per message, descriptors
# passed with SCM_RIGHTS) on the control socket:
#   supervisor -> {"op":"run", ...} | {"op":"kill"} | {"op":"shutdown"}
#   zygote -> {"ev":"ready"} once, then {"ev":"exit", ...} per run
# The zygote never runs untrusted code itself.

import atexit
import base64
import builtins
import ctypes
import errno
import io
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
MEMCG_FD = CFG.get("memcg_fd", -1)
WORK = CFG["work_dir"]
TMP = CFG["tmp_dir"]
RUN_UID = CFG.get("run_uid", -1)
RUN_GID = CFG.get("run_gid", -1)
PIDNS = CFG.get("pid_namespace", False)
DROP_CAPS = CFG.get("drop_caps", False)
SECCOMP = bytes.fromhex(CFG.get("seccomp", ""))
FALLBACK_LIMITS = CFG.get("rlimit_fallback", False)
MAX_REQ = 1 << 16
TRACE_FD = os.dup(2) if CFG.get("trace") else -1

PR_SET_DUMPABLE = 4
PR_SET_SECCOMP = 22
PR_SET_SECUREBITS = 28
PR_SET_NO_NEW_PRIVS = 38
# SECBIT_NOROOT, SECBIT_NO_SETUID_FIXUP and SECBIT_KEEP_CAPS_LOCKED...
# with their _LOCKED bits: uid 0 gains no capabilities at exec (userns
# mode, where programs stay uid 0 of the namespace), for good.
SECUREBITS_NOROOT = 0x01 | 0x02 | 0x04 | 0x08 | 0x20
SECCOMP_MODE_FILTER = 2
SYS_CAPSET = 126  # x86_64
LINUX_CAPABILITY_VERSION_3 = 0x20080522

libc = ctypes.CDLL(None, use_errno=True)
libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
libc.syscall.restype = ctypes.c_long


class SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


_seccomp_buf = ctypes.create_string_buffer(SECCOMP, len(SECCOMP)) if SECCOMP else None
_seccomp_prog = SockFprog(len(SECCOMP) // 8, ctypes.cast(_seccomp_buf, ctypes.c_void_p)) if SECCOMP else None


def trace(*args):
    if TRACE_FD >= 0:
        try:
            os.write(TRACE_FD, ("zygote[%d]: %s\n" % (os.getpid(), " ".join(map(str, args)))).encode())
        except OSError:
            pass


def check(ret, what):
    if ret != 0:
        e = ctypes.get_errno()
        raise OSError(e, "%s: %s" % (what, os.strerror(e)))


# ---------------------------------------------------------------- root

MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
MNT_DETACH = 2
SYS_PIVOT_ROOT, SYS_MOUNT_SETATTR = 155, 442  # x86_64
AT_FDCWD, AT_RECURSIVE = -100, 0x8000
MOUNT_ATTR_RDONLY, MOUNT_ATTR_NOSUID, MOUNT_ATTR_NODEV = 1, 2, 4


class MountAttr(ctypes.Structure):
    _fields_ = [("attr_set", ctypes.c_uint64), ("attr_clr", ctypes.c_uint64),
                ("propagation", ctypes.c_uint64), ("userns_fd", ctypes.c_uint64)]


def _b(s):
    return None if s is None else s.encode()


def mount(src, target, fstype, flags, data=None):
    check(libc.mount(_b(src), _b(target), _b(fstype), ctypes.c_ulong(flags), _b(data)),
          "mount %s on %s" % (src or fstype, target))


def make_readonly(target):
    """Read-only, nosuid, nodev, recursively; falls back to a remount."""
    attr = MountAttr(MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, 0, 0, 0)
    r = libc.syscall(SYS_MOUNT_SETATTR, AT_FDCWD, _b(target), AT_RECURSIVE,
                     ctypes.byref(attr), ctypes.sizeof(attr))
    if r != 0:
        mount(None, target, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)


def setup_root(spec):
    """Build the slot's file system view and pivot into it. Runs first, as
    root of the slot's fresh mount namespace."""
    root = spec["root"]
    mount(None, "/", None, MS_REC | MS_PRIVATE)
    mount("rlef", root, "tmpfs", MS_NOSUID | MS_NODEV, "size=4m,nr_inodes=4096,mode=0755")
    for b in spec["binds"]:
        src, dst = b["src"], root + b["dst"]
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        if os.path.islink(src) and not b.get("follow"):
            os.symlink(os.readlink(src), dst)
            continue
        if os.path.isdir(src):
            os.makedirs(dst, exist_ok=True)
        else:
            open(dst, "w").close()
        mount(src, dst, None, MS_BIND | MS_REC)
        if not b.get("rw"):
            make_readonly(dst)
    for name, content in spec["files"].items():
        path = root + name
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(content)
    os.makedirs(root + "/dev", exist_ok=True)
    for dev in ("null", "zero", "full", "random", "urandom"):
        open(root + "/dev/" + dev, "w").close()
        mount("/dev/" + dev, root + "/dev/" + dev, None, MS_BIND)
    for name, target in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"),
                         ("stdout", "/proc/self/fd/1"), ("stderr", "/proc/self/fd/2"),
                         ("shm", "/tmp")):
        os.symlink(target, root + "/dev/" + name)
    os.makedirs(root + "/proc", exist_ok=True)
    try:
        mount("proc", root + "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, "hidepid=invisible")
    except OSError:
        mount("proc", root + "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, "hidepid=2")
    owner = "" if RUN_UID < 0 else ",uid=%d,gid=%d" % (RUN_UID, RUN_GID)
    for d, size, mode in ((WORK, spec["work_size"], "0755"), (TMP, spec["tmp_size"], "1777")):
        os.makedirs(root + d, exist_ok=True)
        mount("rlef", root + d, "tmpfs", MS_NOSUID | MS_NODEV,
              "size=%d,nr_inodes=%d,mode=%s%s" % (size, spec["inodes"], mode, owner))
    os.chdir(root)
    check(libc.syscall(SYS_PIVOT_ROOT, b".", b"."), "pivot_root")
    check(libc.umount2(b".", MNT_DETACH), "detach old root")
    os.chdir("/")
    mount(None, "/", None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)
    hostname = b"rlef"
    check(libc.sethostname(hostname, len(hostname)), "sethostname")


# ---------------------------------------------------------------- zygote


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


def clean_dir(path, mode):
    """Empty a per-run directory; True when it is empty afterwards."""
    ok = True
    try:
        entries = list(os.scandir(path))
    except OSError:
        return False
    for e in entries:
        try:
            if e.is_dir(follow_symlinks=False):
                remove_tree(e.path)
            else:
                os.unlink(e.path)
        except OSError:
            ok = False
    try:
        os.chmod(path, mode)
    except OSError:
        ok = False
    return ok


def remove_tree(path):
    os.chmod(path, 0o700)
    for e in os.scandir(path):
        if e.is_dir(follow_symlinks=False):
            remove_tree(e.path)
        else:
            os.unlink(e.path)
    os.rmdir(path)


def read_status(fd):
    """Status lines from the spare. Non-blocking: without a PID namespace a
    descendant of the run could still hold the write end open."""
    os.set_blocking(fd, False)
    chunks, size = [], 0
    while size <= 65536:
        try:
            b = os.read(fd, 65536)
        except OSError:
            break
        if not b:
            break
        chunks.append(b)
        size += len(b)
    info = {}
    for line in b"".join(chunks).splitlines():
        if line.startswith(b"exec_error "):  # from the exec shim
            info["exec_error"] = line.decode(errors="replace")
            continue
        try:
            obj = json.loads(line)
        except ValueError:
            continue  # written by untrusted code; ignore what is not ours
        if isinstance(obj, dict):
            info.update(obj)
    return info


def collect(names):
    """Open files the request asked to get back; regular files only."""
    fds, got = [], []
    for name in names:
        if not isinstance(name, str):
            continue
        try:
            fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
        except OSError:
            continue
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            continue
        fds.append(fd)
        got.append(name)
    return fds, got


class Spare:
    """A forked child waiting, already prepared, for a Python run."""

    def __init__(self, pid, pidfd, sock, status_r):
        self.pid, self.pidfd, self.sock, self.status_r = pid, pidfd, sock, status_r

    @classmethod
    def fork(cls, ctrl):
        status_r, status_w = os.pipe()
        mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        pid = os.fork()
        if pid == 0:
            os.close(status_r)
            mine.close()
            try:
                spare(status_w, ctrl, theirs)
            except BaseException as e:  # a bug here, never the program's doing
                try:
                    status(status_w, {"setup_error": "spare: %s: %s" % (type(e).__name__, e)})
                finally:
                    os._exit(125)
            os._exit(126)
        os.close(status_w)
        theirs.close()
        trace("forked spare", pid)
        return cls(pid, os.pidfd_open(pid), mine, status_r)

    def alive(self):
        return not select.select([self.pidfd], [], [], 0)[0]

    def discard(self):
        """Kill an idle spare and reap it."""
        signal.pidfd_send_signal(self.pidfd, signal.SIGKILL)
        os.waitpid(self.pid, 0)
        self.close()

    def close(self):
        os.close(self.pidfd)
        os.close(self.status_r)
        self.sock.close()


class Child:
    """The process running a request: a spare, or a spawned shim."""

    def __init__(self, pid, status_r):
        self.pid, self.pidfd, self.status_r = pid, os.pidfd_open(pid), status_r


def zygote():
    for fd in CFG.get("join_fds", []):
        os.write(fd, b"0")  # the slot's pids and cpu cgroups
        os.close(fd)
    if CFG.get("root_setup"):
        setup_root(CFG["root_setup"])
    ctrl = socket.socket(fileno=CTRL_FD)
    # From here on the zygote needs no privilege: it runs as the programs'
    # uid with no capabilities, no_new_privs and the seccomp filter, which
    # every child inherits. It stays out of the programs' reach because it
    # is PID 1 of the slot (signals without a handler are ignored), not
    # dumpable (no /proc/1/mem, no ptrace) and holds no descriptor they get.
    drop_privileges()
    libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for name in CFG.get("preload", []):
        try:
            __import__(name)
        except Exception:
            pass
    import gc
    gc.collect()
    gc.freeze()  # keep the collector from touching (and copying) inherited objects
    send(ctrl, {"ev": "ready", "pid": os.getpid(), "python": sys.version.split()[0]})
    sys.stdout.flush()
    sys.stderr.flush()
    spare_ = None
    python_mode = True  # keep a spare ready while Python runs come
    while True:
        if spare_ is None and python_mode:
            spare_ = Spare.fork(ctrl)
        try:
            msg, fds = recv_fds(ctrl, MAX_REQ, 8)
        except InterruptedError:
            continue
        if not msg:
            os._exit(0)  # the supervisor went away: the slot dies with us
        r = json.loads(msg)
        op = r.get("op")
        if op == "shutdown":
            os._exit(0)
        if op != "run":
            for fd in fds:
                os.close(fd)
            continue  # a kill that came after its run ended
        if r.get("payload_fd") is not None:
            pfd = fds[r["payload_fd"]]
            r = json.loads(os.pread(pfd, os.fstat(pfd).st_size, 0))
        python = r["kind"] == "python" or SHIM_FD < 0
        if python:
            if spare_ is not None and not spare_.alive():
                spare_.close()
                spare_ = None
            if spare_ is None:
                spare_ = Spare.fork(ctrl)
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            # Forward the request as it came (a large one travels in a
            # memfd, whatever its size), with its descriptors.
            if fds:
                socket.send_fds(spare_.sock, [msg], fds)
            else:
                spare_.sock.send(msg)
            child = Child(spare_.pid, spare_.status_r)
            os.close(spare_.pidfd)
            spare_.sock.close()
            spare_ = None
            python_mode = True
        else:
            if spare_ is not None:
                spare_.discard()  # it would sit in the run's memory cgroup
                spare_ = None
            python_mode = False
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            try:
                for name, content in (r.get("files") or {}).items():
                    write_file(name, content)
                child = spawn(r, fds)
            except OSError as e:
                for fd in fds:
                    os.close(fd)
                send(ctrl, {"ev": "exit", "id": r.get("id"), "wstatus": 0, "setup_error": "%s: %s" % (type(e).__name__, e)})
                clean_dir(WORK, 0o755) and clean_dir(TMP, 0o1777)
                continue
        for fd in fds:
            os.close(fd)
        wstatus, ru, killed, shutdown = wait_child(ctrl, child)
        kill_everything_else(child.pid)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        info = read_status(child.status_r)
        os.close(child.status_r)
        out_fds, names = collect(r.get("collect") or [])
        ev = {
            "ev": "exit",
            "id": r.get("id"),
            "wstatus": wstatus,
            # The whole process tree: every process the run started has
            # been reaped by now, and its time added to our children's.
            "utime": after.ru_utime - before.ru_utime,
            "stime": after.ru_stime - before.ru_stime,
            "maxrss_kb": ru.ru_maxrss,
            "killed": killed,
            "collected": names,
        }
        ev.update(info)
        try:
            send(ctrl, ev, out_fds)
        except OSError:
            os._exit(0)
        for fd in out_fds:
            os.close(fd)
        if shutdown:
            os._exit(0)
        # The per-run directories are empty before the next run.
        if not (clean_dir(WORK, 0o755) & clean_dir(TMP, 0o1777)):
            send(ctrl, {"ev": "fatal", "error": "cannot empty the work directories"})
            os._exit(3)


# Descriptor numbers the shim gets, far from the zygote's own.
SHIM_CG, SHIM_EXE, SHIM_STATUS = 1000, 1001, 1002


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
    if MEMCG_FD >= 0:
        actions.append((os.POSIX_SPAWN_DUP2, MEMCG_FD, SHIM_CG))
    if exe >= 0:
        actions.append((os.POSIX_SPAWN_DUP2, exe, SHIM_EXE))
    fallback = FALLBACK_LIMITS
    argv = ["rlef-shim",
            str(SHIM_CG if MEMCG_FD >= 0 else -1), str(SHIM_EXE if exe >= 0 else -1), str(SHIM_STATUS),
            str(lim["cpu_s"]), str(lim["fsize"]), str(lim["stack"]), str(lim["nofile"]),
            str(lim["memory"] if fallback else -1), str(lim["nproc"] if fallback else -1),
            r["argv"][0]] + list(r["argv"])
    try:
        pid = os.posix_spawn("/proc/self/fd/%d" % SHIM_FD, argv, r["env"], file_actions=actions, setsid=True,
                             setsigdef=(signal.SIGPIPE, signal.SIGXFSZ, signal.SIGINT))
    finally:
        os.close(status_w)
    trace("spawned", pid)
    return Child(pid, status_r)


def kill_all(spare_pid):
    """SIGKILL every process of the run. As PID 1 of the slot's PID
    namespace, kill(-1) reaches every other process in the slot but not the
    zygote, and it cannot race with fork: a process with SIGKILL pending
    cannot create children."""
    if PIDNS:
        try:
            os.kill(-1, signal.SIGKILL)
        except ProcessLookupError:
            pass
    else:
        # No namespace: the run's session is all we can name.
        try:
            os.killpg(spare_pid, signal.SIGKILL)
        except OSError:
            pass


def kill_everything_else(spare_pid):
    """Kill what the run left behind (daemons, stopped processes) and reap
    it all."""
    kill_all(spare_pid)
    while True:
        try:
            got, _ = os.waitpid(-1, 0 if PIDNS else os.WNOHANG)
        except ChildProcessError:
            return
        except InterruptedError:
            continue
        if got == 0:
            return


def wait_child(ctrl, child):
    """Wait for the run's first process to exit, killing the whole run when
    the supervisor asks."""
    poller = select.poll()
    poller.register(ctrl.fileno(), select.POLLIN)
    poller.register(child.pidfd, select.POLLIN)
    killed = shutdown = False
    try:
        while True:
            for fd, _ in poller.poll():
                if fd == child.pidfd:
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
                    # The whole run at once: killing the first process
                    # first would leave its descendants forking and
                    # allocating while it is torn down.
                    signal.pidfd_send_signal(child.pidfd, signal.SIGKILL)
                    kill_all(child.pid)
                    killed = True
                shutdown = shutdown or op == "shutdown"
            got, wstatus, ru = os.wait4(child.pid, os.WNOHANG)
            if got == child.pid:
                return wstatus, ru, killed, shutdown
    finally:
        os.close(child.pidfd)


# ---------------------------------------------------------------- spare


MARKS = []


def mark(name):
    if TRACE_FD >= 0:
        MARKS.append((name, resource.getrusage(resource.RUSAGE_SELF).ru_minflt))


def spare(status_w, ctrl, req):
    """Runs in the forked child, already unprivileged. Everything that does
    not depend on the request happens before it arrives: join the memory
    cgroup, take fresh stdio, close every other descriptor, warm up. Then
    wait for the request, which the zygote forwards on req."""
    mark("forked")
    if MEMCG_FD >= 0:
        os.write(MEMCG_FD, b"0")  # join the run's memory cgroup
        os.close(MEMCG_FD)
    mark("cgroup")
    ctrl.close()
    os.setsid()
    # Fresh open file descriptions, so offsets and flags never leak from the
    # supervisor's descriptors or between runs.
    for src, dst, flags in ((STDIN_FD, 0, os.O_RDONLY), (STDOUT_FD, 1, os.O_WRONLY),
                            (STDERR_FD, 2, os.O_WRONLY)):
        fd = os.open("/proc/self/fd/%d" % src, flags)
        os.dup2(fd, dst)
        os.close(fd)
    keep = {req.fileno(), status_w}
    for fd in range(3, max(keep) + 1):
        if fd not in keep:
            try:
                os.close(fd)
            except OSError:
                pass
    os.closerange(max(keep) + 1, 1 << 20)
    os.set_inheritable(status_w, False)
    mark("fds")
    try:
        os.chdir(WORK)
        main = main_module()
        warm_up()
        mark("warm")
    except BaseException as e:
        status(status_w, {"setup_error": "%s: %s" % (type(e).__name__, e)})
        os._exit(125)
    while True:
        try:
            msg, fds = recv_fds(req, MAX_REQ, 8)
            break
        except InterruptedError:
            continue
    if not msg:
        os._exit(0)  # the supervisor went away
    ru = resource.getrusage(resource.RUSAGE_SELF)
    pre_cpu = ru.ru_utime + ru.ru_stime
    req.close()
    r = json.loads(msg)
    if r.get("payload_fd") is not None:
        pfd = fds[r["payload_fd"]]
        r = json.loads(os.pread(pfd, os.fstat(pfd).st_size, 0))
    mark("request")
    status(status_w, {"pre_cpu": pre_cpu})
    trace("spare marks (name, page faults so far)", MARKS)
    exe = fds[r["exe_fd"]] if r.get("exe_fd") is not None else None
    for fd in fds:
        if fd != exe:
            os.close(fd)
    try:
        set_limits(r["limits"])
        for name, content in (r.get("files") or {}).items():
            write_file(name, content)
    except BaseException as e:  # our own failure, not the program's
        status(status_w, {"setup_error": "%s: %s" % (type(e).__name__, e)})
        os._exit(125)
    if r["kind"] == "python":
        signal.signal(signal.SIGINT, signal.default_int_handler)
        run_python(r, status_w, main)
    else:
        run_exec(r, exe, status_w)


WARM_REQUEST = json.dumps({
    "op": "run", "kind": "python", "argv": ["/w/main.py"],
    "files": {"/w/main.py": "aW1wb3J0IHN5cwpwcmludChzeXMuc3RkaW4ucmVhZGxpbmUoKS5zdHJpcCgpKQo="},
    "limits": {"cpu_s": 3, "fsize": 16777216, "stack": 268435456, "memory": 805306368, "nproc": 130, "nofile": 4096},
    "collect": []})


def warm_up():
    """Exercise, before the request, the allocator pools and code paths the
    run will use: after fork every page the child first writes costs a
    copy-on-write fault, and paying them now keeps them off the run's
    critical path."""
    r = json.loads(WARM_REQUEST)
    base64.b64decode(r["files"]["/w/main.py"])
    compile(b"import sys\nprint(sys.stdin.readline().strip())\n", "/w/main.py", "exec", dont_inherit=True)
    json.dumps({"pre_cpu": 0.5}, separators=(",", ":"))


def status(fd, obj):
    os.write(fd, json.dumps(obj, separators=(",", ":")).encode() + b"\n")


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


def drop_privileges():
    if DROP_CAPS:
        check(libc.prctl(PR_SET_SECUREBITS, SECUREBITS_NOROOT, 0, 0, 0), "securebits")
    if RUN_UID >= 0:
        os.setgroups([])
        os.setresgid(RUN_GID, RUN_GID, RUN_GID)
        os.setresuid(RUN_UID, RUN_UID, RUN_UID)
    if DROP_CAPS:
        hdr = (ctypes.c_uint32 * 2)(LINUX_CAPABILITY_VERSION_3, 0)
        data = (ctypes.c_uint32 * 6)()
        check(libc.syscall(SYS_CAPSET, hdr, data), "capset")
    check(libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")
    if _seccomp_prog is not None:
        check(libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.addressof(_seccomp_prog), 0, 0), "seccomp")


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


def run_exec(r, exe, status_w):
    # Python ignores these (and the zygote SIGINT); an exec'd program must
    # start with the defaults.
    for sig in (signal.SIGPIPE, signal.SIGXFSZ, signal.SIGINT):
        signal.signal(sig, signal.SIG_DFL)
    target = exe if exe is not None else r["argv"][0]
    try:
        os.execve(target, r["argv"], r["env"])
    except OSError as e:
        status(status_w, {"exec_error": "%s: %s" % (r["argv"][0], e)})
        os._exit(127)


def main_module():
    main = types.ModuleType("__main__")
    main.__builtins__ = builtins
    main.__cached__ = None
    return main


def run_python(r, status_w, main):
    """Run a script with the semantics of `python3 path` (CPython's
    pymain_run_file and Py_FinalizeEx), in this already-initialised
    interpreter. The environment is already the program's: the supervisor
    starts the zygote with exactly it."""
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
        with open(path, "rb") as f:
            source = f.read()
        exec(compile(source, path, "exec", dont_inherit=True), main.__dict__)
    except SystemExit as e:
        code = exit_code(e)
    except BaseException as e:
        code = 1
        if isinstance(e, MemoryError):
            try:
                status(status_w, {"memory_error": True})
            except OSError:
                pass
        report_exception(e)
        if isinstance(e, KeyboardInterrupt):
            # CPython ends an uninterrupted KeyboardInterrupt by killing
            # itself with SIGINT, so the parent sees the signal.
            finalize(code)
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            os.kill(os.getpid(), signal.SIGINT)
    os._exit(finalize(code))


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
