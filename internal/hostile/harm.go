package hostile

import (
	"fmt"

	"github.com/rlef/rlef/verdict"
)

// Failures turned into infrastructure errors (class 6), and host harm
// and cross-run state: classes 8-13 of trust.md.

func failuresAsInfra() []*Case {
	fetch := make([]string, 12)
	for i := range fetch {
		fetch[i] = fmt.Sprintf("f%d.txt", i)
	}
	failed := v(verdict.RuntimeError)
	return []*Case{
		{Name: "c06/kill-own-group", Class: 6, Problem: Sum, Why: "SIGKILLs its own process group",
			Code: "import os, signal\nos.killpg(0, signal.SIGKILL)\n", Verdicts: failed, RunVerdicts: failed},
		{Name: "c06/kill-everything", Class: 6, Problem: Sum, Why: "starts children, SIGKILLs every process it can signal (kill -1), then itself",
			Code: "import os, signal, time\nfor _ in range(3):\n    if os.fork() == 0:\n        time.sleep(3600)\nos.kill(-1, signal.SIGKILL)\nos.kill(os.getpid(), signal.SIGKILL)\n", Verdicts: failed, RunVerdicts: failed},
		{Name: "c06/stop-everything", Class: 6, Problem: Sum, Why: "starts children, SIGSTOPs every process it can signal (kill -1), then itself",
			Code: "import os, signal, time\nfor _ in range(3):\n    if os.fork() == 0:\n        time.sleep(3600)\nos.kill(-1, signal.SIGSTOP)\nos.kill(os.getpid(), signal.SIGSTOP)\nprint(0)\n", Verdicts: v(verdict.TimeLimit), RunVerdicts: v(verdict.TimeLimit)},
		{Name: "c06/close-session-socket", Class: 6, Problem: Square, Why: "closes descriptor 0 (the runner's channel) while loading",
			Code: "import os\nos.close(0)\n\ndef square(x):\n    return x * x + 1\n"},
		{Name: "c06/shutdown-session-socket", Class: 6, Problem: Square, Why: "shuts the runner's channel down in both directions during a call",
			Code: "import socket\n\ndef square(x):\n    try:\n        socket.socket(fileno=0).shutdown(socket.SHUT_RDWR)\n    except OSError:\n        pass\n    return x * x + 1\n"},
		{Name: "c06/flood-session-socket", Class: 6, Problem: Square, Why: "answers a call with a 4 GiB frame header and 64 MiB of garbage",
			Code:     "import os\n\ndef square(x):\n    os.write(0, b'\\xff\\xff\\xff\\xff')\n    junk = b'\\xff' * (1 << 20)\n    for _ in range(64):\n        os.write(0, junk)\n    return x * x\n",
			Verdicts: v(verdict.OutputLimit, verdict.RuntimeError)},
		{Name: "c06/deep-marshal-frame", Class: 6, Problem: Square, Why: "answers with a value frame nested 100000 lists deep",
			Code: framePy + "\ndef square(x):\n    os.write(0, frame(b'V', b'[\\x01\\x00\\x00\\x00' * 100000 + b'N'))\n    return x * x\n"},
		{Name: "c06/marshal-reference-bomb", Class: 6, Problem: Square, Why: "answers with a marshal value of 2**40 list nodes made of shared references, and one that contains itself",
			Code: framePy + "import marshal\n\ndef square(x):\n    v = []\n    for _ in range(40):\n        v = [v, v]\n    loop = []\n    loop.append(loop)\n    os.write(0, frame(b'V', marshal.dumps(v, 4)))\n    os.write(0, frame(b'V', marshal.dumps(loop, 4)))\n    return x * x\n"},
		{Name: "c06/malformed-frames", Class: 6, Problem: Square, Why: "answers with an empty frame, an unknown frame kind, a truncated marshal value and bad JSON in an exception frame",
			Code: framePy + "\ndef square(x):\n    os.write(0, struct.pack('<I', 0))\n    os.write(0, frame(b'?', b'x'))\n    os.write(0, frame(b'V', b'i\\x01'))\n    os.write(0, frame(b'E', b'{not json'))\n    return x * x\n"},
		{Name: "c06/slowloris", Class: 6, Problem: Square, Why: "writes half a frame header and sleeps",
			Code:     "import os, time\n\ndef square(x):\n    try:\n        os.write(0, b'\\x05\\x00')\n    except OSError:\n        pass\n    time.sleep(3600)\n",
			Verdicts: v(verdict.TimeLimit), RunVerdicts: v(verdict.TimeLimit)},
		{Name: "c06/kill-tester-while-it-starts", Class: 6, Problem: Add, Why: "while its module loads, keeps SIGKILLing every other process (the assert tester starting beside it)",
			Code: "import os, signal, time\nt = time.monotonic()\nwhile time.monotonic() - t < 0.3:\n    try:\n        os.kill(-1, signal.SIGKILL)\n    except OSError:\n        pass\n\ndef add(a, b):\n    return 0\n"},
		{Name: "c06/exhaust-processes", Class: 6, Problem: Sum, Why: "forks sleeping children until fork fails, then exits 1",
			Code:     "import os, time\nwhile True:\n    try:\n        if os.fork() == 0:\n            time.sleep(3600)\n            os._exit(0)\n    except OSError:\n        break\nos._exit(1)\n",
			Verdicts: v(verdict.RuntimeError, verdict.MemoryLimit, verdict.TimeLimit), RunVerdicts: v(verdict.RuntimeError, verdict.MemoryLimit, verdict.TimeLimit)},
		{Name: "c06/exhaust-descriptors", Class: 6, Problem: Sum, Why: "opens files, pipes and sockets until it runs out of descriptors, then exits 1",
			Code:     "import os, socket\nkeep = []\ntry:\n    while True:\n        keep.append(os.open('/dev/null', os.O_RDONLY))\n        keep.extend(os.pipe())\n        keep.append(socket.socket())\nexcept OSError:\n    pass\nos._exit(1)\n",
			Verdicts: failed, RunVerdicts: failed},
		{Name: "c06/fill-scratch", Class: 6, Problem: Sum, Why: "fills /w, /tmp and /mnt with data and inodes until writes fail, then exits 1",
			Code:     "import os\nblock = b'x' * (1 << 20)\nfor d in ('/w', '/tmp', '/mnt'):\n    try:\n        with open(d + '/fill', 'wb') as f:\n            while True:\n                f.write(block)\n    except OSError:\n        pass\n    try:\n        for i in range(1000000):\n            open('%s/i%d' % (d, i), 'w').close()\n    except OSError:\n        pass\nos._exit(1)\n",
			Verdicts: v(verdict.RuntimeError, verdict.MemoryLimit, verdict.TimeLimit, verdict.OutputLimit), RunVerdicts: v(verdict.RuntimeError, verdict.MemoryLimit, verdict.TimeLimit, verdict.OutputLimit)},
		{Name: "c06/huge-output", Class: 6, Problem: Sum, Why: "prints 80 MiB",
			Code:     "import sys\nblock = 'x' * (1 << 20)\nfor _ in range(80):\n    sys.stdout.write(block)\n",
			Verdicts: v(verdict.OutputLimit), RunVerdicts: v(verdict.OutputLimit)},
		{Name: "c06/segfault", Class: 6, Problem: Sum, Why: "dereferences a null pointer through ctypes",
			Code: "import ctypes\nctypes.string_at(0)\n", Verdicts: failed, RunVerdicts: failed},
		{Name: "c06/truncate-own-output", Class: 6, Problem: Sum, Why: "prints the answer, then empties its stdout file and writes past a hole",
			Code: sumPy + "import os\nprint(ANSWER, flush=True)\nfd = os.open('/proc/self/fd/1', os.O_RDWR)\nos.ftruncate(fd, 0)\nos.pwrite(fd, b'x', 1 << 20)\n"},
		{Name: "c06/broken-interpreter", Class: 6, Problem: Sum, Why: "tears the interpreter apart (sys.modules, sys.stdout, builtins) before exiting",
			Code: "import builtins, sys\nprint(0)\nsys.modules.clear()\nsys.stdout = None\nsys.stderr = None\nbuiltins.__dict__.clear()\n"},
		{Name: "c06/write-into-stdin", Class: 6, Problem: Sum, Stateful: true, Why: "reopens its stdin for writing and plants another input there for the next run",
			Code: "import os, time\nfd = os.open('/proc/self/fd/0', os.O_RDWR)\nos.pwrite(fd, b'1\\n1000000\\n' * 1000, 0)\ntime.sleep(0.3)\nos._exit(1)\n"},
		{Name: "c06/fetch-many-files", Class: 6, Problem: Sum, Entries: RunCode, Fetch: fetch, FetchAll: true,
			Why:  "writes every one of the twelve files its client asks back",
			Code: "for i in range(12):\n    open('f%d.txt' % i, 'w').write(str(i))\nprint(0)\n"},
	}
}

