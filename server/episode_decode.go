package server

import (
	"encoding/json"
	"fmt"

	"github.com/rlef/rlef/episode"
	"github.com/rlef/rlef/llm/chattemplate"
)

// EpisodeCreateRequest starts an episode.
type EpisodeCreateRequest struct {
	// Problem names the problem like a /get_reward label (see
	// ResolveLabel); with Benchmark, it is an id within that benchmark.
	Problem   json.RawMessage `json:"problem"`
	Benchmark string          `json:"benchmark,omitempty"`
	// MaxTurns is the turn limit (default 3, the paper's).
	MaxTurns int `json:"max_turns"`
	// Feedback is rlef (default), none or random.
	Feedback string `json:"feedback"`
	// Extraction is the code-extraction rule (default last_fence).
	Extraction string `json:"extraction"`
	// Template, when set, renders the prompt (prompt_text) and every
	// feedback turn (feedback_text): llama3, deepseek-r1 or chatml.
	Template string `json:"template,omitempty"`
	// CloseAssistant starts each feedback_text with the end-of-turn token,
	// for trainers whose copy of the model's turn lacks it.
	CloseAssistant bool `json:"close_assistant,omitempty"`
	// ForceThink opens each rendered assistant turn with "<think>\n"
	// (deepseek-r1).
	ForceThink bool `json:"force_think,omitempty"`
	// OmitBOS leaves the begin-of-sequence token out of prompt_text.
	OmitBOS bool `json:"omit_bos,omitempty"`
	// Prefill starts HumanEval-style responses with the problem's prompt
	// (the paper's prefilling); the policy's text continues it.
	Prefill bool `json:"prefill,omitempty"`
	// Seed fixes the random-feedback ablation's choices.
	Seed int64 `json:"seed,omitempty"`
}

// DecodeEpisodeCreate validates a POST /v1/episodes body.
func DecodeEpisodeCreate(body []byte, maxTurns int) (*EpisodeCreateRequest, error) {
	o, err := decodeObject(body)
	if err != nil {
		return nil, err
	}
	req := &EpisodeCreateRequest{
		Benchmark:      o.str("benchmark", false, ""),
		MaxTurns:       int(o.integer("max_turns", episode.DefaultTurns)),
		Feedback:       o.str("feedback", false, string(episode.FeedbackRLEF)),
		Extraction:     o.str("extraction", false, string(episode.LastFence)),
		Template:       o.str("template", false, ""),
		CloseAssistant: o.boolean("close_assistant", false),
		ForceThink:     o.boolean("force_think", false),
		OmitBOS:        o.boolean("omit_bos", false),
		Prefill:        o.boolean("prefill", false),
		Seed:           o.integer("seed", 0),
	}
	if v, ok := o.get("problem"); !ok {
		o.missing("problem")
	} else if _, isStr := decodeString(v); !isStr && (len(v) == 0 || v[0] != '{') {
		o.fail([]any{"problem"}, "string_type", "Input should be a valid string (a problem id) or an object (an inline problem)", v)
	} else {
		req.Problem = v
	}
	if raw, ok := o.get("max_turns"); ok && (req.MaxTurns < 1 || req.MaxTurns > maxTurns) {
		o.fail([]any{"max_turns"}, "value_error", fmt.Sprintf("max_turns must be between 1 and %d", maxTurns), raw)
	}
	if _, err := episode.ParseFeedbackMode(req.Feedback); err != nil {
		raw, _ := o.get("feedback")
		o.fail([]any{"feedback"}, "value_error", err.Error(), raw)
	}
	if _, err := episode.ParseRule(req.Extraction); err != nil {
		raw, _ := o.get("extraction")
		o.fail([]any{"extraction"}, "value_error", err.Error(), raw)
	}
	if req.Template != "" {
		if _, err := chattemplate.Lookup(req.Template); err != nil {
			raw, _ := o.get("template")
			o.fail([]any{"template"}, "value_error", err.Error(), raw)
		}
	}
	if err := o.err(); err != nil {
		return nil, err
	}
	return req, nil
}

// EpisodeStepRequest is one policy response.
type EpisodeStepRequest struct {
	// AssistantText is the model's reply as generated (reasoning, if any,
	// in a <think> block, is split off before code is extracted).
	AssistantText string `json:"assistant_text"`
	// Truncated reports that generation hit its length limit (recorded).
	Truncated bool `json:"truncated,omitempty"`
}

// DecodeEpisodeStep validates a POST /v1/episodes/{id}/step body.
func DecodeEpisodeStep(body []byte) (*EpisodeStepRequest, error) {
	o, err := decodeObject(body)
	if err != nil {
		return nil, err
	}
	req := &EpisodeStepRequest{
		AssistantText: o.str("assistant_text", true, ""),
		Truncated:     o.boolean("truncated", false),
	}
	if err := o.err(); err != nil {
		return nil, err
	}
	return req, nil
}
