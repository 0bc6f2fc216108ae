package judge

import (
	"context"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/rlef/rlef/internal/testenv"
	"github.com/rlef/rlef/sandbox"
)

// The tests share one sandbox pool (starting one costs a second or two)
// and one judge whose reference cache lives in a temporary directory.
var (
	sharedOnce  sync.Once
	sharedPool  *sandbox.Pool
	sharedJudge *Judge
	sharedErr   error
	sharedDir   string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if sharedPool != nil {
		sharedPool.Close()
	}
	if sharedDir != "" {
		os.RemoveAll(sharedDir)
	}
	os.Exit(code)
}

func testLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// testJudge returns the shared judge, skipping the test (failing it under
// CI) when no isolated sandbox can be started here (the tests need root or
// user namespaces).
func testJudge(t testing.TB) *Judge {
	t.Helper()
	sharedOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		sharedDir, sharedErr = os.MkdirTemp("", "rlef-judge-test-")
		if sharedErr != nil {
			return
		}
		sharedPool, sharedErr = sandbox.NewPool(ctx, sandbox.Config{Slots: 2, CacheDir: sharedDir, Logger: testLogger()})
		if sharedErr != nil {
			return
		}
		sharedJudge, sharedErr = New(sharedPool, Options{CacheDir: sharedDir, Logger: testLogger()})
	})
	if sharedErr != nil {
		testenv.Missing(t, "no sandbox: %v", sharedErr)
	}
	return sharedJudge
}
