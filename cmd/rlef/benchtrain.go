package main

import (
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/rlef/rlef/model"
	"github.com/rlef/rlef/model/benchmark"
)

func newBenchTrainCmd() *cobra.Command {
	o := benchmark.Options{
		Config: model.Config{Vocab: 640, Context: 384, Dim: 128, Layers: 4, Heads: 4, Head: model.HeadLM},
		Batch:  16, Seq: 128, Steps: 10, Warmup: 2, SampleTokens: 128, PromptTokens: 64, Seed: 1,
	}
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "train",
		Short: "Training and sampling throughput of the Go model against PyTorch on the CPU",
		Long: `Trains the same decoder (by default the shape rlef lab trains) with the same
initial weights, batches, loss, AdamW and gradient clipping in Go and in
PyTorch (Debian's python3-torch, run by /usr/bin/python3) in one run, and
samples from both greedily with and without a KV cache. Reports training tokens/s, sampling tokens/s, the Go/PyTorch ratio,
how closely the two losses agree, and which BLAS library PyTorch loaded.
PyTorch gets as many threads as Go has processors (GOMAXPROCS), for fairness.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.Threads <= 0 {
				o.Threads = runtime.GOMAXPROCS(0)
			}
			r, err := benchmark.Run(cmd.Context(), o)
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(r)
			}
			printBenchTrain(cmd.OutOrStdout(), r)
			return nil
		},
	}
	fs := cmd.Flags()
	fs.IntVar(&o.Config.Vocab, "vocab", o.Config.Vocab, "vocabulary size")
	fs.IntVar(&o.Config.Context, "context", o.Config.Context, "context length")
	fs.IntVar(&o.Config.Dim, "dim", o.Config.Dim, "model width")
	fs.IntVar(&o.Config.Layers, "layers", o.Config.Layers, "transformer blocks")
	fs.IntVar(&o.Config.Heads, "heads", o.Config.Heads, "attention heads")
	fs.IntVar(&o.Batch, "batch", o.Batch, "sequences per training step")
	fs.IntVar(&o.Seq, "seq", o.Seq, "tokens per sequence")
	fs.IntVar(&o.Steps, "steps", o.Steps, "timed training steps")
	fs.IntVar(&o.Warmup, "warmup", o.Warmup, "untimed training steps first")
	fs.IntVar(&o.SampleTokens, "sample-tokens", o.SampleTokens, "tokens to sample")
	fs.IntVar(&o.PromptTokens, "prompt-tokens", o.PromptTokens, "prompt length before sampling")
	fs.IntVar(&o.Threads, "threads", 0, "PyTorch threads (default GOMAXPROCS)")
	fs.BoolVar(&asJSON, "json", false, "print JSON instead of a table")
	return cmd
}

func printBenchTrain(w io.Writer, r *benchmark.Report) {
	c := r.Options.Config
	fmt.Fprintf(w, "model: %d parameters (dim %d, %d layers, %d heads, vocab %d); %d×%d tokens per step\n",
		r.Params, c.Dim, c.Layers, c.Heads, c.Vocab, r.Options.Batch, r.Options.Seq)
	fmt.Fprintf(w, "Go: GOMAXPROCS %d; PyTorch %s: %d threads, BLAS %v\n\n", r.GOMAXPROCS, r.TorchVersion, r.TorchThreads, r.TorchBLAS)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "\tGo\tPyTorch\tGo/PyTorch\t")
	row := func(name string, g, t float64) {
		fmt.Fprintf(tw, "%s\t%.0f\t%.0f\t%.2f×\t\n", name, g, t, g/t)
	}
	row("training tokens/s", r.Go.TrainTokensPerSec, r.Torch.TrainTokensPerSec)
	row("sampling tokens/s, KV cache", r.Go.SampleCachedPerSec, r.Torch.SampleCachedPerSec)
	row("sampling tokens/s, no cache", r.Go.SampleUncachedPerSec, r.Torch.SampleUncachedPerSec)
	tw.Flush()
	same := "yes"
	if !r.SameSamples {
		same = "no"
	}
	fmt.Fprintf(w, "\nlosses agree to %.2g over %d steps (Go %.4f → %.4f); same greedy samples: %s\n",
		r.MaxLossDiff, len(r.Go.Losses), r.Go.Losses[0], r.Go.Losses[len(r.Go.Losses)-1], same)
}
