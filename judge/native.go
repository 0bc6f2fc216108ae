package judge

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/rlef/rlef/dataset"
	"github.com/rlef/rlef/sandbox"
	"github.com/rlef/rlef/verdict"
)

// judgeNative runs a stdin/stdout program once per test. Tests of all
// suites share a work queue in suite and index order, served by up to
// pool.Slots() goroutines; a suite that stops on failure schedules no test
// after its first failure.
func (j *Judge) judgeNative(ctx context.Context, p *dataset.Problem, pl *plan, lang sandbox.Language, code string, suites []resolvedSuite) (*Result, error) {
	res := &Result{}
	prog, err := j.compile(ctx, lang, code)
	if err != nil {
		if ctx.Err() != nil || errors.Is(err, sandbox.ErrInvalid) {
			return nil, err
		}
		// The compiler could not be run: nothing is known about the program.
		for _, s := range suites {
			res.Suites = append(res.Suites, allTests(s, TestResult{Verdict: verdict.SandboxError, Message: "sandbox error while compiling: " + err.Error()}))
		}
		return res, nil
	}
	defer prog.Close()
	if prog.Compile != nil {
		if !prog.Cached {
			res.addRun(prog.Compile)
		}
		res.Compile = &Compile{Verdict: prog.Compile.Status, Time: prog.Compile.WallTime, Cached: prog.Cached}
		if !prog.OK() {
			res.Compile.Verdict = verdict.CompileError
			res.Compile.Message = compilerMessage(prog.Compile)
			for _, s := range suites {
				res.Suites = append(res.Suites, allTests(s, TestResult{Verdict: verdict.CompileError, Message: "the program did not compile", Stderr: res.Compile.Message}))
			}
			return res, nil
		}
	}

	type job struct{ suite, k int }
	var queue []job
	for si, s := range suites {
		for k := range s.tests {
			queue = append(queue, job{si, k})
		}
	}
	results := make([][]*TestResult, len(suites))
	for si, s := range suites {
		results[si] = make([]*TestResult, len(s.tests))
	}
	var (
		mu         sync.Mutex
		next       int
		stopAt     = make([]int, len(suites)) // first failing k, or len
		compileErr string
		runErr     error
	)
	for si, s := range suites {
		stopAt[si] = len(s.tests)
	}
	take := func() (job, bool) {
		mu.Lock()
		defer mu.Unlock()
		for next < len(queue) {
			jb := queue[next]
			next++
			if runErr != nil || compileErr != "" {
				return job{}, false
			}
			if suites[jb.suite].StopOnFailure && jb.k > stopAt[jb.suite] {
				continue
			}
			return jb, true
		}
		return job{}, false
	}
	workers := min(j.pool.Slots(), len(queue))
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				jb, ok := take()
				if !ok {
					return
				}
				s := &suites[jb.suite]
				var runs []*sandbox.Result
				tr, syntax, err := j.runNativeTest(ctx, p, pl, prog, lang, s.tests[jb.k], &runs)
				mu.Lock()
				for _, r := range runs {
					res.addRun(r)
				}
				switch {
				case err != nil:
					if runErr == nil {
						runErr = err
					}
				case syntax != "":
					if compileErr == "" {
						compileErr = syntax
					}
				default:
					tr.Index = s.indices[jb.k]
					results[jb.suite][jb.k] = tr
					if !tr.Verdict.Passed() && jb.k < stopAt[jb.suite] {
						stopAt[jb.suite] = jb.k
					}
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if runErr != nil {
		return nil, runErr
	}
	if compileErr != "" {
		res.Compile = &Compile{Verdict: verdict.CompileError, Message: compileErr}
		for _, s := range suites {
			res.Suites = append(res.Suites, allTests(s, TestResult{Verdict: verdict.CompileError, Message: "the program did not compile", Stderr: compileErr}))
		}
		return res, nil
	}
	for si, s := range suites {
		var tests []TestResult
		for _, tr := range results[si] {
			if tr != nil {
				tests = append(tests, *tr)
			}
		}
		res.Suites = append(res.Suites, finishSuite(s.Name, len(s.tests), s.StopOnFailure, tests))
	}
	return res, nil
}

// compile prepares a program, retrying sandbox failures.
func (j *Judge) compile(ctx context.Context, lang sandbox.Language, code string) (*sandbox.Program, error) {
	var err error
	for attempt := 0; attempt <= j.opts.Retries; attempt++ {
		var prog *sandbox.Program
		prog, err = j.pool.Compile(ctx, lang, code)
		if err == nil {
			return prog, nil
		}
		if !sandbox.IsInfra(err) || ctx.Err() != nil {
			return nil, err
		}
		j.opts.Logger.Warn("compile failed for sandbox reasons; retrying", "attempt", attempt+1, "err", err)
	}
	return nil, err
}

func compilerMessage(r *sandbox.Result) string {
	msg := string(r.Stderr)
	if msg == "" {
		msg = string(r.Stdout)
	}
	if msg == "" {
		msg = r.Message
	}
	return msg
}

// runNativeTest runs one test. syntax is set (and tr nil) when a Python
// program did not compile; err only for cancellation or an invalid request.
func (j *Judge) runNativeTest(ctx context.Context, p *dataset.Problem, pl *plan, prog *sandbox.Program, lang sandbox.Language, t dataset.Test, runs *[]*sandbox.Result) (tr *TestResult, syntax string, err error) {
	in := sandbox.Input{
		Stdin: []byte(t.Input),
		Limits: sandbox.Limits{
			CPUTime: pl.timeLimit, WallTime: j.opts.wall(pl.timeLimit),
			Memory: pl.memory, Processes: j.opts.Processes, Output: j.opts.OutputLimit,
		},
	}
	inFile, outFile := p.Meta[dataset.MetaInputFile], p.Meta[dataset.MetaOutputFile]
	if inFile != "" && inFile != "stdin" {
		in.Files = map[string][]byte{inFile: []byte(t.Input)}
	}
	if outFile != "" && outFile != "stdout" {
		in.Collect = []string{outFile}
	}
	var r *sandbox.Result
	starvedRetries := 0
	for attempt := 0; ; attempt++ {
		j.active.Add(1)
		r, err = j.pool.Run(ctx, prog, in)
		j.active.Add(-1)
		if err == nil {
			*runs = append(*runs, r)
		}
		if err == nil && starved(r, pl.timeLimit) && starvedRetries < 2 {
			// Killed by the wall clock while computing, with CPU time
			// left: the machine is loaded. Run it again with more wall
			// time; the CPU limit is unchanged.
			starvedRetries++
			in.Limits.WallTime *= 2
			j.opts.Logger.Info("test run starved of CPU; running it again", "problem", p.ID, "cpu", r.CPUTime, "wall", r.WallTime)
			continue
		}
		if err == nil {
			break
		}
		if ctx.Err() != nil || errors.Is(err, sandbox.ErrInvalid) {
			return nil, "", err
		}
		if !sandbox.IsInfra(err) || attempt >= j.opts.Retries {
			return &TestResult{Verdict: verdict.SandboxError, Input: t.Input, Expected: t.Output, Message: err.Error()}, "", nil
		}
		j.opts.Logger.Warn("test run failed for sandbox reasons; retrying", "problem", p.ID, "attempt", attempt+1, "err", err)
		time.Sleep(time.Duration(attempt+1) * 50 * time.Millisecond)
	}
	stdout := string(r.Stdout)
	if outFile != "" && outFile != "stdout" {
		stdout = string(r.Files[outFile])
	}
	stderr := string(r.Stderr)
	if lang == sandbox.Python && r.Status == verdict.RuntimeError && isPythonCompileError(stderr) {
		return nil, stderr, nil
	}
	tr = &TestResult{
		Input: t.Input, Expected: t.Output,
		CPUTime: r.CPUTime, WallTime: r.WallTime, Memory: r.Memory,
		Message: r.Message,
	}
	var cut1, cut2 bool
	tr.Actual, cut1 = clip(stdout, j.opts.KeepOutput)
	tr.Stderr, cut2 = clip(stderr, j.opts.KeepOutput)
	tr.Truncated = cut1 || cut2
	switch r.Status {
	case verdict.OK:
		ok, detail := Check(pl.checker, stdout, t.Output)
		tr.Verdict = verdict.WrongAnswer
		if ok {
			tr.Verdict = verdict.Accepted
		}
		tr.Message = detail
	case verdict.RuntimeError, verdict.TimeLimit, verdict.MemoryLimit, verdict.OutputLimit:
		tr.Verdict = r.Status
		if lang == sandbox.Python {
			if tb := pythonTraceback(stderr); tb != "" {
				tr.Traceback, _ = clip(tb, j.opts.KeepOutput)
				tr.Error = lastLine(tb)
			}
		}
	default:
		tr.Verdict = verdict.SandboxError
		tr.Message = fmt.Sprintf("unexpected sandbox status %q: %s", r.Status, r.Message)
	}
	return tr, "", nil
}

// allTests gives every test of a suite (only the first when the suite
// stops on failure) the outcome in tmpl, for outcomes that concern the
// whole program: it did not compile, or could not be run or loaded.
func allTests(s resolvedSuite, tmpl TestResult) SuiteResult {
	tests := make([]TestResult, 0, len(s.tests))
	for k, t := range s.tests {
		tr := tmpl
		tr.Index, tr.Input, tr.Expected = s.indices[k], testInput(t), t.Output
		tests = append(tests, tr)
		if s.StopOnFailure {
			break
		}
	}
	return finishSuite(s.Name, len(s.tests), s.StopOnFailure, tests)
}

// testInput is what a test feeds the program: stdin or arguments, or the
// test code in assert mode.
func testInput(t dataset.Test) string {
	if t.Code != "" {
		return t.Code
	}
	return t.Input
}
