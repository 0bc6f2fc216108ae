package llm

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSplitReasoning(t *testing.T) {
	tests := []struct {
		name, text, reasoning, answer string
		truncated                     bool
	}{
		{"no reasoning", "  ```python\nx\n```\n", "", "```python\nx\n```", false},
		{"closed block", "<think>\nplan\n</think>\n\nanswer", "plan", "answer", false},
		{"forced prefix: starts inside block", "plan\n</think>\nanswer", "plan", "answer", false},
		{"last close wins", "<think>a</think>draft<think>b</think> final ", "a</think>draft<think>b", "final", false},
		{"code in reasoning", "<think>```python\nbad\n```</think>```python\ngood\n```", "```python\nbad\n```", "```python\ngood\n```", false},
		{"unterminated", "<think>\nstill thinking ```python\nx", "still thinking ```python\nx", "", true},
		{"unterminated after preamble", "Sure. <think> hmm", "hmm", "", true},
		{"empty answer after close", "<think>x</think>", "x", "", false},
		{"empty", "", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, a, tr := SplitReasoning(tt.text)
			if r != tt.reasoning || a != tt.answer || tr != tt.truncated {
				t.Errorf("SplitReasoning(%q) = (%q, %q, %v), want (%q, %q, %v)", tt.text, r, a, tr, tt.reasoning, tt.answer, tt.truncated)
			}
		})
	}
}

func FuzzSplitReasoning(f *testing.F) {
	for _, s := range []string{"", "<think>a</think>b", "a</think>b", "<think>", "</think>", "x<think>y</think>z</think>w", "<think><think></think>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		r, a, tr := SplitReasoning(text)
		if strings.Contains(a, thinkClose) {
			t.Errorf("answer %q contains %s", a, thinkClose)
		}
		if tr && a != "" {
			t.Errorf("truncated with answer %q", a)
		}
		if tr && strings.Contains(text, thinkClose) {
			t.Errorf("truncated although %q closes the block", text)
		}
		if !strings.Contains(text, a) || !strings.Contains(text, r) {
			t.Errorf("parts (%q, %q) are not substrings of %q", r, a, text)
		}
		if utf8.ValidString(text) && (!utf8.ValidString(a) || !utf8.ValidString(r)) {
			t.Errorf("split broke UTF-8")
		}
		// The answer is stable: splitting it again finds nothing more.
		if r2, a2, _ := SplitReasoning(a); !strings.Contains(a, thinkOpen) && (r2 != "" || a2 != a) {
			t.Errorf("answer %q splits again into (%q, %q)", a, r2, a2)
		}
	})
}
