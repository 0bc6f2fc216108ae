// Package benchmark measures package model against PyTorch on the CPU in
// one run: the same model (same parameters), trained on the same batches
// with the same loss, optimizer and clipping, and sampled greedily from
// the same prompt with and without a KV cache. Because both sides start
// from the same weights, their losses must agree step by step; the report
// says how closely they do.
package benchmark

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"time"

	"github.com/rlef/rlef/model"
	"github.com/rlef/rlef/model/torchref"
)

// Options sets the workload.
type Options struct {
	Config model.Config `json:"config"`
	// Batch sequences of Seq tokens per training step.
	Batch int `json:"batch"`
	Seq   int `json:"seq"`
	// Steps are timed after Warmup untimed ones.
	Steps  int `json:"steps"`
	Warmup int `json:"warmup"`
	// SampleTokens are generated after a prompt of PromptTokens.
	SampleTokens int `json:"sample_tokens"`
	PromptTokens int `json:"prompt_tokens"`
	// Threads for PyTorch (torch.set_num_threads); Go uses GOMAXPROCS.
	Threads int    `json:"threads"`
	Seed    uint64 `json:"seed"`
}

// Side is one implementation's numbers.
type Side struct {
	TrainTokensPerSec    float64   `json:"train_tokens_per_s"`
	SampleCachedPerSec   float64   `json:"sample_cached_tokens_per_s"`
	SampleUncachedPerSec float64   `json:"sample_uncached_tokens_per_s"`
	Losses               []float64 `json:"losses"`
	SampleTokens         []int32   `json:"sample_tokens"`
}

// Report is the comparison.
type Report struct {
	Options      Options  `json:"options"`
	Params       int      `json:"params"`
	GOMAXPROCS   int      `json:"gomaxprocs"`
	Go           Side     `json:"go"`
	Torch        Side     `json:"torch"`
	TorchVersion string   `json:"torch_version"`
	TorchThreads int      `json:"torch_threads"`
	TorchBLAS    []string `json:"torch_blas"`
	// TrainRatio is Go's training throughput over PyTorch's.
	TrainRatio float64 `json:"train_ratio"`
	// MaxLossDiff is the largest |loss_Go − loss_PyTorch| over the steps.
	MaxLossDiff float64 `json:"max_loss_diff"`
	// SameSamples: both generated the same greedy tokens.
	SameSamples bool `json:"same_samples"`
}

const lr, weightDecay, clip = 1e-3, 0.1, 1.0

// Run measures both sides.
func Run(ctx context.Context, o Options) (*Report, error) {
	if o.Batch < 1 || o.Seq < 2 || o.Seq > o.Config.Context || o.Steps < 1 || o.Warmup < 0 {
		return nil, fmt.Errorf("benchmark: need batch ≥ 1, 2 ≤ seq ≤ context, steps ≥ 1 (got %+v)", o)
	}
	if o.PromptTokens+o.SampleTokens > o.Config.Context || o.PromptTokens < 1 {
		return nil, fmt.Errorf("benchmark: prompt of %d plus %d sampled tokens do not fit a context of %d", o.PromptTokens, o.SampleTokens, o.Config.Context)
	}
	if err := torchref.Available(ctx); err != nil {
		return nil, err
	}
	m, err := model.New(o.Config, o.Seed)
	if err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(o.Seed, 1))
	batches := make([][][]int32, o.Warmup+o.Steps)
	for i := range batches {
		batches[i] = make([][]int32, o.Batch)
		for j := range batches[i] {
			batches[i][j] = sequence(rng, o.Seq, o.Config.Vocab)
		}
	}
	prompt := sequence(rng, o.PromptTokens, o.Config.Vocab)
	r := &Report{Options: o, Params: o.Config.NumParams(), GOMAXPROCS: runtime.GOMAXPROCS(0)}
	in := map[string]any{
		"config": o.Config, "layout": o.Config.Layout(), "params": m.Params, "batches": batches,
		"lr": lr, "weight_decay": weightDecay, "clip": clip, "threads": o.Threads,
		"prompt": prompt, "sample_tokens": o.SampleTokens,
	}
	var tout struct {
		Losses          []float64 `json:"losses"`
		StepSeconds     []float64 `json:"step_seconds"`
		Tokens          []int32   `json:"sample_tokens"`
		CachedSeconds   float64   `json:"sample_cached_seconds"`
		UncachedSeconds float64   `json:"sample_uncached_seconds"`
		Threads         int       `json:"threads"`
		Version         string    `json:"torch_version"`
		BLAS            []string  `json:"blas"`
	}
	// PyTorch first, while m still holds the initial parameters.
	if err := torchref.Run(ctx, torchref.Bench, in, &tout); err != nil {
		return nil, err
	}
	r.Torch = Side{
		TrainTokensPerSec:    tokensPerSec(o, tout.StepSeconds),
		SampleCachedPerSec:   float64(o.SampleTokens) / tout.CachedSeconds,
		SampleUncachedPerSec: float64(o.SampleTokens) / tout.UncachedSeconds,
		Losses:               tout.Losses, SampleTokens: tout.Tokens,
	}
	r.TorchVersion, r.TorchThreads, r.TorchBLAS = tout.Version, tout.Threads, tout.BLAS
	if r.Go, err = runGo(ctx, m, o, batches, prompt); err != nil {
		return nil, err
	}
	r.TrainRatio = r.Go.TrainTokensPerSec / r.Torch.TrainTokensPerSec
	for i := range r.Go.Losses {
		if i < len(r.Torch.Losses) {
			r.MaxLossDiff = math.Max(r.MaxLossDiff, math.Abs(r.Go.Losses[i]-r.Torch.Losses[i]))
		}
	}
	r.SameSamples = fmt.Sprint(r.Go.SampleTokens) == fmt.Sprint(r.Torch.SampleTokens)
	return r, nil
}

