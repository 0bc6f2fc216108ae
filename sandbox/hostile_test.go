package sandbox

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rlef/rlef/verdict"
)

// The hostile programs of sandbox-anchors.md §(c), each with the verdict
// it must get and the host invariants that must hold after it:
//
//	H1 the pool still serves: the next trivial run succeeds;
//	H2 no process of the run is left (each slot holds only its zygote and
//	   the next spare, which has no children);
//	H3 host files are unchanged;
//	H4 trivial runs on the other slot succeed while the hostile one runs;
//	H5 the next run sees an empty work directory and /tmp.

type hostileCase struct {
	name   string
	lang   Language
	code   string
	stdin  []byte
	limits func(*Limits)
	files  map[string][]byte
	// want lists acceptable verdicts.
	want []verdict.Verdict
	// check inspects the result further.
	check func(t *testing.T, r *Result)
}

var secretToken = fmt.Sprintf("rlef-secret-%d", time.Now().UnixNano())

func hostileCases(t *testing.T, listenerPort int, secretDir string) []hostileCase {
	fast := func(max time.Duration) func(*testing.T, *Result) {
		return func(t *testing.T, r *Result) {
			if r.WallTime > max {
				t.Errorf("took %v, want under %v", r.WallTime, max)
			}
		}
	}
	noSecret := func(t *testing.T, r *Result) {
		for _, out := range [][]byte{r.Stdout, r.Stderr} {
			if bytes.Contains(out, []byte(secretToken)) {
				t.Errorf("host secret leaked into the sandbox's output: %s", out)
			}
		}
	}
	stdoutIs := func(want string) func(*testing.T, *Result) {
		return func(t *testing.T, r *Result) {
			if got := strings.TrimSpace(string(r.Stdout)); got != want {
				t.Errorf("stdout = %q, want %q (stderr %s)", got, want, r.Stderr)
			}
		}
	}
	oneSecond := func(l *Limits) { l.WallTime = time.Second }
	twoSeconds := func(l *Limits) { l.WallTime = 2 * time.Second }
	v := func(vs ...verdict.Verdict) []verdict.Verdict { return vs }
	return []hostileCase{
		{name: "01 python fork bomb", lang: Python, limits: oneSecond,
			code: "import os\nwhile True:\n    try:\n        os.fork()\n    except Exception:\n        pass\n",
			want: v(verdict.TimeLimit)},
		{name: "02 bash fork bomb", lang: Python, limits: oneSecond,
			code: "import subprocess\nsubprocess.run(['bash', '-c', ':(){ :|:& };:'])\nimport time\ntime.sleep(5)\n",
			want: v(verdict.TimeLimit, verdict.RuntimeError)},
		{name: "03 C fork loop touching 100MB each", lang: CPP, limits: oneSecond,
			code: "#include <unistd.h>\n#include <cstring>\n#include <cstdlib>\nint main(){ for(;;){ fork(); char*p=(char*)malloc(100<<20); if(p) memset(p,1,100<<20);} }\n",
			want: v(verdict.MemoryLimit, verdict.TimeLimit)},
		{name: "04a C++ thread bomb", lang: CPP, limits: oneSecond,
			code: "#include <thread>\n#include <vector>\nvoid f(){ std::thread t(f); t.join(); }\nint main(){ std::vector<std::thread> v; for(;;) v.emplace_back(f); }\n",
			want: v(verdict.RuntimeError, verdict.TimeLimit, verdict.MemoryLimit)},
		{name: "04b python 10000 threads", lang: Python, limits: oneSecond,
			code: "import threading, time\nfor i in range(10000):\n    threading.Thread(target=time.sleep, args=(60,), daemon=True).start()\n",
			want: v(verdict.RuntimeError, verdict.TimeLimit)},
		{name: "05 python memory bomb", lang: Python,
			code: "x = bytearray(8 << 30)\n", want: v(verdict.MemoryLimit),
			check: func(t *testing.T, r *Result) {
				if r.Memory < 200<<20 {
					t.Errorf("peak memory %s, want near the 256MiB limit", FormatBytes(r.Memory))
				}
			}},
		{name: "05b python list growth", lang: Python,
			code: "a = []\nwhile True:\n    a.append(' ' * 1000000)\n", want: v(verdict.MemoryLimit)},
		{name: "06 C++ page touching", lang: CPP,
			code: "#include <cstdio>\nint main(){ int *a = new int[100000000]; for (int i = 0; i < 100000000; i += 1024) a[i] = i; printf(\"%d\\n\", a[4096]); }\n",
			want: v(verdict.MemoryLimit)},
		{name: "07a C++ infinite recursion", lang: CPP,
			code: "int f(int x){ volatile char pad[256]; pad[0] = x; return f(x + 1) + pad[0]; }\nint main(){ return f(0); }\n",
			want: v(verdict.RuntimeError)},
		{name: "07b python deep recursion", lang: Python,
			code: "import sys\nsys.setrecursionlimit(10**9)\ndef f(n):\n    return f(n + 1) + 1\nf(0)\n",
			want: v(verdict.RuntimeError, verdict.MemoryLimit)},
		{name: "08 infinite stdout", lang: Python,
			code: "while True:\n    print('x' * 4096)\n", want: v(verdict.OutputLimit),
			check: func(t *testing.T, r *Result) {
				if !r.StdoutTruncated || int64(len(r.Stdout)) != DefaultLimits().Output {
					t.Errorf("stdout_truncated=%v len=%d, want true and exactly the cap", r.StdoutTruncated, len(r.Stdout))
				}
			}},
		{name: "08b yes", lang: CPP,
			code: "#include <cstdio>\nint main(){ for(;;) fputs(\"y\\n\", stdout); }\n", want: v(verdict.OutputLimit)},
		{name: "09 infinite stderr", lang: Python,
			code: "import sys\nwhile True:\n    sys.stderr.write('e' * 4096)\n", want: v(verdict.OutputLimit),
			check: func(t *testing.T, r *Result) {
				if !r.StderrTruncated {
					t.Error("stderr_truncated = false")
				}
			}},
		{name: "10 fill disk", lang: Python,
			code: "with open('big', 'w') as f:\n    for i in range(1 << 24):\n        f.write('line %d\\n' % i)\n",
			want: v(verdict.RuntimeError, verdict.OutputLimit, verdict.MemoryLimit)},
		{name: "11 inode exhaustion", lang: Python, limits: oneSecond,
			code: "import os\ni = 0\nwhile True:\n    open('f%d' % i, 'w').close()\n    i += 1\n",
			want: v(verdict.RuntimeError, verdict.TimeLimit)},
		{name: "12 busy loop", lang: Python, limits: twoSeconds, code: "while True:\n    pass\n", want: v(verdict.TimeLimit),
			check: func(t *testing.T, r *Result) {
				if r.WallTime < 2*time.Second || r.WallTime > 3500*time.Millisecond {
					t.Errorf("wall %v, want about the 2s limit", r.WallTime)
				}
			}},
		{name: "13a sleep", lang: Python, limits: twoSeconds, code: "import time\ntime.sleep(100)\n", want: v(verdict.TimeLimit)},
		{name: "13b pause", lang: Python, limits: twoSeconds, code: "import signal\nsignal.pause()\n", want: v(verdict.TimeLimit)},
		{name: "13c event wait", lang: Python, limits: twoSeconds, code: "import threading\nthreading.Event().wait()\n", want: v(verdict.TimeLimit)},
		{name: "14 input on empty stdin", lang: Python, code: "input()\n", want: v(verdict.RuntimeError),
			check: fast(time.Second)},
		{name: "15 SIGSTOP own group", lang: Python, limits: twoSeconds,
			code: "import os, signal\nos.kill(0, signal.SIGSTOP)\nprint('resumed')\n", want: v(verdict.TimeLimit)},
		{name: "16 daemon escape", lang: Python,
			code: "import os, time\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n        time.sleep(1000)\n    os._exit(0)\nprint('parent done')\n",
			want: v(verdict.OK), check: stdoutIs("parent done")},
		{name: "17 network egress", lang: Python,
			code: "import socket, urllib.request\nfor target in [('1.1.1.1', 53), ('93.184.216.34', 80)]:\n    s = socket.socket()\n    s.settimeout(3)\n    try:\n        s.connect(target)\n        print('CONNECTED', target)\n    except OSError as e:\n        print('refused', e.errno)\ntry:\n    urllib.request.urlopen('http://example.com', timeout=3)\n    print('CONNECTED http')\nexcept Exception as e:\n    print('http failed')\n",
			want: v(verdict.OK), check: func(t *testing.T, r *Result) {
				if bytes.Contains(r.Stdout, []byte("CONNECTED")) {
					t.Errorf("network reachable: %s", r.Stdout)
				}
				fast(2*time.Second)(t, r)
			}},
		{name: "18 SSRF to a host loopback service", lang: Python,
			code: fmt.Sprintf("import socket\ns = socket.socket()\ns.settimeout(3)\ns.connect(('127.0.0.1', %d))\nprint('CONNECTED')\n", listenerPort),
			want: v(verdict.RuntimeError), check: fast(2 * time.Second)},
		{name: "19 DNS lookup", lang: Python,
			code: "import socket\nsocket.getaddrinfo('example.com', 80)\n", want: v(verdict.RuntimeError), check: fast(2 * time.Second)},
		{name: "20 read host secrets", lang: Python,
			code: fmt.Sprintf(`import os, glob
def show(path):
    try:
        with open(path, 'rb') as f:
            print(path, f.read()[:4096])
    except OSError as e:
        print(path, 'error', e.errno)
for p in ['/etc/shadow', '/proc/1/environ', '/proc/1/cmdline', '/proc/self/mountinfo', '/root/.ssh/id_rsa', %q]:
    show(p)
print(sorted(os.environ.items()))
print('tmp', os.listdir('/tmp'))
print('procs', sorted(int(p) for p in os.listdir('/proc') if p.isdigit()))
for p in glob.glob('/proc/[0-9]*/environ'):
    show(p)
`, filepath.Join(secretDir, "secret")),
			want: v(verdict.OK), check: func(t *testing.T, r *Result) {
				noSecret(t, r)
				if !bytes.Contains(r.Stdout, []byte("/etc/shadow error 2")) {
					t.Errorf("/etc/shadow should not exist in the sandbox: %s", r.Stdout)
				}
				if bytes.Contains(r.Stdout, []byte("RLEF_ZYGOTE")) {
					t.Errorf("the zygote's environment is visible: %s", r.Stdout)
				}
			}},
		{name: "21 write outside", lang: Python,
			code: "import os, shutil\nfor p in ['/etc/passwd', '/bin/bash', '/usr/bin/python3']:\n    try:\n        open(p, 'a').write('pwned')\n        print('WROTE', p)\n    except OSError as e:\n        print(p, e.errno)\nfor p in ['/usr/lib/python3', '/etc', '/bin/sh']:\n    try:\n        shutil.rmtree(p) if os.path.isdir(p) else os.unlink(p)\n        print('REMOVED', p)\n    except OSError as e:\n        print(p, e.errno)\nraise SystemExit(1)\n",
			want: v(verdict.RuntimeError), check: func(t *testing.T, r *Result) {
				if bytes.Contains(r.Stdout, []byte("WROTE")) || bytes.Contains(r.Stdout, []byte("REMOVED")) {
					t.Errorf("wrote outside the sandbox: %s", r.Stdout)
				}
			}},
		{name: "22 persistence, first run", lang: Python,
			code: "for p in ['/tmp/bean', '/dev/shm/bean2', '/w/bean3']:\n    open(p, 'w').write('x')\nprint('planted')\n",
			want: v(verdict.OK)},
		{name: "22 persistence, second run", lang: Python,
			code: "import os\nprint([p for p in ['/tmp/bean', '/dev/shm/bean2', '/w/bean3'] if os.path.exists(p)])\n",
			want: v(verdict.OK), check: stdoutIs("[]")},
		{name: "24 kill parent and everyone", lang: Python,
			code: "import os, signal\nfor pid in [os.getppid(), 1, -1]:\n    try:\n        os.kill(pid, signal.SIGKILL)\n    except OSError as e:\n        print(pid, e.errno)\nprint('alive')\n",
			want: v(verdict.OK, verdict.RuntimeError)},
		{name: "25 dangerous syscalls", lang: Python,
			code: `import ctypes, errno
libc = ctypes.CDLL(None, use_errno=True)
calls = {'ptrace': (101, 0, 1, 0, 0), 'unshare': (272, 0x10000000), 'mount': (165, b'none', b'/tmp', b'tmpfs', 0, 0),
         'bpf': (321, 0, 0, 0), 'perf_event_open': (298, 0, 0, -1, -1, 0), 'io_uring_setup': (425, 1, 0),
         'keyctl': (250, 0, 0), 'settimeofday': (164, 0, 0), 'kexec_load': (246, 0, 0, 0, 0), 'init_module': (175, 0, 0, b''),
         'setns': (308, 0, 0), 'unshare_net': (272, 0x40000000), 'clone_newuser': (56, 0x10000000 | 17, 0, 0, 0, 0)}
bad = []
for name, args in calls.items():
    r = libc.syscall(*args)
    e = ctypes.get_errno()
    if r != -1 or e not in (errno.EPERM, errno.ENOSYS, errno.EACCES):
        bad.append((name, r, e))
print('bad', bad)
`, want: v(verdict.OK), check: stdoutIs("bad []")},
		{name: "26 four spinning threads", lang: CPP, limits: twoSeconds,
			code: "#include <thread>\n#include <vector>\nint main(){ std::vector<std::thread> v; for(int i=0;i<4;i++) v.emplace_back([]{ volatile long x=0; for(;;) x++; }); for(auto&t:v) t.join(); }\n",
			want: v(verdict.TimeLimit), check: func(t *testing.T, r *Result) {
				// One CPU per slot: four threads cannot use more CPU time
				// than wall time (small slack for accounting granularity).
				if r.CPUTime > r.WallTime+300*time.Millisecond {
					t.Errorf("cpu %v exceeds wall %v: the one-CPU quota is not enforced", r.CPUTime, r.WallTime)
				}
			}},
		{name: "31 invalid UTF-8 output", lang: Python,
			code: "import sys\nsys.stdout.buffer.write(b'\\xff\\xfe\\n')\n", want: v(verdict.OK),
			check: func(t *testing.T, r *Result) {
				if !bytes.Equal(r.Stdout, []byte("\xff\xfe\n")) {
					t.Errorf("stdout %q, want the raw bytes", r.Stdout)
				}
			}},
		{name: "32 100MB stdin unread", lang: Python, stdin: bytes.Repeat([]byte("1234567\n"), 100<<20/8),
			code: "print('ok')\n", want: v(verdict.OK), check: stdoutIs("ok")},
		{name: "32b 100MB stdin read", lang: Python, stdin: bytes.Repeat([]byte("1234567\n"), 100<<20/8),
			limits: func(l *Limits) { l.WallTime = 10 * time.Second; l.Memory = 1 << 30 },
			code:   "import sys\nprint(len(sys.stdin.buffer.read()))\n", want: v(verdict.OK), check: stdoutIs(strconv.Itoa(100 << 20))},
		{name: "33 exit before asserts (reward hack, compat semantics)", lang: Python,
			code: "import sys\nsys.exit(0)\nassert False\n", want: v(verdict.OK)},
	}
}

