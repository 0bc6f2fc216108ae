// Package compare decides whether a candidate's return value matches the
// expected one, outside the candidate's process, by the rules of EvalPlus,
// LiveCodeBench, APPS or a plain profile, exactly as the judge's Python
// harness (judge/compare/testdata/harness.py, rlef's former in-process harness: _check_evalplus, _check_lcb, _check_apps)
// decided inside it.
//
// Values are pyvalue.Values, decoded from the candidate's marshal bytes
// and from the expected value's JSON or marshal bytes. A Checker holds a
// problem's settings; a Suite holds the state EvalPlus keeps from one test
// to the next (its tolerance); Check returns an Outcome.
//
// EvalPlus's float comparison calls numpy.allclose; this package emulates
// numpy 1.24's conversion of Python values to arrays and its isclose
// (see numpy.go), including the cases where numpy raises.
package compare

import (
	"github.com/rlef/rlef/pyvalue"
)

// Profile names whose comparison rules apply.
type Profile uint8

const (
	// Plain: a returned tuple becomes a list, then EvalPlus's rules
	// without special oracles.
	Plain Profile = iota
	// EvalPlus: exact equality, special oracles, and float tolerance
	// (numpy.allclose, rtol 1e-7) when the problem has an atol or the
	// expected value is float-shaped.
	EvalPlus
	// LiveCodeBench: a returned tuple becomes a list, then ==.
	LiveCodeBench
	// APPS: a returned tuple becomes a list; == the expected value, or
	// == its first element when it is a non-empty list; string dict keys
	// of the expected value become ints, as APPS's testing_util does.
	APPS
)

// Oracle names an EvalPlus special comparison; the values are those of
// dataset.EvalPlusOracle*.
type Oracle string

// EvalPlus's special oracles (evalplus/eval/__init__.py).
const (
	NoOracle      Oracle = ""
	Always        Oracle = "always"         // Mbpp/164: every output passes
	ZeroOK        Oracle = "zero_ok"        // Mbpp/295: out == exp or out == 0
	SurfaceArea   Oracle = "surface_area"   // Mbpp/581: or |out - surface_Area(*args)| <= atol
	DigitDistance Oracle = "digit_distance" // Mbpp/558: or out == digit_distance_nums(*args)
	SetEq         Oracle = "set_eq"         // set(out) == set(exp)
	NotNone       Oracle = "not_none"       // a bool out must equal exp, else exp == (out is not None)
	Poly          Oracle = "poly"           // HumanEval/32: |poly(*args, out)| <= atol
)

// Verdict is the result of one comparison.
type Verdict uint8

const (
	// Accepted: the output matches.
	Accepted Verdict = iota
	// WrongAnswer: the output does not match.
	WrongAnswer
	// Raised: the comparison itself raised an exception (numpy refusing
	// the values, set() of an unhashable output, arithmetic on a string in
	// an oracle). EvalPlus, APPS and the plain profile count it as a
	// failed test, LiveCodeBench as a runtime error.
	Raised
)

func (v Verdict) String() string {
	switch v {
	case Accepted:
		return "accepted"
	case WrongAnswer:
		return "wrong_answer"
	}
	return "raised"
}

// Outcome is the result of comparing one output.
type Outcome struct {
	Verdict Verdict
	// Message is "" when accepted; for a wrong answer the harness's
	// "AssertionError: <out> != <expected>" with clipped reprs; when the
	// comparison raised, the exception as Python prints its last line
	// ("TypeError: unhashable type: 'list'").
	Message string
}

// Checker holds one problem's comparison settings. The zero Checker
// compares by the plain profile.
type Checker struct {
	Profile Profile
	// Oracle is the problem's EvalPlus special oracle (EvalPlus profile
	// only).
	Oracle Oracle
	// Atol is the problem's absolute tolerance (EvalPlus and plain).
	Atol float64
	// Rules selects the EvalPlus release whose rules apply; the zero
	// value is today's.
	Rules Rules
	// MaxRepr clips reprs in messages (the harness's max_repr); 0 means
	// pyvalue.DefaultClip.
	MaxRepr int
}

// Suite is the comparison state of one test suite: EvalPlus raises the
// tolerance to 1e-6 for the rest of a suite once it meets a float-shaped
// expected value. A Suite is not safe for concurrent use.
type Suite struct {
	c    *Checker
	atol float64
}

// NewSuite returns the state for a new suite.
func (c *Checker) NewSuite() *Suite { return &Suite{c: c, atol: c.Atol} }

// Atol returns the suite's current tolerance.
func (s *Suite) Atol() float64 { return s.atol }

// Check compares out, a test's return value, with exp, its expected
// value; args are the test's arguments (the special oracles use them).
// Call it in test order, and only for tests whose call returned: EvalPlus
// updates the suite's tolerance only then. args must come from the
// trusted side (the dataset), never from the candidate's process, which
// may have changed them.
func (s *Suite) Check(out, exp pyvalue.Value, args []pyvalue.Value) Outcome {
	var err error
	switch s.c.Profile {
	case LiveCodeBench:
		err = match(pyvalue.Equal(tupleToList(out), exp))
	case APPS:
		exp = appsExpected(exp)
		err = match(appsMatch(tupleToList(out), exp))
	case EvalPlus:
		err = s.evalPlus(out, exp, args, s.c.Oracle)
	default:
		err = s.evalPlus(tupleToList(out), exp, args, NoOracle)
	}
	switch {
	case err == nil:
		return Outcome{Verdict: Accepted}
	case err == errMismatch:
		// The harness shows the value as returned (before any tuple to
		// list conversion) and the expected value as compared.
		return Outcome{Verdict: WrongAnswer, Message: "AssertionError: " + s.c.repr(out) + " != " + s.c.repr(exp)}
	case isAssertion(err):
		return Outcome{Verdict: WrongAnswer, Message: err.Error()}
	}
	return Outcome{Verdict: Raised, Message: err.Error()}
}

// errMismatch is a failed assertion.
var errMismatch = &pyError{typ: "AssertionError"}

func isAssertion(err error) bool {
	pe, ok := err.(*pyError)
	return ok && pe.typ == "AssertionError"
}

func match(ok bool) error {
	if ok {
		return nil
	}
	return errMismatch
}

func (c *Checker) repr(v pyvalue.Value) string { return pyvalue.ClippedRepr(v, c.MaxRepr) }

func tupleToList(v pyvalue.Value) pyvalue.Value {
	if t, ok := v.(pyvalue.Tuple); ok {
		return pyvalue.List(t)
	}
	return v
}
