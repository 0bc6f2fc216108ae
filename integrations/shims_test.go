// Package integrations_test runs the trainer shims (Python) against a live
// `rlef serve` on a loopback port, with stand-ins for verl's and SkyRL's
// base classes (testdata/stubs) and drivers that call the shims the way
// the trainers do (testdata/drive_*.py).
package integrations_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rlef/rlef/dataset"
	"github.com/rlef/rlef/internal/testenv"
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
		testenv.Missing(t, "no %s: %v", python, err)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	ctx, cancel := context.WithCancel(context.Background())
	pool, err := sandbox.NewPool(ctx, sandbox.Config{Slots: 2, CacheDir: t.TempDir(), Logger: log})
	if err != nil {
		cancel()
		testenv.Missing(t, "no sandbox: %v", err)
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
// decodes the JSON it prints; env adds environment variables.
func runPython(t *testing.T, baseURL string, args []string, scenario any, out any, env ...string) {
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
			filepath.Join(here, "openrlhf"),
		}, string(os.PathListSeparator)),
		"RLEF_URL="+baseURL, "RLEF_TOKEN="+token, "PYTHONDONTWRITEBYTECODE=1")
	cmd.Env = append(cmd.Env, env...)
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

// verlRollout is one rollout as drive_verl.py reports it.
type verlRollout struct {
	Error          string              `json:"error"`
	TurnScores     []float64           `json:"turn_scores"`
	Reward         float64             `json:"reward"`
	Messages       []map[string]string `json:"messages"`
	Metrics        []map[string]float64
	ResponseMask   []int    `json:"response_mask"`
	AssistantTurns int      `json:"assistant_turns"`
	UserTurns      int      `json:"user_turns"`
	CalculateScore *float64 `json:"calculate_score"`
}

// verlAdvantages are verl's advantages for the scored rollouts, one row
// each, with the score where verl puts it or on the last response token.
type verlAdvantages struct {
	GAE           [][]float64 `json:"gae"`
	GRPO          [][]float64 `json:"grpo"`
	ScorePosition []int       `json:"score_position"`
}

type verlResult struct {
	Rollouts          []verlRollout  `json:"rollouts"`
	VerlPlacement     verlAdvantages `json:"verl_placement"`
	LastResponseToken verlAdvantages `json:"last_response_token"`
}

// verlScenario is the documented configuration: the tool agent loop with
// max_user_turns = max_turns and max_assistant_turns = max_turns + 1.
func verlScenario(rowKwargs map[string]any, rollouts ...[]string) map[string]any {
	kwargs := map[string]any{"name": "rlef", "problem": "builtin/lanterns"}
	for k, v := range rowKwargs {
		kwargs[k] = v
	}
	return map[string]any{
		"interaction_config": map[string]any{"interaction": []any{map[string]any{
			"name": "rlef", "class_name": "rlef_interaction.RLEFInteraction",
			"config": map[string]any{"max_turns": 3, "feedback": "rlef"},
		}}},
		"max_assistant_turns": 4, "max_user_turns": 3, "prompt": "(the dataset's prompt)",
		"extra_info": map[string]any{"interaction_kwargs": kwargs},
		"rollouts":   rollouts,
	}
}

