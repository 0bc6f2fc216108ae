package judge

import (
	"context"
	"crypto/rand"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/rlef/rlef/dataset"
	"github.com/rlef/rlef/sandbox"
	"github.com/rlef/rlef/verdict"
)

// harnessSource is the Python program that runs a solution's tests in one
// process (see harness.py).
//
//go:embed harness.py
var harnessSource string

// harnessJob is job.json, harness.py's instructions.
type harnessJob struct {
	Nonce      string  `json:"nonce"`
	Mode       string  `json:"mode"`
	Profile    string  `json:"profile,omitempty"`
	Wrap       string  `json:"wrap,omitempty"`
	Prelude    string  `json:"prelude,omitempty"`
	Entry      string  `json:"entry,omitempty"`
	Setup      string  `json:"setup,omitempty"`
	Adapter    string  `json:"adapter,omitempty"`
	Oracle     string  `json:"oracle,omitempty"`
	Atol       float64 `json:"atol"`
	Reference  bool    `json:"reference,omitempty"`
	Expected   string  `json:"expected,omitempty"`
	ASLimit    int64   `json:"as_limit,omitempty"`
	WallFactor float64 `json:"wall_factor"`
	MaxRepr    int     `json:"max_repr"`
	MaxStdout  int64   `json:"max_stdout"`
	LoadLimit  float64 `json:"load_limit"`
	// KeepStderr bounds the stderr a native test reports.
	KeepStderr int `json:"keep_stderr,omitempty"`
	// DigestMin: reference outputs that pickle to at least this many bytes
	// are replaced by digests where only exact equality can apply.
	DigestMin int64          `json:"digest_min,omitempty"`
	Suites    []harnessSuite `json:"suites"`
}

type harnessSuite struct {
	// Budget is the suite's CPU budget in seconds; 0 means none.
	Budget float64       `json:"budget,omitempty"`
	Stop   bool          `json:"stop,omitempty"`
	Tests  []harnessTest `json:"tests"`
}

type harnessTest struct {
	I    int     `json:"i"`
	In   string  `json:"in"`
	Out  *string `json:"out,omitempty"`
	X    *int    `json:"x,omitempty"`
	Code string  `json:"code,omitempty"`
	// T is the test's CPU limit in seconds.
	T      float64 `json:"t"`
	Render bool    `json:"render,omitempty"`
	Skip   bool    `json:"skip,omitempty"`
}

// harnessRun is one execution of harness.py.
type harnessRun struct {
	job   harnessJob
	files map[string][]byte
	// cpu is the CPU budget of the whole run; the wall-clock limit follows
	// from it.
	cpu     time.Duration
	memory  int64
	collect []string
	// output overrides the output (and file size) limit.
	output int64
	// wallScale multiplies the wall-clock limit (after a run was starved
	// of CPU by a loaded machine).
	wallScale float64
}

// harnessResult is what a run produced.
type harnessResult struct {
	out    harnessOutput
	result *sandbox.Result
	// infra is set when the sandbox failed every attempt.
	infra error
}

func newNonce() string {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		return fmt.Sprintf("n%x", time.Now().UnixNano())
	}
	return hex.EncodeToString(b[:])
}

