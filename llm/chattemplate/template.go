// Package chattemplate renders chat dialogues as the raw text a model was
// trained on, for the model families rlef targets: Llama 3 (official
// ChatFormat), DeepSeek-R1 and its distills (tokenizer_config chat_template)
// and ChatML (Qwen and many others).
//
// A server that speaks /v1/chat/completions applies the template itself, so
// these renderers are needed only where rlef builds the text on its own: the
// /v1/completions path (prefix forcing, e.g. R1's "<think>\n") and RL
// trainers that append feedback turns to token sequences they already hold.
// For the latter, [Template.Continue] renders just what follows a finished
// assistant turn.
//
// The renderers are hand-written and checked against golden strings; each
// type documents the exact special tokens it emits.
package chattemplate

import (
	"fmt"
	"slices"
)

// Roles used by every template.
const (
	RoleSystem    = "system"
	RoleUser      = "user"
	RoleAssistant = "assistant"
)

// Message is one turn of a dialogue.
type Message struct {
	Role    string
	Content string
}

// Options control one rendering.
type Options struct {
	// AddGenerationPrompt appends the header that opens an assistant turn,
	// so that the model's next tokens are its reply.
	AddGenerationPrompt bool
	// OmitBOS leaves out the begin-of-sequence token. Set it when the text
	// goes to a server that tokenizes with add_special_tokens (vLLM's and
	// llama.cpp's /v1/completions do), or the prompt would start with two.
	OmitBOS bool
	// ForceThink opens the assistant turn with "<think>\n" after the
	// generation prompt, as DeepSeek recommends for R1. Only DeepSeekR1
	// honours it; it needs AddGenerationPrompt.
	ForceThink bool
	// CloseAssistant (Continue only) starts the continuation with the
	// end-of-turn token, for callers whose copy of the model's turn lacks it
	// (a server that strips the stop token from the text).
	CloseAssistant bool
}

// Template renders dialogues for one model family.
type Template interface {
	// Name is the name Lookup knows the template by.
	Name() string
	// Render renders a whole dialogue.
	Render(msgs []Message, opt Options) (string, error)
	// Continue renders the text that follows a finished assistant turn:
	// the given (usually one user) messages and, with
	// opt.AddGenerationPrompt, the header of the next assistant turn. It
	// assumes the assistant turn ended with the template's end-of-turn
	// token, as the model emits it; set opt.CloseAssistant otherwise.
	//
	// For every template here,
	//   Render(h, gen) + reply + EndOfTurn() + Continue(next, gen)
	//     == Render(h + {assistant: reply} + next, gen)
	// holds for a reply without surrounding white space (and, for
	// DeepSeekR1, without reasoning and without ForceThink: its template
	// strips the reasoning of earlier turns, so a multi-turn R1 sequence is
	// never a plain extension of the previous one).
	Continue(next []Message, opt Options) (string, error)
	// EndOfTurn is the token that ends an assistant turn.
	EndOfTurn() string
	// Stop lists the strings to pass as stop sequences when the rendered
	// text goes to a completions endpoint.
	Stop() []string
}

// Names lists the templates Lookup knows, in a fixed order.
func Names() []string { return []string{"llama3", "deepseek-r1", "chatml"} }

// Lookup returns the template with the given name ("llama3", "deepseek-r1"
// or "chatml").
func Lookup(name string) (Template, error) {
	switch name {
	case "llama3":
		return Llama3{}, nil
	case "deepseek-r1":
		return DeepSeekR1{}, nil
	case "chatml":
		return ChatML{}, nil
	}
	return nil, fmt.Errorf("chattemplate: unknown template %q (known: %v)", name, Names())
}

func checkRoles(name string, msgs []Message, allowed ...string) error {
	for i, m := range msgs {
		if m.Role == "" {
			return fmt.Errorf("chattemplate: %s: message %d has no role", name, i)
		}
		if len(allowed) > 0 && !slices.Contains(allowed, m.Role) {
			return fmt.Errorf("chattemplate: %s: message %d has role %q, want one of %v", name, i, m.Role, allowed)
		}
	}
	return nil
}
