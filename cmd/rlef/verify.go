package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/rlef/rlef/dataset"
	"github.com/rlef/rlef/judge"
)

func newDataVerifyCmd() *cobra.Command {
	var (
		sf         sandboxFlags
		opts       dataset.LoadOptions
		vo         judge.VerifyOptions
		asJSON     bool
		noProgress bool
	)
	cmd := &cobra.Command{
		Use:   "verify NAME",
		Short: "Run a benchmark's reference (and known-incorrect) solutions on all its tests; report broken and flaky problems",
		Long: `Judges every reference solution of every problem, and every known-incorrect
solution where the source has them, on all public and private tests, --repeat
times. Reports problems whose reference fails (broken), whose verdicts change
between repeats (flaky), and whose tests let a known-incorrect solution pass
(weak). Exits 1 when a problem is broken or flaky.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			set, err := dataset.Load(ctx, args[0], opts)
			if err != nil {
				return err
			}
			j, err := sf.openJudge(ctx, judge.Options{})
			if err != nil {
				return err
			}
			defer j.Pool().Close()
			if !noProgress && isTerminal(cmd.ErrOrStderr()) {
				bar := progressbar.NewOptions(-1, progressbar.OptionSetWriter(cmd.ErrOrStderr()), progressbar.OptionSetDescription("verifying"),
					progressbar.OptionShowCount(), progressbar.OptionThrottle(250*time.Millisecond), progressbar.OptionClearOnFinish())
				vo.Progress = func(done, total int) {
					bar.ChangeMax(total)
					_ = bar.Set(done)
				}
				defer bar.Finish()
			}
			rep, err := j.Verify(ctx, set, vo)
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				if err := enc.Encode(rep); err != nil {
					return err
				}
			} else {
				printVerifyReport(cmd.OutOrStdout(), set, rep)
			}
			if len(rep.Broken)+len(rep.Flaky) > 0 {
				return exitError{code: 1}
			}
			return nil
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&opts.Path, "data", "", "benchmark data file or directory")
	fs.StringVar(&opts.Version, "version", "", "benchmark version")
	fs.StringVar(&opts.Split, "split", "", "benchmark split")
	fs.IntVar(&vo.Repeat, "repeat", 2, "judge every solution this many times")
	fs.IntVar(&vo.MaxSolutions, "max-solutions", 0, "at most this many reference and this many incorrect solutions per problem (0 = all)")
	fs.IntVar(&vo.Workers, "workers", 0, "solutions judged at once (0 = twice the slots)")
	fs.BoolVar(&asJSON, "json", false, "print the report as JSON")
	fs.BoolVar(&noProgress, "no-progress", false, "do not show a progress bar")
	sf.register(fs, 0)
	return cmd
}

func printVerifyReport(w io.Writer, set *dataset.Set, rep *judge.VerifyReport) {
	fmt.Fprintf(w, "%s (%s): %d problems, %d solutions judged\n", set.Name, set.Version, rep.Problems, rep.Solutions)
	for _, sec := range []struct {
		name   string
		issues []judge.VerifyIssue
	}{
		{"broken (a reference solution fails)", rep.Broken},
		{"flaky (verdicts differ between repeats)", rep.Flaky},
		{"weak (a known-incorrect solution passes)", rep.Weak},
		{"not judged (sandbox errors)", rep.SandboxErrors},
	} {
		fmt.Fprintf(w, "%s: %d\n", sec.name, len(sec.issues))
		for _, is := range sec.issues {
			fmt.Fprintf(w, "  %s %s: %s", is.ProblemID, is.Solution, strings.Join(is.Verdicts, " | "))
			if is.Detail != "" {
				fmt.Fprintf(w, " — %s", is.Detail)
			}
			fmt.Fprintln(w)
		}
	}
}
