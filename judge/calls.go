package judge

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/rlef/rlef/dataset"
	"github.com/rlef/rlef/pyvalue"
	"github.com/rlef/rlef/sandbox"
	"github.com/rlef/rlef/verdict"
)

// callRun judges one sample of a function, class-method or wrapped stdio
// problem: the solution is loaded once in a session and sent one test
// after another. The runner in the session returns what the solution
// returned (or printed); every comparison happens here.
type callRun struct {
	j     *Judge
	p     *dataset.Problem
	pl    *plan
	tl    *tally
	pr    *prepared
	ref   *refData
	load  []byte
	spec  sandbox.SessionSpec
	limit time.Duration // loading
	cur   *loaded
}

// judgeCalls judges function-call and wrapped stdio problems.
func (j *Judge) judgeCalls(ctx context.Context, p *dataset.Problem, pl *plan, code string, suites []resolvedSuite) (*Result, error) {
	cr := &callRun{j: j, p: p, pl: pl, tl: newTally(suites), spec: j.sessionSpec(pl, runnerProc)}
	if pl.mode != "stdio" {
		cr.pr = j.prepare(p)
		if p.ExpectedFromReference {
			ref, err := j.reference(ctx, p, pl)
			if err != nil {
				if ctx.Err() != nil {
					return nil, err
				}
				cr.tl.fillAll(TestResult{Verdict: verdict.SandboxError, Message: "the expected outputs could not be computed: " + err.Error()})
				return cr.tl.result(), nil
			}
			cr.ref = ref
		}
	}
	job := loadJob{Mode: pl.mode, Source: code, Entry: p.EntryPoint, Setup: p.Setup, Wrap: pl.wrap(), Prelude: pl.prelude(), Profile: string(pl.grader), ASLimit: max(pl.memory, 256<<20)}
	if p.Judging.Oracle == dataset.OracleNotNone {
		job.Reduce = "not_none"
	}
	if pl.mode != "stdio" {
		job.Wrap = ""
	}
	job.Digest = digestsServe(p)
	var err error
	if cr.load, err = jsonFrame(msgLoad, job); err != nil {
		return nil, err
	}
	cr.limit = max(j.maxLimit(cr), time.Second)
	defer cr.close()
	for si := range suites {
		if err := cr.suite(ctx, si); err != nil {
			return nil, err
		}
		if cr.tl.res.Compile != nil {
			break
		}
	}
	return cr.tl.result(), nil
}

// maxLimit is the largest per-test limit of a run.
func (j *Judge) maxLimit(cr *callRun) time.Duration {
	m := cr.pl.timeLimit
	if cr.ref != nil {
		for _, t := range cr.ref.Times {
			m = max(m, j.evalPlusLimit(t))
		}
	}
	return m
}

// suite runs one suite's tests, in order.
func (cr *callRun) suite(ctx context.Context, si int) error {
	s := &cr.tl.suites[si]
	if cr.pl.grader == dataset.GraderEvalPlus && si > 0 {
		// EvalPlus runs each suite in a process of its own: a fresh module.
		cr.close()
	}
	budget := cr.suiteBudget(s)
	state := cr.j.newCompareState(cr.p, cr.pl)
	for k := range s.tests {
		if cr.tl.stopped(si) {
			break
		}
		x := testNumber(cr.p, s, k)
		if why, bad := cr.unusable(x); bad {
			cr.tl.record(si, k, &TestResult{Verdict: verdict.SandboxError, Message: why})
			continue
		}
		limit := cr.testLimit(x)
		if budget.set {
			if budget.left <= 0 {
				cr.tl.fill(si, k, TestResult{Verdict: verdict.TimeLimit,
					Message: fmt.Sprintf("the suite's time budget of %s was used up", budget.total)})
				return nil
			}
			limit = min(limit, budget.left)
		}
		tr, stop, err := cr.testPatiently(ctx, si, k, x, limit, state)
		if err != nil {
			return err
		}
		if stop {
			return nil
		}
		budget.left -= tr.CPUTime
		cr.tl.record(si, k, tr)
	}
	return nil
}

// budget is a suite's total CPU time (EvalPlus's per-task time-out).
type budget struct {
	set         bool
	total, left time.Duration
}

func (cr *callRun) suiteBudget(s *resolvedSuite) budget {
	if cr.pl.grader != dataset.GraderEvalPlus {
		return budget{}
	}
	var sum time.Duration
	for k := range s.tests {
		sum += cr.testLimit(testNumber(cr.p, s, k))
	}
	b := min(sum, cr.j.opts.EvalPlus.SuiteTimeLimit)
	return budget{set: true, total: b, left: b}
}

