package pyvalue

import (
	"bytes"
	"math"
	"sort"
	"strconv"
	"strings"
)

//go:generate /usr/bin/python3 printable_gen.py

// Repr returns repr(v) exactly as CPython 3.11 writes it, except that ints
// of more than 4300 digits are written out in full (Python raises
// ValueError; see ClippedRepr for the harness's way of showing them).
// v must not contain itself.
func Repr(v Value) string { return string(AppendRepr(nil, v)) }

// AppendRepr appends Repr(v) to b.
func AppendRepr(b []byte, v Value) []byte {
	switch x := v.(type) {
	case None:
		return append(b, "None"...)
	case Ellipsis:
		return append(b, "Ellipsis"...)
	case Bool:
		if x {
			return append(b, "True"...)
		}
		return append(b, "False"...)
	case Int:
		if x.big != nil {
			return x.big.Append(b, 10)
		}
		return strconv.AppendInt(b, x.small, 10)
	case Float:
		return appendFloatRepr(b, float64(x), true, false)
	case Complex:
		return appendComplexRepr(b, complex128(x))
	case Str:
		return appendStrRepr(b, string(x))
	case Bytes:
		return appendBytesRepr(b, string(x))
	case List:
		return appendItems(append(b, '['), x, ']')
	case Tuple:
		b = appendItems(append(b, '('), x, 0)
		if len(x) == 1 {
			b = append(b, ',')
		}
		return append(b, ')')
	case *Dict:
		b = append(b, '{')
		for i, k := range x.keys {
			if i > 0 {
				b = append(b, ", "...)
			}
			b = AppendRepr(b, k)
			b = append(b, ": "...)
			b = AppendRepr(b, x.vals[i])
		}
		return append(b, '}')
	case *Set:
		if len(x.keys) == 0 {
			return append(b, "set()"...)
		}
		return appendItems(append(b, '{'), x.keys, '}')
	case *FrozenSet:
		if len(x.keys) == 0 {
			return append(b, "frozenset()"...)
		}
		return append(appendItems(append(b, "frozenset({"...), x.keys, '}'), ')')
	}
	return append(b, "<?>"...)
}

// appendItems appends the reprs of items separated by ", ", then end
// (unless end is 0).
func appendItems(b []byte, items []Value, end byte) []byte {
	for i, e := range items {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = AppendRepr(b, e)
	}
	if end != 0 {
		b = append(b, end)
	}
	return b
}

// appendFloatRepr formats f as CPython's float_repr_style "short" does
// (PyOS_double_to_string with format 'r'): the shortest digits that read
// back as f, in positional notation when the decimal exponent is in
// [-4, 16) and in exponent notation ("1e+16", "1.5e-05") otherwise.
// addDot0 appends ".0" to integral positional output (float repr does,
// complex parts do not); plus writes a sign for non-negative values.
func appendFloatRepr(b []byte, f float64, addDot0, plus bool) []byte {
	switch {
	case math.IsNaN(f): // Python never shows a NaN's sign
		if plus {
			b = append(b, '+')
		}
		return append(b, "nan"...)
	case math.IsInf(f, 0):
		if f < 0 {
			return append(b, "-inf"...)
		}
		if plus {
			b = append(b, '+')
		}
		return append(b, "inf"...)
	}
	var tmp [32]byte
	s := strconv.AppendFloat(tmp[:0], f, 'e', -1, 64) // [-]d[.ddd]e±dd
	if s[0] == '-' {
		b = append(b, '-')
		s = s[1:]
	} else if plus {
		b = append(b, '+')
	}
	e := bytes.IndexByte(s, 'e')
	exp, _ := strconv.Atoi(string(s[e+1:]))
	var dbuf [24]byte
	digits := append(dbuf[:0], s[0])
	if e > 1 {
		digits = append(digits, s[2:e]...)
	}
	decpt := exp + 1 // digits are 0.ddd × 10**decpt
	if decpt <= -4 || decpt > 16 {
		b = append(b, digits[0])
		if len(digits) > 1 {
			b = append(append(b, '.'), digits[1:]...)
		}
		b = append(b, 'e')
		if exp < 0 {
			b = append(b, '-')
			exp = -exp
		} else {
			b = append(b, '+')
		}
		if exp < 10 {
			b = append(b, '0')
		}
		return strconv.AppendInt(b, int64(exp), 10)
	}
	switch {
	case decpt <= 0:
		b = append(b, "0."...)
		for i := decpt; i < 0; i++ {
			b = append(b, '0')
		}
		return append(b, digits...)
	case decpt >= len(digits):
		b = append(b, digits...)
		for i := len(digits); i < decpt; i++ {
			b = append(b, '0')
		}
		if addDot0 {
			b = append(b, ".0"...)
		}
		return b
	}
	b = append(b, digits[:decpt]...)
	b = append(b, '.')
	return append(b, digits[decpt:]...)
}

