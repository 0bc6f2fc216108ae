package chattemplate

import "strings"

// Llama 3 special tokens, as in Meta's llama3 tokenizer.py (ChatFormat).
const (
	Llama3BOS         = "<|begin_of_text|>"
	Llama3EOS         = "<|end_of_text|>"
	Llama3StartHeader = "<|start_header_id|>"
	Llama3EndHeader   = "<|end_header_id|>"
	Llama3EOT         = "<|eot_id|>"
)

// Llama3 renders the Llama 3 / 3.1 / 3.3 instruct format:
//
//	<|begin_of_text|><|start_header_id|>{role}<|end_header_id|>\n\n{content}<|eot_id|>...
//
// and, with a generation prompt, <|start_header_id|>assistant<|end_header_id|>\n\n.
// Content is stripped of surrounding white space, as Meta's ChatFormat and
// the Hugging Face template (| trim) do. The "Cutting Knowledge Date" system
// preamble that the 3.1 Hugging Face template adds is not emitted; put it
// into a system message if a checkpoint needs it. Any non-empty role is
// accepted (Llama 3.1 also uses "ipython").
type Llama3 struct{}

// Name implements Template.
func (Llama3) Name() string { return "llama3" }

// EndOfTurn implements Template.
func (Llama3) EndOfTurn() string { return Llama3EOT }

// Stop implements Template.
func (Llama3) Stop() []string { return []string{Llama3EOT, Llama3EOS} }

// Render implements Template.
func (t Llama3) Render(msgs []Message, opt Options) (string, error) {
	if err := checkRoles(t.Name(), msgs); err != nil {
		return "", err
	}
	var b strings.Builder
	if !opt.OmitBOS {
		b.WriteString(Llama3BOS)
	}
	t.write(&b, msgs, opt)
	return b.String(), nil
}

// Continue implements Template.
func (t Llama3) Continue(next []Message, opt Options) (string, error) {
	if err := checkRoles(t.Name(), next); err != nil {
		return "", err
	}
	var b strings.Builder
	if opt.CloseAssistant {
		b.WriteString(Llama3EOT)
	}
	t.write(&b, next, opt)
	return b.String(), nil
}

func (Llama3) write(b *strings.Builder, msgs []Message, opt Options) {
	for _, m := range msgs {
		llama3Header(b, m.Role)
		b.WriteString(strings.TrimSpace(m.Content))
		b.WriteString(Llama3EOT)
	}
	if opt.AddGenerationPrompt {
		llama3Header(b, RoleAssistant)
	}
}

func llama3Header(b *strings.Builder, role string) {
	b.WriteString(Llama3StartHeader)
	b.WriteString(role)
	b.WriteString(Llama3EndHeader)
	b.WriteString("\n\n")
}
