// Package pyvalue represents Python's builtin data values in Go.
//
// It exists so that values computed by untrusted Python code can be judged
// outside that code's process: a candidate's return values cross the
// process boundary as CPython marshal bytes (DecodeMarshal), expected values
// come from Python-dialect JSON (ParseJSON) or from a reference solution's
// marshal bytes, and Equal, Repr and the hashing rules behave exactly as
// CPython 3.11's ==, repr() and dict/set lookups do for these types.
//
// A Value is one of None, Ellipsis, Bool, Int, Float, Complex, Str, Bytes,
// List, Tuple, *Dict, *Set and *FrozenSet. Values are immutable once built:
// decoders share sub-values freely, and a Value may be used from many
// goroutines at once.
//
// Identity. Python's containers compare elements with an identity shortcut
// (x is y implies x == y), and dicts and sets find a key by identity before
// trying ==. This package has no object identity: every NaN is unequal to
// every value, itself included, as two NaNs decoded from separate processes
// are in Python. Within one marshal stream, an object referenced twice (marshal
// version 3 and later) is shared in Go but counts as two objects for
// equality.
package pyvalue

import (
	"math"
	"math/big"
	"strconv"
)

// Value is a Python builtin data value. The concrete types are None,
// Ellipsis, Bool, Int, Float, Complex, Str, Bytes, List, Tuple, *Dict,
// *Set and *FrozenSet; no other type implements Value.
type Value interface {
	pyValue()
}

// None is Python's None.
type None struct{}

// Ellipsis is Python's Ellipsis (...). Marshal can carry it, so it is
// represented rather than rejected; it equals only itself.
type Ellipsis struct{}

// Bool is a Python bool. Like Python's, it is also a number: True == 1 ==
// 1.0.
type Bool bool

// Float is a Python float (an IEEE 754 double).
type Float float64

// Complex is a Python complex.
type Complex complex128

// Str is a Python str: a sequence of code points, stored as UTF-8 in which
// the surrogate code points U+D800..U+DFFF may also appear, each encoded
// as three bytes (ED A0 80..ED BF BF), which is what Python's "utf-8"
// codec with errors="surrogatepass" writes and what marshal stores. A Str
// without surrogates is an ordinary Go UTF-8 string. Decoders only ever
// produce well-formed Strs; a Str built by hand from invalid UTF-8 is not
// a Python value and its Repr is undefined.
type Str string

// Bytes is a Python bytes object, held in a Go string so that it is
// immutable.
type Bytes string

// List is a Python list. It must not be modified once shared.
type List []Value

// Tuple is a Python tuple.
type Tuple []Value

func (None) pyValue()       {}
func (Ellipsis) pyValue()   {}
func (Bool) pyValue()       {}
func (Int) pyValue()        {}
func (Float) pyValue()      {}
func (Complex) pyValue()    {}
func (Str) pyValue()        {}
func (Bytes) pyValue()      {}
func (List) pyValue()       {}
func (Tuple) pyValue()      {}
func (*Dict) pyValue()      {}
func (*Set) pyValue()       {}
func (*FrozenSet) pyValue() {}

// Int is a Python int of any size. Values that fit in an int64 are held
// without allocation; larger ones in a big.Int that is never modified.
// The zero Int is 0.
type Int struct {
	small int64
	big   *big.Int // nil unless the value does not fit in an int64
}

// IntOf returns the Int with value v.
func IntOf(v int64) Int { return Int{small: v} }

// IntOfBig returns the Int with value b (b is copied).
func IntOfBig(b *big.Int) Int {
	if b.IsInt64() {
		return Int{small: b.Int64()}
	}
	return Int{big: new(big.Int).Set(b)}
}

// intOwned is IntOfBig without the copy, for big.Ints nothing else holds.
func intOwned(b *big.Int) Int {
	if b.IsInt64() {
		return Int{small: b.Int64()}
	}
	return Int{big: b}
}

