package chattemplate

import (
	"strings"
	"testing"
)

var dialogue = []Message{
	{Role: RoleSystem, Content: "You are a coder."},
	{Role: RoleUser, Content: "Write code.\n"},
	{Role: RoleAssistant, Content: "<think>\nhmm\n</think>\n\n```python\nprint(1)\n```"},
	{Role: RoleUser, Content: "Your code failed."},
}

func TestGolden(t *testing.T) {
	tests := []struct {
		name string
		tmpl Template
		msgs []Message
		opt  Options
		want string
	}{
		{
			name: "llama3 generation prompt",
			tmpl: Llama3{},
			msgs: dialogue,
			opt:  Options{AddGenerationPrompt: true},
			want: "<|begin_of_text|>" +
				"<|start_header_id|>system<|end_header_id|>\n\nYou are a coder.<|eot_id|>" +
				"<|start_header_id|>user<|end_header_id|>\n\nWrite code.<|eot_id|>" +
				"<|start_header_id|>assistant<|end_header_id|>\n\n<think>\nhmm\n</think>\n\n```python\nprint(1)\n```<|eot_id|>" +
				"<|start_header_id|>user<|end_header_id|>\n\nYour code failed.<|eot_id|>" +
				"<|start_header_id|>assistant<|end_header_id|>\n\n",
		},
		{
			name: "llama3 no BOS no generation prompt",
			tmpl: Llama3{},
			msgs: []Message{{Role: RoleUser, Content: "  hi  "}},
			opt:  Options{OmitBOS: true},
			want: "<|start_header_id|>user<|end_header_id|>\n\nhi<|eot_id|>",
		},
		{
			name: "deepseek-r1 strips reasoning of earlier turns",
			tmpl: DeepSeekR1{},
			msgs: dialogue,
			opt:  Options{AddGenerationPrompt: true},
			want: "<｜begin▁of▁sentence｜>You are a coder." +
				"<｜User｜>Write code.\n" +
				"<｜Assistant｜>\n\n```python\nprint(1)\n```<｜end▁of▁sentence｜>" +
				"<｜User｜>Your code failed." +
				"<｜Assistant｜>",
		},
		{
			name: "deepseek-r1 force think, two system messages",
			tmpl: DeepSeekR1{},
			msgs: []Message{{Role: RoleSystem, Content: "a"}, {Role: RoleSystem, Content: "b"}, {Role: RoleUser, Content: "q"}},
			opt:  Options{AddGenerationPrompt: true, ForceThink: true, OmitBOS: true},
			want: "a\n\nb<｜User｜>q<｜Assistant｜><think>\n",
		},
		{
			name: "chatml",
			tmpl: ChatML{},
			msgs: dialogue[:2],
			opt:  Options{AddGenerationPrompt: true},
			want: "<|im_start|>system\nYou are a coder.<|im_end|>\n" +
				"<|im_start|>user\nWrite code.\n<|im_end|>\n" +
				"<|im_start|>assistant\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.tmpl.Render(tt.msgs, tt.opt)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("Render =\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}

// TestSpecialTokenRunes pins the DeepSeek tokens to their code points, so
// that an editor that "fixes" the full-width bars cannot break them.
func TestSpecialTokenRunes(t *testing.T) {
	for _, tok := range []string{DeepSeekBOS, DeepSeekEOS, DeepSeekUser, DeepSeekAssistant} {
		r := []rune(tok)
		if r[0] != '<' || r[1] != '\uff5c' || r[len(r)-2] != '\uff5c' || r[len(r)-1] != '>' {
			t.Errorf("%q: wrong delimiters", tok)
		}
	}
	if !strings.Contains(DeepSeekBOS, "begin\u2581of\u2581sentence") {
		t.Errorf("BOS %q lacks U+2581 separators", DeepSeekBOS)
	}
}

func TestContinue(t *testing.T) {
	tests := []struct {
		tmpl Template
		opt  Options
		want string
	}{
		{Llama3{}, Options{AddGenerationPrompt: true},
			"<|start_header_id|>user<|end_header_id|>\n\nfeedback<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n"},
		{Llama3{}, Options{AddGenerationPrompt: true, CloseAssistant: true},
			"<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nfeedback<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n"},
		{DeepSeekR1{}, Options{AddGenerationPrompt: true, ForceThink: true},
			"<｜User｜>feedback<｜Assistant｜><think>\n"},
		{DeepSeekR1{}, Options{AddGenerationPrompt: true, CloseAssistant: true},
			"<｜end▁of▁sentence｜><｜User｜>feedback<｜Assistant｜>"},
		{ChatML{}, Options{AddGenerationPrompt: true},
			"\n<|im_start|>user\nfeedback<|im_end|>\n<|im_start|>assistant\n"},
	}
	for _, tt := range tests {
		t.Run(tt.tmpl.Name(), func(t *testing.T) {
			got, err := tt.tmpl.Continue([]Message{{Role: RoleUser, Content: "feedback"}}, tt.opt)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("Continue =\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}

// TestContinueExtendsRender checks the documented extension property: the
// prefix, the model's reply and its end-of-turn token, and the
// continuation add up to the rendering of the whole dialogue.
func TestContinueExtendsRender(t *testing.T) {
	history := []Message{{Role: RoleSystem, Content: "sys"}, {Role: RoleUser, Content: "problem"}}
	reply := "```python\nprint(2)\n```"
	next := []Message{{Role: RoleUser, Content: "Your code failed the following tests:\n\n- input `1` failed"}}
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) {
			tmpl, err := Lookup(name)
			if err != nil {
				t.Fatal(err)
			}
			opt := Options{AddGenerationPrompt: true}
			prefix, err := tmpl.Render(history, opt)
			if err != nil {
				t.Fatal(err)
			}
			cont, err := tmpl.Continue(next, opt)
			if err != nil {
				t.Fatal(err)
			}
			full := append(append(append([]Message{}, history...), Message{Role: RoleAssistant, Content: reply}), next...)
			want, err := tmpl.Render(full, opt)
			if err != nil {
				t.Fatal(err)
			}
			if got := prefix + reply + tmpl.EndOfTurn() + cont; got != want {
				t.Errorf("prefix+reply+EOT+continue =\n%q\nwant\n%q", got, want)
			}
		})
	}
}

func TestRoleErrors(t *testing.T) {
	if _, err := (DeepSeekR1{}).Render([]Message{{Role: "tool", Content: "x"}}, Options{}); err == nil {
		t.Error("deepseek-r1 accepted a tool message")
	}
	if _, err := (DeepSeekR1{}).Continue([]Message{{Role: RoleSystem, Content: "x"}}, Options{}); err == nil {
		t.Error("deepseek-r1 Continue accepted a system message")
	}
	if _, err := (Llama3{}).Render([]Message{{Content: "x"}}, Options{}); err == nil {
		t.Error("llama3 accepted a message without role")
	}
	if _, err := Lookup("nope"); err == nil {
		t.Error("Lookup accepted an unknown name")
	}
}

func TestStop(t *testing.T) {
	for _, name := range Names() {
		tmpl, _ := Lookup(name)
		stops := tmpl.Stop()
		found := false
		for _, s := range stops {
			found = found || s == tmpl.EndOfTurn()
		}
		if !found {
			t.Errorf("%s: Stop() %q lacks the end-of-turn token %q", name, stops, tmpl.EndOfTurn())
		}
	}
}
