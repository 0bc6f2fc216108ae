package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/rlef/rlef/dataset"
	"github.com/rlef/rlef/internal/floor"
	"github.com/rlef/rlef/judge"
)

func newBenchJudgeCmd() *cobra.Command {
	var (
		sf        sandboxFlags
		humaneval string
		contests  string
		keepCache bool
	)
	cmd := &cobra.Command{
		Use:   "judge",
		Short: "Judging against its floor: the same programs run in-process, unsandboxed",
		Long: `Judges the HumanEval+ canonical solutions on all their inputs, and an echo
program on every CodeContests test, through rlef (sandboxed, across the
trust boundary), and runs the same programs on the same inputs in plain
Python processes, in-process, unsandboxed and unchecked (the floor), one
process per slot, in the same run. HumanEval+'s reference outputs are
computed on a cold cache first and timed apart, against the same floor.

Reads --humaneval (HumanEvalPlus.jsonl.gz) and --codecontests (rllm's
test_code_contests JSON); either may be left out.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return benchJudge(cmd.Context(), cmd.OutOrStdout(), &sf, humaneval, contests, keepCache)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&humaneval, "humaneval", "", "HumanEval+ file (HumanEvalPlus.jsonl.gz)")
	fs.StringVar(&contests, "codecontests", "", "CodeContests file (rllm's test_code_contests JSON)")
	fs.BoolVar(&keepCache, "warm", false, "keep the reference-output cache under --cache-dir instead of starting cold")
	sf.register(fs, 0)
	return cmd
}

// judgeBenchRow is one workload measured both ways.
type judgeBenchRow struct {
	name        string
	rlef, floor time.Duration
	report      judge.BenchReport
}

func benchJudge(ctx context.Context, w io.Writer, sf *sandboxFlags, humaneval, contests string, warm bool) error {
	if humaneval == "" && contests == "" {
		return fmt.Errorf("give --humaneval and/or --codecontests")
	}
	opts := judge.Options{}
	if !warm {
		dir, err := os.MkdirTemp("", "rlef-bench-judge-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		opts.CacheDir = filepath.Join(dir, "judge")
	}
	j, err := sf.openJudge(ctx, opts)
	if err != nil {
		return err
	}
	defer j.Pool().Close()
	slots := j.Pool().Slots()
	var rows []judgeBenchRow
	if humaneval != "" {
		set, err := dataset.Load(ctx, "humaneval+", dataset.LoadOptions{Path: humaneval})
		if err != nil {
			return err
		}
		fl, err := floor.Run(ctx, sf.python, slots, floor.References(set))
		if err != nil {
			return err
		}
		rep, err := j.Bench(ctx, "humaneval+ canonical solutions", judge.ReferenceTasks(set))
		if err != nil {
			return err
		}
		rows = append(rows, judgeBenchRow{"humaneval+ reference outputs (cold cache)", rep.Prepare, fl, rep},
			judgeBenchRow{"humaneval+ canonical solutions", rep.Wall, fl, rep})
	}
	if contests != "" {
		set, err := dataset.Load(ctx, "codecontests", dataset.LoadOptions{Path: contests})
		if err != nil {
			return err
		}
		fl, err := floor.Run(ctx, sf.python, slots, floor.Program(set, judge.EchoProgram))
		if err != nil {
			return err
		}
		rep, err := j.Bench(ctx, "codecontests echo", judge.ProgramTasks(set, judge.Submission{Code: judge.EchoProgram}))
		if err != nil {
			return err
		}
		rows = append(rows, judgeBenchRow{"codecontests echo, every test", rep.Wall, fl, rep})
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "workload\trlef\tin-process floor\tratio\tprograms' CPU in rlef\ttests\n")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%.2f×\t%s\t%d\n", r.name, r.rlef.Round(10*time.Millisecond), r.floor.Round(10*time.Millisecond),
			r.rlef.Seconds()/r.floor.Seconds(), r.report.RunCPU.Round(10*time.Millisecond), r.report.Tests)
	}
	fmt.Fprintf(tw, "(%d slots; the floor runs one plain Python process per slot)\n", slots)
	return tw.Flush()
}
