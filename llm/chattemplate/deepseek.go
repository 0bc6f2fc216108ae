package chattemplate

import "strings"

// DeepSeek-R1 special tokens, as in the chat_template of DeepSeek-R1's
// tokenizer_config.json. The bars are U+FF5C (FULLWIDTH VERTICAL LINE) and
// the spaces inside the sentence tokens are U+2581 (LOWER ONE EIGHTH BLOCK).
const (
	DeepSeekBOS       = "<\uff5cbegin\u2581of\u2581sentence\uff5c>"
	DeepSeekEOS       = "<\uff5cend\u2581of\u2581sentence\uff5c>"
	DeepSeekUser      = "<\uff5cUser\uff5c>"
	DeepSeekAssistant = "<\uff5cAssistant\uff5c>"
	// ThinkOpen and ThinkClose delimit R1's reasoning.
	ThinkOpen  = "<think>"
	ThinkClose = "</think>"
)

// DeepSeekR1 renders the DeepSeek-R1 format (also used by the R1 distills
// of Qwen and Llama):
//
//	<｜begin▁of▁sentence｜>{system}<｜User｜>{u}<｜Assistant｜>{a}<｜end▁of▁sentence｜>...
//
// and, with a generation prompt, <｜Assistant｜> (plus "<think>\n" with
// ForceThink, as the 2025 revision of the template and DeepSeek's usage
// notes do). System messages are joined with a blank line and placed right
// after the BOS token, as the official template does; DeepSeek recommends
// sending none. Earlier assistant turns are cut to the text after their
// last "</think>", as the official template does. Roles other than system,
// user and assistant are rejected. Content is not trimmed.
type DeepSeekR1 struct{}

// Name implements Template.
func (DeepSeekR1) Name() string { return "deepseek-r1" }

// EndOfTurn implements Template.
func (DeepSeekR1) EndOfTurn() string { return DeepSeekEOS }

// Stop implements Template.
func (DeepSeekR1) Stop() []string { return []string{DeepSeekEOS} }

// Render implements Template.
func (t DeepSeekR1) Render(msgs []Message, opt Options) (string, error) {
	if err := checkRoles(t.Name(), msgs, RoleSystem, RoleUser, RoleAssistant); err != nil {
		return "", err
	}
	var b strings.Builder
	if !opt.OmitBOS {
		b.WriteString(DeepSeekBOS)
	}
	first := true
	for _, m := range msgs {
		if m.Role != RoleSystem {
			continue
		}
		if !first {
			b.WriteString("\n\n")
		}
		b.WriteString(m.Content)
		first = false
	}
	t.write(&b, msgs, opt)
	return b.String(), nil
}

// Continue implements Template. System messages among next are rejected:
// R1 has no place for them after the start.
func (t DeepSeekR1) Continue(next []Message, opt Options) (string, error) {
	if err := checkRoles(t.Name(), next, RoleUser, RoleAssistant); err != nil {
		return "", err
	}
	var b strings.Builder
	if opt.CloseAssistant {
		b.WriteString(DeepSeekEOS)
	}
	t.write(&b, next, opt)
	return b.String(), nil
}

func (DeepSeekR1) write(b *strings.Builder, msgs []Message, opt Options) {
	for _, m := range msgs {
		switch m.Role {
		case RoleUser:
			b.WriteString(DeepSeekUser)
			b.WriteString(m.Content)
		case RoleAssistant:
			content := m.Content
			if i := strings.LastIndex(content, ThinkClose); i >= 0 {
				content = content[i+len(ThinkClose):]
			}
			b.WriteString(DeepSeekAssistant)
			b.WriteString(content)
			b.WriteString(DeepSeekEOS)
		}
	}
	if opt.AddGenerationPrompt {
		b.WriteString(DeepSeekAssistant)
		if opt.ForceThink {
			b.WriteString(ThinkOpen)
			b.WriteString("\n")
		}
	}
}