// exec runs harness.py, retrying sandbox failures. The error is set only
// for cancellation and invalid requests.
func (j *Judge) exec(ctx context.Context, run *harnessRun) (*harnessResult, error) {
	run.job.Nonce = newNonce()
	run.job.WallFactor = j.opts.WallFactor
	run.job.MaxRepr = j.opts.MaxRepr
	run.job.MaxStdout = j.opts.OutputLimit
	jobJSON, err := json.Marshal(run.job)
	if err != nil {
		return nil, fmt.Errorf("encode harness job: %w", err)
	}
	files := map[string][]byte{"job.json": jobJSON}
	size := int64(len(jobJSON))
	for name, data := range run.files {
		files[name] = data
		size += int64(len(data))
	}
	// Reading the job and the expected values takes time too: allow two
	// seconds plus a second per 4 MB.
	cpu := run.cpu + 2*time.Second + time.Duration(size/(4<<20))*time.Second
	max := j.pool.MaxLimits()
	wall := j.opts.wall(cpu)
	if run.wallScale > 1 {
		wall = time.Duration(float64(wall) * run.wallScale)
	}
	if max.WallTime > 0 && wall > max.WallTime {
		wall = max.WallTime
	}
	if max.WallTime > 0 && cpu > max.WallTime {
		cpu = max.WallTime
	}
	memory := run.memory + size + 64<<20
	if max.Memory > 0 && memory > max.Memory {
		memory = max.Memory
	}
	output := j.opts.OutputLimit
	if run.output > 0 {
		output = run.output
	}
	if max.Output > 0 && output > max.Output {
		output = max.Output
	}
	in := sandbox.Input{
		Files:   files,
		Collect: run.collect,
		Limits: sandbox.Limits{
			CPUTime: cpu, WallTime: wall, Memory: memory,
			Processes: j.opts.Processes, Output: output,
		},
	}
	main, extra := j.harnessFiles(ctx)
	for name, data := range extra {
		files[name] = data
	}
	prog, err := j.pool.Compile(ctx, sandbox.Python, main)
	if err != nil {
		return nil, err
	}
	defer prog.Close()
	var last error
	for attempt := 0; attempt <= j.opts.Retries; attempt++ {
		if attempt > 0 {
			time.Sleep(time.Duration(attempt) * 50 * time.Millisecond)
		}
		j.active.Add(1)
		r, err := j.pool.Run(ctx, prog, in)
		j.active.Add(-1)
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, sandbox.ErrInvalid) {
				return nil, err
			}
			last = err
			j.opts.Logger.Warn("harness run failed for sandbox reasons", "attempt", attempt+1, "err", err)
			continue
		}
		out := parseHarnessOutput(r.Stdout, run.job.Nonce)
		if !out.started && r.Status == verdict.OK {
			// The harness did not even start: a sandbox problem.
			last = fmt.Errorf("harness produced no output (stderr: %q)", clipString(string(r.Stderr), 500))
			continue
		}
		return &harnessResult{out: out, result: r}, nil
	}
	return &harnessResult{infra: last}, nil
}

func clipString(s string, n int) string {
	c, _ := clip(s, n)
	return c
}

