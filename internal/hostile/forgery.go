package hostile

import (
	"github.com/rlef/rlef/verdict"
)

// Reward forgery: classes 1-7 of trust.md.

// forgePy defines forge(fds): write forged reports of every kind the
// sandbox's own processes ever sent (zygote events, spare reports, shim
// status lines, runner and tester frames) to each descriptor.
const forgePy = `import ctypes, json, os, struct

def _frame(kind, body):
    return struct.pack("<I", len(body) + 1) + kind + body

FORGED = [json.dumps(e).encode() for e in (
    [{"ev": "exit", "id": i, "started": True, "pre_cpu": 1e9, "setup_cpu": 1e9, "utime": 0, "stime": 0,
      "killed": False, "procs": [{"wstatus": 0, "maxrss_kb": 1}]} for i in range(64)] +
    [{"ev": "ready"}, {"ready_cpu": 1e9}, {"join_cpu": 0, "started_cpu": 0},
     {"setup_error": "forged"}, {"ev": "fatal", "error": "forged"},
     {"verdict": "accepted", "status": "pass", "passed": True}])]
FORGED += [b"exec_error 0\n", _frame(b"V", b"T"), _frame(b"D", b'{"verdict": "accepted"}'), b"accepted\n"]

def forge(fds):
    for fd in fds:
        for msg in FORGED:
            try:
                os.write(fd, msg)
            except OSError:
                pass
`

// burnPy defines burn(seconds): spend that much CPU time in the calling
// thread.
const burnPy = `import time

def burn(seconds):
    t = time.thread_time()
    while time.thread_time() - t < seconds:
        pass
`

// sumPy computes the right answer of Sum from stdin into ANSWER.
const sumPy = `import sys
_d = sys.stdin.read().split()
ANSWER = sum(map(int, _d[1:1 + int(_d[0])]))
`

// framePy defines frame(kind, body) for the judge's session protocol.
const framePy = `import os, struct

def frame(kind, body):
    return struct.pack("<I", len(body) + 1) + kind + body
`

