package episode

import (
	"time"

	"github.com/rlef/rlef/judge"
	"github.com/rlef/rlef/verdict"
)

// Rewards of the RLEF paper (§2.2): +1 when the final code passes all
// tests, −1 otherwise, −0.2 for a turn whose response holds no valid code.
const (
	RewardPass    = 1.0
	RewardFail    = -1.0
	RewardInvalid = -0.2
)

// Turn is one model response and what came of it.
type Turn struct {
	// Index counts from 1.
	Index int `json:"turn"`
	// User is the user message this turn answered: the initial prompt or
	// the previous turn's feedback.
	User string `json:"user"`
	// Prefill is assistant text the response continues (HumanEval+'s
	// prompt, when prefilling is on).
	Prefill string `json:"prefill,omitempty"`
	// Response is the model's reply exactly as returned; Reasoning its
	// reasoning (reasoning_content or a <think> block); Answer the reply
	// with the reasoning removed, which code is extracted from.
	Response  string `json:"response"`
	Reasoning string `json:"reasoning,omitempty"`
	Answer    string `json:"answer"`
	// Code is the extracted program; Rule names the extraction rule that
	// produced it ("" when none did: the turn is invalid).
	Code string `json:"code"`
	Rule string `json:"rule"`
	// Verdict is the public-test outcome of Code: accepted, the first
	// failure's verdict, or invalid when no code was extracted.
	Verdict verdict.Verdict `json:"verdict"`
	// Public holds the public-test results (nil for invalid turns).
	Public *judge.SuiteResult `json:"public,omitempty"`
	// Feedback is the user message sent after this turn ("" when the
	// episode ended here).
	Feedback string `json:"feedback,omitempty"`
	// Reward is this turn's reward: RewardInvalid for an invalid non-final
	// turn, the final reward on the last turn, 0 otherwise.
	Reward float64 `json:"reward"`
	// Model call facts.
	FinishReason     string        `json:"finish_reason,omitempty"`
	Truncated        bool          `json:"truncated,omitempty"`
	PromptTokens     int           `json:"prompt_tokens"`
	CompletionTokens int           `json:"completion_tokens"`
	Latency          time.Duration `json:"latency_ns"`
	Cached           bool          `json:"cached,omitempty"`
	Seed             int64         `json:"seed,omitempty"`
}

// Episode is one multi-turn rollout on one problem.
type Episode struct {
	Problem string `json:"problem"`
	Sample  int    `json:"sample"`
	Turns   []Turn `json:"turns"`
	// FinalCode is the code of the last turn; it is what gets judged.
	FinalCode string `json:"final_code"`
	// Final holds the final verdicts: the private suite, and the public
	// one when the set requires it (EvalPlus: base and plus).
	Final []judge.SuiteResult `json:"final,omitempty"`
	// Passed: the final code passed every test the set requires.
	Passed bool `json:"passed"`
	// Reward is the final reward (RewardPass or RewardFail).
	Reward float64 `json:"reward"`
	// Return is the episode's total reward (turn rewards plus the final
	// one), the quantity RL maximises.
	Return float64 `json:"return"`
	// Infra is set when the episode could not be completed for reasons
	// outside the model (server down, sandbox failure). Such episodes are
	// never scored as model failures.
	Infra string `json:"infra,omitempty"`
}

// PublicPassed reports whether the last turn passed the public tests.
func (e *Episode) PublicPassed() bool {
	return len(e.Turns) > 0 && e.Turns[len(e.Turns)-1].Verdict == verdict.Accepted
}
