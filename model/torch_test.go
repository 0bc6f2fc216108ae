package model

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/rlef/rlef/internal/testenv"
	"github.com/rlef/rlef/model/torchref"
)

// requireTorch skips without PyTorch, or fails under CI where it must be
// installed (scripts/setup.sh installs python3-torch).
func requireTorch(t *testing.T) {
	t.Helper()
	err := torchref.Available(context.Background())
	if err == nil {
		return
	}
	testenv.Missing(t, "PyTorch is needed for this test: %v", err)
}

type torchOut struct {
	Logits   []float64 `json:"logits"`
	LogProbs []float64 `json:"logprobs"`
	Entropy  []float64 `json:"entropy"`
	Values   []float64 `json:"values"`
	Grads    []float64 `json:"grads"`
}

// runTorch runs the PyTorch reference on the model, batch and loss.
func runTorch(t *testing.T, m *Model, b *Batch, coef []float64) torchOut {
	t.Helper()
	in := map[string]any{
		"config": m.Config, "layout": m.Config.Layout(), "params": m.Params,
		"tokens": b.Tokens, "starts": b.Starts, "score": b.Score, "value": b.Value, "coef": coef,
	}
	var out torchOut
	if err := torchref.Run(context.Background(), torchref.Reference, in, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// relMaxErr is max|got−want| / max|want|.
func relMaxErr(got []float32, want []float64) float64 {
	var diff, scale float64
	for i, w := range want {
		diff = math.Max(diff, math.Abs(float64(got[i])-w))
		scale = math.Max(scale, math.Abs(w))
	}
	if scale == 0 {
		return diff
	}
	return diff / scale
}

func TestAgainstPyTorch(t *testing.T) {
	requireTorch(t)
	for _, head := range []Head{HeadLM, HeadValue} {
		t.Run(string(head), func(t *testing.T) {
			c := Config{Vocab: 61, Context: 24, Dim: 32, Layers: 2, Heads: 4, Head: head}
			m, err := New(c, 3)
			if err != nil {
				t.Fatal(err)
			}
			// Larger weights than at initialisation, so attention is not
			// uniform and every layer matters.
			rng := rand.New(rand.NewPCG(5, 8))
			for i := range m.Params {
				m.Params[i] += float32(rng.NormFloat64() * 0.2)
			}
			b := &Batch{}
			for _, l := range []int{24, 3, 17, 1, 11} {
				seq := make([]int32, l)
				for i := range seq {
					seq[i] = int32(rng.IntN(c.Vocab))
				}
				off := b.Add(seq)
				for i := 0; i < l; i++ {
					if head == HeadLM && i > 0 {
						b.Score = append(b.Score, off+i)
					}
					if head == HeadValue && i%3 != 2 {
						b.Value = append(b.Value, off+i)
					}
				}
			}
			coef := make([]float64, len(b.Score)+len(b.Value))
			for i := range coef {
				coef[i] = rng.NormFloat64()
			}
			_, dl, dv := lossOf(t, m, b, coef, true)
			logits := append([]float32(nil), m.pass.logits...)
			out, _ := m.Forward(b, true)
			m.ZeroGrad()
			if err := m.Backward(dl, dv); err != nil {
				t.Fatal(err)
			}
			ref := runTorch(t, m, b, coef)
			check := func(name string, got []float32, want []float64) {
				t.Helper()
				if len(got) != len(want) {
					t.Fatalf("%s: %d values, PyTorch %d", name, len(got), len(want))
				}
				if e := relMaxErr(got, want); e > 1e-4 {
					t.Errorf("%s: relative error %.2g against PyTorch", name, e)
				} else {
					t.Logf("%s: relative error %.2g", name, e)
				}
			}
			if head == HeadLM {
				check("logits", logits, ref.Logits)
				check("log-probabilities", out.LogProbs, ref.LogProbs)
				check("entropy", out.Entropy, ref.Entropy)
			} else {
				check("values", out.Values, ref.Values)
			}
			for _, ts := range c.Layout() {
				check("gradient of "+ts.Name, m.Grads[ts.Offset:ts.Offset+ts.Size()], ref.Grads[ts.Offset:ts.Offset+ts.Size()])
			}
		})
	}
}
