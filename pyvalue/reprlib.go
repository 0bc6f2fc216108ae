package pyvalue

import (
	"math"
	"math/big"
	"sort"
)

// reprlib emulates the judge harness's reprlib.Repr (Python 3.11) with
// maxlevel 4, maxlist = maxtuple = maxdict = maxset = maxfrozenset = 100,
// maxstring = maxother = 200 and the default maxlong of 40.
type reprlib struct{ c *clipper }

const (
	rlMaxItems  = 100
	rlMaxString = 200
	rlMaxOther  = 200
	rlMaxLong   = 40
	rlFill      = "..."
)

func (r reprlib) repr(v Value, level int) {
	c := r.c
	if c.failed {
		return
	}
	switch x := v.(type) {
	case List:
		r.iterable(x, level, "[", "]", "")
	case Tuple:
		r.iterable(x, level, "(", ")", ",")
	case *Set:
		if len(x.keys) == 0 {
			c.writeString("set()")
			return
		}
		r.iterable(possiblySorted(x.keys), level, "{", "}", "")
	case *FrozenSet:
		if len(x.keys) == 0 {
			c.writeString("frozenset()")
			return
		}
		r.iterable(possiblySorted(x.keys), level, "frozenset({", "})", "")
	case *Dict:
		r.dict(x, level)
	case Str:
		c.writeString(reprlibStr(string(x)))
	case Int:
		if tooManyDigits(x) {
			c.failed = true
			return
		}
		c.writeString(cutMiddle(Repr(x), rlMaxLong))
	default:
		c.writeString(cutMiddle(Repr(x), rlMaxOther))
	}
}

// iterable is Repr._repr_iterable.
func (r reprlib) iterable(items []Value, level int, left, right, trail string) {
	c := r.c
	c.writeString(left)
	if level <= 0 && len(items) > 0 {
		c.writeString(rlFill)
	} else {
		for i, e := range items[:min(len(items), rlMaxItems)] {
			if i > 0 {
				c.writeString(", ")
			}
			r.repr(e, level-1)
		}
		if len(items) > rlMaxItems {
			c.writeString(", " + rlFill)
		}
		if len(items) == 1 {
			right = trail + right
		}
	}
	c.writeString(right)
}

// dict is Repr.repr_dict.
func (r reprlib) dict(d *Dict, level int) {
	c := r.c
	switch {
	case len(d.keys) == 0:
		c.writeString("{}")
		return
	case level <= 0:
		c.writeString("{" + rlFill + "}")
		return
	}
	c.writeString("{")
	keys := possiblySorted(d.keys)
	for i, k := range keys[:min(len(keys), rlMaxItems)] {
		if i > 0 {
			c.writeString(", ")
		}
		r.repr(k, level-1)
		c.writeString(": ")
		v, _ := d.Get(k)
		r.repr(v, level-1)
	}
	if len(keys) > rlMaxItems {
		c.writeString(", " + rlFill)
	}
	c.writeString("}")
}

// reprlibStr is Repr.repr_str.
func reprlibStr(s string) string {
	cps := codePoints(s)
	r := Repr(Str(strFromCodePoints(cps[:min(len(cps), rlMaxString)])))
	if strLen(r) <= rlMaxString {
		return r
	}
	i := max(0, (rlMaxString-3)/2)
	j := max(0, rlMaxString-3-i)
	// x[:i] + x[len(x)-j:], with Python's negative-index slicing
	cut := append(append([]rune(nil), cps[:min(i, len(cps))]...), cps[pyIndex(len(cps)-j, len(cps)):]...)
	rr := []rune(Repr(Str(strFromCodePoints(cut))))
	return string(rr[:min(i, len(rr))]) + rlFill + string(rr[pyIndex(len(rr)-j, len(rr)):])
}

// cutMiddle is the truncation of Repr.repr_int and Repr.repr_instance.
func cutMiddle(s string, limit int) string {
	rs := []rune(s)
	if len(rs) <= limit {
		return s
	}
	i := max(0, (limit-3)/2)
	j := max(0, limit-3-i)
	return string(rs[:i]) + rlFill + string(rs[pyIndex(len(rs)-j, len(rs)):])
}

