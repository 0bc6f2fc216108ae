package compare

import (
	"math"
	"strings"
	"testing"

	"github.com/rlef/rlef/pyvalue"
)

func js(t testing.TB, text string) pyvalue.Value {
	t.Helper()
	v, err := pyvalue.ParseJSON([]byte(text), pyvalue.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// These examples pin down behaviours that the differential tests check
// at random; they run without Python.
func TestCheckExamples(t *testing.T) {
	tuple := func(vs ...pyvalue.Value) pyvalue.Value { return pyvalue.Tuple(vs) }
	f := func(x float64) pyvalue.Value { return pyvalue.Float(x) }
	i := func(x int64) pyvalue.Value { return pyvalue.IntOf(x) }
	tests := []struct {
		name     string
		c        Checker
		out, exp pyvalue.Value
		args     string
		want     Verdict
		msg      string
	}{
		{"exact", Checker{Profile: EvalPlus}, i(3), i(3), "[]", Accepted, ""},
		{"wrong", Checker{Profile: EvalPlus}, f(0.4), f(0.5), "[]", WrongAnswer, "AssertionError: 0.4 != 0.5"},
		{"float tolerance from the expected value", Checker{Profile: EvalPlus}, f(0.5000001), f(0.5), "[]", Accepted, ""},
		{"int against int has no tolerance", Checker{Profile: EvalPlus}, i(3), i(4), "[]", WrongAnswer, "AssertionError: 3 != 4"},
		{"type must match under tolerance", Checker{Profile: EvalPlus}, i(1), f(1.0000001), "[]", WrongAnswer, ""},
		// EvalPlus accepts two different integers within rtol; rlef does
		// not (the hole a policy would use: a wrong answer of 8+ digits).
		{"big ints are exact under atol", Checker{Profile: EvalPlus, Atol: 1e-6}, js(t, "9007199254740993"), i(1 << 53), "[]", WrongAnswer, "AssertionError: 9007199254740993 != 9007199254740992"},
		{"int lists are exact under atol", Checker{Profile: EvalPlus, Atol: 1e-6}, js(t, "[0.5, 100000000000001]"), js(t, "[0.5, 100000000000000]"), "[]", WrongAnswer, ""},
		{"a float near an expected int list element", Checker{Profile: EvalPlus, Atol: 1e-6}, js(t, "[100000020000501.0]"), js(t, "[100000020000001]"), "[]", WrongAnswer, ""},
		{"a float that is the expected int", Checker{Profile: EvalPlus, Atol: 1e-6}, js(t, "[0.5, 6.0]"), js(t, "[0.5, 6]"), "[]", Accepted, ""},
		{"a float near an expected big int", Checker{Profile: EvalPlus, Atol: 1e-6}, f(9007199254740992.0), js(t, "9007199254740993"), "[]", WrongAnswer, ""},
		{"a close complex for an expected int", Checker{Profile: EvalPlus, Atol: 1e-6}, pyvalue.List{f(0.5), pyvalue.Complex(100000020000501)}, js(t, "[0.5, 100000020000001]"), "[]", WrongAnswer, ""},
		{"a complex that is the expected int", Checker{Profile: EvalPlus, Atol: 1e-6}, pyvalue.List{f(0.5), pyvalue.Complex(6)}, js(t, "[0.5, 6]"), "[]", Accepted, ""},
		{"an extra list level around a close int", Checker{Profile: EvalPlus, Atol: 1e-6}, js(t, "[[100000020000501]]"), js(t, "[100000020000001]"), "[]", WrongAnswer, ""},
		{"an extra list level around a close float for an int", Checker{Profile: EvalPlus, Atol: 1e-6}, js(t, "[[100000020000501.0]]"), js(t, "[100000020000001]"), "[]", WrongAnswer, ""},
		{"a close float for an expected bool", Checker{Profile: EvalPlus, Atol: 1e-6}, js(t, "[0.5, 1.0000001]"), js(t, "[0.5, true]"), "[]", WrongAnswer, ""},
		{"a float that is the expected bool", Checker{Profile: EvalPlus, Atol: 1e-6}, js(t, "[0.5, 1.0]"), js(t, "[0.5, true]"), "[]", Accepted, ""},
		{"an int list close to a float list", Checker{Profile: EvalPlus, Atol: 1e-6}, js(t, "[2, 3]"), js(t, "[2.0000000001, 3.0]"), "[]", Accepted, ""},
		{"beyond 64 bits numpy raises", Checker{Profile: EvalPlus, Atol: 1e-6}, js(t, "18446744073709551617"), js(t, "18446744073709551616"), "[]", Raised, "TypeError: ufunc 'isfinite'"},
		{"ragged", Checker{Profile: EvalPlus, Atol: 1e-6}, js(t, "[[1.0, 2.0], [3.0]]"), js(t, "[[1.0, 2.0], [3.5]]"), "[]", Raised, "ValueError: setting an array element"},
		{"strings under tolerance", Checker{Profile: EvalPlus, Atol: 1e-6}, pyvalue.Str("a"), pyvalue.Str("b"), "[]", Raised, "TypeError: The DType"},
		{"nan never close", Checker{Profile: EvalPlus}, f(math.NaN()), f(math.NaN()), "[]", WrongAnswer, "AssertionError: nan != nan"},
		{"inf equal", Checker{Profile: EvalPlus, Atol: 1e-6}, js(t, "[Infinity, 1.0]"), js(t, "[Infinity, 1.0000001]"), "[]", Accepted, ""},
		{"plain makes tuples lists", Checker{}, tuple(i(1), i(2)), js(t, "[1, 2]"), "[]", Accepted, ""},
		{"evalplus keeps tuples", Checker{Profile: EvalPlus}, tuple(i(1), i(2)), js(t, "[1, 2]"), "[]", WrongAnswer, "AssertionError: (1, 2) != [1, 2]"},
		{"lcb", Checker{Profile: LiveCodeBench}, tuple(i(1)), js(t, "[1]"), "[]", Accepted, ""},
		{"lcb no tolerance", Checker{Profile: LiveCodeBench}, f(1.0000001), f(1), "[]", WrongAnswer, ""},
		{"apps first element", Checker{Profile: APPS}, i(5), js(t, "[5]"), "[]", Accepted, ""},
		{"apps int keys", Checker{Profile: APPS}, js(t, `[{"1": 2}]`), js(t, `{"1": 2}`), "[]", WrongAnswer, "AssertionError: [{'1': 2}] != [{1: 2}]"},
		{"apps list of tuples", Checker{Profile: APPS}, pyvalue.List{tuple(i(1), i(2))}, js(t, "[[[1, 2]]]"), "[]", Accepted, ""},
		{"set_eq", Checker{Profile: EvalPlus, Oracle: SetEq}, js(t, "[3, 1, 1]"), js(t, "[1, 3]"), "[]", Accepted, ""},
		{"set_eq unhashable", Checker{Profile: EvalPlus, Oracle: SetEq}, js(t, "[[1]]"), js(t, "[1]"), "[]", Raised, "TypeError: unhashable type: 'list'"},
		{"not_none", Checker{Profile: EvalPlus, Oracle: NotNone}, i(7), pyvalue.Bool(true), "[]", Accepted, ""},
		{"not_none bool", Checker{Profile: EvalPlus, Oracle: NotNone}, pyvalue.Bool(false), pyvalue.Bool(true), "[]", WrongAnswer, ""},
		{"zero_ok", Checker{Profile: EvalPlus, Oracle: ZeroOK}, f(0), i(12), "[]", Accepted, ""},
		{"always", Checker{Profile: EvalPlus, Oracle: Always}, pyvalue.None{}, i(12), "[]", Accepted, ""},
		{"surface area", Checker{Profile: EvalPlus, Oracle: SurfaceArea}, i(35), i(0), "[3, 4]", Accepted, ""},
		{"surface area str", Checker{Profile: EvalPlus, Oracle: SurfaceArea}, pyvalue.Str("33"), i(0), "[3, 4]", Raised, "TypeError: unsupported operand type(s) for -: 'str' and 'int'"},
		{"digit distance", Checker{Profile: EvalPlus, Oracle: DigitDistance}, i(7), i(0), "[123, 256]", Accepted, ""},
		{"digit distance negative", Checker{Profile: EvalPlus, Oracle: DigitDistance}, i(6), i(0), "[-12, 256]", Raised, "ValueError: invalid literal for int() with base 10: '-'"},
		{"poly root", Checker{Profile: EvalPlus, Oracle: Poly, Atol: 1e-4}, f(-0.5), f(0), "[[1, 2]]", Accepted, ""},
		{"poly off", Checker{Profile: EvalPlus, Oracle: Poly, Atol: 1e-4}, f(-0.4), f(-0.5), "[[1, 2]]", WrongAnswer, "AssertionError: -0.4 != -0.5"},
		{"poly overflow", Checker{Profile: EvalPlus, Oracle: Poly, Atol: 1e-4}, f(1e200), f(-0.5), "[[1, 2, 3]]", Raised, "OverflowError: math range error"},
		{"poly never (v0.3.1)", Checker{Profile: EvalPlus, Oracle: Poly, Atol: 1e-4, Rules: Rules{FindZero: FindZeroNever}}, f(-0.5), f(-0.5), "[[1, 2]]", WrongAnswer, ""},
		{"assert_allclose shapes", Checker{Profile: EvalPlus, Atol: 1e-6, Rules: Rules{Float: AssertAllClose}}, js(t, "[1.0]"), js(t, "[1.0, 1.0]"), "[]", WrongAnswer, ""},
		{"assert_allclose nan", Checker{Profile: EvalPlus, Atol: 1e-6, Rules: Rules{Float: AssertAllClose}}, js(t, "[NaN, 2]"), js(t, "[NaN, 2.0000001]"), "[]", Accepted, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := tt.c.NewSuite().Check(tt.out, tt.exp, js(t, tt.args).(pyvalue.List))
			if o.Verdict != tt.want || !strings.HasPrefix(o.Message, tt.msg) {
				t.Errorf("got %v %q, want %v %q", o.Verdict, o.Message, tt.want, tt.msg)
			}
			if (o.Verdict == Accepted) != (o.Message == "") {
				t.Errorf("message %q with verdict %v", o.Message, o.Verdict)
			}
		})
	}
}

// TestSuiteTolerance: once a float-shaped expected value is seen, the
// suite compares with atol 1e-6 from then on, ints included.
func TestSuiteTolerance(t *testing.T) {
	c := &Checker{Profile: EvalPlus}
	s := c.NewSuite()
	steps := []struct {
		out, exp string
		want     Verdict
		atol     float64
	}{
		{"2", "2", Accepted, 0},
		{"[1.0]", "[1.0000001]", Accepted, 1e-6}, // float-shaped: atol 1e-6 from here
		{"[1, 2]", "[1, 2]", Accepted, 1e-6},
		{"3.0000001", "3", WrongAnswer, 1e-6}, // float against int: types differ
		{"[1, 2]", "[1, 3]", WrongAnswer, 1e-6},
	}
	for k, st := range steps {
		o := s.Check(js(t, st.out), js(t, st.exp), nil)
		if o.Verdict != st.want || s.Atol() != st.atol {
			t.Errorf("step %d: %v with atol %g; want %v with %g", k, o.Verdict, s.Atol(), st.want, st.atol)
		}
	}
	if got := c.NewSuite().Atol(); got != 0 {
		t.Errorf("a new suite starts at atol %g", got)
	}
}

func TestRelease(t *testing.T) {
	for _, v := range []string{"", "master", "v0.3.1", "v0.3.0", "v0.2.2", "v0.2.1", "v0.2.0", "v0.1.0"} {
		if _, err := Release(v); err != nil {
			t.Errorf("Release(%q): %v", v, err)
		}
	}
	if _, err := Release("v9"); err == nil {
		t.Error("Release accepted an unknown version")
	}
	r, _ := Release("v0.2.1")
	c := &Checker{Profile: EvalPlus, Oracle: SetEq, Rules: r}
	// v0.2.1 has no set_eq oracle: plain equality.
	if o := c.NewSuite().Check(js(t, "[2, 1]"), js(t, "[1, 2]"), nil); o.Verdict != WrongAnswer {
		t.Errorf("set_eq under v0.2.1: %v", o.Verdict)
	}
}

func TestReport(t *testing.T) {
	c := &Checker{Profile: EvalPlus, Oracle: Poly, Atol: 1e-4, MaxRepr: 20}
	r := c.Report(Call{Entry: "find_zero", Args: []pyvalue.Value{js(t, "[1, 2]")}}, pyvalue.Float(-0.5), pyvalue.Float(-0.5))
	if r.Assertion != "assert abs(poly([1, 2], find_zero([1, 2]))) <= 0.0001" || r.Got != "-0.5" || r.Expected != "-0.5" {
		t.Errorf("poly report %+v", r)
	}
	c = &Checker{Profile: LiveCodeBench, MaxRepr: 20}
	long := pyvalue.Str(strings.Repeat("x", 50))
	r = c.Report(Call{Entry: "f", Method: true, Args: []pyvalue.Value{long}}, nil, pyvalue.IntOf(1))
	want := "assert Solution().f('xxxxxxxxx...(32 characters omitted)...xxxxxxxxx') == 1"
	if r.Assertion != want || r.Got != "" {
		t.Errorf("report %+v, want %s", r, want)
	}
}
