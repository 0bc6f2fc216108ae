package pyvalue

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
)

// ParseJSON parses data as Python's json.loads(data.decode("utf-8",
// "surrogatepass")) does: standard JSON plus the bare tokens NaN, Infinity
// and -Infinity; numbers without a fraction or exponent are ints of any
// size and the rest floats (1e400 is inf); \u escapes may produce lone
// surrogates (a high surrogate followed by a low one makes one code
// point), as may raw surrogates in the input; an object whose key repeats
// keeps the first key's position with the last value; objects become
// dicts with str keys, arrays lists. Leading and trailing spaces, tabs,
// carriage returns and newlines are allowed; a byte-order mark is not.
//
// Like json.loads, it refuses ints of more than 4300 digits (Python's
// default sys.get_int_max_str_digits(), which exists because decimal to
// binary conversion takes quadratic time), with ErrTooLarge.
//
// Errors are *DecodeErrors wrapping ErrSyntax, ErrTooLarge, ErrTooDeep or
// ErrTooManyValues. It never panics.
func ParseJSON(data []byte, lim Limits) (Value, error) {
	lim = lim.withDefaults()
	if len(data) > lim.MaxBytes {
		return nil, &DecodeError{Offset: lim.MaxBytes, Err: ErrTooLarge,
			Detail: fmt.Sprintf("%d bytes, limit %d", len(data), lim.MaxBytes)}
	}
	p := jsonParser{data: data, lim: lim}
	p.space()
	v, err := p.value(0)
	if err != nil {
		return nil, err
	}
	p.space()
	if p.pos != len(data) {
		return nil, p.errorf("extra data")
	}
	return v, nil
}

type jsonParser struct {
	data  []byte
	pos   int
	lim   Limits
	nodes int
	buf   []byte // scratch for strings with escapes
}

func (p *jsonParser) errorf(format string, args ...any) error {
	return &DecodeError{Offset: p.pos, Err: ErrSyntax, Detail: fmt.Sprintf(format, args...)}
}

