package metrics

import (
	"fmt"

	"github.com/rlef/rlef/verdict"
)

// Rates are the operational rates of a run. Infra rollouts are excluded
// from every rate and counted in InfraFailures.
type Rates struct {
	Rollouts int `json:"rollouts"`
	Turns    int `json:"turns"`
	// Solved counts rollouts whose final code is correct.
	Solved    int     `json:"solved"`
	MeanTurns float64 `json:"mean_turns"`
	// ExtractionFailures counts turns with verdict "invalid" (no code
	// extracted); the rate is per turn.
	ExtractionFailures    int     `json:"extraction_failures"`
	ExtractionFailureRate float64 `json:"extraction_failure_rate"`
	// Truncated counts truncated responses; the rate is per turn.
	Truncated      int     `json:"truncated"`
	TruncationRate float64 `json:"truncation_rate"`
	// Token totals over all turns.
	PromptTokens     int64 `json:"prompt_tokens"`
	CompletionTokens int64 `json:"completion_tokens"`
	// CompletionTokensPerTurn is the mean response length.
	CompletionTokensPerTurn float64 `json:"completion_tokens_per_turn"`
	// Per-solve costs: totals over all rollouts divided by Solved, the
	// cost of one correct final answer (0 when nothing was solved).
	PromptTokensPerSolve     float64 `json:"prompt_tokens_per_solve"`
	CompletionTokensPerSolve float64 `json:"completion_tokens_per_solve"`
	LatencyPerSolveSeconds   float64 `json:"latency_per_solve_seconds"`
	// Latency totals and means (model response time).
	LatencySeconds        float64 `json:"latency_seconds"`
	LatencyPerTurnSeconds float64 `json:"latency_per_turn_seconds"`
	InfraFailures         int     `json:"infra_failures"`
}

// ComputeRates returns the extraction-failure, truncation, token and
// latency rates of rs.
func ComputeRates(rs []Rollout) (Rates, error) {
	d, err := prepare(rs)
	if err != nil {
		return Rates{}, fmt.Errorf("rates: %w", err)
	}
	r := Rates{Rollouts: d.rollouts, InfraFailures: d.infra}
	var latency float64
	for _, p := range d.problems {
		for _, ro := range p.rollouts {
			if ro.FinalPassed {
				r.Solved++
			}
			for _, t := range ro.Turns {
				r.Turns++
				if t.Verdict == verdict.Invalid {
					r.ExtractionFailures++
				}
				if t.Truncated {
					r.Truncated++
				}
				r.PromptTokens += int64(t.PromptTokens)
				r.CompletionTokens += int64(t.CompletionTokens)
				latency += t.Latency.Seconds()
			}
		}
	}
	r.LatencySeconds = latency
	r.MeanTurns = ratio(float64(r.Turns), r.Rollouts)
	r.ExtractionFailureRate = ratio(float64(r.ExtractionFailures), r.Turns)
	r.TruncationRate = ratio(float64(r.Truncated), r.Turns)
	r.CompletionTokensPerTurn = ratio(float64(r.CompletionTokens), r.Turns)
	r.LatencyPerTurnSeconds = ratio(latency, r.Turns)
	r.PromptTokensPerSolve = ratio(float64(r.PromptTokens), r.Solved)
	r.CompletionTokensPerSolve = ratio(float64(r.CompletionTokens), r.Solved)
	r.LatencyPerSolveSeconds = ratio(latency, r.Solved)
	return r, nil
}

// ratio is x/n, or 0 when n is 0 (JSON has no NaN).
func ratio(x float64, n int) float64 {
	if n == 0 {
		return 0
	}
	return x / float64(n)
}
