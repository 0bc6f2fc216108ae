package llmtest

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// generation is one successful answer, ready to encode.
type generation struct {
	id      int
	chat    bool
	model   string
	created int64
	choices []Choice
	usage   usage
}

type usage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	TotalTokens      int `json:"total_tokens"`
}

func (g generation) idString() string {
	if g.chat {
		return fmt.Sprintf("chatcmpl-llmtest-%d", g.id)
	}
	return fmt.Sprintf("cmpl-llmtest-%d", g.id)
}

// body is the non-streaming response.
func (g generation) body() map[string]any {
	choices := make([]map[string]any, len(g.choices))
	for i, c := range g.choices {
		ch := map[string]any{"index": i, "finish_reason": c.FinishReason, "logprobs": nil}
		if g.chat {
			msg := map[string]any{"role": "assistant", "content": c.Text}
			if c.Reasoning != "" {
				msg["reasoning_content"] = c.Reasoning
				if c.Text == "" {
					msg["content"] = nil // as vLLM sends when the reply is all reasoning
				}
			}
			ch["message"] = msg
		} else {
			ch["text"] = c.Text
		}
		choices[i] = ch
	}
	object := "text_completion"
	if g.chat {
		object = "chat.completion"
	}
	return map[string]any{
		"id": g.idString(), "object": object, "created": g.created, "model": g.model,
		"choices": choices, "usage": g.usage,
	}
}

// events returns the stream's data payloads, [DONE] excluded.
func (g generation) events(chunkSize int, includeUsage bool) [][]byte {
	object := "text_completion"
	if g.chat {
		object = "chat.completion.chunk"
	}
	chunk := func(choices []map[string]any) []byte {
		b, _ := json.Marshal(map[string]any{
			"id": g.idString(), "object": object, "created": g.created, "model": g.model, "choices": choices,
		})
		return b
	}
	var out [][]byte
	for i, c := range g.choices {
		if g.chat {
			out = append(out, chunk([]map[string]any{{"index": i, "delta": map[string]any{"role": "assistant", "content": ""}, "finish_reason": nil}}))
			for _, piece := range split(c.Reasoning, chunkSize) {
				out = append(out, chunk([]map[string]any{{"index": i, "delta": map[string]any{"reasoning_content": piece}, "finish_reason": nil}}))
			}
			for _, piece := range split(c.Text, chunkSize) {
				out = append(out, chunk([]map[string]any{{"index": i, "delta": map[string]any{"content": piece}, "finish_reason": nil}}))
			}
			out = append(out, chunk([]map[string]any{{"index": i, "delta": map[string]any{}, "finish_reason": c.FinishReason}}))
		} else {
			for _, piece := range split(c.Text, chunkSize) {
				out = append(out, chunk([]map[string]any{{"index": i, "text": piece, "finish_reason": nil, "logprobs": nil}}))
			}
			out = append(out, chunk([]map[string]any{{"index": i, "text": "", "finish_reason": c.FinishReason, "logprobs": nil}}))
		}
	}
	if includeUsage {
		b, _ := json.Marshal(map[string]any{
			"id": g.idString(), "object": object, "created": g.created, "model": g.model,
			"choices": []any{}, "usage": g.usage,
		})
		out = append(out, b)
	}
	return out
}

// split cuts s into pieces of at most n runes.
func split(s string, n int) []string {
	var out []string
	r := []rune(s)
	for len(r) > 0 {
		k := min(n, len(r))
		out = append(out, string(r[:k]))
		r = r[k:]
	}
	return out
}

// writeStream sends the generation as server-sent events; truncate stops
// half-way without [DONE] and drops the connection.
func (s *Server) writeStream(w http.ResponseWriter, g generation, includeUsage, truncate bool) {
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	flusher, _ := w.(http.Flusher)
	events := g.events(s.chunkSize, includeUsage)
	if truncate {
		events = events[:len(events)/2]
	}
	for _, e := range events {
		if _, err := fmt.Fprintf(w, "data: %s\n\n", e); err != nil {
			return
		}
		if flusher != nil {
			flusher.Flush()
		}
	}
	if truncate {
		panic(http.ErrAbortHandler)
	}
	fmt.Fprint(w, "data: [DONE]\n\n")
	if flusher != nil {
		flusher.Flush()
	}
}
