package model

import (
	"fmt"
	"math"
)

// AdamW is Adam with decoupled weight decay (Loshchilov & Hutter), applied
// to the tensors the layout marks for decay.
type AdamW struct {
	Beta1, Beta2, Eps, WeightDecay float64
	// Steps counts updates made (for bias correction).
	Steps int
	// M and V are the first and second moments, laid out as the
	// parameters.
	M, V  []float32
	decay []Tensor
}

// NewAdamW returns an optimizer for a model of config c with the usual
// betas (0.9, 0.95 as in GPT training) and eps 1e-8.
func NewAdamW(c Config, weightDecay float64) *AdamW {
	n := c.NumParams()
	return &AdamW{Beta1: 0.9, Beta2: 0.95, Eps: 1e-8, WeightDecay: weightDecay, M: make([]float32, n), V: make([]float32, n), decay: c.Layout()}
}

// Update applies one step with learning rate lr to m's parameters from
// its gradients.
func (o *AdamW) Update(m *Model, lr float64) error {
	if len(o.M) != len(m.Params) {
		return fmt.Errorf("optimizer for %d parameters used on a model of %d", len(o.M), len(m.Params))
	}
	if len(o.decay) == 0 {
		o.decay = m.Config.Layout()
	}
	o.Steps++
	b1, b2 := o.Beta1, o.Beta2
	c1 := 1 - math.Pow(b1, float64(o.Steps))
	c2 := 1 - math.Pow(b2, float64(o.Steps))
	for _, t := range o.decay {
		wd := 0.0
		if t.Decay {
			wd = o.WeightDecay
		}
		lo, hi := t.Offset, t.Offset+t.Size()
		p, g, mm, vv := m.Params[lo:hi], m.Grads[lo:hi], o.M[lo:hi], o.V[lo:hi]
		for i := range p {
			gi := float64(g[i])
			mi := b1*float64(mm[i]) + (1-b1)*gi
			vi := b2*float64(vv[i]) + (1-b2)*gi*gi
			mm[i], vv[i] = float32(mi), float32(vi)
			upd := (mi / c1) / (math.Sqrt(vi/c2) + o.Eps)
			p[i] = float32(float64(p[i]) - lr*(upd+wd*float64(p[i])))
		}
	}
	return nil
}

// ClipGradNorm scales m's gradients so that their global L2 norm is at
// most maxNorm (no clipping when maxNorm ≤ 0) and returns the norm before
// clipping.
func ClipGradNorm(m *Model, maxNorm float64) float64 {
	var s float64
	for _, g := range m.Grads {
		s += float64(g) * float64(g)
	}
	norm := math.Sqrt(s)
	if maxNorm > 0 && norm > maxNorm {
		f := float32(maxNorm / norm)
		for i := range m.Grads {
			m.Grads[i] *= f
		}
	}
	return norm
}

// WarmupLR is a constant learning rate reached by linear warm-up: step
// s (counting from 0) gets base·min(1, (s+1)/warmup).
func WarmupLR(base float64, warmup, step int) float64 {
	if warmup <= 0 || step+1 >= warmup {
		return base
	}
	return base * float64(step+1) / float64(warmup)
}
