package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/rlef/rlef/dataset"
	"github.com/rlef/rlef/internal/testenv"
	"github.com/rlef/rlef/judge"
	"github.com/rlef/rlef/sandbox"
)

// The tests share one sandbox pool and judge (starting a pool costs a
// second or two); each test builds its own Server on them.
var (
	sharedOnce  sync.Once
	sharedPool  *sandbox.Pool
	sharedJudge *judge.Judge
	sharedSet   *dataset.Set
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

func quietLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// testPool returns the shared pool, judge and built-in benchmark, skipping
// (failing under CI) when no isolated sandbox can start here (tests need
// root or user namespaces).
func testPool(t testing.TB) (*sandbox.Pool, *judge.Judge, *dataset.Set) {
	t.Helper()
	sharedOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		if sharedDir, sharedErr = os.MkdirTemp("", "rlef-server-test-"); sharedErr != nil {
			return
		}
		if sharedPool, sharedErr = sandbox.NewPool(ctx, sandbox.Config{Slots: 2, CacheDir: sharedDir, Logger: quietLogger()}); sharedErr != nil {
			return
		}
		if sharedJudge, sharedErr = judge.New(sharedPool, judge.Options{CacheDir: sharedDir, Logger: quietLogger()}); sharedErr != nil {
			return
		}
		sharedSet, sharedErr = dataset.LoadBuiltin()
	})
	if sharedErr != nil {
		testenv.Missing(t, "no sandbox: %v", sharedErr)
	}
	return sharedPool, sharedJudge, sharedSet
}

// newTestServer starts a Server on the shared pool behind an httptest
// server; edit adjusts the configuration.
func newTestServer(t testing.TB, edit func(*Config)) (*Server, *httptest.Server) {
	t.Helper()
	pool, j, set := testPool(t)
	cfg := Config{Pool: pool, Judge: j, Sets: []*dataset.Set{set}, Logger: quietLogger()}
	if edit != nil {
		edit(&cfg)
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(func() {
		ts.Close()
		s.Close()
	})
	return s, ts
}

// post sends a JSON body (a []byte or string is sent as is) and returns
// the status and the body.
func post(t testing.TB, url string, body any) (int, []byte) {
	t.Helper()
	return do(t, http.MethodPost, url, body, nil)
}

func do(t testing.TB, method, url string, body any, header http.Header) (int, []byte) {
	t.Helper()
	var data []byte
	switch b := body.(type) {
	case nil:
	case []byte:
		data = b
	case string:
		data = []byte(b)
	default:
		var err error
		if data, err = json.Marshal(b); err != nil {
			t.Fatal(err)
		}
	}
	req, err := http.NewRequest(method, url, bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, out
}

func mustJSON[T any](t testing.TB, data []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatalf("decode %s: %v", data, err)
	}
	return v
}

// readFile reads a file of the repository (reference solutions).
func readFile(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
