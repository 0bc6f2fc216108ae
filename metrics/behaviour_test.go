package metrics

import (
	"testing"

	"github.com/rlef/rlef/verdict"
)

func TestAnalyzeBehaviour(t *testing.T) {
	rs := []Rollout{
		ro("a", true, WA, AC),
		ro("a", true, WA, RE, AC),
		ro("b", false, TLE, TLE, TLE),
		ro("b", true, AC),
		ro("c", false, INV, WA, WA),
		{Problem: "c", Infra: true, Turns: []Turn{{Verdict: verdict.SandboxError}}},
	}
	b, err := AnalyzeBehaviour(rs)
	if err != nil {
		t.Fatal(err)
	}
	if b.Rollouts != 5 || len(b.Turns) != 3 {
		t.Fatalf("rollouts %d, turns %d; want 5, 3", b.Rollouts, len(b.Turns))
	}
	type counts = map[verdict.Verdict]int
	wantOutcomes := []counts{
		{AC: 1, WA: 2, TLE: 1, INV: 1},
		{AC: 1, RE: 1, TLE: 1, WA: 1},
		{AC: 1, TLE: 1, WA: 1},
	}
	wantResponses := []int{5, 4, 3}
	// Transitions at turns 2 and 3: from → (errors, fixed, to-counts).
	type tr struct {
		errors, fixed int
		to            counts
	}
	wantTrans := []map[verdict.Verdict]tr{
		nil,
		{WA: {2, 1, counts{AC: 1, RE: 1}}, TLE: {1, 0, counts{TLE: 1}}, INV: {1, 0, counts{WA: 1}}},
		{RE: {1, 1, counts{AC: 1}}, TLE: {1, 0, counts{TLE: 1}}, WA: {1, 0, counts{WA: 1}}},
	}
	for i, tb := range b.Turns {
		if tb.Turn != i+1 || tb.Responses != wantResponses[i] {
			t.Errorf("turn %d: number %d, responses %d, want %d", i+1, tb.Turn, tb.Responses, wantResponses[i])
		}
		if len(tb.Outcomes) != 8 || tb.Outcomes[0].Verdict != AC {
			t.Errorf("turn %d: outcomes %+v, want the 8 standard ones, accepted first", i+1, tb.Outcomes)
		}
		for _, vc := range tb.Outcomes {
			if vc.Count != wantOutcomes[i][vc.Verdict] || vc.Label != Category(vc.Verdict) {
				t.Errorf("turn %d %s: %d (%s), want %d", i+1, vc.Verdict, vc.Count, vc.Label, wantOutcomes[i][vc.Verdict])
			}
		}
		if i == 0 {
			if tb.Transitions != nil {
				t.Errorf("turn 1 has transitions %+v", tb.Transitions)
			}
			continue
		}
		if len(tb.Transitions) != 7 {
			t.Errorf("turn %d: %d transition rows, want 7 failure categories", i+1, len(tb.Transitions))
		}
		for _, row := range tb.Transitions {
			w := wantTrans[i][row.From]
			if row.Errors != w.errors || row.Fixed != w.fixed {
				t.Errorf("turn %d from %s: errors %d fixed %d, want %d %d", i+1, row.From, row.Errors, row.Fixed, w.errors, w.fixed)
			}
			for _, vc := range row.To {
				if vc.Count != w.to[vc.Verdict] {
					t.Errorf("turn %d %s → %s: %d, want %d", i+1, row.From, vc.Verdict, vc.Count, w.to[vc.Verdict])
				}
			}
		}
	}
}

func TestCategory(t *testing.T) {
	want := map[verdict.Verdict]string{
		WA: "OUTPUT", RE: "EXCEPTION", TLE: "TIMEOUT", MLE: "OOM", OLE: "OUTPUT_LIMIT",
		CE: "COMPILE_ERROR", INV: "INVALID", AC: "ACCEPTED", verdict.OK: "OK", verdict.SandboxError: "SANDBOX_ERROR",
	}
	for v, w := range want {
		if got := Category(v); got != w {
			t.Errorf("Category(%s) = %q, want %q", v, got, w)
		}
	}
}

// Without early stopping an accepted turn may be followed by another; it
// gets its own transition row.
func TestAnalyzeBehaviourNoEarlyStop(t *testing.T) {
	b, err := AnalyzeBehaviour([]Rollout{ro("a", true, AC, AC)})
	if err != nil {
		t.Fatal(err)
	}
	rows := b.Turns[1].Transitions
	last := rows[len(rows)-1]
	if len(rows) != 8 || last.From != AC || last.Errors != 1 || last.Fixed != 1 {
		t.Errorf("rows %+v", rows)
	}
}
