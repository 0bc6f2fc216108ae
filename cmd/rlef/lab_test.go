package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rlef/rlef/lab"
)

// `rlef lab --preset smoke`, end to end in the real sandbox, killed with
// SIGKILL during RLEF and run again: the second run resumes from the
// checkpoint, finishes, and the training return rises.
func TestLabSmokeKillAndResume(t *testing.T) {
	if testing.Short() {
		t.Skip("runs rlef lab --preset smoke (about 3 minutes)")
	}
	dir := filepath.Join(t.TempDir(), "lab")
	args := []string{"lab", "--preset", "smoke", "--seed", "1", "--run", dir, "--cache-dir", t.TempDir()}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()

	first := rlef(ctx, args...)
	var out1 bytes.Buffer
	first.Stdout, first.Stderr = &out1, &out1
	start := time.Now()
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- first.Wait() }()
	// Kill as soon as RLEF has checkpointed an iteration.
	killed := false
	for !killed {
		select {
		case err := <-exited:
			t.Fatalf("rlef lab ended before it could be killed during RLEF: %v\n%s", err, out1.String())
		case <-time.After(200 * time.Millisecond):
		}
		if _, err := os.Stat(filepath.Join(dir, "rl.ckpt")); err == nil {
			first.Process.Kill()
			killed = true
		}
	}
	if err := <-exited; err == nil {
		t.Fatalf("the first run was not killed\n%s", out1.String())
	} else if ws, ok := first.ProcessState.Sys().(syscall.WaitStatus); !ok || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("the first run ended otherwise: %v\n%s", err, out1.String())
	}

	second := rlef(ctx, args...)
	out2, err := second.CombinedOutput()
	if err != nil {
		t.Fatalf("resumed run failed: %v\n%s", err, out2)
	}
	t.Logf("smoke preset with a kill and a resume: %s", time.Since(start).Round(time.Second))
	if !strings.Contains(string(out2), "lab: RLEF") {
		t.Errorf("the resumed run did not go through RLEF:\n%s", out2)
	}
	data, err := os.ReadFile(filepath.Join(dir, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	var s lab.Summary
	if err := json.Unmarshal(data, &s); err != nil {
		t.Fatal(err)
	}
	p, _ := lab.LookupPreset("smoke")
	if len(s.Training) != p.RL.Iterations {
		t.Fatalf("%d training iterations recorded, want %d", len(s.Training), p.RL.Iterations)
	}
	for i, st := range s.Training {
		if st.Iteration != i+1 {
			t.Fatalf("iteration %d recorded as %d: lost or repeated across the kill", i+1, st.Iteration)
		}
	}
	if !s.Findings.ReturnRises {
		t.Errorf("the training return did not rise: %.3f → %.3f\n%s", s.Findings.ReturnFirst, s.Findings.ReturnLast, lab.Table(&s))
	}
	if len(s.Evaluations) != 2 {
		t.Fatalf("%d evaluations, want before and after", len(s.Evaluations))
	}
	html, err := os.ReadFile(filepath.Join(dir, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`data-chart="return"`, `data-chart="kl"`, `data-chart="solve-rates"`, `data-table="findings"`} {
		if !bytes.Contains(html, []byte(want)) {
			t.Errorf("report.html lacks %s", want)
		}
	}
	// Every evaluation is an rlef run directory that rlef report reads.
	for _, e := range s.Evaluations {
		for _, d := range e.Dirs {
			out, err := rlef(ctx, "report", d).CombinedOutput()
			if err != nil || !strings.Contains(string(out), "1@3") {
				t.Errorf("rlef report %s: %v\n%s", d, err, out)
			}
		}
	}
}
