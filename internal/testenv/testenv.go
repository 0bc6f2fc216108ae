// Package testenv lets a test say that a real component it needs (the
// sandbox, ../shared/data, Debian's python3, numpy, PyTorch, chromium) is
// missing: on a developer's machine the test is skipped, and under
// continuous integration (CI set to a true value, as .ci/run does) it
// fails, so a suite never passes in CI by skipping.
package testenv

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// CI reports whether the tests run under continuous integration: the
// environment variable CI holds a true value ("true", "1", ...).
func CI() bool {
	v, err := strconv.ParseBool(os.Getenv("CI"))
	return err == nil && v
}

// Missing skips tb, saying what is missing, or fails it under CI.
func Missing(tb testing.TB, format string, args ...any) {
	tb.Helper()
	msg := fmt.Sprintf(format, args...)
	if CI() {
		tb.Fatalf("%s\n(CI is set: every component the tests need must be present; scripts/setup.sh installs them)", msg)
	}
	tb.Skip(msg)
}

// Scaled is the size of a randomized differential test that runs n cases
// by default: n times $RLEF_DIFF_SCALE when that is set, and a fifth of
// it (at least one) under -short, for the development loop.
func Scaled(n int) int {
	if k, err := strconv.Atoi(os.Getenv("RLEF_DIFF_SCALE")); err == nil && k > 0 {
		n *= k
	}
	if testing.Short() {
		n = max(n/5, 1)
	}
	return n
}

// Seeded is a randomized test's seed plus $RLEF_DIFF_SEED (default 0), so
// a run can explore other cases.
func Seeded(seed int) int {
	k, _ := strconv.Atoi(os.Getenv("RLEF_DIFF_SEED"))
	return seed + k
}

// ShortSample is the representative subset of xs that a long suite runs
// under -short: n elements spread evenly over xs, in order (all of xs
// when it has at most n, or without -short).
func ShortSample[T any](xs []T, n int) []T {
	if !testing.Short() || len(xs) <= n || n <= 0 {
		return xs
	}
	out := make([]T, n)
	for i := range out {
		out[i] = xs[i*len(xs)/n]
	}
	return out
}

// Python is Debian's interpreter, the one the differential tests compare
// against.
const Python = "/usr/bin/python3"

// RequirePython3_11 makes sure Python is CPython 3.11 and can import
// modules; otherwise the test is skipped, or fails under CI.
func RequirePython3_11(tb testing.TB, modules ...string) {
	tb.Helper()
	script := "import sys\n"
	for _, m := range modules {
		script += "import " + m + "\n"
	}
	script += "print('%d.%d' % sys.version_info[:2])\n"
	out, err := exec.Command(Python, "-c", script).Output()
	got := strings.TrimSpace(string(out))
	if err == nil && got == "3.11" {
		return
	}
	msg := "differential tests need CPython 3.11 at " + Python
	if len(modules) > 0 {
		msg += " with " + strings.Join(modules, ", ")
	}
	if err == nil {
		msg += ", found " + got
	}
	Missing(tb, "%s", msg)
}
