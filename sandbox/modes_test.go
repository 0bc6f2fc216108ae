package sandbox

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rlef/rlef/internal/testenv"
	"github.com/rlef/rlef/verdict"
)

// The pool refuses to run without isolation unless told to, and says why.
func TestRefusesWithoutIsolation(t *testing.T) {
	unavailable := func() Isolation {
		return Isolation{Mode: "unavailable", Problems: []string{"unprivileged user namespaces are disabled (sysctl kernel.unprivileged_userns_clone=0)"}}
	}
	_, err := NewPool(context.Background(), Config{Slots: 1, CacheDir: t.TempDir(), probe: unavailable})
	if err == nil {
		t.Fatal("NewPool started without isolation")
	}
	for _, want := range []string{"cannot isolate", "unprivileged_userns_clone", "--unsafe-no-isolation"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %q", err, want)
		}
	}
	p, err := NewPool(context.Background(), Config{Slots: 1, CacheDir: t.TempDir(), probe: unavailable, UnsafeNoIsolation: true})
	if err != nil {
		t.Fatalf("with UnsafeNoIsolation: %v", err)
	}
	defer p.Close()
	if p.Isolation().Mode != "none" {
		t.Errorf("mode %q, want none", p.Isolation().Mode)
	}
	r, err := p.Exec(context.Background(), Python, "import os\nprint(os.getuid() != 0)\n", Input{Limits: slowLimits()})
	if err != nil || strings.TrimSpace(string(r.Stdout)) != "True" {
		t.Errorf("unsafe mode run: %v %+v %s", err, r, r.Stderr)
	}
	lim := DefaultLimits()
	lim.WallTime = time.Second
	r, err = p.Exec(context.Background(), Python, "while True: pass", Input{Limits: lim})
	if err != nil || r.Status != verdict.TimeLimit {
		t.Errorf("unsafe mode time limit: %v %+v", err, r)
	}
}

// TestUnprivilegedUserNamespaces runs the pool as an unprivileged user:
// isolation through a user namespace, limits through rlimits (no cgroup
// can be created without root on this host).
func TestUnprivilegedUserNamespaces(t *testing.T) {
	if os.Getenv("RLEF_TEST_AS_NOBODY") == "1" {
		testAsUnprivilegedUser(t)
		return
	}
	if testing.Short() {
		t.Skip("slow")
	}
	if os.Geteuid() != 0 {
		testenv.Missing(t, "needs root to become an unprivileged user")
	}
	if Probe().Mode == "unavailable" {
		testenv.Missing(t, "user namespaces unavailable")
	}
	// The test binary lives in a private build directory: copy it where
	// the unprivileged user can run it.
	dir, err := os.MkdirTemp("", "rlef-nobody-")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(dir)
	os.Chmod(dir, 0o777)
	self, _ := os.Executable()
	bin := filepath.Join(dir, "sandbox.test")
	data, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, data, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-test.run", "^TestUnprivilegedUserNamespaces$", "-test.v", "-test.count=1")
	cmd.Dir = dir
	cmd.Env = []string{"RLEF_TEST_AS_NOBODY=1", "HOME=" + dir, "XDG_CACHE_HOME=" + filepath.Join(dir, "cache"), "PATH=/usr/bin:/bin", "TMPDIR=" + dir}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobodyUID, Gid: nobodyUID}}
	out, err := cmd.CombinedOutput()
	t.Logf("as nobody:\n%s", out)
	if err != nil {
		t.Fatalf("unprivileged run failed: %v", err)
	}
}

func testAsUnprivilegedUser(t *testing.T) {
	ctx := context.Background()
	p, err := NewPool(ctx, Config{Slots: 1})
	if err != nil {
		t.Fatalf("NewPool as uid %d: %v", os.Getuid(), err)
	}
	defer p.Close()
	iso := p.Isolation()
	t.Logf("isolation: %+v", iso)
	if iso.Mode != "userns" {
		t.Errorf("mode %q, want userns", iso.Mode)
	}
	run := func(lang Language, code string, lim Limits) *Result {
		t.Helper()
		r, err := p.Exec(ctx, lang, code, Input{Limits: lim})
		if err != nil {
			t.Fatalf("%q: %v", code, err)
		}
		return r
	}
	short := DefaultLimits()
	short.WallTime = 2 * time.Second
	long := slowLimits()
	if r := run(Python, "import os\nprint(os.getuid(), sorted(os.listdir('/')), os.listdir('/w'))", long); r.Status != verdict.OK ||
		!strings.Contains(string(r.Stdout), "['main.py']") {
		t.Errorf("hello: %+v %s", r, r.Stderr)
	}
	if r := run(CPP, "#include <cstdio>\nint main(){ puts(\"hi\"); }", long); r.Status != verdict.OK || string(r.Stdout) != "hi\n" {
		t.Errorf("C++: %+v %s", r, r.Stderr)
	}
	if r := run(Python, "x = bytearray(8 << 30)", long); r.Status != verdict.MemoryLimit {
		t.Errorf("memory bomb: %s (%s) %s", r.Status, r.Message, r.Stderr)
	}
	if r := run(CPP, "#include <cstdio>\nint main(){ int *a = new int[100000000]; for (int i = 0; i < 100000000; i += 1024) a[i] = i; printf(\"%d\", a[1024]); }", long); r.Status != verdict.MemoryLimit {
		t.Errorf("C++ memory bomb: %s (%s) %s", r.Status, r.Message, r.Stderr)
	}
	if r := run(Python, "import os\nwhile True:\n    try:\n        os.fork()\n    except Exception:\n        pass\n", short); r.Status != verdict.TimeLimit {
		t.Errorf("fork bomb: %s %s", r.Status, r.Stderr)
	}
	if r := run(Python, "import os, signal\nfor pid in [1, -1]:\n    try:\n        os.kill(pid, signal.SIGKILL)\n    except OSError as e:\n        print(e.errno)\nprint('alive')", long); r.Status != verdict.OK {
		t.Errorf("kill init: %s %s", r.Status, r.Stderr)
	}
	if r := run(Python, "import ctypes\nlibc = ctypes.CDLL(None, use_errno=True)\nprint(libc.syscall(165, b'none', b'/tmp', b'tmpfs', 0, 0), ctypes.get_errno())", long); strings.TrimSpace(string(r.Stdout)) != "-1 1" {
		t.Errorf("mount inside the user namespace: %q %s", r.Stdout, r.Stderr)
	}
	if r := run(Python, "print(open('/w/main.py').read().count('print'))", long); r.Status != verdict.OK {
		t.Errorf("after the hostile runs: %s %s", r.Status, r.Stderr)
	}
}
