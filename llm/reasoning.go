package llm

import "strings"

// Reasoning delimiters used by DeepSeek-R1, its distills, QwQ and Qwen3.
const (
	thinkOpen  = "<think>"
	thinkClose = "</think>"
)

// SplitReasoning separates a model's reasoning from its answer.
//
//   - If text contains "</think>", everything after the LAST one is the
//     answer and everything before it is the reasoning (with a leading
//     "<think>" removed). This also covers replies that start inside the
//     block because the server's template already emitted "<think>\n".
//   - If text opens a "<think>" block that never closes, the reply was cut
//     while reasoning: the reasoning is what follows "<think>", the answer
//     is empty and truncated is true.
//   - Otherwise there is no reasoning and the answer is text.
//
// Reasoning and answer are trimmed of surrounding white space.
func SplitReasoning(text string) (reasoning, answer string, truncated bool) {
	if i := strings.LastIndex(text, thinkClose); i >= 0 {
		reasoning = strings.TrimSpace(text[:i])
		reasoning = strings.TrimSpace(strings.TrimPrefix(reasoning, thinkOpen))
		return reasoning, strings.TrimSpace(text[i+len(thinkClose):]), false
	}
	if i := strings.Index(text, thinkOpen); i >= 0 {
		return strings.TrimSpace(text[i+len(thinkOpen):]), "", true
	}
	return "", strings.TrimSpace(text), false
}

// stripReasoning returns the answer part of an assistant turn, for sending
// history back to a reasoning model: the text after the last "</think>".
// Unlike SplitReasoning it leaves text without a closing tag alone.
func stripReasoning(text string) string {
	if i := strings.LastIndex(text, thinkClose); i >= 0 {
		return strings.TrimSpace(text[i+len(thinkClose):])
	}
	return text
}