// slowLimits are DefaultLimits with a wall limit long enough for a loaded
// two-core virtual machine.
func slowLimits() Limits {
	l := DefaultLimits()
	l.WallTime = 20 * time.Second
	return l
}

func TestHostilePrograms(t *testing.T) {
	if testing.Short() {
		t.Skip("hostile-program suite is slow")
	}
	p := newTestPool(t, 2)
	ctx := context.Background()

	// A host service the sandbox must not reach (#18).
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Write([]byte(secretToken))
			c.Close()
		}
	}()
	// Host secrets (#20): a file and an environment variable.
	secretDir := t.TempDir()
	if err := os.WriteFile(filepath.Join(secretDir, "secret"), []byte(secretToken), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("RLEF_TEST_SECRET", secretToken)

	exe, _ := os.Executable()
	canary := filepath.Join(t.TempDir(), "canary")
	os.WriteFile(canary, []byte("canary"), 0o644)
	watched := []string{"/etc/passwd", "/etc/shadow", "/bin/bash", "/usr/bin/python3", exe, canary}
	before := checksums(t, watched)

	for _, c := range hostileCases(t, ln.Addr().(*net.TCPAddr).Port, secretDir) {
		t.Run(c.name, func(t *testing.T) {
			// Generous by default: on a loaded machine a slow memory bomb
			// must still reach its memory verdict before the clock stops it.
			lim := slowLimits()
			if c.limits != nil {
				c.limits(&lim)
			}
			// H4: trivial runs keep succeeding on the other slot meanwhile.
			stop := make(chan struct{})
			var trivialOK, trivialBad atomic.Int64
			var wg sync.WaitGroup
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					select {
					case <-stop:
						return
					default:
					}
					r, err := p.Exec(ctx, Python, "print(6*7)", Input{Limits: slowLimits()})
					if err != nil || r.Status != verdict.OK || string(r.Stdout) != "42\n" {
						trivialBad.Add(1)
						t.Errorf("H4: concurrent trivial run failed: err=%v result=%+v", err, r)
						return
					}
					trivialOK.Add(1)
				}
			}()
			r, err := p.Exec(ctx, c.lang, c.code, Input{Stdin: c.stdin, Files: c.files, Limits: lim})
			close(stop)
			wg.Wait()
			if err != nil {
				t.Fatalf("Exec: %v", err)
			}
			if !slicesContains(c.want, r.Status) {
				t.Errorf("verdict %s (%s), want one of %v; exit=%d signal=%d wall=%v\nstdout: %.300s\nstderr: %.500s",
					r.Status, r.Message, c.want, r.ExitCode, r.Signal, r.WallTime, r.Stdout, r.Stderr)
			}
			if c.check != nil {
				c.check(t, r)
			}
			if trivialOK.Load() == 0 && trivialBad.Load() == 0 {
				// The hostile run was too quick for one trivial run; do one now.
				if _, err := p.Exec(ctx, Python, "print(1)", Input{Limits: slowLimits()}); err != nil {
					t.Errorf("H1: %v", err)
				}
			}
			assertHostInvariants(t, p)
		})
	}
	if after := checksums(t, watched); !equalMaps(before, after) {
		t.Errorf("H3: host files changed: before %v after %v", before, after)
	}
}

