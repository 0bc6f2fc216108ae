package pyvalue

import (
	"errors"
	"math"
	"testing"
)

// The seed corpora in testdata/fuzz were written by CPython
// (testdata/pydiff.py seeds testdata/fuzz): marshal data of every format
// version and Python-dialect JSON.

var fuzzLimits = Limits{MaxBytes: 1 << 20, MaxDepth: 200, MaxValues: 1 << 16}

var decodeErrors = []error{ErrTruncated, ErrMalformed, ErrSyntax, ErrUnsupported, ErrUnhashable, ErrCycle,
	ErrTooLarge, ErrTooDeep, ErrTooManyValues, ErrTrailingData}

func checkDecodeError(t *testing.T, err error) {
	t.Helper()
	var de *DecodeError
	if !errors.As(err, &de) {
		t.Fatalf("error %v is not a *DecodeError", err)
	}
	for _, k := range decodeErrors {
		if errors.Is(err, k) {
			return
		}
	}
	t.Fatalf("error %v matches no Err* value", err)
}

// checkDecoded checks what every decoded value must satisfy: it
// re-encodes to the same value, its reprs can be made, and Equal, Key and
// Hashable agree with each other.
func checkDecoded(t *testing.T, v Value) {
	t.Helper()
	enc, err := EncodeMarshal(v)
	if err != nil {
		t.Fatalf("EncodeMarshal(%s): %v", clipTest(Repr(v)), err)
	}
	back, err := DecodeMarshal(enc, Limits{})
	if err != nil {
		t.Fatalf("decoding the re-encoded value: %v", err)
	}
	if !identical(back, v, exact) {
		t.Fatalf("round trip changed %s into %s", clipTest(Repr(v)), clipTest(Repr(back)))
	}
	nan := hasNaN(v)
	if Equal(v, back) == nan {
		t.Fatalf("Equal(v, copy) = %v for %s", !nan, clipTest(Repr(v)))
	}
	k1, ok1 := Key(v)
	k2, ok2 := Key(back)
	if ok1 != (Hashable(v) && !nan) || ok1 != ok2 || k1 != k2 {
		t.Fatalf("Key of %s: %v %v", clipTest(Repr(v)), ok1, ok2)
	}
	_ = ClippedRepr(v, 50)
	_ = Repr(v)
}

func hasNaN(v Value) bool {
	switch x := v.(type) {
	case Float:
		return math.IsNaN(float64(x))
	case Complex:
		return math.IsNaN(real(x)) || math.IsNaN(imag(x))
	case List:
		return anyNaN(x)
	case Tuple:
		return anyNaN(x)
	case *Dict:
		return anyNaN(x.keys) || anyNaN(x.vals)
	case *Set:
		return anyNaN(x.keys)
	case *FrozenSet:
		return anyNaN(x.keys)
	}
	return false
}

func anyNaN(vs []Value) bool {
	for _, v := range vs {
		if hasNaN(v) {
			return true
		}
	}
	return false
}

func FuzzDecodeMarshal(f *testing.F) {
	f.Add([]byte("[\x02\x00\x00\x00i\x01\x00\x00\x00g\x00\x00\x00\x00\x00\x00\xf8\x7f"))
	f.Add([]byte("\xdb\x02\x00\x00\x00r\x00\x00\x00\x00N"))
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := DecodeMarshal(data, fuzzLimits)
		if err != nil {
			checkDecodeError(t, err)
			return
		}
		checkDecoded(t, v)
	})
}

func FuzzParseJSON(f *testing.F) {
	f.Add([]byte(`{"a": [1, 2.5, NaN, "\ud800"], "a": -Infinity}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := ParseJSON(data, fuzzLimits)
		if err != nil {
			checkDecodeError(t, err)
			return
		}
		checkDecoded(t, v)
	})
}
