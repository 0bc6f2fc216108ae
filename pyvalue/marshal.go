package pyvalue

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"math/big"
	"strconv"
)

// Marshal type codes (CPython Python/marshal.c).
const (
	mNull        = '0'
	mNone        = 'N'
	mFalse       = 'F'
	mTrue        = 'T'
	mStopIter    = 'S'
	mEllipsis    = '.'
	mInt         = 'i'
	mInt64       = 'I' // no longer written; still read
	mFloat       = 'f'
	mBinFloat    = 'g'
	mComplex     = 'x'
	mBinComplex  = 'y'
	mLong        = 'l'
	mBytes       = 's'
	mInterned    = 't'
	mRef         = 'r'
	mTuple       = '('
	mList        = '['
	mDict        = '{'
	mCode        = 'c'
	mUnicode     = 'u'
	mSet         = '<'
	mFrozenSet   = '>'
	mASCII       = 'a'
	mASCIIIntern = 'A'
	mSmallTuple  = ')'
	mShortASCII  = 'z'
	mShortIntern = 'Z'
	mFlagRef     = 0x80
)

// DecodeMarshal decodes one value written by CPython's marshal.dumps, in
// any format version from 0 to 4: every type code for the types Value
// covers (short and interned strings, small tuples, text and binary
// floats and complex numbers, 15-bit-digit ints, references and the
// reference flag). The whole input must be the one value.
//
// It never panics, and hostile input costs time and memory bounded by
// lim (see Limits). Errors are *DecodeErrors wrapping ErrTruncated,
// ErrMalformed, ErrUnsupported (code objects, StopIteration), ErrCycle,
// ErrTooLarge, ErrTooDeep, ErrTooManyValues, ErrTrailingData or an
// *UnhashableError.
//
// Where marshal.loads would succeed but DecodeMarshal fails: trailing
// bytes, code objects, StopIteration, self-containing values, and input
// beyond the limits. A str written with the ASCII type codes but holding
// bytes above 0x7F is read as Latin-1, as marshal.loads does.
func DecodeMarshal(data []byte, lim Limits) (Value, error) {
	lim = lim.withDefaults()
	if len(data) > lim.MaxBytes {
		return nil, &DecodeError{Offset: lim.MaxBytes, Err: ErrTooLarge,
			Detail: fmt.Sprintf("%d bytes, limit %d", len(data), lim.MaxBytes)}
	}
	d := decoder{data: data, lim: lim}
	v, err := d.value(0)
	if err != nil {
		return nil, err
	}
	if v == nil {
		return nil, d.errorf(d.pos-1, ErrMalformed, "NULL object in marshal data for object")
	}
	if d.pos != len(data) {
		return nil, d.errorf(d.pos, ErrTrailingData, "%d bytes after the value", len(data)-d.pos)
	}
	return v, nil
}

type decoder struct {
	data  []byte
	text  string // a copy of data, made at the first str or bytes, which they share
	pos   int
	lim   Limits
	nodes int        // values produced so far, references expanded
	refs  []refEntry // objects stored with the reference flag
}

// refEntry is a referenceable object: done is false while a container is
// still being read.
type refEntry struct {
	v     Value
	nodes int // its size with references expanded
	done  bool
}

func (d *decoder) errorf(off int, kind error, format string, args ...any) error {
	return &DecodeError{Offset: off, Err: kind, Detail: fmt.Sprintf(format, args...)}
}

func (d *decoder) need(n int) error {
	if n < 0 || len(d.data)-d.pos < n {
		return d.errorf(d.pos, ErrTruncated, "need %d more bytes, have %d", n, len(d.data)-d.pos)
	}
	return nil
}

func (d *decoder) u8() (byte, error) {
	if err := d.need(1); err != nil {
		return 0, err
	}
	d.pos++
	return d.data[d.pos-1], nil
}

func (d *decoder) i32() (int32, error) {
	if err := d.need(4); err != nil {
		return 0, err
	}
	v := int32(binary.LittleEndian.Uint32(d.data[d.pos:]))
	d.pos += 4
	return v, nil
}

// rawString is raw as a substring of one shared copy of the input, which
// saves an allocation per str and bytes object.
func (d *decoder) rawString(n int) (string, error) {
	if err := d.need(n); err != nil {
		return "", err
	}
	if d.text == "" {
		d.text = string(d.data)
	}
	s := d.text[d.pos : d.pos+n]
	d.pos += n
	return s, nil
}