// judgeHarness judges function, class-method and assert problems, and
// wrapped stdio programs, in one harness run per sample.
func (j *Judge) judgeHarness(ctx context.Context, p *dataset.Problem, pl *plan, code string, suites []resolvedSuite) (*Result, error) {
	var ref *refData
	if p.ExpectedFromReference && pl.mode != "assert" && pl.mode != "stdio" {
		var err error
		if ref, err = j.reference(ctx, p, pl); err != nil {
			if ctx.Err() != nil {
				return nil, err
			}
			res := &Result{}
			for _, s := range suites {
				res.Suites = append(res.Suites, allTests(s, TestResult{Verdict: verdict.SandboxError,
					Message: "the expected outputs could not be computed: " + err.Error()}))
			}
			return res, nil
		}
	}
	run := &harnessRun{
		job: harnessJob{
			Mode: pl.mode, Profile: pl.profile, Wrap: pl.wrap, Prelude: pl.prelude,
			Entry: p.EntryPoint, Setup: p.Setup, Atol: p.Atol,
			Adapter: p.Meta[dataset.MetaArgsAdapter], Oracle: p.Meta[dataset.MetaEvalPlusOracle],
			ASLimit: max(pl.memory, 256<<20),
		},
		files:  map[string][]byte{"solution.py": []byte(code)},
		memory: max(pl.memory, 256<<20),
	}
	if ref != nil {
		run.files["expected.pkl"] = ref.Pickle
		run.job.Expected = "expected.pkl"
	}
	if pl.mode == "native" {
		// Each test's child gets the memory limit + 32 MiB of address
		// space; the run holds the harness, one child and its output files.
		run.job.ASLimit = pl.memory + 32<<20
		run.job.KeepStderr = j.opts.KeepOutput
		run.memory = pl.memory + 2*j.opts.OutputLimit + 128<<20
	}
	skipped := map[[2]int]string{} // (suite, k) -> why the test cannot be judged
	var maxLimit time.Duration
	for si, s := range suites {
		hs := harnessSuite{Stop: s.StopOnFailure, Tests: []harnessTest{}}
		var sum time.Duration
		for k, t := range s.tests {
			limit := pl.timeLimit
			ht := harnessTest{I: s.indices[k], In: t.Input, Code: t.Code, Render: !s.StopOnFailure}
			if ref != nil && t.Output == "" && pl.mode != "assert" {
				x := s.indices[k]
				if s.Kind == Private {
					x += len(p.Public)
				}
				ht.X = &x
				if x < len(ref.Times) {
					limit = j.evalPlusLimit(ref.Times[x])
				}
				if why, bad := ref.Errors[x]; bad {
					ht.Skip = true
					skipped[[2]int{si, k}] = why
				}
			} else if pl.mode == "call" || pl.mode == "method" {
				out := t.Output
				ht.Out = &out
			}
			ht.T = limit.Seconds()
			maxLimit = max(maxLimit, limit)
			sum += limit
			hs.Tests = append(hs.Tests, ht)
		}
		if pl.profile == profileEvalPlus {
			sum = min(sum, j.opts.EvalPlus.SuiteTimeLimit)
		}
		hs.Budget = sum.Seconds()
		run.job.Suites = append(run.job.Suites, hs)
	}
	run.job.LoadLimit = max(maxLimit, time.Second).Seconds()

	all := append([]harnessSuite(nil), run.job.Suites...)
	st := newSuiteState(suites, skipped)
	// Where each suite's next run starts, and how many tests it takes.
	// Suites that stop at their first failure and whose failures only Go
	// can tell (stdio output is compared here, not in the sandbox) run in
	// growing chunks (1, 4, 16, ... tests), so that a wrong program costs
	// one run and a right one a few.
	offset := make([]int, len(suites))
	chunk := make([]int, len(suites))
	for si, s := range suites {
		chunk[si] = len(s.tests)
		if pl.chunked && s.StopOnFailure {
			chunk[si] = 1
		}
	}
	starvedRetries := 0
	// One run normally does everything. When the process dies (a crash, the
	// memory limit, the overall time limit), the rest of the tests it was
	// running in that suite get that verdict, and suites it had not started
	// run again in a new process, as EvalPlus runs its base and plus tests
	// in separate ones.
	for {
		var pending []int
		for si := range suites {
			if !st.complete[si] {
				pending = append(pending, si)
			}
		}
		if len(pending) == 0 {
			break
		}
		parts := j.splitRuns(pl, pending, offset, chunk, all)
		hrs := make([]*harnessResult, len(parts))
		errs := make([]error, len(parts))
		var wg sync.WaitGroup
		for n := range parts {
			wg.Add(1)
			go func() {
				defer wg.Done()
				pr := *run
				pr.job.Suites, pr.cpu = parts[n].jobSuites(all, maxLimit)
				hrs[n], errs[n] = j.exec(ctx, &pr)
			}()
		}
		wg.Wait()
		starvedNow := false
		for n, pt := range parts {
			if errs[n] != nil {
				return nil, errs[n]
			}
			hr := hrs[n]
			st.res.addRun(hr.result)
			if res := st.wholeRun(hr, pending); res != nil {
				return res, nil
			}
			before := st.missingIn(pt)
			st.record(j, pl, hr, pt.suites, pt.starts)
			_, cpu := pt.jobSuites(all, maxLimit)
			switch {
			case hr.out.done:
				if after := st.missingIn(pt); after == before && before > 0 {
					// A finished run that reported nothing: do not ask again.
					st.fillWindow(pt, TestResult{Verdict: verdict.RuntimeError, Message: "the test harness reported no result for this test"})
				}
			case starved(hr.result, cpu) && starvedRetries < 2:
				// Killed by the wall clock while still computing, with CPU
				// budget left: the machine is loaded, not the program slow.
				starvedNow = true
				j.opts.Logger.Info("harness run starved of CPU; running its unfinished tests again", "problem", p.ID, "cpu", hr.result.CPUTime, "wall", hr.result.WallTime)
			default:
				st.afterDeath(j, hr, pt)
			}
		}
		if starvedNow {
			starvedRetries++
			run.wallScale = float64(int(1) << starvedRetries)
		}
		for si := range suites {
			offset[si] = st.firstMissing(si)
			if offset[si] >= len(suites[si].tests) {
				st.complete[si] = true
			}
			chunk[si] *= 4
		}
	}
	return st.result(), nil
}

