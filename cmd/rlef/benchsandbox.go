package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/rlef/rlef/internal/floor"
	"github.com/rlef/rlef/internal/perf"
	"github.com/rlef/rlef/sandbox"
	"github.com/rlef/rlef/server"
	"github.com/rlef/rlef/verdict"
)

// Trivial stdin -> stdout programs, the same for every path measured.
const (
	benchPython = "import sys\nprint(sys.stdin.readline().strip())\n"
	benchCPP    = "#include <cstdio>\nint main(){ char b[64]; if (scanf(\"%63s\", b) == 1) puts(b); return 0; }\n"
	benchInput  = "hello\n"
)

// The paths a trivial run can take, from the floor up.
const (
	pathFloor   = "floor"    // Python: a warm interpreter forking a spare, no sandbox, no IPC; C++: a bare fork+exec
	pathSandbox = "sandbox"  // sandbox.Pool.Run, in-process
	pathRunCode = "run_code" // POST /run_code to rlef serve on loopback
	pathSpawn   = "spawn"    // python3 main.py, no sandbox
	pathGoJudge = "go-judge" // POST /run to a running go-judge
)

// benchRow is one measured configuration.
type benchRow struct {
	Workload string `json:"workload"`
	Path     string `json:"path"`
	// Paced runs wait 30 ms (untimed) before each run, the way runs
	// interleave with model calls: the system is idle when the run
	// arrives. The others run back to back.
	Paced bool       `json:"paced"`
	Stats perf.Stats `json:"stats"`
	// CPUPerRun is the machine's busy CPU time per run (/proc/stat).
	CPUPerRun time.Duration `json:"cpu_per_run_ns"`
	// FloorRatio is the median over the floor's median in the same
	// pattern with as many clients.
	FloorRatio float64 `json:"floor_ratio"`
}

// benchTarget is one path for one workload; clients makes an op per
// client (the floor's forkers are not shared).
type benchTarget struct {
	workload, path string
	clients        func(n int) ([]func(context.Context) error, error)
}

type benchSandboxOpts struct {
	runs    int
	pause   time.Duration
	clients []int
	goJudge string
	// cxx and cxxFlags compile the bare C++ baseline as the pool does.
	cxx      string
	cxxFlags []string
}

