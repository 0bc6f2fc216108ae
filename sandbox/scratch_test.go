package sandbox

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/rlef/rlef/verdict"
)

// A run that plants directories named like the zygote's cleanup names must
// neither break its slot nor leave anything for the next run.
func TestCleanupNameCollisions(t *testing.T) {
	p := newTestPool(t, 1)
	ctx := context.Background()
	plant := "import os\n" +
		"for k in range(1, 40):\n    os.makedirs('/w/.rlef-gc-%d/z/y' % k)\n" +
		"os.makedirs('/w/a/b/c/d')\nos.makedirs('/tmp/.rlef-gc-1/q')\nos.makedirs('/tmp/x/y/z')\n"
	r, err := p.Exec(ctx, Python, plant, Input{Limits: DefaultLimits()})
	if err != nil || r.Status != verdict.OK {
		t.Fatalf("planting run: %v %+v", err, r)
	}
	look := "import os\nprint(sorted(os.listdir('/w')), sorted(os.listdir('/tmp')))\n"
	r, err = p.Exec(ctx, Python, look, Input{Limits: DefaultLimits()})
	if err != nil {
		t.Fatalf("honest run after the planting one: %v", err)
	}
	if got := strings.TrimSpace(string(r.Stdout)); got != "['main.py'] []" {
		t.Errorf("the next run sees %s", got)
	}
	if n := p.stats.replaced.Load(); n != 0 {
		t.Errorf("%d slots replaced", n)
	}
}

// Collected files are regular files reached without following a symbolic
// link at any step; a run may collect up to MaxCollect of them.
func TestCollectTrust(t *testing.T) {
	p := newTestPool(t, 1)
	ctx := context.Background()
	code := "import os\n" +
		"for i in range(12):\n    open('f%d.txt' % i, 'w').write(str(i))\n" +
		"os.symlink('/proc/self', 'd')\nos.symlink('/etc', 'e')\nos.symlink('/', 'g')\n" +
		"os.makedirs('real')\nopen('real/x', 'w').write('x')\nos.symlink('real', 'r')\n" +
		"os.symlink('/etc/hostname', 'h')\n"
	collect := []string{"d/status", "e/passwd", "g/etc/hostname", "r/x", "h", "real/x", "../etc/passwd", "/w/real/../f0.txt"}
	for i := 0; i < 12; i++ {
		collect = append(collect, fmt.Sprintf("f%d.txt", i))
	}
	var valid []string
	for _, name := range collect {
		if CheckFileName(name) == nil {
			valid = append(valid, name)
		}
	}
	r, err := p.Exec(ctx, Python, code, Input{Limits: DefaultLimits(), Collect: valid})
	if err != nil || r.Status != verdict.OK {
		t.Fatalf("%v %+v", err, r)
	}
	for _, leaked := range []string{"d/status", "e/passwd", "g/etc/hostname", "r/x", "h"} {
		if data, ok := r.Files[leaked]; ok {
			t.Errorf("collected %s through a symbolic link: %q", leaked, data)
		}
	}
	if string(r.Files["real/x"]) != "x" {
		t.Errorf("real/x = %q", r.Files["real/x"])
	}
	for i := 0; i < 12; i++ {
		if got := string(r.Files[fmt.Sprintf("f%d.txt", i)]); got != fmt.Sprint(i) {
			t.Errorf("f%d.txt = %q", i, got)
		}
	}
	too := make([]string, MaxCollect+1)
	for i := range too {
		too[i] = fmt.Sprintf("f%d", i)
	}
	if _, err := p.Exec(ctx, Python, "pass", Input{Limits: DefaultLimits(), Collect: too}); !errors.Is(err, ErrInvalid) {
		t.Errorf("collecting %d files: %v, want ErrInvalid", len(too), err)
	}
	if n := p.stats.replaced.Load(); n != 0 {
		t.Errorf("%d slots replaced", n)
	}
}
