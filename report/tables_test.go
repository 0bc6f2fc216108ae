package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/rlef/rlef/metrics"
)

// smallAnalysis analyses the hand-computed run with pass@1,2,3.
func smallAnalysis(t *testing.T) *Analysis {
	t.Helper()
	dir := writeRun(t, baseInfo("small-model", []string{"p1", "p2"}, 4, 3), smallEpisodes())
	a := Analyze(loadRun(t, dir), Options{PassK: []int{1, 2, 3}, Bootstrap: metrics.Bootstrap{Resamples: 50, Seed: 3}})
	if a.Err != nil {
		t.Fatal(a.Err)
	}
	return a
}

// TestTablesHandComputed checks every table against values worked out by
// hand from smallEpisodes (see its comment).
func TestTablesHandComputed(t *testing.T) {
	a := smallAnalysis(t)
	cases := []struct {
		table, row, col, want string
	}{
		// p1: 2 of 4 correct, p2: 2 of 3 (infra excluded): (1/2 + 2/3)/2.
		{"solve-rates", "1@3", "estimate %", "58.3"},
		{"solve-rates", "pass@1", "estimate %", "58.3"},
		// pass@2: p1 1 − C(2,2)/C(4,2) = 5/6, p2 1 (n−c < k): 11/12.
		{"solve-rates", "pass@2", "estimate %", "91.7"},
		{"solve-rates", "pass@3", "estimate %", "100.0"},
		// Solved by turn: t1 (0 + 1/3)/2, t2 (1/4 + 2/3)/2, t3 (1/2 + 2/3)/2.
		{"by-turn", "1", "solved by this turn %", "16.7"},
		{"by-turn", "2", "solved by this turn %", "45.8"},
		{"by-turn", "3", "solved by this turn %", "58.3"},
		{"by-turn", "1", "rollouts reaching it", "7"},
		{"by-turn", "2", "public tests passed", "2/5 (40.0%)"},
		{"by-turn", "3", "rollouts reaching it", "3"},
		// ST: p1's first responses are never correct, p2's [AC] sample is
		// always among the three drawn: (0 + 1)/2; MT 7/12.
		{"st-vs-mt", "ST (3 independent responses)", "1@3 %", "50.0"},
		{"st-vs-mt", "MT (one rollout, up to 3 turns)", "1@3 %", "58.3"},
		{"st-vs-mt", "MT − ST", "1@3 %", "+8.3"},
		// Fig. 3 outcomes.
		{"outcomes", "1", "responses", "7"},
		{"outcomes", "1", "ACCEPTED", "2/7 (28.6%)"},
		{"outcomes", "1", "OUTPUT", "3/7 (42.9%)"},
		{"outcomes", "1", "EXCEPTION", "1/7 (14.3%)"},
		{"outcomes", "1", "INVALID", "1/7 (14.3%)"},
		{"outcomes", "2", "TIMEOUT", "1/5 (20.0%)"},
		{"outcomes", "3", "EXCEPTION", "1/3 (33.3%)"},
		// Errors fixed.
		{"fixes", "OUTPUT", "at turn 1", "3"},
		{"fixes", "OUTPUT", "fixed at turn 2", "1/3 (33.3%)"},
		{"fixes", "EXCEPTION", "fixed at turn 2", "1/1 (100.0%)"},
		{"fixes", "EXCEPTION", "fixed at turn 3", "–"},
		{"fixes", "INVALID", "fixed at turn 2", "0/1 (0.0%)"},
		{"fixes", "OUTPUT", "fixed at turn 3", "0/2 (0.0%)"},
		{"fixes", "TIMEOUT", "fixed at turn 3", "1/1 (100.0%)"},
		{"fixes", "all errors", "at turn 1", "5"},
		{"fixes", "all errors", "fixed at turn 2", "2/5 (40.0%)"},
		{"fixes", "all errors", "fixed at turn 3", "1/3 (33.3%)"},
		// Code change: 1→2 has four pairs (the invalid turn skipped), two
		// of them resubmitting the same code; 2→3 three pairs, one same.
		{"code-change", "1 → 2", "pairs", "4"},
		{"code-change", "1 → 2", "skipped (no code)", "1"},
		{"code-change", "1 → 2", "identical", "2/4 (50.0%)"},
		{"code-change", "2 → 3", "identical", "1/3 (33.3%)"},
		// Rates: 15 usable turns, 4 of 7 rollouts solved, 100/50 tokens
		// and 1 s per turn.
		{"costs", "solved rollouts", "value", "4/7 (57.1%)"},
		{"costs", "turns per rollout", "value", "2.14"},
		{"costs", "extraction failures (invalid turns)", "value", "1/15 (6.7%)"},
		{"costs", "truncated responses", "value", "1/15 (6.7%)"},
		{"costs", "completion tokens per solved rollout", "value", "188"},
		{"costs", "prompt tokens per solved rollout", "value", "375"},
		{"costs", "model latency per solved rollout", "value", "3.75s"},
		{"costs", "infrastructure failures (excluded)", "value", "1"},
		{"infra", "sandbox: cgroup setup failed: permission denied", "episodes", "1"},
		{"infra", "sandbox: cgroup setup failed: permission denied", "example", "p2 #3"},
	}
	for _, c := range cases {
		tb := a.Table(c.table)
		if tb == nil {
			t.Errorf("no table %q", c.table)
			continue
		}
		if got := tb.Cell(c.row, c.col); got != c.want {
			t.Errorf("%s[%s][%s] = %q, want %q", c.table, c.row, c.col, got, c.want)
		}
	}
}