// assertHostInvariants checks H1, H2 and H5 on every slot.
func assertHostInvariants(t *testing.T, p *Pool) {
	t.Helper()
	ctx := context.Background()
	// H1 and H5 on both slots at once (two concurrent runs take both).
	var wg sync.WaitGroup
	for i := 0; i < p.Slots(); i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := p.Exec(ctx, Python, "import os\nprint(sorted(os.listdir('/w')), os.listdir('/tmp'))", Input{Limits: slowLimits()})
			if err != nil {
				t.Errorf("H1: next run failed: %v", err)
				return
			}
			if got := strings.TrimSpace(string(r.Stdout)); r.Status != verdict.OK || got != "['main.py'] []" {
				t.Errorf("H5: next run saw %q (status %s, stderr %s), want an empty work dir and /tmp", got, r.Status, r.Stderr)
			}
		}()
	}
	wg.Wait()
	// H2: each zygote has exactly one child (the next spare), which has
	// none. The spare may still be starting: allow a moment.
	deadline := time.Now().Add(5 * time.Second)
	for {
		problem := leftoverProcesses(p)
		if problem == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("H2: %s", problem)
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// leftoverProcesses describes processes in slots beyond the spares.
func leftoverProcesses(p *Pool) string {
	var slots []*slot
	for i := 0; i < p.Slots(); i++ {
		slots = append(slots, <-p.idle)
	}
	defer func() {
		for _, s := range slots {
			p.idle <- s
		}
	}()
	for _, s := range slots {
		if s.cmd == nil {
			continue
		}
		kids := children(s.cmd.Process.Pid)
		if len(kids) != 1 {
			return fmt.Sprintf("slot %d zygote has children %v, want exactly the spare", s.spec.index, kids)
		}
		if g := children(kids[0]); len(g) != 0 {
			return fmt.Sprintf("slot %d spare %d has children %v", s.spec.index, kids[0], g)
		}
	}
	return ""
}

func children(pid int) []int {
	var out []int
	tasks, _ := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	for _, task := range tasks {
		b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/children", pid, task.Name()))
		for _, f := range strings.Fields(string(b)) {
			if n, err := strconv.Atoi(f); err == nil {
				out = append(out, n)
			}
		}
	}
	return out
}

func checksums(t *testing.T, paths []string) map[string]string {
	out := map[string]string{}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			out[p] = "missing"
			continue
		}
		out[p] = fmt.Sprintf("%x", sha256.Sum256(b))
	}
	return out
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func slicesContains(vs []verdict.Verdict, v verdict.Verdict) bool {
	for _, w := range vs {
		if w == v {
			return true
		}
	}
	return false
}