// pyIndex resolves a slice start as Python does (negative counts from
// the end, clamped to 0..n).
func pyIndex(i, n int) int {
	if i < 0 {
		i += n
	}
	return min(max(i, 0), n)
}

// possiblySorted is reprlib's _possibly_sorted: sorted(x) when Python can
// order the items, else the items in order.
func possiblySorted(items []Value) []Value {
	out := append([]Value(nil), items...)
	failed := false
	sort.SliceStable(out, func(i, j int) bool {
		lt, ok := Less(out[i], out[j])
		if !ok {
			failed = true
		}
		return lt
	})
	if failed {
		return items
	}
	return out
}

// Less reports Python's a < b, and false for ok when Python raises
// TypeError: numbers (bool, int, float) compare by exact value, str by
// code points, bytes by byte, lists with lists and tuples with tuples
// lexicographically (using == to find the first difference), sets and
// frozensets by proper inclusion. None, Ellipsis, dicts, complex numbers
// and mixed types cannot be ordered.
func Less(a, b Value) (lt, ok bool) {
	switch x := a.(type) {
	case Bool, Int, Float:
		return numLess(a, b)
	case Str:
		y, ok := b.(Str)
		return ok && x < y, ok
	case Bytes:
		y, ok := b.(Bytes)
		return ok && x < y, ok
	case List:
		y, ok := b.(List)
		if !ok {
			return false, false
		}
		return seqLess(x, y)
	case Tuple:
		y, ok := b.(Tuple)
		if !ok {
			return false, false
		}
		return seqLess(x, y)
	case *Set:
		return subsetLess(&x.hashed, b)
	case *FrozenSet:
		return subsetLess(&x.hashed, b)
	}
	return false, false
}

func seqLess(x, y []Value) (bool, bool) {
	for i := 0; i < len(x) && i < len(y); i++ {
		if !Equal(x[i], y[i]) {
			return Less(x[i], y[i])
		}
	}
	return len(x) < len(y), true
}

func subsetLess(x *hashed, b Value) (bool, bool) {
	var y *hashed
	switch s := b.(type) {
	case *Set:
		y = &s.hashed
	case *FrozenSet:
		y = &s.hashed
	default:
		return false, false
	}
	if len(x.keys) >= len(y.keys) {
		return false, true
	}
	for _, k := range x.keys {
		if y.find(k) < 0 {
			return false, true
		}
	}
	return true, true
}

// numLess compares real numbers exactly; NaN is unordered (false).
func numLess(a, b Value) (bool, bool) {
	x, ok1 := realOf(a)
	y, ok2 := realOf(b)
	if !ok1 || !ok2 {
		return false, false
	}
	if x.isNaN() || y.isNaN() {
		return false, true
	}
	return x.cmp(y) < 0, true
}

// realNum is a bool, int or float for exact comparisons.
type realNum struct {
	isFloat bool
	f       float64
	i       Int
}

func realOf(v Value) (realNum, bool) {
	switch x := v.(type) {
	case Bool:
		return realNum{i: boolInt(bool(x))}, true
	case Int:
		return realNum{i: x}, true
	case Float:
		return realNum{isFloat: true, f: float64(x)}, true
	}
	return realNum{}, false
}

func (r realNum) isNaN() bool { return r.isFloat && math.IsNaN(r.f) }

// cmp compares two non-NaN reals exactly.
func (r realNum) cmp(s realNum) int {
	switch {
	case r.isFloat && s.isFloat:
		switch {
		case r.f < s.f:
			return -1
		case r.f > s.f:
			return 1
		}
		return 0
	case !r.isFloat && !s.isFloat:
		return r.i.Cmp(s.i)
	}
	return r.bigFloat().Cmp(s.bigFloat())
}

func (r realNum) bigFloat() *big.Float {
	if r.isFloat {
		return new(big.Float).SetFloat64(r.f) // ±inf included
	}
	return new(big.Float).SetInt(r.i.bigView())
}
