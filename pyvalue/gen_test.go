package pyvalue

import (
	"math"
	"math/big"
	"math/rand/v2"
)

// gen makes random values for tests, biased toward the edges of each
// type.
type gen struct{ r *rand.Rand }

func newGen(seed uint64) *gen { return &gen{r: rand.New(rand.NewPCG(seed, 99))} }

var genChars = []rune{0, 7, '\t', '\n', '\r', 0x1f, 0x7f, '\'', '"', '\\', ' ', 'a', 0x80, 0xa0, 0xad, 0xff,
	0x100, 0x378, 0x200b, 0x2028, 0xd7ff, 0xd800, 0xdbff, 0xdc00, 0xdfff, 0xe000, 0xfeff, 0xfffd, 0xffff,
	0x10000, 0x1f600, 0x1e030, 0x11f00, 0xe0001, 0x10ffff, 'é', '中'}

func (g *gen) int() Int {
	switch g.r.IntN(4) {
	case 0:
		return IntOf(g.r.Int64N(1200) - 20)
	case 1:
		edges := []int64{math.MaxInt32, math.MinInt32, math.MaxInt64, math.MinInt64, 1 << 53, 1<<60 - 1, 1 << 62}
		return IntOf(edges[g.r.IntN(len(edges))] + g.r.Int64N(3) - 1)
	case 2:
		return IntOf(int64(g.r.Uint64()))
	}
	words := make([]big.Word, g.r.IntN(7)+1)
	for i := range words {
		words[i] = big.Word(g.r.Uint64())
	}
	b := new(big.Int).SetBits(words)
	if g.r.IntN(2) == 0 {
		b.Neg(b)
	}
	return IntOfBig(b)
}

func (g *gen) float() float64 {
	switch g.r.IntN(4) {
	case 0:
		return math.Float64frombits(g.r.Uint64())
	case 1:
		sp := []float64{0, math.Copysign(0, -1), 1, 1e16, 1e15, 1e-4, 1e-5, math.Inf(1), math.Inf(-1), math.NaN(), 5e-324, math.MaxFloat64, 0.1}
		return sp[g.r.IntN(len(sp))]
	case 2:
		return float64(g.r.Int64N(2000000)-1000000) / math.Pow(10, float64(g.r.IntN(8)))
	}
	return float64(g.r.IntN(9)+1) * math.Pow(10, float64(g.r.IntN(60)-30))
}

func (g *gen) str() Str {
	n := []int{0, 1, 2, 3, 8, 30}[g.r.IntN(6)]
	cps := make([]rune, n)
	for i := range cps {
		switch g.r.IntN(3) {
		case 0:
			cps[i] = rune(0x20 + g.r.IntN(0x5f))
		case 1:
			cps[i] = genChars[g.r.IntN(len(genChars))]
		default:
			cps[i] = rune(g.r.IntN(0x110000))
		}
	}
	return StrFromCodePoints(cps)
}

func (g *gen) scalar() Value {
	switch g.r.IntN(10) {
	case 0:
		return []Value{None{}, Bool(true), Bool(false), Ellipsis{}}[g.r.IntN(4)]
	case 1, 2:
		return g.int()
	case 3, 4:
		return Float(g.float())
	case 5:
		return Complex(complex(g.float(), g.float()))
	case 6, 7, 8:
		return g.str()
	}
	b := make([]byte, g.r.IntN(10))
	for i := range b {
		b[i] = byte(g.r.IntN(256))
	}
	return Bytes(b)
}

func (g *gen) hashable(depth int) Value {
	if depth < 3 {
		switch g.r.IntN(6) {
		case 0:
			return Tuple(g.many(depth, g.hashable))
		case 1:
			s, _ := NewFrozenSet(g.many(depth, g.hashable))
			return s
		}
	}
	return g.scalar()
}

func (g *gen) many(depth int, f func(int) Value) []Value {
	n := []int{0, 1, 2, 3, 5, 12}[g.r.IntN(6)]
	out := make([]Value, n)
	for i := range out {
		out[i] = f(depth + 1)
	}
	return out
}

func (g *gen) value(depth int) Value {
	if depth >= 4 || g.r.IntN(100) < 45 {
		return g.scalar()
	}
	switch g.r.IntN(6) {
	case 0, 1:
		return List(g.many(depth, g.value))
	case 2:
		return Tuple(g.many(depth, g.value))
	case 3:
		keys := g.many(depth, g.hashable)
		vals := make([]Value, len(keys))
		for i := range vals {
			vals[i] = g.value(depth + 1)
		}
		d, _ := NewDict(keys, vals)
		return d
	case 4:
		s, _ := NewSet(g.many(depth, g.hashable))
		return s
	}
	s, _ := NewFrozenSet(g.many(depth, g.hashable))
	return s
}

// near returns a value equal or almost equal to v.
func (g *gen) near(v Value) Value {
	switch x := v.(type) {
	case Int:
		if f, ok := x.Float64(); ok && g.r.IntN(2) == 0 {
			return Float(f)
		}
		return IntOfBig(new(big.Int).Add(x.Big(), big.NewInt(int64(g.r.IntN(3)-1))))
	case Float:
		if !math.IsInf(float64(x), 0) && float64(x) == math.Trunc(float64(x)) {
			return intOfFloat(float64(x))
		}
		return Complex(complex(float64(x), 0))
	case Bool:
		return boolInt(bool(x))
	case List:
		if g.r.IntN(3) == 0 {
			return Tuple(x)
		}
		return List(g.nearAll(x))
	case Tuple:
		return Tuple(g.nearAll(x))
	case *Set:
		f, _ := NewFrozenSet(x.keys)
		return f
	case *Dict:
		d, _ := NewDict(x.keys, g.nearAll(x.vals))
		return d
	}
	return v
}

func (g *gen) nearAll(vs []Value) []Value {
	out := make([]Value, len(vs))
	for i, v := range vs {
		out[i] = v
		if g.r.IntN(4) == 0 {
			out[i] = g.near(v)
		}
	}
	return out
}
