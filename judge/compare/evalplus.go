package compare

import (
	"fmt"
	"math"
	"math/big"
	"slices"
	"unicode"

	"github.com/rlef/rlef/pyvalue"
)

// Rules are the details in which EvalPlus releases compare differently.
// The zero value is today's rules (judge/compare/testdata/harness.py, rlef's former in-process harness, EvalPlus master since
// 2024-11-01); Release returns those of a published release.
type Rules struct {
	// Float selects the tolerance comparison.
	Float FloatRule
	// EmptyIsFloats makes is_floats true for an empty list or tuple
	// (before v0.3.0), so that an empty expected value switches a suite
	// with atol 0 to atol 1e-6.
	EmptyIsFloats bool
	// FindZero selects how HumanEval/32's poly oracle is judged.
	FindZero FindZeroRule
	// NotNoneIgnoresBool drops not_none's special case for bool outputs
	// (v0.2.0 compared exp == (out is not None) for every output).
	NotNoneIgnoresBool bool
	// Without lists oracles the release did not have; their problems are
	// compared without a special oracle.
	Without []Oracle
}

// FloatRule selects how EvalPlus compares with tolerance.
type FloatRule uint8

const (
	// TypedAllClose: type(out) == type(exp), equal lengths for lists and
	// tuples, then numpy.allclose(out, exp, rtol=1e-7, atol=atol) (since
	// 2024-05-10, v0.3.0).
	TypedAllClose FloatRule = iota
	// AllClose: numpy.allclose without the type and length checks
	// (2024-04-17 to 2024-05-10; no release).
	AllClose
	// AssertAllClose: numpy.testing.assert_allclose(out, exp, atol=atol)
	// (rtol 1e-7; NaN equals NaN; shapes must be equal unless one side is
	// a scalar) (up to v0.2.2).
	AssertAllClose
	// ToleranceUnavailable: the tolerance never applies, and an output
	// that needs it fails. This is what the EvalPlus v0.2.2 Docker image
	// (ganler/evalplus:latest in April–October 2024, which produced the
	// published verdict files) did in practice: with NumPy 1.25 and later,
	// importing numpy.testing runs a subprocess, which EvalPlus's sandbox
	// had disabled, so assert_allclose raised every time.
	ToleranceUnavailable
)

// FindZeroRule selects how HumanEval/32 (find_zero) is judged.
type FindZeroRule uint8

const (
	// FindZeroAbs: pass when |poly(*args, out)| <= atol (since 2024-11-01).
	FindZeroAbs FindZeroRule = iota
	// FindZeroSigned: poly(*args, out) <= atol must hold (no abs), and
	// then the ordinary comparison with the expected value (v0.2.1, v0.2.2).
	FindZeroSigned
	// FindZeroNever: no output passes: v0.3.0 and v0.3.1 skip recording
	// the result, and v0.1.x to v0.2.0 call poly with its arguments swapped.
	FindZeroNever
)

// Release returns the rules of an EvalPlus release: "v0.1.0" to
// "v0.3.1", "v0.2.2-image" for the v0.2.2 Docker image as it ran in 2024
// (see ToleranceUnavailable), or "" or "master" for today's.
func Release(version string) (Rules, error) {
	old := []Oracle{SetEq, SurfaceArea, DigitDistance}
	switch version {
	case "", "master":
		return Rules{}, nil
	case "v0.3.0", "v0.3.1":
		return Rules{FindZero: FindZeroNever}, nil
	case "v0.2.1", "v0.2.2":
		return Rules{Float: AssertAllClose, EmptyIsFloats: true, FindZero: FindZeroSigned, Without: old}, nil
	case "v0.2.2-image":
		return Rules{Float: ToleranceUnavailable, EmptyIsFloats: true, FindZero: FindZeroSigned, Without: old}, nil
	case "v0.1.0", "v0.1.1", "v0.1.2", "v0.1.3", "v0.1.4", "v0.1.5", "v0.1.6", "v0.1.7", "v0.1.8", "v0.1.9", "v0.2.0":
		return Rules{Float: AssertAllClose, EmptyIsFloats: true, FindZero: FindZeroNever,
			NotNoneIgnoresBool: true, Without: old}, nil
	}
	return Rules{}, fmt.Errorf("compare: unknown EvalPlus release %q", version)
}

// floatAtol is the tolerance EvalPlus switches to for float-shaped
// expected values when the problem has none.
const floatAtol = 1e-6