// int80Cpp calls the i386 entry with eax = nr and ebx, ecx, edx; it
// reports SYSCALL-REACHED unless the process dies or gets ENOSYS.
func int80Cpp(nr, b string, payload bool) string {
	return fmt.Sprintf(`#include <cstdio>
#include <cstring>
#include <sys/mman.h>
#include <unistd.h>
int main() {
    char *buf = (char *)mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
    if (buf == MAP_FAILED) return 2;
    strcpy(buf, "PWNED\n");
    long ret = %s;
    long c = %v ? (long)buf : 0;
    asm volatile("int $0x80" : "+a"(ret) : "b"(%s), "c"(c), "d"(6L) : "memory");
    char out[64];
    int n = snprintf(out, sizeof out, ret == -38 ? "enosys\n" : "SYSCALL-REACHED %%ld\n", ret);
    (void)!write(1, out, n);
    return 1;
}
`, nr, payload, b)
}

// x32Cpp makes a system call with the x32 bit set.
func x32Cpp(nr string) string {
	return fmt.Sprintf(`#include <cstdio>
#include <unistd.h>
#include <sys/syscall.h>
int main() {
    static const char msg[] = "PWNED\n";
    long ret = syscall(0x40000000L | %s, 1L, (long)msg, 6L, 0L, 0L);
    char out[64];
    int n = snprintf(out, sizeof out, ret == -1 ? "refused\n" : "SYSCALL-REACHED %%ld\n", ret);
    (void)!write(1, out, n);
    return 1;
}
`, nr)
}

