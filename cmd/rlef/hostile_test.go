package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rlef/rlef/internal/hostile"
	"github.com/rlef/rlef/judge"
	"github.com/rlef/rlef/sandbox"
	"github.com/rlef/rlef/verdict"
)

// TestHostileJudge runs the hostile corpus through `rlef judge`, the real
// command executed in this process on a custom benchmark and a samples
// file, as a trainer scoring samples offline would. Every attack must
// earn nothing and fail as a verdict about the program, the honest
// program judged right after it must pass, and the host must be as it
// was: no slot broken, no process or cgroup left, host files unchanged,
// no host path in any row.
//
// Attacks that try to leave state behind run each in a command of its
// own on one slot, followed there by honest programs that need a clean
// slot.
// RLEF_HOSTILE=<substring> runs only the matching cases.
func TestHostileJudge(t *testing.T) {
	if testing.Short() && os.Getenv("CI") != "true" {
		t.Skip("runs the hostile corpus")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	dir := t.TempDir()
	cache := filepath.Join(dir, "cache")
	// The sandbox must start (in CI a sandbox that cannot is a failure).
	pool, err := sandbox.NewPool(ctx, sandbox.Config{Slots: 1, CacheDir: cache,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	hostile.RequireSandbox(t, err)
	pool.Close()
	bench, err := hostile.WriteBenchmark(dir)
	if err != nil {
		t.Fatal(err)
	}
	h := &judgeRun{dir: dir, cache: cache, bench: bench, host: hostile.HostStrings(dir, cache), before: hostile.SnapshotHost(t)}
	cases := hostile.Filter(hostile.Cases(), os.Getenv("RLEF_HOSTILE"))

	t.Run("stateless", func(t *testing.T) {
		var samples []judgeSample
		for _, c := range hostile.Select(cases, hostile.Judge, false) {
			samples = append(samples, judgeSample{c: c, problem: c.Problem, code: c.Code, lang: c.Lang()},
				honestSample(c, c.Problem))
		}
		h.phase(ctx, t, "stateless", samples, 2)
	})
	// Each attack that tries to leave state behind gets a command of its
	// own, on one slot, so that what it breaks is its own doing.
	t.Run("stateful", func(t *testing.T) {
		for _, c := range hostile.Select(cases, hostile.Judge, true) {
			samples := []judgeSample{{c: c, problem: c.Problem, code: c.Code, lang: c.Lang()}}
			for _, victim := range c.Victims() {
				samples = append(samples, honestSample(c, victim))
			}
			h.phase(ctx, t, strings.ReplaceAll(c.Name, "/", "-"), samples, 1)
		}
	})
	if changed := h.before.Changed(); len(changed) > 0 {
		t.Errorf("host files changed: %v", changed)
	}
}

// judgeRun holds what the phases share.
type judgeRun struct {
	dir, cache, bench string
	host              []string
	before            *hostile.HostFiles
}

// judgeSample is one row of a samples file: an attack (honest false) or
// the honest program run after attack c.
type judgeSample struct {
	c       *hostile.Case
	honest  bool
	problem string
	code    string
	lang    string
	index   int
}

func honestSample(c *hostile.Case, problem string) judgeSample {
	return judgeSample{c: c, honest: true, problem: problem, code: hostile.ProblemByID(problem).Honest(), lang: "python"}
}

// phase judges the samples with `rlef judge` on the given number of slots
// (one worker per slot, so that samples run in file order on one slot),
// then checks every row and the host.
func (h *judgeRun) phase(ctx context.Context, t *testing.T, name string, samples []judgeSample, slots int) {
	if len(samples) == 0 {
		t.Skip("no case selected")
	}
	samplesPath := filepath.Join(h.dir, name+"-samples.jsonl")
	outPath := filepath.Join(h.dir, name+"-rows.jsonl")
	perTask := map[string]int{}
	var buf bytes.Buffer
	for i := range samples {
		s := &samples[i]
		s.index = perTask[s.problem]
		perTask[s.problem]++
		row, _ := json.Marshal(map[string]any{"task_id": s.problem, "solution": s.code, "language": s.lang, "sample": s.index})
		buf.Write(append(row, '\n'))
	}
	if err := os.WriteFile(samplesPath, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	logs, stderr, err := runInProcess(ctx, "judge", "--benchmark", "custom", "--data", h.bench, "--samples", samplesPath,
		"--out", outPath, "--slots", strconv.Itoa(slots), "--workers", strconv.Itoa(slots), "--cache-dir", h.cache,
		"--no-progress", "--log-level", "warn")
	t.Logf("%s: %d samples judged in %v", name, len(samples), time.Since(start).Round(time.Millisecond))
	var ee exitError
	switch {
	case errors.As(err, &ee) && ee.code == 3:
		t.Errorf("rlef judge reported sandbox failures: %s", ee.msg)
	case err != nil:
		t.Fatalf("rlef judge: %v\n%s", err, stderr)
	}
	for _, line := range logs.Replaced(0, -1) {
		t.Errorf("%s: a program broke a sandbox slot: %s", name, line)
	}
	rows := readJudgeRows(t, outPath)
	for _, s := range samples {
		name := s.c.Name
		if s.honest {
			name += "/then-honest-" + strings.TrimPrefix(s.problem, hostile.SetName+"/")
		}
		t.Run(name, func(t *testing.T) {
			r, ok := rows[judge.RowKey{TaskID: s.problem, Sample: s.index}]
			if !ok {
				t.Fatalf("no row for %s sample %d", s.problem, s.index)
			}
			o := rowOutcome(r)
			if s.honest {
				for _, bad := range hostile.CheckControl(o, h.host) {
					t.Error(bad)
				}
				return
			}
			for _, bad := range s.c.Check(o, h.host) {
				t.Errorf("%s (%s)\n  row: %.1500s", bad, s.c.Why, o.Text)
			}
		})
	}
	if left := hostile.NoDescendants(10 * time.Second); left != "" {
		t.Errorf("after rlef judge: %s", left)
	}
	if cg := hostile.LeftoverCgroups(); len(cg) > 0 {
		t.Errorf("after rlef judge, cgroups left: %v", cg)
	}
}

// runInProcess executes rlef's root command with args in this process,
// collecting its log (written to os.Stderr) and its stderr.
func runInProcess(ctx context.Context, args ...string) (*hostile.LogWatch, string, error) {
	logs := &hostile.LogWatch{}
	r, w, err := os.Pipe()
	if err != nil {
		return logs, "", err
	}
	done := make(chan struct{})
	go func() {
		io.Copy(logs, r)
		close(done)
	}()
	savedStderr, savedLog := os.Stderr, slog.Default()
	os.Stderr = w
	defer func() {
		os.Stderr = savedStderr
		slog.SetDefault(savedLog)
		w.Close()
		<-done
		r.Close()
	}()
	cmd := newRootCmd()
	var out, errOut bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SetArgs(args)
	err = cmd.ExecuteContext(ctx)
	return logs, errOut.String(), err
}

func readJudgeRows(t *testing.T, path string) map[judge.RowKey]judge.Row {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, _, err := judge.ReadRows(f, path)
	if err != nil {
		t.Fatal(err)
	}
	out := map[judge.RowKey]judge.Row{}
	for _, r := range rows {
		out[judge.RowKey{TaskID: r.TaskID, Sample: r.Sample}] = r // the last row of a sample counts
	}
	return out
}

// rowOutcome reads a row the way a trainer scores it: pass or not, and
// the first failing suite's verdict.
func rowOutcome(r judge.Row) hostile.Outcome {
	o := hostile.Outcome{Entry: hostile.Judge, Passed: r.Status == judge.StatusPass, Infra: r.Status == judge.StatusError, Verdict: verdict.Accepted}
	for _, name := range []string{"public", "private"} {
		if s, ok := r.Suites[name]; ok && s.Verdict != verdict.Accepted {
			o.Verdict = s.Verdict
			break
		}
	}
	for _, s := range r.Suites {
		if s.Verdict == verdict.SandboxError {
			o.Infra = true
		}
	}
	text, _ := json.Marshal(r)
	o.Text = string(text)
	return o
}
