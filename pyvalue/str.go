package pyvalue

import "unicode/utf8"

// Strs are UTF-8 in which surrogate code points may also appear (see Str).
// These helpers read that encoding; Go's utf8 package rejects surrogates.

// validStr reports whether b is well-formed UTF-8 with surrogates allowed,
// which is exactly what Python's "utf-8" codec with "surrogatepass"
// accepts.
func validStr(b string) bool {
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf {
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(b[i:])
		if r == utf8.RuneError && n == 1 {
			if !isSurrogateAt(b, i) {
				return false
			}
			n = 3
		}
		i += n
	}
	return true
}

// isSurrogateAt reports whether b[i:] starts with an encoded surrogate.
func isSurrogateAt[S []byte | string](b S, i int) bool {
	return len(b)-i >= 3 && b[i] == 0xED && b[i+1] >= 0xA0 && b[i+1] <= 0xBF && b[i+2] >= 0x80 && b[i+2] <= 0xBF
}

// decodeCP returns the code point at s[i:] and its length in bytes. s must
// be a well-formed Str.
func decodeCP(s string, i int) (rune, int) {
	c := s[i]
	if c < utf8.RuneSelf {
		return rune(c), 1
	}
	r, n := utf8.DecodeRuneInString(s[i:])
	if r == utf8.RuneError && n == 1 && isSurrogateAt(s, i) {
		return rune(c&0x0F)<<12 | rune(s[i+1]&0x3F)<<6 | rune(s[i+2]&0x3F), 3
	}
	return r, n
}

// appendCP appends code point r (surrogates included) to b.
func appendCP(b []byte, r rune) []byte {
	if r >= 0xD800 && r <= 0xDFFF {
		return append(b, 0xED, byte(0x80|(r>>6)&0x3F), byte(0x80|r&0x3F))
	}
	return utf8.AppendRune(b, r)
}

// strLen returns the number of code points in a well-formed Str.
func strLen(s string) int {
	// Every encoded surrogate is a 3-byte sequence that utf8 counts as 3
	// invalid bytes; count code points by their lead bytes instead.
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i]&0xC0 != 0x80 {
			n++
		}
	}
	return n
}

// codePoints returns the code points of a well-formed Str.
func codePoints(s string) []rune {
	out := make([]rune, 0, len(s))
	for i := 0; i < len(s); {
		r, n := decodeCP(s, i)
		out = append(out, r)
		i += n
	}
	return out
}

// strFromCodePoints encodes code points as a Str.
func strFromCodePoints(cps []rune) string {
	b := make([]byte, 0, len(cps))
	for _, r := range cps {
		b = appendCP(b, r)
	}
	return string(b)
}

// StrCodePoints returns the code points of s, surrogates included.
func StrCodePoints(s Str) []rune { return codePoints(string(s)) }

// StrFromCodePoints returns the Str holding the given code points, which
// may include surrogates. Code points outside 0..0x10FFFF become U+FFFD.
func StrFromCodePoints(cps []rune) Str {
	for i, r := range cps {
		if r < 0 || r > 0x10FFFF {
			c := append([]rune(nil), cps...)
			for j := i; j < len(c); j++ {
				if c[j] < 0 || c[j] > 0x10FFFF {
					c[j] = utf8.RuneError
				}
			}
			return Str(strFromCodePoints(c))
		}
	}
	return Str(strFromCodePoints(cps))
}