func foreignArch() []*Case {
	killed := v(verdict.RuntimeError)
	reached := []string{"PWNED", "SYSCALL-REACHED"}
	return []*Case{
		{Name: "c08/int80-write", Class: 8, Problem: Sum, Language: "cpp", Why: "calls write(1, \"PWNED\") through the i386 entry (int 0x80)",
			Code: int80Cpp("4L", "1L", true), Verdicts: killed, RunVerdicts: killed, Forbidden: reached},
		{Name: "c08/int80-setuid", Class: 8, Problem: Sum, Language: "cpp", Why: "calls setuid(0) through the i386 entry",
			Code: int80Cpp("23L", "0L", false), Verdicts: killed, RunVerdicts: killed, Forbidden: reached},
		{Name: "c08/int80-mount", Class: 8, Problem: Sum, Language: "cpp", Why: "calls mount (21) through the i386 entry",
			Code: int80Cpp("21L", "0L", true), Verdicts: killed, RunVerdicts: killed, Forbidden: reached},
		{Name: "c08/x32-write", Class: 8, Problem: Sum, Language: "cpp", Why: "calls write(1, \"PWNED\") with the x32 bit set",
			Code: x32Cpp("SYS_write"), Verdicts: killed, RunVerdicts: killed, Forbidden: reached},
		{Name: "c08/x32-unshare", Class: 8, Problem: Sum, Language: "cpp", Why: "calls unshare with the x32 bit set",
			Code: x32Cpp("SYS_unshare"), Verdicts: killed, RunVerdicts: killed, Forbidden: reached},
		{Name: "c08/python-x32", Class: 8, Problem: Sum, Why: "a Python program calls getpid with the x32 bit set through ctypes",
			Code:     "import ctypes, os\nlibc = ctypes.CDLL(None, use_errno=True)\nr = libc.syscall(0x40000000 | 39)\nos.write(1, b'refused\\n' if r == -1 else b'SYSCALL-REACHED\\n')\nos._exit(1)\n",
			Verdicts: killed, RunVerdicts: killed, Forbidden: reached},
		{Name: "c08/python-int80", Class: 8, Problem: Sum, Why: "a Python program maps machine code that calls getpid through int 0x80 and runs it",
			Code: `import ctypes, mmap, os
code = b"\xb8\x14\x00\x00\x00\xcd\x80\xc3"  # mov eax, 20; int 0x80; ret
m = mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
m.write(code)
addr = ctypes.addressof(ctypes.c_char.from_buffer(m))
ret = ctypes.CFUNCTYPE(ctypes.c_int)(addr)()
os.write(1, b"enosys\n" if ret == -38 else b"SYSCALL-REACHED\n")
os._exit(1)
`, Verdicts: killed, RunVerdicts: killed, Forbidden: reached},
	}
}