// evalPlus is _check_evalplus: nil when out passes, errMismatch when it
// does not, another error when the comparison raised.
func (s *Suite) evalPlus(out, exp pyvalue.Value, args []pyvalue.Value, oracle Oracle) error {
	r := &s.c.Rules
	if slices.Contains(r.Without, oracle) {
		oracle = NoOracle
	}
	atol := s.atol
	exact := pyvalue.Equal(out, exp)
	var err error
	switch oracle {
	case Always:
		exact = true
	case ZeroOK:
		exact = exact || pyvalue.Equal(out, pyvalue.IntOf(0))
	case SurfaceArea:
		if !exact {
			exact, err = surfaceAreaClose(out, args, atol)
		}
	case DigitDistance:
		if !exact {
			var d pyvalue.Value
			if d, err = digitDistance(args); err == nil {
				exact = pyvalue.Equal(out, d)
			}
		}
	case SetEq:
		exact, err = setEqual(out, exp)
	case NotNone:
		if _, isBool := out.(pyvalue.Bool); isBool && !r.NotNoneIgnoresBool {
			exact = pyvalue.Equal(out, exp)
		} else {
			_, isNone := out.(pyvalue.None)
			exact = pyvalue.Equal(exp, pyvalue.Bool(!isNone))
		}
	case Poly:
		switch r.FindZero {
		case FindZeroNever:
			return &pyError{"AssertionError", "this EvalPlus release never counts a find_zero test as passed"}
		case FindZeroAbs:
			return polyCheck(out, args, atol, true)
		}
		if err := polyCheck(out, args, atol, false); err != nil {
			return err
		}
	}
	if err != nil {
		return err
	}
	if atol == 0 && s.isFloats(exp) {
		atol = floatAtol
		s.atol = atol
	}
	switch {
	case exact:
		return nil
	case atol == 0:
		return errMismatch
	}
	return s.tolerance(out, exp, atol)
}

// isFloats is EvalPlus's is_floats: a float, or a non-empty list or tuple
// of floats (numpy arrays cannot cross the process boundary).
func (s *Suite) isFloats(v pyvalue.Value) bool {
	var items []pyvalue.Value
	switch x := v.(type) {
	case pyvalue.Float:
		return true
	case pyvalue.List:
		items = x
	case pyvalue.Tuple:
		items = x
	default:
		return false
	}
	if len(items) == 0 {
		return s.c.Rules.EmptyIsFloats
	}
	for _, e := range items {
		if _, ok := e.(pyvalue.Float); !ok {
			return false
		}
	}
	return true
}

// tolerance is the comparison of a non-equal output with tolerance atol.
func (s *Suite) tolerance(out, exp pyvalue.Value, atol float64) error {
	const rtol = 1e-7
	var ok bool
	var err error
	switch s.c.Rules.Float {
	case ToleranceUnavailable:
		return &pyError{"TypeError", "'NoneType' object is not callable"}
	case AssertAllClose:
		ok, err = assertAllClose(out, exp, rtol, atol)
	case AllClose:
		ok, err = allClose(out, exp, rtol, atol)
	default:
		if pyvalue.TypeName(out) != pyvalue.TypeName(exp) {
			return errMismatch
		}
		if n, isSeq := sequence(exp); isSeq {
			if m, _ := sequence(out); len(m) != len(n) {
				return errMismatch
			}
		}
		ok, err = allClose(out, exp, rtol, atol)
	}
	if err != nil {
		return err
	}
	// Integers have no rounding to forgive: EvalPlus compares them as
	// floats within the tolerance too, so a wrong answer of eight digits
	// or more passes there, as an integer or as a float; rlef never lets
	// an expected integer match a different number.
	if ok && integersDiffer(out, exp) {
		return errMismatch
	}
	return match(ok)
}

// setEqual is set(out) == set(exp).
func setEqual(out, exp pyvalue.Value) (bool, error) {
	a, err := pySet(out)
	if err != nil {
		return false, err
	}
	b, err := pySet(exp)
	if err != nil {
		return false, err
	}
	return pyvalue.Equal(a, b), nil
}

// pySet is Python's set(v).
func pySet(v pyvalue.Value) (pyvalue.Value, error) {
	items, err := iterate(v)
	if err != nil {
		return nil, err
	}
	s, err := pyvalue.NewSet(items)
	if err != nil {
		return nil, &pyError{"TypeError", err.Error()}
	}
	return s, nil
}

// iterate returns what Python's iter(v) yields: the items of a list,
// tuple, set or frozenset, a dict's keys, a str's characters, a bytes'
// ints.
func iterate(v pyvalue.Value) ([]pyvalue.Value, error) {
	switch x := v.(type) {
	case pyvalue.List:
		return x, nil
	case pyvalue.Tuple:
		return x, nil
	case *pyvalue.Set:
		return x.Elems(), nil
	case *pyvalue.FrozenSet:
		return x.Elems(), nil
	case *pyvalue.Dict:
		return x.Keys(), nil
	case pyvalue.Str:
		cps := pyvalue.StrCodePoints(x)
		out := make([]pyvalue.Value, len(cps))
		for i, r := range cps {
			out[i] = pyvalue.StrFromCodePoints([]rune{r})
		}
		return out, nil
	case pyvalue.Bytes:
		out := make([]pyvalue.Value, len(x))
		for i := range len(x) {
			out[i] = pyvalue.IntOf(int64(x[i]))
		}
		return out, nil
	}
	return nil, typeError("'%s' object is not iterable", pyvalue.TypeName(v))
}

