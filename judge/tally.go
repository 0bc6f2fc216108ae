package judge

import "github.com/rlef/rlef/verdict"

// tally collects one sample's test results, suite by suite, in test
// order, whatever order and however many runs they come from.
type tally struct {
	suites  []resolvedSuite
	results [][]*TestResult
	res     *Result
}

func newTally(suites []resolvedSuite) *tally {
	t := &tally{suites: suites, results: make([][]*TestResult, len(suites)), res: &Result{}}
	for si, s := range suites {
		t.results[si] = make([]*TestResult, len(s.tests))
	}
	return t
}

// record stores the result of test k of suite si.
func (t *tally) record(si, k int, tr *TestResult) {
	s := &t.suites[si]
	tr.Index = s.indices[k]
	if tr.Input == "" {
		tr.Input = testInput(s.tests[k])
	}
	t.results[si][k] = tr
}

// stopped reports whether suite si needs no more tests: it stops at its
// first failure and has one.
func (t *tally) stopped(si int) bool {
	if !t.suites[si].StopOnFailure {
		return false
	}
	for _, tr := range t.results[si] {
		if tr != nil && !tr.Verdict.Passed() {
			return true
		}
	}
	return false
}

// needed reports whether test k of suite si must still run: always,
// unless the suite stops at its first failure and a test before k failed.
// Tests run in parallel, so a failure may arrive before results of
// earlier tests; those still run, and the earliest failure is the one
// reported, whatever the order the results came in.
func (t *tally) needed(si, k int) bool {
	if !t.suites[si].StopOnFailure {
		return true
	}
	for _, tr := range t.results[si][:k] {
		if tr != nil && !tr.Verdict.Passed() {
			return false
		}
	}
	return true
}

// fill gives the tests of suite si from k on that have no result the
// outcome in tmpl.
func (t *tally) fill(si, from int, tmpl TestResult) {
	for k := from; k < len(t.results[si]); k++ {
		if t.results[si][k] == nil {
			tr := tmpl
			tr.Expected = t.suites[si].tests[k].Output
			t.record(si, k, &tr)
		}
	}
}

// fillAll gives every test without a result the outcome in tmpl.
func (t *tally) fillAll(tmpl TestResult) {
	for si := range t.suites {
		t.fill(si, 0, tmpl)
	}
}

// result assembles the suite results.
func (t *tally) result() *Result {
	t.res.Suites = t.res.Suites[:0]
	for si, s := range t.suites {
		var tests []TestResult
		for _, tr := range t.results[si] {
			if tr != nil {
				tests = append(tests, *tr)
			}
		}
		t.res.Suites = append(t.res.Suites, finishSuite(s.Name, len(s.tests), s.StopOnFailure, tests))
	}
	return t.res
}

// verdictNamed maps the names runner.py and tester.py use to verdicts; a
// name the program under test could have forged maps only to failures.
func verdictNamed(name string) verdict.Verdict {
	switch name {
	case "memory_limit":
		return verdict.MemoryLimit
	case "wrong_answer":
		return verdict.WrongAnswer
	case "compile_error":
		return verdict.CompileError
	}
	return verdict.RuntimeError
}
