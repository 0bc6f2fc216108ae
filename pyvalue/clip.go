package pyvalue

import (
	"math/big"
	"strconv"
	"sync"
	"unicode/utf8"
)

// DefaultClip is the judge harness's _MAX_REPR: the length in code points
// beyond which ClippedRepr and Clip cut text.
const DefaultClip = 2000

// Clip shortens s as the judge harness's _clip does: text longer than
// limit code points keeps its first and last limit/2 code points around
// "...(N characters omitted)...". limit <= 0 means DefaultClip.
func Clip(s string, limit int) string {
	if limit <= 0 {
		limit = DefaultClip
	}
	n := strLen(s)
	if n <= limit {
		return s
	}
	half := limit / 2
	head := byteOffset(s, half)
	tail := 0 // Python's s[-0:] is all of s
	if half > 0 {
		tail = byteOffset(s, n-half)
	}
	return s[:head] + "...(" + strconv.Itoa(n-2*half) + " characters omitted)..." + s[tail:]
}

// byteOffset returns the byte offset of code point k in a Str.
func byteOffset(s string, k int) int {
	i := 0
	for ; k > 0 && i < len(s); k-- {
		_, n := decodeCP(s, i)
		i += n
	}
	return i
}

// ClippedRepr returns what the judge harness's _repr(v) shows: repr(v)
// clipped by Clip to limit code points; for a list, tuple, dict, set or
// frozenset of more than 10000 items, reprlib's abbreviation instead
// (nesting level 4, at most 100 items per container, str and other
// scalars cut to 200 characters and ints to 40), followed by " (N
// items)"; and "<unrepresentable T: ValueError>" when v holds an int of
// more than 4300 digits, which Python refuses to convert to decimal. Huge
// values are never rendered in full: the text is clipped as it is written.
//
// Residual differences from Python: values nested close to Python's
// recursion limit, which make Python's repr raise RecursionError, are
// shown in full; and reprlib sorts the items of large sets and dicts with
// Python's < when it can (Repr does the same sort, stably, so results
// agree whenever the items are totally ordered; with NaNs or subset-ordered
// frozensets Python's order depends on its sort algorithm).
func ClippedRepr(v Value, limit int) string {
	if limit <= 0 {
		limit = DefaultClip
	}
	c := &clipper{limit: limit, half: limit / 2}
	if n, ok := containerLen(v); ok && n > 10000 {
		rl := reprlib{c: c}
		rl.repr(v, 4)
		c.writeString(" (" + strconv.Itoa(n) + " items)")
	} else {
		c.repr(v)
	}
	if c.failed {
		return "<unrepresentable " + TypeName(v) + ": ValueError>"
	}
	return c.result()
}

func containerLen(v Value) (int, bool) {
	switch v.(type) {
	case List, Tuple, *Dict, *Set, *FrozenSet:
		return Len(v)
	}
	return 0, false
}

// clipper accumulates text, dropping the middle of it once it is much
// longer than the limit, while counting every code point written. Repr
// text is always valid UTF-8 (surrogates are escaped), so code points are
// runes here.
type clipper struct {
	limit, half int
	buf         []byte
	dropped     int  // runes dropped from the middle of buf
	failed      bool // an int too long for Python's repr
}

func (c *clipper) compactAt() int { return 4*c.limit + 64<<10 }

func (c *clipper) writeString(s string) {
	c.buf = append(c.buf, s...)
	c.maybeCompact()
}

// maybeCompact keeps the first and last half runes of buf once buf holds
// far more than limit runes (4 bytes per rune at most), which therefore
// exceeds the limit.
func (c *clipper) maybeCompact() {
	if len(c.buf) <= c.compactAt() || c.half == 0 {
		return
	}
	head := 0
	for k := 0; k < c.half; k++ {
		_, n := utf8.DecodeRune(c.buf[head:])
		head += n
	}
	tail := len(c.buf)
	for k := 0; k < c.half; k++ {
		_, n := utf8.DecodeLastRune(c.buf[:tail])
		tail -= n
	}
	c.dropped += utf8.RuneCount(c.buf[head:tail])
	c.buf = append(c.buf[:head], c.buf[tail:]...)
}

func (c *clipper) result() string {
	total := utf8.RuneCount(c.buf) + c.dropped
	if total <= c.limit {
		return string(c.buf)
	}
	s := string(c.buf)
	head := byteOffset(s, c.half)
	tail := 0
	if c.half > 0 {
		tail = byteOffset(s, len([]rune(s))-c.half)
	}
	return s[:head] + "...(" + strconv.Itoa(total-2*c.half) + " characters omitted)..." + s[tail:]
}

// repr writes Repr(v), in pieces.
func (c *clipper) repr(v Value) {
	if c.failed {
		return
	}
	switch x := v.(type) {
	case Int:
		if tooManyDigits(x) {
			c.failed = true
			return
		}
	case Str:
		c.chunked(string(x), false)
		return
	case Bytes:
		c.chunked(string(x), true)
		return
	case List:
		c.items("[", x, "]")
		return
	case Tuple:
		if len(x) == 1 {
			c.items("(", x, ",)")
		} else {
			c.items("(", x, ")")
		}
		return
	case *Set:
		if len(x.keys) > 0 {
			c.items("{", x.keys, "}")
			return
		}
	case *FrozenSet:
		if len(x.keys) > 0 {
			c.items("frozenset({", x.keys, "})")
			return
		}
	case *Dict:
		c.writeString("{")
		for i, k := range x.keys {
			if i > 0 {
				c.writeString(", ")
			}
			c.repr(k)
			c.writeString(": ")
			c.repr(x.vals[i])
		}
		c.writeString("}")
		return
	}
	c.buf = AppendRepr(c.buf, v)
	c.maybeCompact()
}

func (c *clipper) items(open string, items []Value, end string) {
	c.writeString(open)
	for i, e := range items {
		if i > 0 {
			c.writeString(", ")
		}
		c.repr(e)
	}
	c.writeString(end)
}

// chunked writes the repr of a str or bytes a piece at a time.
func (c *clipper) chunked(s string, isBytes bool) {
	quote := reprQuote(s)
	if isBytes {
		c.buf = append(c.buf, 'b')
	}
	c.buf = append(c.buf, quote)
	const chunk = 16 << 10
	for len(s) > 0 {
		n := min(chunk, len(s))
		for !isBytes && n < len(s) && s[n]&0xC0 == 0x80 {
			n++ // end on a code point boundary
		}
		if isBytes {
			c.buf = appendBytesBody(c.buf, s[:n], quote)
		} else {
			c.buf = appendStrBody(c.buf, s[:n], quote)
		}
		c.maybeCompact()
		s = s[n:]
	}
	c.buf = append(c.buf, quote)
	c.maybeCompact()
}

// tooManyDigits reports whether Python's str(i) would raise ValueError
// for exceeding sys.get_int_max_str_digits() (4300 by default).
func tooManyDigits(i Int) bool {
	if i.big == nil {
		return false
	}
	// 2**14284 < 10**4300 < 2**14285
	switch n := i.big.BitLen(); {
	case n <= 14284:
		return false
	case n > 14285:
		return true
	}
	return new(big.Int).Abs(i.big).Cmp(tenPow4300()) >= 0
}

var tenPow4300 = sync.OnceValue(func() *big.Int {
	return new(big.Int).Exp(big.NewInt(10), big.NewInt(4300), nil)
})
