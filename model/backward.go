package model

import (
	"errors"
	"fmt"
	"math"
	"runtime"

	"github.com/rlef/rlef/model/internal/gemm"
)

// ErrNoPass: Backward needs a training Forward first.
var ErrNoPass = errors.New("backward without a training forward pass")

// Backward adds to Grads the gradient of a loss whose derivatives with
// respect to the last training Forward's outputs are dLogProbs (policy)
// or dValues (value network), in the batch's Score or Value order. It
// consumes the forward pass.
func (m *Model) Backward(dLogProbs, dValues []float32) error {
	p := m.pass
	if p == nil {
		return ErrNoPass
	}
	m.pass = nil
	if len(dLogProbs) != len(p.batch.Score) || len(dValues) != len(p.batch.Value) {
		return fmt.Errorf("backward: %d and %d output gradients for %d scored and %d value positions",
			len(dLogProbs), len(dValues), len(p.batch.Score), len(p.batch.Value))
	}
	c := m.Config
	n, d := p.n, c.Dim
	dlnf := make([]float32, n*d)
	switch c.Head {
	case HeadLM:
		m.scoreHeadBackward(p, dLogProbs, dlnf)
	case HeadValue:
		for k, i := range p.batch.Value {
			g := dValues[k]
			if g == 0 {
				continue
			}
			gemm.Axpy(g, p.lnf[i*d:i*d+d], m.g.vw)
			m.g.vb[0] += g
			gemm.Axpy(g, m.w.vw, dlnf[i*d:i*d+d])
		}
	}
	dres := make([]float32, n*d)
	last := p.x0
	if c.Layers > 0 {
		last = p.layers[c.Layers-1].out
	}
	layerNormBackward(dres, m.g.lnfw, m.g.lnfb, dlnf, last, p.lnfM, p.lnfR, m.w.lnfw, n, d)
	for l := c.Layers - 1; l >= 0; l-- {
		dres = m.blockBackward(p, l, dres)
	}
	for i, tok := range p.batch.Tokens {
		g := dres[i*d : i*d+d]
		gemm.Axpy(1, g, m.g.wte[int(tok)*d:int(tok)*d+d])
		gemm.Axpy(1, g, m.g.wpe[int(p.pos[i])*d:int(p.pos[i])*d+d])
	}
	return nil
}

// scoreHeadBackward: d logp_y / d logits = onehot(y) − softmax.
func (m *Model) scoreHeadBackward(p *pass, dlogp, dlnf []float32) {
	c := m.Config
	d, V := c.Dim, c.Vocab
	S := len(p.batch.Score)
	dlogits := make([]float32, S*V)
	for k := 0; k < S; k++ {
		g := dlogp[k]
		row, probs := dlogits[k*V:k*V+V], p.probs[k*V:k*V+V]
		for j, q := range probs {
			row[j] = -g * q
		}
		row[p.batch.Tokens[p.batch.Score[k]]] += g
	}
	dhs := make([]float32, S*d)
	gemm.Mul(&m.ws.gemm, mat(dhs, S, d), mat(dlogits, S, V), mat(m.w.wte, V, d), false)
	gemm.Mul(&m.ws.gemm, mat(m.g.wte, V, d), mat(dlogits, S, V).T(), mat(p.hs, S, d), true)
	for k, i := range p.batch.Score {
		gemm.Axpy(1, dhs[k*d:k*d+d], dlnf[(i-1)*d:i*d])
	}
}

