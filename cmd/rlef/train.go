package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/rlef/rlef/dataset"
	"github.com/rlef/rlef/episode"
	"github.com/rlef/rlef/internal/atomicfile"
	"github.com/rlef/rlef/internal/progress"
	"github.com/rlef/rlef/judge"
	"github.com/rlef/rlef/lab"
	"github.com/rlef/rlef/train"
)

type trainFlags struct {
	benchmark, data, runDir, init string
	feedback, extraction          string
	limit                         int
	problemIDs                    []string
	cfg                           train.Config
	noProgress                    bool
}

func newTrainCmd() *cobra.Command {
	var (
		f  trainFlags
		sf sandboxFlags
	)
	f.cfg = train.Config{
		Objective: train.PaperObjective(), Iterations: 50, Episodes: 128, Minibatches: 4,
		LR: 1e-4, ValueLR: 3e-4, Warmup: 5, WeightDecay: 0.1, Clip: 1,
		Sampling: train.Sampling{Temperature: 1, MaxTokens: 512},
	}
	cmd := &cobra.Command{
		Use:   "train --benchmark NAME --init CHECKPOINT [flags]",
		Short: "Train a policy checkpoint with RLEF (turn-level PPO) on any benchmark",
		Long: `Trains a policy checkpoint (from rlef lab, or any checkpoint in rlef's policy
format) with RLEF on a benchmark rlef loads, the custom JSONL format included:
episodes are played through the same loop as rlef eval (prompts, code
extraction, public-test feedback, turn limit, rewards) with every program judged
in the sandbox, and the policy and a value network initialised from it are
updated with the paper's objective.

The run directory (--run, default runs/train-<benchmark>) receives train.json
(the settings), rl.ckpt (policy, value network, reference, optimizers and
history; rewritten atomically after every iteration), final.ckpt (the trained
policy, for rlef eval --checkpoint) and summary.json (the training curves).
Running the same command again resumes from rl.ckpt.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runTrain(cmd, &f, &sf)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&f.benchmark, "benchmark", "builtin", "benchmark: "+strings.Join(dataset.Names(), ", "))
	fs.StringVar(&f.data, "data", "", "benchmark data file or directory")
	fs.StringVar(&f.init, "init", "", "policy checkpoint to start from (required unless resuming)")
	fs.StringVar(&f.runDir, "run", "", "run directory (default runs/train-<benchmark>)")
	fs.IntVar(&f.limit, "limit", 0, "only the first N problems")
	fs.StringSliceVar(&f.problemIDs, "problems", nil, "only these problem ids (comma-separated)")
	fs.IntVar(&f.cfg.Iterations, "iterations", f.cfg.Iterations, "rollout batches")
	fs.IntVar(&f.cfg.Episodes, "episodes", f.cfg.Episodes, "episodes per batch (the paper: 1024)")
	fs.IntVar(&f.cfg.Minibatches, "minibatches", f.cfg.Minibatches, "updates per batch (the paper: 4)")
	fs.Float64Var(&f.cfg.LR, "lr", f.cfg.LR, "policy learning rate (AdamW)")
	fs.Float64Var(&f.cfg.ValueLR, "value-lr", f.cfg.ValueLR, "value network learning rate")
	fs.IntVar(&f.cfg.Warmup, "warmup", f.cfg.Warmup, "linear warm-up updates")
	fs.Float64Var(&f.cfg.WeightDecay, "weight-decay", f.cfg.WeightDecay, "AdamW weight decay")
	fs.Float64Var(&f.cfg.Clip, "grad-clip", f.cfg.Clip, "gradient norm limit")
	fs.Float64Var(&f.cfg.Objective.Beta, "beta", f.cfg.Objective.Beta, "per-turn KL coefficient")
	fs.Float64Var(&f.cfg.Objective.ClipRatio, "clip-ratio", f.cfg.Objective.ClipRatio, "PPO clip ε")
	fs.Float64Var(&f.cfg.Objective.ValueClip, "value-clip", f.cfg.Objective.ValueClip, "value loss clip α")
	fs.BoolVar(&f.cfg.Objective.TokenLevelValue, "token-level-value", false, "ablation: a value per reply token instead of per turn")
	fs.IntVar(&f.cfg.Episode.Turns, "turns", episode.DefaultTurns, "turn limit (1 = the single-turn RL ablation)")
	fs.StringVar(&f.feedback, "feedback", "rlef", "feedback during training: rlef, random (ablation) or none (ablation)")
	fs.StringVar(&f.extraction, "extraction", "last_fence", "code extraction: last_fence, first_fence, longest_parseable, raw")
	fs.Float64Var(&f.cfg.Sampling.Temperature, "temperature", f.cfg.Sampling.Temperature, "sampling temperature of training rollouts")
	fs.IntVar(&f.cfg.Sampling.MaxTokens, "max-tokens", f.cfg.Sampling.MaxTokens, "tokens per reply at most")
	fs.Uint64Var(&f.cfg.Seed, "seed", 1, "seed of problem order, sampling and the value head")
	fs.IntVar(&f.cfg.Workers, "workers", 0, "episodes played at once (default 4 × CPUs)")
	fs.BoolVar(&f.noProgress, "no-progress", false, "no progress output")
	sf.register(fs, 0)
	return cmd
}

func runTrain(cmd *cobra.Command, f *trainFlags, sf *sandboxFlags) error {
	ctx := cmd.Context()
	fb, err := episode.ParseFeedbackMode(f.feedback)
	if err != nil {
		return err
	}
	rule, err := episode.ParseRule(f.extraction)
	if err != nil {
		return err
	}
	f.cfg.Episode.Feedback, f.cfg.Episode.Rule = fb, rule
	if f.cfg.Iterations < 1 || f.cfg.Episodes < 1 || f.cfg.Episode.Turns < 1 {
		return errors.New("--iterations, --episodes and --turns must be at least 1")
	}
	set, err := dataset.Load(ctx, f.benchmark, dataset.LoadOptions{Path: f.data})
	if err != nil {
		return err
	}
	problems, err := selectProblems(set, f.problemIDs, f.limit)
	if err != nil {
		return err
	}
	dir := f.runDir
	if dir == "" {
		dir = filepath.Join("runs", "train-"+unsafeName.ReplaceAllString(set.Name, "-"))
	}
	b, st, err := trainBundle(dir, f)
	if err != nil {
		return err
	}
	j, err := sf.openJudge(ctx, judge.Options{})
	if err != nil {
		return err
	}
	defer j.Pool().Close()
	env := &episode.Env{Set: set, Judge: j, Parser: episode.SandboxParser(j.Pool())}
	if fb == episode.FeedbackRandom {
		env.Random = episode.NewRandomFeedback(set, j)
	}
	t, err := b.NewTrainer(f.cfg, env, problems, st)
	if err != nil {
		return err
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "rlef train: %s (%d problems), %d iterations of %d episodes from iteration %d -> %s\n",
		set.Name, len(problems), f.cfg.Iterations, f.cfg.Episodes, st.Iteration, dir)
	var w = cmd.ErrOrStderr()
	if f.noProgress {
		w = nil
	}
	bar := progress.New(w, "RLEF", f.cfg.Iterations, st.Iteration)
	err = t.Loop(ctx, f.cfg.Iterations, &st, func(s *train.Stats) error {
		bar.Update(t.Iteration, lab.StatsLine(s))
		return b.SaveState(filepath.Join(dir, "rl.ckpt"), st)
	})
	bar.Finish()
	if werr := writeTrainSummary(dir, &st); werr != nil {
		err = errors.Join(err, werr)
	}
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return exitError{code: 130, msg: fmt.Sprintf("interrupted after iteration %d; run the same command again to resume", st.Iteration)}
		}
		return err
	}
	final := &train.Bundle{Tokenizer: b.Tokenizer, Policy: b.Policy}
	if err := final.SaveState(filepath.Join(dir, "final.ckpt"), st); err != nil {
		return err
	}
	fmt.Fprintf(cmd.OutOrStdout(), "%s\n", filepath.Join(dir, "final.ckpt"))
	return nil
}

// trainBundle resumes a run directory or starts from --init, checking
// that a resumed run has the same settings.
func trainBundle(dir string, f *trainFlags) (*train.Bundle, train.State, error) {
	settings, err := json.MarshalIndent(map[string]any{"benchmark": f.benchmark, "data": f.data, "init": f.init,
		"limit": f.limit, "problems": f.problemIDs, "config": f.cfg}, "", "  ")
	if err != nil {
		return nil, train.State{}, err
	}
	settingsPath := filepath.Join(dir, "train.json")
	ckpt := filepath.Join(dir, "rl.ckpt")
	if have, err := os.ReadFile(settingsPath); err == nil {
		if string(have) != string(settings)+"\n" {
			return nil, train.State{}, fmt.Errorf("%s holds a training run with other settings (see %s); use another --run directory", dir, settingsPath)
		}
		if b, err := train.LoadBundle(ckpt); err == nil {
			st, err := b.TrainState()
			return b, st, err
		}
	}
	if f.init == "" {
		return nil, train.State{}, errors.New("--init CHECKPOINT is required to start a training run")
	}
	init, err := train.LoadBundle(f.init)
	if err != nil {
		return nil, train.State{}, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, train.State{}, err
	}
	if err := atomicfile.WriteFile(settingsPath, append(settings, '\n'), 0o644); err != nil {
		return nil, train.State{}, err
	}
	return train.StartFrom(init, f.cfg.WeightDecay, f.cfg.Seed), train.State{}, nil
}

func writeTrainSummary(dir string, st *train.State) error {
	raw, err := json.MarshalIndent(map[string]any{"iterations": st.Iteration, "updates": st.Updates, "training": st.History}, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(filepath.Join(dir, "summary.json"), append(raw, '\n'), 0o644)
}
