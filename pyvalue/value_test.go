package pyvalue

import (
	"errors"
	"math"
	"math/big"
	"strings"
	"testing"
)

func bigInt(s string) Int {
	b, ok := new(big.Int).SetString(s, 10)
	if !ok {
		panic(s)
	}
	return IntOfBig(b)
}

func mustSet(elems ...Value) *Set {
	s, err := NewSet(elems)
	if err != nil {
		panic(err)
	}
	return s
}

func mustFrozen(elems ...Value) *FrozenSet {
	s, err := NewFrozenSet(elems)
	if err != nil {
		panic(err)
	}
	return s
}

func mustDict(kv ...Value) *Dict {
	var ks, vs []Value
	for i := 0; i < len(kv); i += 2 {
		ks = append(ks, kv[i])
		vs = append(vs, kv[i+1])
	}
	d, err := NewDict(ks, vs)
	if err != nil {
		panic(err)
	}
	return d
}

func TestEqual(t *testing.T) {
	nan := Float(math.NaN())
	two53 := bigInt("9007199254740993") // 2**53 + 1
	tests := []struct {
		name string
		a, b Value
		want bool
	}{
		{"int float", IntOf(1), Float(1), true},
		{"bool int", Bool(true), IntOf(1), true},
		{"bool float", Bool(false), Float(math.Copysign(0, -1)), true},
		{"2**53+1 vs float", two53, Float(1 << 53), false},
		{"2**53 vs float", IntOf(1 << 53), Float(1 << 53), true},
		{"big int vs float", bigInt("1267650600228229401496703205376"), Float(math.Ldexp(1, 100)), true},
		{"big int+1 vs float", bigInt("1267650600228229401496703205377"), Float(math.Ldexp(1, 100)), false},
		{"int64 max vs 2**63 float", IntOf(math.MaxInt64), Float(math.Ldexp(1, 63)), false},
		{"nan", nan, nan, false},
		{"inf", Float(math.Inf(1)), Float(math.Inf(1)), true},
		{"complex real", Complex(complex(2, 0)), IntOf(2), true},
		{"complex imag", Complex(complex(2, 1)), IntOf(2), false},
		{"complex -0 imag", Complex(complex(2, math.Copysign(0, -1))), Float(2), true},
		{"str bytes", Str("a"), Bytes("a"), false},
		{"list tuple", List{IntOf(1)}, Tuple{IntOf(1)}, false},
		{"nested", List{Tuple{IntOf(1), Float(2)}}, List{Tuple{Bool(true), IntOf(2)}}, true},
		{"list with nan", List{nan}, List{nan}, false},
		{"set frozenset", mustSet(IntOf(1), IntOf(2)), mustFrozen(Float(2), Bool(true)), true},
		{"set sizes", mustSet(IntOf(1)), mustSet(IntOf(1), IntOf(2)), false},
		{"dict keys by value", mustDict(IntOf(1), Str("a")), mustDict(Float(1), Str("a")), true},
		{"dict values", mustDict(IntOf(1), Str("a")), mustDict(IntOf(1), Str("b")), false},
		{"dict order", mustDict(IntOf(1), None{}, IntOf(2), None{}), mustDict(IntOf(2), None{}, IntOf(1), None{}), true},
		{"none", None{}, None{}, true},
		{"none zero", None{}, IntOf(0), false},
		{"ellipsis", Ellipsis{}, Ellipsis{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Equal(tt.a, tt.b); got != tt.want {
				t.Errorf("Equal(%s, %s) = %v, want %v", Repr(tt.a), Repr(tt.b), got, tt.want)
			}
			if got := Equal(tt.b, tt.a); got != tt.want {
				t.Errorf("Equal(%s, %s) = %v, want %v", Repr(tt.b), Repr(tt.a), got, tt.want)
			}
			ka, oka := Key(tt.a)
			kb, okb := Key(tt.b)
			if oka && okb && (ka == kb) != tt.want {
				t.Errorf("Key equality %v, Equal %v", ka == kb, tt.want)
			}
		})
	}
}

