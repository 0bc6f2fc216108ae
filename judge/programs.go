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

// programRun judges one sample of a stdin/stdout problem: the program runs
// as a fresh process per test (a sandbox batch run), and its stdout is
// compared here, by the problem's checker. Tests are handed out in chunks
// to up to one worker per slot; a suite that stops at its first failure
// gets no test after it.
type programRun struct {
	j    *Judge
	p    *dataset.Problem
	pl   *plan
	prog *sandbox.Program
	lang sandbox.Language

	mu       sync.Mutex
	tl       *tally
	queue    []testRef
	next     int
	syntax   string // a Python program that did not compile
	fatalErr error  // cancellation or an invalid request
}

// testRef names test k of suite si.
type testRef struct{ si, k int }

// chunkSize bounds the tests one batch run takes: small enough that
// workers share a sample's tests, large enough to save the hand-offs.
const chunkSize = 8

// judgePrograms judges stdio problems.
func (j *Judge) judgePrograms(ctx context.Context, p *dataset.Problem, pl *plan, lang sandbox.Language, code string, suites []resolvedSuite) (*Result, error) {
	tl := newTally(suites)
	prog, err := j.compile(ctx, lang, code)
	if err != nil {
		if ctx.Err() != nil || errors.Is(err, sandbox.ErrInvalid) {
			return nil, err
		}
		// The compiler could not be run: nothing is known about the program.
		tl.fillAll(TestResult{Verdict: verdict.SandboxError, Message: "sandbox error while compiling: " + err.Error()})
		return tl.result(), nil
	}
	defer prog.Close()
	if prog.Compile != nil {
		if !prog.Cached {
			tl.res.addRun(prog.Compile)
		}
		tl.res.Compile = &Compile{Verdict: prog.Compile.Status, Time: prog.Compile.WallTime, Cached: prog.Cached}
		if !prog.OK() {
			tl.res.Compile.Verdict = verdict.CompileError
			tl.res.Compile.Message = compilerMessage(prog.Compile)
			tl.fillAll(TestResult{Verdict: verdict.CompileError, Message: "the program did not compile", Stderr: tl.res.Compile.Message})
			return tl.result(), nil
		}
	}
	pr := &programRun{j: j, p: p, pl: pl, prog: prog, lang: lang, tl: tl}
	for si, s := range suites {
		for k := range s.tests {
			pr.queue = append(pr.queue, testRef{si, k})
		}
	}
	var wg sync.WaitGroup
	for w := 0; w < min(j.sb.Slots(), len(pr.queue)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for chunk := pr.take(); len(chunk) > 0; chunk = pr.take() {
				pr.runChunk(ctx, chunk)
			}
		}()
	}
	wg.Wait()
	if pr.fatalErr != nil {
		return nil, pr.fatalErr
	}
	if pr.syntax != "" {
		tl.res.Compile = &Compile{Verdict: verdict.CompileError, Message: pr.syntax}
		for si := range tl.results {
			clear(tl.results[si])
		}
		tl.fillAll(TestResult{Verdict: verdict.CompileError, Message: "the program did not compile", Stderr: pr.syntax})
	}
	return tl.result(), nil
}

// take hands out the next chunk: consecutive tests of one suite that
// still needs them.
func (pr *programRun) take() []testRef {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	var chunk []testRef
	for pr.next < len(pr.queue) && len(chunk) < chunkSize {
		t := pr.queue[pr.next]
		if pr.fatalErr != nil || pr.syntax != "" {
			return nil
		}
		if len(chunk) > 0 && t.si != chunk[0].si {
			break
		}
		pr.next++
		if !pr.tl.needed(t.si, t.k) {
			continue
		}
		chunk = append(chunk, t)
	}
	return chunk
}

// runChunk runs a chunk as one batch, and tests it could not run (or
// that a loaded machine starved of CPU) again.
func (pr *programRun) runChunk(ctx context.Context, chunk []testRef) {
	attempts := 0
	scale := map[testRef]time.Duration{}
	for len(chunk) > 0 {
		inputs := make([]sandbox.Input, len(chunk))
		for i, t := range chunk {
			inputs[i] = pr.input(pr.tl.suites[t.si].tests[t.k])
			if s := scale[t]; s > 1 {
				inputs[i].Limits.WallTime *= s
			}
		}
		var again []testRef
		n, err := pr.j.sb.Batch(ctx, pr.prog, inputs, func(i int, r *sandbox.Result) bool {
			t := chunk[i]
			if starved(r, inputs[i].Limits.CPUTime) && scale[t] < 4 {
				// Killed by the wall clock while computing, with CPU time
				// left: the machine is loaded. Run it again with more wall
				// time; the CPU limit is unchanged.
				scale[t] = max(scale[t], 1) * 2
				pr.j.opts.Logger.Info("test run starved of CPU; running it again", "problem", pr.p.ID, "cpu", r.CPUTime, "wall", r.WallTime)
				again = append(again, t)
				return true
			}
			return pr.keep(t, pr.judge(chunk[i], r))
		})
		if err != nil && n < len(chunk) {
			// The batch stopped without a result for chunk[n]: try it and
			// the rest again.
			if !pr.failed(err, chunk[n], &attempts) {
				return
			}
			again = append(again, chunk[n:]...)
		}
		chunk = again
	}
}

