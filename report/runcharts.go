package report

import (
	"fmt"
	"html/template"
	"slices"
	"strconv"

	"github.com/rlef/rlef/metrics"
	"github.com/rlef/rlef/verdict"
)

// categoryColor colours Fig. 3 outcome categories.
func categoryColor(v verdict.Verdict) string {
	switch v {
	case verdict.Accepted, verdict.OK:
		return "#2e7d32"
	case verdict.WrongAnswer:
		return "#ef6c00"
	case verdict.RuntimeError:
		return "#c62828"
	case verdict.TimeLimit:
		return "#6a1b9a"
	case verdict.MemoryLimit:
		return "#5d4037"
	case verdict.OutputLimit:
		return "#00838f"
	case verdict.CompileError:
		return "#ad1457"
	case verdict.Invalid:
		return "#9e9e9e"
	}
	return "#424242"
}

// Charts returns the run's charts: solve rate vs budget, solved by turn,
// outcomes per turn, errors fixed, code change.
func (a *Analysis) Charts(prefix string) []template.HTML {
	s := a.Summary
	if s == nil {
		return nil
	}
	var out []template.HTML
	if len(a.Curves) > 0 {
		var series []lineSeries
		for i, c := range a.Curves {
			series = append(series, curveSeries(c, c.Name, seriesColor(i)))
		}
		out = append(out, lineChart(prefix+"budget", "Solve rate vs sample budget (95% CI bands)", "sample budget k (responses)", "solve rate", series))
	}
	byTurn := lineSeries{Name: "solved by turn t", Color: palette[0]}
	for i, v := range s.SolvedByTurn {
		byTurn.Points = append(byTurn.Points, linePoint{X: float64(i + 1), Y: v, Lo: v, Hi: v, Tip: fmt.Sprintf("turn %d: %s%%", i+1, pct(v))})
	}
	out = append(out, lineChart(prefix+"by-turn", "Solved by turn", "turn", "rollouts solved", []lineSeries{byTurn}))
	out = append(out, a.outcomeChart(prefix+"outcomes"))
	if c, ok := a.fixChart(prefix + "fixes"); ok {
		out = append(out, c)
	}
	if len(a.Change) > 0 {
		var rows []boxRow
		for i, vs := range a.Change {
			rows = append(rows, boxRow{Name: fmt.Sprintf("turn %d → %d", i+1, i+2), Values: vs})
		}
		out = append(out, boxPlots(prefix+"code-change", "Code change between turns (1 − chrF)", "1 − chrF (0 = same code)", rows))
	}
	return out
}

// curveSeries turns a budget curve into a line series.
func curveSeries(c BudgetCurve, name, color string) lineSeries {
	ls := lineSeries{Name: name, Color: color, Dashed: c.TurnLimit == 1}
	for _, p := range c.Points {
		ls.Points = append(ls.Points, linePoint{X: float64(p.K), Y: p.Value, Lo: p.Lo, Hi: p.Hi,
			Tip: fmt.Sprintf("%s, k=%d (%d rollouts): %s", name, p.K, p.Rollouts, ci(p.Estimate))})
	}
	return ls
}

func (a *Analysis) outcomeChart(id string) template.HTML {
	b := a.Summary.Behaviour
	vs := shownVerdicts(b)
	segs := make([]stackSegment, len(vs))
	for i, v := range vs {
		segs[i] = stackSegment{Name: metrics.Category(v), Color: categoryColor(v)}
	}
	groups := make([]string, len(b.Turns))
	counts := make([][]int, len(b.Turns))
	for i, tb := range b.Turns {
		groups[i] = "turn " + strconv.Itoa(tb.Turn)
		for _, v := range vs {
			counts[i] = append(counts[i], outcomeCount(tb.Outcomes, v))
		}
	}
	return stackedBars(id, "Public-test outcome per turn (Fig. 3)", groups, segs, counts)
}

// fixCategories lists the failure categories with any error followed by
// a later turn.
func fixCategories(b metrics.Behaviour) []verdict.Verdict {
	var out []verdict.Verdict
	for _, tb := range b.Turns {
		for _, tr := range tb.Transitions {
			if tr.Errors > 0 && !slices.Contains(out, tr.From) {
				out = append(out, tr.From)
			}
		}
	}
	return out
}

func (a *Analysis) fixChart(id string) (template.HTML, bool) {
	b := a.Summary.Behaviour
	cats := fixCategories(b)
	if len(cats) == 0 {
		return "", false
	}
	groups := make([]string, len(cats))
	var series []string
	for _, tb := range b.Turns[1:] {
		series = append(series, fmt.Sprintf("fixed at turn %d", tb.Turn))
	}
	vals := make([][]barValue, len(cats))
	for i, c := range cats {
		groups[i] = metrics.Category(c)
		for _, tb := range b.Turns[1:] {
			bv := barValue{Tip: fmt.Sprintf("%s at turn %d → passed at turn %d: –", metrics.Category(c), tb.Turn-1, tb.Turn)}
			for _, tr := range tb.Transitions {
				if tr.From == c && tr.Errors > 0 {
					bv.V = float64(tr.Fixed) / float64(tr.Errors)
					bv.Tip = fmt.Sprintf("%s at turn %d → passed at turn %d: %s", metrics.Category(c), tb.Turn-1, tb.Turn, frac(tr.Fixed, tr.Errors))
				}
			}
			vals[i] = append(vals[i], bv)
		}
	}
	return groupedBars(id, "Errors fixed at the next turn, by category (Fig. 3)", "errors fixed", groups, series, vals), true
}
