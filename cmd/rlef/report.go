package main

import (
	"bytes"
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/rlef/rlef/internal/atomicfile"
	"github.com/rlef/rlef/metrics"
	"github.com/rlef/rlef/report"
)

// reportFlags are the options shared by rlef report and rlef compare.
type reportFlags struct {
	html        string
	ks          []int
	resamples   int
	seed        uint64
	ci          string
	maxEpisodes int
}

func (f *reportFlags) register(cmd *cobra.Command, drill bool) {
	cmd.Flags().StringVar(&f.html, "html", "", "also write one self-contained HTML page to `FILE`")
	cmd.Flags().IntSliceVar(&f.ks, "ks", []int{1, 3, 10}, "k values of pass@k over final answers")
	cmd.Flags().IntVar(&f.resamples, "resamples", metrics.DefaultResamples, "bootstrap resamples for the 95% confidence intervals")
	cmd.Flags().Uint64Var(&f.seed, "seed", 0, "seed of the bootstrap resamples")
	cmd.Flags().StringVar(&f.ci, "ci", string(metrics.CIAuto), "bootstrap of the confidence intervals: `auto` (two-level when any problem has a single rollout, else within), within (the paper's: each problem's rollouts resampled) or two-level (problems resampled, then rollouts)")
	if drill {
		cmd.Flags().IntVar(&f.maxEpisodes, "max-episodes", 2000, "episodes per run in the HTML drill-down, spread over problems (0 = all)")
	}
}

func (f *reportFlags) options() (report.Options, error) {
	if f.resamples < 1 {
		return report.Options{}, fmt.Errorf("--resamples %d: want at least 1", f.resamples)
	}
	method, err := metrics.ParseCIMethod(f.ci)
	if err != nil {
		return report.Options{}, fmt.Errorf("--ci: %w", err)
	}
	for _, k := range f.ks {
		if k < 1 {
			return report.Options{}, fmt.Errorf("--ks: k = %d, want k ≥ 1", k)
		}
	}
	return report.Options{
		PassK:       f.ks,
		Bootstrap:   metrics.Bootstrap{Resamples: f.resamples, Seed: f.seed, Method: method},
		MaxEpisodes: f.maxEpisodes,
	}, nil
}

func newReportCmd() *cobra.Command {
	var f reportFlags
	cmd := &cobra.Command{
		Use:   "report RUN... [--html FILE]",
		Short: "Print the metrics of evaluation runs as Markdown, optionally as one HTML page",
		Long: `Read run directories written by rlef eval and print, as Markdown: solve rate 1@T
with a 95% bootstrap CI, pass@k, the per-turn solve curve, single-turn vs
multi-turn at an equal budget (the paper's Table 2), solve rate vs sample
budget (Fig. 4), public-test outcomes per turn and errors fixed at later turns
(Fig. 3), code change between turns (1 − chrF), extraction-failure and
truncation rates, tokens and latency per solved rollout, and infrastructure
failures (excluded from every metric).

An unfinished run is reported with how far it got and marked UNFINISHED.

Confidence intervals come from the paper's bootstrap (each problem's rollouts
resampled, the problem set fixed) unless some problem has a single rollout:
then that bootstrap would collapse to a point, and a two-level bootstrap
(problems resampled, then each drawn problem's rollouts) is used instead.
--ci within|two-level forces one; the report says which it used and why.

--html FILE writes one self-contained page (no network access; inline CSS and
SVG charts) with the same tables, charts and a drill-down into every episode:
prompt, responses and reasoning, code diffs between turns, feedback and
per-test verdicts. --max-episodes bounds the drill-down of large runs.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o, err := f.options()
			if err != nil {
				return err
			}
			runs, err := loadRuns(cmd.Context(), args)
			if err != nil {
				return err
			}
			as := report.AnalyzeAll(runs, o)
			if err := report.WriteMarkdown(cmd.OutOrStdout(), as); err != nil {
				return err
			}
			if f.html == "" {
				return nil
			}
			var b bytes.Buffer
			if err := report.WriteHTML(&b, as); err != nil {
				return err
			}
			return writeOutput(cmd, f.html, b.Bytes())
		},
	}
	f.register(cmd, true)
	return cmd
}

// loadRuns loads run directories in order.
func loadRuns(ctx context.Context, dirs []string) ([]*report.Run, error) {
	runs := make([]*report.Run, len(dirs))
	for i, d := range dirs {
		r, err := report.Load(ctx, d)
		if err != nil {
			return nil, err
		}
		runs[i] = r
	}
	return runs, nil
}

// writeOutput writes data to path atomically and says so on stderr.
func writeOutput(cmd *cobra.Command, path string, data []byte) error {
	if err := atomicfile.WriteFile(path, data, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "wrote %s (%d KiB)\n", path, (len(data)+1023)/1024)
	return nil
}
