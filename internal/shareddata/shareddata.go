// Package shareddata locates the real benchmark files that tests and
// benchmarks read. They live outside the repository, in ../shared/data
// next to the checkout (override with RLEF_SHARED_DATA), and are never
// committed.
package shareddata

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/rlef/rlef/internal/testenv"
)

// Dir returns the shared data directory, or "" if it does not exist.
func Dir() string {
	if d := os.Getenv("RLEF_SHARED_DATA"); d != "" {
		return d
	}
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return ""
	}
	// file is <repo>/internal/shareddata/shareddata.go
	repo := filepath.Dir(filepath.Dir(filepath.Dir(file)))
	d := filepath.Join(filepath.Dir(repo), "shared", "data")
	if st, err := os.Stat(d); err == nil && st.IsDir() {
		return d
	}
	return ""
}

// Path returns the path of a file or directory under the shared data
// directory. When it is absent the test is skipped with a clear message,
// or fails under CI (see testenv.Missing).
func Path(tb testing.TB, elem ...string) string {
	tb.Helper()
	d := Dir()
	if d == "" {
		testenv.Missing(tb, "real benchmark data not found: expected ../shared/data next to the checkout (or set RLEF_SHARED_DATA)")
	}
	p := filepath.Join(append([]string{d}, elem...)...)
	if _, err := os.Stat(p); err != nil {
		testenv.Missing(tb, "real benchmark file %s not found: %v", p, err)
	}
	return p
}
