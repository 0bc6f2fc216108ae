package report

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/rlef/rlef/metrics"
	"github.com/rlef/rlef/verdict"
)

// Table is one rendered table: Markdown and HTML draw the same cells.
type Table struct {
	// ID is stable and unique within a run ("solve-rates", "fixes", …).
	ID     string
	Title  string
	Note   string
	Header []string
	Rows   [][]string
}

// Cell returns the cell in the row whose first cell is key, under the
// column named col, or "" when there is none.
func (t *Table) Cell(key, col string) string {
	c := slices.Index(t.Header, col)
	if c < 0 {
		return ""
	}
	for _, r := range t.Rows {
		if len(r) > c && r[0] == key {
			return r[c]
		}
	}
	return ""
}

// Tables returns the run's tables in report order; nil without a summary.
func (a *Analysis) Tables() []Table {
	if a.Summary == nil {
		return nil
	}
	ts := []Table{a.solveRateTable(), a.byTurnTable()}
	if t, ok := a.stmtTable(); ok {
		ts = append(ts, t)
	}
	if t, ok := a.budgetTable(); ok {
		ts = append(ts, t)
	}
	ts = append(ts, a.outcomeTable())
	if t, ok := a.fixTable(); ok {
		ts = append(ts, t)
	}
	if t, ok := a.changeTable(); ok {
		ts = append(ts, t)
	}
	ts = append(ts, a.costTable())
	if t, ok := a.infraTable(); ok {
		ts = append(ts, t)
	}
	return ts
}

// Table returns the table with the given id, or nil.
func (a *Analysis) Table(id string) *Table {
	for _, t := range a.Tables() {
		if t.ID == id {
			return &t
		}
	}
	return nil
}

func (a *Analysis) solveRateTable() Table {
	s := a.Summary
	t := Table{
		ID:     "solve-rates",
		Title:  "Solve rates",
		Note:   fmt.Sprintf("%d problems, %d usable rollouts (%d–%d per problem); 95%% CIs from %d bootstrap resamples: %s.", s.Problems, s.Rollouts, s.MinRolloutsPerProblem, s.MaxRolloutsPerProblem, s.Bootstrap.Resamples, s.CI.Reason),
		Header: []string{"metric", "estimate %", "95% CI", "what"},
	}
	row := func(name string, e metrics.Estimate, what string) {
		t.Rows = append(t.Rows, []string{name, pct(e.Value), pct(e.Lo) + "–" + pct(e.Hi), what})
	}
	row(s.SolveRate.Name, s.SolveRate.Estimate, fmt.Sprintf("one rollout of up to %d turns, final code submitted", s.TurnLimit))
	for _, r := range s.NAtK {
		row(r.Name, r.Estimate, fmt.Sprintf("%d rollouts of up to %d turns, %d submitted", r.Rollouts, s.TurnLimit, r.N))
	}
	for _, p := range s.PassAtK {
		row("pass@"+strconv.Itoa(p.K), p.Estimate, fmt.Sprintf("some final answer correct among k = %d rollouts (Chen et al.)", p.K))
	}
	return t
}

func (a *Analysis) byTurnTable() Table {
	s := a.Summary
	t := Table{
		ID:     "by-turn",
		Title:  "Per-turn solve curve",
		Note:   "Rollouts reaching each turn, their public-test passes there, and the share of rollouts solved by that turn (the solve rate a lower turn limit would give, counting a response that fails the public tests as incorrect).",
		Header: []string{"turn", "rollouts reaching it", "public tests passed", "solved by this turn %"},
	}
	for i := range s.TurnLimit {
		reach, acc := 0, 0
		if i < len(s.Behaviour.Turns) {
			tb := s.Behaviour.Turns[i]
			reach = tb.Responses
			acc = outcomeCount(tb.Outcomes, verdict.Accepted)
		}
		solved := 0.0
		if i < len(s.SolvedByTurn) {
			solved = s.SolvedByTurn[i]
		}
		t.Rows = append(t.Rows, []string{strconv.Itoa(i + 1), strconv.Itoa(reach), frac(acc, reach), pct(solved)})
	}
	return t
}

func (a *Analysis) stmtTable() (Table, bool) {
	x := a.Summary.STvsMT
	if x == nil {
		return Table{}, false
	}
	k := x.MTSpec.K
	t := Table{
		ID:     "st-vs-mt",
		Title:  fmt.Sprintf("Single-turn vs multi-turn at a budget of %d responses (Table 2)", k),
		Note:   "ST takes each rollout's first response as an independent sample (\"we consider the first generation of each sample only\"); MT is the rollout itself. The difference's interval pairs the resamples. Intervals: " + ciLabel(x.CI) + ".",
		Header: []string{"setting", x.MTSpec.String() + " %", "95% CI"},
	}
	t.Rows = [][]string{
		{fmt.Sprintf("ST (%d independent responses)", k), pct(x.ST.Value), pct(x.ST.Lo) + "–" + pct(x.ST.Hi)},
		{fmt.Sprintf("MT (one rollout, up to %d turns)", x.MTSpec.TurnLimit), pct(x.MT.Value), pct(x.MT.Lo) + "–" + pct(x.MT.Hi)},
		{"MT − ST", signedPct(x.Diff.Value), signedPct(x.Diff.Lo) + " to " + signedPct(x.Diff.Hi)},
	}
	return t, true
}