// surfaceAreaClose is abs(out - _surface_Area(*args)) <= atol, where
// _surface_Area(b, h) = round(b ** 2 + 4 * (b * sqrt((b / 2) ** 2 + h ** 2)) / 2).
func surfaceAreaClose(out pyvalue.Value, args []pyvalue.Value, atol float64) (bool, error) {
	if len(args) != 2 {
		return false, typeError("_surface_area() takes 2 positional arguments but %d were given", len(args))
	}
	want, err := surfaceArea(args[0], args[1])
	if err != nil {
		return false, err
	}
	o, err := numArg(out, "-", "int")
	if err != nil {
		return false, err
	}
	d, err := sub(o, want)
	if err != nil {
		return false, err
	}
	return lessEqual(abs(d), floatNum(atol))
}

func surfaceArea(bv, hv pyvalue.Value) (num, error) {
	// In Python's order of evaluation, each step's error first.
	b, err := numArg(bv, "/", "int")
	if err != nil {
		return num{}, err
	}
	half, err := trueDiv(b, intNum(2))
	if err != nil {
		return num{}, err
	}
	hb, err := square(half)
	if err != nil {
		return num{}, err
	}
	h, err := numArg(hv, "** or pow()", "int")
	if err != nil {
		return num{}, err
	}
	hh, err := square(h)
	if err != nil {
		return num{}, err
	}
	sum, err := add(hb, hh)
	if err != nil {
		return num{}, err
	}
	slant, err := sqrt(sum)
	if err != nil {
		return num{}, err
	}
	bb, err := square(b)
	if err != nil {
		return num{}, err
	}
	bs, err := mul(b, slant)
	if err != nil {
		return num{}, err
	}
	four, err := mul(intNum(4), bs)
	if err != nil {
		return num{}, err
	}
	q, err := trueDiv(four, intNum(2))
	if err != nil {
		return num{}, err
	}
	total, err := add(bb, q)
	if err != nil {
		return num{}, err
	}
	return round(total)
}

// digitDistance is _digit_distance(num1, num2): the digit strings
// zero-padded to the same width, then the sum of |int(x) - int(y)| over
// the digit pairs.
func digitDistance(args []pyvalue.Value) (pyvalue.Value, error) {
	if len(args) != 2 {
		return nil, typeError("_digit_distance() takes 2 positional arguments but %d were given", len(args))
	}
	a, err := pyStr(args[0])
	if err != nil {
		return nil, err
	}
	b, err := pyStr(args[1])
	if err != nil {
		return nil, err
	}
	width := max(len(a), len(b))
	a, b = zfill(a, width), zfill(b, width)
	sum := int64(0)
	for i := range a {
		x, err := digitValue(a[i])
		if err != nil {
			return nil, err
		}
		y, err := digitValue(b[i])
		if err != nil {
			return nil, err
		}
		sum += max(x-y, y-x)
	}
	return pyvalue.IntOf(sum), nil
}

// pyStr is Python's str(v) as code points.
func pyStr(v pyvalue.Value) ([]rune, error) {
	switch x := v.(type) {
	case pyvalue.Str:
		return pyvalue.StrCodePoints(x), nil
	case pyvalue.Int:
		s, ok := x.Decimal()
		if !ok {
			return nil, &pyError{"ValueError", "Exceeds the limit (4300 digits) for integer string conversion; use sys.set_int_max_str_digits() to increase the limit"}
		}
		return []rune(s), nil
	}
	return []rune(pyvalue.Repr(v)), nil
}

// zfill is str.zfill: zeros after any sign up to width code points.
func zfill(s []rune, width int) []rune {
	if len(s) >= width {
		return s
	}
	out := make([]rune, 0, width)
	rest := s
	if len(s) > 0 && (s[0] == '+' || s[0] == '-') {
		out = append(out, s[0])
		rest = s[1:]
	}
	for range width - len(s) {
		out = append(out, '0')
	}
	return append(out, rest...)
}

