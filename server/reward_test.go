package server

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rlef/rlef/dataset"
	"github.com/rlef/rlef/episode"
	"github.com/rlef/rlef/judge"
	"github.com/rlef/rlef/llm/chattemplate"
	"github.com/rlef/rlef/verdict"
)

func TestResponseText(t *testing.T) {
	llamaPrompt := chattemplate.Llama3BOS + "<|start_header_id|>user<|end_header_id|>\n\nq" + chattemplate.Llama3EOT +
		"<|start_header_id|>assistant<|end_header_id|>\n\n"
	chatmlPrompt := "<|im_start|>user\nq<|im_end|>\n<|im_start|>assistant\n"
	r1Prompt := chattemplate.DeepSeekBOS + chattemplate.DeepSeekUser + "q" + chattemplate.DeepSeekAssistant
	tests := []struct {
		name, query, prompt, want string
	}{
		{"llama3", llamaPrompt + "answer" + chattemplate.Llama3EOT, llamaPrompt, "answer"},
		{"llama3 padded", llamaPrompt + "answer" + chattemplate.Llama3EOT + chattemplate.Llama3EOS + chattemplate.Llama3EOS, llamaPrompt, "answer"},
		{"left padding", "<pad><pad>" + chatmlPrompt + "answer<|im_end|><|endoftext|>", chatmlPrompt, "answer"},
		{"deepseek", r1Prompt + "<think>x</think>answer" + chattemplate.DeepSeekEOS, r1Prompt, "<think>x</think>answer"},
		{"no end token (truncated)", chatmlPrompt + "partial", chatmlPrompt, "partial"},
		{"prompt not found: header", "garbled" + chatmlPrompt[3:] + "answer<|im_end|>", chatmlPrompt, "answer"},
		{"no prompt given", llamaPrompt + "answer" + chattemplate.Llama3EOT, "", "answer"},
		{"plain text", "Q: add\nA: code</s>", "Q: add\nA:", " code"},
		{"nothing known", "just text", "other", "just text"},
		{"prompt contains header twice", chatmlPrompt + "a<|im_end|>\n<|im_start|>assistant\nb<|im_end|>", chatmlPrompt, "a"},
	}
	for _, tc := range tests {
		if got := ResponseText(tc.query, tc.prompt); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestDecodeReward(t *testing.T) {
	tests := []struct {
		name, body string
		ok         bool
	}{
		{"full", `{"query": ["a"], "prompts": ["p"], "labels": ["builtin/lanterns"]}`, true},
		{"no prompts", `{"query": ["a", "b"], "labels": ["x", {"inputs": [], "outputs": []}]}`, true},
		{"empty", `{"query": [], "labels": []}`, true},
		{"no labels", `{"query": ["a"]}`, false},
		{"no query", `{"labels": ["a"]}`, false},
		{"length mismatch", `{"query": ["a"], "labels": ["x", "y"]}`, false},
		{"prompts mismatch", `{"query": ["a"], "prompts": [], "labels": ["x"]}`, false},
		{"query not strings", `{"query": [1], "labels": ["x"]}`, false},
		{"not an object", `"query"`, false},
	}
	for _, tc := range tests {
		_, err := DecodeReward([]byte(tc.body))
		if (err == nil) != tc.ok {
			t.Errorf("%s: err %v, want ok=%v", tc.name, err, tc.ok)
		}
		if err != nil {
			if _, isVE := asValidation(err); !isVE {
				t.Errorf("%s: %T is not a validation error", tc.name, err)
			}
		}
	}
}

func fenced(code string) string { return "Here is my solution.\n```python\n" + code + "\n```" }

func TestGetReward(t *testing.T) {
	_, ts := newTestServer(t, nil)
	ref := readFile(t, "../dataset/builtin/lanterns/reference.py")
	wrong := readFile(t, "../dataset/builtin/lanterns/incorrect.py")
	fnRef := readFile(t, "../dataset/builtin/run-length/reference.py")
	prompt := "<|im_start|>user\nsolve it<|im_end|>\n<|im_start|>assistant\n"
	q := func(answer string) string { return prompt + answer + "<|im_end|><|endoftext|>" }
	sum := "import sys\nprint(sum(map(int, sys.stdin.read().split())))"
	inline := map[string]any{"inputs": []string{"1 2\n", "10 -4\n"}, "outputs": []string{"3\n", "6\n"}}
	inlineStr, _ := json.Marshal(map[string]any{"tests": []map[string]string{{"input": "2 2", "output": "4"}}})
	samples := []struct {
		name     string
		query    string
		label    any
		reward   float64
		codeSeen bool
	}{
		{"reference passes", q(fenced(ref)), "builtin/lanterns", 1, true},
		{"incorrect fails", q(fenced(wrong)), "builtin/lanterns", -1, true},
		{"benchmark-qualified id", q(fenced(ref)), "builtin/builtin/lanterns", 1, true},
		{"reasoning dropped", q("<think>```python\nprint(0)\n```</think>" + fenced(ref)), "builtin/lanterns", 1, true},
		{"last fence wins", q(fenced("print(0)") + "\nActually:\n" + fenced(ref)), "builtin/lanterns", 1, true},
		{"no code", q("I cannot solve this."), "builtin/lanterns", -1, false},
		{"function problem", q(fenced(fnRef)), "builtin/run-length", 1, true},
		{"inline object", q(fenced(sum)), inline, 1, true},
		{"inline string", q(fenced(sum)), string(inlineStr), 1, true},
		{"inline wrong", q(fenced("print(0)")), inline, -1, true},
	}
	req := RewardRequest{}
	for _, s := range samples {
		label, _ := json.Marshal(s.label)
		req.Query = append(req.Query, s.query)
		req.Prompts = append(req.Prompts, prompt)
		req.Labels = append(req.Labels, label)
	}
	code, body := post(t, ts.URL+"/get_reward", req)
	if code != http.StatusOK {
		t.Fatalf("HTTP %d: %s", code, body)
	}
	resp := mustJSON[RewardResponse](t, body)
	if len(resp.Rewards) != len(samples) || len(resp.Scores) != len(samples) {
		t.Fatalf("response %s", body)
	}
	for i, s := range samples {
		wantScore := 0.0
		if s.reward > 0 {
			wantScore = 1
		}
		if float64(resp.Rewards[i]) != s.reward || float64(resp.Scores[i]) != wantScore {
			t.Errorf("%s: reward %g score %g, want %g %g", s.name, resp.Rewards[i], resp.Scores[i], s.reward, wantScore)
		}
		if got := resp.ExtraLogs["code_found"][i] == 1; got != s.codeSeen {
			t.Errorf("%s: code_found %v", s.name, got)
		}
		if got := resp.ExtraLogs["passed"][i] == 1; got != (s.reward > 0) {
			t.Errorf("%s: passed %v", s.name, got)
		}
	}
}

func TestGetRewardErrors(t *testing.T) {
	_, ts := newTestServer(t, nil)
	tests := []struct {
		name string
		body any
		code int
		has  string
	}{
		{"unknown problem", map[string]any{"query": []string{"x"}, "labels": []string{"nope/999"}}, 422, "unknown problem"},
		{"bad inline", map[string]any{"query": []string{"x"}, "labels": []any{map[string]any{"inputs": []string{"1"}, "outputs": []string{}}}}, 422, "inputs"},
		{"fn_name inline", map[string]any{"query": []string{"x"}, "labels": []any{map[string]any{"inputs": []string{"1"}, "outputs": []string{"1"}, "fn_name": "f"}}}, 422, "fn_name"},
		{"label a number", map[string]any{"query": []string{"x"}, "labels": []any{5}}, 422, "label"},
		{"missing labels", map[string]any{"query": []string{"x"}}, 422, "labels"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, body := post(t, ts.URL+"/get_reward", tc.body)
			if code != tc.code || !strings.Contains(string(body), tc.has) {
				t.Errorf("HTTP %d %s, want %d mentioning %q", code, body, tc.code, tc.has)
			}
		})
	}
}

// One sample never fails the batch: programs that attack their own run
// (killing every process they can see, their parent, or closing the
// result channel) are each scored on their own, and the honest samples
// around them keep their rewards. Every number travels as a JSON float.
func TestGetRewardPerSample(t *testing.T) {
	_, ts := newTestServer(t, nil)
	ref := readFile(t, "../dataset/builtin/lanterns/reference.py")
	prompt := "<|im_start|>user\nsolve it<|im_end|>\n<|im_start|>assistant\n"
	q := func(code string) string { return prompt + fenced(code) + "<|im_end|>" }
	saboteurs := []string{
		"import os, signal\nos.kill(-1, signal.SIGKILL)",
		"import os, signal\nos.kill(os.getppid(), signal.SIGKILL)",
		"import os\nfor fd in range(3, 256):\n    try:\n        os.close(fd)\n    except OSError:\n        pass\nprint(1)",
		"import os\nos._exit(0)",
	}
	req := map[string]any{"query": []string{q(ref)}, "prompts": []string{prompt}, "labels": []string{"builtin/lanterns"}}
	for _, code := range saboteurs {
		req["query"] = append(req["query"].([]string), q(code), q(ref))
		req["prompts"] = append(req["prompts"].([]string), prompt, prompt)
		req["labels"] = append(req["labels"].([]string), "builtin/lanterns", "builtin/lanterns")
	}
	code, body := post(t, ts.URL+"/get_reward", req)
	if code != http.StatusOK {
		t.Fatalf("HTTP %d: %s", code, body)
	}
	var raw struct {
		Rewards   []json.RawMessage            `json:"rewards"`
		Scores    []json.RawMessage            `json:"scores"`
		ExtraLogs map[string][]json.RawMessage `json:"extra_logs"`
		Verdicts  []string                     `json:"verdicts"`
		Errors    []string                     `json:"errors"`
	}
	if err := json.Unmarshal(body, &raw); err != nil {
		t.Fatal(err)
	}
	n := len(req["query"].([]string))
	if len(raw.Rewards) != n || len(raw.Verdicts) != n || len(raw.Errors) != n {
		t.Fatalf("response %s", body)
	}
	for i, r := range raw.Rewards {
		want := "-1.0"
		if i%2 == 0 {
			want = "1.0"
		}
		if string(r) != want {
			t.Errorf("sample %d: reward %s (verdict %s, error %q), want %s", i, r, raw.Verdicts[i], raw.Errors[i], want)
		}
	}
	isFloat := func(v json.RawMessage) bool { return strings.ContainsAny(string(v), ".e") }
	for i := range raw.Scores {
		if !isFloat(raw.Scores[i]) {
			t.Errorf("score %s is not a JSON float", raw.Scores[i])
		}
	}
	for k, vs := range raw.ExtraLogs {
		for _, v := range vs {
			if !isFloat(v) {
				t.Errorf("extra_logs[%s] holds %s, not a JSON float", k, v)
			}
		}
	}
}

// faultyJudge fails every judging of code that contains a marker: with
// an error (marker "JUDGE_ERROR") or a sandbox_error suite
// ("SANDBOX_ERROR"), as a broken sandbox would.
type faultyJudge struct {
	episode.Judger
	calls atomic.Int64
}

func (f *faultyJudge) Judge(ctx context.Context, p *dataset.Problem, sub judge.Submission, suites ...judge.Suite) (*judge.Result, error) {
	switch {
	case strings.Contains(sub.Code, "JUDGE_ERROR"):
		f.calls.Add(1)
		return nil, errors.New("zygote died")
	case strings.Contains(sub.Code, "SLOW"):
		time.Sleep(time.Second)
	case strings.Contains(sub.Code, "SANDBOX_ERROR"):
		f.calls.Add(1)
		res := &judge.Result{ProblemID: p.ID}
		for _, s := range suites {
			res.Suites = append(res.Suites, judge.SuiteResult{Name: s.Name, Verdict: verdict.SandboxError})
		}
		return res, nil
	}
	return f.Judger.Judge(ctx, p, sub, suites...)
}

// A sandbox failure on one sample is that sample's outcome (tried twice,
// then scored −1 with verdict sandbox_error and the reason), never a
// batch-wide 503.
func TestGetRewardSandboxErrorPerSample(t *testing.T) {
	s, ts := newTestServer(t, nil)
	fj := &faultyJudge{Judger: s.judge}
	s.judge = fj
	ref := readFile(t, "../dataset/builtin/lanterns/reference.py")
	body := map[string]any{
		"query":  []string{fenced(ref), fenced("# JUDGE_ERROR\n" + ref), fenced(ref), fenced("# SANDBOX_ERROR\n" + ref)},
		"labels": []string{"builtin/lanterns", "builtin/lanterns", "builtin/lanterns", "builtin/lanterns"},
	}
	code, out := post(t, ts.URL+"/get_reward", body)
	if code != http.StatusOK {
		t.Fatalf("HTTP %d: %s", code, out)
	}
	resp := mustJSON[RewardResponse](t, out)
	wantRewards := []Float{1, -1, 1, -1}
	for i, w := range wantRewards {
		if resp.Rewards[i] != w {
			t.Errorf("sample %d: reward %v, want %v", i, resp.Rewards[i], w)
		}
	}
	for _, i := range []int{1, 3} {
		if resp.Verdicts[i] != "sandbox_error" || resp.Errors[i] == "" || resp.ExtraLogs["sandbox_error"][i] != 1 {
			t.Errorf("sample %d: verdict %q error %q", i, resp.Verdicts[i], resp.Errors[i])
		}
	}
	if resp.Verdicts[0] != "accepted" || resp.Errors[0] != "" || resp.ExtraLogs["sandbox_error"][0] != 0 {
		t.Errorf("sample 0: verdict %q error %q", resp.Verdicts[0], resp.Errors[0])
	}
	if n := fj.calls.Load(); n != 4 {
		t.Errorf("%d failing judgings, want 4 (each failing sample tried twice)", n)
	}
}

func TestFloatJSON(t *testing.T) {
	tests := []struct {
		v    float64
		want string
	}{
		{1, "1.0"}, {-1, "-1.0"}, {0, "0.0"}, {-0.2, "-0.2"}, {0.8, "0.8"}, {1e-7, "1e-07"}, {1e21, "1e+21"},
		{123456789, "123456789.0"}, {2.5, "2.5"},
	}
	for _, tc := range tests {
		b, err := json.Marshal(Float(tc.v))
		if err != nil || string(b) != tc.want {
			t.Errorf("Float(%g) = %s, %v; want %s", tc.v, b, err, tc.want)
		}
		var back Float
		if err := json.Unmarshal(b, &back); err != nil || float64(back) != tc.v {
			t.Errorf("round trip of %s: %v, %v", b, back, err)
		}
	}
	if _, err := json.Marshal(Float(math.NaN())); err == nil {
		t.Error("NaN marshalled")
	}
}

// A /get_reward batch admitted behind a busy judge queue is held, not
// refused, its response kept open with spaces; each sample's wait is
// logged.
func TestGetRewardHeld(t *testing.T) {
	s, ts := newTestServer(t, func(c *Config) {
		c.JudgeQueue = QueueConfig{Concurrency: 1, MaxWait: time.Minute}
		c.KeepAlive = 200 * time.Millisecond
	})
	s.judge = &faultyJudge{Judger: s.judge}
	ref := readFile(t, "../dataset/builtin/lanterns/reference.py")
	first := make(chan int, 1)
	go func() {
		code, _ := post(t, ts.URL+"/get_reward", map[string]any{"query": []string{fenced("# SLOW\n" + ref)}, "labels": []string{"builtin/lanterns"}})
		first <- code
	}()
	waitFor(t, "the slow judging", func() bool { return len(s.judgeQ.tickets) == 1 })
	code, body := post(t, ts.URL+"/get_reward", map[string]any{"query": []string{fenced(ref), fenced("print(0)")},
		"labels": []string{"builtin/lanterns", "builtin/lanterns"}})
	if code != 200 || !strings.HasPrefix(string(body), " ") {
		t.Fatalf("HTTP %d %q: want 200 with keep-alive spaces first", code, body)
	}
	resp := mustJSON[RewardResponse](t, body)
	if len(resp.Rewards) != 2 || resp.Rewards[0] != 1 || resp.Rewards[1] != -1 {
		t.Errorf("rewards %v", resp.Rewards)
	}
	if w := resp.ExtraLogs["queue_wait_seconds"]; len(w) != 2 || w[0] < 0.3 || resp.QueueWaitSeconds < 0.3 {
		t.Errorf("queue waits %v (max %g), want the first about 1 s", w, resp.QueueWaitSeconds)
	}
	if c := <-first; c != 200 {
		t.Errorf("slow request: HTTP %d", c)
	}
}
