package model

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/rlef/rlef/model/internal/gemm"
)

// ErrContext: the sequence would exceed the model's context.
var ErrContext = errors.New("context length exceeded")

// Sampler runs a policy one chunk of tokens at a time, keeping the keys
// and values of the tokens it has seen (a KV cache). It only reads the
// model's parameters: samplers of one model may run concurrently, but not
// while its parameters change.
type Sampler struct {
	m      *Model
	toks   []int32
	k, v   [][]float32 // per layer: Context × Dim
	ws     gemm.Workspace
	logits []float32
	// NoCache recomputes every position at each step instead of reading
	// the cache (the baseline of the KV-cache benchmark).
	NoCache bool
}

// NewSampler returns a sampler with an empty cache. The model must be a
// policy.
func (m *Model) NewSampler() *Sampler {
	c := m.Config
	s := &Sampler{m: m, k: make([][]float32, c.Layers), v: make([][]float32, c.Layers), logits: make([]float32, c.Vocab)}
	for l := range s.k {
		s.k[l] = make([]float32, c.Context*c.Dim)
		s.v[l] = make([]float32, c.Context*c.Dim)
	}
	return s
}

// Len is the number of tokens in the cache.
func (s *Sampler) Len() int { return len(s.toks) }

// Reset empties the cache.
func (s *Sampler) Reset() { s.toks = s.toks[:0] }

// Feed makes the cache hold exactly seq, reusing the longest prefix it
// already holds, and returns the logits predicting the token after seq
// (valid until the next call).
func (s *Sampler) Feed(seq []int32) ([]float32, error) {
	if len(seq) == 0 {
		return nil, fmt.Errorf("%w: empty sequence", ErrBatch)
	}
	if len(seq) > s.m.Config.Context {
		return nil, fmt.Errorf("%w: %d tokens, context %d", ErrContext, len(seq), s.m.Config.Context)
	}
	for _, t := range seq {
		if t < 0 || int(t) >= s.m.Config.Vocab {
			return nil, fmt.Errorf("%w: token %d outside the vocabulary", ErrBatch, t)
		}
	}
	keep := 0
	if !s.NoCache {
		for keep < len(s.toks) && keep < len(seq)-1 && s.toks[keep] == seq[keep] {
			keep++
		}
	}
	s.toks = append(s.toks[:keep], seq[keep:]...)
	s.forward(keep, len(seq)-keep)
	return s.logits, nil
}

// forward runs tokens toks[p0:p0+n] (n ≥ 1) against the cache of the
// first p0 and leaves the last one's logits in s.logits.
func (s *Sampler) forward(p0, n int) {
	m, c := s.m, s.m.Config
	d, H := c.Dim, c.Heads
	dh := d / H
	scale := float32(1 / math.Sqrt(float64(dh)))
	x := make([]float32, n*d)
	for i := 0; i < n; i++ {
		tok, pos := int(s.toks[p0+i]), p0+i
		row := x[i*d : i*d+d]
		copy(row, m.w.wte[tok*d:tok*d+d])
		gemm.Axpy(1, m.w.wpe[pos*d:pos*d+d], row)
	}
	h := make([]float32, n*d)
	mean, rstd := make([]float32, n), make([]float32, n)
	qkv := make([]float32, n*3*d)
	y := make([]float32, n*d)
	f := make([]float32, n*4*d)
	scores := make([]float32, p0+n)
	for l := 0; l < c.Layers; l++ {
		w := m.w.blocks[l]
		layerNorm(h, mean, rstd, x, w.ln1w, w.ln1b, n, d)
		gemm.Mul(&s.ws, mat(qkv, n, 3*d), mat(h, n, d), mat(w.qkvw, d, 3*d), false)
		addBias(qkv, w.qkvb, n)
		K, V := s.k[l], s.v[l]
		for i := 0; i < n; i++ {
			copy(K[(p0+i)*d:(p0+i+1)*d], qkv[i*3*d+d:i*3*d+2*d])
			copy(V[(p0+i)*d:(p0+i+1)*d], qkv[i*3*d+2*d:i*3*d+3*d])
		}
		clear(y)
		for i := 0; i < n; i++ {
			t := p0 + i + 1 // attends to positions 0..p0+i
			for hh := 0; hh < H; hh++ {
				q := qkv[i*3*d+hh*dh : i*3*d+hh*dh+dh]
				sc := scores[:t]
				for u := 0; u < t; u++ {
					sc[u] = gemm.Dot(q, K[u*d+hh*dh:u*d+hh*dh+dh]) * scale
				}
				softmax(sc, sc)
				out := y[i*d+hh*dh : i*d+hh*dh+dh]
				for u, pr := range sc {
					gemm.Axpy(pr, V[u*d+hh*dh:u*d+hh*dh+dh], out)
				}
			}
		}
		gemm.Mul(&s.ws, mat(x, n, d), mat(y, n, d), mat(w.projw, d, d), true)
		addBias(x, w.projb, n)
		layerNorm(h, mean, rstd, x, w.ln2w, w.ln2b, n, d)
		gemm.Mul(&s.ws, mat(f, n, 4*d), mat(h, n, d), mat(w.fcw, d, 4*d), false)
		addBias(f, w.fcb, n)
		gelu(f, nil, f)
		gemm.Mul(&s.ws, mat(x, n, d), mat(f, n, 4*d), mat(w.fc2w, 4*d, d), true)
		addBias(x, w.fc2b, n)
	}
	last := x[(n-1)*d : n*d]
	layerNorm(h[:d], mean[:1], rstd[:1], last, m.w.lnfw, m.w.lnfb, 1, d)
	gemm.Mul(&s.ws, mat(s.logits, 1, c.Vocab), mat(h[:d], 1, d), mat(m.w.wte, c.Vocab, d).T(), false)
}

