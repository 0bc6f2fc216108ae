package metrics

import (
	"testing"
	"time"
)

func TestComputeRates(t *testing.T) {
	tu := func(v verdictT, trunc bool, p, c int, ms int) Turn {
		return Turn{Verdict: v, Truncated: trunc, PromptTokens: p, CompletionTokens: c, Latency: time.Duration(ms) * time.Millisecond}
	}
	rs := []Rollout{
		{Problem: "a", FinalPassed: true, Turns: []Turn{tu(INV, true, 100, 50, 1000), tu(AC, false, 200, 30, 500)}},
		{Problem: "a", Turns: []Turn{tu(WA, false, 100, 20, 250), tu(INV, false, 300, 40, 250), tu(WA, true, 400, 60, 1000)}},
		{Problem: "b", FinalPassed: true, Turns: []Turn{tu(AC, false, 80, 10, 1000)}},
		{Problem: "b", Infra: true, Turns: []Turn{tu(INV, true, 999, 999, 99000)}},
	}
	r, err := ComputeRates(rs)
	if err != nil {
		t.Fatal(err)
	}
	want := Rates{
		Rollouts: 3, Turns: 6, Solved: 2, MeanTurns: 2,
		ExtractionFailures: 2, ExtractionFailureRate: 2.0 / 6,
		Truncated: 2, TruncationRate: 2.0 / 6,
		PromptTokens: 1180, CompletionTokens: 210, CompletionTokensPerTurn: 35,
		PromptTokensPerSolve: 590, CompletionTokensPerSolve: 105, LatencyPerSolveSeconds: 2,
		LatencySeconds: 4, LatencyPerTurnSeconds: 4.0 / 6, InfraFailures: 1,
	}
	if r != want {
		t.Errorf("rates\n got %+v\nwant %+v", r, want)
	}
	// Nothing solved: per-solve costs are 0, not infinite.
	r, err = ComputeRates([]Rollout{ro("a", false, WA)})
	if err != nil || r.PromptTokensPerSolve != 0 || r.LatencyPerSolveSeconds != 0 {
		t.Errorf("unsolved: %+v, %v", r, err)
	}
}
