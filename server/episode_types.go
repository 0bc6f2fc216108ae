package server

import (
	"github.com/rlef/rlef/episode"
	"github.com/rlef/rlef/judge"
	"github.com/rlef/rlef/llm"
)

// Message is one dialogue turn, OpenAI style.
type Message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// EpisodeCreateResponse is what POST /v1/episodes returns.
type EpisodeCreateResponse struct {
	EpisodeID string `json:"episode_id"`
	Problem   string `json:"problem"`
	Benchmark string `json:"benchmark"`
	MaxTurns  int    `json:"max_turns"`
	// Messages is the initial dialogue (the user prompt; with prefilling,
	// also the assistant message to continue).
	Messages []Message `json:"messages"`
	// PromptText is Messages rendered in the requested chat template with
	// the generation prompt (and the prefill) appended.
	PromptText *string `json:"prompt_text,omitempty"`
	// Prefill is the text every response continues ("" without).
	Prefill string `json:"prefill,omitempty"`
}

// TestVerdict is one test's verdict.
type TestVerdict struct {
	Index   int    `json:"index"`
	Verdict string `json:"verdict"`
}

// SuiteSummary is a test suite's outcome with per-test verdicts.
type SuiteSummary struct {
	Name    string        `json:"name"`
	Verdict string        `json:"verdict"`
	Passed  int           `json:"passed"`
	Total   int           `json:"total"`
	Tests   []TestVerdict `json:"tests"`
}

func summarize(sr *judge.SuiteResult) *SuiteSummary {
	if sr == nil {
		return nil
	}
	s := &SuiteSummary{Name: sr.Name, Verdict: string(sr.Verdict), Passed: sr.Passed, Total: sr.Total,
		Tests: make([]TestVerdict, len(sr.Tests))}
	for i, t := range sr.Tests {
		s.Tests[i] = TestVerdict{Index: t.Index, Verdict: string(t.Verdict)}
	}
	return s
}

// EpisodeStepResponse is what POST /v1/episodes/{id}/step returns.
type EpisodeStepResponse struct {
	EpisodeID string `json:"episode_id"`
	// Turn counts from 1.
	Turn int  `json:"turn"`
	Done bool `json:"done"`
	// Verdict is the turn's public-test verdict (accepted, the first
	// failure's verdict, or invalid when no code was found).
	Verdict string `json:"verdict"`
	// Public holds the public tests' per-test verdicts (null for an
	// invalid turn).
	Public *SuiteSummary `json:"public"`
	// PublicPassed: this turn's code passed the public tests.
	PublicPassed bool `json:"public_passed"`
	// Feedback is the next user message ("" when done).
	Feedback string `json:"feedback"`
	// FeedbackText is Feedback rendered in the episode's chat template:
	// the user turn plus the next assistant header (what a trainer
	// appends after the model's turn). Absent without a template or when
	// done.
	FeedbackText *string `json:"feedback_text,omitempty"`
	// TurnReward is this turn's reward: −0.2 for a non-final turn without
	// code, the final reward on the last turn, else 0.
	TurnReward Float `json:"turn_reward"`
	// FinalReward (+1 or −1) and Return (the sum of turn rewards) are set
	// when done.
	FinalReward *Float `json:"final_reward,omitempty"`
	Return      *Float `json:"return,omitempty"`
	// Passed is the final verdict: the last code passed the private tests
	// (and the public ones where the benchmark requires it). False until
	// done.
	Passed bool `json:"passed"`
	// Final holds the final suites' verdicts when done.
	Final []SuiteSummary `json:"final,omitempty"`
	// Code and Rule are the extracted code and the rule that found it.
	Code string `json:"code"`
	Rule string `json:"rule"`
	// InfraError is set when the episode ended for infrastructure reasons
	// (sandbox failure): not a verdict about the model; no final reward.
	InfraError string `json:"infra_error,omitempty"`
	// QueueWaitSeconds is how long the step waited for a judging slot
	// (never counted in a program's time limit).
	QueueWaitSeconds float64 `json:"queue_wait_seconds"`
}

// TurnSummary is one recorded turn in an episode's state.
type TurnSummary struct {
	Turn     int    `json:"turn"`
	Verdict  string `json:"verdict"`
	Reward   Float  `json:"reward"`
	Code     string `json:"code"`
	Rule     string `json:"rule"`
	Feedback string `json:"feedback,omitempty"`
}

// EpisodeState is what GET /v1/episodes/{id} returns.
type EpisodeState struct {
	EpisodeID   string         `json:"episode_id"`
	Problem     string         `json:"problem"`
	Benchmark   string         `json:"benchmark"`
	MaxTurns    int            `json:"max_turns"`
	Turn        int            `json:"turn"`
	Done        bool           `json:"done"`
	Passed      bool           `json:"passed"`
	FinalReward *Float         `json:"final_reward,omitempty"`
	Return      *Float         `json:"return,omitempty"`
	InfraError  string         `json:"infra_error,omitempty"`
	Messages    []Message      `json:"messages"`
	Turns       []TurnSummary  `json:"turns"`
	Final       []SuiteSummary `json:"final,omitempty"`
	IdleSeconds float64        `json:"idle_seconds"`
}

func messages(msgs []llm.Message) []Message {
	out := make([]Message, len(msgs))
	for i, m := range msgs {
		out[i] = Message{Role: m.Role, Content: m.Content}
	}
	return out
}

func finalSummaries(ep *episode.Episode) []SuiteSummary {
	var out []SuiteSummary
	for i := range ep.Final {
		out = append(out, *summarize(&ep.Final[i]))
	}
	return out
}