func (d *decoder) raw(n int) ([]byte, error) {
	if err := d.need(n); err != nil {
		return nil, err
	}
	b := d.data[d.pos : d.pos+n]
	d.pos += n
	return b, nil
}

// size reads a 32-bit element count; every element takes at least one
// byte, so a count beyond the remaining input is rejected before any
// allocation.
func (d *decoder) size(what string) (int, error) {
	start := d.pos
	n, err := d.i32()
	if err != nil {
		return 0, err
	}
	if n < 0 {
		return 0, d.errorf(start, ErrMalformed, "%s size %d out of range", what, n)
	}
	return int(n), nil
}

// count adds n values to the running total.
func (d *decoder) count(n int) error {
	d.nodes += n
	if d.nodes > d.lim.MaxValues || d.nodes < 0 {
		return d.errorf(d.pos, ErrTooManyValues, "more than %d values", d.lim.MaxValues)
	}
	return nil
}

// value reads one object at container depth depth. A nil Value with a nil
// error is marshal's NULL (the end of a dict).
func (d *decoder) value(depth int) (Value, error) {
	start := d.pos
	code, err := d.u8()
	if err != nil {
		return nil, err
	}
	flag, typ := code&mFlagRef != 0, code&^mFlagRef
	switch typ {
	case mNull:
		return nil, nil
	case mNone:
		return None{}, d.count(1)
	case mEllipsis:
		return Ellipsis{}, d.count(1)
	case mFalse:
		return Bool(false), d.count(1)
	case mTrue:
		return Bool(true), d.count(1)
	case mRef:
		return d.ref(start)
	case mStopIter:
		return nil, d.errorf(start, ErrUnsupported, "StopIteration")
	case mCode:
		return nil, d.errorf(start, ErrUnsupported, "code object")
	case mTuple, mSmallTuple, mList, mDict, mSet, mFrozenSet:
		return d.container(start, typ, flag, depth)
	}
	v, err := d.scalar(start, typ)
	if err != nil {
		return nil, err
	}
	if err := d.count(1); err != nil {
		return nil, err
	}
	if flag {
		d.refs = append(d.refs, refEntry{v: v, nodes: 1, done: true})
	}
	return v, nil
}

func (d *decoder) ref(start int) (Value, error) {
	n, err := d.i32()
	if err != nil {
		return nil, err
	}
	if n < 0 || int(n) >= len(d.refs) {
		return nil, d.errorf(start, ErrMalformed, "invalid reference %d", n)
	}
	r := d.refs[n]
	if !r.done {
		return nil, d.errorf(start, ErrCycle, "reference %d to a container being read", n)
	}
	return r.v, d.count(r.nodes)
}

// scalar reads the body of a non-container object.
func (d *decoder) scalar(start int, typ byte) (Value, error) {
	switch typ {
	case mInt:
		n, err := d.i32()
		return intValue(int64(n)), err
	case mInt64:
		b, err := d.raw(8)
		if err != nil {
			return nil, err
		}
		return intValue(int64(binary.LittleEndian.Uint64(b))), nil
	case mLong:
		return d.long(start)
	case mBinFloat:
		b, err := d.raw(8)
		if err != nil {
			return nil, err
		}
		return Float(math.Float64frombits(binary.LittleEndian.Uint64(b))), nil
	case mFloat:
		f, err := d.textFloat()
		return Float(f), err
	case mBinComplex:
		b, err := d.raw(16)
		if err != nil {
			return nil, err
		}
		re := math.Float64frombits(binary.LittleEndian.Uint64(b))
		im := math.Float64frombits(binary.LittleEndian.Uint64(b[8:]))
		return Complex(complex(re, im)), nil
	case mComplex:
		re, err := d.textFloat()
		if err != nil {
			return nil, err
		}
		im, err := d.textFloat()
		return Complex(complex(re, im)), err
	case mBytes:
		n, err := d.size("bytes")
		if err != nil {
			return nil, err
		}
		b, err := d.rawString(n)
		return Bytes(b), err
	case mUnicode, mInterned:
		n, err := d.size("str")
		if err != nil {
			return nil, err
		}
		b, err := d.rawString(n)
		if err != nil {
			return nil, err
		}
		if !validStr(b) {
			return nil, d.errorf(start, ErrMalformed, "str is not UTF-8")
		}
		return Str(b), nil
	case mASCII, mASCIIIntern:
		n, err := d.size("str")
		if err != nil {
			return nil, err
		}
		return d.latin1(n)
	case mShortASCII, mShortIntern:
		n, err := d.u8()
		if err != nil {
			return nil, err
		}
		return d.latin1(int(n))
	}
	return nil, d.errorf(start, ErrMalformed, "unknown type code 0x%02x", typ)
}

