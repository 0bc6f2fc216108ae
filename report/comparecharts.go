package report

import (
	"fmt"
	"html/template"
	"slices"

	"github.com/rlef/rlef/metrics"
)

// Charts returns the comparison's charts: ST and MT per run with CIs,
// the paired differences, solve rate vs budget for every run, errors
// fixed per category and code change per run.
func (c *Comparison) Charts() []template.HTML {
	var out []template.HTML
	var groups []string
	var vals [][]barValue
	for _, a := range c.Analyses {
		if a.Summary == nil || a.Summary.STvsMT == nil {
			continue
		}
		x := a.Summary.STvsMT
		groups = append(groups, a.Label)
		vals = append(vals, []barValue{
			{V: x.ST.Value, Lo: x.ST.Lo, Hi: x.ST.Hi, HasCI: true, Tip: fmt.Sprintf("%s ST %s: %s", a.Label, x.STSpec, ci(x.ST))},
			{V: x.MT.Value, Lo: x.MT.Lo, Hi: x.MT.Hi, HasCI: true, Tip: fmt.Sprintf("%s MT %s: %s", a.Label, x.MTSpec, ci(x.MT))},
		})
	}
	if len(groups) > 0 {
		out = append(out, groupedBars("cmp-table2", "Single-turn vs multi-turn at equal budget (Table 2)", "solve rate", groups, []string{"ST (independent samples)", "MT (one rollout)"}, vals))
	}
	var rows []intervalRow
	for _, p := range c.Pairs {
		for _, r := range p.Results {
			name := fmt.Sprintf("%s − %s, %s", c.Analyses[p.B].Label, c.Analyses[p.A].Label, r.Setting)
			rows = append(rows, intervalRow{Name: name, V: r.Diff.Value, Lo: r.Diff.Lo, Hi: r.Diff.Hi,
				Tip: fmt.Sprintf("%s: %s points, p = %s", name, signedCI(r.Diff), pvalue(r.PValue))})
		}
	}
	if len(rows) > 0 {
		out = append(out, intervalPlot("cmp-paired", "Paired differences B − A (95% CI)", "difference in solve rate (points)", rows))
	}
	var series []lineSeries
	for i, a := range c.Analyses {
		for _, name := range []string{"MT 1@k", "ST 1@k"} {
			if cv := a.curve(name); cv != nil {
				series = append(series, curveSeries(*cv, a.Label+" "+name[:2], seriesColor(i)))
			}
		}
	}
	if len(series) > 0 {
		out = append(out, lineChart("cmp-budget", "Solve rate vs sample budget, 1@k (dashed: ST)", "sample budget k (responses)", "solve rate", series))
	}
	if ch, ok := c.fixChart(); ok {
		out = append(out, ch)
	}
	var boxes []boxRow
	for _, a := range c.Analyses {
		var all []float64
		for _, vs := range a.Change {
			all = append(all, vs...)
		}
		if a.Summary != nil {
			boxes = append(boxes, boxRow{Name: a.Label, Values: all})
		}
	}
	if len(boxes) > 0 {
		out = append(out, boxPlots("cmp-code-change", "Code change between successive turns (1 − chrF)", "1 − chrF (0 = same code)", boxes))
	}
	return out
}

// fixChart compares, per failure category, the share of errors fixed at
// the next turn (all turns pooled) across runs.
func (c *Comparison) fixChart() (template.HTML, bool) {
	var cats []string
	type tally struct{ fixed, errors int }
	per := make([]map[string]tally, len(c.Analyses))
	for i, a := range c.Analyses {
		per[i] = map[string]tally{}
		if a.Summary == nil {
			continue
		}
		for _, tb := range a.Summary.Behaviour.Turns {
			for _, tr := range tb.Transitions {
				if tr.Errors == 0 {
					continue
				}
				l := metrics.Category(tr.From)
				if !slices.Contains(cats, l) {
					cats = append(cats, l)
				}
				t := per[i][l]
				t.fixed += tr.Fixed
				t.errors += tr.Errors
				per[i][l] = t
			}
		}
	}
	if len(cats) == 0 {
		return "", false
	}
	names := make([]string, len(c.Analyses))
	vals := make([][]barValue, len(cats))
	for i, a := range c.Analyses {
		names[i] = a.Label
	}
	for gi, cat := range cats {
		for i, a := range c.Analyses {
			t := per[i][cat]
			bv := barValue{Tip: fmt.Sprintf("%s, %s: %s fixed at the next turn", a.Label, cat, frac(t.fixed, t.errors))}
			if t.errors > 0 {
				bv.V = float64(t.fixed) / float64(t.errors)
			}
			vals[gi] = append(vals[gi], bv)
		}
	}
	return groupedBars("cmp-fixes", "Errors fixed at the next turn, by category (Fig. 3)", "errors fixed", cats, names, vals), true
}
