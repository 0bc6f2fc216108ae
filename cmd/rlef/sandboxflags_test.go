package main

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/rlef/rlef/sandbox"
)

// The compile-cache bounds: sizes with units, the defaults when empty, a
// clear error otherwise; every command that runs programs has the flags.
func TestCompileCacheFlags(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"", sandbox.DefaultCompileCacheMemory, true},
		{"64MiB", 64 << 20, true},
		{"1GiB", 1 << 30, true},
		{"nope", 0, false},
		{"0", 0, false},
		{"-5MiB", 0, false},
	} {
		got, err := cacheBound("--compile-cache-memory", tc.in, sandbox.DefaultCompileCacheMemory)
		if (err == nil) != tc.ok || (tc.ok && got != tc.want) {
			t.Errorf("%q: %d, %v; want %d (ok %v)", tc.in, got, err, tc.want, tc.ok)
		}
		if err != nil && !strings.Contains(err.Error(), "--compile-cache-memory") {
			t.Errorf("%q: error %q does not name the flag", tc.in, err)
		}
	}
	for name, cmd := range map[string]*cobra.Command{
		"judge": newJudgeCmd(), "serve": newServeCmd(), "exec": newExecCmd(), "eval": newEvalCmd(),
	} {
		for _, flag := range []string{"compile-cache-memory", "compile-cache-disk"} {
			if cmd.Flags().Lookup(flag) == nil {
				t.Errorf("rlef %s has no --%s", name, flag)
			}
		}
	}
}
