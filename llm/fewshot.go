package llm

import (
	"fmt"
	"strings"
)

// Transcript renders dialogues as plain text for models without a chat
// template, in the style of the RLEF paper's few-shot prompts for
// pre-trained models (App. C.3): each message starts with a role prefix
// ("[USER]", "[ASSISTANT]") and ends with a delimiter line ("||", a token
// that is invalid Python, so it never occurs in a Python reply). Example
// dialogues come first, separated by a blank line; the prompt ends with
// the assistant prefix, and the stop sequences end the reply where the
// model would start the next turn.
//
// A rendered prompt looks like
//
//	[USER] {example problem}
//	||
//	[ASSISTANT] {example reply}
//	||
//
//	[USER] {problem}
//	||
//	[ASSISTANT]
type Transcript struct {
	UserPrefix      string
	AssistantPrefix string
	// SystemPrefix prefixes system messages; empty folds them into the
	// first user message instead.
	SystemPrefix string
	// Delimiter ends every message, on a line of its own.
	Delimiter string
}

// PaperTranscript is the format of the RLEF paper's base-model prompts.
func PaperTranscript() Transcript {
	return Transcript{UserPrefix: "[USER]", AssistantPrefix: "[ASSISTANT]", Delimiter: "||"}
}

// Stop returns the stop sequences: the delimiter at the start of a line,
// and the user prefix at the start of a line (for a model that skips the
// delimiter).
func (t Transcript) Stop() []string {
	var s []string
	if t.Delimiter != "" {
		s = append(s, "\n"+t.Delimiter)
	}
	if t.UserPrefix != "" {
		s = append(s, "\n"+t.UserPrefix)
	}
	return s
}

// Render renders the example dialogues, then dialogue, then the assistant
// prefix that the model completes. dialogue must not end with an assistant
// message.
func (t Transcript) Render(examples [][]Message, dialogue []Message) (string, error) {
	if len(dialogue) == 0 {
		return "", fmt.Errorf("llm: transcript: empty dialogue")
	}
	if dialogue[len(dialogue)-1].Role == RoleAssistant {
		return "", fmt.Errorf("llm: transcript: dialogue ends with an assistant message")
	}
	var b strings.Builder
	for i, ex := range examples {
		if err := t.write(&b, ex); err != nil {
			return "", fmt.Errorf("llm: transcript: example %d: %w", i, err)
		}
		b.WriteString("\n")
	}
	if err := t.write(&b, dialogue); err != nil {
		return "", fmt.Errorf("llm: transcript: %w", err)
	}
	b.WriteString(t.AssistantPrefix)
	return b.String(), nil
}

func (t Transcript) write(b *strings.Builder, msgs []Message) error {
	for i, m := range foldSystem(msgs, t.SystemPrefix == "") {
		var prefix string
		switch m.Role {
		case RoleUser:
			prefix = t.UserPrefix
		case RoleAssistant:
			prefix = t.AssistantPrefix
		case RoleSystem:
			prefix = t.SystemPrefix
		default:
			return fmt.Errorf("message %d has role %q", i, m.Role)
		}
		b.WriteString(prefix)
		if content := strings.TrimSpace(m.Content); content != "" {
			if prefix != "" {
				b.WriteString(" ")
			}
			b.WriteString(content)
		}
		b.WriteString("\n")
		b.WriteString(t.Delimiter)
		b.WriteString("\n")
	}
	return nil
}

// Parse returns the reply in a completion of a Render-ed prompt: the text
// up to the first stop sequence (servers that do not apply stop sequences,
// or that echo them, leave them in), without a repeated assistant prefix,
// trimmed.
func (t Transcript) Parse(completion string) string {
	s := completion
	if t.Delimiter != "" && strings.HasPrefix(strings.TrimSpace(s), t.Delimiter) {
		return "" // the model ended its turn at once
	}
	for _, stop := range t.Stop() {
		if i := strings.Index(s, stop); i >= 0 {
			s = s[:i]
		}
	}
	s = strings.TrimSpace(s)
	if t.AssistantPrefix != "" {
		s = strings.TrimSpace(strings.TrimPrefix(s, t.AssistantPrefix))
	}
	return s
}

// foldSystem merges system messages into the first user message (or turns
// them into one) when fold is set; it returns msgs itself when there is
// nothing to do.
func foldSystem(msgs []Message, fold bool) []Message {
	if !fold {
		return msgs
	}
	var sys []string
	for _, m := range msgs {
		if m.Role == RoleSystem && strings.TrimSpace(m.Content) != "" {
			sys = append(sys, strings.TrimSpace(m.Content))
		}
	}
	hasSystem := false
	for _, m := range msgs {
		hasSystem = hasSystem || m.Role == RoleSystem
	}
	if !hasSystem {
		return msgs
	}
	out := make([]Message, 0, len(msgs))
	folded := len(sys) == 0
	for _, m := range msgs {
		if m.Role == RoleSystem {
			continue
		}
		if !folded && m.Role == RoleUser {
			m.Content = strings.Join(sys, "\n\n") + "\n\n" + m.Content
			folded = true
		}
		out = append(out, m)
	}
	if !folded {
		out = append([]Message{{Role: RoleUser, Content: strings.Join(sys, "\n\n")}}, out...)
	}
	return out
}