// runPart is one sandbox run of a round: windows [starts, ends) of some
// suites.
type runPart struct {
	suites, starts, ends []int
}

// splitRuns plans a round's sandbox runs: normally one run for every
// pending suite's window; a large window of a chunked suite (independent
// stdio tests) is split over the pool's idle slots so that one sample's
// tests run in parallel.
func (j *Judge) splitRuns(pl *plan, pending, offset, chunk []int, all []harnessSuite) []runPart {
	if !pl.chunked {
		pt := runPart{}
		for _, si := range pending {
			pt.suites = append(pt.suites, si)
			pt.starts = append(pt.starts, offset[si])
			pt.ends = append(pt.ends, min(offset[si]+chunk[si], len(all[si].Tests)))
		}
		return []runPart{pt}
	}
	const minPiece = 16
	var parts []runPart
	for _, si := range pending {
		from := offset[si]
		to := min(from+chunk[si], len(all[si].Tests))
		// Only idle slots are worth it: when the pool is busy with other
		// samples, a split only adds runs.
		idle := j.pool.Slots() - int(j.active.Load())
		pieces := max(1, min(idle, (to-from)/minPiece))
		for n := 0; n < pieces; n++ {
			a := from + (to-from)*n/pieces
			b := from + (to-from)*(n+1)/pieces
			parts = append(parts, runPart{suites: []int{si}, starts: []int{a}, ends: []int{b}})
		}
	}
	return parts
}

// jobSuites returns the part's harness suites and its CPU budget.
func (pt runPart) jobSuites(all []harnessSuite, maxLimit time.Duration) ([]harnessSuite, time.Duration) {
	var out []harnessSuite
	var cpu time.Duration
	for n, si := range pt.suites {
		hs := all[si]
		from, to := pt.starts[n], pt.ends[n]
		hs.Tests = hs.Tests[from:to]
		if from > 0 || to < len(all[si].Tests) {
			hs.Budget = 0
			for _, t := range hs.Tests {
				hs.Budget += t.T
			}
		}
		out = append(out, hs)
		cpu += time.Duration(hs.Budget*float64(time.Second)) + time.Duration(len(hs.Tests))*perTestOverhead
	}
	return out, cpu + max(maxLimit, time.Second)
}

// perTestOverhead is the CPU a harness spends around each test (decoding,
// forking, reporting), added to the run's CPU limit.
const perTestOverhead = 20 * time.Millisecond

// suiteState collects the results of one sample's suites over harness
// runs.
type suiteState struct {
	suites   []resolvedSuite
	results  [][]*TestResult
	complete []bool
	res      *Result
}

func newSuiteState(suites []resolvedSuite, skipped map[[2]int]string) *suiteState {
	st := &suiteState{suites: suites, results: make([][]*TestResult, len(suites)), complete: make([]bool, len(suites)), res: &Result{}}
	for si, s := range suites {
		st.results[si] = make([]*TestResult, len(s.tests))
		for k := range s.tests {
			if why, bad := skipped[[2]int{si, k}]; bad {
				st.results[si][k] = &TestResult{Index: s.indices[k], Verdict: verdict.SandboxError, Input: testInput(s.tests[k]),
					Message: "the reference solution failed on this test, so it has no expected value: " + why}
			}
		}
	}
	return st
}

