// Package integrations_test runs the trainer shims (Python) against a live
// `rlef serve` on a loopback port, with stand-ins for verl's and SkyRL's
// base classes (testdata/stubs) and drivers that call the shims the way
// the trainers do (testdata/drive_*.py).
package integrations_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rlef/rlef/dataset"
	"github.com/rlef/rlef/judge"
	"github.com/rlef/rlef/sandbox"
	"github.com/rlef/rlef/server"
)

const (
	python = "/usr/bin/python3"
	token  = "shim-test-token"
)

// startServer runs a real server (with a bearer token) on a random
// loopback port and returns its base URL.
func startServer(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat(python); err != nil {
		t.Skipf("no %s: %v", python, err)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	ctx, cancel := context.WithCancel(context.Background())
	pool, err := sandbox.NewPool(ctx, sandbox.Config{Slots: 2, CacheDir: t.TempDir(), Logger: log})
	if err != nil {
		cancel()
		t.Skipf("no sandbox: %v", err)
	}
	j, err := judge.New(pool, judge.Options{CacheDir: t.TempDir(), Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	set, err := dataset.LoadBuiltin()
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(server.Config{Pool: pool, Judge: j, Sets: []*dataset.Set{set}, Token: token, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln, 30*time.Second) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
		srv.Close()
		pool.Close()
	})
	return "http://" + ln.Addr().String()
}

// runPython runs a driver with the stubs and the shims on PYTHONPATH and
// decodes the JSON it prints.
func runPython(t *testing.T, baseURL string, args []string, scenario any, out any) {
	t.Helper()
	here, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "scenario.json")
	data, err := json.Marshal(scenario)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, data, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, python, append(append([]string{}, args[0], file), args[1:]...)...)
	cmd.Env = append(os.Environ(),
		"PYTHONPATH="+strings.Join([]string{
			filepath.Join(here, "testdata", "stubs"), filepath.Join(here, "verl"), filepath.Join(here, "skyrl"),
		}, string(os.PathListSeparator)),
		"RLEF_URL="+baseURL, "RLEF_TOKEN="+token, "PYTHONDONTWRITEBYTECODE=1")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v\n%s", args[0], err, stderr.String())
	}
	if err := json.Unmarshal(stdout, out); err != nil {
		t.Fatalf("%s printed %s: %v\n%s", args[0], stdout, err, stderr.String())
	}
}

func fence(code string) string { return "Here is my solution:\n```python\n" + code + "```\n" }

