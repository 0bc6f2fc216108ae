package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/rlef/rlef/dataset"
	"github.com/rlef/rlef/internal/atomicfile"
	"github.com/rlef/rlef/judge"
	"github.com/rlef/rlef/sandbox"
	"github.com/rlef/rlef/verdict"
)

// judgeFlags are the options of `rlef judge`.
type judgeFlags struct {
	sf          sandboxFlags
	nf          natsFlags
	benchmark   string
	data        string
	version     string
	split       string
	samples     string
	out         string
	summary     string
	workers     int
	timeLimit   time.Duration
	nativeStdio bool
	noProgress  bool
}

func newJudgeCmd() *cobra.Command {
	var f judgeFlags
	cmd := &cobra.Command{
		Use:   "judge --benchmark NAME --samples FILE.jsonl [--out FILE.jsonl]",
		Short: "Score existing samples (EvalPlus-compatible JSONL) against a benchmark's tests",
		Long: `Judges every row of --samples: {"task_id", "solution"} (a whole program) or
{"task_id", "completion"} (appended to the problem's prompt), optionally with
"language" (python or cpp) and "sample" (the sample's index within its task;
by default rows of a task are numbered in file order).

Each sample gets one output row, written as soon as it is judged:
{"task_id", "sample", "status": "pass"|"fail", "suites": {"<suite>": {"status",
"verdict", "passed", "total", "first_failure"}}}. Suites are "base" and "plus"
for HumanEval+/MBPP+ (pass needs both), "public" and "private" otherwise (pass
needs the private suite, and the public one too where the benchmark says so).
Both suites stop at their first failing test.

Running again with the same --out skips samples already judged. Samples whose
judging hit a sandbox failure are not recorded (they say nothing about the
program): the command then exits non-zero, and running it again retries them.
A summary with pass@k goes to stderr and, with --summary, to a JSON file.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runJudge(cmd.Context(), &f, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&f.benchmark, "benchmark", "", "benchmark name (rlef data list shows them)")
	fs.StringVar(&f.data, "data", "", "benchmark data file or directory (default: $"+dataset.EnvDataDir+" or the download cache)")
	fs.StringVar(&f.version, "version", "", "benchmark version (e.g. v0.1.9 for humaneval+)")
	fs.StringVar(&f.split, "split", "", "benchmark split (e.g. valid for codecontests)")
	fs.StringVar(&f.samples, "samples", "", "samples file (JSONL)")
	fs.StringVar(&f.out, "out", "", "output file (JSONL); rows already in it are kept and skipped (default: stdout)")
	fs.StringVar(&f.summary, "summary", "", "also write the summary as JSON to this file")
	fs.IntVar(&f.workers, "workers", 0, "samples judged at once (0 = twice the slots)")
	fs.DurationVar(&f.timeLimit, "time-limit", 0, "per-test CPU limit for problems that set none (default "+judge.DefaultTimeLimit.String()+")")
	fs.BoolVar(&f.nativeStdio, "native-stdio", false, "run stdin/stdout programs as plain programs even where the benchmark's harness wraps them (APPS, TACO, LiveCodeBench)")
	fs.BoolVar(&f.noProgress, "no-progress", false, "do not show a progress bar")
	f.sf.register(fs, 0)
	f.sf.registerGrading(fs)
	f.nf.register(fs, false)
	_ = cmd.MarkFlagRequired("benchmark")
	_ = cmd.MarkFlagRequired("samples")
	return cmd
}

func runJudge(ctx context.Context, f *judgeFlags, stdout, stderr io.Writer) error {
	set, err := dataset.Load(ctx, f.benchmark, dataset.LoadOptions{Path: f.data, Version: f.version, Split: f.split})
	if err != nil {
		return err
	}
	samples, err := readJudgeSamples(f.samples, set)
	if err != nil {
		return err
	}

	// The output: an existing file is read, its rows kept and skipped.
	var out io.Writer = stdout
	var rows []judge.Row
	done := map[judge.RowKey]bool{}
	if f.out != "" {
		file, existing, err := openJudgeOutput(f.out)
		if err != nil {
			return err
		}
		defer file.Close()
		out, rows = file, existing
		for _, r := range rows {
			// A sample whose last row is an error is judged again.
			done[judge.RowKey{TaskID: r.TaskID, Sample: r.Sample}] = r.Status != judge.StatusError
		}
	}
	var todo []judge.Sample
	for _, s := range samples {
		if !done[judge.RowKey{TaskID: s.TaskID, Sample: s.Index}] {
			todo = append(todo, s)
		}
	}
	if skipped := len(samples) - len(todo); skipped > 0 {
		fmt.Fprintf(stderr, "%s: %d of %d samples already judged, %d to go\n", f.out, skipped, len(samples), len(todo))
	}

	var sandboxFailures []string
	if len(todo) > 0 {
		j, err := f.nf.openJudging(ctx, &f.sf, judge.Options{TimeLimit: f.timeLimit, NativeStdio: f.nativeStdio})
		if err != nil {
			return err
		}
		defer j.Close()
		newRows, failures, err := judgeSamples(ctx, j, set, todo, f, out, stderr)
		rows = append(rows, newRows...)
		sandboxFailures = failures
		if err != nil {
			return err
		}
	}

	// The summary covers the samples of this file, judged now or before.
	inFile := map[judge.RowKey]bool{}
	for _, s := range samples {
		inFile[judge.RowKey{TaskID: s.TaskID, Sample: s.Index}] = true
	}
	var scored []judge.Row
	for _, r := range rows {
		if inFile[judge.RowKey{TaskID: r.TaskID, Sample: r.Sample}] {
			scored = append(scored, r)
		}
	}
	sum := judge.Summarize(set, scored)
	printJudgeSummary(stderr, sum)
	if f.summary != "" {
		data, err := json.MarshalIndent(sum, "", "  ")
		if err != nil {
			return err
		}
		if err := atomicfile.WriteFile(f.summary, append(data, '\n'), 0o644); err != nil {
			return fmt.Errorf("write summary: %w", err)
		}
	}
	if len(sandboxFailures) > 0 {
		return exitError{code: 3, msg: fmt.Sprintf("%d samples have no verdict because the sandbox failed (first: %s); their rows say \"status\": \"error\" and they are not scored: run the same command again to judge them again",
			len(sandboxFailures), sandboxFailures[0])}
	}
	return nil
}

// readJudgeSamples reads and checks the samples file: every task must be
// in the benchmark and every language known.
func readJudgeSamples(path string, set *dataset.Set) ([]judge.Sample, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("samples: %w", err)
	}
	defer file.Close()
	samples, err := judge.ReadSamples(file, path)
	if err != nil {
		return nil, err
	}
	if len(samples) == 0 {
		return nil, fmt.Errorf("%s: no samples", path)
	}
	for _, s := range samples {
		if _, ok := set.Lookup(s.TaskID); !ok {
			return nil, fmt.Errorf("%s:%d: task %q is not in benchmark %s (%d problems, e.g. %q)", path, s.Line, s.TaskID, set.Name, len(set.Problems), set.Problems[0].ID)
		}
		if s.Language != "" {
			if _, err := sandbox.ParseLanguage(strings.ToLower(s.Language)); err != nil {
				return nil, fmt.Errorf("%s:%d: %v", path, s.Line, err)
			}
		}
	}
	return samples, nil
}

// openJudgeOutput opens the output for appending after reading the rows
// already in it. A last row cut off mid-write is removed.
func openJudgeOutput(path string) (*os.File, []judge.Row, error) {
	file, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, nil, fmt.Errorf("output: %w", err)
	}
	rows, valid, err := judge.ReadRows(file, path)
	if err != nil {
		file.Close()
		return nil, nil, fmt.Errorf("%w (not a judge output file? use another --out)", err)
	}
	if err := file.Truncate(valid); err != nil {
		file.Close()
		return nil, nil, fmt.Errorf("output: %w", err)
	}
	if _, err := file.Seek(valid, io.SeekStart); err != nil {
		file.Close()
		return nil, nil, err
	}
	if valid > 0 {
		last := make([]byte, 1)
		if _, err := file.ReadAt(last, valid-1); err == nil && last[0] != '\n' {
			if _, err := file.Write([]byte{'\n'}); err != nil {
				file.Close()
				return nil, nil, err
			}
		}
	}
	return file, rows, nil
}

// judgeSamples judges samples and writes a row for each as it completes.
func judgeSamples(ctx context.Context, j *judging, set *dataset.Set, todo []judge.Sample, f *judgeFlags, out, stderr io.Writer) (rows []judge.Row, sandboxFailures []string, err error) {
	suites := []judge.Suite{judge.PublicSuite(set), judge.PrivateSuite(set)}
	suites[0].StopOnFailure = true
	tasks := make([]judge.Task, len(todo))
	for i, s := range todo {
		p, _ := set.Lookup(s.TaskID)
		code := s.Code
		if s.IsCompletion {
			code = judge.Complete(p, s.Code)
		}
		tasks[i] = judge.Task{Problem: p, Submission: judge.Submission{Language: s.Language, Code: code}, Suites: suites}
	}
	var bar *progressbar.ProgressBar
	if !f.noProgress && isTerminal(stderr) {
		bar = progressbar.NewOptions(len(tasks),
			progressbar.OptionSetWriter(stderr),
			progressbar.OptionSetDescription("judging"),
			progressbar.OptionShowCount(),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionThrottle(250*time.Millisecond),
			progressbar.OptionClearOnFinish())
	}
	err = j.Batch(ctx, tasks, f.workers, func(i int, r *judge.Result, jerr error) error {
		s := todo[i]
		if bar != nil {
			_ = bar.Add(1)
		}
		if jerr != nil {
			if errors.Is(jerr, judge.ErrUnsupported) {
				return fmt.Errorf("%s:%d: %w", f.samples, s.Line, jerr)
			}
			return jerr
		}
		if r.SandboxFailed() {
			sandboxFailures = append(sandboxFailures, fmt.Sprintf("%s sample %d", s.TaskID, s.Index))
		}
		row := judge.NewRow(set, s.TaskID, s.Index, r)
		for name, rs := range row.Suites {
			if rs.FirstFailure != nil {
				ff := rs.FirstFailure.Clipped(4 << 10)
				rs.FirstFailure = &ff
				row.Suites[name] = rs
			}
		}
		data, merr := json.Marshal(row)
		if merr != nil {
			return merr
		}
		if _, werr := out.Write(append(data, '\n')); werr != nil {
			return fmt.Errorf("write output: %w", werr)
		}
		rows = append(rows, row)
		return nil
	})
	if bar != nil {
		_ = bar.Finish()
	}
	return rows, sandboxFailures, err
}

func printJudgeSummary(w io.Writer, sum judge.Summary) {
	version := ""
	if sum.Version != "" {
		version = " (" + sum.Version + ")"
	}
	fmt.Fprintf(w, "%s%s: %d tasks, %d samples\n", sum.Benchmark, version, sum.Tasks, sum.Samples)
	if sum.Errors > 0 {
		fmt.Fprintf(w, "  %d samples have no verdict (sandbox errors) and are not scored\n", sum.Errors)
	}
	labels := make([]string, 0, len(sum.PassAtK))
	for l := range sum.PassAtK {
		labels = append(labels, l)
	}
	sort.Strings(labels)
	for _, l := range labels {
		var parts []string
		for _, k := range []string{"pass@1", "pass@10", "pass@100"} {
			if v, ok := sum.PassAtK[l][k]; ok {
				parts = append(parts, fmt.Sprintf("%s %.4f", k, v))
			}
		}
		fmt.Fprintf(w, "  %-10s %s\n", l+":", strings.Join(parts, "  "))
	}
	suites := make([]string, 0, len(sum.Verdicts))
	for s := range sum.Verdicts {
		suites = append(suites, s)
	}
	sort.Strings(suites)
	for _, s := range suites {
		var parts []string
		for _, v := range verdict.All {
			if n := sum.Verdicts[s][v]; n > 0 {
				parts = append(parts, fmt.Sprintf("%s %d", v, n))
			}
		}
		fmt.Fprintf(w, "  %s verdicts: %s\n", s, strings.Join(parts, ", "))
	}
}