// latin1 reads an "ASCII" string; marshal.loads decodes its bytes as
// Latin-1, so bytes above 0x7F are accepted.
func (d *decoder) latin1(n int) (Value, error) {
	b, err := d.rawString(n)
	if err != nil {
		return nil, err
	}
	for i := 0; i < len(b); i++ {
		if b[i] >= 0x80 {
			s := make([]byte, 0, 2*len(b))
			for j := 0; j < len(b); j++ {
				s = appendCP(s, rune(b[j]))
			}
			return Str(s), nil
		}
	}
	return Str(b), nil
}

// textFloat reads a float written as text (marshal versions 0 and 1).
func (d *decoder) textFloat() (float64, error) {
	start := d.pos
	n, err := d.u8()
	if err != nil {
		return 0, err
	}
	b, err := d.raw(int(n))
	if err != nil {
		return 0, err
	}
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i] // C reads the text as a NUL-terminated string
	}
	f, ok := parseCFloat(string(b))
	if !ok {
		return 0, d.errorf(start, ErrMalformed, "could not convert string to float: %q", b)
	}
	return f, nil
}

// long reads an int stored as 15-bit digits, least significant first.
func (d *decoder) long(start int) (Value, error) {
	n32, err := d.i32()
	if err != nil {
		return nil, err
	}
	if n32 == math.MinInt32 {
		return nil, d.errorf(start, ErrMalformed, "long size out of range")
	}
	n := int(n32)
	neg := n < 0
	if neg {
		n = -n
	}
	digits, err := d.raw(2 * n)
	if err != nil {
		return nil, err
	}
	for i := 0; i < n; i++ {
		if digits[2*i+1]&0x80 != 0 {
			return nil, d.errorf(start, ErrMalformed, "digit out of range in long")
		}
	}
	if n > 0 && digits[2*n-2] == 0 && digits[2*n-1] == 0 {
		return nil, d.errorf(start, ErrMalformed, "unnormalized long data")
	}
	if n <= 4 { // at most 60 bits
		var v int64
		for i := n - 1; i >= 0; i-- {
			v = v<<15 | int64(binary.LittleEndian.Uint16(digits[2*i:]))
		}
		if neg {
			v = -v
		}
		return intValue(v), nil
	}
	b := new(big.Int).SetBits(digitsToWords(digits))
	if neg {
		b.Neg(b)
	}
	return intOwned(b), nil
}

// digitsToWords packs little-endian 15-bit digits (2 bytes each) into
// big.Words in linear time.
func digitsToWords(digits []byte) []big.Word {
	const w = 32 << (^uint(0) >> 63) // bits per big.Word
	n := len(digits) / 2
	words := make([]big.Word, (15*n+w-1)/w)
	for i := 0; i < n; i++ {
		v := big.Word(binary.LittleEndian.Uint16(digits[2*i:]))
		bit := 15 * i
		words[bit/w] |= v << (bit % w)
		if bit%w > w-15 {
			words[bit/w+1] |= v >> (w - bit%w)
		}
	}
	return words
}

// container reads a tuple, list, dict, set or frozenset.
func (d *decoder) container(start int, typ byte, flag bool, depth int) (Value, error) {
	if depth >= d.lim.MaxDepth {
		return nil, d.errorf(start, ErrTooDeep, "more than %d nested containers", d.lim.MaxDepth)
	}
	if err := d.count(1); err != nil {
		return nil, err
	}
	ref := -1
	if flag {
		ref = len(d.refs)
		d.refs = append(d.refs, refEntry{})
	}
	before := d.nodes - 1
	var v Value
	var err error
	switch typ {
	case mDict:
		v, err = d.dict(depth + 1)
	default:
		v, err = d.sequence(start, typ, depth+1)
	}
	if err != nil {
		return nil, err
	}
	if ref >= 0 {
		d.refs[ref] = refEntry{v: v, nodes: d.nodes - before, done: true}
	}
	return v, nil
}

