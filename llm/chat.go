package llm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/packages/respjson"
)

// chatParams builds the /v1/chat/completions body.
func chatParams(r Request) (openai.ChatCompletionNewParams, error) {
	p := openai.ChatCompletionNewParams{Model: r.Model}
	for i, m := range r.Messages {
		switch m.Role {
		case RoleSystem:
			p.Messages = append(p.Messages, openai.SystemMessage(m.Content))
		case RoleUser:
			p.Messages = append(p.Messages, openai.UserMessage(m.Content))
		case RoleAssistant:
			p.Messages = append(p.Messages, openai.AssistantMessage(m.Content))
		default:
			return p, fmt.Errorf("llm: message %d has unsupported role %q", i, m.Role)
		}
	}
	if r.N > 0 {
		p.N = openai.Int(int64(r.N))
	}
	if r.Seed != nil {
		p.Seed = openai.Int(*r.Seed)
	}
	if r.Temperature != nil {
		p.Temperature = openai.Float(*r.Temperature)
	}
	if r.TopP != nil {
		p.TopP = openai.Float(*r.TopP)
	}
	if r.MaxTokens > 0 {
		// max_tokens rather than max_completion_tokens: every
		// OpenAI-compatible server accepts it. Send the other through
		// Extra for OpenAI's reasoning models.
		p.MaxTokens = openai.Int(int64(r.MaxTokens))
	}
	if len(r.Stop) > 0 {
		p.Stop = openai.ChatCompletionNewParamsStopUnion{OfStringArray: r.Stop}
	}
	if r.Stream {
		p.StreamOptions = openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)}
	}
	if len(r.Extra) > 0 {
		p.SetExtraFields(r.Extra)
	}
	return p, nil
}

func (c *OpenAI) chatOnce(ctx context.Context, p openai.ChatCompletionNewParams) (*Response, error) {
	res, err := c.chat.New(ctx, p)
	if err != nil {
		return nil, err
	}
	if len(res.Choices) == 0 {
		return nil, errors.New("response has no choices")
	}
	out := &Response{ID: res.ID, ServerModel: res.Model, Usage: usage(res.Usage)}
	for _, ch := range res.Choices {
		out.Choices = append(out.Choices, Choice{
			Index:        int(ch.Index),
			Text:         ch.Message.Content,
			Reasoning:    reasoningField(ch.Message.JSON.ExtraFields),
			FinishReason: ch.FinishReason,
		})
	}
	sortChoices(out.Choices)
	return out, nil
}

func (c *OpenAI) chatStream(ctx context.Context, p openai.ChatCompletionNewParams) (*Response, error) {
	stream := c.chat.NewStreaming(ctx, p)
	defer stream.Close()
	out := &Response{}
	acc := newAccumulator()
	for stream.Next() {
		chunk := stream.Current()
		out.ID = cmp(chunk.ID, out.ID)
		out.ServerModel = cmp(chunk.Model, out.ServerModel)
		if chunk.JSON.Usage.Valid() {
			out.Usage = usage(chunk.Usage)
		}
		for _, ch := range chunk.Choices {
			acc.add(int(ch.Index), ch.Delta.Content, reasoningField(ch.Delta.JSON.ExtraFields), ch.FinishReason)
		}
	}
	if err := stream.Err(); err != nil {
		return nil, err
	}
	choices, err := acc.choices()
	if err != nil {
		return nil, err
	}
	out.Choices = choices
	return out, nil
}

// reasoningField reads a reply's reasoning from the fields the library
// does not know: reasoning_content (DeepSeek, vLLM, SGLang) or reasoning
// (newer vLLM, Ollama, OpenRouter).
func reasoningField(extra map[string]respjson.Field) string {
	for _, name := range []string{"reasoning_content", "reasoning"} {
		f, ok := extra[name]
		if !ok {
			continue
		}
		var s string
		if json.Unmarshal([]byte(f.Raw()), &s) == nil && s != "" {
			return s
		}
	}
	return ""
}

func usage(u openai.CompletionUsage) Usage {
	return Usage{
		PromptTokens:     int(u.PromptTokens),
		CompletionTokens: int(u.CompletionTokens),
		ReasoningTokens:  int(u.CompletionTokensDetails.ReasoningTokens),
	}
}

// accumulator joins streamed deltas per choice index.
type accumulator struct {
	byIndex map[int]*streamChoice
	order   []int
}

type streamChoice struct {
	text, reasoning strings.Builder
	finish          string
}

func newAccumulator() *accumulator { return &accumulator{byIndex: map[int]*streamChoice{}} }

func (a *accumulator) add(index int, text, reasoning, finish string) {
	sc := a.byIndex[index]
	if sc == nil {
		sc = &streamChoice{}
		a.byIndex[index] = sc
		a.order = append(a.order, index)
	}
	sc.text.WriteString(text)
	sc.reasoning.WriteString(reasoning)
	if finish != "" {
		sc.finish = finish
	}
}

// choices returns the accumulated choices in index order. A stream that
// ended before every choice had a finish reason was cut off.
func (a *accumulator) choices() ([]Choice, error) {
	if len(a.order) == 0 {
		return nil, fmt.Errorf("%w: no choices", errStreamIncomplete)
	}
	out := make([]Choice, 0, len(a.order))
	for i := range len(a.order) {
		sc, ok := a.byIndex[i]
		if !ok {
			return nil, fmt.Errorf("%w: choice %d missing", errStreamIncomplete, i)
		}
		if sc.finish == "" {
			return nil, fmt.Errorf("%w: choice %d has no finish reason", errStreamIncomplete, i)
		}
		out = append(out, Choice{Index: i, Text: sc.text.String(), Reasoning: sc.reasoning.String(), FinishReason: sc.finish})
	}
	return out, nil
}

// sortChoices orders choices by index (servers need not send them in
// order).
func sortChoices(cs []Choice) {
	slices.SortStableFunc(cs, func(a, b Choice) int { return a.Index - b.Index })
}

// cmp returns the first non-empty string.
func cmp(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
