package model

import (
	"errors"
	"fmt"
	"math"
	"runtime"

	"github.com/rlef/rlef/model/internal/gemm"
)

// Batch is a set of token sequences packed end to end.
type Batch struct {
	// Tokens holds the sequences one after another.
	Tokens []int32
	// Starts holds each sequence's first index, plus len(Tokens) last.
	Starts []int
	// Score lists packed indices i whose token's log-probability given
	// the tokens before it in its sequence is wanted (policies). i must
	// not be a sequence's first index.
	Score []int
	// Value lists packed indices whose value is wanted (value networks):
	// the value read at that token.
	Value []int
}

// Add appends a sequence and returns its offset in the packed batch.
func (b *Batch) Add(seq []int32) int {
	if len(b.Starts) == 0 {
		b.Starts = append(b.Starts, 0)
	}
	off := len(b.Tokens)
	b.Tokens = append(b.Tokens, seq...)
	b.Starts = append(b.Starts, len(b.Tokens))
	return off
}

// ErrBatch marks a batch the model cannot take.
var ErrBatch = errors.New("invalid batch")

func (b *Batch) check(c Config) error {
	n := len(b.Tokens)
	if len(b.Starts) < 2 || b.Starts[0] != 0 || b.Starts[len(b.Starts)-1] != n {
		return fmt.Errorf("%w: starts must run from 0 to %d", ErrBatch, n)
	}
	for s := 1; s < len(b.Starts); s++ {
		l := b.Starts[s] - b.Starts[s-1]
		if l < 1 || l > c.Context {
			return fmt.Errorf("%w: sequence %d has %d tokens (context %d)", ErrBatch, s-1, l, c.Context)
		}
	}
	for i, t := range b.Tokens {
		if t < 0 || int(t) >= c.Vocab {
			return fmt.Errorf("%w: token %d at %d outside the vocabulary of %d", ErrBatch, t, i, c.Vocab)
		}
	}
	if len(b.Score) > 0 && c.Head != HeadLM {
		return fmt.Errorf("%w: log-probabilities asked of a value network", ErrBatch)
	}
	if len(b.Value) > 0 && c.Head != HeadValue {
		return fmt.Errorf("%w: values asked of a policy", ErrBatch)
	}
	starts := map[int]bool{}
	for _, s := range b.Starts {
		starts[s] = true
	}
	for _, i := range b.Score {
		if i <= 0 || i >= n || starts[i] {
			return fmt.Errorf("%w: cannot score index %d (out of range or a sequence start)", ErrBatch, i)
		}
	}
	for _, i := range b.Value {
		if i < 0 || i >= n {
			return fmt.Errorf("%w: value index %d out of range", ErrBatch, i)
		}
	}
	return nil
}

// Output holds what a forward pass computed, in the order of the batch's
// Score and Value lists.
type Output struct {
	// LogProbs[k] = log p(Tokens[Score[k]] | its prefix); Entropy[k] is
	// the entropy of that predictive distribution (nats).
	LogProbs []float32
	Entropy  []float32
	// Values[k] is the value at Value[k].
	Values []float32
}

// layerActs are one block's saved activations.
type layerActs struct {
	in                 []float32 // block input (the previous block's out)
	ln1, ln1Mean, ln1R []float32
	qkv                []float32
	att                []float32 // attention probabilities, per sequence and head
	atty               []float32 // attention output before the projection
	res2               []float32 // in + attention
	ln2, ln2Mean, ln2R []float32
	fch, fchg, fcht    []float32 // MLP hidden before and after GELU, and its tanh
	out                []float32
}

// pass is a forward pass's state, kept for its backward.
type pass struct {
	batch           Batch
	n               int
	pos             []int32
	attOff          []int // per sequence: offset of its attention block in att
	x0              []float32
	layers          []layerActs
	lnf, lnfM, lnfR []float32
	hs              []float32 // lnf rows feeding the scored positions
	logits, probs   []float32 // their logits and softmax over the vocabulary
}