// blockBackward takes the gradient of block l's output and returns that
// of its input, adding the block's parameter gradients.
func (m *Model) blockBackward(p *pass, l int, dout []float32) []float32 {
	c, w, g, a := m.Config, m.w.blocks[l], &m.g.blocks[l], &p.layers[l]
	n, d, f := p.n, c.Dim, 4*c.Dim
	ws := &m.ws.gemm
	// out = res2 + gelu(fch)·fc2w + fc2b
	dres2 := append([]float32(nil), dout...)
	dfchg := make([]float32, n*f)
	gemm.Mul(ws, mat(dfchg, n, f), mat(dout, n, d), mat(w.fc2w, f, d).T(), false)
	gemm.Mul(ws, mat(g.fc2w, f, d), mat(a.fchg, n, f).T(), mat(dout, n, d), true)
	biasBackward(g.fc2b, dout, n)
	dfch := dfchg // in place
	geluBackward(dfch, dfchg, a.fch, a.fcht)
	// fch = ln2·fcw + fcb
	dln2 := make([]float32, n*d)
	gemm.Mul(ws, mat(dln2, n, d), mat(dfch, n, f), mat(w.fcw, d, f).T(), false)
	gemm.Mul(ws, mat(g.fcw, d, f), mat(a.ln2, n, d).T(), mat(dfch, n, f), true)
	biasBackward(g.fcb, dfch, n)
	layerNormBackward(dres2, g.ln2w, g.ln2b, dln2, a.res2, a.ln2Mean, a.ln2R, w.ln2w, n, d)
	// res2 = in + atty·projw + projb
	din := append([]float32(nil), dres2...)
	datty := make([]float32, n*d)
	gemm.Mul(ws, mat(datty, n, d), mat(dres2, n, d), mat(w.projw, d, d).T(), false)
	gemm.Mul(ws, mat(g.projw, d, d), mat(a.atty, n, d).T(), mat(dres2, n, d), true)
	biasBackward(g.projb, dres2, n)
	dqkv := make([]float32, n*3*d)
	m.attentionBackward(p, a, datty, dqkv)
	// qkv = ln1·qkvw + qkvb
	dln1 := make([]float32, n*d)
	gemm.Mul(ws, mat(dln1, n, d), mat(dqkv, n, 3*d), mat(w.qkvw, d, 3*d).T(), false)
	gemm.Mul(ws, mat(g.qkvw, d, 3*d), mat(a.ln1, n, d).T(), mat(dqkv, n, 3*d), true)
	biasBackward(g.qkvb, dqkv, n)
	layerNormBackward(din, g.ln1w, g.ln1b, dln1, a.in, a.ln1Mean, a.ln1R, w.ln1w, n, d)
	return din
}

// attentionBackward writes the gradient of q, k and v (each head's slice
// of every sequence is written exactly once) given that of the attention
// output.
func (m *Model) attentionBackward(p *pass, a *layerActs, datty, dqkv []float32) {
	c := m.Config
	d, H := c.Dim, c.Heads
	dh := d / H
	scale := float32(1 / math.Sqrt(float64(dh)))
	starts := p.batch.Starts
	jobs := (len(starts) - 1) * H
	parallelWorkers(jobs, runtime.GOMAXPROCS(0), func(w, job int) {
		s, h := job/H, job%H
		s0, t := starts[s], starts[s+1]-starts[s]
		sc := m.ws.worker(w)
		sc.dp = grow(sc.dp, t*t)
		P := a.att[p.attOff[s]+h*t*t : p.attOff[s]+(h+1)*t*t]
		dy := gemm.Matrix{Data: datty[s0*d+h*dh:], Rows: t, Cols: dh, Stride: d}
		q, k, v := headView(a.qkv, d, dh, s0, t, 0, h), headView(a.qkv, d, dh, s0, t, 1, h), headView(a.qkv, d, dh, s0, t, 2, h)
		dq, dk, dv := headView(dqkv, d, dh, s0, t, 0, h), headView(dqkv, d, dh, s0, t, 1, h), headView(dqkv, d, dh, s0, t, 2, h)
		// y = P·v
		gemm.Mul(&sc.gemm, mat(sc.dp, t, t), dy, v.T(), false)
		gemm.Mul(&sc.gemm, dv, mat(P, t, t).T(), dy, false)
		// P = softmax(scale·q·kᵀ) over the causal prefix
		ds := sc.dp // in place
		for i := 0; i < t; i++ {
			pr, dpr := P[i*t:i*t+i+1], sc.dp[i*t:i*t+i+1]
			var acc float64
			for j, pv := range pr {
				acc += float64(pv * dpr[j])
			}
			dot := float32(acc)
			for j, pv := range pr {
				ds[i*t+j] = pv * (dpr[j] - dot) * scale
			}
			clear(ds[i*t+i+1 : i*t+t])
		}
		gemm.Mul(&sc.gemm, dq, mat(ds, t, t), k, false)
		gemm.Mul(&sc.gemm, dk, mat(ds, t, t).T(), q, false)
	})
}

func grow(b []float32, n int) []float32 {
	if cap(b) < n {
		return make([]float32, n)
	}
	return b[:n]
}
