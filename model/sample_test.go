package model

import (
	"math"
	"math/rand/v2"
	"testing"
)

func testPolicy(t *testing.T) *Model {
	t.Helper()
	c := Config{Vocab: 40, Context: 32, Dim: 32, Layers: 2, Heads: 4, Head: HeadLM}
	m, err := New(c, 9)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 1))
	for i := range m.Params {
		m.Params[i] += float32(rng.NormFloat64() * 0.3)
	}
	return m
}

// The cache gives the logits a full forward gives, however the sequence
// is fed (all at once, token by token, or re-fed with a changed tail).
func TestSamplerMatchesForward(t *testing.T) {
	m := testPolicy(t)
	rng := rand.New(rand.NewPCG(2, 2))
	seq := make([]int32, 20)
	for i := range seq {
		seq[i] = int32(rng.IntN(m.Config.Vocab))
	}
	b := &Batch{}
	b.Add(seq)
	for i := 1; i < len(seq); i++ {
		b.Score = append(b.Score, i)
	}
	if _, err := m.Forward(b, true); err != nil {
		t.Fatal(err)
	}
	want := m.pass.logits // row k predicts seq[k+1]
	V := m.Config.Vocab
	s := m.NewSampler()
	for _, mode := range []string{"incremental", "refeed", "nocache"} {
		s.Reset()
		s.NoCache = mode == "nocache"
		for i := 1; i < len(seq); i++ {
			prefix := seq[:i]
			if mode == "refeed" && i > 3 {
				// Feed a different tail first: the cache must roll back.
				other := append(append([]int32(nil), seq[:i-2]...), (seq[i-2]+1)%int32(V), 0)
				if _, err := s.Feed(other); err != nil {
					t.Fatal(err)
				}
			}
			got, err := s.Feed(prefix)
			if err != nil {
				t.Fatal(err)
			}
			row := want[(i-1)*V : i*V]
			for j := range got {
				if math.Abs(float64(got[j]-row[j])) > 1e-4*(1+math.Abs(float64(row[j]))) {
					t.Fatalf("%s: prefix %d, logit %d: sampler %v, forward %v", mode, i, j, got[j], row[j])
				}
			}
		}
	}
}

func TestGenerateDeterministicAndCacheFree(t *testing.T) {
	m := testPolicy(t)
	prompt := []int32{3, 1, 4, 1, 5}
	gen := func(noCache bool, seed uint64, opt Sampling) *Generation {
		s := m.NewSampler()
		s.NoCache = noCache
		g, err := s.Generate(prompt, opt, rand.New(rand.NewPCG(seed, 0)))
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
	opt := Sampling{Temperature: 1, MaxTokens: 12, Stop: -1}
	a, b, c := gen(false, 7, opt), gen(false, 7, opt), gen(true, 7, opt)
	if len(a.Tokens) != 12 {
		t.Fatalf("generated %d tokens, want 12", len(a.Tokens))
	}
	for i := range a.Tokens {
		if a.Tokens[i] != b.Tokens[i] || a.Tokens[i] != c.Tokens[i] {
			t.Fatalf("token %d differs: %d %d %d", i, a.Tokens[i], b.Tokens[i], c.Tokens[i])
		}
		if math.Abs(float64(a.LogProbs[i]-c.LogProbs[i])) > 1e-4 {
			t.Fatalf("log-prob %d differs with and without cache: %v %v", i, a.LogProbs[i], c.LogProbs[i])
		}
	}
	// The recorded log-probabilities are the policy's: score the same
	// tokens with a forward pass.
	bt := &Batch{}
	off := bt.Add(append(append([]int32(nil), prompt...), a.Tokens...))
	for i := range a.Tokens {
		bt.Score = append(bt.Score, off+len(prompt)+i)
	}
	out, err := m.Forward(bt, false)
	if err != nil {
		t.Fatal(err)
	}
	for i := range a.Tokens {
		if math.Abs(float64(out.LogProbs[i]-a.LogProbs[i])) > 1e-4 {
			t.Fatalf("log-prob %d: sampler %v, forward %v", i, a.LogProbs[i], out.LogProbs[i])
		}
	}
	// A stop token ends generation and is kept.
	stop := a.Tokens[4]
	g := gen(false, 7, Sampling{Temperature: 1, MaxTokens: 12, Stop: stop})
	if !g.Stopped || g.Tokens[len(g.Tokens)-1] != stop || len(g.Tokens) > 5 {
		t.Fatalf("stop token %d: got %v (stopped %v)", stop, g.Tokens, g.Stopped)
	}
}

func TestPickTopPAndGreedy(t *testing.T) {
	logits := []float32{0, 2, 1, -1, 3}
	probs, order := make([]float32, 5), make([]int32, 5)
	rng := rand.New(rand.NewPCG(4, 4))
	if got := pick(logits, probs, order, Sampling{}, rng); got != 4 {
		t.Fatalf("greedy picked %d, want 4", got)
	}
	// p ∝ e^{0,2,1,-1,3}: token 4 has 0.64, tokens 4 and 1 together 0.87.
	counts := map[int32]int{}
	for i := 0; i < 2000; i++ {
		counts[pick(logits, probs, order, Sampling{Temperature: 1, TopP: 0.8}, rng)]++
	}
	if len(counts) != 2 || counts[4] == 0 || counts[1] == 0 {
		t.Fatalf("top-p 0.8 drew %v, want only tokens 4 and 1", counts)
	}
	if r := float64(counts[4]) / 2000; math.Abs(r-0.731) > 0.04 {
		t.Fatalf("token 4 drawn %.3f of the time within the nucleus, want 0.731", r)
	}
}

func TestFeedErrors(t *testing.T) {
	m := testPolicy(t)
	s := m.NewSampler()
	if _, err := s.Feed(nil); err == nil {
		t.Error("empty prompt accepted")
	}
	if _, err := s.Feed(make([]int32, m.Config.Context+1)); err == nil {
		t.Error("over-long prompt accepted")
	}
	if _, err := s.Feed([]int32{int32(m.Config.Vocab)}); err == nil {
		t.Error("out-of-vocabulary token accepted")
	}
}