// input is a test's run.
func (pr *programRun) input(t dataset.Test) sandbox.Input {
	j, pl := pr.j, pr.pl
	in := sandbox.Input{
		Stdin: []byte(t.Input),
		Limits: sandbox.Limits{
			CPUTime: pl.timeLimit, WallTime: j.opts.wall(pl.timeLimit),
			Memory: pl.memory, Processes: j.opts.Processes, Output: j.opts.OutputLimit,
		},
	}
	if f := pr.p.Judging.InputFile; f != "" && f != "stdin" {
		in.Stdin, in.Files = nil, map[string][]byte{f: []byte(t.Input)}
	}
	if f := pr.p.Judging.OutputFile; f != "" && f != "stdout" {
		in.Collect = []string{f}
	}
	return in
}

// failed handles a batch that stopped without a result for test t:
// cancellation ends the sample; a sandbox failure is tried again, then
// reported as sandbox_error. It reports whether to go on.
func (pr *programRun) failed(err error, t testRef, attempts *int) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, sandbox.ErrInvalid) {
		pr.mu.Lock()
		pr.fatalErr = err
		pr.mu.Unlock()
		return false
	}
	*attempts++
	if *attempts <= pr.j.opts.Retries {
		pr.j.opts.Logger.Warn("test run failed for sandbox reasons; retrying", "problem", pr.p.ID, "attempt", *attempts, "err", err)
		time.Sleep(time.Duration(*attempts) * 50 * time.Millisecond)
		return true
	}
	pr.keep(t, &TestResult{Verdict: verdict.SandboxError, Expected: pr.tl.suites[t.si].tests[t.k].Output, Message: err.Error()})
	return true
}

// keep records a test's result; false means the rest of the batch (the
// tests after t in its suite) is not needed.
func (pr *programRun) keep(t testRef, tr *TestResult) bool {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	if tr == nil {
		return false
	}
	pr.tl.record(t.si, t.k, tr)
	return pr.tl.needed(t.si, t.k+1) && pr.syntax == ""
}

// judge turns a run into the test's result; nil for a Python program
// that did not compile.
func (pr *programRun) judge(t testRef, r *sandbox.Result) *TestResult {
	pr.mu.Lock()
	pr.tl.res.addRun(r)
	pr.mu.Unlock()
	stdout, stderr := string(r.Stdout), string(r.Stderr)
	if f := pr.p.Judging.OutputFile; f != "" && f != "stdout" {
		stdout = string(r.Files[f])
	}
	if pr.lang == sandbox.Python && r.Status == verdict.RuntimeError && isPythonCompileError(stderr) {
		pr.mu.Lock()
		pr.syntax = stderr
		pr.mu.Unlock()
		return nil
	}
	return pr.j.programResult(pr.pl, pr.lang, pr.tl.suites[t.si].tests[t.k], r, stdout, stderr)
}

// programResult judges one run of a stdio program.
func (j *Judge) programResult(pl *plan, lang sandbox.Language, t dataset.Test, r *sandbox.Result, stdout, stderr string) *TestResult {
	tr := &TestResult{Input: t.Input, Expected: t.Output, CPUTime: r.CPUTime, WallTime: r.WallTime, Memory: r.Memory, Message: r.Message}
	var cut1, cut2 bool
	tr.Actual, cut1 = clip(stdout, j.opts.KeepOutput)
	tr.Stderr, cut2 = clip(stderr, j.opts.KeepOutput)
	tr.Truncated = cut1 || cut2
	switch r.Status {
	case verdict.OK:
		ok, detail := Check(pl.checker, stdout, t.Output)
		tr.Verdict, tr.Message = verdict.WrongAnswer, detail
		if ok {
			tr.Verdict = verdict.Accepted
		}
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
	return tr
}

// starved reports whether a run was killed by the wall clock while it was
// still computing and had CPU time left: the machine was too loaded.
func starved(r *sandbox.Result, cpuLimit time.Duration) bool {
	return r != nil && r.Status == verdict.TimeLimit && r.CPUTime < cpuLimit*9/10 && r.CPUTime*10 >= r.WallTime
}

// compile prepares a program, retrying sandbox failures.
func (j *Judge) compile(ctx context.Context, lang sandbox.Language, code string) (*sandbox.Program, error) {
	var err error
	for attempt := 0; attempt <= j.opts.Retries; attempt++ {
		var prog *sandbox.Program
		prog, err = j.sb.Compile(ctx, lang, code)
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

// testInput is what a test feeds the program: stdin or arguments, or the
// test code in assert mode.
func testInput(t dataset.Test) string {
	if t.Code != "" {
		return t.Code
	}
	return t.Input
}
