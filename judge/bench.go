package judge

import (
	"context"
	"fmt"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/rlef/rlef/dataset"
	"github.com/rlef/rlef/verdict"
)

// BenchReport measures judging throughput: how long a batch took against
// how much CPU the sandboxed programs used.
type BenchReport struct {
	Name     string `json:"name"`
	Programs int    `json:"programs"`
	Tests    int    `json:"tests"`
	// Runs counts sandbox runs (one per test for stdio programs, one per
	// sample for function-call harness runs).
	Runs int `json:"runs"`
	// Accepted counts programs that passed every suite.
	Accepted int `json:"accepted"`
	// Wall is the batch's wall-clock time; Prepare the time spent before
	// it computing reference outputs (not part of Wall).
	Wall    time.Duration `json:"wall_ns"`
	Prepare time.Duration `json:"prepare_ns"`
	// RunCPU adds up the sandbox runs' CPU time (sandbox Result.CPUTime):
	// the programs' own CPU time, harness included. TestCPU adds up the
	// tests' CPU time as the tests measured it (for harness runs, only the
	// calls of the solution).
	RunCPU  time.Duration `json:"run_cpu_ns"`
	TestCPU time.Duration `json:"test_cpu_ns"`
	Slots   int           `json:"slots"`
	// Verdicts counts programs by their private suite's verdict.
	Verdicts map[verdict.Verdict]int `json:"verdicts"`
}

// Ratio is Wall / RunCPU: the wall-clock time per second of program CPU
// time. With Slots programs running at once, 1/Slots is the ideal.
func (b BenchReport) Ratio() float64 {
	if b.RunCPU <= 0 {
		return 0
	}
	return b.Wall.Seconds() / b.RunCPU.Seconds()
}

// SlotRatio is Wall × Slots / RunCPU: 1 means the slots did nothing but
// run programs; the excess is sandbox and judge overhead plus idle slots.
func (b BenchReport) SlotRatio() float64 { return b.Ratio() * float64(b.Slots) }

func (b BenchReport) String() string {
	return fmt.Sprintf("%s: %d programs, %d tests, %d sandbox runs in %s (reference outputs: %s); program CPU %s (tests alone %s); wall/CPU %.2f, wall×slots/CPU %.2f (%d slots); accepted %d",
		b.Name, b.Programs, b.Tests, b.Runs, b.Wall.Round(time.Millisecond), b.Prepare.Round(time.Millisecond),
		b.RunCPU.Round(time.Millisecond), b.TestCPU.Round(time.Millisecond), b.Ratio(), b.SlotRatio(), b.Slots, b.Accepted)
}

// Bench judges tasks as a batch and measures it. Reference outputs are
// computed first (Prepare) and timed separately.
func (j *Judge) Bench(ctx context.Context, name string, tasks []Task) (BenchReport, error) {
	rep := BenchReport{Name: name, Programs: len(tasks), Slots: j.sb.Slots(), Verdicts: map[verdict.Verdict]int{}}
	start := time.Now()
	if err := j.prepareAll(ctx, tasks); err != nil {
		return rep, err
	}
	rep.Prepare = time.Since(start)
	start = time.Now()
	err := j.Batch(ctx, tasks, 0, func(i int, r *Result, err error) error {
		if err != nil {
			return fmt.Errorf("%s: %w", tasks[i].Problem.ID, err)
		}
		rep.Runs += r.Runs
		rep.RunCPU += r.RunCPU
		for _, s := range r.Suites {
			rep.Tests += len(s.Tests)
			rep.TestCPU += s.CPUTime
		}
		if r.Passed() {
			rep.Accepted++
		}
		if n := len(r.Suites); n > 0 {
			rep.Verdicts[r.Suites[n-1].Verdict]++
		}
		return nil
	})
	rep.Wall = time.Since(start)
	return rep, err
}

// ReferenceTasks judges each problem's first reference solution on every
// public and private test, without stopping at failures: the workload of
// the HumanEval+ benchmark.
func ReferenceTasks(set *dataset.Set) []Task {
	var tasks []Task
	for _, p := range set.Problems {
		if len(p.Solutions) == 0 {
			continue
		}
		s := p.Solutions[0]
		tasks = append(tasks, Task{Problem: p, Submission: Submission{Language: s.Language, Code: s.Code},
			Suites: []Suite{{Name: set.PublicSuite, Kind: Public}, {Name: set.PrivateSuite, Kind: Private}}})
	}
	return tasks
}

// EchoProgram copies stdin to stdout: a stand-in solution that measures
// the cost of running a stdio test (it is wrong on almost every test).
const EchoProgram = "import sys\nsys.stdout.write(sys.stdin.read())\n"

// ProgramTasks judges one program against every public and private test
// of every problem, without stopping at failures: the workload of the
// CodeContests benchmark, whose test split ships no solutions.
func ProgramTasks(set *dataset.Set, sub Submission) []Task {
	tasks := make([]Task, 0, len(set.Problems))
	for _, p := range set.Problems {
		tasks = append(tasks, Task{Problem: p, Submission: sub,
			Suites: []Suite{{Name: set.PublicSuite, Kind: Public}, {Name: set.PrivateSuite, Kind: Private}}})
	}
	return tasks
}

// prepareAll computes every task's reference outputs, as many problems at
// once as the sandbox has slots to keep busy.
func (j *Judge) prepareAll(ctx context.Context, tasks []Task) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(2 * j.sb.Slots())
	seen := map[*dataset.Problem]bool{}
	for _, t := range tasks {
		if seen[t.Problem] {
			continue
		}
		seen[t.Problem] = true
		g.Go(func() error {
			if err := j.Prepare(gctx, t.Problem); err != nil && gctx.Err() != nil {
				return err
			}
			return nil
		})
	}
	return g.Wait()
}