// workspace holds reusable buffers: gemm packing per worker and attention
// scratch.
type workspace struct {
	gemm    gemm.Workspace
	workers []workerScratch
}

type workerScratch struct {
	gemm gemm.Workspace
	dp   []float32
}

func (ws *workspace) worker(w int) *workerScratch {
	for len(ws.workers) <= w {
		ws.workers = append(ws.workers, workerScratch{})
	}
	return &ws.workers[w]
}

// Forward runs the model on a batch. With train set it keeps the
// activations for Backward (which consumes them).
func (m *Model) Forward(b *Batch, train bool) (*Output, error) {
	if err := b.check(m.Config); err != nil {
		return nil, err
	}
	p := m.forward(b)
	out := &Output{}
	switch m.Config.Head {
	case HeadLM:
		out.LogProbs, out.Entropy = m.scoreHead(p)
	case HeadValue:
		out.Values = m.valueHead(p)
	}
	m.pass = nil
	if train {
		m.pass = p
	}
	return out, nil
}

func (m *Model) forward(b *Batch) *pass {
	c := m.Config
	n, d := len(b.Tokens), c.Dim
	p := &pass{batch: *b, n: n}
	p.pos = make([]int32, n)
	p.attOff = make([]int, len(b.Starts))
	att := 0
	for s := 0; s+1 < len(b.Starts); s++ {
		t := b.Starts[s+1] - b.Starts[s]
		for i := 0; i < t; i++ {
			p.pos[b.Starts[s]+i] = int32(i)
		}
		p.attOff[s] = att
		att += c.Heads * t * t
	}
	p.attOff[len(p.attOff)-1] = att
	p.x0 = make([]float32, n*d)
	for i, tok := range b.Tokens {
		x := p.x0[i*d : i*d+d]
		copy(x, m.w.wte[int(tok)*d:int(tok)*d+d])
		wp := m.w.wpe[int(p.pos[i])*d : int(p.pos[i])*d+d]
		for j := range x {
			x[j] += wp[j]
		}
	}
	p.layers = make([]layerActs, c.Layers)
	in := p.x0
	for l := range p.layers {
		p.layers[l] = m.blockForward(p, l, in, att)
		in = p.layers[l].out
	}
	p.lnf, p.lnfM, p.lnfR = make([]float32, n*d), make([]float32, n), make([]float32, n)
	layerNorm(p.lnf, p.lnfM, p.lnfR, in, m.w.lnfw, m.w.lnfb, n, d)
	return p
}

func (m *Model) blockForward(p *pass, l int, in []float32, attSize int) layerActs {
	c, w := m.Config, m.w.blocks[l]
	n, d := p.n, c.Dim
	a := layerActs{in: in}
	a.ln1, a.ln1Mean, a.ln1R = make([]float32, n*d), make([]float32, n), make([]float32, n)
	layerNorm(a.ln1, a.ln1Mean, a.ln1R, in, w.ln1w, w.ln1b, n, d)
	a.qkv = make([]float32, n*3*d)
	gemm.Mul(&m.ws.gemm, mat(a.qkv, n, 3*d), mat(a.ln1, n, d), mat(w.qkvw, d, 3*d), false)
	addBias(a.qkv, w.qkvb, n)
	a.att, a.atty = make([]float32, attSize), make([]float32, n*d)
	m.attentionForward(p, a.qkv, a.att, a.atty)
	a.res2 = append([]float32(nil), in...)
	gemm.Mul(&m.ws.gemm, mat(a.res2, n, d), mat(a.atty, n, d), mat(w.projw, d, d), true)
	addBias(a.res2, w.projb, n)
	a.ln2, a.ln2Mean, a.ln2R = make([]float32, n*d), make([]float32, n), make([]float32, n)
	layerNorm(a.ln2, a.ln2Mean, a.ln2R, a.res2, w.ln2w, w.ln2b, n, d)
	a.fch, a.fchg, a.fcht = make([]float32, n*4*d), make([]float32, n*4*d), make([]float32, n*4*d)
	gemm.Mul(&m.ws.gemm, mat(a.fch, n, 4*d), mat(a.ln2, n, d), mat(w.fcw, d, 4*d), false)
	addBias(a.fch, w.fcb, n)
	gelu(a.fchg, a.fcht, a.fch)
	a.out = append([]float32(nil), a.res2...)
	gemm.Mul(&m.ws.gemm, mat(a.out, n, d), mat(a.fchg, n, 4*d), mat(w.fc2w, 4*d, d), true)
	addBias(a.out, w.fc2b, n)
	return a
}