// appendComplexRepr follows CPython's complex_repr: "1j" or "-0j" when the
// real part is +0.0, else "(re±imj)".
func appendComplexRepr(b []byte, c complex128) []byte {
	re, im := real(c), imag(c)
	if re == 0 && !math.Signbit(re) {
		return append(appendFloatRepr(b, im, false, false), 'j')
	}
	b = appendFloatRepr(append(b, '('), re, false, false)
	b = appendFloatRepr(b, im, false, true)
	return append(b, "j)"...)
}

const hexDigits = "0123456789abcdef"

// appendStrRepr follows CPython's unicode_repr: single quotes unless the
// text has a single quote and no double quote; \t \n \r and the quote
// escaped; other control characters and non-printable code points
// (Python's str.isprintable, Unicode 14) as \xhh, \uhhhh or \Uhhhhhhhh.
func appendStrRepr(b []byte, s string) []byte {
	quote := reprQuote(s)
	b = append(b, quote)
	b = appendStrBody(b, s, quote)
	return append(b, quote)
}

// reprQuote returns the quote str and bytes reprs use for s.
func reprQuote(s string) byte {
	if strings.IndexByte(s, '\'') >= 0 && strings.IndexByte(s, '"') < 0 {
		return '"'
	}
	return '\''
}

// appendStrBody appends the escaped code points of s (a well-formed Str).
func appendStrBody(b []byte, s string, quote byte) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c < 0x80 {
			b = appendASCIIRepr(b, c, quote)
			i++
			continue
		}
		r, n := decodeCP(s, i)
		switch {
		case isPrintable(r):
			b = append(b, s[i:i+n]...)
		case r <= 0xFF:
			b = append(b, '\\', 'x', hexDigits[r>>4], hexDigits[r&15])
		case r <= 0xFFFF:
			b = append(b, '\\', 'u')
			b = appendHex(b, uint32(r), 4)
		default:
			b = append(b, '\\', 'U')
			b = appendHex(b, uint32(r), 8)
		}
		i += n
	}
	return b
}

func appendASCIIRepr(b []byte, c, quote byte) []byte {
	switch {
	case c == quote || c == '\\':
		return append(b, '\\', c)
	case c == '\t':
		return append(b, '\\', 't')
	case c == '\n':
		return append(b, '\\', 'n')
	case c == '\r':
		return append(b, '\\', 'r')
	case c < ' ' || c == 0x7F:
		return append(b, '\\', 'x', hexDigits[c>>4], hexDigits[c&15])
	}
	return append(b, c)
}

func appendHex(b []byte, v uint32, width int) []byte {
	for shift := 4 * (width - 1); shift >= 0; shift -= 4 {
		b = append(b, hexDigits[(v>>shift)&15])
	}
	return b
}

// isPrintable reports Python 3.11's str.isprintable() for one non-ASCII
// code point. The table comes from Python itself (Unicode 14.0): Go's
// unicode package follows a newer Unicode, in which some code points
// unassigned in 14.0 (non-printable there) are letters.
func isPrintable(r rune) bool {
	i := sort.Search(len(printableRanges), func(i int) bool { return printableRanges[i][1] >= r })
	return i < len(printableRanges) && printableRanges[i][0] <= r
}

// appendBytesRepr follows CPython's bytes repr: b'...' (b"..." when the
// bytes hold a single quote and no double quote), with \t \n \r, the
// quote and the backslash escaped and bytes outside 0x20..0x7E as \xhh.
func appendBytesRepr(b []byte, s string) []byte {
	quote := reprQuote(s)
	b = append(b, 'b', quote)
	b = appendBytesBody(b, s, quote)
	return append(b, quote)
}

func appendBytesBody(b []byte, s string, quote byte) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 {
			b = append(b, '\\', 'x', hexDigits[c>>4], hexDigits[c&15])
			continue
		}
		b = appendASCIIRepr(b, c, quote)
	}
	return b
}
