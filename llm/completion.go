package llm

import (
	"context"
	"errors"

	"github.com/openai/openai-go/v3"
)

// completionParams builds the /v1/completions body.
func completionParams(r Request) openai.CompletionNewParams {
	p := openai.CompletionNewParams{
		Model:  openai.CompletionNewParamsModel(r.Model),
		Prompt: openai.CompletionNewParamsPromptUnion{OfString: openai.String(r.Prompt)},
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
		p.MaxTokens = openai.Int(int64(r.MaxTokens))
	}
	if len(r.Stop) > 0 {
		p.Stop = openai.CompletionNewParamsStopUnion{OfStringArray: r.Stop}
	}
	if r.Stream {
		p.StreamOptions = openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)}
	}
	if len(r.Extra) > 0 {
		p.SetExtraFields(r.Extra)
	}
	return p
}

func (c *OpenAI) completionOnce(ctx context.Context, p openai.CompletionNewParams) (*Response, error) {
	res, err := c.comp.New(ctx, p)
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
			Text:         ch.Text,
			FinishReason: string(ch.FinishReason),
		})
	}
	sortChoices(out.Choices)
	return out, nil
}

func (c *OpenAI) completionStream(ctx context.Context, p openai.CompletionNewParams) (*Response, error) {
	stream := c.comp.NewStreaming(ctx, p)
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
			acc.add(int(ch.Index), ch.Text, "", string(ch.FinishReason))
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
