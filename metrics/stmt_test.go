package metrics

import (
	"strings"
	"testing"
)

// Four rollouts of one problem. Final answers: r1 and r2 correct, so MT
// 1@3 = 2/4. First responses as single-turn samples: only r1's passes the
// public tests (and is correct); 1@3 draws three of four and is solved
// whenever r1 is among them: 3/4.
func stmtRollouts() []Rollout {
	return []Rollout{
		ro("p", true, AC),
		ro("p", true, WA, AC),
		ro("p", false, WA, WA, WA),
		ro("p", false, TLE, AC),
	}
}

func TestCompareSTMTFirstTurns(t *testing.T) {
	res, err := CompareSTMT(stmtRollouts(), nil, STMTOptions{Bootstrap: Bootstrap{Seed: 1}})
	if err != nil {
		t.Fatal(err)
	}
	near(t, "ST", res.ST.Value, 0.75, 1e-12)
	near(t, "MT", res.MT.Value, 0.5, 1e-12)
	near(t, "diff", res.Diff.Value, -0.25, 1e-12)
	if res.STSource != STFromFirstTurns || res.Problems != 1 {
		t.Errorf("source %q, problems %d", res.STSource, res.Problems)
	}
	if res.STSpec != SingleTurn(1, 3) || res.MTSpec != MultiTurn(1, 3, 3) {
		t.Errorf("specs %+v %+v", res.STSpec, res.MTSpec)
	}
	for _, e := range []Estimate{res.ST, res.MT, res.Diff} {
		if !(e.Lo <= e.Value && e.Value <= e.Hi) {
			t.Errorf("interval %+v does not bracket its value", e)
		}
	}
	// The same numbers through FirstTurns and SolveRate.
	first, err := FirstTurns(stmtRollouts())
	if err != nil {
		t.Fatal(err)
	}
	st, err := SolveRate(first, SingleTurn(1, 3))
	if err != nil {
		t.Fatal(err)
	}
	near(t, "ST via FirstTurns", st, 0.75, 1e-12)
}

func TestCompareSTMTSeparateRun(t *testing.T) {
	// Single-turn run: 2 of 4 samples pass public and are correct:
	// 1@3 = 1 − P(neither drawn) = 1 − C(2,3)/C(4,3) = 1.
	st := []Rollout{ro("p", true, AC), ro("p", true, AC), ro("p", false, WA), ro("p", false, RE)}
	res, err := CompareSTMT(stmtRollouts(), st, STMTOptions{})
	if err != nil {
		t.Fatal(err)
	}
	near(t, "ST", res.ST.Value, 1, 1e-12)
	near(t, "MT", res.MT.Value, 0.5, 1e-12)
	if res.STSource != STFromSingleTurnRun {
		t.Errorf("source %q", res.STSource)
	}

	_, err = CompareSTMT(stmtRollouts(), []Rollout{ro("q", true, AC), ro("q", true, AC), ro("q", true, AC)}, STMTOptions{})
	if err == nil || !strings.Contains(err.Error(), `only in A ("q")`) {
		t.Errorf("different problems: %v", err)
	}
	_, err = CompareSTMT(stmtRollouts(), stmtRollouts(), STMTOptions{})
	if err == nil || !strings.Contains(err.Error(), "turn limit 1") {
		t.Errorf("multi-turn ST run: %v", err)
	}
}

func TestFirstTurnsRules(t *testing.T) {
	rs := []Rollout{
		ro("p", true, AC),     // final code is the first: correct
		ro("p", false, AC),    // final code is the first: incorrect
		ro("p", true, WA, AC), // first failed the public tests: incorrect
		{Problem: "p", Infra: true},
	}
	first, err := FirstTurns(rs)
	if err != nil {
		t.Fatal(err)
	}
	want := []bool{true, false, false, false}
	for i, r := range first {
		if r.FinalPassed != want[i] || (!r.Infra && len(r.Turns) != 1) {
			t.Errorf("rollout %d: %+v", i, r)
		}
	}
	if !first[3].Infra {
		t.Error("infra flag lost")
	}
	// Passing the public tests and continuing (no early stopping): unknown.
	_, err = FirstTurns([]Rollout{ro("p", true, AC, AC)})
	if err == nil || !strings.Contains(err.Error(), "unknown") {
		t.Errorf("no early stopping: %v", err)
	}
}
