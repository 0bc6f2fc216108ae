package pyvalue

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"strings"
	"testing"
)

func le32(n int) string {
	return string(binary.LittleEndian.AppendUint32(nil, uint32(int32(n))))
}

// doubling returns a version-3 stream of k nested lists, each holding the
// previous one twice (the second time as a reference), so that it
// expands to about 2**k values.
func doubling(k int) []byte {
	var b bytes.Buffer
	for i := 0; i < k; i++ {
		b.WriteString("\xdb" + le32(2)) // list with FLAG_REF: index i
	}
	b.WriteString("\xe9" + le32(7)) // int with FLAG_REF: index k
	for i := k - 1; i >= 0; i-- {
		b.WriteString("r" + le32(i+1)) // the list (or int) just finished
	}
	return b.Bytes()
}

func TestDecodeMarshalHostile(t *testing.T) {
	deep := strings.Repeat("[\x01\x00\x00\x00", 1001) + "N"
	tests := []struct {
		name string
		data string
		lim  Limits
		want error
	}{
		{"empty", "", Limits{}, ErrTruncated},
		{"null", "0", Limits{}, ErrMalformed},
		{"unknown code", "?", Limits{}, ErrMalformed},
		{"flagged unknown code", "\xbf", Limits{}, ErrMalformed},
		{"stop iteration", "S", Limits{}, ErrUnsupported},
		{"code object", "c", Limits{}, ErrUnsupported},
		{"list in list NULL", "[\x01\x00\x00\x000", Limits{}, ErrMalformed},
		{"trailing", "NN", Limits{}, ErrTrailingData},
		{"huge list", "[\xff\xff\xff\x7f", Limits{}, ErrTruncated},
		{"negative list", "[\xff\xff\xff\xff", Limits{}, ErrMalformed},
		{"huge str", "u\xff\xff\xff\x7f", Limits{}, ErrTruncated},
		{"huge long", "l\xff\xff\xff\x7f", Limits{}, ErrTruncated},
		{"min long", "l\x00\x00\x00\x80", Limits{}, ErrMalformed},
		{"unnormalized long", "l\x02\x00\x00\x00\x01\x00\x00\x00", Limits{}, ErrMalformed},
		{"long digit out of range", "l\x01\x00\x00\x00\x00\x80", Limits{}, ErrMalformed},
		{"bad utf8", "u\x02\x00\x00\x00\xc3\x28", Limits{}, ErrMalformed},
		{"bad text float", "f\x03abc", Limits{}, ErrMalformed},
		{"text float with spaces", "f\x04 1.5", Limits{}, ErrMalformed},
		{"invalid ref", "r\x00\x00\x00\x00", Limits{}, ErrMalformed},
		{"ref to a None", "[\x02\x00\x00\x00\xcer\x00\x00\x00\x00", Limits{}, ErrMalformed},
		{"self list", "\xdb\x01\x00\x00\x00r\x00\x00\x00\x00", Limits{}, ErrCycle},
		{"self tuple", "\xa8\x01\x00\x00\x00r\x00\x00\x00\x00", Limits{}, ErrCycle},
		{"self dict value", "\xfbi\x01\x00\x00\x00r\x00\x00\x00\x000", Limits{}, ErrCycle},
		{"self frozenset", "\xbe\x01\x00\x00\x00r\x00\x00\x00\x00", Limits{}, ErrCycle},
		{"unhashable set element", "<\x01\x00\x00\x00[\x00\x00\x00\x00", Limits{}, ErrUnhashable},
		{"unhashable dict key", "{[\x00\x00\x00\x00N0", Limits{}, ErrUnhashable},
		{"too deep", deep, Limits{}, ErrTooDeep},
		{"exponential refs", string(doubling(60)), Limits{}, ErrTooManyValues},
		{"too large", "N", Limits{MaxBytes: 0}, nil},
		{"over MaxBytes", "u\x03\x00\x00\x00abc", Limits{MaxBytes: 5}, ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := DecodeMarshal([]byte(tt.data), tt.lim)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("error %v", err)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v, %v; want %v", v, err, tt.want)
			}
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("%T is not a *DecodeError", err)
			}
		})
	}
}

