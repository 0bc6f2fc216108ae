package episode

import (
	"context"
	"strings"
	"testing"

	"github.com/rlef/rlef/dataset"
	"github.com/rlef/rlef/llm"
	"github.com/rlef/rlef/llm/llmtest"
	"github.com/rlef/rlef/verdict"
)

// DeepSeek-R1-style models: reasoning (reasoning_content, or a <think>
// block in the text) is recorded apart, code is never taken from it, it is
// never sent back, and a think block that never closes is a truncated,
// invalid turn.
func TestReasoningModel(t *testing.T) {
	var seen [][]llmtest.Message
	replies := []llmtest.Reply{
		{Text: "<think>\nDraft:\n```python\nprint('draft')\n```\nhmm\n</think>\nFinal:\n```python\nprint('bad')\n```"},
		{Text: "```python\nprint('ok')\n```", Reasoning: "The output was wrong; fix it."},
	}
	srv := llmtest.New(llmtest.WithResponder(func(r *llmtest.Request) llmtest.Reply {
		seen = append(seen, r.Messages)
		return replies[len(seen)-1]
	}))
	defer srv.Close()
	prof, _ := llm.LookupProfile("deepseek-r1")
	client, err := llm.New(llm.Config{BaseURL: srv.URL, Model: "r1", Profile: &prof})
	if err != nil {
		t.Fatal(err)
	}
	set := &dataset.Set{Name: "codecontests"}
	p := &dataset.Problem{ID: "p", Mode: dataset.ModeStdio, Statement: "S", Public: []dataset.Test{{Input: "1", Output: "2"}}}
	j := &scriptJudge{}
	e, err := (&Runner{Client: client, Env: &Env{Set: set, Judge: j}}).Run(context.Background(), p, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(e.Turns) != 2 || !e.Passed {
		t.Fatalf("turns %d passed %v infra %q", len(e.Turns), e.Passed, e.Infra)
	}
	t1 := e.Turns[0]
	if t1.Code != "print('bad')" || !strings.Contains(t1.Reasoning, "print('draft')") || strings.Contains(t1.Answer, "<think>") {
		t.Errorf("turn 1: code %q reasoning %q answer %q", t1.Code, t1.Reasoning, t1.Answer)
	}
	if e.Turns[1].Reasoning != "The output was wrong; fix it." {
		t.Errorf("turn 2 reasoning %q", e.Turns[1].Reasoning)
	}
	// R1 takes no system prompt, and the history sent back holds no
	// reasoning.
	for _, m := range seen[1] {
		if m.Role == "system" || strings.Contains(m.Content, "<think>") || strings.Contains(m.Content, "draft") {
			t.Errorf("sent back %s message with reasoning: %q", m.Role, m.Content)
		}
	}

	// A reply cut off inside its reasoning.
	seen, replies = nil, []llmtest.Reply{{Text: "<think>\nStill thinking about ```python\nprint(1)", FinishReason: "length"}, {Text: "```python\nprint('ok')\n```"}}
	e, err = (&Runner{Client: client, Env: &Env{Set: set, Judge: j}}).Run(context.Background(), p, 1)
	if err != nil {
		t.Fatal(err)
	}
	if t1 := e.Turns[0]; !t1.Truncated || t1.Verdict != verdict.Invalid || t1.Reward != RewardInvalid || t1.Code != "" {
		t.Errorf("truncated turn: %+v", t1)
	}
}
