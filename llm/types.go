package llm

import (
	"context"
	"fmt"
	"time"
)

// API selects the server endpoint.
type API string

// The two endpoints.
const (
	// APIChat is /v1/chat/completions: the server applies the chat template.
	APIChat API = "chat"
	// APICompletion is /v1/completions: the prompt is sent as raw text (base
	// models, prefix forcing).
	APICompletion API = "completion"
)

// ParseAPI parses "chat" or "completion".
func ParseAPI(s string) (API, error) {
	switch API(s) {
	case APIChat, APICompletion:
		return API(s), nil
	}
	return "", fmt.Errorf("llm: unknown API %q (want %q or %q)", s, APIChat, APICompletion)
}

// Message roles.
const (
	RoleSystem    = "system"
	RoleUser      = "user"
	RoleAssistant = "assistant"
)

// Message is one turn of a dialogue.
type Message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
	// Reasoning is a model's reasoning for this turn (reasoning_content or
	// a <think> block). It is kept for the record and never sent back.
	Reasoning string `json:"reasoning,omitempty"`
}

// Request is one generation request. Zero values mean "not set": the
// client's profile (see [Profile.Prepare]) or the server fills them in.
type Request struct {
	// Model overrides the client's model.
	Model string
	// API selects the endpoint; empty means the profile's.
	API API
	// Messages is the dialogue (chat API, or rendered into Prompt by the
	// profile for the completion API).
	Messages []Message
	// Prompt is the raw prompt for the completion API.
	Prompt string
	// FewShot holds example dialogues that a profile renders ahead of
	// Messages when it builds a completion prompt (base models). They are
	// not sent as such; their rendering is part of Prompt.
	FewShot [][]Message
	// N is the number of choices (server default 1).
	N int
	// Seed asks the server for reproducible sampling.
	Seed *int64
	// Temperature and TopP are sampling parameters.
	Temperature *float64
	TopP        *float64
	// MaxTokens caps the completion length.
	MaxTokens int
	// Stop lists stop sequences.
	Stop []string
	// Stream asks for server-sent events; the client accumulates them, so
	// the Response is the same either way.
	Stream bool
	// Extra holds non-standard body fields merged into the request (vLLM's
	// top_k, chat_template_kwargs, ...).
	Extra map[string]any
	// NoCache bypasses the client's cache for this request.
	NoCache bool
}

// Float64 returns a pointer to v, for Request.Temperature and TopP.
func Float64(v float64) *float64 { return &v }

// Int64 returns a pointer to v, for Request.Seed.
func Int64(v int64) *int64 { return &v }

// Choice is one generated reply.
type Choice struct {
	Index int `json:"index"`
	// Text is the reply exactly as the server returned it (content or text).
	Text string `json:"text"`
	// Reasoning is the reasoning: the server's reasoning_content (or
	// reasoning) field and, after cleaning, a <think> block split off Text.
	Reasoning string `json:"reasoning,omitempty"`
	// Answer is Text cleaned by the profile: reasoning removed, few-shot
	// transcript markers cut. Code is extracted from Answer.
	Answer string `json:"answer"`
	// FinishReason is the server's: "stop", "length", ...
	FinishReason string `json:"finish_reason"`
	// Truncated is set when the reply was cut: finish_reason "length", or a
	// reasoning block that never closed (then Answer is empty).
	Truncated bool `json:"truncated,omitempty"`
}

// Usage counts tokens as the server reported them.
type Usage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	// ReasoningTokens is the part of CompletionTokens spent on reasoning,
	// when the server reports it.
	ReasoningTokens int `json:"reasoning_tokens,omitempty"`
}

// Response is the result of one Generate call.
type Response struct {
	// ID is the server's response id.
	ID      string   `json:"id,omitempty"`
	Choices []Choice `json:"choices"`
	Usage   Usage    `json:"usage"`
	// ServerModel is the model name the server reported.
	ServerModel string `json:"server_model,omitempty"`
	// Latency is the wall time of the successful attempt (for a cached
	// response, that of the original call).
	Latency time.Duration `json:"latency"`
	// Attempts is the number of HTTP attempts made (0 when Cached).
	Attempts int `json:"attempts"`
	// Cached is set when the response came from the cache, without an HTTP
	// request.
	Cached bool `json:"cached,omitempty"`
}

// clone returns a deep copy of r.
func (r *Response) clone() *Response {
	c := *r
	c.Choices = append([]Choice(nil), r.Choices...)
	return &c
}

// Client generates replies. Implementations are safe for concurrent use.
type Client interface {
	Generate(ctx context.Context, r Request) (*Response, error)
}