func TestDecodeMarshalAccepts(t *testing.T) {
	tests := []struct {
		name, data, repr string
	}{
		{"ellipsis", ".", "Ellipsis"},
		{"int64 code", "I\x01\x00\x00\x00\x00\x00\x00\x80", "-9223372036854775807"},
		{"ascii as latin-1", "z\x02\xffa", "'ÿa'"},
		{"surrogate", "u\x03\x00\x00\x00\xed\xa0\x80", `'\ud800'`},
		{"dict ended by a NULL value", "{i\x01\x00\x00\x000", "{}"},
		{"dict duplicate keys", "{i\x01\x00\x00\x00N" + "g\x00\x00\x00\x00\x00\x00\xf0?F0", "{1: False}"},
		{"set duplicates", "<\x02\x00\x00\x00T" + "i\x01\x00\x00\x00", "{True}"},
		{"text float NUL end", "f\x051.5\x00x", "1.5"},
		{"text float forms", "(\x04\x00\x00\x00f\x09-Infinityf\x02.5f\x021.f\x051e999", "(-inf, 0.5, 1.0, inf)"},
		{"text complex", "x\x03nan\x04-inf", "(nan-infj)"},
		{"long", "l\xfe\xff\xff\xff\x01\x00\x01\x00", "-32769"},
		{"long 75 bits", "l\x05\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00", "1152921504606846976"},
		{"shared refs", "[\x02\x00\x00\x00\xe9\x05\x00\x00\x00r\x00\x00\x00\x00", "[5, 5]"},
		{"empty frozenset ref", "[\x02\x00\x00\x00\xbe\x00\x00\x00\x00r\x00\x00\x00\x00", "[frozenset(), frozenset()]"},
		{"doubling", string(doubling(3)), "[[[7, 7], [7, 7]], [[7, 7], [7, 7]]]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := DecodeMarshal([]byte(tt.data), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if got := Repr(v); got != tt.repr {
				t.Errorf("Repr = %s, want %s", got, tt.repr)
			}
		})
	}
}

func TestEncodeMarshal(t *testing.T) {
	tests := []struct {
		v    Value
		want string
	}{
		{IntOf(math.MaxInt32), "i\xff\xff\xff\x7f"},
		{IntOf(math.MinInt32), "i\x00\x00\x00\x80"},
		{IntOf(math.MaxInt32 + 1), "l\x03\x00\x00\x00\x00\x00\x00\x00\x02\x00"},
		{IntOf(-1 << 45), "l\xfc\xff\xff\xff\x00\x00\x00\x00\x00\x00\x01\x00"},
		{Tuple{Str("é"), Bytes("b")}, "(\x02\x00\x00\x00u\x02\x00\x00\x00\xc3\xa9s\x01\x00\x00\x00b"},
		{mustDict(None{}, Bool(true)), "{NT0"},
		{mustFrozen(), ">\x00\x00\x00\x00"},
	}
	for _, tt := range tests {
		got, err := EncodeMarshal(tt.v)
		if err != nil || string(got) != tt.want {
			t.Errorf("EncodeMarshal(%s) = %q, %v; want %q", Repr(tt.v), got, err, tt.want)
		}
	}
	if _, err := EncodeMarshal(Str("\xff")); err == nil {
		t.Error("EncodeMarshal accepted a malformed Str")
	}
}

func TestLimitsMaxValues(t *testing.T) {
	data := doubling(10) // 2**11 - 1 values
	if _, err := DecodeMarshal(data, Limits{MaxValues: 2047}); err != nil {
		t.Fatalf("at the limit: %v", err)
	}
	if _, err := DecodeMarshal(data, Limits{MaxValues: 2046}); !errors.Is(err, ErrTooManyValues) {
		t.Fatalf("over the limit: %v", err)
	}
	if _, err := ParseJSON([]byte("[1, 2, [3]]"), Limits{MaxValues: 4}); !errors.Is(err, ErrTooManyValues) {
		t.Fatalf("JSON over the limit: %v", err)
	}
	if _, err := ParseJSON([]byte("[[[]]]"), Limits{MaxDepth: 2}); !errors.Is(err, ErrTooDeep) {
		t.Fatalf("JSON too deep: %v", err)
	}
}
