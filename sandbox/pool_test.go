package sandbox

import (
	"context"
	"log/slog"
	"os"
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
