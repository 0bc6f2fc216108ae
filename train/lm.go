package train

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"

	"github.com/rlef/rlef/model"
)

// LM is a Policy backed by a package model transformer.
type LM struct {
	Model *model.Model
	Opt   *model.AdamW
	// Clip is the gradient-norm limit of Update (0: none).
	Clip float64
	chat *Chat

	mu       sync.Mutex
	samplers []*model.Sampler
}

// NewLM wraps a policy model with its chat format and an AdamW optimizer.
func NewLM(m *model.Model, chat *Chat, weightDecay, clip float64) (*LM, error) {
	if m.Config.Head != model.HeadLM {
		return nil, fmt.Errorf("policy needs a language-model head, got %q", m.Config.Head)
	}
	if m.Config.Vocab != chat.Tok.VocabSize() {
		return nil, fmt.Errorf("model vocabulary %d does not match the tokenizer's %d", m.Config.Vocab, chat.Tok.VocabSize())
	}
	return &LM{Model: m, Opt: model.NewAdamW(m.Config, weightDecay), Clip: clip, chat: chat}, nil
}

var _ Policy = (*LM)(nil)

// Chat implements Policy.
func (p *LM) Chat() *Chat { return p.chat }

// Context implements Policy.
func (p *LM) Context() int { return p.Model.Config.Context }

// Sample implements Policy.
func (p *LM) Sample(ctx context.Context, prompt []int32, s Sampling, seed uint64) (*Generation, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	sm := p.sampler()
	defer p.release(sm)
	// A fresh cache: the prompt is computed the same way whatever the
	// sampler held before, so a seed always gives the same turn.
	sm.Reset()
	rng := rand.New(rand.NewPCG(seed, 0x73616d706c65))
	g, err := sm.Generate(prompt, model.Sampling{Temperature: s.Temperature, TopP: s.TopP, MaxTokens: s.MaxTokens, Stop: p.chat.End()}, rng)
	if err != nil {
		return nil, err
	}
	text := g.Tokens
	if g.Stopped {
		text = text[:len(text)-1]
	}
	return &Generation{Tokens: g.Tokens, LogProbs: g.LogProbs, Text: p.chat.Tok.Decode(text), Stopped: g.Stopped}, nil
}

func (p *LM) sampler() *model.Sampler {
	p.mu.Lock()
	defer p.mu.Unlock()
	if n := len(p.samplers); n > 0 {
		s := p.samplers[n-1]
		p.samplers = p.samplers[:n-1]
		return s
	}
	return p.Model.NewSampler()
}

func (p *LM) release(s *model.Sampler) {
	p.mu.Lock()
	p.samplers = append(p.samplers, s)
	p.mu.Unlock()
}

// pack builds a model batch from sequences.
func pack(seqs []Sequence) *model.Batch {
	b := &model.Batch{}
	for _, s := range seqs {
		off := b.Add(s.Tokens)
		for _, i := range s.Score {
			b.Score = append(b.Score, off+i)
		}
		for _, i := range s.Value {
			b.Value = append(b.Value, off+i)
		}
	}
	return b
}

// Score implements Policy.
func (p *LM) Score(seqs []Sequence, grad bool) ([]Scores, error) {
	out, err := p.Model.Forward(pack(seqs), grad)
	if err != nil {
		return nil, err
	}
	res := make([]Scores, len(seqs))
	k := 0
	for i, s := range seqs {
		n := len(s.Score)
		res[i] = Scores{LogProbs: out.LogProbs[k : k+n], Entropy: out.Entropy[k : k+n]}
		k += n
	}
	return res, nil
}

// Backward implements Policy.
func (p *LM) Backward(d [][]float32) error {
	var flat []float32
	for _, x := range d {
		flat = append(flat, x...)
	}
	return p.Model.Backward(flat, nil)
}

// ZeroGrad implements Trainable.
func (p *LM) ZeroGrad() { p.Model.ZeroGrad() }

// Update implements Trainable.
func (p *LM) Update(lr float64) (float64, error) {
	norm := model.ClipGradNorm(p.Model, p.Clip)
	return norm, p.Opt.Update(p.Model, lr)
}

// ValueNet is a ValueFunction backed by a package model transformer
// with a value head.
type ValueNet struct {
	Model *model.Model
	Opt   *model.AdamW
	Clip  float64
}

// NewValueNet wraps a value model with an AdamW optimizer.
func NewValueNet(m *model.Model, weightDecay, clip float64) (*ValueNet, error) {
	if m.Config.Head != model.HeadValue {
		return nil, fmt.Errorf("value network needs a value head, got %q", m.Config.Head)
	}
	return &ValueNet{Model: m, Opt: model.NewAdamW(m.Config, weightDecay), Clip: clip}, nil
}

var _ ValueFunction = (*ValueNet)(nil)

// Values implements ValueFunction.
func (v *ValueNet) Values(seqs []Sequence, grad bool) ([][]float32, error) {
	out, err := v.Model.Forward(pack(seqs), grad)
	if err != nil {
		return nil, err
	}
	res := make([][]float32, len(seqs))
	k := 0
	for i, s := range seqs {
		res[i] = out.Values[k : k+len(s.Value)]
		k += len(s.Value)
	}
	return res, nil
}

// Backward implements ValueFunction.
func (v *ValueNet) Backward(d [][]float32) error {
	var flat []float32
	for _, x := range d {
		flat = append(flat, x...)
	}
	return v.Model.Backward(nil, flat)
}

// ZeroGrad implements Trainable.
func (v *ValueNet) ZeroGrad() { v.Model.ZeroGrad() }

// Update implements Trainable.
func (v *ValueNet) Update(lr float64) (float64, error) {
	norm := model.ClipGradNorm(v.Model, v.Clip)
	return norm, v.Opt.Update(v.Model, lr)
}