func TestVerlInteraction(t *testing.T) {
	url := startServer(t)
	ref := reference(t, "lanterns")
	wrong := []string{fence("print(9)\n"), fence("print(8)\n"), fence("print(7)\n")}
	finalize := verlScenario(nil, []string{fence("print(9)\n"), fence(ref)})
	finalize["finalize"] = true
	lastTurnLost := verlScenario(nil, wrong)
	lastTurnLost["max_assistant_turns"] = 3
	scenarios := map[string]map[string]any{
		"three wrong answers":                    verlScenario(nil, wrong),
		"wrong, wrong, right":                    verlScenario(nil, []string{wrong[0], wrong[1], fence(ref)}),
		"feedback then pass, then finalize":      finalize,
		"no code, row turn limit":                verlScenario(map[string]any{"problem": "lanterns", "benchmark": "builtin", "max_turns": 2}, []string{"I do not know.", fence("print(0)\n"), fence("print(1)\n")}),
		"more turns than verl allows":            verlScenario(map[string]any{"max_turns": 5}, wrong),
		"max_assistant_turns = max_turns":        lastTurnLost,
		"the final reward reaches the advantage": verlScenario(nil, wrong, []string{wrong[0], fence(ref)}),
	}
	// One Python process plays every scenario: importing torch takes
	// seconds.
	var all struct {
		Results map[string]verlResult `json:"results"`
	}
	runPython(t, url, []string{"testdata/drive_verl.py"}, map[string]any{"scenarios": scenarios}, &all)
	run := func(t *testing.T, name string) verlResult {
		t.Helper()
		r, ok := all.Results[name]
		if !ok {
			t.Fatalf("no result for scenario %q", name)
		}
		for i, ro := range r.Rollouts {
			if ro.Error != "" {
				t.Fatalf("rollout %d: %s", i, ro.Error)
			}
		}
		return r
	}
	t.Run("three wrong answers", func(t *testing.T) {
		r := run(t, "three wrong answers")
		ro := r.Rollouts[0]
		if fmt.Sprint(ro.TurnScores) != "[0 0 -1]" || ro.Reward != -1 {
			t.Errorf("turn scores %v reward %v, want [0 0 -1] -1", ro.TurnScores, ro.Reward)
		}
		if ro.AssistantTurns != 3 || ro.UserTurns != 3 || len(ro.Messages) != 7 || ro.Messages[6]["content"] != "" ||
			!strings.Contains(ro.Messages[4]["content"], "but got `8") {
			t.Errorf("turns %d/%d, messages %v", ro.AssistantTurns, ro.UserTurns, ro.Messages)
		}
		if last := ro.Metrics[len(ro.Metrics)-1]; last["rlef_passed"] != 0 || last["rlef_turn"] != 3 {
			t.Errorf("metrics %v", ro.Metrics)
		}
	})
	t.Run("wrong, wrong, right", func(t *testing.T) {
		r := run(t, "wrong, wrong, right")
		if ro := r.Rollouts[0]; fmt.Sprint(ro.TurnScores) != "[0 0 1]" || ro.Reward != 1 || ro.Metrics[2]["rlef_passed"] != 1 {
			t.Errorf("turn scores %v reward %v metrics %v, want [0 0 1] 1", ro.TurnScores, ro.Reward, ro.Metrics)
		}
	})
	t.Run("feedback then pass, then finalize", func(t *testing.T) {
		ro := run(t, "feedback then pass, then finalize").Rollouts[0]
		if fmt.Sprint(ro.TurnScores) != "[0 1]" || ro.Reward != 1 || ro.CalculateScore == nil || *ro.CalculateScore != 1 {
			t.Errorf("turn scores %v reward %v calculate_score %v", ro.TurnScores, ro.Reward, ro.CalculateScore)
		}
		if !strings.Contains(ro.Messages[2]["content"], "Your code failed the following tests") || ro.Messages[2]["role"] != "user" {
			t.Errorf("messages %v", ro.Messages)
		}
	})
	t.Run("no code, row turn limit", func(t *testing.T) {
		ro := run(t, "no code, row turn limit").Rollouts[0]
		if len(ro.TurnScores) != 2 || ro.TurnScores[0] != -0.2 || ro.TurnScores[1] != -1 || ro.Reward > -1.19 || ro.Reward < -1.21 {
			t.Errorf("turn scores %v reward %v, want [-0.2 -1] -1.2", ro.TurnScores, ro.Reward)
		}
	})
	t.Run("a row asking for more turns than verl allows", func(t *testing.T) {
		r := all.Results["more turns than verl allows"]
		if len(r.Rollouts) != 1 || !strings.Contains(r.Rollouts[0].Error, "max_user_turns") {
			t.Errorf("rollouts: %+v, want a ValueError naming max_user_turns", r.Rollouts)
		}
	})
	t.Run("max_assistant_turns = max_turns loses the last turn", func(t *testing.T) {
		// Why the documented configuration has one more assistant turn:
		// verl stops before the interaction judges the third turn.
		if ro := run(t, "max_assistant_turns = max_turns").Rollouts[0]; fmt.Sprint(ro.TurnScores) != "[0 0]" || ro.Reward != 0 {
			t.Errorf("turn scores %v reward %v; verl's stopping rule changed?", ro.TurnScores, ro.Reward)
		}
	})
	t.Run("the final reward reaches the advantage", func(t *testing.T) {
		r := run(t, "the final reward reaches the advantage")
		if r.Rollouts[0].Reward != -1 || r.Rollouts[1].Reward != 1 {
			t.Fatalf("rewards %v %v", r.Rollouts[0].Reward, r.Rollouts[1].Reward)
		}
		for i, ro := range r.Rollouts {
			lastResp := -1
			for j, m := range ro.ResponseMask {
				if m == 1 {
					lastResp = j
				}
			}
			if r.VerlPlacement.ScorePosition[i] != len(ro.ResponseMask)-1 || ro.ResponseMask[len(ro.ResponseMask)-1] != 0 {
				t.Errorf("rollout %d: verl put the score at %d of a row of %d", i, r.VerlPlacement.ScorePosition[i], len(ro.ResponseMask))
			}
			if r.LastResponseToken.ScorePosition[i] != lastResp {
				t.Errorf("rollout %d: score at %d, want the last response token %d", i, r.LastResponseToken.ScorePosition[i], lastResp)
			}
			for j, m := range ro.ResponseMask {
				if m == 0 {
					continue
				}
				// verl's GAE drops a reward on a masked token: every
				// advantage is 0. On the last response token, with γ = λ =
				// 1 and zero values, every response token's advantage is
				// the return.
				if a := r.VerlPlacement.GAE[i][j]; a != 0 {
					t.Errorf("rollout %d token %d: GAE with verl's placement %g, want 0 (verl fixed it?)", i, j, a)
				}
				if a := r.LastResponseToken.GAE[i][j]; a != ro.Reward {
					t.Errorf("rollout %d token %d: GAE %g, want %g", i, j, a, ro.Reward)
				}
				// GRPO sums the row: either placement works.
				for _, adv := range [][][]float64{r.VerlPlacement.GRPO, r.LastResponseToken.GRPO} {
					if a := adv[i][j]; a == 0 || (a > 0) != (ro.Reward > 0) {
						t.Errorf("rollout %d token %d: GRPO advantage %g for reward %g", i, j, a, ro.Reward)
					}
				}
			}
		}
	})
}

