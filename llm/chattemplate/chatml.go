package chattemplate

import "strings"

// ChatML special tokens.
const (
	ChatMLStart     = "<|im_start|>"
	ChatMLEnd       = "<|im_end|>"
	ChatMLEndOfText = "<|endoftext|>"
)

// ChatML renders the ChatML format used by Qwen and many fine-tunes:
//
//	<|im_start|>{role}\n{content}<|im_end|>\n...
//
// and, with a generation prompt, <|im_start|>assistant\n. It has no BOS
// token and does not alter content. Any non-empty role is accepted.
type ChatML struct{}

// Name implements Template.
func (ChatML) Name() string { return "chatml" }

// EndOfTurn implements Template.
func (ChatML) EndOfTurn() string { return ChatMLEnd }

// Stop implements Template.
func (ChatML) Stop() []string { return []string{ChatMLEnd, ChatMLEndOfText} }

// Render implements Template.
func (t ChatML) Render(msgs []Message, opt Options) (string, error) {
	if err := checkRoles(t.Name(), msgs); err != nil {
		return "", err
	}
	var b strings.Builder
	t.write(&b, msgs, opt)
	return b.String(), nil
}

// Continue implements Template. The model stops at <|im_end|>; the newline
// that the template puts after it starts the continuation.
func (t ChatML) Continue(next []Message, opt Options) (string, error) {
	if err := checkRoles(t.Name(), next); err != nil {
		return "", err
	}
	var b strings.Builder
	if opt.CloseAssistant {
		b.WriteString(ChatMLEnd)
	}
	b.WriteString("\n")
	t.write(&b, next, opt)
	return b.String(), nil
}

func (ChatML) write(b *strings.Builder, msgs []Message, opt Options) {
	for _, m := range msgs {
		b.WriteString(ChatMLStart)
		b.WriteString(m.Role)
		b.WriteString("\n")
		b.WriteString(m.Content)
		b.WriteString(ChatMLEnd)
		b.WriteString("\n")
	}
	if opt.AddGenerationPrompt {
		b.WriteString(ChatMLStart)
		b.WriteString(RoleAssistant)
		b.WriteString("\n")
	}
}