// digitValue is int(c) for one character: a Unicode decimal digit.
func digitValue(c rune) (int64, error) {
	if c >= '0' && c <= '9' {
		return int64(c - '0'), nil
	}
	if unicode.Is(unicode.Nd, c) {
		// Decimal digits come in runs of ten starting at zero, and the
		// Nd table's ranges are made of whole runs.
		for _, r := range unicode.Nd.R16 {
			if rune(r.Lo) <= c && c <= rune(r.Hi) {
				return int64(c-rune(r.Lo)) % 10, nil
			}
		}
		for _, r := range unicode.Nd.R32 {
			if rune(r.Lo) <= c && c <= rune(r.Hi) {
				return int64(c-rune(r.Lo)) % 10, nil
			}
		}
	}
	return 0, &pyError{"ValueError", "invalid literal for int() with base 10: " + pyvalue.Repr(pyvalue.StrFromCodePoints([]rune{c}))}
}

// polyCheck is find_zero's oracle: abs(poly(*args, out)) <= atol (or,
// without abs, poly(...) <= atol), where poly(xs, x) = sum([coeff *
// math.pow(x, i) for i, coeff in enumerate(xs)]).
func polyCheck(out pyvalue.Value, args []pyvalue.Value, atol float64, useAbs bool) error {
	if len(args) != 1 {
		return typeError("_poly() takes 2 positional arguments but %d were given", len(args)+1)
	}
	coeffs, err := iterate(args[0])
	if err != nil {
		return err
	}
	terms := make([]num, len(coeffs))
	for i, cv := range coeffs {
		p, err := realArg(out)
		if err != nil {
			return err
		}
		if p, err = mathPow(p, i); err != nil {
			return err
		}
		coeff, ok := toNum(cv)
		if !ok {
			if _, isSeq := cv.(pyvalue.Str); isSeq || isSequence(cv) {
				return typeError("can't multiply sequence by non-int of type 'float'")
			}
			return typeError("unsupported operand type(s) for *: '%s' and 'float'", pyvalue.TypeName(cv))
		}
		if terms[i], err = mul(coeff, floatNum(p)); err != nil {
			return err
		}
	}
	// Python 3.11's sum: plain left-to-right addition from int 0.
	total := intNum(0)
	for _, t := range terms {
		if total, err = add(total, t); err != nil {
			return err
		}
	}
	if useAbs {
		total = abs(total)
	}
	ok, err := lessEqual(total, floatNum(atol))
	if err != nil {
		return err
	}
	return match(ok)
}

func isSequence(v pyvalue.Value) bool {
	switch v.(type) {
	case pyvalue.List, pyvalue.Tuple, pyvalue.Bytes:
		return true
	}
	return false
}

// integersDiffer reports whether an expected integer (or bool) meets, at
// the same place, anything but a number exactly equal to it: a different
// integer, a float or complex number that is merely close, a list where
// the number should be. Places are the value itself and the elements of
// lists and tuples; an expected list holding an integer is matched only
// by a list or tuple of its length. Integers have no rounding to forgive,
// so the tolerance (and numpy's broadcasting) is for floats alone: 6.0 or
// True still answer 6 or 1, as Python's == has them.
func integersDiffer(out, exp pyvalue.Value) bool {
	switch y := exp.(type) {
	case pyvalue.Int:
		return !isExactly(out, y.Big())
	case pyvalue.Bool:
		n := int64(0)
		if y {
			n = 1
		}
		return !isExactly(out, big.NewInt(n))
	}
	ys, isYs := sequence(exp)
	if !isYs {
		return false
	}
	xs, isXs := sequence(out)
	if !isXs || len(xs) != len(ys) {
		return holdsInteger(exp)
	}
	for i := range ys {
		if integersDiffer(xs[i], ys[i]) {
			return true
		}
	}
	return false
}

// isExactly reports whether v is a number equal to the integer n.
func isExactly(v pyvalue.Value, n *big.Int) bool {
	switch x := v.(type) {
	case pyvalue.Int:
		return x.Big().Cmp(n) == 0
	case pyvalue.Bool:
		if x {
			return n.Cmp(big.NewInt(1)) == 0
		}
		return n.Sign() == 0
	case pyvalue.Float:
		return floatIs(float64(x), n)
	case pyvalue.Complex:
		return imag(x) == 0 && floatIs(real(x), n)
	}
	return false
}

// floatIs reports whether f is exactly the integer n.
func floatIs(f float64, n *big.Int) bool {
	if math.IsInf(f, 0) || math.IsNaN(f) || f != math.Trunc(f) {
		return false
	}
	b, _ := big.NewFloat(f).Int(nil)
	return b.Cmp(n) == 0
}

// holdsInteger reports whether v is or contains (in lists and tuples) an
// integer or a bool.
func holdsInteger(v pyvalue.Value) bool {
	switch v.(type) {
	case pyvalue.Int, pyvalue.Bool:
		return true
	}
	xs, _ := sequence(v)
	for _, x := range xs {
		if holdsInteger(x) {
			return true
		}
	}
	return false
}
