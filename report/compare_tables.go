package report

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/rlef/rlef/metrics"
)

// Tables returns the comparison's tables: Table 2, the paired
// differences and the settings side by side.
func (c *Comparison) Tables() []Table {
	return []Table{c.table2(), c.pairedTable(), c.settingsTable()}
}

func (c *Comparison) table2() Table {
	t := Table{
		ID:     "table2",
		Title:  "Single-turn vs multi-turn at an equal budget (Table 2)",
		Note:   "Solve rates in % with 95% CIs (200 bootstrap resamples by default). ST takes each rollout's first response as an independent sample; MT is one rollout of up to T turns; both spend T responses. " + ciMethodsNote,
		Header: []string{"run", "benchmark", "status", "problems", "ST", "MT", "MT − ST", "intervals"},
	}
	maxT := 1
	for _, a := range c.Analyses {
		maxT = max(maxT, a.TurnLimit())
	}
	for _, a := range c.Analyses {
		row := []string{a.Label, benchmark(a.Run), a.Run.Progress(), "–", "–", "–", "–", "–"}
		if s := a.Summary; s != nil {
			row[3] = strconv.Itoa(s.Problems)
			row[7] = ciLabel(s.CI)
			switch {
			case s.TurnLimit == 1:
				// A single-turn run: independent samples at the largest
				// budget among the runs.
				spec := metrics.SingleTurn(1, maxT)
				if e, err := metrics.SolveRateCI(a.usable(), spec, c.opts.Bootstrap); err == nil {
					row[4] = spec.String() + " " + ci(e)
				} else {
					row[4] = err.Error()
				}
			default:
				row[5] = s.SolveRate.Name + " " + ci(s.SolveRate.Estimate)
			}
			if x := s.STvsMT; x != nil {
				row[4] = x.STSpec.String() + " " + ci(x.ST)
				row[6] = signedCI(x.Diff)
			}
		} else {
			row[5] = fmt.Sprintf("no data: %v", a.Err)
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

func (c *Comparison) pairedTable() Table {
	t := Table{
		ID:     "paired",
		Title:  "Paired differences (B − A, same problems)",
		Note:   "B − A in percentage points; its 95% CI resamples problems with both runs' per-problem solve rates kept together; p is a two-sided paired sign-flip permutation test over per-problem solve rates; \"better / worse / tied\" counts problems where B is above, below or equal to A. \"intervals\" names the bootstrap of the A % and B % intervals (under two-level both runs share the problem draws). " + ciMethodsNote,
		Header: []string{"B", "A", "setting", "A %", "B %", "B − A (95% CI)", "p", "B better / worse / tied", "intervals"},
	}
	for _, p := range c.Pairs {
		a, b := c.Analyses[p.A], c.Analyses[p.B]
		for _, r := range p.Results {
			t.Rows = append(t.Rows, []string{
				b.Label, a.Label, r.Setting, ci(r.A), ci(r.B), signedCI(r.Diff), pvalue(r.PValue),
				fmt.Sprintf("%d / %d / %d", r.Wins, r.Losses, r.Ties), ciLabel(r.CI),
			})
		}
	}
	return t
}

// ciMethodsNote explains the values of the "intervals" columns.
const ciMethodsNote = "Intervals: \"within\" is the paper's bootstrap (each problem's rollouts resampled, the problem set fixed; it measures sampling noise only); \"two-level\" resamples problems, then each drawn problem's rollouts, and is used automatically (--ci auto) when any problem has a single rollout, where the paper's would collapse to a point."

func (c *Comparison) settingsTable() Table {
	t := Table{ID: "settings", Title: "Settings", Header: []string{"setting"}}
	for _, a := range c.Analyses {
		t.Header = append(t.Header, a.Label)
	}
	fields := []struct {
		name string
		get  func(r *Run) string
	}{
		{"directory", func(r *Run) string { return r.Dir }},
		{"status", func(r *Run) string { return r.Progress() }},
		{"model", func(r *Run) string { return r.Info.Model }},
		{"benchmark", func(r *Run) string { return r.Info.Benchmark }},
		{"data version", func(r *Run) string { return clip(r.Info.DataVersion, 24) }},
		{"problems", func(r *Run) string { return strconv.Itoa(len(r.Info.Problems)) }},
		{"turns", func(r *Run) string { return strconv.Itoa(r.Info.Turns) }},
		{"samples", func(r *Run) string { return strconv.Itoa(r.Info.Samples) }},
		{"temperature", func(r *Run) string { return optFloat(r.Info.Temperature) }},
		{"top-p", func(r *Run) string { return optFloat(r.Info.TopP) }},
		{"max tokens", func(r *Run) string { return maxTokens(r.Info.MaxTokens) }},
		{"feedback", func(r *Run) string { return r.Info.Feedback }},
		{"extraction", func(r *Run) string { return r.Info.Extraction }},
		{"profile", func(r *Run) string { return r.Info.Profile }},
		{"API", func(r *Run) string { return r.Info.API }},
		{"language", func(r *Run) string { return r.Info.Language }},
	}
	for i, f := range fields {
		row := []string{f.name}
		for _, a := range c.Analyses {
			if a.Run.Info == nil && i > 1 {
				row = append(row, "unknown")
				continue
			}
			row = append(row, f.get(a.Run))
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// pairNotes lists, per compared pair, the accepted differences, dropped
// problems and uncomputed settings.
func (c *Comparison) pairNotes() []string {
	var out []string
	for _, p := range c.Pairs {
		name := fmt.Sprintf("%s vs %s", c.Analyses[p.B].Label, c.Analyses[p.A].Label)
		if len(p.Allowed) > 0 {
			ds := make([]string, len(p.Allowed))
			for i, d := range p.Allowed {
				ds[i] = d.String()
			}
			out = append(out, fmt.Sprintf("%s: compared despite different settings (--allow-different-settings): %s", name, strings.Join(ds, "; ")))
		}
		if len(p.LeftOut) > 0 {
			out = append(out, fmt.Sprintf("%s: %d problems left out because one run has no usable rollout for them: %s", name, len(p.LeftOut), listNames(p.LeftOut, 10)))
		}
		for _, n := range p.Notes {
			out = append(out, fmt.Sprintf("%s: %s", name, n))
		}
	}
	return out
}

// WriteMarkdown writes the comparison as Markdown.
func (c *Comparison) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	b.WriteString("# rlef compare\n\n")
	for _, t := range c.Tables() {
		fmt.Fprintf(&b, "## %s\n\n", t.Title)
		if t.Note != "" {
			b.WriteString(t.Note + "\n\n")
		}
		if len(t.Rows) == 0 {
			b.WriteString("No pair could be compared.\n\n")
			continue
		}
		mdTable(&b, t.Header, t.Rows)
	}
	if notes := c.pairNotes(); len(notes) > 0 {
		b.WriteString("## Notes\n\n")
		for _, n := range notes {
			b.WriteString("- " + n + "\n")
		}
		b.WriteString("\n")
	}
	if len(c.Refused) > 0 {
		b.WriteString("## Refused paired comparisons\n\n")
		for _, r := range c.Refused {
			b.WriteString("- " + r.Err.Error() + "\n")
		}
		b.WriteString("\n")
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write comparison: %w", err)
	}
	return nil
}