// sequence reads the elements of a tuple, list, set or frozenset.
func (d *decoder) sequence(start int, typ byte, depth int) (Value, error) {
	var n int
	var err error
	if typ == mSmallTuple {
		var b byte
		b, err = d.u8()
		n = int(b)
	} else {
		n, err = d.size(typeNameOfCode(typ))
	}
	if err != nil {
		return nil, err
	}
	if n > len(d.data)-d.pos {
		return nil, d.errorf(d.pos, ErrTruncated, "%d elements in %d bytes", n, len(d.data)-d.pos)
	}
	elems := make([]Value, n)
	for i := range elems {
		at := d.pos
		e, err := d.value(depth)
		if err != nil {
			return nil, err
		}
		if e == nil {
			return nil, d.errorf(at, ErrMalformed, "NULL object in marshal data for %s", typeNameOfCode(typ))
		}
		elems[i] = e
	}
	switch typ {
	case mList:
		return List(elems), nil
	case mSet:
		s, err := NewSet(elems)
		return d.orUnhashable(start, s, err)
	case mFrozenSet:
		s, err := NewFrozenSet(elems)
		return d.orUnhashable(start, s, err)
	}
	return Tuple(elems), nil
}

func (d *decoder) orUnhashable(start int, v Value, err error) (Value, error) {
	if err != nil {
		return nil, &DecodeError{Offset: start, Err: err}
	}
	return v, nil
}

// dict reads key/value pairs up to a NULL key (or, as marshal.loads
// allows, a NULL value, which drops its key).
func (d *decoder) dict(depth int) (Value, error) {
	dict := &Dict{}
	for {
		at := d.pos
		k, err := d.value(depth)
		if err != nil || k == nil {
			return dict, err
		}
		v, err := d.value(depth)
		if err != nil || v == nil {
			return dict, err
		}
		if err := dict.set(k, v); err != nil {
			return nil, &DecodeError{Offset: at, Err: err}
		}
	}
}

func typeNameOfCode(typ byte) string {
	switch typ {
	case mList:
		return "list"
	case mSet:
		return "set"
	case mFrozenSet:
		return "frozenset"
	}
	return "tuple"
}

// parseCFloat parses s as CPython's PyOS_string_to_double(s, NULL, NULL)
// does: an optional sign, digits with an optional point (at least one
// digit), an optional exponent, or "inf", "infinity" or "nan" in any case;
// nothing else, not even spaces. Out-of-range values become ±inf or 0.
func parseCFloat(s string) (float64, bool) {
	i := 0
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	if f, ok := parseInfNaN(s[i:], neg); ok {
		return f, true
	}
	digitsAt := i
	nd := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
		nd++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			nd++
		}
	}
	if nd == 0 {
		return 0, false
	}
	mant := s[digitsAt:i]
	exp := ""
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		j := i + 1
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		k := j
		for k < len(s) && s[k] >= '0' && s[k] <= '9' {
			k++
		}
		if k > j {
			exp, i = s[i:k], k
		}
	}
	if i != len(s) {
		return 0, false
	}
	if mant[0] == '.' {
		mant = "0" + mant
	}
	f, err := strconv.ParseFloat(mant+exp, 64)
	if err != nil && !isRangeError(err) {
		return 0, false
	}
	if neg {
		f = -f
	}
	return f, true
}

func parseInfNaN(s string, neg bool) (float64, bool) {
	var f float64
	switch {
	case equalFoldASCII(s, "inf"), equalFoldASCII(s, "infinity"):
		f = math.Inf(1)
	case equalFoldASCII(s, "nan"):
		f = pyNaN
	default:
		return 0, false
	}
	if neg {
		f = math.Copysign(f, -1)
	}
	return f, true
}

// pyNaN is CPython's Py_NAN, the quiet NaN with no payload bits (Go's
// math.NaN sets one).
var pyNaN = math.Float64frombits(0x7FF8000000000000)

func equalFoldASCII(s, lower string) bool {
	if len(s) != len(lower) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

func isRangeError(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}