func reference(t *testing.T, problem string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "dataset", "builtin", problem, "reference.py"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestVerlInteraction(t *testing.T) {
	url := startServer(t)
	ref := reference(t, "lanterns")
	interactionConfig := map[string]any{"interaction": []any{map[string]any{
		"name": "rlef", "class_name": "rlef_interaction.RLEFInteraction",
		"config": map[string]any{"max_turns": 3, "feedback": "rlef"},
	}}}
	type result struct {
		TurnScores []float64           `json:"turn_scores"`
		FinalScore float64             `json:"final_score"`
		Reward     float64             `json:"reward"`
		Messages   []map[string]string `json:"messages"`
		Metrics    []map[string]float64
	}
	t.Run("feedback then pass", func(t *testing.T) {
		var r result
		runPython(t, url, []string{"testdata/drive_verl.py"}, map[string]any{
			"interaction_config": interactionConfig, "max_assistant_turns": 3, "prompt": "(the dataset's prompt)",
			"extra_info":      map[string]any{"interaction_kwargs": map[string]any{"name": "rlef", "problem": "builtin/lanterns"}},
			"assistant_turns": []string{fence("print(9)\n"), fence(ref)},
		}, &r)
		if len(r.TurnScores) != 2 || r.TurnScores[0] != 0 || r.TurnScores[1] != 1 || r.FinalScore != 1 || r.Reward != 1 {
			t.Errorf("scores %v final %v reward %v, want [0 1] 1 1", r.TurnScores, r.FinalScore, r.Reward)
		}
		if len(r.Messages) != 5 || !strings.Contains(r.Messages[2]["content"], "Your code failed the following tests") ||
			r.Messages[2]["role"] != "user" || r.Messages[4]["content"] != "" {
			t.Errorf("messages %v", r.Messages)
		}
		if last := r.Metrics[len(r.Metrics)-1]; last["rlef_passed"] != 1 || last["rlef_public_passed"] != 1 {
			t.Errorf("metrics %v", r.Metrics)
		}
	})
	t.Run("no code, turn limit", func(t *testing.T) {
		var r result
		runPython(t, url, []string{"testdata/drive_verl.py"}, map[string]any{
			"interaction_config": interactionConfig, "max_assistant_turns": 5, "prompt": "p",
			"extra_info":      map[string]any{"interaction_kwargs": map[string]any{"name": "rlef", "problem": "lanterns", "benchmark": "builtin", "max_turns": 2}},
			"assistant_turns": []string{"I do not know.", fence("print(0)\n"), fence("print(1)\n")},
		}, &r)
		if len(r.TurnScores) != 2 || r.TurnScores[0] != -0.2 || r.TurnScores[1] != -1 || r.FinalScore != -1 {
			t.Errorf("scores %v final %v, want [-0.2 -1] -1", r.TurnScores, r.FinalScore)
		}
		if r.Reward > -1.19 || r.Reward < -1.21 {
			t.Errorf("reward %v, want -1.2", r.Reward)
		}
	})
}

func TestSkyRLEnv(t *testing.T) {
	url := startServer(t)
	ref := reference(t, "lanterns")
	var r struct {
		Prompt       []map[string]string `json:"prompt"`
		InitMetadata map[string]string   `json:"init_metadata"`
		Rewards      []float64           `json:"rewards"`
		Outputs      []struct {
			Done         bool                `json:"done"`
			Metadata     map[string]any      `json:"metadata"`
			Observations []map[string]string `json:"observations"`
		} `json:"outputs"`
		Metrics map[string]float64 `json:"metrics"`
		Closed  bool               `json:"closed"`
	}
	runPython(t, url, []string{"testdata/drive_skyrl.py"}, map[string]any{
		"env_config": map[string]any{"max_turns": 3},
		"row": map[string]any{
			"prompt":      []map[string]string{{"role": "system", "content": "You write Python."}, {"role": "user", "content": "(dataset prompt)"}},
			"env_class":   "rlef",
			"reward_spec": map[string]any{"method": "rule", "ground_truth": "builtin/lanterns"},
			"extra_info":  map[string]any{"split": "train"},
		},
		"actions": []string{"no code here", fence("print(9)\n"), fence(ref)},
	}, &r)
	if len(r.Prompt) != 2 || r.Prompt[0]["role"] != "system" || !strings.Contains(r.Prompt[1]["content"], "lantern") {
		t.Errorf("prompt %v", r.Prompt)
	}
	if r.InitMetadata["problem"] != "builtin/lanterns" || r.InitMetadata["episode_id"] == "" {
		t.Errorf("init metadata %v", r.InitMetadata)
	}
	if len(r.Rewards) != 3 || r.Rewards[0] != -0.2 || r.Rewards[1] != 0 || r.Rewards[2] != 1 {
		t.Fatalf("rewards %v, want [-0.2 0 1]", r.Rewards)
	}
	for i, o := range r.Outputs {
		last := i == len(r.Outputs)-1
		if o.Done != last || (len(o.Observations) == 0) != last {
			t.Errorf("step %d: done %v observations %v", i+1, o.Done, o.Observations)
		}
	}
	if !strings.Contains(r.Outputs[1].Observations[0]["content"], "but got `9") || r.Outputs[1].Observations[0]["role"] != "user" {
		t.Errorf("feedback %v", r.Outputs[1].Observations)
	}
	if m := r.Outputs[2].Metadata; m["passed"] != true || m["final_reward"] != 1.0 || m["episode_return"] != 0.8 {
		t.Errorf("final metadata %v", m)
	}
	if !r.Closed || r.Metrics["turns"] != 3 || r.Metrics["passed"] != 1 {
		t.Errorf("closed %v metrics %v", r.Closed, r.Metrics)
	}
}

// verl's SandboxFusion reward and OpenRLHF's remote reward, called as
// those trainers call them (no headers: the token travels in the URL).
func TestTrainerClients(t *testing.T) {
	url := startServer(t)
	ref := reference(t, "lanterns")
	sum := "import sys\nprint(sum(map(int, sys.stdin.read().split())))\n"
	llama := func(user string) string {
		return "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\n" + user + "<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n"
	}
	prompt := llama("Count the lit points.")
	cases := map[string]any{
		"sandbox_fusion": []map[string]any{
			{"name": "right", "code": sum, "stdin": "1 2\n", "expected": "3"},
			{"name": "wrong", "code": sum, "stdin": "1 2\n", "expected": "4"},
			{"name": "runtime_error", "code": "raise ValueError()", "stdin": "", "expected": ""},
			{"name": "timeout", "code": "while True: pass", "stdin": nil, "timeout": 1},
			{"name": "compile_error", "code": "int main( {", "language": "cpp"},
			{"name": "cpp_right", "code": "#include <iostream>\nint main(){int a,b;std::cin>>a>>b;std::cout<<a+b<<\"\\n\";}", "stdin": "2 3", "expected": "5", "language": "cpp"},
			{"name": "unsupported", "code": "package main", "language": "go"},
		},
		"openrlhf": map[string]any{
			"query":   []string{prompt + fence(ref) + "<|eot_id|>", prompt + fence("print(0)\n") + "<|eot_id|><|end_of_text|>"},
			"prompts": []string{prompt, prompt},
			"labels":  []string{"builtin/lanterns", "builtin/lanterns"},
		},
	}
	var r struct {
		SandboxFusion  map[string]any `json:"sandbox_fusion"`
		OpenRLHFStatus int            `json:"openrlhf_status"`
		OpenRLHF       struct {
			Rewards   []float64            `json:"rewards"`
			Scores    []float64            `json:"scores"`
			ExtraLogs map[string][]float64 `json:"extra_logs"`
		} `json:"openrlhf"`
	}
	runPython(t, url, []string{"testdata/drive_clients.py", url, "?token=" + token}, cases, &r)
	want := map[string]any{"right": true, "wrong": false, "runtime_error": -2.0, "timeout": -3.0,
		"compile_error": -4.0, "cpp_right": true, "unsupported": -1.0}
	for name, w := range want {
		if got := r.SandboxFusion[name]; got != w {
			t.Errorf("verl result for %s: %v, want %v", name, got, w)
		}
	}
	if r.OpenRLHFStatus != 200 || len(r.OpenRLHF.Rewards) != 2 || r.OpenRLHF.Rewards[0] != 1 || r.OpenRLHF.Rewards[1] != -1 ||
		r.OpenRLHF.Scores[0] != 1 || r.OpenRLHF.Scores[1] != 0 || len(r.OpenRLHF.ExtraLogs["passed"]) != 2 {
		t.Errorf("OpenRLHF reward: %d %+v", r.OpenRLHFStatus, r.OpenRLHF)
	}
}