func sideChannels() []*Case {
	return []*Case{
		{Name: "c01/json-to-every-descriptor", Class: 1, Problem: Sum,
			Why:  "writes forged exit events (status 0, no CPU), spare reports, shim lines and fatal/setup errors to descriptors 0-1023, then exits 1",
			Code: forgePy + "forge(range(0, 1024))\nos._exit(1)\n", Verdicts: v(verdict.RuntimeError), RunVerdicts: v(verdict.RuntimeError)},
		{Name: "c01/reopen-and-steal-descriptors", Class: 1, Problem: Sum,
			Why: "reopens every descriptor of every visible process through /proc and steals them with pidfd_getfd, writes forged reports into each, then exits 1",
			Code: forgePy + `import sys
libc = ctypes.CDLL(None, use_errno=True)
pids = [p for p in os.listdir("/proc") if p.isdigit()]
for pid in pids + ["self", "thread-self"]:
    try:
        fds = os.listdir("/proc/%s/fd" % pid)
    except OSError:
        continue
    for fd in fds:
        for flags in (os.O_WRONLY, os.O_RDWR):
            try:
                f = os.open("/proc/%s/fd/%s" % (pid, fd), flags)
            except OSError:
                continue
            forge([f])
            os.close(f)
for pid in pids:
    pidfd = libc.syscall(434, int(pid), 0)  # pidfd_open
    if pidfd < 0:
        continue
    for fd in range(64):
        got = libc.syscall(438, pidfd, fd, 0)  # pidfd_getfd
        if got >= 0:
            os.write(2, b"GRABBED-DESCRIPTOR\n")
            forge([got])
os._exit(1)
`, Verdicts: v(verdict.RuntimeError), RunVerdicts: v(verdict.RuntimeError), Forbidden: []string{"GRABBED-DESCRIPTOR"}},
		{Name: "c01/forged-cpu-report", Class: 1, Problem: Sum,
			Why:  "forges reports claiming no CPU time on every descriptor, then spends 2.5 s of CPU and prints the right answer",
			Code: forgePy + burnPy + sumPy + "forge(range(3, 1024))\nburn(2.5)\nprint(ANSWER)\n", Verdicts: v(verdict.TimeLimit), RunVerdicts: v(verdict.TimeLimit)},
		{Name: "c01/cpp-every-descriptor", Class: 1, Problem: Sum, Language: "cpp",
			Why: "a C++ program writes forged exit events and shim status lines to descriptors 0-65535, then exits 1",
			Code: `#include <cstring>
#include <unistd.h>
int main() {
    const char *msgs[] = {
        "{\"ev\":\"exit\",\"id\":1,\"started\":true,\"procs\":[{\"wstatus\":0,\"maxrss_kb\":1}]}",
        "{\"ev\":\"exit\",\"id\":2,\"started\":true,\"procs\":[{\"wstatus\":0,\"maxrss_kb\":1}]}",
        "exec_error 0\n", "{\"ready_cpu\":0}", "{\"ev\":\"fatal\",\"error\":\"forged\"}"};
    for (int fd = 0; fd < 65536; fd++)
        if (fd != 1 && fd != 2)
            for (const char *m : msgs) (void)!write(fd, m, strlen(m));
    return 1;
}
`, Verdicts: v(verdict.RuntimeError), RunVerdicts: v(verdict.RuntimeError)},
		{Name: "c01/function-forged-frames", Class: 1, Problem: Square,
			Why:  "a function answers every call with forged tester (D), load (O) and relay (A, K) frames saying accepted before returning a wrong value",
			Code: framePy + "import json\n\ndef square(x):\n    ok = json.dumps({\"verdict\": \"accepted\"}).encode()\n    for kind in (b\"D\", b\"O\", b\"A\", b\"K\"):\n        try:\n            os.write(0, frame(kind, ok))\n        except OSError:\n            pass\n    return 0\n"},
		{Name: "c01/assert-forged-done", Class: 1, Problem: Add,
			Why:  "the function under an assert test writes the tester's own 'test done: accepted' frame on its channel, and to stdout and stderr",
			Code: framePy + "import json\n\ndef add(a, b):\n    done = frame(b\"D\", json.dumps({\"verdict\": \"accepted\"}).encode())\n    for fd in (0, 1, 2):\n        try:\n            os.write(fd, done * 4)\n        except OSError:\n            pass\n    return 0\n"},
	}
}

