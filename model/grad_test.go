package model

import (
	"math"
	"math/rand/v2"
	"testing"
)

// tinyConfig is small enough for finite differences over every tensor.
func tinyConfig(head Head) Config {
	return Config{Vocab: 13, Context: 9, Dim: 8, Layers: 2, Heads: 2, Head: head}
}

// tinyBatch packs three sequences of different lengths and asks for
// scores and values at scattered positions.
func tinyBatch(rng *rand.Rand, c Config) *Batch {
	b := &Batch{}
	for _, l := range []int{7, 1, 9} {
		seq := make([]int32, l)
		for i := range seq {
			seq[i] = int32(rng.IntN(c.Vocab))
		}
		off := b.Add(seq)
		for i := 0; i < l; i++ {
			if c.Head == HeadLM && i > 0 && i%3 != 1 {
				b.Score = append(b.Score, off+i)
			}
			if c.Head == HeadValue && i%2 == 0 {
				b.Value = append(b.Value, off+i)
			}
		}
	}
	return b
}

// randomized returns a model whose parameters are all of order one, so
// that every path carries a gradient finite differences can see.
func randomized(t *testing.T, c Config, seed uint64) *Model {
	t.Helper()
	m, err := New(c, seed)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(seed, 99))
	for i := range m.Params {
		m.Params[i] = float32(rng.NormFloat64() * 0.5)
	}
	return m
}

// lossOf is a fixed random linear function of the outputs, returning the
// loss and its derivatives with respect to them.
func lossOf(t *testing.T, m *Model, b *Batch, coef []float64, train bool) (float64, []float32, []float32) {
	t.Helper()
	out, err := m.Forward(b, train)
	if err != nil {
		t.Fatal(err)
	}
	var loss float64
	dl, dv := make([]float32, len(out.LogProbs)), make([]float32, len(out.Values))
	for k, v := range out.LogProbs {
		loss += coef[k] * float64(v)
		dl[k] = float32(coef[k])
	}
	for k, v := range out.Values {
		loss += coef[k] * float64(v)
		dv[k] = float32(coef[k])
	}
	return loss, dl, dv
}

func TestGradientsMatchFiniteDifferences(t *testing.T) {
	for _, head := range []Head{HeadLM, HeadValue} {
		t.Run(string(head), func(t *testing.T) {
			c := tinyConfig(head)
			m := randomized(t, c, 7)
			rng := rand.New(rand.NewPCG(11, 12))
			b := tinyBatch(rng, c)
			coef := make([]float64, 64)
			for i := range coef {
				coef[i] = rng.NormFloat64()
			}
			_, dl, dv := lossOf(t, m, b, coef, true)
			m.ZeroGrad()
			if err := m.Backward(dl, dv); err != nil {
				t.Fatal(err)
			}
			for _, ts := range c.Layout() {
				for trial := 0; trial < 3; trial++ {
					checkDirection(t, m, b, coef, ts, rng)
				}
			}
		})
	}
}

// checkDirection compares the directional derivative of the loss along a
// random unit direction within one tensor with a central difference.
func checkDirection(t *testing.T, m *Model, b *Batch, coef []float64, ts Tensor, rng *rand.Rand) {
	t.Helper()
	dir := make([]float64, ts.Size())
	var norm float64
	for i := range dir {
		dir[i] = rng.NormFloat64()
		norm += dir[i] * dir[i]
	}
	norm = math.Sqrt(norm)
	var analytic float64
	for i := range dir {
		dir[i] /= norm
		analytic += dir[i] * float64(m.Grads[ts.Offset+i])
	}
	orig := append([]float32(nil), m.Params[ts.Offset:ts.Offset+ts.Size()]...)
	const eps = 1e-2
	shift := func(s float64) float64 {
		for i := range dir {
			m.Params[ts.Offset+i] = orig[i] + float32(s*dir[i])
		}
		l, _, _ := lossOf(t, m, b, coef, false)
		return l
	}
	numeric := (shift(eps) - shift(-eps)) / (2 * eps)
	copy(m.Params[ts.Offset:], orig)
	if d := math.Abs(numeric - analytic); d > 2e-3*math.Max(1, math.Abs(numeric)) {
		t.Errorf("%s: directional derivative %.6g, finite difference %.6g", ts.Name, analytic, numeric)
	}
}

func TestBatchChecks(t *testing.T) {
	c := tinyConfig(HeadLM)
	m, err := New(c, 1)
	if err != nil {
		t.Fatal(err)
	}
	long := make([]int32, c.Context+1)
	cases := map[string]*Batch{
		"empty":          {},
		"too long":       {Tokens: long, Starts: []int{0, len(long)}},
		"bad token":      {Tokens: []int32{1, 99}, Starts: []int{0, 2}},
		"score a start":  {Tokens: []int32{1, 2, 3}, Starts: []int{0, 2, 3}, Score: []int{2}},
		"score index 0":  {Tokens: []int32{1, 2}, Starts: []int{0, 2}, Score: []int{0}},
		"value of a LM":  {Tokens: []int32{1, 2}, Starts: []int{0, 2}, Value: []int{1}},
		"starts too few": {Tokens: []int32{1, 2}, Starts: []int{0, 1}},
	}
	for name, b := range cases {
		if _, err := m.Forward(b, false); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if err := m.Backward(nil, nil); err == nil {
		t.Error("backward without a forward: accepted")
	}
}

func abs(x float64) float64  { return math.Abs(x) }
func sqrt(x float64) float64 { return math.Sqrt(x) }
