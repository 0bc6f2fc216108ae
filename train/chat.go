package train

import (
	"fmt"

	"github.com/rlef/rlef/llm"
	"github.com/rlef/rlef/model/bpe"
)

// The chat format's special tokens. A dialogue is a series of messages,
// each <|role|> text <|end|>; a prompt for the next reply ends with
// <|assistant|>, and the reply ends with <|end|>.
const (
	SpecialSystem    = "<|system|>"
	SpecialUser      = "<|user|>"
	SpecialAssistant = "<|assistant|>"
	SpecialEnd       = "<|end|>"
)

// Specials lists the chat format's special tokens, in id order.
var Specials = []string{SpecialSystem, SpecialUser, SpecialAssistant, SpecialEnd}

// Chat renders dialogues as tokens.
type Chat struct {
	Tok                          *bpe.Tokenizer
	system, user, assistant, end int32
}

// NewChat returns the chat format over a tokenizer that has Specials.
func NewChat(tok *bpe.Tokenizer) (*Chat, error) {
	c := &Chat{Tok: tok}
	for _, x := range []struct {
		name string
		id   *int32
	}{{SpecialSystem, &c.system}, {SpecialUser, &c.user}, {SpecialAssistant, &c.assistant}, {SpecialEnd, &c.end}} {
		id, ok := tok.Special(x.name)
		if !ok {
			return nil, fmt.Errorf("tokenizer lacks the chat token %s", x.name)
		}
		*x.id = id
	}
	return c, nil
}

// End is the end-of-message token; a reply stops there.
func (c *Chat) End() int32 { return c.end }

// User renders a user message followed by the assistant header: the
// tokens that follow a reply (or start a dialogue) up to where the next
// reply begins. The header is the turn's last prompt token.
func (c *Chat) User(text string) []int32 {
	out := append([]int32{c.user}, c.Tok.Encode(text)...)
	return append(out, c.end, c.assistant)
}

// Reply renders an assistant reply's text, closed by the end token.
func (c *Chat) Reply(text string) []int32 {
	return append(c.Tok.Encode(text), c.end)
}

// Render renders a dialogue for the next reply: messages in order, each
// closed, then the assistant header. A final assistant message is left
// open for the reply to continue (prefilling).
func (c *Chat) Render(msgs []llm.Message) []int32 {
	var out []int32
	for i, m := range msgs {
		last := i == len(msgs)-1
		switch m.Role {
		case llm.RoleAssistant:
			if last {
				return append(append(out, c.assistant), c.Tok.Encode(m.Content)...)
			}
			out = append(append(out, c.assistant), c.Reply(m.Content)...)
		case llm.RoleSystem:
			out = append(append(append(out, c.system), c.Tok.Encode(m.Content)...), c.end)
		default:
			u := c.User(m.Content)
			out = append(out, u[:len(u)-1]...) // without the header
		}
	}
	return append(out, c.assistant)
}
