package server

import (
	"testing"
	"time"

	"github.com/rlef/rlef/dist"
	"github.com/rlef/rlef/sandbox"
	"github.com/rlef/rlef/verdict"
)

// A compilation is TimeLimitExceeded when the compiler's own time limit
// stopped it (told by the sandbox's typed CompileLimit, never by its
// message) or when it took longer than the request's compile_timeout.
func TestCompileResultTimeLimit(t *testing.T) {
	tests := []struct {
		name    string
		res     sandbox.Result
		timeout time.Duration
		status  string
	}{
		{"compiler time limit", sandbox.Result{Status: verdict.CompileError, CompileLimit: verdict.TimeLimit, WallTime: 20 * time.Second}, 0, CommandTimeLimitExceeded},
		{"compiler time limit, message reworded", sandbox.Result{Status: verdict.CompileError, CompileLimit: verdict.TimeLimit, Message: "too slow"}, 0, CommandTimeLimitExceeded},
		{"message alone decides nothing", sandbox.Result{Status: verdict.CompileError, ExitCode: 1, Message: "compilation exceeded the time limit (20s)"}, 0, CommandFinished},
		{"compiler memory limit", sandbox.Result{Status: verdict.CompileError, CompileLimit: verdict.MemoryLimit}, 0, CommandFinished},
		{"slower than compile_timeout", sandbox.Result{Status: verdict.OK, WallTime: 3 * time.Second}, time.Second, CommandTimeLimitExceeded},
		{"compiled in time", sandbox.Result{Status: verdict.OK, WallTime: time.Second}, 2 * time.Second, CommandFinished},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res := tc.res
			r := compileResult(&dist.Execution{Compile: &res}, tc.timeout)
			if r.Status != tc.status {
				t.Errorf("status %s, want %s", r.Status, tc.status)
			}
		})
	}
}
