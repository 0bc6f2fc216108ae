package compare

import (
	"fmt"
	"math"
	"math/big"

	"github.com/rlef/rlef/pyvalue"
)

// This file is the little Python arithmetic the EvalPlus oracles need
// (surface_Area, find_zero's poly, the tolerance test |out - x| <= atol),
// with Python's types and exceptions: ints exact, int to float conversion
// rounding to nearest and raising OverflowError when too large, complex
// numbers where Python would make them.

// pyError is a Python exception raised by the comparison.
type pyError struct {
	typ, msg string
}

func (e *pyError) Error() string { return e.typ + ": " + e.msg }

func typeError(format string, args ...any) error {
	return &pyError{"TypeError", fmt.Sprintf(format, args...)}
}

var errIntTooLarge = &pyError{"OverflowError", "int too large to convert to float"}

// num is a Python number: an int (bools become ints), a float or a
// complex.
type num struct {
	kind uint8 // numInt, numFloat, numComplex
	i    pyvalue.Int
	f    float64
	c    complex128
}

const (
	numInt = iota
	numFloat
	numComplex
)

func intNum(i int64) num       { return num{kind: numInt, i: pyvalue.IntOf(i)} }
func floatNum(f float64) num   { return num{kind: numFloat, f: f} }
func bigNum(b *big.Int) num    { return num{kind: numInt, i: pyvalue.IntOfBig(b)} }
func cplxNum(c complex128) num { return num{kind: numComplex, c: c} }

// toNum converts a value that Python arithmetic accepts as a number.
func toNum(v pyvalue.Value) (num, bool) {
	switch x := v.(type) {
	case pyvalue.Bool:
		if x {
			return intNum(1), true
		}
		return intNum(0), true
	case pyvalue.Int:
		return num{kind: numInt, i: x}, true
	case pyvalue.Float:
		return floatNum(float64(x)), true
	case pyvalue.Complex:
		return cplxNum(complex128(x)), true
	}
	return num{}, false
}

// float returns the value as a float, as Python's float() of an int does.
func (n num) float() (float64, error) {
	switch n.kind {
	case numInt:
		f, ok := n.i.Float64()
		if !ok {
			return 0, errIntTooLarge
		}
		return f, nil
	case numFloat:
		return n.f, nil
	}
	return 0, typeError("must be real number, not complex")
}

func (n num) complex() (complex128, error) {
	if n.kind == numComplex {
		return n.c, nil
	}
	f, err := n.float()
	return complex(f, 0), err
}

// arith applies a binary operator with Python's coercion: int op int
// exactly (intOp), else both as floats (fOp), else both as complex
// (cOp).
func arith(a, b num, intOp func(x, y *big.Int) *big.Int, fOp func(x, y float64) float64, cOp func(x, y complex128) complex128) (num, error) {
	switch {
	case a.kind == numInt && b.kind == numInt && intOp != nil:
		return bigNum(intOp(a.i.Big(), b.i.Big())), nil
	case a.kind == numComplex || b.kind == numComplex:
		x, err := a.complex()
		if err != nil {
			return num{}, err
		}
		y, err := b.complex()
		if err != nil {
			return num{}, err
		}
		return cplxNum(cOp(x, y)), nil
	}
	x, err := a.float()
	if err != nil {
		return num{}, err
	}
	y, err := b.float()
	if err != nil {
		return num{}, err
	}
	return floatNum(fOp(x, y)), nil
}

func add(a, b num) (num, error) {
	return arith(a, b, func(x, y *big.Int) *big.Int { return x.Add(x, y) },
		func(x, y float64) float64 { return x + y },
		func(x, y complex128) complex128 { return x + y })
}

func sub(a, b num) (num, error) {
	return arith(a, b, func(x, y *big.Int) *big.Int { return x.Sub(x, y) },
		func(x, y float64) float64 { return x - y },
		func(x, y complex128) complex128 { return x - y })
}

func mul(a, b num) (num, error) {
	return arith(a, b, func(x, y *big.Int) *big.Int { return x.Mul(x, y) },
		func(x, y float64) float64 { return x * y },
		cmul)
}

// cmul is Python's complex multiplication (no C99 infinity rules).
func cmul(x, y complex128) complex128 {
	a, b, c, d := real(x), imag(x), real(y), imag(y)
	return complex(float64(a*c)-float64(b*d), float64(a*d)+float64(b*c))
}

// trueDiv is Python's /: int / int is the correctly rounded quotient.
func trueDiv(a, b num) (num, error) {
	if a.kind == numInt && b.kind == numInt {
		if b.i.Sign() == 0 {
			return num{}, &pyError{"ZeroDivisionError", "division by zero"}
		}
		q, _ := new(big.Rat).SetFrac(a.i.Big(), b.i.Big()).Float64()
		if math.IsInf(q, 0) {
			return num{}, &pyError{"OverflowError", "integer division result too large for a float"}
		}
		return floatNum(q), nil
	}
	if a.kind != numComplex && b.kind != numComplex {
		y, err := b.float()
		if err != nil {
			return num{}, err
		}
		if y == 0 {
			return num{}, &pyError{"ZeroDivisionError", "float division by zero"}
		}
		x, err := a.float()
		return floatNum(x / y), err
	}
	return num{}, typeError("complex division is not needed by any oracle")
}

