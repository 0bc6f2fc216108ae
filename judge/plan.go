package judge

import (
	"time"

	"github.com/rlef/rlef/dataset"
	"github.com/rlef/rlef/sandbox"
)

// runner says how a problem's tests run.
type runner int

const (
	// runPrograms runs the program once per test, as a program (stdio).
	runPrograms runner = iota
	// runCalls keeps the solution loaded in a session and sends it one
	// test after another (function calls, class methods, wrapped stdio).
	runCalls
	// runAsserts runs assert tests in a tester process that calls the
	// solution, loaded in a session beside it.
	runAsserts
)

// plan is how one problem is judged.
type plan struct {
	runner runner
	// mode is the runner's load mode: call, method or stdio (runCalls).
	mode string
	// grader is the grader whose behaviour is replicated.
	grader dataset.Grader
	// checker compares stdout (stdio).
	checker dataset.Checker
	// timeLimit is the per-test CPU limit unless reference times set it.
	timeLimit time.Duration
	// memory is the memory limit.
	memory int64
}

// plan decides how p is judged for a program in lang.
func (j *Judge) plan(p *dataset.Problem, lang sandbox.Language) *plan {
	pl := &plan{runner: runCalls, grader: p.Judging.Grader, timeLimit: p.TimeLimit, memory: p.MemoryLimit, checker: p.Checker}
	if pl.timeLimit <= 0 {
		pl.timeLimit = j.opts.TimeLimit
	}
	if pl.checker == "" {
		pl.checker = dataset.CheckTokens
	}
	switch p.Mode {
	case dataset.ModeStdio:
		pl.runner = runPrograms
		if lang == sandbox.Python && !j.opts.NativeStdio && pl.grader.WrapsStdio() {
			pl.runner, pl.mode = runCalls, "stdio"
		}
	case dataset.ModeAssert:
		pl.runner = runAsserts
	case dataset.ModeFunction:
		pl.mode = "call"
	case dataset.ModeClassMethod:
		pl.mode = "method"
	}
	if pl.memory <= 0 {
		pl.memory = j.opts.MemoryLimit
		if pl.grader == dataset.GraderEvalPlus {
			pl.memory = j.opts.EvalPlus.MemoryLimit
		}
	}
	return pl
}

// wrap is the runner's stdio wrapping style.
func (pl *plan) wrap() string {
	if pl.grader == dataset.GraderAPPS {
		return "apps"
	}
	return "lcb"
}

// prelude is the import prelude the grader prepends to solutions.
func (pl *plan) prelude() string {
	switch pl.grader {
	case dataset.GraderLiveCodeBench:
		return "lcb"
	case dataset.GraderAPPS:
		return "apps"
	}
	return ""
}

// evalPlusLimit is EvalPlus's per-test limit for a reference time.
func (j *Judge) evalPlusLimit(refSeconds float64) time.Duration {
	d := time.Duration(j.opts.EvalPlus.Factor * refSeconds * float64(time.Second))
	if d < j.opts.EvalPlus.MinTimeLimit {
		d = j.opts.EvalPlus.MinTimeLimit
	}
	return d
}