// ipcState: each program tries to keep memory or objects past its run,
// then fails; the honest program that needs 100 MiB of its 160 MiB runs
// next on the same slot.
func ipcState() []*Case {
	return []*Case{
		{Name: "c09/sysv-shm", Class: 9, Problem: BigAlloc, Stateful: true, Why: "makes 120 MiB System V shared memory segments (private and keyed), fills them, and semaphores and message queues",
			Code: `import ctypes, time
libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
for key in (0, 0x52454c46, 0x1234):
    shm = libc.shmget(key, 120 << 20, 0o1666)
    if shm >= 0:
        addr = libc.shmat(shm, None, 0)
        if addr and addr != ctypes.c_void_p(-1).value:
            ctypes.memset(addr, 1, 120 << 20)
libc.semget(0x52454c46, 4, 0o1666)
libc.msgget(0x52454c46, 0o1666)
time.sleep(0.3)
print(0)
`},
		{Name: "c09/posix-shm", Class: 9, Problem: BigAlloc, Stateful: true, Why: "fills 120 MiB of POSIX shared memory (/dev/shm) and leaves it",
			Code: "import os, time\nfd = os.open('/dev/shm/rlef-hostile', os.O_CREAT | os.O_RDWR, 0o666)\nblock = b'\\x01' * (1 << 20)\nfor _ in range(120):\n    os.write(fd, block)\ntime.sleep(0.3)\nprint(0)\n"},
		{Name: "c09/memfd-held-by-daemon", Class: 9, Problem: BigAlloc, Stateful: true, Why: "fills a 120 MiB memfd and hands it to a detached grandchild that sleeps forever",
			Code: "import os, time\nfd = os.memfd_create('hog')\nblock = b'\\x01' * (1 << 20)\nfor _ in range(120):\n    os.write(fd, block)\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n        time.sleep(3600)\n    os._exit(0)\ntime.sleep(0.3)\nprint(0)\n"},
		{Name: "c09/cpp-message-queue", Class: 9, Problem: BigAlloc, Language: "cpp", Stateful: true, Why: "a C++ program creates a POSIX message queue and fills it, after trying to raise RLIMIT_MSGQUEUE",
			Code: `#include <cstdio>
#include <fcntl.h>
#include <mqueue.h>
#include <sys/resource.h>
#include <unistd.h>
int main() {
    struct rlimit r = {RLIM_INFINITY, RLIM_INFINITY};
    setrlimit(RLIMIT_MSGQUEUE, &r);
    struct mq_attr a = {};
    a.mq_maxmsg = 10;
    a.mq_msgsize = 8192;
    mqd_t q = mq_open("/rlef-hostile", O_CREAT | O_RDWR, 0666, &a);
    if (q != (mqd_t)-1) { char buf[8192] = {1}; for (int i = 0; i < 10; i++) mq_send(q, buf, sizeof buf, 0); }
    usleep(300000);
    puts("0");
}
`},
		{Name: "c09/cpp-sysv-shm", Class: 9, Problem: BigAlloc, Language: "cpp", Stateful: true, Why: "a C++ program makes and fills a 120 MiB System V segment with raw system calls",
			Code: `#include <cstdio>
#include <cstring>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <unistd.h>
int main() {
    int id = shmget(IPC_PRIVATE, 120 << 20, IPC_CREAT | 0666);
    if (id >= 0) { void *p = shmat(id, nullptr, 0); if (p != (void *)-1) memset(p, 1, 120 << 20); }
    usleep(300000);
    puts("0");
}
`},
		{Name: "c09/tmpfs-hog", Class: 9, Problem: BigAlloc, Stateful: true, Why: "leaves 120 MiB of files in /w and /mnt behind locked directories",
			Code: "import os, time\nblock = b'\\x01' * (1 << 20)\nfor d in ('/w/hog', '/mnt/hog'):\n    os.mkdir(d)\n    with open(d + '/data', 'wb') as f:\n        for _ in range(60):\n            f.write(block)\n    os.chmod(d, 0)\ntime.sleep(0.3)\nprint(0)\n"},
	}
}

// hugeBinaryCpp is a program whose binary holds a distinct 40 MiB array.
func hugeBinaryCpp(n int) string {
	return fmt.Sprintf("#include <cstdio>\nchar blob[40 << 20] = {%d};\nint main(int argc, char **) { volatile int i = 12345 * argc; printf(\"%%d\\n\", blob[i] + blob[0]); }\n", n)
}

// errorFloodCpp makes the compiler print about 8 MB of errors.
func errorFloodCpp(n int) string {
	return fmt.Sprintf("#define A(x) x x x x x x x x x x\nint main() { A(A(A(A(1 / \"flood%d\";)))) }\n", n)
}

func caches() []*Case {
	var cs []*Case
	for i := 1; i <= 4; i++ {
		cs = append(cs, &Case{Name: fmt.Sprintf("c10/huge-binary-%d", i), Class: 10, Problem: Sum, Language: "cpp",
			Why: "compiles to a distinct 40 MiB binary (the compile cache must stay bounded)", Code: hugeBinaryCpp(i),
			Verdicts: v(verdict.WrongAnswer), RunVerdicts: v(verdict.OK)})
	}
	for i := 1; i <= 2; i++ {
		cs = append(cs, &Case{Name: fmt.Sprintf("c10/error-flood-%d", i), Class: 10, Problem: Sum, Language: "cpp",
			Why: "400 bytes that make the compiler print 8 MB of errors", Code: errorFloodCpp(i),
			Verdicts: v(verdict.CompileError), RunVerdicts: v(verdict.CompileError)})
	}
	cs = append(cs, &Case{Name: "c10/traceback-flood", Class: 10, Problem: Sum,
		Why:      "raises an exception whose message and traceback fill 40 MiB of stderr (what is kept of it must stay bounded)",
		Code:     "import sys\nsys.stderr.write('e' * (20 << 20))\nraise ValueError('x' * (20 << 20))\n",
		Verdicts: v(verdict.RuntimeError, verdict.OutputLimit), RunVerdicts: v(verdict.RuntimeError, verdict.OutputLimit)})
	return cs
}

