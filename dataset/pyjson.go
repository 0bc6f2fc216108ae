package dataset

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// This file is a small JSON parser for the dialect Python's json module
// writes: standard JSON plus the bare tokens NaN, Infinity and -Infinity,
// and integers of any size. encoding/json rejects the tokens and decodes big
// integers lossily unless told otherwise, and EvalPlus files contain both.
// Every parsed value keeps its exact source text (Raw), so test arguments
// can be handed to a Python harness unchanged.

// jKind is the kind of a parsed JSON value.
type jKind uint8

const (
	jNull jKind = iota
	jBool
	jNumber
	jString
	jArray
	jObject
)

func (k jKind) String() string {
	return [...]string{"null", "bool", "number", "string", "array", "object"}[k]
}

// jValue is one parsed value.
type jValue struct {
	Kind  jKind
	Raw   []byte   // exact source text (a sub-slice of the input)
	Str   string   // decoded text of a string
	Items []jValue // array elements
	Keys  []string // object keys, in order
	Vals  []jValue // object values, parallel to Keys
}

// maxJSONDepth bounds nesting so hostile input cannot exhaust the stack.
const maxJSONDepth = 512

// jsonSyntaxError reports where parsing failed.
type jsonSyntaxError struct {
	Offset int
	Msg    string
}

func (e *jsonSyntaxError) Error() string {
	return fmt.Sprintf("invalid JSON at byte %d: %s", e.Offset, e.Msg)
}

// parsePyJSON parses data, which must hold exactly one value (surrounded by
// optional whitespace).
func parsePyJSON(data []byte) (jValue, error) {
	return parsePyJSONShallow(data, maxJSONDepth+1)
}

// parsePyJSONShallow is parsePyJSON that builds the tree only down to
// depth keep: deeper values are fully validated but get only Kind and Raw
// (no Items, Keys, Vals or Str). Depth 0 is the top-level value. This keeps
// loading files with hundreds of thousands of nested test arguments fast.
func parsePyJSONShallow(data []byte, keep int) (jValue, error) {
	p := jparser{data: data, keep: keep}
	p.skipSpace()
	v, err := p.value(0)
	if err != nil {
		return jValue{}, err
	}
	p.skipSpace()
	if p.pos != len(data) {
		return jValue{}, p.errorf("unexpected %q after the value", p.data[p.pos])
	}
	return v, nil
}

type jparser struct {
	data []byte
	pos  int
	keep int // build children only for values at depth < keep
}

func (p *jparser) errorf(format string, args ...any) error {
	return &jsonSyntaxError{Offset: p.pos, Msg: fmt.Sprintf(format, args...)}
}