// Sampling sets how tokens are drawn.
type Sampling struct {
	// Temperature divides the logits; 0 picks the most likely token.
	Temperature float64
	// TopP keeps the smallest set of most likely tokens whose probability
	// reaches TopP (0 or 1: all).
	TopP float64
	// MaxTokens caps the generated tokens (0: up to the context).
	MaxTokens int
	// Stop ends generation after this token (it is included); negative:
	// none.
	Stop int32
}

// Generation is what Generate produced.
type Generation struct {
	Tokens []int32
	// LogProbs are the policy's log-probabilities of Tokens at
	// temperature 1 without top-p: log π(token | prefix), whatever the
	// sampling settings.
	LogProbs []float32
	// Stopped: generation ended on the stop token; otherwise it hit
	// MaxTokens or the context.
	Stopped bool
}

// Generate continues prompt with sampled tokens.
func (s *Sampler) Generate(prompt []int32, opt Sampling, rng *rand.Rand) (*Generation, error) {
	logits, err := s.Feed(prompt)
	if err != nil {
		return nil, err
	}
	g := &Generation{}
	limit := s.m.Config.Context - len(prompt)
	if opt.MaxTokens > 0 {
		limit = min(limit, opt.MaxTokens)
	}
	probs := make([]float32, len(logits))
	order := make([]int32, len(logits))
	for len(g.Tokens) < limit {
		tok := pick(logits, probs, order, opt, rng)
		lse := logSumExp(logits)
		g.Tokens = append(g.Tokens, tok)
		g.LogProbs = append(g.LogProbs, float32(float64(logits[tok])-lse))
		if tok == opt.Stop {
			g.Stopped = true
			break
		}
		if len(g.Tokens) == limit {
			break
		}
		if s.NoCache {
			if logits, err = s.Feed(append(append([]int32(nil), prompt...), g.Tokens...)); err != nil {
				return nil, err
			}
			continue
		}
		s.toks = append(s.toks, tok)
		s.forward(len(s.toks)-1, 1)
		logits = s.logits
	}
	return g, nil
}

func logSumExp(x []float32) float64 {
	mx := float32(math.Inf(-1))
	for _, v := range x {
		mx = max(mx, v)
	}
	var s float64
	for _, v := range x {
		s += math.Exp(float64(v - mx))
	}
	return float64(mx) + math.Log(s)
}

// pick draws a token from logits with temperature and top-p.
func pick(logits, probs []float32, order []int32, opt Sampling, rng *rand.Rand) int32 {
	if opt.Temperature <= 0 {
		best := 0
		for i, v := range logits {
			if v > logits[best] {
				best = i
			}
		}
		return int32(best)
	}
	mx := float32(math.Inf(-1))
	for _, v := range logits {
		mx = max(mx, v)
	}
	var sum float64
	for i, v := range logits {
		e := math.Exp(float64(v-mx) / opt.Temperature)
		probs[i] = float32(e)
		sum += e
	}
	cands := order[:0]
	for i := range logits {
		cands = append(cands, int32(i))
	}
	total := sum
	if opt.TopP > 0 && opt.TopP < 1 {
		slices.SortStableFunc(cands, func(a, b int32) int {
			switch {
			case probs[a] > probs[b]:
				return -1
			case probs[a] < probs[b]:
				return 1
			}
			return 0
		})
		var cum float64
		for k, i := range cands {
			cum += float64(probs[i])
			if cum >= opt.TopP*sum {
				cands = cands[:k+1]
				break
			}
		}
		total = cum
	}
	r := rng.Float64() * total
	for _, i := range cands {
		r -= float64(probs[i])
		if r < 0 {
			return i
		}
	}
	return cands[len(cands)-1]
}