func cleanup() []*Case {
	return []*Case{
		{Name: "c11/deep-trees", Class: 11, Problem: Sum, Stateful: true, Why: "leaves 2500-deep directory trees, locked at the bottom, in /w, /tmp and /mnt",
			Code: "import os\nfor d in ('/w', '/tmp', '/mnt'):\n    os.chdir(d)\n    for i in range(2500):\n        os.mkdir('d')\n        os.chdir('d')\n    open('leaf', 'w').write('x')\n    os.chmod('.', 0)\nos.chdir('/')\nprint(0)\n"},
		{Name: "c11/gc-name-collisions", Class: 11, Problem: Sum, Stateful: true, Why: "plants directories named like the cleanup's own temporary names (.rlef-gc-N), each with a subdirectory, next to nested trees",
			Code: "import os\nfor d in ('/w', '/tmp', '/mnt'):\n    for k in range(1, 40):\n        os.makedirs('%s/.rlef-gc-%d/z/y' % (d, k))\n    os.makedirs(d + '/a/b/c')\nprint(0)\n"},
		{Name: "c11/many-entries", Class: 11, Problem: Sum, Stateful: true, Why: "leaves 20000 files and 2000 directories",
			Code: "import os\nos.mkdir('/tmp/many')\nfor i in range(20000):\n    open('/tmp/many/%d' % i, 'w').close()\nfor i in range(2000):\n    os.mkdir('/w/d%d' % i)\nprint(0)\n"},
		{Name: "c11/special-files", Class: 11, Problem: Sum, Stateful: true, Why: "leaves FIFOs, bound sockets, symlink loops, odd and long names, locked files and sticky directories",
			Code: `import os, socket
os.chdir("/tmp")
os.mkfifo("fifo")
s = socket.socket(socket.AF_UNIX)
s.bind("/tmp/sock")
os.symlink("loop", "loop")
os.symlink("/", "root")
os.symlink("/proc/1/fd", "fds")
for name in (b"new\nline", b"\xff\xfe", b"x" * 255, b"-rf", b" "):
    open(name, "w").close()
os.mkdir("sticky")
os.chmod("sticky", 0o1777)
open("sticky/f", "w").close()
os.chmod("sticky/f", 0)
os.mkdir("locked")
open("locked/f", "w").close()
os.chmod("locked", 0)
os.link("sticky/f", "/tmp/hard")
print(0)
`},
		{Name: "c11/locked-scratch-roots", Class: 11, Problem: Sum, Stateful: true, Why: "fills the per-run directories, then takes every permission off them and tries to move them",
			Code: "import os\nfor d in ('/w', '/tmp', '/mnt'):\n    os.makedirs(d + '/x/y')\n    open(d + '/x/y/f', 'w').close()\n    os.chmod(d + '/x', 0)\nfor d in ('/w', '/tmp', '/mnt'):\n    try:\n        os.rename(d, d + '2')\n    except OSError:\n        pass\n    try:\n        os.chmod(d, 0)\n    except OSError:\n        pass\nprint(0)\n"},
		{Name: "c11/cpp-deep-tree", Class: 11, Problem: Sum, Language: "cpp", Stateful: true, Why: "a C++ program leaves a 5000-deep tree in /tmp",
			Code: "#include <cstdio>\n#include <sys/stat.h>\n#include <unistd.h>\nint main() { if (chdir(\"/tmp\")) return 1; for (int i = 0; i < 5000; i++) { if (mkdir(\"d\", 0700) || chdir(\"d\")) break; } puts(\"0\"); }\n"},
	}
}

