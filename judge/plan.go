package judge

import (
	"strings"
	"time"

	"github.com/rlef/rlef/dataset"
	"github.com/rlef/rlef/sandbox"
)

// runner says how a problem's tests run.
type runner int

const (
	// runNative runs the program once per test (stdio).
	runNative runner = iota
	// runHarness runs harness.py once per sample.
	runHarness
)

// Comparison profiles of harness.py.
const (
	profileEvalPlus = "evalplus"
	profileLCB      = "lcb"
	profileAPPS     = "apps"
	profilePlain    = "plain"
)

// plan is how one problem is judged.
type plan struct {
	runner runner
	// mode is harness.py's mode: call, method, assert or stdio.
	mode string
	// profile is the comparison profile (call and method modes).
	profile string
	// wrap is the stdio wrapping style (lcb or apps) in stdio mode.
	wrap string
	// prelude is the import prelude the source harness prepends.
	prelude string
	// checker compares stdout (stdio runs).
	checker dataset.Checker
	// timeLimit is the per-test CPU limit unless reference times set it.
	timeLimit time.Duration
	// memory is the memory limit.
	memory int64
	// chunked: suites that stop at their first failure run in growing
	// chunks of tests (the sandbox cannot tell a wrong answer).
	chunked bool
}

// plan decides how p is judged for a program in lang.
func (j *Judge) plan(p *dataset.Problem, lang sandbox.Language) *plan {
	pl := &plan{runner: runHarness, timeLimit: p.TimeLimit, memory: p.MemoryLimit, checker: p.Checker}
	if pl.timeLimit <= 0 {
		pl.timeLimit = j.opts.TimeLimit
	}
	if pl.checker == "" {
		pl.checker = dataset.CheckTokens
	}
	benchmark := strings.ToLower(p.Benchmark)
	lcb := benchmark == "livecodebench" || benchmark == "lcb"
	apps := benchmark == "apps" || benchmark == "taco" || p.Meta[dataset.MetaAPPSOutputs] != ""
	switch p.Mode {
	case dataset.ModeStdio:
		pl.runner = runNative
		switch {
		case lang != sandbox.Python:
		case !j.opts.NativeStdio && p.Meta[dataset.MetaStdioWrap] == dataset.StdioWrapFunction:
			pl.runner, pl.mode, pl.chunked = runHarness, "stdio", true
			if lcb || p.Checker == dataset.CheckLines {
				pl.wrap, pl.prelude = profileLCB, profileLCB
			} else {
				pl.wrap, pl.prelude = profileAPPS, profileAPPS
			}
		case !j.opts.RunPerTest && batchable(p):
			// Many tests in one sandbox run, a forked child per test.
			pl.runner, pl.mode, pl.chunked = runHarness, "native", true
		}
	case dataset.ModeAssert:
		pl.mode = "assert"
	case dataset.ModeFunction, dataset.ModeClassMethod:
		pl.mode = "call"
		if p.Mode == dataset.ModeClassMethod {
			pl.mode = "method"
		}
		switch {
		case p.ExpectedFromReference:
			pl.profile = profileEvalPlus
		case apps:
			pl.profile, pl.prelude = profileAPPS, profileAPPS
		case lcb:
			pl.profile, pl.prelude = profileLCB, profileLCB
		default:
			pl.profile = profilePlain
		}
	}
	if pl.memory <= 0 {
		pl.memory = j.opts.MemoryLimit
		if pl.profile == profileEvalPlus {
			pl.memory = j.opts.EvalPlus.MemoryLimit
		}
	}
	return pl
}

// batchable reports whether a Python stdio problem's tests can run in one
// sandbox run: not when the program reads or writes named files, and not
// under a memory limit so small that the address-space limit each test
// gets (the memory limit + 32 MiB) would not fit the forked interpreter.
func batchable(p *dataset.Problem) bool {
	if in := p.Meta[dataset.MetaInputFile]; in != "" && in != "stdin" {
		return false
	}
	if out := p.Meta[dataset.MetaOutputFile]; out != "" && out != "stdout" {
		return false
	}
	return p.MemoryLimit == 0 || p.MemoryLimit >= 200<<20
}

// evalPlusLimit is EvalPlus's per-test limit for a reference time.
func (j *Judge) evalPlusLimit(refSeconds float64) time.Duration {
	d := time.Duration(j.opts.EvalPlus.Factor * refSeconds * float64(time.Second))
	if d < j.opts.EvalPlus.MinTimeLimit {
		d = j.opts.EvalPlus.MinTimeLimit
	}
	return d
}