// testLimit is a test's CPU-time limit: EvalPlus's rule where a reference
// solution timed the test, else the problem's limit.
func (cr *callRun) testLimit(x int) time.Duration {
	if cr.ref != nil && x < len(cr.ref.Times) {
		return cr.j.evalPlusLimit(cr.ref.Times[x])
	}
	return cr.pl.timeLimit
}

// unusable explains why test x cannot be judged, if it cannot.
func (cr *callRun) unusable(x int) (string, bool) {
	if cr.pr != nil {
		if why, bad := cr.pr.bad[x]; bad {
			return "the test cannot be used: " + why, true
		}
	}
	if cr.ref != nil {
		if why, bad := cr.ref.Errors[x]; bad {
			return "the reference solution failed on this test, so it has no expected value: " + why, true
		}
	}
	return "", false
}

// session returns the loaded session, starting one when needed. A failed
// load gives every remaining test its outcome, and stop.
func (cr *callRun) session(ctx context.Context, si, k int) (*loaded, bool, error) {
	if cr.cur != nil {
		return cr.cur, false, nil
	}
	l, lf, err := cr.j.startLoaded(ctx, cr.spec, cr.load, cr.limit, cr.tl.res)
	if err != nil {
		return nil, true, err
	}
	if lf != nil {
		cr.failRest(si, k, lf)
		return nil, true, nil
	}
	cr.cur = l
	return l, false, nil
}

// failRest gives every test from (si, k) on the outcome of a failed load.
func (cr *callRun) failRest(si, k int, lf *loadFailure) {
	tmpl := TestResult{Verdict: verdict.SandboxError}
	if lf.fail != nil {
		tmpl = *lf.fail
	} else {
		tmpl.Message = "sandbox error: " + lf.err.Error()
	}
	if tmpl.Verdict == verdict.CompileError {
		cr.tl.res.Compile = &Compile{Verdict: verdict.CompileError, Message: firstNonEmpty(tmpl.Traceback, tmpl.Error)}
	}
	cr.tl.fill(si, k, tmpl)
	for sj := si + 1; sj < len(cr.tl.suites); sj++ {
		cr.tl.fill(sj, 0, tmpl)
	}
}

// test runs one test. stop reports that the rest of the run got its
// outcome (the solution could not be loaded).
// testPatiently runs a test, and runs it again (in a new session, since
// a time-out ends one) with two and then four times the wall-clock
// backstop when a loaded machine stopped it by the wall clock while it
// was computing with CPU time left, as stdio runs are. A program that
// sleeps instead of computing is not run again.
func (cr *callRun) testPatiently(ctx context.Context, si, k, x int, limit time.Duration, state *compareState) (*TestResult, bool, error) {
	for scale := 1.0; ; scale *= 2 {
		tr, stop, err := cr.test(ctx, si, k, x, limit, scale, state)
		if err != nil || stop || scale >= 4 || !starvedTest(tr, limit) {
			return tr, stop, err
		}
		cr.j.opts.Logger.Info("test call starved of CPU; running it again", "problem", cr.p.ID, "cpu", tr.CPUTime, "wall", tr.WallTime)
	}
}

// starvedTest reports whether a test ended by the wall clock while it
// was computing, with CPU time left.
func starvedTest(tr *TestResult, cpuLimit time.Duration) bool {
	return tr != nil && tr.Verdict == verdict.TimeLimit && tr.CPUTime < cpuLimit*9/10 && tr.CPUTime*10 >= tr.WallTime
}

func (cr *callRun) test(ctx context.Context, si, k, x int, limit time.Duration, wallScale float64, state *compareState) (*TestResult, bool, error) {
	l, stop, err := cr.session(ctx, si, k)
	if stop || err != nil {
		return nil, true, err
	}
	t := cr.tl.suites[si].tests[k]
	req := frame(msgStdio, []byte(t.Input))
	if cr.pl.mode != "stdio" {
		req = callFrame("", cr.pr.argBytes[x])
	}
	step := cr.j.step(limit)
	step.WallFactor *= wallScale
	reply, res, err := l.sess.Conn(0).Exchange(ctx, req, step)
	if err != nil {
		if ctx.Err() != nil {
			return nil, false, ctx.Err()
		}
		cr.cur = nil
		tr := cr.j.ended(l.sess, err, 0)
		tr.CPUTime, tr.WallTime = res.CPU, res.Wall
		cr.describeCall(tr, x, nil)
		return tr, false, nil
	}
	tr := &TestResult{CPUTime: res.CPU, WallTime: res.Wall}
	if cr.pl.mode == "stdio" {
		cr.stdioReply(tr, t, reply)
	} else {
		cr.callReply(tr, si, x, reply, state)
	}
	if tr.Verdict == verdict.RuntimeError && tr.Message == protocolBroken {
		l.sess.Kill()
		l.sess.Close()
		cr.cur = nil
	}
	return tr, false, nil
}

