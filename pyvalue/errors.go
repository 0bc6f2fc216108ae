package pyvalue

import (
	"errors"
	"fmt"
)

// Errors returned by the decoders, wrapped in a *DecodeError (test with
// errors.Is).
var (
	// ErrTruncated: the input ends inside a value.
	ErrTruncated = errors.New("input ends too early")
	// ErrMalformed: the marshal stream is not valid ("bad marshal data" in
	// Python): an unknown type code, a size out of range, a bad int digit,
	// text that is not a float, a str that is not UTF-8, an invalid
	// reference, or a NULL where a value must be.
	ErrMalformed = errors.New("malformed marshal data")
	// ErrSyntax: the JSON text is not valid.
	ErrSyntax = errors.New("invalid JSON")
	// ErrUnsupported: a valid marshal value that is not builtin data (a
	// code object, or StopIteration).
	ErrUnsupported = errors.New("not a data value")
	// ErrUnhashable: a set element or dict key that Python cannot hash
	// (see UnhashableError).
	ErrUnhashable = errors.New("unhashable value")
	// ErrCycle: a marshal reference to a container that is still being
	// read. Python would build a self-containing object; marshal.dumps
	// never writes one for data values.
	ErrCycle = errors.New("self-referencing value")
	// ErrTooLarge: the input is longer than Limits.MaxBytes.
	ErrTooLarge = errors.New("input too large")
	// ErrTooDeep: containers nest deeper than Limits.MaxDepth.
	ErrTooDeep = errors.New("value nested too deeply")
	// ErrTooManyValues: the value, with every marshal reference expanded,
	// has more than Limits.MaxValues parts.
	ErrTooManyValues = errors.New("value has too many parts")
	// ErrTrailingData: bytes follow the value. (marshal.loads ignores
	// them; a judge should not.)
	ErrTrailingData = errors.New("data after the value")
)

// DecodeError reports where and why decoding failed.
type DecodeError struct {
	Offset int    // byte offset in the input
	Err    error  // one of the Err* values above, or an *UnhashableError
	Detail string // what was found, for people
}

func (e *DecodeError) Error() string {
	if e.Detail == "" {
		return fmt.Sprintf("pyvalue: at byte %d: %v", e.Offset, e.Err)
	}
	return fmt.Sprintf("pyvalue: at byte %d: %v: %s", e.Offset, e.Err, e.Detail)
}

// Unwrap returns the cause (an Err* value or an *UnhashableError).
func (e *DecodeError) Unwrap() error { return e.Err }

// Limits bound what a decoder accepts, so that hostile input costs bounded
// time and memory. A zero field takes the matching Default* value.
type Limits struct {
	// MaxBytes bounds the input's length.
	MaxBytes int
	// MaxDepth bounds container nesting: a list of ints has depth 1.
	MaxDepth int
	// MaxValues bounds the number of values (containers and scalars) in
	// the result with every marshal reference expanded, which is what
	// Equal and Repr walk. References let a short stream describe a value
	// with exponentially many parts.
	MaxValues int
}

// Defaults for zero Limits fields. DefaultMaxDepth is about where
// CPython's own ==, repr and json.loads give up with RecursionError.
const (
	DefaultMaxBytes  = 64 << 20
	DefaultMaxDepth  = 1000
	DefaultMaxValues = 1 << 24
)

func (l Limits) withDefaults() Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultMaxBytes
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = DefaultMaxDepth
	}
	if l.MaxValues <= 0 {
		l.MaxValues = DefaultMaxValues
	}
	return l
}
