package judge

import (
	"github.com/rlef/rlef/dataset"
	"github.com/rlef/rlef/judge/compare"
	"github.com/rlef/rlef/pyvalue"
	"github.com/rlef/rlef/verdict"
)

// compareState compares one suite's return values, keeping the state
// EvalPlus carries from test to test.
type compareState struct {
	checker *compare.Checker
	suite   *compare.Suite
}

// newCompareState starts a suite's comparisons.
func (j *Judge) newCompareState(p *dataset.Problem, pl *plan) *compareState {
	c := &compare.Checker{Profile: profileOf(pl.grader), Atol: p.Atol, Rules: j.opts.EvalPlus.rules, MaxRepr: j.opts.MaxRepr}
	if pl.grader == dataset.GraderEvalPlus {
		c.Oracle = compare.Oracle(p.Judging.Oracle)
	}
	return &compareState{checker: c, suite: c.NewSuite()}
}

func profileOf(g dataset.Grader) compare.Profile {
	switch g {
	case dataset.GraderEvalPlus:
		return compare.EvalPlus
	case dataset.GraderLiveCodeBench:
		return compare.LiveCodeBench
	case dataset.GraderAPPS:
		return compare.APPS
	}
	return compare.Plain
}

// compare judges a returned value against test x's expected one.
func (cr *callRun) compare(tr *TestResult, si, x int, out pyvalue.Value, state *compareState) {
	exp, expDigest, err := cr.expected(x)
	if err != nil {
		tr.Verdict, tr.Message = verdict.SandboxError, err.Error()
		return
	}
	if expDigest != nil {
		cr.compareDigest(tr, x, out, nil)
		return
	}
	if cr.p.Judging.Oracle == dataset.OracleNotNone {
		out = notNoneOutput(out)
	}
	o := state.suite.Check(out, exp, cr.pr.args[x])
	switch o.Verdict {
	case compare.Accepted:
		tr.Verdict = verdict.Accepted
	case compare.WrongAnswer:
		tr.Verdict, tr.AssertionError = verdict.WrongAnswer, o.Message
	case compare.Raised:
		// EvalPlus counts a comparison that raised as a failed test,
		// LiveCodeBench as a runtime error.
		tr.Verdict, tr.Error = verdict.WrongAnswer, o.Message
		if cr.pl.grader == dataset.GraderLiveCodeBench {
			tr.Verdict = verdict.RuntimeError
		}
	}
	if tr.Verdict != verdict.Accepted || !cr.tl.suites[si].StopOnFailure {
		cr.render(tr, state, x, out, exp)
	}
}

// compareDigest judges a test where the return value (outDigest, else
// out) or the expected value crossed as digests: exact equality only.
func (cr *callRun) compareDigest(tr *TestResult, x int, out pyvalue.Value, outDigest *digest) {
	exp, expDigest, err := cr.expected(x)
	if err != nil {
		tr.Verdict, tr.Message = verdict.SandboxError, err.Error()
		return
	}
	if outDigest == nil {
		d := digestOf(out)
		outDigest = &d
	}
	if expDigest == nil {
		d := digestOf(exp)
		expDigest = &d
	}
	tr.Expected, tr.Actual = expDigest.Repr, outDigest.Repr
	tr.Assertion = (&compare.Checker{}).Report(compare.Call{Entry: cr.p.EntryPoint, Method: cr.pl.mode == "method", Args: cr.pr.args[x]}, nil, pyvalue.None{}).Assertion
	if sameDigests(*outDigest, *expDigest) {
		tr.Verdict = verdict.Accepted
		return
	}
	tr.Verdict = verdict.WrongAnswer
	tr.AssertionError = "AssertionError: " + outDigest.Repr + " != " + expDigest.Repr
}

// describeCall renders a test whose call did not return (it raised, ran
// out of time, or returned something that is not data).
func (cr *callRun) describeCall(tr *TestResult, x int, out pyvalue.Value) {
	if cr.pr == nil {
		return
	}
	exp, expDigest, err := cr.expected(x)
	if err != nil {
		return
	}
	if expDigest != nil {
		tr.Expected = expDigest.Repr
		return
	}
	cr.render(tr, cr.j.newCompareState(cr.p, cr.pl), x, out, exp)
}

// render fills in the test as the model sees it: the call as an assert,
// the expected value and what came back.
func (cr *callRun) render(tr *TestResult, state *compareState, x int, out, exp pyvalue.Value) {
	call := compare.Call{Entry: cr.p.EntryPoint, Method: cr.pl.mode == "method", Args: cr.pr.args[x]}
	rep := state.checker.Report(call, out, exp)
	tr.Assertion, tr.Expected = rep.Assertion, rep.Expected
	if out != nil {
		tr.Actual = rep.Got
		if cr.p.Judging.Oracle == dataset.OracleNotNone {
			tr.Actual = notNoneShown(out)
		}
	}
}

// notNoneOutput rebuilds, from the runner's reduction (is it a bool; the
// bool, or whether it is not None), a value the not_none oracle judges
// the same way.
func notNoneOutput(v pyvalue.Value) pyvalue.Value {
	t, ok := v.(pyvalue.Tuple)
	if !ok || len(t) != 2 {
		return v
	}
	isBool, _ := t[0].(pyvalue.Bool)
	b, _ := t[1].(pyvalue.Bool)
	switch {
	case bool(isBool):
		return b
	case bool(b):
		return pyvalue.Ellipsis{}
	}
	return pyvalue.None{}
}

func notNoneShown(out pyvalue.Value) string {
	switch out.(type) {
	case pyvalue.Bool:
		return pyvalue.Repr(out)
	case pyvalue.None:
		return "None"
	}
	return "a value that is not None"
}

// notNoneExpected is a reference output under the not_none oracle: the
// expected value is whether the reference returned something other than
// None.
func notNoneExpected(v pyvalue.Value) pyvalue.Value {
	t, ok := v.(pyvalue.Tuple)
	if !ok || len(t) != 2 {
		return v
	}
	if isBool, _ := t[0].(pyvalue.Bool); isBool {
		return pyvalue.Bool(true)
	}
	return t[1]
}
