package sandbox

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rlef/rlef/verdict"
)

// The trust boundary, tested from the program's side: what a run can
// hold, leave behind or learn. Each case has a hostile program, checks
// the verdict it earns, and an honest control after it.

func run(t *testing.T, p *Pool, lang Language, code string, lim Limits, in Input) *Result {
	t.Helper()
	in.Limits = lim
	r, err := p.Exec(context.Background(), lang, code, in)
	if err != nil {
		t.Fatalf("%.40q: %v", code, err)
	}
	return r
}

// A program holds descriptors 0, 1 and 2 and nothing else: no channel to
// the zygote or the supervisor survives into it.
func TestOnlyStdioDescriptors(t *testing.T) {
	p := newTestPool(t, 1)
	py := run(t, p, Python, "import os\nprint(sorted(int(f) for f in os.listdir('/proc/self/fd')))\n", slowLimits(), Input{})
	if got := strings.TrimSpace(string(py.Stdout)); got != "[0, 1, 2, 3]" { // 3: listdir's own
		t.Errorf("Python program's descriptors: %s (stderr %s)", got, py.Stderr)
	}
	cpp := run(t, p, CPP, `#include <cstdio>
#include <unistd.h>
#include <fcntl.h>
int main(){ int n = 0; for (int fd = 0; fd < 65536; fd++) if (fcntl(fd, F_GETFD) != -1) { printf("%d ", fd); n++; } printf("\n"); }
`, slowLimits(), Input{})
	if got := strings.TrimSpace(string(cpp.Stdout)); got != "0 1 2" {
		t.Errorf("C++ program's descriptors: %q (stderr %s)", got, cpp.Stderr)
	}
	// Writing to every other descriptor reaches nothing: the run's result
	// is what the program did.
	forge := run(t, p, Python, `import os, json
for fd in range(3, 1024):
    for msg in (b'{"ready_cpu": 0}', b'{"started_cpu": 0, "join_cpu": 0}', b'{"setup_error": "x"}', b'exec_error 1\n'):
        try:
            os.write(fd, msg)
        except OSError:
            pass
raise SystemExit(7)
`, slowLimits(), Input{})
	if forge.Status != verdict.RuntimeError || forge.ExitCode != 7 {
		t.Errorf("forging program: %s exit %d, want runtime_error exit 7", forge.Status, forge.ExitCode)
	}
}

// CPU time is counted and limited over the whole process tree, from
// outside: a detached grandchild that computes while its parent sleeps
// ends the run at the CPU limit.
func TestCPUTimeCoversTheTree(t *testing.T) {
	p := newTestPool(t, 1)
	lim := slowLimits()
	lim.CPUTime, lim.WallTime = time.Second, 20*time.Second
	start := time.Now()
	r := run(t, p, Python, `import os, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        while True: pass
    os._exit(0)
time.sleep(15)
print("done")
`, lim, Input{})
	if r.Status != verdict.TimeLimit || r.CPUTime < 900*time.Millisecond {
		t.Errorf("status %s cpu %v (%s), want time_limit with the grandchild's CPU counted", r.Status, r.CPUTime, r.Message)
	}
	if el := time.Since(start); el > 8*time.Second {
		t.Errorf("stopped after %v: the CPU limit was not enforced from outside", el)
	}
	honest := run(t, p, Python, "print(sum(range(10**6)))\n", lim, Input{})
	if honest.Status != verdict.OK || honest.CPUTime > time.Second {
		t.Errorf("control: %s cpu %v", honest.Status, honest.CPUTime)
	}
}

// System V IPC objects would outlive a run (and keep its memory charged
// to the slot): creating one is refused, and a large honest allocation
// after the attempt succeeds.
func TestNoIPCAcrossRuns(t *testing.T) {
	p := newTestPool(t, 1)
	r := run(t, p, Python, `import ctypes
libc = ctypes.CDLL(None, use_errno=True)
print(libc.shmget(0, 200 << 20, 0o1666), ctypes.get_errno())
print(libc.semget(0, 1, 0o1666), libc.msgget(0, 0o1666))
`, slowLimits(), Input{})
	if got := strings.Fields(string(r.Stdout)); len(got) != 4 || got[0] != "-1" || got[1] != "1" || got[2] != "-1" || got[3] != "-1" {
		t.Errorf("IPC calls: %q (stderr %s), want all refused with EPERM", r.Stdout, r.Stderr)
	}
	lim := slowLimits()
	lim.Memory = 256 << 20
	honest := run(t, p, Python, "x = bytearray(150 << 20)\nprint(len(x))\n", lim, Input{})
	if honest.Status != verdict.OK {
		t.Errorf("150 MiB after the attempt: %s %s", honest.Status, honest.Stderr)
	}
}