func (a *Analysis) budgetTable() (Table, bool) {
	if len(a.Curves) == 0 {
		return Table{}, false
	}
	var ks []int
	for _, c := range a.Curves {
		for _, p := range c.Points {
			ks = append(ks, p.K)
		}
	}
	slices.Sort(ks)
	ks = slices.Compact(ks)
	t := Table{
		ID:     "budget",
		Title:  "Solve rate vs sample budget (Fig. 4)",
		Note:   fmt.Sprintf("A budget of k responses buys floor(k/%d) rollouts (MT) or k independent first responses (ST); %% with 95%% CI; intervals: %s, as for the solve rates.", a.Summary.TurnLimit, ciLabel(a.Summary.CI)),
		Header: []string{"budget k"},
	}
	for _, c := range a.Curves {
		t.Header = append(t.Header, c.Name)
	}
	for _, k := range ks {
		row := []string{strconv.Itoa(k)}
		for _, c := range a.Curves {
			cell := "–"
			for _, p := range c.Points {
				if p.K == k {
					cell = ci(p.Estimate)
				}
			}
			row = append(row, cell)
		}
		t.Rows = append(t.Rows, row)
	}
	return t, true
}

// mainCategories are the outcome columns always shown in Fig. 3 tables.
var mainCategories = []verdict.Verdict{verdict.Accepted, verdict.WrongAnswer, verdict.RuntimeError, verdict.TimeLimit, verdict.MemoryLimit, verdict.Invalid}

// shownVerdicts returns the main categories plus any other verdict that
// occurs in the behaviour, in metrics' table order.
func shownVerdicts(b metrics.Behaviour) []verdict.Verdict {
	var out []verdict.Verdict
	for _, tb := range b.Turns {
		for _, vc := range tb.Outcomes {
			if (vc.Count > 0 || slices.Contains(mainCategories, vc.Verdict)) && !slices.Contains(out, vc.Verdict) {
				out = append(out, vc.Verdict)
			}
		}
	}
	if len(out) == 0 {
		out = slices.Clone(mainCategories)
	}
	return out
}

func outcomeCount(vcs []metrics.VerdictCount, v verdict.Verdict) int {
	for _, vc := range vcs {
		if vc.Verdict == v {
			return vc.Count
		}
	}
	return 0
}