// The compile-time attacks (#27-#30) run with short compile limits.
func TestHostileCompilation(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	ctx := context.Background()
	p, err := NewPool(ctx, Config{Slots: 2, CacheDir: t.TempDir(),
		CompileLimits: Limits{WallTime: 5 * time.Second, Memory: 512 << 20, Processes: 32, Output: 64 << 20}})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	hostPasswd, _ := os.ReadFile("/etc/passwd")
	cases := []struct {
		name  string
		code  string
		want  []verdict.Verdict
		check func(t *testing.T, r *Result)
	}{
		{"27 include /dev/random", "#include </dev/random>\nint main(){}\n", []verdict.Verdict{verdict.CompileError}, nil},
		{"28 include /etc/passwd", "#include \"/etc/passwd\"\nint main(){}\n", []verdict.Verdict{verdict.CompileError},
			func(t *testing.T, r *Result) {
				first := strings.SplitN(string(hostPasswd), "\n", 2)[0]
				if first != "" && bytes.Contains(r.Stderr, []byte(first)) && !bytes.Contains(r.Stderr, []byte("sandbox:x:1000")) {
					t.Errorf("compiler output shows the host's /etc/passwd: %s", r.Stderr)
				}
			}},
		{"29a include self", "#include __FILE__\n#include __FILE__\nint main(){}\n", []verdict.Verdict{verdict.CompileError}, nil},
		{"29b macro explosion", "#define a b b\n#define b c c\n#define c d d\n#define d e e\n#define e f f\n#define f g g\n#define g h h\n#define h i i\n#define i j j\n#define j k k\n#define k l l\n#define l m m\n#define m n n\n#define n o o\n#define o p p\n#define p q q\n#define q r r\n#define r s s\n#define s t t\n#define t u u\n#define u v v\n#define v w w\n#define w x x\n#define x y y\n#define y z z\n#define z 1\nint main(){ return a; }\n",
			[]verdict.Verdict{verdict.CompileError}, nil},
		{"29c template bomb", "template<int N> struct F { enum { v = F<N-1>::v + F<N-2>::v + F<N-3>::v }; };\ntemplate<> struct F<0> { enum { v = 1 }; };\ntemplate<> struct F<1> { enum { v = 1 }; };\ntemplate<> struct F<2> { enum { v = 1 }; };\nint main(){ return F<100000>::v; }\n",
			[]verdict.Verdict{verdict.CompileError}, nil},
		{"30a huge array", "int main[-1u] = {1};\n", []verdict.Verdict{verdict.CompileError, verdict.RuntimeError, verdict.MemoryLimit}, nil},
		{"30b 1GiB static", "char magic[1 << 30] = {1};\nint main(){ return magic[12345]; }\n",
			[]verdict.Verdict{verdict.CompileError, verdict.RuntimeError, verdict.MemoryLimit}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			start := time.Now()
			r, err := p.Exec(ctx, CPP, c.code, Input{Limits: DefaultLimits()})
			if err != nil {
				t.Fatal(err)
			}
			if !slicesContains(c.want, r.Status) {
				t.Errorf("verdict %s (%s), want %v; stderr %.400s", r.Status, r.Message, c.want, r.Stderr)
			}
			if took := time.Since(start); took > 15*time.Second {
				t.Errorf("took %v; the compile limit is 5s", took)
			}
			if c.check != nil {
				c.check(t, r)
			}
			assertHostInvariants(t, p)
		})
	}
}