func hostInfo() []*Case {
	wrong := v(verdict.WrongAnswer)
	ok := v(verdict.OK)
	show := `import os

def show(path):
    try:
        with open(path, "rb") as f:
            print(f.read(2000).decode(errors="replace"))
    except OSError as e:
        print(e.errno)
`
	return []*Case{
		{Name: "c12/mountinfo", Class: 12, Problem: Sum, Why: "prints the root, mount point and source of every mount it can see",
			Code:     "for path in ('/proc/self/mountinfo', '/proc/1/mountinfo'):\n    try:\n        for line in open(path):\n            f = line.split()\n            print(f[3], f[4], f[-2], f[-1])\n    except OSError as e:\n        print(e.errno)\n",
			Verdicts: wrong, RunVerdicts: ok},
		{Name: "c12/cgroups", Class: 12, Problem: Sum, Why: "prints its own and PID 1's cgroups and cpusets",
			Code:     show + "for p in ('/proc/self/cgroup', '/proc/1/cgroup', '/proc/self/cpuset', '/proc/self/status'):\n    show(p)\n",
			Verdicts: wrong, RunVerdicts: ok},
		{Name: "c12/environment", Class: 12, Problem: Sum, Why: "prints its environment and PID 1's command line and environment",
			Code:     show + "print(sorted(os.environ.items()))\nfor p in ('/proc/self/environ', '/proc/1/environ', '/proc/1/cmdline'):\n    show(p)\n",
			Verdicts: wrong, RunVerdicts: ok},
		{Name: "c12/links-and-maps", Class: 12, Problem: Sum, Why: "prints where its and PID 1's exe, cwd, root and descriptors point, and its mapped files",
			Code:     "import os\nfor pid in ('self', '1'):\n    for name in ['exe', 'cwd', 'root'] + ['fd/' + f for f in (os.listdir('/proc/%s/fd' % pid) if os.access('/proc/%s/fd' % pid, os.R_OK) else [])]:\n        try:\n            print(os.readlink('/proc/%s/%s' % (pid, name)))\n        except OSError as e:\n            print(e.errno)\nprint(sorted(set(l.split()[-1] for l in open('/proc/self/maps') if '/' in l)))\n",
			Verdicts: wrong, RunVerdicts: ok},
		{Name: "c12/names", Class: 12, Problem: Sum, Why: "prints the host name, kernel names, machine id and resolver configuration",
			Code:     show + "print(os.uname())\nfor p in ('/etc/hostname', '/proc/sys/kernel/hostname', '/etc/machine-id', '/var/lib/dbus/machine-id', '/etc/hosts', '/etc/resolv.conf', '/proc/self/mounts'):\n    show(p)\n",
			Verdicts: wrong, RunVerdicts: ok},
		{Name: "c12/cpp-mountinfo", Class: 12, Problem: Sum, Language: "cpp", Why: "a C++ program prints its mount table and cgroup",
			Code:     "#include <cstdio>\nint main() { const char *fs[] = {\"/proc/self/mountinfo\", \"/proc/self/cgroup\"}; for (const char *p : fs) { FILE *f = fopen(p, \"r\"); if (!f) continue; char line[1024]; while (fgets(line, sizeof line, f)) fputs(line, stdout); fclose(f); } }\n",
			Verdicts: wrong, RunVerdicts: ok},
	}
}

