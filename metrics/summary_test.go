package metrics

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"
)

func summaryRollouts() []Rollout {
	return []Rollout{
		ro("a", true, WA, AC), ro("a", false, WA, WA, WA), ro("a", true, AC), ro("a", false, AC),
		ro("b", true, AC), ro("b", true, AC), ro("b", false, TLE, TLE, TLE), ro("b", true, RE, RE, AC),
		{Problem: "c", Infra: true}, {Problem: "a", Infra: true},
	}
}

func TestSummarize(t *testing.T) {
	s, err := Summarize(summaryRollouts(), SummaryOptions{TurnLimit: 3, NAtK: []NK{{2, 6}, {10, 100}}, Bootstrap: Bootstrap{Seed: 1}})
	if err != nil {
		t.Fatal(err)
	}
	if s.Problems != 2 || s.Rollouts != 8 || s.InfraFailures != 2 || !slices.Equal(s.ProblemsWithoutData, []string{"c"}) {
		t.Errorf("counts: problems %d rollouts %d infra %d without data %v", s.Problems, s.Rollouts, s.InfraFailures, s.ProblemsWithoutData)
	}
	if s.MinRolloutsPerProblem != 4 || s.MaxRolloutsPerProblem != 4 || s.TurnLimit != 3 {
		t.Errorf("per problem %d..%d, T %d", s.MinRolloutsPerProblem, s.MaxRolloutsPerProblem, s.TurnLimit)
	}
	// a: 2 of 4 correct, b: 3 of 4.
	if s.SolveRate.Name != "1@3" || s.SolveRate.Rollouts != 1 {
		t.Errorf("solve rate %+v", s.SolveRate)
	}
	near(t, "1@3", s.SolveRate.Value, 0.625, 1e-12)
	// 2@6: two rollouts, both submitted: a 1 − C(2,2)/C(4,2) = 5/6, b 1.
	if len(s.NAtK) != 1 || s.NAtK[0].Name != "2@6" || s.NAtK[0].Rollouts != 2 {
		t.Fatalf("n@k %+v", s.NAtK)
	}
	near(t, "2@6", s.NAtK[0].Value, 11.0/12, 1e-12)
	if len(s.PassAtK) != 1 || s.PassAtK[0].K != 1 {
		t.Fatalf("pass@k %+v", s.PassAtK)
	}
	near(t, "pass@1", s.PassAtK[0].Value, 0.625, 1e-12)
	// Solved by turn: a 1/4, 2/4, 2/4; b 2/4, 2/4, 3/4.
	want := []float64{0.375, 0.5, 0.625}
	for i := range want {
		near(t, "solved by turn", s.SolvedByTurn[i], want[i], 1e-12)
	}
	// ST from first turns: a 1/2 (see the triples), b 1.
	if s.STvsMT == nil {
		t.Fatal("no ST vs MT")
	}
	near(t, "ST", s.STvsMT.ST.Value, 0.75, 1e-12)
	near(t, "MT", s.STvsMT.MT.Value, 0.625, 1e-12)
	if len(s.Skipped) != 2 || !strings.Contains(s.Skipped[0], "10@100") || !strings.Contains(s.Skipped[1], "pass@10") {
		t.Errorf("skipped %q", s.Skipped)
	}
	if s.Rates.Rollouts != 8 || s.Behaviour.Rollouts != 8 || len(s.CodeChange) != 2 {
		t.Errorf("rates/behaviour/code change: %d %d %d", s.Rates.Rollouts, s.Behaviour.Rollouts, len(s.CodeChange))
	}
}

// The JSON field names are a contract with summary.json readers.
func TestSummaryJSONFields(t *testing.T) {
	s, err := Summarize(summaryRollouts(), SummaryOptions{TurnLimit: 3})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"behaviour", "bootstrap", "ci", "code_change", "infra_failures", "max_rollouts_per_problem",
		"min_rollouts_per_problem", "n_at_k", "pass_at_k", "policy", "problems", "problems_without_data",
		"rates", "rollouts", "skipped", "solve_rate", "solved_by_turn", "st_vs_mt", "turn_limit",
	}
	got := slices.Sorted(maps.Keys(m))
	if !slices.Equal(got, want) {
		t.Errorf("summary keys\n got %v\nwant %v", got, want)
	}
	var sr map[string]any
	if err := json.Unmarshal(m["solve_rate"], &sr); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"name", "n", "k", "rollouts", "value", "ci_lo", "ci_hi"} {
		if _, ok := sr[k]; !ok {
			t.Errorf("solve_rate lacks %q: %s", k, m["solve_rate"])
		}
	}
	if string(m["policy"]) != `"filter_then_fill"` || string(m["n_at_k"]) != "[]" {
		t.Errorf("policy %s, n_at_k %s", m["policy"], m["n_at_k"])
	}
	var back Summary
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatalf("round trip: %v", err)
	}
	if back.SolveRate != s.SolveRate || back.Policy != s.Policy {
		t.Errorf("round trip changed the summary: %+v vs %+v", back.SolveRate, s.SolveRate)
	}
}

func TestSummarizeSingleTurnAndErrors(t *testing.T) {
	rs := []Rollout{ro("a", true, AC), ro("a", false, WA)}
	s, err := Summarize(rs, SummaryOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if s.TurnLimit != 1 || s.STvsMT != nil || len(s.CodeChange) != 0 || s.SolveRate.Name != "1@1" {
		t.Errorf("single-turn summary: %+v", s)
	}
	near(t, "1@1", s.SolveRate.Value, 0.5, 1e-12)
	if _, err := Summarize([]Rollout{{Problem: "a", Infra: true}}, SummaryOptions{}); err == nil {
		t.Error("no error without usable rollouts")
	}
	if _, err := Summarize(rs, SummaryOptions{PassK: []int{0}}); err == nil {
		t.Error("pass@0 accepted")
	}
	// No early stopping: the ST comparison is skipped, not fatal.
	s, err = Summarize([]Rollout{ro("a", true, AC, AC)}, SummaryOptions{TurnLimit: 2})
	if err != nil || s.STvsMT != nil || len(s.Skipped) != 2 {
		t.Errorf("no early stopping: %v, skipped %q", err, s.Skipped)
	}
}