// Symlink exfiltration and path escapes through files and collect (#23).
func TestFileEscapes(t *testing.T) {
	p := newTestPool(t, 1)
	ctx := context.Background()
	for _, name := range []string{"../../etc/cron.d/x", "/etc/x", "/proc/self/x", "", "a/../../b"} {
		_, err := p.Exec(ctx, Python, "print(1)", Input{Files: map[string][]byte{name: []byte("x")}, Limits: DefaultLimits()})
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("file %q: err %v, want ErrInvalid", name, err)
		}
	}
	r, err := p.Exec(ctx, Python, "import os\nos.symlink('/etc/passwd', 'out.txt')\nos.symlink('/proc/1/environ', 'env.txt')\nopen('real.txt', 'w').write('inside')\n",
		Input{Collect: []string{"out.txt", "env.txt", "real.txt", "/tmp/missing"}, Limits: DefaultLimits()})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Files) != 1 || string(r.Files["real.txt"]) != "inside" {
		t.Errorf("collected %v, want only real.txt (symbolic links are never followed)", keys(r.Files))
	}
	r, err = p.Exec(ctx, Python, "print(open('/w/data/in.txt').read(), open('/tmp/t.txt').read())",
		Input{Files: map[string][]byte{"data/in.txt": []byte("A"), "/tmp/t.txt": []byte("B")}, Limits: DefaultLimits()})
	if err != nil || strings.TrimSpace(string(r.Stdout)) != "A B" {
		t.Errorf("files in subdirectories and /tmp: %v %q %s", err, r.Stdout, r.Stderr)
	}
}

