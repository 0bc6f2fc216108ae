package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/rlef/rlef/internal/perf"
	"github.com/rlef/rlef/sandbox"
	"github.com/rlef/rlef/verdict"
)

func newBenchCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Measure rlef's performance against its baselines",
	}
	cmd.AddCommand(newBenchSandboxCmd())
	cmd.AddCommand(newBenchServeCmd())
	cmd.AddCommand(newBenchTrainCmd())
	cmd.AddCommand(newBenchJudgeCmd())
	return cmd
}

// Trivial stdin -> stdout programs, the same for the sandbox and the
// unsandboxed baseline.
const (
	benchPython = "import sys\nprint(sys.stdin.readline().strip())\n"
	benchCPP    = "#include <cstdio>\nint main(){ char b[64]; if (scanf(\"%63s\", b) == 1) puts(b); return 0; }\n"
	benchInput  = "hello\n"
)

// benchRow is one measured configuration.
type benchRow struct {
	Workload string `json:"workload"`
	Mode     string `json:"mode"` // "sandbox" or "unsandboxed"
	// Paced runs wait a moment before each run (not timed), the way runs
	// interleave with model calls; the others run back to back.
	Paced bool       `json:"paced"`
	Stats perf.Stats `json:"stats"`
}

func newBenchSandboxCmd() *cobra.Command {
	var (
		sf     sandboxFlags
		runs   int
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "sandbox",
		Short: "Latency and throughput of trivial Python and C++ runs, sandboxed and unsandboxed",
		Long: `Runs a trivial stdin->stdout program in Python and in C++ (compiled once),
sequentially (latency: median, p99) and with one client per slot (throughput:
runs/s), first in the sandbox with full isolation, then as a plain fork+exec of
the same program on the host, in the same invocation.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			pool, err := sf.open(ctx)
			if err != nil {
				return err
			}
			defer pool.Close()
			dir, err := os.MkdirTemp("", "rlef-bench-")
			if err != nil {
				return err
			}
			defer os.RemoveAll(dir)
			rows, err := benchSandbox(ctx, pool, dir, runs, &sf)
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(map[string]any{"isolation": pool.Isolation(), "slots": pool.Slots(), "cpus": runtime.NumCPU(), "rows": rows})
			}
			printBenchRows(cmd.OutOrStdout(), pool, rows)
			return nil
		},
	}
	cmd.Flags().IntVar(&runs, "runs", 300, "runs per configuration")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON instead of a table")
	sf.register(cmd.Flags(), 0)
	return cmd
}

// benchOp is one run of a benchmark configuration.
type benchOp = func(context.Context) error

// benchConfig is one configuration of rlef bench sandbox.
type benchConfig struct {
	workload, mode string
	op             benchOp
}

func benchSandbox(ctx context.Context, pool *sandbox.Pool, dir string, runs int, sf *sandboxFlags) ([]benchRow, error) {
	pyProg, err := pool.Compile(ctx, sandbox.Python, benchPython)
	if err != nil {
		return nil, err
	}
	cppProg, err := pool.Compile(ctx, sandbox.CPP, benchCPP)
	if err != nil {
		return nil, err
	}
	defer cppProg.Close()
	if !cppProg.OK() {
		return nil, fmt.Errorf("benchmark program did not compile: %s", cppProg.Compile.Stderr)
	}
	barePy, bareCPP, err := benchBare(ctx, dir, sf)
	if err != nil {
		return nil, err
	}
	return benchMeasure(ctx, pool, runs, []benchConfig{
		{"python", "sandbox", benchSandboxed(pool, pyProg)},
		{"python", "unsandboxed", barePy},
		{"cpp", "sandbox", benchSandboxed(pool, cppProg)},
		{"cpp", "unsandboxed", bareCPP},
	})
}

// benchMeasure times each configuration paced, sequentially and with one
// client per slot.
func benchMeasure(ctx context.Context, pool *sandbox.Pool, runs int, configs []benchConfig) ([]benchRow, error) {
	var rows []benchRow
	for _, c := range configs {
		// Warm caches and the zygotes' spares.
		if _, err := perf.Run(ctx, 2*pool.Slots(), pool.Slots(), c.op); err != nil {
			return nil, err
		}
		// Paced: one run at a time with a pause between runs, as when a
		// model's reply comes between runs: the slot is ready when the
		// request arrives, so this is the run's own latency.
		st, err := perf.RunPaced(ctx, runs/3, 30*time.Millisecond, c.op)
		if err != nil {
			return nil, err
		}
		rows = append(rows, benchRow{Workload: c.workload, Mode: c.mode, Paced: true, Stats: st})
		// Back to back, sequentially and with one client per slot.
		for _, conc := range []int{1, pool.Slots()} {
			st, err := perf.Run(ctx, runs, conc, c.op)
			if err != nil {
				return nil, err
			}
			rows = append(rows, benchRow{Workload: c.workload, Mode: c.mode, Stats: st})
		}
	}
	return rows, nil
}

// benchSandboxed runs prog in the sandbox on the benchmark's input.
func benchSandboxed(pool *sandbox.Pool, prog *sandbox.Program) benchOp {
	in := sandbox.Input{Stdin: []byte(benchInput), Limits: sandbox.DefaultLimits()}
	return func(ctx context.Context) error {
		r, err := pool.Run(ctx, prog, in)
		if err != nil {
			return err
		}
		if r.Status != verdict.OK || string(r.Stdout) != "hello\n" {
			return fmt.Errorf("benchmark run: %s %q %s", r.Status, r.Stdout, r.Stderr)
		}
		return nil
	}
}

// benchBare runs the same programs on the host with the pool's interpreter
// and compiler, as a plain fork and exec.
func benchBare(ctx context.Context, dir string, sf *sandboxFlags) (py, cpp benchOp, err error) {
	pyFile := filepath.Join(dir, "main.py")
	if err := os.WriteFile(pyFile, []byte(benchPython), 0o644); err != nil {
		return nil, nil, err
	}
	src, bin := filepath.Join(dir, "main.cpp"), filepath.Join(dir, "main")
	if err := os.WriteFile(src, []byte(benchCPP), 0o644); err != nil {
		return nil, nil, err
	}
	if out, err := exec.CommandContext(ctx, sf.cxx, append(sandbox.DefaultCXXFlags(), "-o", bin, src)...).CombinedOutput(); err != nil {
		return nil, nil, fmt.Errorf("compile baseline: %v: %s", err, out)
	}
	bare := func(name string, args ...string) benchOp {
		return func(ctx context.Context) error {
			c := exec.CommandContext(ctx, name, args...)
			c.Stdin = bytes.NewReader([]byte(benchInput))
			out, err := c.Output()
			if err != nil || string(out) != "hello\n" {
				return fmt.Errorf("baseline %s: %v %q", name, err, out)
			}
			return nil
		}
	}
	return bare(sf.python, pyFile), bare(bin), nil
}

func printBenchRows(w io.Writer, pool *sandbox.Pool, rows []benchRow) {
	fmt.Fprintf(w, "isolation: %s, cgroups %s, %d slots on %d CPUs\n\n", pool.Isolation().Mode, pool.Isolation().Cgroup, pool.Slots(), runtime.NumCPU())
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "workload\tmode\tpattern\tclients\truns\tmedian ms\tp99 ms\truns/s\t")
	for _, r := range rows {
		pattern, rate := "back to back", fmt.Sprintf("%.0f", r.Stats.PerSecond)
		if r.Paced {
			pattern, rate = "paced", "-"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%s\t%s\t%s\t\n", r.Workload, r.Mode, pattern, r.Stats.Concurrency, r.Stats.N,
			perf.Ms(r.Stats.Median), perf.Ms(r.Stats.P99), rate)
	}
	tw.Flush()
	// Overhead: sandbox minus unsandboxed median, paced and back to back.
	med := map[string]float64{}
	for _, r := range rows {
		if r.Stats.Concurrency == 1 {
			med[fmt.Sprintf("%s/%s/%v", r.Workload, r.Mode, r.Paced)] = float64(r.Stats.Median) / 1e6
		}
	}
	fmt.Fprintln(w)
	for _, wl := range []string{"python", "cpp"} {
		for _, paced := range []bool{true, false} {
			s, u := med[fmt.Sprintf("%s/sandbox/%v", wl, paced)], med[fmt.Sprintf("%s/unsandboxed/%v", wl, paced)]
			fmt.Fprintf(w, "%s (%s): sandbox median %.2f ms vs unsandboxed fork+exec %.2f ms: overhead %+.2f ms\n",
				wl, map[bool]string{true: "paced", false: "back to back"}[paced], s, u, s-u)
		}
	}
}
