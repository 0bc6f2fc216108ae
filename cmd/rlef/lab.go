package main

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/rlef/rlef/judge"
	"github.com/rlef/rlef/lab"
)

func newLabCmd() *cobra.Command {
	var (
		sf     sandboxFlags
		preset string
		seed   uint64
		runDir string
		quiet  bool
	)
	cmd := &cobra.Command{
		Use:   "lab [--preset smoke|default] [--seed N] [--run DIR]",
		Short: "Reproduce RLEF's findings on a generated task family, end to end on the CPU",
		Long: `Runs a complete RLEF experiment on a generated task family where execution
feedback carries information the statement hides: a tiny transformer is
pretrained on dialogues whose later turns mostly ignore the feedback (like an
instruct model before RLEF), evaluated on held-out problems, trained with RLEF
(turn-level PPO against the real sandbox), and evaluated again: multi-turn 1@3
against single-turn 1@3 at an equal budget, with random feedback and without
feedback, with bootstrap intervals and paired tests.

The run directory (--run, default runs/lab-<preset>-seed<N>) receives lab.json,
pretrain.jsonl (the pretraining dialogues), checkpoints (pretrain.ckpt,
init.ckpt, rl.ckpt, final.ckpt), one rlef run directory per evaluation under
eval/ (readable by rlef report and rlef compare), summary.json and report.html.
Running the same command again resumes where it stopped.

Presets: smoke (about 3 minutes on 2 cores) and default (under 30 minutes).`,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			p, err := lab.LookupPreset(preset)
			if err != nil {
				return err
			}
			if runDir == "" {
				runDir = filepath.Join("runs", fmt.Sprintf("lab-%s-seed%d", preset, seed))
			}
			j, err := sf.openJudge(ctx, judge.Options{})
			if err != nil {
				return err
			}
			defer j.Pool().Close()
			o := lab.Options{Preset: p, Seed: seed, Dir: runDir, Judge: j}
			if !quiet {
				o.Progress = cmd.ErrOrStderr()
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "rlef lab: preset %s, seed %d -> %s\n", preset, seed, runDir)
			sum, err := lab.Run(ctx, o)
			if err != nil {
				if errors.Is(err, ctx.Err()) && ctx.Err() != nil {
					return exitError{code: 130, msg: "interrupted; run the same command again to resume"}
				}
				return err
			}
			printLabSummary(cmd, sum)
			fmt.Fprintf(cmd.OutOrStdout(), "%s\n", runDir)
			return nil
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&preset, "preset", "default", "preset: "+strings.Join(lab.PresetNames(), ", "))
	fs.Uint64Var(&seed, "seed", 1, "seed of the generated problems, initialisation and sampling")
	fs.StringVar(&runDir, "run", "", "run directory (default runs/lab-<preset>-seed<N>)")
	fs.BoolVar(&quiet, "quiet", false, "no progress output")
	sf.register(fs, 0)
	return cmd
}

func printLabSummary(cmd *cobra.Command, s *lab.Summary) {
	w := cmd.ErrOrStderr()
	fmt.Fprintf(w, "\n%s\n", lab.Table(s))
}
