package sandbox

import (
	"context"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rlef/rlef/verdict"
)

// newTestPool starts a pool shared by a test; its cache lives in a temp dir.
func newTestPool(t testing.TB, slots int) *Pool {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	p, err := NewPool(ctx, Config{Slots: slots, CacheDir: t.TempDir(),
		Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))})
	if err != nil {
		t.Fatalf("NewPool: %v", err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func TestHelloPython(t *testing.T) {
	p := newTestPool(t, 1)
	r, err := p.Exec(context.Background(), Python, "import sys\nprint(sys.stdin.read().upper())", Input{Stdin: []byte("hi"), Limits: DefaultLimits()})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v stderr=%s", r, r.Stderr)
	if r.Status != verdict.OK || string(r.Stdout) != "HI\n" {
		t.Fatalf("got %s %q", r.Status, r.Stdout)
	}
}

// Requests too large for one socket message (big files or source) travel
// in a memfd, for Python and for native programs alike.
func TestLargeRequests(t *testing.T) {
	p := newTestPool(t, 1)
	big := strings.Repeat("x", 300<<10)
	for _, lang := range []Language{Python, CPP} {
		code := "import os\nprint(os.path.getsize('/w/big.txt'))\n"
		if lang == CPP {
			code = "#include <cstdio>\nint main(){ FILE *f = fopen(\"/w/big.txt\", \"rb\"); fseek(f, 0, SEEK_END); printf(\"%ld\\n\", ftell(f)); }\n"
		}
		r, err := p.Exec(context.Background(), lang, code, Input{Files: map[string][]byte{"big.txt": []byte(big)}, Limits: slowLimits()})
		if err != nil || strings.TrimSpace(string(r.Stdout)) != strconv.Itoa(len(big)) {
			t.Errorf("%s: %v %+v %s", lang, err, r, r.Stderr)
		}
	}
	long := "x = 1\n" + strings.Repeat("# padding the source beyond one socket message\n", 4000) + "print(x)\n"
	r, err := p.Exec(context.Background(), Python, long, Input{Limits: slowLimits()})
	if err != nil || strings.TrimSpace(string(r.Stdout)) != "1" {
		t.Errorf("large program: %v %+v", err, r)
	}
}

// Identical C++ compiles once; a compile failure is cached too.
func TestCompileCache(t *testing.T) {
	p := newTestPool(t, 2)
	ctx := context.Background()
	src := "#include <cstdio>\nint main(){ puts(\"cached\"); }\n"
	for i := 0; i < 3; i++ {
		prog, err := p.Compile(ctx, CPP, src)
		if err != nil || !prog.OK() {
			t.Fatal(err)
		}
		if prog.Cached != (i > 0) {
			t.Errorf("compile %d: cached %v", i, prog.Cached)
		}
		r, err := p.Run(ctx, prog, Input{Limits: slowLimits()})
		if err != nil || string(r.Stdout) != "cached\n" {
			t.Errorf("run %d: %v %+v", i, err, r)
		}
		prog.Close()
	}
	bad := "int main( { }"
	for i := 0; i < 2; i++ {
		prog, err := p.Compile(ctx, CPP, bad)
		if err != nil || prog.OK() || prog.Cached != (i > 0) || !strings.Contains(string(prog.Compile.Stderr), "error") {
			t.Errorf("bad compile %d: %v ok=%v cached=%v", i, err, prog != nil && prog.OK(), prog != nil && prog.Cached)
		}
	}
	if st := p.CompileStats(); st.Compiles != 2 || st.MemoryHits != 3 {
		t.Errorf("stats %+v, want 2 compiles and 3 hits", st)
	}
	// A fresh pool over the same cache directory finds both on disk.
	dir := p.cfg.CacheDir
	q, err := NewPool(ctx, Config{Slots: 1, CacheDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer q.Close()
	for _, s := range []string{src, bad} {
		prog, err := q.Compile(ctx, CPP, s)
		if err != nil {
			t.Fatal(err)
		}
		prog.Close()
	}
	if st := q.CompileStats(); st.Compiles != 0 || st.DiskHits != 2 {
		t.Errorf("second pool stats %+v, want 2 disk hits and no compile", st)
	}
}
