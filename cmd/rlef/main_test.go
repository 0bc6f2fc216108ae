package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/rlef/rlef/llm/llmtest"
	"github.com/rlef/rlef/store"
)

// TestMain lets tests run this binary's main as a real process.
func TestMain(m *testing.M) {
	if os.Getenv("RLEF_TEST_RUN_MAIN") == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// rlef runs the command in a child process.
func rlef(ctx context.Context, args ...string) *exec.Cmd {
	self, _ := os.Executable()
	cmd := exec.CommandContext(ctx, self, args...)
	cmd.Env = append(os.Environ(), "RLEF_TEST_RUN_MAIN=1", "OPENAI_API_KEY=test-key")
	return cmd
}

// The promise, literally: kill `rlef eval` at any moment, run the
// same command again — nothing lost, nothing duplicated, no answered
// request asked again.
func TestEvalKillAndResume(t *testing.T) {
	var (
		mu       sync.Mutex
		answered = map[string]int{}
		victim   *os.Process
		served   int
	)
	srv := llmtest.New(llmtest.WithResponder(func(r *llmtest.Request) llmtest.Reply {
		mu.Lock()
		defer mu.Unlock()
		served++
		if victim != nil && served == 12 {
			// SIGKILL while this request is in flight: nothing gets to
			// finish or clean up.
			victim.Kill()
			victim = nil
			return llmtest.Status(500, "gone")
		}
		key := fmt.Sprint(r.Messages, r.Fields["seed"])
		answered[key]++
		last := r.Messages[len(r.Messages)-1].Content
		if strings.Contains(last, "failed") {
			return llmtest.Text("```python\nimport sys\nprint(sys.stdin.read())\n```")
		}
		return llmtest.Text("```python\nprint('first try')\n```")
	}))
	defer srv.Close()
	dir := filepath.Join(t.TempDir(), "run")
	args := []string{"eval", "--benchmark", "builtin", "--model", "fake-model", "--base-url", srv.URL,
		"--samples", "2", "--turns", "2", "--limit", "4", "--run", dir, "--no-progress", "--concurrency", "1",
		"--slots", "1", "--cache-dir", t.TempDir()}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()

	first := rlef(ctx, args...)
	var out1 bytes.Buffer
	first.Stdout, first.Stderr = &out1, &out1
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	victim = first.Process
	mu.Unlock()
	err := first.Wait()
	if ws, ok := first.ProcessState.Sys().(syscall.WaitStatus); err == nil || !ok || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("the first run was not killed: %v\n%s", err, out1.String())
	}
	mu.Lock()
	before := make(map[string]bool, len(answered))
	for k := range answered {
		before[k] = true
	}
	answered = map[string]int{}
	mu.Unlock()

	second := rlef(ctx, args...)
	out2, err := second.CombinedOutput()
	if err != nil {
		t.Fatalf("resume failed: %v\n%s", err, out2)
	}
	for k := range answered {
		if before[k] {
			t.Errorf("a request answered before the kill was asked again: %.100s", k)
		}
	}
	st, err := store.OpenRun(ctx, dir, false)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	eps, err := st.Episodes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	info, _, _ := st.RunInfo(ctx)
	if len(eps) != 8 || !info.Finished() {
		t.Fatalf("%d episodes, finished %v\n%s", len(eps), info.Finished(), out2)
	}
	for _, name := range []string{"turns.jsonl", "summary.json"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	var sum map[string]any
	b, _ := os.ReadFile(filepath.Join(dir, "summary.json"))
	if err := json.Unmarshal(b, &sum); err != nil || sum["solve_rate"] == nil {
		t.Errorf("summary.json: %v %s", err, b)
	}

	// And the report reads the run.
	rep, err := rlef(ctx, "report", dir, "--html", filepath.Join(t.TempDir(), "r.html")).CombinedOutput()
	if err != nil || !strings.Contains(string(rep), "1@2") {
		t.Errorf("report: %v\n%s", err, rep)
	}
}

// Untuned (base) models get the completions API and few-shot
// demonstrations: real two-turn trajectories (incorrect code, its actual
// feedback, the fix) from the built-in problems, in the paper's transcript
// format.
func TestEvalBaseProfileFewShot(t *testing.T) {
	var mu sync.Mutex
	var prompts []string
	srv := llmtest.New(llmtest.WithResponder(func(r *llmtest.Request) llmtest.Reply {
		mu.Lock()
		prompts = append(prompts, r.Prompt)
		mu.Unlock()
		return llmtest.Text(" ```python\nprint(1)\n```\n||\n[USER] more")
	}))
	defer srv.Close()
	dir := filepath.Join(t.TempDir(), "run")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	out, err := rlef(ctx, "eval", "--benchmark", "builtin", "--model", "base-model", "--base-url", srv.URL, "--profile", "base",
		"--turns", "1", "--limit", "2", "--run", dir, "--no-progress", "--slots", "1", "--cache-dir", t.TempDir()).CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(prompts) != 2 {
		t.Fatalf("%d completion requests, want 2", len(prompts))
	}
	p := prompts[0]
	for _, want := range []string{"[USER]", "[ASSISTANT]", "Your code failed the following tests", "Give it another try", "Provide a Python solution"} {
		if !strings.Contains(p, want) {
			t.Errorf("few-shot prompt lacks %q:\n%s", want, p)
		}
	}
	st, err := store.OpenRun(ctx, dir, false)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	eps, _ := st.Episodes(ctx)
	if len(eps) != 2 || eps[0].Turns[0].Code != "print(1)" || strings.Contains(eps[0].Turns[0].Answer, "[USER]") {
		t.Errorf("episodes: %d, first answer %q", len(eps), eps[0].Turns[0].Answer)
	}
}