// protocolBroken explains a reply that is not one the runner sends.
const protocolBroken = "the program broke the judge's protocol (it wrote over the runner's replies)"

// callReply judges a function test's reply.
func (cr *callRun) callReply(tr *TestResult, si, x int, reply []byte, state *compareState) {
	if len(reply) == 0 {
		tr.Verdict, tr.Message = verdict.RuntimeError, protocolBroken
		return
	}
	switch reply[0] {
	case replyValue:
		out, err := pyvalue.DecodeMarshal(reply[1:], valueLimits)
		if err != nil {
			tr.Verdict, tr.Message = verdict.WrongAnswer, "the return value is not plain data: "+err.Error()
			break
		}
		cr.compare(tr, si, x, out, state)
		return
	case replyDigest:
		var d digest
		if err := json.Unmarshal(reply[1:], &d); err != nil {
			tr.Verdict, tr.Message = verdict.RuntimeError, protocolBroken
			return
		}
		cr.compareDigest(tr, x, nil, &d)
		return
	case replyNotData:
		tr.Verdict = verdict.WrongAnswer
		tr.Message = "the return value is " + string(reply[1:]) + "; only plain data (builtin types) is compared"
	case replyRaised:
		var f failure
		if err := json.Unmarshal(reply[1:], &f); err != nil {
			tr.Verdict, tr.Message = verdict.RuntimeError, protocolBroken
			return
		}
		tr.Verdict = verdictNamed(f.Verdict)
		if tr.Verdict != verdict.MemoryLimit {
			tr.Verdict = verdict.RuntimeError
		}
		tr.Error, tr.Traceback = f.Error, f.Traceback
		if tr.Verdict == verdict.MemoryLimit {
			tr.Message = "ran out of memory"
		}
	default:
		tr.Verdict, tr.Message = verdict.RuntimeError, protocolBroken
		return
	}
	cr.describeCall(tr, x, nil)
}

// stdioReply judges a wrapped stdio program's reply: its output, compared
// here by the problem's checker.
func (cr *callRun) stdioReply(tr *TestResult, t dataset.Test, reply []byte) {
	tr.Expected = t.Output
	if len(reply) == 0 {
		tr.Verdict, tr.Message = verdict.RuntimeError, protocolBroken
		return
	}
	switch reply[0] {
	case replyOK:
		stdout := string(reply[1:])
		tr.Actual, tr.Truncated = clip(stdout, cr.j.opts.KeepOutput)
		if int64(len(stdout)) > cr.j.opts.OutputLimit {
			tr.Verdict, tr.Message = verdict.OutputLimit, "printed more than the output limit"
			return
		}
		ok, detail := Check(cr.pl.checker, stdout, t.Output)
		tr.Verdict, tr.Message = verdict.WrongAnswer, detail
		if ok {
			tr.Verdict = verdict.Accepted
		}
	case replyRaised:
		var f failure
		if err := json.Unmarshal(reply[1:], &f); err != nil {
			tr.Verdict, tr.Message = verdict.RuntimeError, protocolBroken
			return
		}
		tr.Verdict = verdict.RuntimeError
		if verdictNamed(f.Verdict) == verdict.MemoryLimit {
			tr.Verdict, tr.Message = verdict.MemoryLimit, "ran out of memory"
		}
		tr.Error, tr.Traceback = f.Error, f.Traceback
		tr.Actual, tr.Truncated = clip(f.Stdout, cr.j.opts.KeepOutput)
	default:
		tr.Verdict, tr.Message = verdict.RuntimeError, protocolBroken
	}
}

// expected returns test x's expected value, or its digests when the
// reference's value was too large to keep.
func (cr *callRun) expected(x int) (pyvalue.Value, *digest, error) {
	if v := cr.pr.expected[x]; v != nil {
		return v, nil, nil
	}
	if cr.ref == nil {
		return nil, nil, fmt.Errorf("test %d has no expected value", x)
	}
	if d, ok := cr.ref.Digests[x]; ok {
		return nil, &d, nil
	}
	v, err := cr.ref.output(x)
	return v, nil, err
}

// digestsServe reports whether a problem's comparison can be served by
// digests: exact equality, no tolerance, no oracle.
func digestsServe(p *dataset.Problem) bool {
	return p.Judging.Grader == dataset.GraderEvalPlus && p.Atol == 0 && p.Judging.Oracle == dataset.OracleNone
}

// close ends the current session.
func (cr *callRun) close() {
	if cr.cur != nil {
		cr.cur.sess.Close()
		cr.cur = nil
	}
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}
