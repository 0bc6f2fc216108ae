package llm

import (
	"strings"
	"testing"
)

func TestTranscriptRender(t *testing.T) {
	tr := PaperTranscript()
	examples := [][]Message{
		{{Role: RoleUser, Content: "P1"}, {Role: RoleAssistant, Content: "A1"}, {Role: RoleUser, Content: "F1"}, {Role: RoleAssistant, Content: "A1'"}},
		{{Role: RoleUser, Content: "P2"}, {Role: RoleAssistant, Content: "A2"}},
	}
	dialogue := []Message{
		{Role: RoleSystem, Content: "Be good."},
		{Role: RoleUser, Content: "P\n"},
		{Role: RoleAssistant, Content: ""},
		{Role: RoleUser, Content: "F"},
	}
	got, err := tr.Render(examples, dialogue)
	if err != nil {
		t.Fatal(err)
	}
	want := "[USER] P1\n||\n[ASSISTANT] A1\n||\n[USER] F1\n||\n[ASSISTANT] A1'\n||\n\n" +
		"[USER] P2\n||\n[ASSISTANT] A2\n||\n\n" +
		"[USER] Be good.\n\nP\n||\n[ASSISTANT]\n||\n[USER] F\n||\n[ASSISTANT]"
	if got != want {
		t.Errorf("Render =\n%q\nwant\n%q", got, want)
	}

	withSystem := tr
	withSystem.SystemPrefix = "[SYSTEM]"
	got, _ = withSystem.Render(nil, dialogue[:2])
	if want := "[SYSTEM] Be good.\n||\n[USER] P\n||\n[ASSISTANT]"; got != want {
		t.Errorf("with system prefix: %q, want %q", got, want)
	}

	for name, d := range map[string][]Message{
		"empty":               nil,
		"ends with assistant": {{Role: RoleUser, Content: "x"}, {Role: RoleAssistant, Content: "y"}},
		"unknown role":        {{Role: "tool", Content: "x"}},
	} {
		if _, err := tr.Render(nil, d); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestTranscriptParse(t *testing.T) {
	tr := PaperTranscript()
	tests := []struct{ in, want string }{
		{" ```python\nprint(1)\n```", "```python\nprint(1)\n```"},
		{" code\n||\n[USER] feedback\n||\n[ASSISTANT] more", "code"},
		{" code\n[USER] no delimiter", "code"},
		{"\n||\n[USER] x", ""},
		{" || immediately", ""},
		{"[ASSISTANT] repeated prefix\n||", "repeated prefix"},
		{"if a || b:\n    pass", "if a || b:\n    pass"}, // || inside a line is kept (C++ etc.)
		{"", ""},
	}
	for _, tt := range tests {
		if got := tr.Parse(tt.in); got != tt.want {
			t.Errorf("Parse(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// FuzzTranscriptParse checks that a parsed reply never contains a turn
// boundary, is part of its input, and parses to itself.
func FuzzTranscriptParse(f *testing.F) {
	for _, s := range []string{"", " code\n||\n[USER] x", "[ASSISTANT]", "||", "\n[USER]", "a\r\n||", "[ASSISTANT] [ASSISTANT] x"} {
		f.Add(s)
	}
	tr := PaperTranscript()
	f.Fuzz(func(t *testing.T, in string) {
		out := tr.Parse(in)
		for _, stop := range tr.Stop() {
			if strings.Contains(out, stop) {
				t.Errorf("Parse(%q) = %q contains stop %q", in, out, stop)
			}
		}
		if !strings.Contains(in, out) {
			t.Errorf("Parse(%q) = %q is not part of the input", in, out)
		}
		if out != strings.TrimSpace(out) {
			t.Errorf("Parse(%q) = %q is not trimmed", in, out)
		}
	})
}
