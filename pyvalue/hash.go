package pyvalue

import (
	"encoding/binary"
	"fmt"
	"math"
	"slices"
)

// Hashable reports whether v can be a dict key or set element in Python:
// None, Ellipsis, numbers, str, bytes, frozensets and tuples of hashable
// values. Lists, dicts and sets are not.
func Hashable(v Value) bool {
	switch x := v.(type) {
	case List, *Dict, *Set:
		return false
	case Tuple:
		for _, e := range x {
			if !Hashable(e) {
				return false
			}
		}
	}
	return true
}

// Key returns a string that two hashable values share exactly when they
// are Equal, for use as a Go map key where Python would use a dict or set.
// ok is false when v is not Hashable, and when v contains a NaN: such a
// value equals nothing, so Python finds it only by identity, which values
// decoded from separate processes never share.
func Key(v Value) (key string, ok bool) {
	b, ok := appendKey(nil, v)
	return string(b), ok
}

// Key encoding: a tag byte, then a tag-specific body; every encoding is
// self-delimiting, so tuple and frozenset keys are concatenations.
//
//	'N' None, 'E' Ellipsis
//	'i' 8 bytes: an integral number in int64 range (bool, int, float, complex)
//	'I' sign byte, uvarint length, magnitude: a larger integral number
//	'f' 8 bytes: the bits of a non-integral or infinite float
//	'c' 16 bytes: the bits of a complex with non-zero imaginary part
//	's' / 'b' uvarint length, bytes: str / bytes
//	't' uvarint count, element keys: tuple
//	'z' uvarint count, element keys in sorted order: frozenset
func appendKey(b []byte, v Value) ([]byte, bool) {
	switch x := v.(type) {
	case None:
		return append(b, 'N'), true
	case Ellipsis:
		return append(b, 'E'), true
	case Bool:
		return appendIntKey(b, boolInt(bool(x))), true
	case Int:
		return appendIntKey(b, x), true
	case Float:
		return appendRealKey(b, float64(x))
	case Complex:
		if imag(x) == 0 {
			return appendRealKey(b, real(x))
		}
		if math.IsNaN(real(x)) || math.IsNaN(imag(x)) {
			return b, false
		}
		b = append(b, 'c')
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(real(x)+0)) // -0.0 becomes 0.0
		return binary.LittleEndian.AppendUint64(b, math.Float64bits(imag(x)+0)), true
	case Str:
		b = append(b, 's')
		b = binary.AppendUvarint(b, uint64(len(x)))
		return append(b, x...), true
	case Bytes:
		b = append(b, 'b')
		b = binary.AppendUvarint(b, uint64(len(x)))
		return append(b, x...), true
	case Tuple:
		b = append(b, 't')
		b = binary.AppendUvarint(b, uint64(len(x)))
		for _, e := range x {
			var ok bool
			if b, ok = appendKey(b, e); !ok {
				return b, false
			}
		}
		return b, true
	case *FrozenSet:
		return appendFrozenSetKey(b, x)
	}
	return b, false
}

func appendIntKey(b []byte, i Int) []byte {
	if i.big == nil {
		return binary.LittleEndian.AppendUint64(append(b, 'i'), uint64(i.small))
	}
	b = append(b, 'I', byte(i.big.Sign()+1))
	mag := i.big.Bytes()
	b = binary.AppendUvarint(b, uint64(len(mag)))
	return append(b, mag...)
}

func appendRealKey(b []byte, f float64) ([]byte, bool) {
	switch {
	case math.IsNaN(f):
		return b, false
	case !math.IsInf(f, 0) && f == math.Trunc(f):
		return appendIntKey(b, intOfFloat(f)), true
	}
	return binary.LittleEndian.AppendUint64(append(b, 'f'), math.Float64bits(f)), true
}

func appendFrozenSetKey(b []byte, s *FrozenSet) ([]byte, bool) {
	keys := make([]string, 0, len(s.keys))
	for _, e := range s.keys {
		k, ok := appendKey(nil, e)
		if !ok {
			return b, false
		}
		keys = append(keys, string(k))
	}
	slices.Sort(keys)
	b = append(b, 'z')
	b = binary.AppendUvarint(b, uint64(len(keys)))
	for _, k := range keys {
		b = append(b, k...)
	}
	return b, true
}

// hashed is the ordered, duplicate-free key list of a dict or set, with an
// index for lookups once it is large enough for one to pay.
type hashed struct {
	keys  []Value
	index map[string]int // Key → position; nil for small collections
}

// indexFrom is the size from which lookups go through a map instead of a
// scan with Equal.
const indexFrom = 9

// find returns the position of a key equal to k, or -1.
func (h *hashed) find(k Value) int {
	if h.index == nil {
		for i, e := range h.keys {
			if Equal(e, k) {
				return i
			}
		}
		return -1
	}
	key, ok := appendKey(nil, k)
	if !ok {
		return -1
	}
	if i, found := h.index[string(key)]; found {
		return i
	}
	return -1
}

