package pyvalue

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/big"
)

// maxEncodeDepth is marshal's own nesting limit (MAX_MARSHAL_STACK_DEPTH).
const maxEncodeDepth = 2000

// EncodeMarshal returns v in marshal format version 2, the format of
// marshal.dumps(v, 2): no references, binary floats, ints that fit in 32
// bits as 'i' and others as 15-bit digits, str as UTF-8 with surrogates
// passed through. marshal.loads reads back a value identical to v (strs
// are always written with the plain, not the interned, type code).
//
// It fails for a Str that is not well-formed, for containers nested more
// than 2000 deep (as marshal.dumps does), for sizes beyond 2**31-1, and
// for a nil Value. v must not contain itself.
func EncodeMarshal(v Value) ([]byte, error) {
	return appendMarshal(nil, v, 0)
}

func appendMarshal(b []byte, v Value, depth int) ([]byte, error) {
	if depth > maxEncodeDepth {
		return b, errors.New("pyvalue: value too deeply nested to marshal")
	}
	switch x := v.(type) {
	case None:
		return append(b, mNone), nil
	case Ellipsis:
		return append(b, mEllipsis), nil
	case Bool:
		if x {
			return append(b, mTrue), nil
		}
		return append(b, mFalse), nil
	case Int:
		return appendMarshalInt(b, x), nil
	case Float:
		return binary.LittleEndian.AppendUint64(append(b, mBinFloat), math.Float64bits(float64(x))), nil
	case Complex:
		b = binary.LittleEndian.AppendUint64(append(b, mBinComplex), math.Float64bits(real(x)))
		return binary.LittleEndian.AppendUint64(b, math.Float64bits(imag(x))), nil
	case Str:
		if !validStr(string(x)) {
			return b, errors.New("pyvalue: str is not well-formed UTF-8")
		}
		return appendSized(b, mUnicode, len(x), []byte(x))
	case Bytes:
		return appendSized(b, mBytes, len(x), []byte(x))
	case List:
		return appendElems(b, mList, x, depth)
	case Tuple:
		return appendElems(b, mTuple, x, depth)
	case *Set:
		return appendElems(b, mSet, x.keys, depth)
	case *FrozenSet:
		return appendElems(b, mFrozenSet, x.keys, depth)
	case *Dict:
		b = append(b, mDict)
		var err error
		for i, k := range x.keys {
			if b, err = appendMarshal(b, k, depth+1); err != nil {
				return b, err
			}
			if b, err = appendMarshal(b, x.vals[i], depth+1); err != nil {
				return b, err
			}
		}
		return append(b, mNull), nil
	}
	return b, fmt.Errorf("pyvalue: cannot marshal %T", v)
}

func appendSized(b []byte, code byte, n int, body []byte) ([]byte, error) {
	if n > math.MaxInt32 {
		return b, errors.New("pyvalue: object too large to marshal")
	}
	b = binary.LittleEndian.AppendUint32(append(b, code), uint32(n))
	return append(b, body...), nil
}

func appendElems(b []byte, code byte, elems []Value, depth int) ([]byte, error) {
	b, err := appendSized(b, code, len(elems), nil)
	if err != nil {
		return b, err
	}
	for _, e := range elems {
		if b, err = appendMarshal(b, e, depth+1); err != nil {
			return b, err
		}
	}
	return b, nil
}

func appendMarshalInt(b []byte, i Int) []byte {
	if i.big == nil && i.small >= math.MinInt32 && i.small <= math.MaxInt32 {
		return binary.LittleEndian.AppendUint32(append(b, mInt), uint32(int32(i.small)))
	}
	mag := new(big.Int).Abs(i.bigView())
	digits := wordsToDigits(mag.Bits())
	n := int32(len(digits))
	if i.Sign() < 0 {
		n = -n
	}
	b = binary.LittleEndian.AppendUint32(append(b, mLong), uint32(n))
	for _, d := range digits {
		b = binary.LittleEndian.AppendUint16(b, d)
	}
	return b
}

// wordsToDigits splits a magnitude into 15-bit digits, least significant
// first, without leading zero digits.
func wordsToDigits(words []big.Word) []uint16 {
	const w = 32 << (^uint(0) >> 63)
	nbits := len(words) * w
	digits := make([]uint16, 0, (nbits+14)/15)
	for bit := 0; bit < nbits; bit += 15 {
		v := words[bit/w] >> (bit % w)
		if bit%w > w-15 && bit/w+1 < len(words) {
			v |= words[bit/w+1] << (w - bit%w)
		}
		digits = append(digits, uint16(v&0x7FFF))
	}
	for len(digits) > 0 && digits[len(digits)-1] == 0 {
		digits = digits[:len(digits)-1]
	}
	return digits
}
