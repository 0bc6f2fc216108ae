package train

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/rlef/rlef/llm"
)

// Client serves a policy through the llm.Client interface, so that the
// episode runner and `rlef eval` evaluate it exactly as they evaluate a
// model behind an OpenAI-compatible server. Messages are rendered with
// the policy's chat format; a final assistant message is continued.
// Sampling follows the request (temperature, top-p, max tokens, seed);
// without a temperature the policy samples at 1. A dialogue that does
// not fit the context gets an empty reply cut for length, which the
// episode loop scores as a turn without code.
type Client struct {
	Policy Policy
}

var _ llm.Client = (*Client)(nil)

// Generate implements llm.Client.
func (c *Client) Generate(ctx context.Context, r llm.Request) (*llm.Response, error) {
	if r.API == llm.APICompletion {
		return nil, errors.New("a local policy serves the chat API only")
	}
	start := time.Now()
	chat := c.Policy.Chat()
	prompt := chat.Render(r.Messages)
	s := Sampling{Temperature: 1, MaxTokens: r.MaxTokens}
	if r.Temperature != nil {
		s.Temperature = *r.Temperature
	}
	if r.TopP != nil {
		s.TopP = *r.TopP
	}
	var seed uint64
	if r.Seed != nil {
		seed = uint64(*r.Seed)
	}
	n := max(r.N, 1)
	resp := &llm.Response{Usage: llm.Usage{PromptTokens: len(prompt)}, ServerModel: r.Model}
	for i := 0; i < n; i++ {
		ch := llm.Choice{Index: i, FinishReason: "length", Truncated: true}
		if len(prompt) < c.Policy.Context() {
			g, err := c.Policy.Sample(ctx, prompt, s, seedOf(seed, "choice", i))
			if err != nil {
				return nil, fmt.Errorf("local policy: %w", err)
			}
			ch.Text = g.Text
			if g.Stopped {
				ch.FinishReason, ch.Truncated = "stop", false
			}
			resp.Usage.CompletionTokens += len(g.Tokens)
		}
		ch.Answer = ch.Text
		resp.Choices = append(resp.Choices, ch)
	}
	resp.Latency = time.Since(start)
	resp.Attempts = 1
	return resp, nil
}