// Int64 returns the value and whether it fits in an int64.
func (i Int) Int64() (int64, bool) { return i.small, i.big == nil }

// Big returns the value as a new big.Int.
func (i Int) Big() *big.Int {
	if i.big != nil {
		return new(big.Int).Set(i.big)
	}
	return big.NewInt(i.small)
}

// bigView returns the value as a big.Int that must not be modified.
func (i Int) bigView() *big.Int {
	if i.big != nil {
		return i.big
	}
	return big.NewInt(i.small)
}

// Sign returns -1, 0 or +1.
func (i Int) Sign() int {
	if i.big != nil {
		return i.big.Sign()
	}
	switch {
	case i.small < 0:
		return -1
	case i.small > 0:
		return 1
	}
	return 0
}

// Cmp compares i and j, returning -1, 0 or +1.
func (i Int) Cmp(j Int) int {
	if i.big == nil && j.big == nil {
		switch {
		case i.small < j.small:
			return -1
		case i.small > j.small:
			return 1
		}
		return 0
	}
	return i.bigView().Cmp(j.bigView())
}

// String returns the decimal digits, as Python's str(int) does (without
// Python's 4300-digit limit).
func (i Int) String() string {
	if i.big != nil {
		return i.big.String()
	}
	return strconv.FormatInt(i.small, 10)
}

// Decimal returns Python's str(i), and false when Python refuses to
// convert it because it has more than 4300 digits (ValueError, see
// sys.get_int_max_str_digits).
func (i Int) Decimal() (string, bool) {
	if tooManyDigits(i) {
		return "", false
	}
	return i.String(), true
}

// Float64 returns the nearest float64 (ties to even, as Python's float(int)
// does) and false when the value is too large for a float64 (Python raises
// OverflowError).
func (i Int) Float64() (float64, bool) {
	if i.big == nil {
		return float64(i.small), true
	}
	f, _ := new(big.Float).SetInt(i.big).Float64()
	if math.IsInf(f, 0) {
		return f, false
	}
	return f, true
}

// smallInts holds boxed Values for the ints decoders meet most, so that
// decoding them does not allocate. It is filled once and only read.
var smallInts = func() (t [smallIntMax - smallIntMin + 1]Value) {
	for i := range t {
		t[i] = Int{small: int64(i + smallIntMin)}
	}
	return t
}()

const (
	smallIntMin = -16
	smallIntMax = 1024
)

// intValue boxes an int64 as a Value.
func intValue(v int64) Value {
	if v >= smallIntMin && v <= smallIntMax {
		return smallInts[v-smallIntMin]
	}
	return Int{small: v}
}

// TypeName returns type(v).__name__ as Python spells it: "NoneType",
// "ellipsis", "bool", "int", "float", "complex", "str", "bytes", "list",
// "tuple", "dict", "set" or "frozenset".
func TypeName(v Value) string {
	switch v.(type) {
	case None:
		return "NoneType"
	case Ellipsis:
		return "ellipsis"
	case Bool:
		return "bool"
	case Int:
		return "int"
	case Float:
		return "float"
	case Complex:
		return "complex"
	case Str:
		return "str"
	case Bytes:
		return "bytes"
	case List:
		return "list"
	case Tuple:
		return "tuple"
	case *Dict:
		return "dict"
	case *Set:
		return "set"
	case *FrozenSet:
		return "frozenset"
	}
	return "unknown"
}

// Len returns len(v) for str (in code points), bytes, list, tuple, dict, set
// and frozenset, and false for other types.
func Len(v Value) (int, bool) {
	switch x := v.(type) {
	case Str:
		return strLen(string(x)), true
	case Bytes:
		return len(x), true
	case List:
		return len(x), true
	case Tuple:
		return len(x), true
	case *Dict:
		return x.Len(), true
	case *Set:
		return x.Len(), true
	case *FrozenSet:
		return x.Len(), true
	}
	return 0, false
}