func checkerInProcess() []*Case {
	judgeAndReward := Judge | Reward
	return []*Case{
		{Name: "c02/always-equal-object", Class: 2, Problem: Square,
			Why:      "returns an object whose __eq__ is always true and whose repr looks right",
			Code:     "class Anything:\n    def __eq__(self, other):\n        return True\n    def __ne__(self, other):\n        return False\n    def __hash__(self):\n        return 0\n    def __repr__(self):\n        return '16'\n\ndef square(x):\n    return Anything()\n",
			Verdicts: v(verdict.WrongAnswer), RunVerdicts: v(verdict.RuntimeError)},
		{Name: "c02/int-subclass-eq", Class: 2, Problem: Square,
			Why:      "returns an int subclass whose __eq__ is always true",
			Code:     "class Int(int):\n    def __eq__(self, other):\n        return True\n    def __ne__(self, other):\n        return False\n    __hash__ = int.__hash__\n\ndef square(x):\n    return Int(0)\n",
			Verdicts: v(verdict.WrongAnswer)},
		{Name: "c02/builtin-subclasses-eq", Class: 2, Problem: Square,
			Why:      "returns float, str, list, tuple and dict subclasses that compare equal to anything, one per call",
			Code:     "def _mk(base):\n    return type('Eq' + base.__name__, (base,), {'__eq__': lambda s, o: True, '__ne__': lambda s, o: False, '__hash__': lambda s: 0})\n\n_kinds = [(_mk(float), 0.0), (_mk(str), ''), (_mk(list), []), (_mk(tuple), ()), (_mk(dict), {})]\n_n = [0]\n\ndef square(x):\n    cls, val = _kinds[_n[0] % len(_kinds)]\n    _n[0] += 1\n    return cls(val)\n",
			Verdicts: v(verdict.WrongAnswer, verdict.RuntimeError)},
		{Name: "c02/lying-int-subclass", Class: 2, Problem: Square,
			Why:      "returns an int subclass that keeps int's comparison but lies through __int__, __index__, __repr__, __str__ and __float__",
			Code:     "class Liar(int):\n    def __int__(self):\n        return 16\n    def __index__(self):\n        return 16\n    def __float__(self):\n        return 16.0\n    def __repr__(self):\n        return '16'\n    __str__ = __repr__\n\ndef square(x):\n    return Liar(0)\n",
			Verdicts: v(verdict.WrongAnswer)},
		{Name: "c02/hunt-frames-and-gc", Class: 2, Problem: Square,
			Why: "walks the caller's frames (sys._getframe, inspect.stack) and every object the garbage collector knows for an expected value, and returns it",
			Code: `import gc, inspect, sys

def _hunt(x):
    seen = []
    f = sys._getframe(1)
    while f is not None:
        seen += list(f.f_locals.items()) + list(f.f_globals.items())
        f = f.f_back
    for info in inspect.stack():
        seen += list(info.frame.f_locals.items())
    for k, val in seen:
        if any(w in str(k).lower() for w in ("expect", "output", "want", "answer", "result", "gold")):
            if type(val) is int and val != x:
                return val
    for o in gc.get_objects():
        if isinstance(o, dict):
            for k in ("expected", "output", "outputs", "answer", "want"):
                val = o.get(k) if k in o else None
                if isinstance(val, list) and val:
                    val = val[0]
                if type(val) is int:
                    return val
                if isinstance(val, str) and val.strip().lstrip("-").isdigit():
                    return int(val)
    return -1

def square(x):
    return _hunt(x)
`, Verdicts: v(verdict.WrongAnswer)},
		{Name: "c02/monkeypatch-runner", Class: 2, Problem: Square,
			Why: "replaces the runner's call, encode and plain functions and marshal.dumps in its own process so that every call answers True",
			Code: `import marshal, sys
_runner = sys.modules.get("__main__")
_true = marshal.dumps(True, 2)
if hasattr(_runner, "Runner"):
    _runner.Runner.call = lambda self, name, payload: (b"V", _true)
for _name in ("encode", "plain", "_normalise"):
    if hasattr(_runner, _name):
        setattr(_runner, _name, lambda *a, **k: _true)
marshal.dumps = lambda *a, **k: _true

def square(x):
    return 0
`, Verdicts: v(verdict.WrongAnswer, verdict.RuntimeError)},
		{Name: "c02/forged-values-then-exit", Class: 2, Problem: Square,
			Why:  "on its first call writes a value frame for each test to come, then os._exit(0) before the runner answers",
			Code: framePy + "import marshal\n\ndef square(x):\n    for guess in (16, 9, 49, x * x + 1):\n        os.write(0, frame(b\"V\", marshal.dumps(guess, 2)))\n    os._exit(0)\n"},
		{Name: "c02/disable-timers-and-spin", Class: 2, Problem: Square,
			Why:      "disables every interval timer and ignores SIGALRM, SIGVTALRM, SIGPROF and SIGXCPU, then loops forever",
			Code:     "import signal\n\ndef square(x):\n    for t in (signal.ITIMER_REAL, signal.ITIMER_VIRTUAL, signal.ITIMER_PROF):\n        signal.setitimer(t, 0)\n    for s in (signal.SIGALRM, signal.SIGVTALRM, signal.SIGPROF, signal.SIGXCPU):\n        signal.signal(s, signal.SIG_IGN)\n    while True:\n        pass\n",
			Verdicts: v(verdict.TimeLimit), RunVerdicts: v(verdict.TimeLimit)},
		{Name: "c02/hunt-environment-and-files", Class: 2, Problem: Square,
			Why: "looks for the tests in the environment, argv, /proc and every file under /w, /tmp and /mnt, and returns the first plausible expected value",
			Code: `import os, re, sys

def _texts():
    yield " ".join(sys.argv)
    yield repr(dict(os.environ))
    for p in ("/proc/self/cmdline", "/proc/self/environ", "/proc/1/cmdline", "/proc/1/environ"):
        try:
            yield open(p, "rb").read().decode(errors="replace")
        except OSError:
            pass
    for top in ("/w", "/tmp", "/mnt"):
        for root, dirs, files in os.walk(top):
            for f in files:
                try:
                    yield open(os.path.join(root, f), "rb").read(1 << 20).decode(errors="replace")
                except OSError:
                    pass

def square(x):
    for text in _texts():
        for m in re.finditer(r'"?(?:output|expected)"?\s*[:=]\s*"?(-?\d+)', text):
            return int(m.group(1))
    return -1
`, Verdicts: v(verdict.WrongAnswer)},
		{Name: "c02/method-returns-equal-self", Class: 2, Problem: Twice,
			Why:      "a class method returns its own instance, whose class defines an always-true __eq__",
			Code:     "class Solution:\n    def twice(self, x):\n        return self\n    def __eq__(self, other):\n        return True\n    __hash__ = object.__hash__\n",
			Verdicts: v(verdict.WrongAnswer), RunVerdicts: v(verdict.RuntimeError)},
		{Name: "c02/assert-shadow-builtins", Class: 2, Problem: Add, Entries: judgeAndReward,
			Why:  "defines abs, set and range next to a wrong add: the tests' builtins become the candidate's functions and every private assert holds",
			Code: "def add(a, b):\n    return 3 if (a, b) == (1, 2) else 4\n\ndef abs(x):\n    return 0\n\ndef set(*args):\n    return 0\n\ndef range(*args):\n    return []\n"},
		{Name: "c02/assert-stopiteration", Class: 2, Problem: Pairs, Entries: judgeAndReward,
			Why:  "raises StopIteration from the tested function: re-raised in the tester, it ends the test's map and filter early, so all() and == [] hold",
			Code: "def add(a, b):\n    if (a, b) == (1, 2):\n        return 3\n    raise StopIteration\n"},
		{Name: "c02/assert-tamper-exports", Class: 2, Problem: Add,
			Why: "patches the runner's export list so the tester receives __builtins__, _rlef_neq, AssertionError and module names chosen by the candidate",
			Code: `import marshal, sys
_runner = sys.modules.get("__main__")

def add(a, b):
    return 0

if hasattr(_runner, "Runner"):
    _exports = _runner.Runner.exports

    def exports(self):
        e = _exports(self)
        e["functions"] = list(e["functions"]) + ["AssertionError", "_rlef_neq", "check", "Stopped", "print", "all"]
        e["modules"] = dict(e.get("modules") or {}, math="os", builtins="os")
        e["values"] = dict(e["values"], __builtins__=marshal.dumps({"abs": 0}, 2).hex(), __name__=marshal.dumps("x", 2).hex())
        return e

    _runner.Runner.exports = exports

def all(*args):
    return True
`},
		{Name: "c02/assert-attack-tester", Class: 2, Problem: Add,
			Why: "from inside the tested function, reads every other process's memory, environment and command line for expected values, then stops and kills them",
			Code: `import os, re, signal

def add(a, b):
    found = None
    me = os.getpid()
    others = [int(p) for p in os.listdir("/proc") if p.isdigit() and int(p) not in (me, 1)]
    for pid in others:
        for name in ("cmdline", "environ", "maps", "mem"):
            try:
                with open("/proc/%d/%s" % (pid, name), "rb") as f:
                    text = f.read(1 << 16).decode(errors="replace")
            except OSError:
                continue
            m = re.search(r"==\s*(-?\d+)", text)
            if m and found is None:
                found = int(m.group(1))
    for pid in others:
        for sig in (signal.SIGSTOP, signal.SIGKILL):
            try:
                os.kill(pid, sig)
            except OSError:
                pass
    return found if found is not None else 0
`},
	}
}

