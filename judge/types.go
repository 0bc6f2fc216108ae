package judge

import (
	"encoding/json"
	"time"

	"github.com/rlef/rlef/dataset"
	"github.com/rlef/rlef/sandbox"
	"github.com/rlef/rlef/verdict"
)

// Submission is a program to judge: a whole program, not a completion
// (see Complete).
type Submission struct {
	// Language is "python" (the default when empty) or "cpp"; the usual
	// spellings (python3, c++) work too.
	Language string `json:"language,omitempty"`
	Code     string `json:"code"`
}

// Complete turns a completion (code written after the problem's prompt, as
// in EvalPlus's {"completion"} rows) into a whole program: the starter code
// followed by the completion. MBPP+ has no starter code; its prompt (a
// docstring) is prepended instead, as EvalPlus does.
func Complete(p *dataset.Problem, completion string) string {
	prefix := p.StarterCode
	if prefix == "" && p.ExpectedFromReference && p.Mode == dataset.ModeFunction {
		prefix = p.Statement
	}
	return prefix + completion
}

// SuiteKind says which of a problem's tests a suite runs.
type SuiteKind int

const (
	// Public tests (Problem.Public): the ones feedback is given on.
	Public SuiteKind = iota
	// Private tests (Problem.PrivateTests(): Private then Generated): the
	// ones the final verdict is decided on.
	Private
)

func (k SuiteKind) String() string {
	if k == Private {
		return "private"
	}
	return "public"
}

// Suite selects tests to run and how.
type Suite struct {
	// Name labels the suite in results ("public", "private", "base",
	// "plus"); empty means the kind's name.
	Name string
	Kind SuiteKind
	// Indices restricts the suite to these positions of the kind's test
	// list, in this order; nil means every test.
	Indices []int
	// StopOnFailure stops at the first failing test, as a final verdict
	// needs; otherwise every test runs, as feedback on all failing public
	// tests needs. Either way the results are deterministic: with
	// StopOnFailure, results after the first failure (by index) are
	// dropped even if they were computed.
	StopOnFailure bool
}

// PublicSuite is the feedback suite of a set: every public test, all run.
func PublicSuite(set *dataset.Set) Suite {
	name := "public"
	if set != nil && set.PublicSuite != "" {
		name = set.PublicSuite
	}
	return Suite{Name: name, Kind: Public}
}

// PrivateSuite is the verdict suite of a set: every private test, stopping
// at the first failure.
func PrivateSuite(set *dataset.Set) Suite {
	name := "private"
	if set != nil && set.PrivateSuite != "" {
		name = set.PrivateSuite
	}
	return Suite{Name: name, Kind: Private, StopOnFailure: true}
}

// Result is the outcome of judging one submission.
type Result struct {
	ProblemID string `json:"problem_id"`
	// Compile is set when the program did not compile (C++ errors, Python
	// syntax errors) and for every C++ program; nil for Python programs
	// that compiled.
	Compile *Compile      `json:"compile,omitempty"`
	Suites  []SuiteResult `json:"suites"`
	// Runs counts the sandbox runs this judgement made (not counting a
	// reference solution's cached run), and RunCPU and RunWall add up
	// their CPU and wall-clock times: what judging cost.
	Runs    int           `json:"runs,omitempty"`
	RunCPU  time.Duration `json:"-"`
	RunWall time.Duration `json:"-"`
}

// addRun accounts for one sandbox run.
func (r *Result) addRun(sr *sandbox.Result) {
	if sr == nil {
		return
	}
	r.Runs++
	r.RunCPU += sr.CPUTime
	r.RunWall += sr.WallTime
}

// Suite returns the result of the named suite, or nil.
func (r *Result) Suite(name string) *SuiteResult {
	for i := range r.Suites {
		if r.Suites[i].Name == name {
			return &r.Suites[i]
		}
	}
	return nil
}