func newBenchSandboxCmd() *cobra.Command {
	var (
		sf     sandboxFlags
		opts   = benchSandboxOpts{cxxFlags: sandbox.DefaultCXXFlags(), pause: 30 * time.Millisecond}
		asJSON bool
	)
	cmd := &cobra.Command{
		Use:   "sandbox",
		Short: "Trivial Python and C++ runs on every path, side by side with the sandbox's floor",
		Long: `Runs a trivial stdin->stdout program in Python and in C++ (compiled once) on
every path, in one invocation: the floor of the sandbox's design (Python: a warm
interpreter, with the pool's preloaded modules, forking a spare that compiles
and runs the snippet, with no sandbox and no IPC; C++: a bare fork+exec of the
binary), the sandbox in-process, /run_code of an in-process rlef serve on
loopback, a bare python3 spawn, and with --compare-go-judge a running go-judge.
Each path runs paced (a pause before each run) and back to back, with 1 and 2
clients. Prints median and p99 latency, runs/s, the machine's CPU per run and
the ratio to the floor.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			pool, err := sf.open(ctx)
			if err != nil {
				return err
			}
			defer pool.Close()
			opts.cxx = sf.cxx
			if opts.clients == nil {
				opts.clients = []int{1, pool.Slots()}
			}
			rows, err := benchSandbox(ctx, pool, opts, cmd.ErrOrStderr())
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
	fs := cmd.Flags()
	fs.IntVar(&opts.runs, "runs", 200, "runs per configuration")
	fs.IntSliceVar(&opts.clients, "clients", nil, "client counts to measure (default 1 and the number of slots)")
	fs.StringVar(&opts.goJudge, "compare-go-judge", "", "base URL of a running go-judge (e.g. http://127.0.0.1:5050) to drive with the same programs")
	fs.BoolVar(&asJSON, "json", false, "print JSON instead of a table")
	sf.register(fs, 0)
	return cmd
}

// benchSandbox measures every target in every pattern.
func benchSandbox(ctx context.Context, pool *sandbox.Pool, opts benchSandboxOpts, progress io.Writer) ([]benchRow, error) {
	targets, cleanup, err := benchTargets(ctx, pool, opts)
	defer cleanup()
	if err != nil {
		return nil, err
	}
	var rows []benchRow
	for _, t := range targets {
		for _, n := range opts.clients {
			ops, err := t.clients(n)
			if err != nil {
				return nil, fmt.Errorf("%s %s: %w", t.workload, t.path, err)
			}
			// Warm caches, spares and connections.
			if _, err := perf.Clients(ctx, 2*n, 0, ops); err != nil {
				return nil, fmt.Errorf("%s %s: %w", t.workload, t.path, err)
			}
			for _, paced := range []bool{true, false} {
				row, err := measure(ctx, t, ops, paced, opts)
				if err != nil {
					return nil, err
				}
				fmt.Fprintf(progress, "%-6s %-9s %-12s %d clients: median %s ms\n", t.workload, t.path, pattern(paced), n, perf.Ms(row.Stats.Median))
				rows = append(rows, row)
			}
		}
	}
	setFloorRatios(rows)
	return rows, nil
}

func measure(ctx context.Context, t benchTarget, ops []func(context.Context) error, paced bool, opts benchSandboxOpts) (benchRow, error) {
	runs, pause := opts.runs, time.Duration(0)
	if paced {
		runs, pause = max(opts.runs/2, 1), opts.pause
	}
	before, err := perf.MachineCPU()
	if err != nil {
		return benchRow{}, err
	}
	st, err := perf.Clients(ctx, runs, pause, ops)
	if err != nil {
		return benchRow{}, fmt.Errorf("%s %s: %w", t.workload, t.path, err)
	}
	after, err := perf.MachineCPU()
	if err != nil {
		return benchRow{}, err
	}
	return benchRow{Workload: t.workload, Path: t.path, Paced: paced, Stats: st, CPUPerRun: (after - before) / time.Duration(st.N)}, nil
}

// setFloorRatios divides each median by the floor's in the same pattern
// with as many clients.
func setFloorRatios(rows []benchRow) {
	floors := map[string]time.Duration{}
	key := func(r benchRow) string { return fmt.Sprintf("%s/%v/%d", r.Workload, r.Paced, r.Stats.Concurrency) }
	for _, r := range rows {
		if r.Path == pathFloor {
			floors[key(r)] = r.Stats.Median
		}
	}
	for i, r := range rows {
		if f := floors[key(r)]; f > 0 {
			rows[i].FloorRatio = float64(r.Stats.Median) / float64(f)
		}
	}
}

// benchTargets prepares every path: compiled programs, forkers' sources,
// an in-process server. cleanup releases them (also after an error).
func benchTargets(ctx context.Context, pool *sandbox.Pool, opts benchSandboxOpts) ([]benchTarget, func(), error) {
	var closers []func()
	cleanup := func() {
		for i := len(closers) - 1; i >= 0; i-- {
			closers[i]()
		}
	}
	dir, err := os.MkdirTemp("", "rlef-bench-")
	if err != nil {
		return nil, cleanup, err
	}
	closers = append(closers, func() { os.RemoveAll(dir) })
	pyProg, err := pool.Compile(ctx, sandbox.Python, benchPython)
	if err != nil {
		return nil, cleanup, err
	}
	cppProg, err := pool.Compile(ctx, sandbox.CPP, benchCPP)
	if err != nil {
		return nil, cleanup, err
	}
	closers = append(closers, func() { cppProg.Close() })
	if !cppProg.OK() {
		return nil, cleanup, fmt.Errorf("benchmark program did not compile: %s", cppProg.Compile.Stderr)
	}
	pyFile, bin, err := writeBaselines(ctx, dir, opts.cxx, opts.cxxFlags)
	if err != nil {
		return nil, cleanup, err
	}
	url, stop, err := startBenchServer(pool)
	if err != nil {
		return nil, cleanup, err
	}
	closers = append(closers, stop)
	forkers := &forkerSet{python: pool.Python(), preload: pool.Preload()}
	closers = append(closers, forkers.close)
	targets := []benchTarget{
		{"python", pathFloor, forkers.clients},
		{"python", pathSandbox, shared(sandboxOp(pool, pyProg))},
		{"python", pathRunCode, shared(runCodeOp(url, "python", benchPython))},
		{"python", pathSpawn, shared(spawnOp(pool.Python(), pyFile))},
		{"cpp", pathFloor, shared(spawnOp(bin))},
		{"cpp", pathSandbox, shared(sandboxOp(pool, cppProg))},
		{"cpp", pathRunCode, shared(runCodeOp(url, "cpp", benchCPP))},
	}
	if opts.goJudge != "" {
		gj, release, err := goJudgeTargets(ctx, opts.goJudge)
		if err != nil {
			return nil, cleanup, err
		}
		closers = append(closers, release)
		targets = append(targets, gj...)
	}
	// Every Python path first, then every C++ one.
	sort.SliceStable(targets, func(i, j int) bool { return targets[i].workload > targets[j].workload })
	return targets, cleanup, nil
}

// shared gives every client the same op (one safe for concurrent use).
func shared(op func(context.Context) error) func(int) ([]func(context.Context) error, error) {
	return func(n int) ([]func(context.Context) error, error) {
		ops := make([]func(context.Context) error, n)
		for i := range ops {
			ops[i] = op
		}
		return ops, nil
	}
}

// forkerSet starts one floor forker per client, kept across patterns.
type forkerSet struct {
	python  string
	preload []string
	started []*floor.Forker
}

func (f *forkerSet) clients(n int) ([]func(context.Context) error, error) {
	for len(f.started) < n {
		fk, err := floor.StartForker(f.python, benchPython, f.preload...)
		if err != nil {
			return nil, err
		}
		f.started = append(f.started, fk)
	}
	ops := make([]func(context.Context) error, n)
	for i := range ops {
		fk := f.started[i]
		ops[i] = func(context.Context) error {
			out, err := fk.Run([]byte(benchInput))
			if err != nil || string(out) != benchInput {
				return fmt.Errorf("floor: %v %q", err, out)
			}
			return nil
		}
	}
	return ops, nil
}

func (f *forkerSet) close() {
	for _, fk := range f.started {
		fk.Close()
	}
}

func sandboxOp(pool *sandbox.Pool, prog *sandbox.Program) func(context.Context) error {
	in := sandbox.Input{Stdin: []byte(benchInput), Limits: sandbox.DefaultLimits()}
	return func(ctx context.Context) error {
		r, err := pool.Run(ctx, prog, in)
		if err != nil {
			return err
		}
		if r.Status != verdict.OK || string(r.Stdout) != benchInput {
			return fmt.Errorf("benchmark run: %s %q %s", r.Status, r.Stdout, r.Stderr)
		}
		return nil
	}
}

func spawnOp(name string, args ...string) func(context.Context) error {
	return func(ctx context.Context) error {
		c := exec.CommandContext(ctx, name, args...)
		c.Stdin = bytes.NewReader([]byte(benchInput))
		out, err := c.Output()
		if err != nil || string(out) != benchInput {
			return fmt.Errorf("baseline %s: %v %q", name, err, out)
		}
		return nil
	}
}

// writeBaselines writes the Python program and compiles the C++ one on
// the host, for the unsandboxed paths.
func writeBaselines(ctx context.Context, dir, cxx string, cxxFlags []string) (pyFile, bin string, err error) {
	pyFile = filepath.Join(dir, "main.py")
	if err := os.WriteFile(pyFile, []byte(benchPython), 0o644); err != nil {
		return "", "", err
	}
	src, bin := filepath.Join(dir, "main.cpp"), filepath.Join(dir, "main")
	if err := os.WriteFile(src, []byte(benchCPP), 0o644); err != nil {
		return "", "", err
	}
	if out, err := exec.CommandContext(ctx, cxx, append(cxxFlags, "-o", bin, src)...).CombinedOutput(); err != nil {
		return "", "", fmt.Errorf("compile baseline: %v: %s", err, out)
	}
	return pyFile, bin, nil
}

// startBenchServer serves /run_code from pool on a loopback port.
func startBenchServer(pool *sandbox.Pool) (url string, stop func(), err error) {
	srv, err := server.New(server.Config{Pool: pool, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		return "", nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		srv.Close()
		return "", nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln, 10*time.Second) }()
	return "http://" + ln.Addr().String() + "/run_code", func() { cancel(); <-done; srv.Close() }, nil
}

// runCodeOp posts a SandboxFusion run request and checks the answer.
func runCodeOp(url, language, code string) func(context.Context) error {
	body, _ := json.Marshal(map[string]any{"code": code, "language": language, "stdin": benchInput, "run_timeout": 10})
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	return func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		var r struct {
			Status    string `json:"status"`
			RunResult struct {
				Stdout string `json:"stdout"`
			} `json:"run_result"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
			return fmt.Errorf("/run_code answer: %w", err)
		}
		if r.Status != "Success" || r.RunResult.Stdout != benchInput {
			return fmt.Errorf("/run_code: %s %q", r.Status, r.RunResult.Stdout)
		}
		return nil
	}
}

func pattern(paced bool) string {
	if paced {
		return "paced"
	}
	return "back to back"
}

func printBenchRows(w io.Writer, pool *sandbox.Pool, rows []benchRow) {
	fmt.Fprintf(w, "isolation: %s, cgroups %s, %d slots on %d CPUs\n\n", pool.Isolation().Mode, pool.Isolation().Cgroup, pool.Slots(), runtime.NumCPU())
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "workload\tpath\tpattern\tclients\truns\tmedian ms\tp99 ms\truns/s\tCPU ms/run\t× floor\t")
	for _, r := range rows {
		rate := fmt.Sprintf("%.0f", r.Stats.PerSecond)
		if r.Paced {
			rate = "-"
		}
		ratio := "-"
		if r.FloorRatio > 0 {
			ratio = fmt.Sprintf("%.2f", r.FloorRatio)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%s\t%s\t%s\t%s\t%s\t\n", r.Workload, r.Path, pattern(r.Paced), r.Stats.Concurrency, r.Stats.N,
			perf.Ms(r.Stats.Median), perf.Ms(r.Stats.P99), rate, perf.Ms(r.CPUPerRun), ratio)
	}
	tw.Flush()
}