// sequence draws tokens with some structure (runs and repeats), so that
// training lowers the loss.
func sequence(rng *rand.Rand, n, vocab int) []int32 {
	s := make([]int32, n)
	for i := range s {
		switch {
		case i >= 4 && rng.IntN(3) > 0:
			s[i] = s[i-4]
		default:
			s[i] = int32(rng.IntN(vocab))
		}
	}
	return s
}

func tokensPerSec(o Options, stepSeconds []float64) float64 {
	var t float64
	for _, s := range stepSeconds[o.Warmup:] {
		t += s
	}
	return float64(o.Batch*o.Seq*o.Steps) / t
}

func runGo(ctx context.Context, m *model.Model, o Options, batches [][][]int32, prompt []int32) (Side, error) {
	var side Side
	for _, noCache := range []bool{false, true} {
		s := m.NewSampler()
		s.NoCache = noCache
		opt := model.Sampling{MaxTokens: o.SampleTokens, Stop: -1}
		if _, err := s.Generate(prompt, model.Sampling{MaxTokens: 2, Stop: -1}, nil); err != nil {
			return side, err
		}
		start := time.Now()
		s.Reset()
		g, err := s.Generate(prompt, opt, nil)
		if err != nil {
			return side, err
		}
		rate := float64(len(g.Tokens)) / time.Since(start).Seconds()
		if noCache {
			side.SampleUncachedPerSec = rate
		} else {
			side.SampleCachedPerSec, side.SampleTokens = rate, g.Tokens
		}
	}
	opt := model.NewAdamW(m.Config, weightDecay)
	var seconds []float64
	for _, batch := range batches {
		if err := ctx.Err(); err != nil {
			return side, err
		}
		b := &model.Batch{}
		for _, seq := range batch {
			off := b.Add(seq)
			for i := 1; i < len(seq); i++ {
				b.Score = append(b.Score, off+i)
			}
		}
		start := time.Now()
		loss, err := trainStep(m, opt, b)
		if err != nil {
			return side, err
		}
		seconds = append(seconds, time.Since(start).Seconds())
		side.Losses = append(side.Losses, loss)
	}
	side.TrainTokensPerSec = tokensPerSec(o, seconds)
	return side, nil
}

// trainStep is one step of mean next-token cross-entropy.
func trainStep(m *model.Model, opt *model.AdamW, b *model.Batch) (float64, error) {
	out, err := m.Forward(b, true)
	if err != nil {
		return 0, err
	}
	var loss float64
	dl := make([]float32, len(out.LogProbs))
	inv := 1 / float64(len(dl))
	for i, lp := range out.LogProbs {
		loss -= float64(lp) * inv
		dl[i] = float32(-inv)
	}
	m.ZeroGrad()
	if err := m.Backward(dl, nil); err != nil {
		return 0, err
	}
	model.ClipGradNorm(m, clip)
	return loss, opt.Update(m, lr)
}