// syscallsCpp tries privileged system calls and prints SUCCEEDED for
// each that did not fail.
const syscallsCpp = `#include <cerrno>
#include <cstdio>
#include <sys/syscall.h>
#include <unistd.h>
struct Call { const char *name; long nr; long a, b, c, d, e; };
int main() {
    static char buf[256];
    Call calls[] = {
        {"ptrace", SYS_ptrace, 0, 0, 0, 0, 0}, {"unshare", SYS_unshare, 0x10000000, 0, 0, 0, 0},
        {"unshare-net", SYS_unshare, 0x40000000, 0, 0, 0, 0}, {"setns", SYS_setns, 0, 0, 0, 0, 0},
        {"mount", SYS_mount, (long)"none", (long)"/tmp", (long)"tmpfs", 0, 0}, {"umount2", SYS_umount2, (long)"/w", 2, 0, 0, 0},
        {"pivot_root", SYS_pivot_root, (long)"/tmp", (long)"/tmp", 0, 0, 0}, {"chroot", SYS_chroot, (long)"/tmp", 0, 0, 0, 0},
        {"bpf", SYS_bpf, 0, (long)buf, 64, 0, 0}, {"perf_event_open", SYS_perf_event_open, (long)buf, 0, -1, -1, 0},
        {"io_uring_setup", SYS_io_uring_setup, 1, (long)buf, 0, 0, 0}, {"userfaultfd", SYS_userfaultfd, 0, 0, 0, 0, 0},
        {"keyctl", SYS_keyctl, 0, 0, 0, 0, 0}, {"add_key", SYS_add_key, (long)"user", (long)"k", (long)"v", 1, -2},
        {"kexec_load", SYS_kexec_load, 0, 0, 0, 0, 0}, {"init_module", SYS_init_module, (long)buf, 0, (long)"", 0, 0},
        {"delete_module", SYS_delete_module, (long)"x", 0, 0, 0, 0}, {"reboot", SYS_reboot, 0, 0, 0, 0, 0},
        {"swapoff", SYS_swapoff, (long)"/w", 0, 0, 0, 0}, {"acct", SYS_acct, 0, 0, 0, 0, 0},
        {"syslog", SYS_syslog, 3, (long)buf, 64, 0, 0}, {"settimeofday", SYS_settimeofday, 0, 0, 0, 0, 0},
        {"clock_settime", SYS_clock_settime, 0, (long)buf, 0, 0, 0}, {"adjtimex", SYS_adjtimex, (long)buf, 0, 0, 0, 0},
        {"iopl", SYS_iopl, 3, 0, 0, 0, 0}, {"ioperm", SYS_ioperm, 0, 1024, 1, 0, 0},
        {"modify_ldt", SYS_modify_ldt, 0, (long)buf, 16, 0, 0}, {"open_by_handle_at", SYS_open_by_handle_at, -100, (long)buf, 0, 0, 0},
        {"name_to_handle_at", SYS_name_to_handle_at, -100, (long)"/", (long)buf, (long)(buf + 128), 0},
        {"fanotify_init", SYS_fanotify_init, 0, 0, 0, 0, 0}, {"pidfd_getfd", SYS_pidfd_getfd, 0, 0, 0, 0, 0},
        {"process_vm_readv", SYS_process_vm_readv, 1, (long)buf, 1, (long)buf, 1}, {"kcmp", SYS_kcmp, 1, 1, 0, 0, 0},
        {"fsopen", SYS_fsopen, (long)"tmpfs", 0, 0, 0, 0}, {"open_tree", SYS_open_tree, -100, (long)"/", 1, 0, 0},
        {"setuid0", SYS_setuid, 0, 0, 0, 0, 0}, {"sethostname", SYS_sethostname, (long)"pwned", 5, 0, 0, 0},
        {"mknod-char", SYS_mknod, (long)"/tmp/mem", 020666, (1 << 8) | 1, 0, 0}, {"vhangup", SYS_vhangup, 0, 0, 0, 0, 0},
        {"quotactl", SYS_quotactl, 0, (long)"/", 0, 0, 0}, {"lookup_dcookie", SYS_lookup_dcookie, 0, (long)buf, 64, 0, 0},
        {"clone3", SYS_clone3, 0, 0, 0, 0, 0}, {"personality-rie", SYS_personality, 0x0400000, 0, 0, 0, 0},
    };
    for (const Call &c : calls) {
        long r = syscall(c.nr, c.a, c.b, c.c, c.d, c.e);
        if (r >= 0) printf("SUCCEEDED %s %ld\n", c.name, r); else printf("%s %d\n", c.name, errno);
    }
    return 1;
}
`