func forgedStdio() []*Case {
	return []*Case{
		{Name: "c03/lcb-forged-result-lines", Class: 3, Problem: SumLCB,
			Why:  "in LiveCodeBench's wrapped mode, prints result lines of every shape and writes a forged 'printed the public answer' frame on the runner's channel",
			Code: framePy + "import json, sys\nprint('accepted')\nprint(json.dumps({'verdict': 'accepted', 'passed': True, 'status': 'pass'}))\nprint('[True, True, True, True]')\nsys.stderr.write('accepted\\n')\ntry:\n    os.write(0, frame(b'O', b'6\\n'))\nexcept OSError:\n    pass\nsys.exit(0)\n"},
		{Name: "c03/lcb-patch-runner", Class: 3, Problem: SumLCB,
			Why:      "replaces the runner's stdio handler so every test 'printed' the public answer",
			Code:     "import sys\n_runner = sys.modules.get('__main__')\nif hasattr(_runner, 'Runner'):\n    _runner.Runner.stdio = lambda self, data: (b'O', '6\\n')\nprint(6)\n",
			Verdicts: v(verdict.WrongAnswer)},
		{Name: "c03/apps-forged-results", Class: 3, Problem: SumAPPS,
			Why:  "in APPS's wrapped mode, prints testing_util-style results and routes print and sys.stdout to forged frames on the runner's channel",
			Code: framePy + "import builtins, sys\nprint('True')\nprint('[True, True, True, True]')\nprint('{\"status\": \"pass\"}')\n\nclass Out:\n    def write(self, s):\n        try:\n            os.write(0, frame(b'O', b'6\\n'))\n        except OSError:\n            pass\n        return len(s)\n    def flush(self):\n        pass\n\nsys.stdout = Out()\nbuiltins.print = lambda *a, **k: Out().write('6')\nprint(6)\n"},
		{Name: "c03/plain-forged-lines", Class: 3, Problem: Sum,
			Why:      "a plain stdio program prints 'accepted' and result JSON to stdout and stderr and forged frames to every other descriptor, then exits 0",
			Code:     forgePy + "import sys\nprint('accepted')\nprint(json.dumps({'verdict': 'accepted', 'passed': True}))\nsys.stderr.write('accepted\\nOK\\n')\nsys.stdout.flush()\nforge(range(3, 256))\n",
			Verdicts: v(verdict.WrongAnswer), RunVerdicts: v(verdict.OK)},
		{Name: "c03/public-answer-everywhere", Class: 3, Problem: SumLCB,
			Why:  "prints the public test's known answer for every test",
			Code: "print(6)\n", Verdicts: v(verdict.WrongAnswer), RunVerdicts: v(verdict.OK)},
	}
}