func TestDictAndSetConstruction(t *testing.T) {
	// Python: {1: 'a', 1.0: 'b', True: 'c', 2: 'd'} == {1: 'c', 2: 'd'}
	d := mustDict(IntOf(1), Str("a"), Float(1), Str("b"), Bool(true), Str("c"), IntOf(2), Str("d"))
	if got := Repr(d); got != "{1: 'c', 2: 'd'}" {
		t.Errorf("dict = %s", got)
	}
	s := mustSet(IntOf(1), Float(1), Bool(true), Float(math.NaN()), Float(math.NaN()))
	if got := Repr(s); got != "{1, nan, nan}" {
		t.Errorf("set = %s", got)
	}
	// Large enough to use the index.
	var elems []Value
	for i := 0; i < 50; i++ {
		elems = append(elems, IntOf(int64(i%20)), Float(float64(i%20)))
	}
	big := mustSet(elems...)
	if big.Len() != 20 || !big.Contains(Bool(true)) || big.Contains(IntOf(20)) {
		t.Errorf("indexed set: len %d", big.Len())
	}
	if _, err := NewSet([]Value{List{}}); !errors.Is(err, ErrUnhashable) {
		t.Errorf("set of list: err %v", err)
	}
	if _, err := NewDict([]Value{Tuple{IntOf(1), List{}}}, []Value{None{}}); err == nil || err.Error() != "unhashable type: 'list'" {
		t.Errorf("dict with tuple-of-list key: err %v", err)
	}
	fs := mustFrozen(mustFrozen(IntOf(1)), Tuple{Str("x")})
	if !fs.Contains(mustFrozen(Float(1))) || fs.Contains(mustSet(IntOf(1))) {
		t.Errorf("frozenset membership wrong")
	}
}

func TestReprBasics(t *testing.T) {
	tests := []struct {
		v    Value
		want string
	}{
		{Float(1), "1.0"},
		{Float(1e16), "1e+16"},
		{Float(1e15), "1000000000000000.0"},
		{Float(1e-5), "1e-05"},
		{Float(0.0001), "0.0001"},
		{Float(0.1), "0.1"},
		{Float(0), "0.0"},
		{Float(math.Copysign(0, -1)), "-0.0"},
		{Float(math.Inf(-1)), "-inf"},
		{Float(1.5e300), "1.5e+300"},
		{Float(5e-324), "5e-324"},
		{Complex(complex(1, 2)), "(1+2j)"},
		{Complex(complex(0, 1)), "1j"},
		{Complex(complex(math.Copysign(0, -1), 1)), "(-0+1j)"},
		{Complex(complex(0, math.Copysign(0, -1))), "-0j"},
		{Complex(complex(math.NaN(), 1)), "(nan+1j)"},
		{Complex(complex(1, math.Inf(-1))), "(1-infj)"},
		{Str("it's"), `"it's"`},
		{Str(`a'b"c`), `'a\'b"c'`},
		{Str("\t\x00\x7f\u00ad\u00ffĀé\U0001F600\U000E0000"), `'\t\x00\x7f\xadÿĀé😀\U000e0000'`},
		{Str("\xed\xa0\x80"), `'\ud800'`},
		{Bytes("a'\x00\xff"), `b"a'\x00\xff"`},
		{Tuple{IntOf(1)}, "(1,)"},
		{Tuple{}, "()"},
		{mustSet(), "set()"},
		{mustFrozen(), "frozenset()"},
		{mustFrozen(IntOf(1)), "frozenset({1})"},
		{mustDict(Str("a"), List{None{}, Ellipsis{}}), "{'a': [None, Ellipsis]}"},
		{bigInt("-123456789012345678901234567890"), "-123456789012345678901234567890"},
	}
	for _, tt := range tests {
		if got := Repr(tt.v); got != tt.want {
			t.Errorf("Repr = %s, want %s", got, tt.want)
		}
	}
}

func TestClip(t *testing.T) {
	s := strings.Repeat("é", 10)
	if got := Clip(s, 4); got != "éé...(6 characters omitted)...éé" {
		t.Errorf("Clip = %q", got)
	}
	if got := Clip(s, 10); got != s {
		t.Errorf("Clip = %q", got)
	}
	if got := ClippedRepr(Str(strings.Repeat("a", 100)), 10); got != "'aaaa...(92 characters omitted)...aaaa'" {
		t.Errorf("ClippedRepr = %q", got)
	}
	huge := new(big.Int).Exp(big.NewInt(10), big.NewInt(4300), nil)
	if got := ClippedRepr(List{IntOfBig(huge)}, 0); got != "<unrepresentable list: ValueError>" {
		t.Errorf("ClippedRepr(10**4300) = %q", got)
	}
	ok := new(big.Int).Sub(huge, big.NewInt(1))
	if got := ClippedRepr(IntOfBig(ok), 0); !strings.Contains(got, "characters omitted") {
		t.Errorf("ClippedRepr(10**4300-1) = %q", got)
	}
}
