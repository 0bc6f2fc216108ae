package llm

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func TestLookupProfile(t *testing.T) {
	for _, name := range ProfileNames() {
		p, err := LookupProfile(name)
		if err != nil || p.Name != name {
			t.Errorf("%s: %v %q", name, err, p.Name)
		}
	}
	if _, err := LookupProfile("gpt-9"); err == nil {
		t.Error("unknown profile accepted")
	}
	// Copies are independent.
	a, _ := LookupProfile("llama3")
	*a.Temperature = 1
	b, _ := LookupProfile("llama3")
	if *b.Temperature != 0.2 {
		t.Error("profiles share state")
	}
}

func TestProfileDefaults(t *testing.T) {
	tests := []struct {
		name      string
		api       API
		temp, top *float64
		max       int
		system    bool
	}{
		{"llama3", APIChat, Float64(0.2), Float64(0.95), 0, true},
		{"deepseek-r1", APIChat, Float64(0.6), Float64(0.95), 32768, false},
		{"base", APICompletion, Float64(0.2), Float64(0.95), 2048, false},
		{"generic", APIChat, nil, nil, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, _ := LookupProfile(tt.name)
			r, err := p.Prepare(Request{Messages: []Message{{Role: RoleSystem, Content: "S"}, {Role: RoleUser, Content: "U"}}})
			if err != nil {
				t.Fatal(err)
			}
			if r.API != tt.api || !reflect.DeepEqual(r.Temperature, tt.temp) || !reflect.DeepEqual(r.TopP, tt.top) || r.MaxTokens != tt.max {
				t.Errorf("prepared api %s temp %v top %v max %d", r.API, r.Temperature, r.TopP, r.MaxTokens)
			}
			hasSystem := r.Messages[0].Role == RoleSystem
			if hasSystem != tt.system {
				t.Errorf("system kept = %v, want %v (%+v)", hasSystem, tt.system, r.Messages)
			}
			// Explicit values win over the profile's.
			r, _ = p.Prepare(Request{Messages: user("U"), Temperature: Float64(0), TopP: Float64(1), MaxTokens: 7})
			if *r.Temperature != 0 || *r.TopP != 1 || r.MaxTokens != 7 {
				t.Errorf("overrides lost: %v %v %d", *r.Temperature, *r.TopP, r.MaxTokens)
			}
		})
	}
}

func TestPrepareIdempotent(t *testing.T) {
	ex := [][]Message{{{Role: RoleUser, Content: "ex"}, {Role: RoleAssistant, Content: "<think>x</think>ans"}}}
	for _, name := range ProfileNames() {
		for _, api := range []API{APIChat, APICompletion} {
			t.Run(fmt.Sprintf("%s/%s", name, api), func(t *testing.T) {
				p, _ := LookupProfile(name)
				in := Request{API: api, FewShot: ex, Stop: []string{"S"}, Messages: []Message{
					{Role: RoleSystem, Content: "sys"}, {Role: RoleUser, Content: "u"},
					{Role: RoleAssistant, Content: "<think>r</think>a", Reasoning: "r"}, {Role: RoleUser, Content: "f"},
				}}
				once, err := p.Prepare(in)
				if err != nil {
					t.Fatal(err)
				}
				twice, err := p.Prepare(once)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(once, twice) {
					t.Errorf("Prepare not idempotent:\n%+v\n%+v", once, twice)
				}
				if once.FewShot != nil {
					t.Error("FewShot not consumed")
				}
				for _, m := range once.Messages {
					if m.Reasoning != "" {
						t.Errorf("reasoning kept: %+v", m)
					}
				}
				if len(in.Messages[2].Reasoning) == 0 {
					t.Error("Prepare modified the caller's messages")
				}
			})
		}
	}
}

func TestPrepareChatFewShot(t *testing.T) {
	p, _ := LookupProfile("llama3")
	ex := []Message{{Role: RoleUser, Content: "ex p"}, {Role: RoleAssistant, Content: "ex a"}}
	r, err := p.Prepare(Request{Messages: user("p"), FewShot: [][]Message{ex, ex}})
	if err != nil {
		t.Fatal(err)
	}
	var roles []string
	for _, m := range r.Messages {
		roles = append(roles, m.Role+":"+m.Content)
	}
	want := "user:ex p assistant:ex a assistant: user:ex p assistant:ex a assistant: user:p"
	if got := strings.Join(roles, " "); got != want {
		t.Errorf("messages %s\nwant %s", got, want)
	}
}