func (p *jsonParser) space() {
	for p.pos < len(p.data) {
		switch p.data[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *jsonParser) literal(s string) bool {
	if len(p.data)-p.pos >= len(s) && string(p.data[p.pos:p.pos+len(s)]) == s {
		p.pos += len(s)
		return true
	}
	return false
}

func (p *jsonParser) value(depth int) (Value, error) {
	p.nodes++
	if p.nodes > p.lim.MaxValues {
		return nil, &DecodeError{Offset: p.pos, Err: ErrTooManyValues, Detail: fmt.Sprintf("more than %d values", p.lim.MaxValues)}
	}
	if p.pos >= len(p.data) {
		return nil, p.errorf("expecting value")
	}
	switch c := p.data[p.pos]; {
	case c == '{' || c == '[':
		if depth >= p.lim.MaxDepth {
			return nil, &DecodeError{Offset: p.pos, Err: ErrTooDeep, Detail: fmt.Sprintf("more than %d nested containers", p.lim.MaxDepth)}
		}
		if c == '{' {
			return p.object(depth + 1)
		}
		return p.array(depth + 1)
	case c == '"':
		s, err := p.str()
		return Str(s), err
	case c == '-' && p.literal("-Infinity"):
		return Float(math.Inf(-1)), nil
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	case p.literal("true"):
		return Bool(true), nil
	case p.literal("false"):
		return Bool(false), nil
	case p.literal("null"):
		return None{}, nil
	case p.literal("NaN"):
		return Float(pyNaN), nil
	case p.literal("Infinity"):
		return Float(math.Inf(1)), nil
	}
	return nil, p.errorf("expecting value")
}

func (p *jsonParser) array(depth int) (Value, error) {
	p.pos++ // [
	p.space()
	var items List
	if p.pos < len(p.data) && p.data[p.pos] == ']' {
		p.pos++
		return List{}, nil
	}
	for {
		p.space()
		v, err := p.value(depth)
		if err != nil {
			return nil, err
		}
		items = append(items, v)
		p.space()
		if p.pos >= len(p.data) {
			return nil, p.errorf("expecting ',' delimiter")
		}
		switch p.data[p.pos] {
		case ',':
			p.pos++
		case ']':
			p.pos++
			return items, nil
		default:
			return nil, p.errorf("expecting ',' delimiter")
		}
	}
}

func (p *jsonParser) object(depth int) (Value, error) {
	p.pos++ // {
	d := &Dict{}
	p.space()
	if p.pos < len(p.data) && p.data[p.pos] == '}' {
		p.pos++
		return d, nil
	}
	for {
		p.space()
		if p.pos >= len(p.data) || p.data[p.pos] != '"' {
			return nil, p.errorf("expecting property name enclosed in double quotes")
		}
		k, err := p.str()
		if err != nil {
			return nil, err
		}
		p.space()
		if p.pos >= len(p.data) || p.data[p.pos] != ':' {
			return nil, p.errorf("expecting ':' delimiter")
		}
		p.pos++
		p.space()
		v, err := p.value(depth)
		if err != nil {
			return nil, err
		}
		_ = d.set(Str(k), v) // a str key is always hashable
		p.space()
		if p.pos >= len(p.data) {
			return nil, p.errorf("expecting ',' delimiter")
		}
		switch p.data[p.pos] {
		case ',':
			p.pos++
		case '}':
			p.pos++
			return d, nil
		default:
			return nil, p.errorf("expecting ',' delimiter")
		}
	}
}

// number scans Python's JSON number grammar and converts it: an int
// unless there is a fraction or an exponent.
func (p *jsonParser) number() (Value, error) {
	start := p.pos
	if p.data[p.pos] == '-' {
		p.pos++
	}
	switch {
	case p.pos < len(p.data) && p.data[p.pos] == '0':
		p.pos++
	case p.pos < len(p.data) && p.data[p.pos] >= '1' && p.data[p.pos] <= '9':
		p.digits()
	default:
		p.pos = start
		return nil, p.errorf("expecting value")
	}
	isFloat := false
	if p.pos+1 < len(p.data) && p.data[p.pos] == '.' && isDigit(p.data[p.pos+1]) {
		p.pos++
		p.digits()
		isFloat = true
	}
	if p.pos < len(p.data) && (p.data[p.pos] == 'e' || p.data[p.pos] == 'E') {
		save := p.pos
		p.pos++
		if p.pos < len(p.data) && (p.data[p.pos] == '+' || p.data[p.pos] == '-') {
			p.pos++
		}
		if p.digits() > 0 {
			isFloat = true
		} else {
			p.pos = save
		}
	}
	text := string(p.data[start:p.pos])
	if isFloat {
		f, err := strconv.ParseFloat(text, 64)
		if err != nil && !isRangeError(err) {
			return nil, p.errorf("bad number %q", text)
		}
		return Float(f), nil
	}
	if len(text) <= 18 {
		n, _ := strconv.ParseInt(text, 10, 64) // cannot fail: at most 18 digits
		return intValue(n), nil
	}
	if digits := len(text) - start0(text); digits > maxIntDigits {
		return nil, &DecodeError{Offset: start, Err: ErrTooLarge,
			Detail: fmt.Sprintf("int of %d digits (Python's limit is %d)", digits, maxIntDigits)}
	}
	b, ok := new(big.Int).SetString(text, 10)
	if !ok {
		return nil, p.errorf("bad number %q", text)
	}
	return intOwned(b), nil
}

// maxIntDigits is CPython's default sys.get_int_max_str_digits().
const maxIntDigits = 4300

// start0 returns 1 for a text with a minus sign, else 0.
func start0(text string) int {
	if text[0] == '-' {
		return 1
	}
	return 0
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func (p *jsonParser) digits() int {
	n := 0
	for p.pos < len(p.data) && isDigit(p.data[p.pos]) {
		p.pos++
		n++
	}
	return n
}

// str scans a string at its opening quote and returns its code points as
// a Str.
func (p *jsonParser) str() (string, error) {
	p.pos++ // "
	start := p.pos
	for p.pos < len(p.data) {
		c := p.data[p.pos]
		switch {
		case c == '"':
			s := string(p.data[start:p.pos])
			p.pos++
			if !validStr(s) {
				return "", &DecodeError{Offset: start, Err: ErrSyntax, Detail: "string is not UTF-8"}
			}
			return s, nil
		case c == '\\':
			return p.escapedStr(start)
		case c < 0x20:
			return "", p.errorf("invalid control character in string")
		}
		p.pos++
	}
	return "", p.errorf("unterminated string")
}

func (p *jsonParser) escapedStr(start int) (string, error) {
	b := append(p.buf[:0], p.data[start:p.pos]...)
	for p.pos < len(p.data) {
		c := p.data[p.pos]
		switch {
		case c == '"':
			p.pos++
			p.buf = b
			s := string(b)
			if !validStr(s) {
				return "", &DecodeError{Offset: start, Err: ErrSyntax, Detail: "string is not UTF-8"}
			}
			return s, nil
		case c < 0x20:
			return "", p.errorf("invalid control character in string")
		case c != '\\':
			b = append(b, c)
			p.pos++
			continue
		}
		if p.pos+1 >= len(p.data) {
			break
		}
		e := p.data[p.pos+1]
		p.pos += 2
		switch e {
		case '"', '\\', '/':
			b = append(b, e)
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r, err := p.unicodeEscape()
			if err != nil {
				return "", err
			}
			b = appendCP(b, r)
		default:
			p.pos -= 2
			return "", p.errorf("invalid \\escape")
		}
	}
	return "", p.errorf("unterminated string")
}

// unicodeEscape reads the XXXX of \uXXXX (and a following \uXXXX when it
// completes a surrogate pair).
func (p *jsonParser) unicodeEscape() (rune, error) {
	r, ok := hex4(p.data, p.pos)
	if !ok {
		return 0, p.errorf("invalid \\uXXXX escape")
	}
	p.pos += 4
	if r < 0xD800 || r > 0xDBFF || len(p.data)-p.pos < 6 || p.data[p.pos] != '\\' || p.data[p.pos+1] != 'u' {
		return r, nil
	}
	r2, ok := hex4(p.data, p.pos+2)
	if !ok {
		p.pos += 2
		return 0, p.errorf("invalid \\uXXXX escape")
	}
	if r2 >= 0xDC00 && r2 <= 0xDFFF {
		p.pos += 6
		return 0x10000 + (r-0xD800)<<10 + (r2 - 0xDC00), nil
	}
	return r, nil
}

func hex4(b []byte, i int) (rune, bool) {
	if len(b)-i < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[i : i+4] {
		var v byte
		switch {
		case c >= '0' && c <= '9':
			v = c - '0'
		case c >= 'a' && c <= 'f':
			v = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			v = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(v)
	}
	return r, true
}
