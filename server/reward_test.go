package server

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/rlef/rlef/llm/chattemplate"
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
		if resp.Rewards[i] != s.reward || resp.Scores[i] != wantScore {
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
