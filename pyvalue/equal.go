package pyvalue

import (
	"math"
	"math/big"
)

// Equal reports whether a == b in Python.
//
// Numbers compare by value across bool, int, float and complex, exactly:
// an int and a float are compared without rounding the int (2**53 + 1 !=
// 2.0**53), NaN equals nothing, -0.0 == 0.0, and a complex equals a real
// number when its imaginary part is zero. str never equals bytes, list never
// equals tuple, a set equals a frozenset with the same elements, and dicts
// are equal when they have the same keys (found as Python finds them: 1,
// 1.0 and True are one key) mapped to equal values. There is no identity
// shortcut (see the package comment): a NaN inside a container makes it
// unequal to every container, itself included.
func Equal(a, b Value) bool {
	switch x := a.(type) {
	case Int:
		if y, ok := b.(Int); ok && x.big == nil && y.big == nil {
			return x.small == y.small // the common case, first
		}
		return numEqual(a, b)
	case None:
		_, ok := b.(None)
		return ok
	case Ellipsis:
		_, ok := b.(Ellipsis)
		return ok
	case Bool, Float, Complex:
		return numEqual(a, b)
	case Str:
		y, ok := b.(Str)
		return ok && x == y
	case Bytes:
		y, ok := b.(Bytes)
		return ok && x == y
	case List:
		y, ok := b.(List)
		return ok && seqEqual(x, y)
	case Tuple:
		y, ok := b.(Tuple)
		return ok && seqEqual(x, y)
	case *Dict:
		y, ok := b.(*Dict)
		return ok && dictEqual(x, y)
	case *Set:
		return setEqual(&x.hashed, b)
	case *FrozenSet:
		return setEqual(&x.hashed, b)
	}
	return false
}

func seqEqual(x, y []Value) bool {
	if len(x) != len(y) {
		return false
	}
	for i := range x {
		if !Equal(x[i], y[i]) {
			return false
		}
	}
	return true
}

func dictEqual(x, y *Dict) bool {
	if x.Len() != y.Len() {
		return false
	}
	for i, k := range x.keys {
		j := y.find(k)
		if j < 0 || !Equal(x.vals[i], y.vals[j]) {
			return false
		}
	}
	return true
}

func setEqual(x *hashed, b Value) bool {
	var y *hashed
	switch s := b.(type) {
	case *Set:
		y = &s.hashed
	case *FrozenSet:
		y = &s.hashed
	default:
		return false
	}
	if len(x.keys) != len(y.keys) {
		return false
	}
	for _, k := range x.keys {
		if y.find(k) < 0 {
			return false
		}
	}
	return true
}

// numEqual compares a number a with any value b.
func numEqual(a, b Value) bool {
	switch x := a.(type) {
	case Bool:
		return intEqual(boolInt(bool(x)), b)
	case Int:
		return intEqual(x, b)
	case Float:
		return floatEqual(float64(x), b)
	case Complex:
		switch y := b.(type) {
		case Complex:
			return x == y
		case Bool, Int, Float:
			return imag(x) == 0 && floatEqual(real(x), b)
		}
	}
	return false
}

func boolInt(b bool) Int {
	if b {
		return Int{small: 1}
	}
	return Int{}
}

func intEqual(x Int, b Value) bool {
	switch y := b.(type) {
	case Bool:
		return x.big == nil && x.small == boolInt(bool(y)).small
	case Int:
		return x.Cmp(y) == 0
	case Float:
		return intEqualFloat(x, float64(y))
	case Complex:
		return imag(y) == 0 && intEqualFloat(x, real(y))
	}
	return false
}

func floatEqual(f float64, b Value) bool {
	switch y := b.(type) {
	case Bool:
		return intEqualFloat(boolInt(bool(y)), f)
	case Int:
		return intEqualFloat(y, f)
	case Float:
		return f == float64(y)
	case Complex:
		return imag(y) == 0 && f == real(y)
	}
	return false
}

// intEqualFloat compares an int with a float exactly, as Python does.
func intEqualFloat(i Int, f float64) bool {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return false
	}
	if i.big == nil {
		if i.small >= -1<<53 && i.small <= 1<<53 {
			return float64(i.small) == f
		}
		// |i| > 2**53: f must be integral and within int64 to match.
		if f >= -(1<<63) && f < 1<<63 {
			return float64(int64(f)) == f && int64(f) == i.small
		}
		return false
	}
	if f == math.Trunc(f) && math.Abs(f) >= 1<<63 {
		fi, _ := new(big.Float).SetFloat64(f).Int(nil)
		return fi.Cmp(i.big) == 0
	}
	return false
}

// intOfFloat returns the integer value of an integral, finite float.
func intOfFloat(f float64) Int {
	if f >= -(1<<63) && f < 1<<63 {
		return Int{small: int64(f)}
	}
	b, _ := new(big.Float).SetFloat64(f).Int(nil)
	return Int{big: b}
}