// wholeRun handles outcomes that concern every pending suite alike: the
// sandbox failed, or the solution could not be loaded. It returns the
// final result then, else nil.
func (st *suiteState) wholeRun(hr *harnessResult, pending []int) *Result {
	var tmpl TestResult
	switch {
	case hr.infra != nil:
		tmpl = TestResult{Verdict: verdict.SandboxError, Message: hr.infra.Error()}
	case hr.out.load != nil:
		load := hr.out.load
		tmpl = TestResult{Verdict: harnessVerdicts[load.V], Error: load.X, Traceback: load.TB}
		switch tmpl.Verdict {
		case verdict.CompileError:
			st.res.Compile = &Compile{Verdict: verdict.CompileError, Message: firstNonEmpty(load.TB, load.X)}
			tmpl.Message = "the program did not compile"
		case verdict.TimeLimit:
			tmpl.Message = "loading the program took too long"
		default:
			tmpl.Message = "the program failed while loading, before any test ran"
		}
	default:
		return nil
	}
	for _, si := range pending {
		for k, tr := range allTests(st.suites[si], tmpl).Tests {
			if st.results[si][k] == nil {
				t := tr
				st.results[si][k] = &t
			}
		}
		st.complete[si] = true
	}
	return st.result()
}

// record stores a run's test and skip events; suite positions in the run
// are positions in pending, and test positions count from starts.
func (st *suiteState) record(j *Judge, pl *plan, hr *harnessResult, pending, starts []int) {
	for i := range hr.out.tests {
		ev := &hr.out.tests[i]
		if ev.S >= len(pending) {
			continue
		}
		si := pending[ev.S]
		s := &st.suites[si]
		k := starts[ev.S] + ev.K
		if k >= len(s.tests) || st.results[si][k] != nil {
			continue
		}
		tr := j.testResult(pl, s.tests[k], ev)
		tr.Index = s.indices[k]
		st.results[si][k] = tr
		if s.StopOnFailure && !tr.Verdict.Passed() {
			st.complete[si] = true
		}
	}
	for _, ev := range hr.out.skips {
		if ev.S >= len(pending) {
			continue
		}
		si := pending[ev.S]
		st.complete[si] = true
		for k := starts[ev.S] + ev.K; k < len(st.results[si]); k++ {
			if st.results[si][k] == nil {
				t := st.suites[si].tests[k]
				st.results[si][k] = &TestResult{Index: st.suites[si].indices[k], Verdict: verdict.TimeLimit,
					Input: testInput(t), Expected: t.Output, Message: ev.X}
			}
		}
	}
	for _, si := range pending {
		if st.firstMissing(si) >= len(st.results[si]) {
			st.complete[si] = true
		}
	}
}

// firstMissing is the position of a suite's first test without a result.
func (st *suiteState) firstMissing(si int) int {
	for k, tr := range st.results[si] {
		if tr == nil {
			return k
		}
	}
	return len(st.results[si])
}

// afterDeath gives the unfinished tests of the window a dead process was
// running the verdict of its death; suites it had not started stay
// incomplete, to run again.
func (st *suiteState) afterDeath(j *Judge, hr *harnessResult, pt runPart) {
	r := hr.result
	v, why := r.Status, r.Message
	switch r.Status {
	case verdict.TimeLimit:
		why = "the tests together exceeded their time limit: " + r.Message
	case verdict.MemoryLimit, verdict.OutputLimit, verdict.RuntimeError:
	default:
		v = verdict.RuntimeError
		why = fmt.Sprintf("the process ended (exit code %d) before finishing the tests", r.ExitCode)
	}
	if hr.out.fatal != "" {
		v, why = verdict.RuntimeError, "the test harness failed (the solution may have interfered with it): "+lastLine(hr.out.fatal)
		j.opts.Logger.Warn("judge harness failed", "traceback", hr.out.fatal)
	}
	for n, si := range pt.suites {
		s := &st.suites[si]
		if st.complete[si] {
			continue
		}
		running := true
		for k := pt.starts[n]; k < pt.ends[n]; k++ {
			if st.results[si][k] != nil {
				continue
			}
			msg := "not run: the process died during an earlier test; " + why
			if running {
				msg = "the process died during this test: " + why
				running = false
			}
			st.results[si][k] = &TestResult{Index: s.indices[k], Verdict: v, Input: testInput(s.tests[k]), Expected: s.tests[k].Output,
				Message: msg, Memory: r.Memory}
		}
		if !running {
			if s.StopOnFailure {
				st.complete[si] = true
			}
			return
		}
	}
}