func keys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// #34: bombs and trivial runs submitted together. The bombs get their
// verdicts; every trivial run succeeds with the right output.
func TestLoadIsolation(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	p := newTestPool(t, 2)
	ctx := context.Background()
	short := DefaultLimits()
	short.WallTime = 2 * time.Second
	bombs := []struct {
		code string
		lim  Limits
		want verdict.Verdict
	}{
		{"import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n", short, verdict.TimeLimit},
		{"x = bytearray(8 << 30)\n", slowLimits(), verdict.MemoryLimit},
		{"while True:\n    print('x' * 4096)\n", slowLimits(), verdict.OutputLimit},
		{"import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n", short, verdict.TimeLimit},
	}
	var wg sync.WaitGroup
	for i, b := range bombs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := p.Exec(ctx, Python, b.code, Input{Limits: b.lim})
			if err != nil || r.Status != b.want {
				t.Errorf("bomb %d: %v %+v, want %s", i, err, r, b.want)
			}
		}()
	}
	var ok atomic.Int64
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := p.Exec(ctx, Python, fmt.Sprintf("print(%d * 2)", i), Input{Limits: slowLimits()})
			if err != nil || r.Status != verdict.OK || strings.TrimSpace(string(r.Stdout)) != strconv.Itoa(i*2) {
				t.Errorf("trivial run %d: %v %+v", i, err, r)
				return
			}
			ok.Add(1)
		}()
	}
	wg.Wait()
	if ok.Load() != 20 {
		t.Errorf("%d of 20 trivial runs succeeded", ok.Load())
	}
	assertHostInvariants(t, p)
}