// A run can leave any tree of files behind: the next run starts in empty
// directories, and the slot is not restarted to get there.
func TestCleanupCannotCrash(t *testing.T) {
	p := newTestPool(t, 1)
	for _, depth := range []int{1500, 6000} {
		r := run(t, p, Python, fmt.Sprintf(`import os
for d in ("/w", "/tmp", "/mnt"):
    os.chdir(d)
    for i in range(%d):
        os.mkdir("a")
        os.chdir("a")
    open("leftover", "w").write("x")
    os.chmod(".", 0)
os.chdir("/w")
os.mkdir("locked")
open("locked/f", "w").close()
os.chmod("locked", 0)
print("built")
`, depth), slowLimits(), Input{})
		if r.Status != verdict.OK {
			t.Fatalf("depth %d: %s %s", depth, r.Status, r.Stderr)
		}
		next := run(t, p, Python, "import os\nprint(os.listdir('/w'), os.listdir('/tmp'), os.listdir('/mnt'))\n", slowLimits(), Input{})
		if got := strings.TrimSpace(string(next.Stdout)); got != "['main.py'] [] []" {
			t.Errorf("depth %d: next run sees %s %s", depth, got, next.Stderr)
		}
	}
	if n := p.stats.replaced.Load(); n != 0 {
		t.Errorf("%d slot restarts", n)
	}
}

// Nothing inside names the host: not the cache directory, not the
// supervisor's process or its cgroups, not a temporary directory.
func TestNoHostPathsInside(t *testing.T) {
	p := newTestPool(t, 1)
	if err := p.BuildPCH(context.Background()); err != nil {
		t.Fatal(err)
	}
	// The header's holder starts now; a slot that predates it is
	// replaced when it comes back.
	run(t, p, Python, "pass\n", slowLimits(), Input{})
	time.Sleep(500 * time.Millisecond)
	r := run(t, p, Python, `for f in ("/proc/self/mountinfo", "/proc/self/cgroup", "/proc/1/cgroup", "/proc/self/environ"):
    try:
        print(f, open(f, "rb").read().decode(errors="replace"))
    except OSError as e:
        print(f, e)
`, slowLimits(), Input{})
	if r.Status != verdict.OK {
		t.Fatalf("%s %s", r.Status, r.Stderr)
	}
	out := string(r.Stdout)
	home, _ := os.UserHomeDir()
	for _, host := range []string{p.cfg.CacheDir, os.TempDir() + "/", home + "/", "rlef-" + strconv.Itoa(os.Getpid()), "slot0-"} {
		if host != "/" && strings.Contains(out, host) {
			t.Errorf("the program sees the host path %q:\n%s", host, out)
		}
	}
	if !strings.Contains(out, "/opt/rlef/pch") {
		t.Errorf("the precompiled header is not mounted:\n%s", out)
	}
	if !strings.Contains(out, "/run") {
		t.Errorf("no run cgroup in /proc/self/cgroup:\n%s", out)
	}
}

// /mnt is writable and per run, like /w and /tmp; native programs run in
// /w, where relative file names land.
func TestScratchDirectories(t *testing.T) {
	p := newTestPool(t, 1)
	in := Input{Files: map[string][]byte{"/mnt/b": []byte("mnt"), "rel.txt": []byte("rel")}, Collect: []string{"/mnt/out", "out.txt"}}
	r := run(t, p, CPP, `#include <fstream>
#include <iostream>
#include <string>
int main(){ std::string a, b; std::ifstream("/mnt/b") >> a; std::ifstream("rel.txt") >> b;
  std::ofstream("/mnt/out") << a; std::ofstream("out.txt") << b; std::cout << a << b << "\n"; }
`, slowLimits(), in)
	if r.Status != verdict.OK || string(r.Stdout) != "mntrel\n" || string(r.Files["/mnt/out"]) != "mnt" || string(r.Files["out.txt"]) != "rel" {
		t.Errorf("C++: %s %q files %q stderr %s", r.Status, r.Stdout, r.Files, r.Stderr)
	}
	if _, err := p.Exec(context.Background(), Python, "pass", Input{Files: map[string][]byte{"/etc/x": nil}, Limits: slowLimits()}); err == nil {
		t.Error("a file outside /w, /tmp and /mnt was accepted")
	}
}