// missingIn counts the tests of a part's windows without a result.
func (st *suiteState) missingIn(pt runPart) int {
	n := 0
	for i, si := range pt.suites {
		for k := pt.starts[i]; k < pt.ends[i]; k++ {
			if st.results[si][k] == nil {
				n++
			}
		}
	}
	return n
}

// fillWindow gives the tests of a part's windows that have no result the
// outcome in tmpl.
func (st *suiteState) fillWindow(pt runPart, tmpl TestResult) {
	for i, si := range pt.suites {
		s := &st.suites[si]
		for k := pt.starts[i]; k < pt.ends[i]; k++ {
			if st.results[si][k] == nil {
				tr := tmpl
				tr.Index, tr.Input, tr.Expected = s.indices[k], testInput(s.tests[k]), s.tests[k].Output
				st.results[si][k] = &tr
			}
		}
	}
}

// starved reports whether a run was killed by the wall clock while it was
// still computing and had CPU budget left: the machine was too loaded.
func starved(r *sandbox.Result, cpuLimit time.Duration) bool {
	return r != nil && r.Status == verdict.TimeLimit && r.CPUTime < cpuLimit*9/10 && r.CPUTime*10 >= r.WallTime
}

// result assembles the suite results.
func (st *suiteState) result() *Result {
	st.res.Suites = st.res.Suites[:0]
	for si, s := range st.suites {
		var tests []TestResult
		for _, tr := range st.results[si] {
			if tr != nil {
				tests = append(tests, *tr)
			}
		}
		st.res.Suites = append(st.res.Suites, finishSuite(s.Name, len(s.tests), s.StopOnFailure, tests))
	}
	return st.res
}

// testResult converts a test event.
func (j *Judge) testResult(pl *plan, t dataset.Test, ev *harnessEvent) *TestResult {
	tr := &TestResult{
		Verdict:        harnessVerdicts[ev.V],
		Input:          testInput(t),
		Error:          ev.X,
		Traceback:      ev.TB,
		Assertion:      ev.A,
		AssertionError: ev.M,
		CPUTime:        time.Duration(ev.C * float64(time.Second)),
		WallTime:       time.Duration(ev.W * float64(time.Second)),
	}
	if ev.E != nil {
		tr.Expected = *ev.E
	} else if pl.mode == "stdio" || pl.mode == "native" || t.Output != "" {
		tr.Expected = t.Output
	}
	if ev.O != nil {
		tr.Actual = *ev.O
	}
	switch tr.Verdict {
	case verdict.TimeLimit:
		tr.Message = "took too long"
	case verdict.MemoryLimit:
		tr.Message = "ran out of memory"
	}
	if pl.mode == "native" {
		tr.Memory = ev.Mem
		if ev.SE != nil {
			tr.Stderr = *ev.SE
			if tb := pythonTraceback(tr.Stderr); tb != "" {
				tr.Traceback, tr.Error = tb, lastLine(tb)
			}
		}
		switch {
		case tr.Verdict == verdict.TimeLimit:
		case ev.Sig != 0:
			tr.Message = fmt.Sprintf("killed by signal %d", ev.Sig)
		case ev.Code != nil && *ev.Code != 0:
			tr.Message = fmt.Sprintf("exit code %d", *ev.Code)
		}
	}
	if (pl.mode == "stdio" || pl.mode == "native") && ev.SO != nil {
		stdout := *ev.SO
		tr.Actual, tr.Truncated = clip(stdout, j.opts.KeepOutput)
		if tr.Verdict == verdict.OK {
			ok, detail := Check(pl.checker, stdout, t.Output)
			tr.Verdict, tr.Message = verdict.WrongAnswer, detail
			if ok {
				tr.Verdict = verdict.Accepted
			}
		}
	} else if tr.Verdict == verdict.OK {
		tr.Verdict = verdict.Accepted
	}
	if pl.mode == "assert" && tr.Verdict == verdict.WrongAnswer && tr.Assertion == "" {
		tr.Assertion = t.Code
	}
	return tr
}