// add inserts k unless an equal key is present, and returns its position
// and whether it was inserted. k must be Hashable.
func (h *hashed) add(k Value) (int, bool) {
	if h.index == nil && len(h.keys) < indexFrom {
		if i := h.find(k); i >= 0 {
			return i, false
		}
		h.keys = append(h.keys, k)
		return len(h.keys) - 1, true
	}
	if h.index == nil {
		h.index = make(map[string]int, 2*len(h.keys))
		for i, e := range h.keys {
			if key, ok := appendKey(nil, e); ok {
				h.index[string(key)] = i
			}
		}
	}
	key, ok := appendKey(nil, k)
	if ok {
		if i, found := h.index[string(key)]; found {
			return i, false
		}
		h.index[string(key)] = len(h.keys)
	}
	h.keys = append(h.keys, k)
	return len(h.keys) - 1, true
}

// UnhashableError reports a dict key or set element that Python would
// refuse with "TypeError: unhashable type". It matches ErrUnhashable with
// errors.Is.
type UnhashableError struct {
	Type string // TypeName of the offending value
}

func (e *UnhashableError) Error() string {
	return fmt.Sprintf("unhashable type: '%s'", e.Type)
}

// Is makes errors.Is(err, ErrUnhashable) true.
func (e *UnhashableError) Is(target error) bool { return target == ErrUnhashable }

// unhashable returns the innermost unhashable part of v for messages
// (Python names the type that failed to hash: a tuple holding a list
// reports 'list').
func unhashable(v Value) *UnhashableError {
	if t, ok := v.(Tuple); ok {
		for _, e := range t {
			if !Hashable(e) {
				return unhashable(e)
			}
		}
	}
	return &UnhashableError{Type: TypeName(v)}
}

// Dict is a Python dict: keys in insertion order, each mapped to a value.
// Build one with NewDict.
type Dict struct {
	hashed
	vals []Value
}

// NewDict builds a dict as Python does from a sequence of key/value pairs:
// a key equal to an earlier one replaces that entry's value and keeps its
// position. It fails with an *UnhashableError for an unhashable key. The
// slices are not retained.
func NewDict(keys, vals []Value) (*Dict, error) {
	if len(keys) != len(vals) {
		return nil, fmt.Errorf("pyvalue: NewDict with %d keys and %d values", len(keys), len(vals))
	}
	d := &Dict{hashed: hashed{keys: make([]Value, 0, len(keys))}, vals: make([]Value, 0, len(keys))}
	for i, k := range keys {
		if err := d.set(k, vals[i]); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// set stores d[k] = v.
func (d *Dict) set(k, v Value) error {
	if !Hashable(k) {
		return unhashable(k)
	}
	i, added := d.add(k)
	if added {
		d.vals = append(d.vals, v)
	} else {
		d.vals[i] = v
	}
	return nil
}

// Len returns the number of entries.
func (d *Dict) Len() int { return len(d.keys) }

// Keys returns the keys in order. The slice must not be modified.
func (d *Dict) Keys() []Value { return d.keys }

// Values returns the values, parallel to Keys. The slice must not be
// modified.
func (d *Dict) Values() []Value { return d.vals }

// Get returns the value of the key equal to k (false for an unhashable k,
// for which Python raises TypeError).
func (d *Dict) Get(k Value) (Value, bool) {
	if !Hashable(k) {
		return nil, false
	}
	if i := d.find(k); i >= 0 {
		return d.vals[i], true
	}
	return nil, false
}

// Set is a Python set. Build one with NewSet. Its elements keep the order
// in which they were added (a decoded set keeps the order of the stream,
// which is the order Python iterated the original).
type Set struct{ hashed }

// FrozenSet is a Python frozenset. Build one with NewFrozenSet.
type FrozenSet struct{ hashed }

// NewSet builds set(elems): later duplicates are dropped. It fails with
// an *UnhashableError for an unhashable element.
func NewSet(elems []Value) (*Set, error) {
	s := &Set{}
	return s, s.addAll(elems)
}

// NewFrozenSet builds frozenset(elems), as NewSet does.
func NewFrozenSet(elems []Value) (*FrozenSet, error) {
	s := &FrozenSet{}
	return s, s.addAll(elems)
}

func (h *hashed) addAll(elems []Value) error {
	h.keys = make([]Value, 0, len(elems))
	for _, e := range elems {
		if err := h.addElem(e); err != nil {
			return err
		}
	}
	return nil
}

func (h *hashed) addElem(e Value) error {
	if !Hashable(e) {
		return unhashable(e)
	}
	h.add(e)
	return nil
}

// Len returns the number of elements.
func (s *Set) Len() int { return len(s.keys) }

// Elems returns the elements in order. The slice must not be modified.
func (s *Set) Elems() []Value { return s.keys }

// Contains reports whether an element equal to v is present (false for an
// unhashable v, for which Python raises TypeError).
func (s *Set) Contains(v Value) bool { return Hashable(v) && s.find(v) >= 0 }

// Len returns the number of elements.
func (s *FrozenSet) Len() int { return len(s.keys) }

// Elems returns the elements in order. The slice must not be modified.
func (s *FrozenSet) Elems() []Value { return s.keys }

// Contains reports whether an element equal to v is present.
func (s *FrozenSet) Contains(v Value) bool { return Hashable(v) && s.find(v) >= 0 }
