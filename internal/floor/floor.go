// Package floor measures the floor of judging: the same programs run on
// the same inputs in plain Python processes, in-process, with no sandbox,
// no process per test and no checking. It is a benchmark baseline for
// `rlef bench judge` and the judge's benchmarks, never a way to judge.
package floor

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"os/exec"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/rlef/rlef/dataset"
)

//go:embed floor.py
var floorSource string

// Problem is one program and the inputs to run it on: argument lists as
// JSON text (Mode "call") or stdin texts (Mode "stdio").
type Problem struct {
	Source string   `json:"source"`
	Entry  string   `json:"entry,omitempty"`
	Inputs []string `json:"inputs"`
}

// Job is what one measurement runs.
type Job struct {
	Mode     string    `json:"mode"`
	Problems []Problem `json:"problems"`
}

// References is the floor of judging a set's reference solutions on all
// their tests (function-call problems).
func References(set *dataset.Set) Job {
	job := Job{Mode: "call"}
	for _, p := range set.Problems {
		if len(p.Solutions) == 0 || (p.Mode != dataset.ModeFunction) {
			continue
		}
		fp := Problem{Source: p.Solutions[0].Code, Entry: p.EntryPoint}
		for _, t := range append(append([]dataset.Test(nil), p.Public...), p.PrivateTests()...) {
			fp.Inputs = append(fp.Inputs, t.Input)
		}
		job.Problems = append(job.Problems, fp)
	}
	return job
}

// Program is the floor of running one stdio program on every test of a
// set.
func Program(set *dataset.Set, source string) Job {
	job := Job{Mode: "stdio"}
	for _, p := range set.Problems {
		fp := Problem{Source: source}
		for _, t := range append(append([]dataset.Test(nil), p.Public...), p.PrivateTests()...) {
			fp.Inputs = append(fp.Inputs, t.Input)
		}
		job.Problems = append(job.Problems, fp)
	}
	return job
}

// Run runs job in workers Python processes at once (problems dealt round
// robin, largest first) and returns the wall-clock time, from the first
// start to the last finish, that the runs took.
func Run(ctx context.Context, python string, workers int, job Job) (time.Duration, error) {
	shards := make([]Job, max(workers, 1))
	for i := range shards {
		shards[i].Mode = job.Mode
	}
	for i, p := range job.Problems {
		shards[i%len(shards)].Problems = append(shards[i%len(shards)].Problems, p)
	}
	g, ctx := errgroup.WithContext(ctx)
	start := time.Now()
	for _, sh := range shards {
		g.Go(func() error { return runShard(ctx, python, sh) })
	}
	err := g.Wait()
	return time.Since(start), err
}

func runShard(ctx context.Context, python string, job Job) error {
	in, err := json.Marshal(job)
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, python, "-c", floorSource)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("floor: %w: %s", err, stderr.String())
	}
	var res struct{ Seconds float64 }
	if err := json.Unmarshal(out, &res); err != nil {
		return fmt.Errorf("floor: %w: %q", err, out)
	}
	return nil
}