// verl's custom reward function for single-turn code, which sends the
// token in a header (the server here requires one).
func TestVerlCodeScore(t *testing.T) {
	url := startServer(t)
	ref := reference(t, "lanterns")
	var r struct {
		CodeScores []map[string]float64 `json:"code_scores"`
	}
	runPython(t, url, []string{"testdata/drive_verl.py"}, map[string]any{"code_score": []map[string]any{
		{"solution_str": fence(ref), "ground_truth": "builtin/lanterns"},
		{"solution_str": fence("print(0)\n"), "ground_truth": "builtin/lanterns"},
		{"solution_str": "no code", "ground_truth": map[string]any{"inputs": []string{"1 2\n"}, "outputs": []string{"3\n"}}},
	}}, &r)
	want := []float64{1, -1, -1}
	if len(r.CodeScores) != 3 {
		t.Fatalf("scores %v", r.CodeScores)
	}
	for i, w := range want {
		if s := r.CodeScores[i]; s["score"] != w || s["passed"] != map[bool]float64{true: 1, false: 0}[w > 0] || s["sandbox_error"] != 0 {
			t.Errorf("sample %d: %v, want score %v", i, s, w)
		}
	}
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
		OpenRLHFFloats bool           `json:"openrlhf_floats"`
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
	if !r.OpenRLHFFloats {
		t.Error("OpenRLHF reward: numbers arrive as JSON integers")
	}
}