func namedFiles() []*Case {
	return []*Case{
		{Name: "c04/output-symlink-to-stdout", Class: 4, Problem: SumFile,
			Why:      "prints the answer and makes output.txt a symbolic link to its stdout",
			Code:     "import os\nd = open('input.txt').read().split()\nprint(sum(map(int, d[1:1 + int(d[0])])))\nos.symlink('/proc/self/fd/1', 'output.txt')\n",
			Verdicts: v(verdict.WrongAnswer), RunVerdicts: v(verdict.OK)},
		{Name: "c04/output-symlink-to-input", Class: 4, Problem: SumFile,
			Why:      "makes output.txt a symbolic link to input.txt and to the zygote's descriptors",
			Code:     "import os\nos.symlink('input.txt', 'output.txt')\nos.symlink('/proc/1/fd/3', '/tmp/.rlef_out')\n",
			Verdicts: v(verdict.WrongAnswer), RunVerdicts: v(verdict.OK)},
		{Name: "c04/output-fifo-with-writer", Class: 4, Problem: SumFile,
			Why:      "makes output.txt a FIFO kept open by a detached writer that waits to feed it",
			Code:     "import os, time\nos.mkfifo('output.txt')\nif os.fork() == 0:\n    os.setsid()\n    fd = os.open('output.txt', os.O_RDWR)\n    while True:\n        os.write(fd, b'0\\n')\n        time.sleep(0.01)\ntime.sleep(0.1)\n",
			Verdicts: v(verdict.WrongAnswer), RunVerdicts: v(verdict.OK)},
		{Name: "c04/output-hardlink-to-input", Class: 4, Problem: SumFile,
			Why:      "makes output.txt a hard link to input.txt",
			Code:     "import os\nos.link('input.txt', 'output.txt')\n",
			Verdicts: v(verdict.WrongAnswer), RunVerdicts: v(verdict.OK)},
		{Name: "c04/answer-in-other-files", Class: 4, Problem: Sum,
			Why:      "writes the right answer to every file a harness might read (output.txt, /tmp/.rlef_out, /dev/shm, /mnt) but prints nothing",
			Code:     sumPy + "import os\nfor p in ('/w/output.txt', '/w/out.txt', '/tmp/.rlef_out', '/dev/shm/out', '/mnt/output.txt'):\n    try:\n        open(p, 'w').write('%d\\n' % ANSWER)\n    except OSError:\n        pass\n",
			Verdicts: v(verdict.WrongAnswer), RunVerdicts: v(verdict.OK)},
		{Name: "c04/plant-links-for-next-run", Class: 4, Problem: SumFile, Stateful: true,
			Why: "plants symbolic links, FIFOs and files where the next run's input, output and harness files would go",
			Code: `import os, time
for src, dst in (("/proc/self/fd/1", "/tmp/.rlef_out"), ("/proc/self/fd/1", "/w/output.txt.next"),
                 ("/proc/1/fd/3", "/tmp/ctrl"), ("/etc/passwd", "/mnt/input.txt")):
    try:
        os.symlink(src, dst)
    except OSError:
        pass
for p in ("/tmp/.fifo", "/mnt/.fifo"):
    os.mkfifo(p)
os.remove("output.txt") if os.path.exists("output.txt") else None
os.symlink("/proc/self/fd/1", "output.txt")
time.sleep(0.3)
`},
	}
}