// The CI cells bracket the estimate and the budget table has its curves.
func TestTablesIntervals(t *testing.T) {
	a := smallAnalysis(t)
	tb := a.Table("budget")
	if tb == nil {
		t.Fatal("no budget table")
	}
	if got := strings.Join(tb.Header, ","); got != "budget k,MT 1@k,ST 1@k" {
		t.Errorf("budget header %q", got)
	}
	// k=3 buys one rollout (MT = 1@3) and three first responses (ST).
	if got, want := tb.Cell("3", "MT 1@k"), "58.3 ("; !strings.HasPrefix(got, want) {
		t.Errorf("MT 1@3 cell %q, want prefix %q", got, want)
	}
	if got, want := tb.Cell("3", "ST 1@k"), "50.0 ("; !strings.HasPrefix(got, want) {
		t.Errorf("ST 1@3 cell %q, want prefix %q", got, want)
	}
	// ST at k=1: p1 never, p2 1/3: 1/6.
	if got, want := tb.Cell("1", "ST 1@k"), "16.7 ("; !strings.HasPrefix(got, want) {
		t.Errorf("ST 1@1 cell %q, want prefix %q", got, want)
	}
	if got := tb.Cell("1", "MT 1@k"); got != "–" {
		t.Errorf("MT at k=1 buys no rollout, cell %q", got)
	}
	s := a.Summary
	if !(s.SolveRate.Lo <= s.SolveRate.Value && s.SolveRate.Value <= s.SolveRate.Hi) {
		t.Errorf("CI %v does not bracket the estimate", s.SolveRate.Estimate)
	}
}

func TestMarkdownReport(t *testing.T) {
	a := smallAnalysis(t)
	var b bytes.Buffer
	if err := WriteMarkdown(&b, []*Analysis{a}); err != nil {
		t.Fatal(err)
	}
	md := b.String()
	for _, want := range []string{
		"# rlef report", "## small-model", "Status: finished, 8/8 episodes.",
		"### Solve rates", "| 1@3 | 58.3 |", "### Single-turn vs multi-turn at a budget of 3 responses (Table 2)",
		"### Errors fixed at later turns (Fig. 3)", "### Code change between turns (1 − chrF)",
		"### Infrastructure failures", "temperature 0.2, top-p 0.95",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q:\n%s", want, md)
		}
	}
}

// Infra failures are excluded from the metrics and counted.
func TestRolloutsInfra(t *testing.T) {
	eps := smallEpisodes()
	eps = append(eps, ep("p3", 0, false, WA, verdictSandbox))
	rs, infra := Rollouts(eps)
	if len(rs) != len(eps) {
		t.Fatalf("%d rollouts for %d episodes", len(rs), len(eps))
	}
	if len(infra) != 2 || infra[0].Reason != "sandbox: cgroup setup failed: permission denied" || !strings.Contains(infra[1].Reason, "turn 2") {
		t.Errorf("infra %+v", infra)
	}
	if !rs[7].Infra || !rs[8].Infra || rs[0].Infra {
		t.Errorf("infra flags wrong")
	}
}