// OpenRLHF's multi-turn agent, run by (a stand-in of) OpenRLHF's
// MultiTurnAgentExecutor in its call order.
func TestOpenRLHFAgent(t *testing.T) {
	url := startServer(t)
	ref := reference(t, "lanterns")
	agent, _ := filepath.Abs("openrlhf/rlef_agent.py")
	var r struct {
		Agent struct {
			Rollouts []struct {
				Error       string             `json:"error"`
				Reward      float64            `json:"reward"`
				Scores      float64            `json:"scores"`
				ExtraLogs   map[string]float64 `json:"extra_logs"`
				Text        string             `json:"text"`
				Actions     []string           `json:"actions"`
				PromptsSeen []string           `json:"prompts_seen"`
			} `json:"rollouts"`
			Normalised []float64 `json:"normalised"`
			Dtype      string    `json:"dtype"`
		} `json:"agent"`
	}
	rollouts := [][]string{
		{fence("print(9)\n"), fence("print(8)\n"), fence(ref)},
		{"No idea.", fence("print(9)\n"), fence("print(8)\n")},
		{fence(ref)},
	}
	runPython(t, url, []string{"testdata/drive_openrlhf.py"}, map[string]any{
		"agent_path": agent, "prompt": "(dataset prompt)", "label": "builtin/lanterns", "rollouts": rollouts,
	}, &r, "RLEF_TEMPLATE=llama3", `RLEF_EPISODE={"max_turns": 3}`)
	ro := r.Agent.Rollouts
	if len(ro) != 3 {
		t.Fatalf("rollouts %+v", r.Agent)
	}
	for i, want := range []float64{1, -1.2, 1} {
		if ro[i].Error != "" {
			t.Fatalf("rollout %d: %s", i, ro[i].Error)
		}
		if d := ro[i].Reward - want; d > 1e-6 || d < -1e-6 { // float32 tensors
			t.Errorf("rollout %d: reward %v, want %v", i, ro[i].Reward, want)
		}
		if len(ro[i].Actions) != len(rollouts[i]) {
			t.Errorf("rollout %d: %d actions, want %d", i, len(ro[i].Actions), len(rollouts[i]))
		}
		if passed := want > 0; ro[i].Scores != map[bool]float64{true: 1, false: 0}[passed] || (ro[i].ExtraLogs["rlef_passed"] == 1) != passed {
			t.Errorf("rollout %d: scores %v logs %v", i, ro[i].Scores, ro[i].ExtraLogs)
		}
	}
	// The token sequence: RLEF's prompt in the template, each turn ended by
	// the model's end-of-turn token, each feedback a user turn followed by
	// the next assistant header; nothing after the last turn.
	first := ro[0]
	const header = "<|start_header_id|>assistant<|end_header_id|>\n\n"
	if !strings.HasPrefix(first.Text, "<|begin_of_text|><|start_header_id|>user<|end_header_id|>") ||
		!strings.Contains(first.PromptsSeen[0], "lantern") || !strings.HasSuffix(first.PromptsSeen[0], header) {
		t.Errorf("prompt %q", first.PromptsSeen[0])
	}
	feedback := strings.TrimPrefix(first.PromptsSeen[1], first.PromptsSeen[0]+rollouts[0][0]+"<EOT>")
	if !strings.HasPrefix(feedback, "<|start_header_id|>user<|end_header_id|>") || !strings.Contains(feedback, "but got `9") ||
		!strings.HasSuffix(feedback, header) {
		t.Errorf("feedback turn %q", feedback)
	}
	if want := first.PromptsSeen[2] + rollouts[0][2] + "<EOT>"; first.Text != want {
		t.Errorf("final sequence %q, want %q", first.Text, want)
	}
	// OpenRLHF's group normalisation works on these rewards.
	if r.Agent.Dtype != "torch.float32" || len(r.Agent.Normalised) != 3 || r.Agent.Normalised[1] >= 0 || r.Agent.Normalised[0] <= 0 {
		t.Errorf("normalised %v (%s)", r.Agent.Normalised, r.Agent.Dtype)
	}

	t.Run("no template", func(t *testing.T) {
		var r struct {
			Agent struct {
				Rollouts []struct {
					Error string `json:"error"`
				} `json:"rollouts"`
			} `json:"agent"`
		}
		runPython(t, url, []string{"testdata/drive_openrlhf.py"}, map[string]any{
			"agent_path": agent, "prompt": "p", "label": "builtin/lanterns", "rollouts": [][]string{{"x"}},
		}, &r, "RLEF_TEMPLATE=")
		if len(r.Agent.Rollouts) != 1 || !strings.Contains(r.Agent.Rollouts[0].Error, "RLEF_TEMPLATE") {
			t.Errorf("%+v, want an error naming RLEF_TEMPLATE", r.Agent.Rollouts)
		}
	})
}

// OpenRLHF's .py remote reward: the token travels in a header, and the
// rewards are floats that OpenRLHF can normalise.
func TestOpenRLHFRewardFunc(t *testing.T) {
	url := startServer(t)
	ref := reference(t, "lanterns")
	fn, _ := filepath.Abs("openrlhf/rlef_reward_func.py")
	prompt := "<|im_start|>user\nsolve<|im_end|>\n<|im_start|>assistant\n"
	var r struct {
		RewardFunc struct {
			Rewards    []float64            `json:"rewards"`
			Scores     []float64            `json:"scores"`
			ExtraLogs  map[string][]float64 `json:"extra_logs"`
			Normalised []float64            `json:"normalised"`
			Dtype      string               `json:"dtype"`
		} `json:"reward_func"`
	}
	runPython(t, url, []string{"testdata/drive_openrlhf.py"}, map[string]any{
		"reward_func_path": fn,
		"reward_func": map[string]any{
			"queries": []string{prompt + fence(ref) + "<|im_end|>", prompt + fence("print(0)\n") + "<|im_end|>"},
			"prompts": []string{prompt, prompt}, "labels": []string{"builtin/lanterns", "builtin/lanterns"},
		},
	}, &r)
	rf := r.RewardFunc
	if fmt.Sprint(rf.Rewards) != "[1 -1]" || fmt.Sprint(rf.Scores) != "[1 0]" || len(rf.ExtraLogs["passed"]) != 2 {
		t.Errorf("reward_func: %+v", rf)
	}
	if rf.Dtype != "torch.float32" || len(rf.Normalised) != 2 || rf.Normalised[0] <= 0 || rf.Normalised[1] >= 0 {
		t.Errorf("normalised %v (%s)", rf.Normalised, rf.Dtype)
	}
}

