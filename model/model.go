package model

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/rlef/rlef/model/internal/gemm"
)

// block holds one transformer block's tensors (parameters or their
// gradients) as views into a flat slice.
type block struct {
	ln1w, ln1b, qkvw, qkvb, projw, projb []float32
	ln2w, ln2b, fcw, fcb, fc2w, fc2b     []float32
}

// weights views a flat slice through the layout.
type weights struct {
	wte, wpe   []float32
	blocks     []block
	lnfw, lnfb []float32
	vw, vb     []float32
}

func viewWeights(c Config, flat []float32) weights {
	var w weights
	t := map[string][]float32{}
	for _, x := range c.Layout() {
		t[x.Name] = flat[x.Offset : x.Offset+x.Size() : x.Offset+x.Size()]
	}
	w.wte, w.wpe = t["wte"], t["wpe"]
	w.blocks = make([]block, c.Layers)
	for l := range w.blocks {
		p := fmt.Sprintf("h%d.", l)
		w.blocks[l] = block{
			ln1w: t[p+"ln1.w"], ln1b: t[p+"ln1.b"], qkvw: t[p+"qkv.w"], qkvb: t[p+"qkv.b"],
			projw: t[p+"proj.w"], projb: t[p+"proj.b"], ln2w: t[p+"ln2.w"], ln2b: t[p+"ln2.b"],
			fcw: t[p+"fc.w"], fcb: t[p+"fc.b"], fc2w: t[p+"fc2.w"], fc2b: t[p+"fc2.b"],
		}
	}
	w.lnfw, w.lnfb = t["lnf.w"], t["lnf.b"]
	w.vw, w.vb = t["value.w"], t["value.b"]
	return w
}

// Model is a transformer with its gradients. Forward and Backward use
// buffers kept in the model, so one model trains in one goroutine at a
// time; sampling (NewSampler) only reads the parameters and may run in
// many goroutines while no training step changes them.
type Model struct {
	Config Config
	// Params and Grads share Config.Layout().
	Params []float32
	Grads  []float32

	w, g weights
	ws   *workspace
	// pass is the last training forward's state, consumed by Backward.
	pass *pass
}

// New returns a model initialised as GPT-2 is: weights (and a value head)
// from N(0, 0.02), the residual projections scaled by 1/√(2·layers), norm
// gains 1, biases 0. The same seed gives the same model.
func New(c Config, seed uint64) (*Model, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	m := newModel(c, make([]float32, c.NumParams()))
	rng := rand.New(rand.NewPCG(seed, 0x6d6f64656c))
	resid := 0.02 / math.Sqrt(2*float64(c.Layers))
	for _, t := range c.Layout() {
		p := m.Params[t.Offset : t.Offset+t.Size()]
		switch {
		case hasSuffix(t.Name, "ln1.w", "ln2.w", "lnf.w"):
			fill(p, 1)
		case !t.Decay:
			// biases stay 0
		case hasSuffix(t.Name, "proj.w", "fc2.w"):
			normal(rng, p, resid)
		default:
			normal(rng, p, 0.02)
		}
	}
	return m, nil
}

func newModel(c Config, params []float32) *Model {
	m := &Model{Config: c, Params: params, Grads: make([]float32, len(params)), ws: &workspace{}}
	m.w = viewWeights(c, m.Params)
	m.g = viewWeights(c, m.Grads)
	return m
}

// FromParams wraps existing parameters (a checkpoint's) in a model.
func FromParams(c Config, params []float32) (*Model, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if len(params) != c.NumParams() {
		return nil, fmt.Errorf("%w: %d parameters for a model of %d", ErrConfig, len(params), c.NumParams())
	}
	return newModel(c, params), nil
}

// Clone returns an independent copy of the parameters (gradients zero).
func (m *Model) Clone() *Model {
	return newModel(m.Config, append([]float32(nil), m.Params...))
}

// ValueNetwork returns a value network initialised from m, as RLEF does:
// the same transformer weights with the output layer replaced by a
// randomly initialised linear projection (seeded).
func (m *Model) ValueNetwork(seed uint64) *Model {
	c := m.Config
	c.Head = HeadValue
	v := newModel(c, make([]float32, c.NumParams()))
	// Every tensor but the head has the same offset in both layouts.
	n := m.Config.NumParams()
	if m.Config.Head == HeadValue {
		n -= c.Dim + 1
	}
	copy(v.Params[:n], m.Params[:n])
	rng := rand.New(rand.NewPCG(seed, 0x76616c7565))
	normal(rng, v.w.vw, 0.02)
	v.w.vb[0] = 0
	return v
}

// ZeroGrad clears the gradients.
func (m *Model) ZeroGrad() { clear(m.Grads) }

func hasSuffix(name string, suffixes ...string) bool {
	for _, s := range suffixes {
		if len(name) >= len(s) && name[len(name)-len(s):] == s {
			return true
		}
	}
	return false
}

func fill(p []float32, v float32) {
	for i := range p {
		p[i] = v
	}
}

func normal(rng *rand.Rand, p []float32, std float64) {
	for i := range p {
		p[i] = float32(rng.NormFloat64() * std)
	}
}

// mat views a flat slice as a rows × cols matrix.
func mat(data []float32, rows, cols int) gemm.Matrix { return gemm.M(data, rows, cols) }
