package main

import (
	"bytes"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/rlef/rlef/report"
)

func newCompareCmd() *cobra.Command {
	var (
		f        reportFlags
		allow    bool
		baseline string
	)
	cmd := &cobra.Command{
		Use:   "compare RUN_A RUN_B... [--html FILE]",
		Short: "Compare evaluation runs side by side with paired differences (the paper's Table 2)",
		Long: `Set runs side by side: single-turn and multi-turn 1@T per run with 95% CIs
(the paper's Table 2), and paired differences B − A on the same problems with a
95% CI (problems resampled) and a sign-flip permutation p-value, for studies
such as base vs Instruct vs RL-tuned or DeepSeek-R1 vs its base. The runs'
own intervals use the paper's bootstrap, or the two-level one when some
problem has a single rollout (--ci auto, the default; --ci within|two-level
forces one); an "intervals" column says which.

Every run is compared with the first (--baseline first) or with the one before
it (--baseline previous). Runs on different benchmarks, data versions or
problem sets are never compared; runs whose protocol settings differ (turns,
samples, temperature, top-p, max tokens, feedback, extraction, prefill,
language) only with --allow-different-settings; unfinished runs are shown but
not compared. Each refusal says exactly what differs, and the command then
exits with status 1 after printing what it could.`,
		Args: cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			o, err := f.options()
			if err != nil {
				return err
			}
			runs, err := loadRuns(cmd.Context(), args)
			if err != nil {
				return err
			}
			c, err := report.Compare(runs, report.CompareOptions{Options: o, AllowDifferentSettings: allow, Baseline: baseline})
			if err != nil {
				return err
			}
			if err := c.WriteMarkdown(cmd.OutOrStdout()); err != nil {
				return err
			}
			if f.html != "" {
				var b bytes.Buffer
				if err := c.WriteHTML(&b); err != nil {
					return err
				}
				if err := writeOutput(cmd, f.html, b.Bytes()); err != nil {
					return err
				}
			}
			if len(c.Refused) > 0 {
				return exitError{code: 1, msg: fmt.Sprintf("%d of %d paired comparisons refused:\n%v", len(c.Refused), len(runs)-1, c.Err())}
			}
			return nil
		},
	}
	f.register(cmd, false)
	cmd.Flags().BoolVar(&allow, "allow-different-settings", false, "compare runs whose protocol settings differ (never different problems)")
	cmd.Flags().StringVar(&baseline, "baseline", report.BaselineFirst, "compare each run with the \"first\" run or the \"previous\" one")
	return cmd
}
