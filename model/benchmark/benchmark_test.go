package benchmark

import (
	"context"
	"testing"

	"github.com/rlef/rlef/internal/testenv"
	"github.com/rlef/rlef/model"
	"github.com/rlef/rlef/model/torchref"
)

// A small run: both sides train the same model to the same losses and
// sample the same greedy tokens.
func TestGoAndPyTorchAgree(t *testing.T) {
	if err := torchref.Available(context.Background()); err != nil {
		testenv.Missing(t, "PyTorch is needed for this test: %v", err)
	}
	o := Options{
		Config: model.Config{Vocab: 50, Context: 64, Dim: 32, Layers: 2, Heads: 2, Head: model.HeadLM},
		Batch:  4, Seq: 32, Steps: 6, Warmup: 1, SampleTokens: 20, PromptTokens: 8, Threads: 2, Seed: 3,
	}
	r, err := Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if r.MaxLossDiff > 1e-3 {
		t.Errorf("losses differ by up to %g: Go %v, PyTorch %v", r.MaxLossDiff, r.Go.Losses, r.Torch.Losses)
	}
	if r.Go.Losses[len(r.Go.Losses)-1] >= r.Go.Losses[0] {
		t.Errorf("training did not lower the loss: %v", r.Go.Losses)
	}
	if !r.SameSamples {
		t.Errorf("greedy samples differ: Go %v, PyTorch %v", r.Go.SampleTokens, r.Torch.SampleTokens)
	}
	for _, v := range []float64{r.Go.TrainTokensPerSec, r.Torch.TrainTokensPerSec, r.Go.SampleCachedPerSec, r.Torch.SampleUncachedPerSec} {
		if !(v > 0) {
			t.Errorf("throughput %v", v)
		}
	}
}
