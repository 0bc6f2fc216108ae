package server

import (
	"strings"

	"github.com/rlef/rlef/llm/chattemplate"
)

// endTokens end a model's turn in the chat templates rlef knows (and in
// the common base-model vocabularies); a response is cut at the first one.
// Padding after the end token goes with it.
var endTokens = []string{
	chattemplate.Llama3EOT, chattemplate.Llama3EOS,
	chattemplate.ChatMLEnd, chattemplate.ChatMLEndOfText,
	chattemplate.DeepSeekEOS,
	"</s>",
}

// assistantHeaders open an assistant turn; when the prompt cannot be
// found in the query, the response starts after the last of them.
var assistantHeaders = []string{
	chattemplate.Llama3StartHeader + chattemplate.RoleAssistant + chattemplate.Llama3EndHeader + "\n\n",
	chattemplate.ChatMLStart + chattemplate.RoleAssistant + "\n",
	chattemplate.DeepSeekAssistant,
}

// ResponseText recovers the model's response from an OpenRLHF reward
// query: the query (prompt and response decoded together, special tokens
// kept) minus the prompt, cut at the first end-of-turn token. When the
// prompt is not found verbatim (it may be left-padded, or the tokenizer's
// round trip changed it), the response starts after the last assistant
// header of a known chat template, else it is the whole query.
func ResponseText(query, prompt string) string {
	resp := query
	switch i := strings.Index(query, prompt); {
	case prompt != "" && i >= 0:
		resp = query[i+len(prompt):]
	default:
		best := -1
		for _, h := range assistantHeaders {
			if j := strings.LastIndex(query, h); j >= 0 && j+len(h) > best {
				best = j + len(h)
			}
		}
		if best >= 0 {
			resp = query[best:]
		}
	}
	return cutAtEnd(resp)
}

// cutAtEnd cuts a response at its first end-of-turn token, for clients
// that keep the stop string in the text they send.
func cutAtEnd(resp string) string {
	cut := len(resp)
	for _, t := range endTokens {
		if j := strings.Index(resp, t); j >= 0 && j < cut {
			cut = j
		}
	}
	return resp[:cut]
}