func TestRenderPrompt(t *testing.T) {
	dialogue := []Message{{Role: RoleSystem, Content: "S"}, {Role: RoleUser, Content: "U"}}
	ex := [][]Message{{{Role: RoleUser, Content: "EU"}, {Role: RoleAssistant, Content: "EA"}}}
	tests := []struct {
		profile string
		want    string
		stop    []string
	}{
		{"llama3",
			"<|start_header_id|>user<|end_header_id|>\n\nEU<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\nEA<|eot_id|>" +
				"<|start_header_id|>assistant<|end_header_id|>\n\n<|eot_id|>" +
				"<|start_header_id|>system<|end_header_id|>\n\nS<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nU<|eot_id|>" +
				"<|start_header_id|>assistant<|end_header_id|>\n\n",
			[]string{"<|eot_id|>", "<|end_of_text|>"}},
		{"deepseek-r1",
			"<｜User｜>EU<｜Assistant｜>EA<｜end▁of▁sentence｜><｜Assistant｜><｜end▁of▁sentence｜><｜User｜>S\n\nU<｜Assistant｜><think>\n",
			[]string{"<｜end▁of▁sentence｜>"}},
		{"base", "[USER] EU\n||\n[ASSISTANT] EA\n||\n\n[USER] S\n\nU\n||\n[ASSISTANT]", []string{"\n||", "\n[USER]"}},
	}
	for _, tt := range tests {
		t.Run(tt.profile, func(t *testing.T) {
			p, _ := LookupProfile(tt.profile)
			got, stop, err := p.RenderPrompt(ex, dialogue)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want || !reflect.DeepEqual(stop, tt.stop) {
				t.Errorf("prompt\n%q\nwant\n%q\nstop %q want %q", got, tt.want, stop, tt.stop)
			}
		})
	}
	bad := Profile{Name: "x", Template: "nope"}
	if _, _, err := bad.RenderPrompt(nil, user("u")); err == nil {
		t.Error("unknown template accepted")
	}
}

func TestClean(t *testing.T) {
	r1, _ := LookupProfile("deepseek-r1")
	base, _ := LookupProfile("base")
	llama, _ := LookupProfile("llama3")
	tests := []struct {
		name              string
		p                 Profile
		api               API
		c                 Choice
		answer, reasoning string
		truncated         bool
	}{
		{"llama plain", llama, APIChat, Choice{Text: " code ", FinishReason: "stop"}, "code", "", false},
		{"llama cut keeps answer", llama, APIChat, Choice{Text: "```python\nx", FinishReason: "length"}, "```python\nx", "", true},
		{"llama no tags cut", llama, APIChat, Choice{Text: "partial", FinishReason: "length"}, "partial", "", true},
		{"r1 field", r1, APIChat, Choice{Text: "ans", Reasoning: " why ", FinishReason: "stop"}, "ans", "why", false},
		{"r1 field and tags", r1, APIChat, Choice{Text: "<think>b</think>ans", Reasoning: "a", FinishReason: "stop"}, "ans", "a\n\nb", false},
		{"r1 no reasoning at all", r1, APIChat, Choice{Text: "ans", FinishReason: "stop"}, "ans", "", false},
		{"r1 cut, no tags", r1, APIChat, Choice{Text: "thinking...", FinishReason: "length"}, "", "thinking...", true},
		{"r1 cut after separate reasoning", r1, APIChat, Choice{Text: "```python\nx", Reasoning: "r", FinishReason: "length"}, "```python\nx", "r", true},
		{"r1 unterminated", r1, APIChat, Choice{Text: "<think>hm", FinishReason: "stop"}, "", "hm", true},
		{"base cuts transcript", base, APICompletion, Choice{Text: " a\n||\n[USER] b", FinishReason: "stop"}, "a", "", false},
		{"base on chat does not cut", base, APIChat, Choice{Text: "a\n||\nb", FinishReason: "stop"}, "a\n||\nb", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, r, tr := tt.p.CleanFor(tt.api, tt.c)
			if a != tt.answer || r != tt.reasoning || tr != tt.truncated {
				t.Errorf("CleanFor = (%q, %q, %v), want (%q, %q, %v)", a, r, tr, tt.answer, tt.reasoning, tt.truncated)
			}
		})
	}
	if a, _, _ := base.Clean(Choice{Text: "x\n||"}); a != "x" {
		t.Errorf("Clean uses the profile's API: %q", a)
	}
}
