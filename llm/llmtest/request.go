package llmtest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// Message is one decoded chat message.
type Message struct {
	Role    string
	Content string
}

// Request is a request as the server received it.
type Request struct {
	// Method and Path, e.g. "POST", "/v1/chat/completions".
	Method, Path string
	// Header is a copy of the request headers (Authorization included: the
	// fake is where tests check what was sent).
	Header http.Header
	// Body is the raw body.
	Body []byte
	// Fields is the body decoded into a map, for non-standard fields.
	Fields map[string]any

	// Decoded standard fields.
	Model        string
	Messages     []Message // chat
	Prompt       string    // completions
	N            int
	Seed         *int64
	Temperature  *float64
	TopP         *float64
	MaxTokens    int // max_tokens or max_completion_tokens
	Stop         []string
	Stream       bool
	IncludeUsage bool

	ctx context.Context
}

// Chat reports whether the request went to /v1/chat/completions.
func (r *Request) Chat() bool { return strings.HasSuffix(r.Path, "/chat/completions") }

// LastUser returns the content of the last user message, or the prompt.
func (r *Request) LastUser() string {
	for i := len(r.Messages) - 1; i >= 0; i-- {
		if r.Messages[i].Role == "user" {
			return r.Messages[i].Content
		}
	}
	return r.Prompt
}

// Context is the request's context; it ends when the client goes away.
func (r *Request) Context() context.Context {
	if r.ctx == nil {
		return context.Background()
	}
	return r.ctx
}

// wireRequest is the subset of the OpenAI request body the fake reads.
type wireRequest struct {
	Model       string          `json:"model"`
	Messages    []wireMessage   `json:"messages"`
	Prompt      json.RawMessage `json:"prompt"`
	N           *int            `json:"n"`
	Seed        *int64          `json:"seed"`
	Temperature *float64        `json:"temperature"`
	TopP        *float64        `json:"top_p"`
	MaxTokens   *int            `json:"max_tokens"`
	MaxCompl    *int            `json:"max_completion_tokens"`
	Stop        json.RawMessage `json:"stop"`
	Stream      bool            `json:"stream"`
	StreamOpts  *struct {
		IncludeUsage bool `json:"include_usage"`
	} `json:"stream_options"`
}

type wireMessage struct {
	Role    string          `json:"role"`
	Content json.RawMessage `json:"content"`
}

// decode fills the decoded fields of r from its body, checking what a real
// server checks.
func (r *Request) decode(chat bool) error {
	if err := json.Unmarshal(r.Body, &r.Fields); err != nil {
		return fmt.Errorf("invalid JSON body: %v", err)
	}
	var w wireRequest
	if err := json.Unmarshal(r.Body, &w); err != nil {
		return fmt.Errorf("invalid request: %v", err)
	}
	if w.Model == "" {
		return fmt.Errorf("'model' is required")
	}
	r.Model = w.Model
	if chat {
		if len(w.Messages) == 0 {
			return fmt.Errorf("'messages' must be a non-empty array")
		}
		for i, m := range w.Messages {
			content, err := messageContent(m.Content)
			if err != nil {
				return fmt.Errorf("messages[%d].content: %v", i, err)
			}
			if m.Role == "" {
				return fmt.Errorf("messages[%d].role is required", i)
			}
			r.Messages = append(r.Messages, Message{Role: m.Role, Content: content})
		}
	} else {
		if err := json.Unmarshal(w.Prompt, &r.Prompt); err != nil {
			var many []string
			if json.Unmarshal(w.Prompt, &many) != nil || len(many) != 1 {
				return fmt.Errorf("'prompt' must be a string")
			}
			r.Prompt = many[0]
		}
	}
	r.N = 1
	if w.N != nil {
		if *w.N < 1 || *w.N > 128 {
			return fmt.Errorf("'n' must be between 1 and 128")
		}
		r.N = *w.N
	}
	r.Seed, r.Temperature, r.TopP = w.Seed, w.Temperature, w.TopP
	switch {
	case w.MaxTokens != nil:
		r.MaxTokens = *w.MaxTokens
	case w.MaxCompl != nil:
		r.MaxTokens = *w.MaxCompl
	}
	if len(w.Stop) > 0 && string(w.Stop) != "null" {
		var one string
		if json.Unmarshal(w.Stop, &one) == nil {
			r.Stop = []string{one}
		} else if err := json.Unmarshal(w.Stop, &r.Stop); err != nil {
			return fmt.Errorf("'stop' must be a string or an array of strings")
		}
	}
	r.Stream = w.Stream
	r.IncludeUsage = w.StreamOpts != nil && w.StreamOpts.IncludeUsage
	return nil
}

// messageContent accepts a string or an array of text parts.
func messageContent(raw json.RawMessage) (string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s, nil
	}
	var parts []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	if err := json.Unmarshal(raw, &parts); err != nil {
		return "", fmt.Errorf("must be a string or an array of parts")
	}
	var b strings.Builder
	for _, p := range parts {
		if p.Type == "text" {
			b.WriteString(p.Text)
		}
	}
	return b.String(), nil
}