// Passed reports whether every suite was accepted.
func (r *Result) Passed() bool {
	for _, s := range r.Suites {
		if s.Verdict != verdict.Accepted {
			return false
		}
	}
	return len(r.Suites) > 0
}

// Compile is the outcome of compiling a program.
type Compile struct {
	// Verdict is ok or compile_error.
	Verdict verdict.Verdict `json:"verdict"`
	// Message is the compiler's diagnostics (or Python's SyntaxError).
	Message string        `json:"message,omitempty"`
	Time    time.Duration `json:"-"`
	Cached  bool          `json:"cached,omitempty"`
}

// SuiteResult is the outcome of one suite.
type SuiteResult struct {
	Name string `json:"name"`
	// Verdict is accepted when every test passed, else the verdict of the
	// first failing test (by index). Sandbox failures make it
	// sandbox_error, which is not a verdict about the program.
	Verdict verdict.Verdict `json:"verdict"`
	// Passed counts accepted tests; Total is the suite's size, including
	// tests not run after a failure.
	Passed int `json:"passed"`
	Total  int `json:"total"`
	// Tests holds the tests that ran, in index order.
	Tests []TestResult `json:"tests,omitempty"`
	// FirstFailure points into Tests; nil when accepted.
	FirstFailure *TestResult `json:"-"`
	// CPUTime and WallTime add up the tests' times.
	CPUTime  time.Duration `json:"-"`
	WallTime time.Duration `json:"-"`
}

// Failures returns the failing tests in index order.
func (s *SuiteResult) Failures() []*TestResult {
	var out []*TestResult
	for i := range s.Tests {
		if !s.Tests[i].Verdict.Passed() {
			out = append(out, &s.Tests[i])
		}
	}
	return out
}

// TestResult is the outcome of one test: what RLEF's feedback templates
// show.
type TestResult struct {
	// Index is the test's position in the problem's Public or
	// PrivateTests() list.
	Index   int             `json:"index"`
	Verdict verdict.Verdict `json:"verdict"`
	// Input is the test's stdin (stdio), its JSON argument list (function
	// modes) or its code (assert mode).
	Input string `json:"input,omitempty"`
	// Expected is the expected stdout, or the expected return value
	// rendered by Python's repr.
	Expected string `json:"expected,omitempty"`
	// Actual is the program's stdout, or its return value's repr.
	Actual string `json:"actual,omitempty"`
	// Stderr is the program's stderr (stdio runs).
	Stderr string `json:"stderr,omitempty"`
	// Traceback is the Python traceback of an uncaught exception, the
	// harness's own frames removed.
	Traceback string `json:"traceback,omitempty"`
	// Error is the exception's last line ("ZeroDivisionError: division by
	// zero").
	Error string `json:"error,omitempty"`
	// Assertion renders a function test as an assert statement
	// (`assert truncate_number(3.5) == 0.5`), or is the failing assert
	// line of an assert-mode test.
	Assertion string `json:"assertion,omitempty"`
	// AssertionError is the failed assertion with its run-time values
	// ("AssertionError: 0.4 != 0.5").
	AssertionError string `json:"assertion_error,omitempty"`
	// Message explains limit and sandbox verdicts and checker mismatches.
	Message string `json:"message,omitempty"`
	// Truncated reports that Actual or Stderr were cut to KeepOutput.
	Truncated bool          `json:"truncated,omitempty"`
	CPUTime   time.Duration `json:"-"`
	WallTime  time.Duration `json:"-"`
	Memory    int64         `json:"memory_bytes,omitempty"`
}

// MarshalJSON adds the times in milliseconds.
func (t TestResult) MarshalJSON() ([]byte, error) {
	type plain TestResult
	return json.Marshal(struct {
		plain
		CPUMillis  float64 `json:"cpu_ms"`
		WallMillis float64 `json:"wall_ms"`
	}{plain(t), millis(t.CPUTime), millis(t.WallTime)})
}

func millis(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