// A burst of time-outs four times the slot count, sent by verl's
// SandboxFusion client with its defaults (timeout 10 s, so a 30 s
// per-read time-out, and three attempts on 504 only), changes no other
// request's result: the queue holds every admitted request, the response
// is kept open meanwhile, and each program gets its own full time limit
// after its wait. Takes about 45 s (the time-outs sleep, so the load is
// on the queue, not the CPU). -short sends one time-out per slot and two
// requests behind them (about 11 s, and no wait beyond verl's read
// time-out).
func TestVerlBurstOfTimeouts(t *testing.T) {
	url := startServer(t) // 2 slots
	sum := "import sys\nprint(sum(map(int, sys.stdin.read().split())))\n"
	timeouts := 8
	if testing.Short() {
		timeouts = 2
	}
	var cases []map[string]any
	for i := range timeouts {
		cases = append(cases, map[string]any{"name": fmt.Sprintf("timeout%d", i), "code": "import time\ntime.sleep(60)\n"})
	}
	cases = append(cases,
		map[string]any{"name": "right_behind_all", "code": sum, "stdin": "1 2\n", "expected": "3", "delay": 0.5},
		map[string]any{"name": "wrong_behind_all", "code": sum, "stdin": "1 2\n", "expected": "4", "delay": 0.5})
	if !testing.Short() {
		cases = append(cases,
			map[string]any{"name": "error_behind_all", "code": "raise ValueError()", "stdin": "", "delay": 0.5},
			map[string]any{"name": "right_mid_burst", "code": sum, "stdin": "2 2\n", "expected": "4", "delay": 12})
	}
	var r struct {
		Burst []struct {
			Name          string   `json:"name"`
			Result        any      `json:"result"`
			Latency       float64  `json:"latency"`
			QueueWait     *float64 `json:"queue_wait"`
			ExecutionTime *float64 `json:"execution_time"`
		} `json:"burst"`
		Requests bool `json:"requests"`
	}
	runPython(t, url, []string{"testdata/drive_clients.py", url, "?token=" + token}, map[string]any{"burst": cases}, &r)
	if !r.Requests {
		t.Log("python3-requests is not installed: urllib stood in for it")
	}
	if len(r.Burst) != len(cases) {
		t.Fatalf("%d results for %d requests", len(r.Burst), len(cases))
	}
	want := map[string]any{"right_behind_all": true, "wrong_behind_all": false, "error_behind_all": -2.0, "right_mid_burst": true}
	for _, b := range r.Burst {
		w, ok := want[b.Name]
		if !ok {
			w = -3.0
		}
		if b.Result != w {
			t.Errorf("%s: verl result %v, want %v (after %.1f s)", b.Name, b.Result, w, b.Latency)
		}
		if w == -3.0 && (b.ExecutionTime == nil || *b.ExecutionTime < 9.5 || *b.ExecutionTime > 15) {
			t.Errorf("%s: ran %v s, want its whole 10 s limit whatever its wait", b.Name, b.ExecutionTime)
		}
		t.Logf("%-18s result %-5v latency %5.1f s, queue wait %v s", b.Name, b.Result, b.Latency, deref(b.QueueWait))
	}
	// The requests behind the whole burst waited longer than verl's 30 s
	// read time-out: only the kept-open response kept verl waiting.
	for _, b := range r.Burst {
		if testing.Short() {
			break
		}
		if b.Name == "right_behind_all" && (b.QueueWait == nil || *b.QueueWait < 30) {
			t.Errorf("%s waited %v s in the queue; the test expects more than 30", b.Name, deref(b.QueueWait))
		}
	}
}

func deref[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}