func (p *jparser) skipSpace() {
	for p.pos < len(p.data) {
		switch p.data[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *jparser) hasPrefix(s string) bool {
	return len(p.data)-p.pos >= len(s) && string(p.data[p.pos:p.pos+len(s)]) == s
}

func (p *jparser) value(depth int) (jValue, error) {
	if depth > maxJSONDepth {
		return jValue{}, p.errorf("nesting deeper than %d", maxJSONDepth)
	}
	if p.pos >= len(p.data) {
		return jValue{}, p.errorf("unexpected end of input")
	}
	start := p.pos
	switch c := p.data[p.pos]; {
	case c == '{':
		return p.object(depth)
	case c == '[':
		return p.array(depth)
	case c == '"':
		s, err := p.str(depth < p.keep)
		if err != nil {
			return jValue{}, err
		}
		return jValue{Kind: jString, Raw: p.data[start:p.pos], Str: s}, nil
	case c == '-' || (c >= '0' && c <= '9'):
		if p.hasPrefix("-Infinity") {
			p.pos += len("-Infinity")
			return jValue{Kind: jNumber, Raw: p.data[start:p.pos]}, nil
		}
		if err := p.number(); err != nil {
			return jValue{}, err
		}
		return jValue{Kind: jNumber, Raw: p.data[start:p.pos]}, nil
	default:
		for _, lit := range [...]struct {
			text string
			kind jKind
		}{{"true", jBool}, {"false", jBool}, {"null", jNull}, {"NaN", jNumber}, {"Infinity", jNumber}} {
			if p.hasPrefix(lit.text) {
				p.pos += len(lit.text)
				return jValue{Kind: lit.kind, Raw: p.data[start:p.pos]}, nil
			}
		}
		return jValue{}, p.errorf("unexpected %q", c)
	}
}

func (p *jparser) object(depth int) (jValue, error) {
	start := p.pos
	p.pos++ // {
	v := jValue{Kind: jObject}
	p.skipSpace()
	if p.pos < len(p.data) && p.data[p.pos] == '}' {
		p.pos++
		v.Raw = p.data[start:p.pos]
		return v, nil
	}
	for {
		p.skipSpace()
		if p.pos >= len(p.data) || p.data[p.pos] != '"' {
			return jValue{}, p.errorf("expected a string key")
		}
		key, err := p.str(depth < p.keep)
		if err != nil {
			return jValue{}, err
		}
		p.skipSpace()
		if p.pos >= len(p.data) || p.data[p.pos] != ':' {
			return jValue{}, p.errorf("expected ':' after object key")
		}
		p.pos++
		p.skipSpace()
		val, err := p.value(depth + 1)
		if err != nil {
			return jValue{}, err
		}
		if depth < p.keep {
			v.Keys = append(v.Keys, key)
			v.Vals = append(v.Vals, val)
		}
		p.skipSpace()
		if p.pos >= len(p.data) {
			return jValue{}, p.errorf("unexpected end of input in object")
		}
		switch p.data[p.pos] {
		case ',':
			p.pos++
		case '}':
			p.pos++
			v.Raw = p.data[start:p.pos]
			return v, nil
		default:
			return jValue{}, p.errorf("expected ',' or '}' in object")
		}
	}
}

func (p *jparser) array(depth int) (jValue, error) {
	start := p.pos
	p.pos++ // [
	v := jValue{Kind: jArray}
	p.skipSpace()
	if p.pos < len(p.data) && p.data[p.pos] == ']' {
		p.pos++
		v.Raw = p.data[start:p.pos]
		return v, nil
	}
	for {
		p.skipSpace()
		item, err := p.value(depth + 1)
		if err != nil {
			return jValue{}, err
		}
		if depth < p.keep {
			v.Items = append(v.Items, item)
		}
		p.skipSpace()
		if p.pos >= len(p.data) {
			return jValue{}, p.errorf("unexpected end of input in array")
		}
		switch p.data[p.pos] {
		case ',':
			p.pos++
		case ']':
			p.pos++
			v.Raw = p.data[start:p.pos]
			return v, nil
		default:
			return jValue{}, p.errorf("expected ',' or ']' in array")
		}
	}
}

// number scans a JSON number (any number of digits).
func (p *jparser) number() error {
	if p.data[p.pos] == '-' {
		p.pos++
	}
	digits := func() int {
		n := 0
		for p.pos < len(p.data) && p.data[p.pos] >= '0' && p.data[p.pos] <= '9' {
			p.pos++
			n++
		}
		return n
	}
	if p.pos < len(p.data) && p.data[p.pos] == '0' {
		p.pos++
	} else if digits() == 0 {
		return p.errorf("malformed number")
	}
	if p.pos < len(p.data) && p.data[p.pos] == '.' {
		p.pos++
		if digits() == 0 {
			return p.errorf("malformed number: no digits after '.'")
		}
	}
	if p.pos < len(p.data) && (p.data[p.pos] == 'e' || p.data[p.pos] == 'E') {
		p.pos++
		if p.pos < len(p.data) && (p.data[p.pos] == '+' || p.data[p.pos] == '-') {
			p.pos++
		}
		if digits() == 0 {
			return p.errorf("malformed number: no exponent digits")
		}
	}
	return nil
}

// str scans a string starting at the opening quote and, if decode is set,
// decodes it (otherwise it only validates it and returns "").
func (p *jparser) str(decode bool) (string, error) {
	p.pos++ // opening quote
	start := p.pos
	// Fast path: no escapes.
	for p.pos < len(p.data) {
		c := p.data[p.pos]
		if c == '"' {
			s := p.data[start:p.pos]
			p.pos++
			if !utf8.Valid(s) {
				return "", &jsonSyntaxError{Offset: start, Msg: "string is not valid UTF-8"}
			}
			if !decode {
				return "", nil
			}
			return string(s), nil
		}
		if c == '\\' {
			break
		}
		if c < 0x20 {
			return "", p.errorf("control character in string")
		}
		p.pos++
	}
	var b strings.Builder
	b.Write(p.data[start:p.pos])
	for p.pos < len(p.data) {
		c := p.data[p.pos]
		switch {
		case c == '"':
			p.pos++
			s := b.String()
			if !utf8.ValidString(s) {
				return "", &jsonSyntaxError{Offset: start, Msg: "string is not valid UTF-8"}
			}
			if !decode {
				return "", nil
			}
			return s, nil
		case c < 0x20:
			return "", p.errorf("control character in string")
		case c != '\\':
			b.WriteByte(c)
			p.pos++
			continue
		}
		p.pos++ // backslash
		if p.pos >= len(p.data) {
			break
		}
		if err := p.escape(&b); err != nil {
			return "", err
		}
	}
	return "", p.errorf("unterminated string")
}

// escape decodes the escape sequence after a backslash into b.
func (p *jparser) escape(b *strings.Builder) error {
	e := p.data[p.pos]
	p.pos++
	switch e {
	case '"', '\\', '/':
		b.WriteByte(e)
	case 'b':
		b.WriteByte('\b')
	case 'f':
		b.WriteByte('\f')
	case 'n':
		b.WriteByte('\n')
	case 'r':
		b.WriteByte('\r')
	case 't':
		b.WriteByte('\t')
	case 'u':
		return p.unicodeEscape(b)
	default:
		return p.errorf("invalid escape \\%c", e)
	}
	return nil
}

// unicodeEscape decodes \uXXXX (the position is after the u), joining a
// surrogate pair written as two escapes.
func (p *jparser) unicodeEscape(b *strings.Builder) error {
	r, err := p.hex4()
	if err != nil {
		return err
	}
	if !utf16.IsSurrogate(r) {
		b.WriteRune(r)
		return nil
	}
	if p.hasPrefix(`\u`) {
		save := p.pos
		p.pos += 2
		r2, err := p.hex4()
		if err != nil {
			return err
		}
		if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
			b.WriteRune(dec)
			return nil
		}
		p.pos = save
	}
	// A lone surrogate: Python accepts it; Go strings cannot hold it, so
	// it becomes U+FFFD.
	b.WriteRune(utf8.RuneError)
	return nil
}

func (p *jparser) hex4() (rune, error) {
	if len(p.data)-p.pos < 4 {
		return 0, p.errorf("short \\u escape")
	}
	n, err := strconv.ParseUint(string(p.data[p.pos:p.pos+4]), 16, 32)
	if err != nil {
		return 0, p.errorf("invalid \\u escape")
	}
	p.pos += 4
	return rune(n), nil
}

// field returns the value of key in an object.
func (v *jValue) field(key string) (*jValue, bool) {
	if v.Kind != jObject {
		return nil, false
	}
	for i, k := range v.Keys {
		if k == key {
			return &v.Vals[i], true
		}
	}
	return nil, false
}

// stringField returns a required string field.
func (v *jValue) stringField(key string) (string, error) {
	f, ok := v.field(key)
	if !ok {
		return "", fmt.Errorf("missing field %q", key)
	}
	if f.Kind != jString {
		return "", fmt.Errorf("field %q is a %s, want a string", key, f.Kind)
	}
	return f.Str, nil
}

// optStringField returns a string field, or "" when absent or null.
func (v *jValue) optStringField(key string) (string, error) {
	f, ok := v.field(key)
	if !ok || f.Kind == jNull {
		return "", nil
	}
	if f.Kind != jString {
		return "", fmt.Errorf("field %q is a %s, want a string", key, f.Kind)
	}
	return f.Str, nil
}

// float returns a number's value; NaN and the infinities parse too.
func (v *jValue) float() (float64, error) {
	if v.Kind != jNumber {
		return 0, fmt.Errorf("%s is not a number", v.Kind)
	}
	return strconv.ParseFloat(string(v.Raw), 64)
}