func (a *Analysis) outcomeTable() Table {
	b := a.Summary.Behaviour
	vs := shownVerdicts(b)
	t := Table{
		ID:     "outcomes",
		Title:  "Public-test outcomes per turn (Fig. 3)",
		Note:   "OUTPUT = wrong answer, EXCEPTION = runtime error, TIMEOUT = time limit, OOM = memory limit, INVALID = no code extracted.",
		Header: []string{"turn", "responses"},
	}
	for _, v := range vs {
		t.Header = append(t.Header, metrics.Category(v))
	}
	for _, tb := range b.Turns {
		row := []string{strconv.Itoa(tb.Turn), strconv.Itoa(tb.Responses)}
		for _, v := range vs {
			row = append(row, frac(outcomeCount(tb.Outcomes, v), tb.Responses))
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

func (a *Analysis) fixTable() (Table, bool) {
	b := a.Summary.Behaviour
	if len(b.Turns) < 2 {
		return Table{}, false
	}
	t := Table{
		ID:     "fixes",
		Title:  "Errors fixed at later turns (Fig. 3)",
		Note:   "For each failure category at turn t−1: how many of the responses that went on to turn t passed the public tests there.",
		Header: []string{"error", "at turn 1"},
	}
	for _, tb := range b.Turns[1:] {
		t.Header = append(t.Header, fmt.Sprintf("fixed at turn %d", tb.Turn))
	}
	var cats []verdict.Verdict
	for _, v := range shownVerdicts(b) {
		if v != verdict.Accepted && v != verdict.OK {
			cats = append(cats, v)
		}
	}
	totalFirst := 0
	totals := make([][2]int, len(b.Turns)-1)
	for _, v := range cats {
		first := outcomeCount(b.Turns[0].Outcomes, v)
		totalFirst += first
		row := []string{metrics.Category(v), strconv.Itoa(first)}
		for i, tb := range b.Turns[1:] {
			fixed, errs := 0, 0
			for _, tr := range tb.Transitions {
				if tr.From == v {
					fixed, errs = tr.Fixed, tr.Errors
				}
			}
			totals[i][0] += fixed
			totals[i][1] += errs
			row = append(row, frac(fixed, errs))
		}
		t.Rows = append(t.Rows, row)
	}
	row := []string{"all errors", strconv.Itoa(totalFirst)}
	for _, tot := range totals {
		row = append(row, frac(tot[0], tot[1]))
	}
	t.Rows = append(t.Rows, row)
	return t, true
}

func (a *Analysis) changeTable() (Table, bool) {
	cs := a.Summary.CodeChange
	if len(cs) == 0 {
		return Table{}, false
	}
	t := Table{
		ID:     "code-change",
		Title:  "Code change between turns (1 − chrF)",
		Note:   "0 means the same code again, 1 code sharing no character n-gram with the previous turn's. Untuned models tend to resubmit near-identical code despite the feedback.",
		Header: []string{"transition", "pairs", "skipped (no code)", "mean", "Q1", "median", "Q3", "identical", "small change (< 0.1)"},
	}
	for i, c := range cs {
		ident, small := 0, 0
		if i < len(a.Change) {
			for _, v := range a.Change[i] {
				if v < 1e-9 {
					ident++
				}
				if v < 0.1 {
					small++
				}
			}
		}
		d := c.Change
		t.Rows = append(t.Rows, []string{
			fmt.Sprintf("%d → %d", c.From, c.To), strconv.Itoa(d.N), strconv.Itoa(c.Skipped),
			num(d.Mean, 3), num(d.Q1, 3), num(d.Median, 3), num(d.Q3, 3),
			frac(ident, d.N), frac(small, d.N),
		})
	}
	return t, true
}

func (a *Analysis) costTable() Table {
	r := a.Summary.Rates
	t := Table{
		ID:     "costs",
		Title:  "Responses and cost",
		Note:   "Per-solve costs divide totals over all usable rollouts by the rollouts whose final code is correct.",
		Header: []string{"measure", "value"},
	}
	perSolve := func(x float64, f func(float64) string) string {
		if r.Solved == 0 {
			return "– (nothing solved)"
		}
		return f(x)
	}
	tokens := func(x float64) string { return num(x, 0) }
	t.Rows = [][]string{
		{"solved rollouts", frac(r.Solved, r.Rollouts)},
		{"turns per rollout", num(r.MeanTurns, 2)},
		{"extraction failures (invalid turns)", frac(r.ExtractionFailures, r.Turns)},
		{"truncated responses", frac(r.Truncated, r.Turns)},
		{"completion tokens per turn", num(r.CompletionTokensPerTurn, 0)},
		{"prompt tokens per solved rollout", perSolve(r.PromptTokensPerSolve, tokens)},
		{"completion tokens per solved rollout", perSolve(r.CompletionTokensPerSolve, tokens)},
		{"model latency per turn", seconds(r.LatencyPerTurnSeconds)},
		{"model latency per solved rollout", perSolve(r.LatencyPerSolveSeconds, seconds)},
		{"infrastructure failures (excluded)", strconv.Itoa(r.InfraFailures)},
	}
	return t
}

func (a *Analysis) infraTable() (Table, bool) {
	if len(a.Infra) == 0 {
		return Table{}, false
	}
	type group struct {
		reason  string
		n       int
		example string
	}
	var gs []*group
	byReason := map[string]*group{}
	for _, f := range a.Infra {
		g := byReason[f.Reason]
		if g == nil {
			g = &group{reason: f.Reason, example: fmt.Sprintf("%s #%d", f.Problem, f.Sample)}
			byReason[f.Reason] = g
			gs = append(gs, g)
		}
		g.n++
	}
	slices.SortStableFunc(gs, func(x, y *group) int { return y.n - x.n })
	note := fmt.Sprintf("%s of the recorded episodes failed for reasons outside the model; they are excluded from every metric above.", frac(len(a.Infra), len(a.Rollouts)))
	if nd := a.Summary.ProblemsWithoutData; len(nd) > 0 {
		note += fmt.Sprintf(" Problems without any usable rollout (left out of every mean): %s.", listNames(nd, 10))
	}
	t := Table{ID: "infra", Title: "Infrastructure failures", Note: note, Header: []string{"reason", "episodes", "example"}}
	for _, g := range gs {
		t.Rows = append(t.Rows, []string{g.reason, strconv.Itoa(g.n), g.example})
	}
	return t, true
}

// ciLabel names the bootstrap behind a set of intervals in a few words:
// "within", "two-level (auto: 3 of 8 problems have a single rollout)",
// "within (requested; 3 of 8 problems have a single rollout)".
func ciLabel(c metrics.CIChoice) string {
	single := fmt.Sprintf("%d of %d problems have a single rollout", c.SingleRollout, c.Problems)
	switch {
	case c.Method == metrics.CITwoLevel && c.Requested == metrics.CIAuto:
		return "two-level (auto: " + single + ")"
	case c.Method == metrics.CIWithin && c.SingleRollout > 0:
		return "within (requested; " + single + ", so the intervals understate the uncertainty)"
	default:
		return string(c.Method)
	}
}

// listNames formats up to show names, with a count of the rest.
func listNames(names []string, show int) string {
	s := names[:min(len(names), show)]
	out := ""
	for i, n := range s {
		if i > 0 {
			out += ", "
		}
		out += strconv.Quote(n)
	}
	if len(names) > show {
		out += fmt.Sprintf(", … %d more", len(names)-show)
	}
	return out
}