// square is x ** 2: exact for ints; for floats C's pow(x, 2.0), which
// this computes correctly rounded (glibc's pow is within 0.52 units in the
// last place, so it can differ in rare cases).
func square(a num) (num, error) {
	switch a.kind {
	case numInt:
		b := a.i.Big()
		return bigNum(b.Mul(b, b)), nil
	case numFloat:
		r := a.f * a.f
		if math.IsInf(r, 0) && !math.IsInf(a.f, 0) {
			return num{}, &pyError{"OverflowError", "(34, 'Numerical result out of range')"}
		}
		return floatNum(r), nil
	}
	return cplxNum(cmul(a.c, a.c)), nil
}

// abs is Python's abs() of a number; abs of a complex is a float.
func abs(a num) num {
	switch a.kind {
	case numInt:
		if a.i.Sign() < 0 {
			b := a.i.Big()
			return bigNum(b.Neg(b))
		}
		return a
	case numFloat:
		return floatNum(math.Abs(a.f))
	}
	return floatNum(hypot(real(a.c), imag(a.c)))
}

// lessEqual is Python's a <= b for real numbers (ints and floats compared
// exactly).
func lessEqual(a, b num) (bool, error) {
	if a.kind == numComplex || b.kind == numComplex {
		return false, typeError("'<=' not supported between instances of 'complex' and 'float'")
	}
	lt, ok := pyvalue.Less(a.value(), b.value())
	if !ok {
		return false, typeError("'<=' not supported")
	}
	return lt || pyvalue.Equal(a.value(), b.value()), nil
}

func (n num) value() pyvalue.Value {
	switch n.kind {
	case numInt:
		return n.i
	case numFloat:
		return pyvalue.Float(n.f)
	}
	return pyvalue.Complex(n.c)
}

// round is Python's round(x) without ndigits: an int, ties to even.
func round(a num) (num, error) {
	switch a.kind {
	case numInt:
		return a, nil
	case numComplex:
		return num{}, typeError("type complex doesn't define __round__ method")
	}
	switch {
	case math.IsInf(a.f, 0):
		return num{}, &pyError{"OverflowError", "cannot convert float infinity to integer"}
	case math.IsNaN(a.f):
		return num{}, &pyError{"ValueError", "cannot convert float NaN to integer"}
	}
	r := math.RoundToEven(a.f)
	b, _ := new(big.Float).SetFloat64(r).Int(nil)
	return bigNum(b), nil
}

// sqrt is math.sqrt.
func sqrt(a num) (num, error) {
	f, err := a.float()
	if err != nil {
		return num{}, err
	}
	if f < 0 {
		return num{}, &pyError{"ValueError", "math domain error"}
	}
	return floatNum(math.Sqrt(f)), nil
}

// mathPow is math.pow(x, i) for an int exponent i >= 0, correctly rounded
// (see square), with math.pow's special cases and its OverflowError.
func mathPow(x float64, i int) (float64, error) {
	switch {
	case i == 0:
		return 1, nil // even for NaN
	case math.IsNaN(x):
		return x, nil
	case math.IsInf(x, 0):
		if x < 0 && i%2 == 0 {
			return math.Inf(1), nil
		}
		return x, nil
	case x == 0:
		if i%2 == 1 {
			return x, nil // keeps the sign of zero
		}
		return 0, nil
	}
	prec := uint(53*i + 64)
	if prec > 1<<20 {
		prec = 1 << 20 // beyond any exactness that matters; still well rounded
	}
	base := new(big.Float).SetPrec(prec).SetFloat64(x)
	r := new(big.Float).SetPrec(prec).SetInt64(1)
	for k := i; k > 0; k >>= 1 {
		if k&1 == 1 {
			r.Mul(r, base)
		}
		if k > 1 {
			base.Mul(base, base)
		}
	}
	f, _ := r.Float64()
	if math.IsInf(f, 0) {
		return 0, &pyError{"OverflowError", "math range error"}
	}
	return f, nil
}

// realArg converts an argument of math.pow or math.sqrt to float.
func realArg(v pyvalue.Value) (float64, error) {
	n, ok := toNum(v)
	if !ok {
		return 0, typeError("must be real number, not %s", pyvalue.TypeName(v))
	}
	return n.float()
}

// numArg converts an operand of an arithmetic operator.
func numArg(v pyvalue.Value, op string, other string) (num, error) {
	n, ok := toNum(v)
	if !ok {
		return num{}, typeError("unsupported operand type(s) for %s: '%s' and '%s'", op, pyvalue.TypeName(v), other)
	}
	return n, nil
}