func limitsInReach() []*Case {
	return []*Case{
		{Name: "c05/detached-grandchild-computes", Class: 5, Problem: Sum,
			Why: "hands the work (2.5 s of CPU) to a detached grandchild and sleeps until it leaves the answer in /tmp",
			Code: burnPy + sumPy + `import os
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        burn(2.5)
        with open("/tmp/answer.tmp", "w") as f:
            f.write(str(ANSWER))
        os.rename("/tmp/answer.tmp", "/tmp/answer")
    os._exit(0)
while not os.path.exists("/tmp/answer"):
    time.sleep(0.02)
print(open("/tmp/answer").read())
`, Verdicts: v(verdict.TimeLimit), RunVerdicts: v(verdict.TimeLimit)},
		{Name: "c05/threads-compute", Class: 5, Problem: Sum,
			Why:      "spreads 2.8 s of CPU over four threads, then prints the right answer",
			Code:     burnPy + sumPy + "import threading\nts = [threading.Thread(target=burn, args=(0.7,)) for _ in range(4)]\nfor t in ts:\n    t.start()\nfor t in ts:\n    t.join()\nprint(ANSWER)\n",
			Verdicts: v(verdict.TimeLimit), RunVerdicts: v(verdict.TimeLimit)},
		{Name: "c05/sleeping-parent-spinning-child", Class: 5, Problem: Sum,
			Why:      "a child spins forever while its parent waits for it",
			Code:     "import os\nif os.fork() == 0:\n    while True:\n        pass\nos.wait()\n",
			Verdicts: v(verdict.TimeLimit), RunVerdicts: v(verdict.TimeLimit)},
		{Name: "c05/ignore-cpu-signals", Class: 5, Problem: Sum,
			Why:      "ignores SIGXCPU and the timer signals, tries to raise RLIMIT_CPU, disables itimers, spends 2.5 s of CPU and prints the right answer",
			Code:     burnPy + sumPy + "import resource, signal\nfor s in (signal.SIGXCPU, signal.SIGALRM, signal.SIGVTALRM, signal.SIGPROF, signal.SIGTERM):\n    signal.signal(s, signal.SIG_IGN)\nfor t in (signal.ITIMER_REAL, signal.ITIMER_VIRTUAL, signal.ITIMER_PROF):\n    signal.setitimer(t, 0)\ntry:\n    resource.setrlimit(resource.RLIMIT_CPU, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))\nexcept (ValueError, OSError):\n    pass\nburn(2.5)\nprint(ANSWER)\n",
			Verdicts: v(verdict.TimeLimit), RunVerdicts: v(verdict.TimeLimit)},
		{Name: "c05/cpp-forked-workers", Class: 5, Problem: Sum, Language: "cpp",
			Why: "a C++ program forks three workers that each spend 0.8 s of CPU, waits for them and prints the right answer",
			Code: `#include <cstdio>
#include <ctime>
#include <sys/wait.h>
#include <unistd.h>
static void burn(double s) { clock_t t = clock(); while ((double)(clock() - t) / CLOCKS_PER_SEC < s) {} }
int main() {
    long n, x, sum = 0;
    if (scanf("%ld", &n) != 1) return 1;
    for (long i = 0; i < n && scanf("%ld", &x) == 1; i++) sum += x;
    for (int i = 0; i < 3; i++) if (fork() == 0) { burn(0.8); _exit(0); }
    while (wait(nullptr) > 0) {}
    printf("%ld\n", sum);
}
`, Verdicts: v(verdict.TimeLimit), RunVerdicts: v(verdict.TimeLimit)},
		{Name: "c05/session-detached-worker", Class: 5, Problem: Square,
			Why: "a function hands 2.5 s of CPU to a detached grandchild and sleeps until it answers",
			Code: burnPy + `import os

def square(x):
    path = "/tmp/sq-%d" % os.getpid()
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            burn(2.5)
            with open(path + ".tmp", "w") as f:
                f.write(str(x * x))
            os.rename(path + ".tmp", path)
        os._exit(0)
    while not os.path.exists(path):
        time.sleep(0.02)
    return int(open(path).read())
`, Verdicts: v(verdict.TimeLimit), RunVerdicts: v(verdict.TimeLimit)},
	}
}