// headView returns head h's slice of q, k or v (part 0, 1, 2) for the
// sequence starting at s with t tokens, as a t × dh matrix.
func headView(qkv []float32, d, dh, s, t, part, h int) gemm.Matrix {
	return gemm.Matrix{Data: qkv[s*3*d+part*d+h*dh:], Rows: t, Cols: dh, Stride: 3 * d}
}

// attentionForward computes causal attention per sequence and head.
func (m *Model) attentionForward(p *pass, qkv, att, atty []float32) {
	c := m.Config
	d, H := c.Dim, c.Heads
	dh := d / H
	scale := float32(1 / math.Sqrt(float64(dh)))
	starts := p.batch.Starts
	jobs := (len(starts) - 1) * H
	parallelWorkers(jobs, runtime.GOMAXPROCS(0), func(w, job int) {
		s, h := job/H, job%H
		s0, t := starts[s], starts[s+1]-starts[s]
		ws := &m.ws.worker(w).gemm
		P := att[p.attOff[s]+h*t*t : p.attOff[s]+(h+1)*t*t]
		gemm.Mul(ws, mat(P, t, t), headView(qkv, d, dh, s0, t, 0, h), headView(qkv, d, dh, s0, t, 1, h).T(), false)
		for i := 0; i < t; i++ {
			row := P[i*t : i*t+t]
			for j := 0; j <= i; j++ {
				row[j] *= scale
			}
			softmax(row[:i+1], row[:i+1])
			clear(row[i+1:])
		}
		y := gemm.Matrix{Data: atty[s0*d+h*dh:], Rows: t, Cols: dh, Stride: d}
		gemm.Mul(ws, y, mat(P, t, t), headView(qkv, d, dh, s0, t, 2, h), false)
	})
}

// scoreHead computes log-probabilities and entropies at the scored
// positions: position i is predicted from the final state at i−1.
func (m *Model) scoreHead(p *pass) (logp, ent []float32) {
	c := m.Config
	d, V := c.Dim, c.Vocab
	S := len(p.batch.Score)
	p.hs = make([]float32, S*d)
	for k, i := range p.batch.Score {
		copy(p.hs[k*d:k*d+d], p.lnf[(i-1)*d:i*d])
	}
	logits := make([]float32, S*V)
	gemm.Mul(&m.ws.gemm, mat(logits, S, V), mat(p.hs, S, d), mat(m.w.wte, V, d).T(), false)
	p.logits, p.probs = logits, make([]float32, S*V)
	logp, ent = make([]float32, S), make([]float32, S)
	parallel(S, 8, func(_, lo, hi int) {
		for k := lo; k < hi; k++ {
			row := p.probs[k*V : k*V+V]
			y := p.batch.Tokens[p.batch.Score[k]]
			ly := logits[k*V+int(y)]
			lse := softmax(row, logits[k*V:k*V+V])
			logp[k] = float32(float64(ly) - lse)
			var h float64
			for _, q := range row {
				if q > 0 {
					h -= float64(q) * math.Log(float64(q))
				}
			}
			ent[k] = float32(h)
		}
	})
	return logp, ent
}

// valueHead computes values at the value positions.
func (m *Model) valueHead(p *pass) []float32 {
	d := m.Config.Dim
	vals := make([]float32, len(p.batch.Value))
	for k, i := range p.batch.Value {
		vals[k] = gemm.Dot(p.lnf[i*d:i*d+d], m.w.vw) + m.w.vb[0]
	}
	return vals
}