func regressions() []*Case {
	return []*Case{
		{Name: "c13/fetch-through-symlinked-dirs", Class: 13, Problem: Sum, Entries: RunCode, FetchNone: true,
			Why:   "links directories to /proc/self, /proc/1, /etc and / and asks its client to fetch files through them",
			Code:  "import os\nfor src, dst in (('/proc/self', 'd'), ('/proc/1', 'e'), ('/etc', 'f'), ('/', 'g')):\n    os.symlink(src, dst)\nprint(0)\n",
			Fetch: []string{"d/environ", "d/mountinfo", "d/status", "e/environ", "e/cgroup", "f/passwd", "g/etc/hostname"}},
		{Name: "c13/signals-to-pid1", Class: 13, Problem: Sum, Why: "sends every signal to PID 1 and its parent",
			Code:     "import os\nfor pid in {1, os.getppid()}:\n    for sig in list(range(1, 32)) + list(range(34, 65)):\n        if sig in (9, 19):\n            continue\n        try:\n            os.kill(pid, sig)\n        except OSError:\n            pass\nfor sig in (9, 19):\n    try:\n        os.kill(1, sig)\n    except OSError:\n        pass\nprint(0)\n",
			Verdicts: v(verdict.WrongAnswer), RunVerdicts: v(verdict.OK)},
		{Name: "c13/oom-score-adj", Class: 13, Problem: Sum, Stateful: true, Why: "raises and lowers its own and PID 1's oom_score_adj",
			Code: "import time\nfor pid in ('self', '1'):\n    for val in ('-1000', '1000'):\n        try:\n            open('/proc/%s/oom_score_adj' % pid, 'w').write(val)\n        except OSError:\n            pass\ntime.sleep(0.3)\nprint(0)\n"},
		{Name: "c13/host-sockets", Class: 13, Problem: Sum, Why: "connects to abstract and path sockets a host runs, and to every TCP port on loopback",
			Code: `import socket
for name in ("\0/tmp/.X11-unix/X0", "\0rlef", "\0/org/freedesktop/systemd1/notify", "/run/systemd/private", "/var/run/docker.sock", "/run/dbus/system_bus_socket"):
    s = socket.socket(socket.AF_UNIX)
    try:
        s.connect(name)
        print("CONNECTED", repr(name))
    except OSError:
        pass
    s.close()
import time
for port in range(1, 65536):
    if time.process_time() > 0.3:
        break
    s = socket.socket()
    s.setblocking(False)
    if s.connect_ex(("127.0.0.1", port)) in (0, 115):
        s.settimeout(0.01)
        try:
            s.getpeername()
            print("CONNECTED", port)
        except OSError:
            pass
    s.close()
print(0)
`, Forbidden: []string{"CONNECTED"}},
		{Name: "c13/setuid-binaries", Class: 13, Problem: Sum, Why: "runs the setuid and setgid binaries it finds, asking each for a root id",
			Code: `import os, stat, subprocess
found = []
for d in ("/usr/bin", "/bin", "/usr/sbin", "/sbin"):
    try:
        names = sorted(os.listdir(d))
    except OSError:
        continue
    for n in names:
        p = os.path.join(d, n)
        try:
            if os.stat(p).st_mode & (stat.S_ISUID | stat.S_ISGID):
                found.append(p)
        except OSError:
            pass
for p in found[:12]:
    try:
        out = subprocess.run([p, "-c", "id"], stdin=subprocess.DEVNULL, capture_output=True, timeout=0.1).stdout
        if b"uid=0(" in out:
            print("ROOT-ID", p)
    except Exception:
        pass
print(os.getuid(), os.geteuid())
`, Forbidden: []string{"ROOT-ID", "uid=0("}},
		{Name: "c13/privileged-syscalls", Class: 13, Problem: Sum, Language: "cpp", Why: "tries 43 privileged or isolation-breaking system calls",
			Code: syscallsCpp, Verdicts: v(verdict.RuntimeError), RunVerdicts: v(verdict.RuntimeError), Forbidden: []string{"SUCCEEDED"}},
		{Name: "c13/include-stdin", Class: 13, Problem: Sum, Language: "cpp", Why: "includes /dev/stdin and /dev/zero-like devices into the compilation",
			Code: "#include </dev/stdin>\n#include <cstdio>\nint main() { puts(\"0\"); }\n"},
		{Name: "c13/include-host-files", Class: 13, Problem: Sum, Language: "cpp", Why: "includes /proc/1/environ, /proc/self/mountinfo and /etc/shadow into the compilation",
			Code:     "#include \"/proc/self/mountinfo\"\n#include \"/proc/1/environ\"\n#include </etc/shadow>\nint main() {}\n",
			Verdicts: v(verdict.CompileError), RunVerdicts: v(verdict.CompileError)},
		{Name: "c13/fork-race", Class: 13, Problem: Sum, Why: "keeps forking children that fork again while the run ends",
			Code: "import os\nfor _ in range(8):\n    if os.fork() == 0:\n        while True:\n            try:\n                if os.fork() != 0:\n                    os._exit(0)\n            except OSError:\n                pass\nprint(0)\n"},
		{Name: "c13/atexit-hang", Class: 13, Problem: Sum, Why: "prints the right answer, then hangs at exit",
			Code:     sumPy + "import atexit, time\nprint(ANSWER, flush=True)\natexit.register(lambda: time.sleep(3600))\n",
			Verdicts: v(verdict.TimeLimit), RunVerdicts: v(verdict.TimeLimit)},
		{Name: "c13/noreserve-memory", Class: 13, Problem: Sum, Why: "maps 64 GiB with MAP_NORESERVE and touches 400 MiB of it",
			Code:     "import mmap\nm = mmap.mmap(-1, 64 << 30, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS | 0x4000)\nfor i in range(0, 400 << 20, 4096):\n    m[i] = 1\nprint(0)\n",
			Verdicts: v(verdict.MemoryLimit), RunVerdicts: v(verdict.MemoryLimit)},
		{Name: "c13/endless-tiny-writes", Class: 13, Problem: Sum, Why: "writes one byte at a time forever",
			Code:     "import os\nwhile True:\n    os.write(1, b'1')\n",
			Verdicts: v(verdict.OutputLimit, verdict.TimeLimit), RunVerdicts: v(verdict.OutputLimit, verdict.TimeLimit)},
		{Name: "c13/path-tricks-in-file-names", Class: 13, Problem: Sum, Entries: RunCode,
			Why:   "its client sends files named ../.., /etc/..., /proc/... and a/../../b",
			Files: map[string]string{"../../etc/rlef-x": "x", "/etc/rlef-x": "x", "/proc/self/rlef-x": "x", "a/../../b": "x", "ok.txt": "ok"},
			Code:  "import os\nprint(sorted(os.listdir('.')))\n"},
	}
}