func lenientNumbers() []*Case {
	return []*Case{
		{Name: "c07/off-by-one", Class: 7, Problem: Power, Why: "prints 3**n + 1",
			Code: "print(3 ** int(input()) + 1)\n", Verdicts: v(verdict.WrongAnswer), RunVerdicts: v(verdict.OK)},
		{Name: "c07/wrong-integer-as-float", Class: 7, Problem: Power, Why: "prints exact answers for small n, and for large n the wrong integer 3**n + 1 written with a '.0'",
			Code: "n = int(input())\nprint(3 ** n if n < 10 else '%d.0' % (3 ** n + 1))\n", Verdicts: v(verdict.WrongAnswer), RunVerdicts: v(verdict.OK)},
		{Name: "c07/integer-as-exponent", Class: 7, Problem: Power, Why: "prints float(3**n), which is not 3**n, in exponent notation",
			Code: "print(float(3 ** int(input())))\n", Verdicts: v(verdict.WrongAnswer), RunVerdicts: v(verdict.OK)},
		{Name: "c07/cpp-double-power", Class: 7, Problem: Power, Language: "cpp", Why: "a C++ program computes 3**n in a double and prints it with one decimal",
			Code:     "#include <cmath>\n#include <cstdio>\nint main() { int n; if (scanf(\"%d\", &n) != 1) return 1; printf(\"%.1f\\n\", std::pow(3.0, n)); }\n",
			Verdicts: v(verdict.WrongAnswer), RunVerdicts: v(verdict.OK)},
		{Name: "c07/lines-checker-wrong-float", Class: 7, Problem: PowerLines, Why: "under LiveCodeBench's lines checker, prints the wrong integer with a '.0' and in exponent form",
			Code: "n = int(input())\nprint('%d.0' % (3 ** n + 1) if n > 2 else 9)\n", Verdicts: v(verdict.WrongAnswer), RunVerdicts: v(verdict.OK)},
		{Name: "c07/float-after-float-test", Class: 7, Problem: Scale, Why: "returns float(x*x) when a float test came before: a wrong 39-digit integer within 1e-7 of the answer",
			Code: "def scale(x):\n    return float(x * x)\n", Verdicts: v(verdict.WrongAnswer), RunVerdicts: v(verdict.OK)},
		{Name: "c07/function-returns-float", Class: 7, Problem: Square, Why: "returns float(x*x): equal for small x, wrong for a 20-digit x",
			Code: "def square(x):\n    return float(x * x)\n", Verdicts: v(verdict.WrongAnswer), RunVerdicts: v(verdict.OK)},
	}
}
