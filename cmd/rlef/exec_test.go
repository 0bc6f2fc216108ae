package main

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rlef/rlef/sandbox"
	"github.com/rlef/rlef/server"
)

// rlef exec gives the same answer on a sandbox of its own and through a
// running server's /run_code (--server), timings and memory aside.
func TestExecLocalAndServer(t *testing.T) {
	ctx := context.Background()
	cache := t.TempDir()
	pool, err := sandbox.NewPool(ctx, sandbox.Config{Slots: 1, CacheDir: cache, Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))})
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	srv, err := server.New(server.Config{Pool: pool, Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()
	sf := &sandboxFlags{cacheDir: cache}
	lim := sandbox.DefaultLimits()
	for _, tc := range []struct {
		name string
		lang sandbox.Language
		code string
		in   string
		lim  func(*sandbox.Limits)
	}{
		{"python ok", sandbox.Python, "import sys\nprint(sys.stdin.read().upper())\n", "abc", nil},
		{"python exit 3", sandbox.Python, "import sys\nprint('x')\nsys.exit(3)\n", "", nil},
		{"python exception", sandbox.Python, "raise ValueError('no')\n", "", nil},
		{"python time limit", sandbox.Python, "while True: pass\n", "", func(l *sandbox.Limits) { l.WallTime = 500 * time.Millisecond }},
		{"cpp ok", sandbox.CPP, "#include <cstdio>\nint main(){int a,b;scanf(\"%d %d\",&a,&b);printf(\"%d\\n\",a+b);}\n", "2 3", nil},
		{"cpp compile error", sandbox.CPP, "int main( {\n", "", nil},
		{"cpp segfault", sandbox.CPP, "int main(){ volatile int *p = 0; return *p; }\n", "", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := lim
			if tc.lim != nil {
				tc.lim(&l)
			}
			req := execRequest{lang: tc.lang, source: tc.code, input: sandbox.Input{Stdin: []byte(tc.in), Limits: l}}
			local, err := execLocally(ctx, sf, req)
			if err != nil {
				t.Fatal(err)
			}
			remote, err := execOnServer(ctx, hs.URL, req)
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range []*execOutput{&local, &remote} {
				o.CPUMs, o.WallMs, o.MemoryKB = 0, 0, 0
			}
			if local.Status == "" || local != remote {
				t.Errorf("local  %+v\nserver %+v", local, remote)
			}
		})
	}
}

func TestExecServerRefusesLocalFlags(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "p.py")
	os.WriteFile(file, []byte("print(1)\n"), 0o644)
	cmd := newExecCmd()
	cmd.SetArgs([]string{"--server", "http://127.0.0.1:1", "--processes", "5", file})
	cmd.SetOut(new(discard))
	cmd.SetErr(new(discard))
	if err := cmd.Execute(); err == nil || err.Error() != "--processes cannot be used with --server: the server's own limits and sandbox apply" {
		t.Errorf("error %v", err)
	}
}

type discard struct{}

func (*discard) Write(p []byte) (int, error) { return len(p), nil }
