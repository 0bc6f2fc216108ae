package report

import (
	"fmt"
	"io"
	"strconv"
	"strings"
)

// WriteMarkdown writes the report of one or more analysed runs: an
// overview, then each run's settings, status and tables.
func WriteMarkdown(w io.Writer, as []*Analysis) error {
	var b strings.Builder
	b.WriteString("# rlef report\n\n")
	if len(as) > 1 {
		mdTable(&b, overviewHeader(), overviewRows(as))
	}
	for _, a := range as {
		writeRunMarkdown(&b, a)
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	return nil
}

func overviewHeader() []string {
	return []string{"run", "directory", "benchmark", "status", "solve rate 1@T % (95% CI)"}
}

func overviewRows(as []*Analysis) [][]string {
	rows := make([][]string, len(as))
	for i, a := range as {
		rate := "–"
		if a.Summary != nil {
			rate = a.Summary.SolveRate.Name + ": " + ci(a.Summary.SolveRate.Estimate)
		}
		rows[i] = []string{a.Label, a.Run.Dir, benchmark(a.Run), a.Run.Progress(), rate}
	}
	return rows
}

// benchmark names the run's benchmark and data version.
func benchmark(r *Run) string {
	if r.Info == nil {
		return "unknown"
	}
	if r.Info.DataVersion == "" {
		return r.Info.Benchmark
	}
	return r.Info.Benchmark + " @ " + shortVersion(r.Info.DataVersion)
}

// shortVersion shortens a long hash.
func shortVersion(v string) string {
	if len(v) > 12 {
		return v[:12]
	}
	return v
}

// settingsLine describes a run's configuration in one sentence.
func settingsLine(r *Run) string {
	i := r.Info
	if i == nil {
		return "No run description is stored; settings are unknown and the turn limit is taken from the longest rollout."
	}
	parts := []string{
		fmt.Sprintf("benchmark %s", benchmark(r)),
		fmt.Sprintf("%d problems × %d samples", len(i.Problems), i.Samples),
		fmt.Sprintf("turn limit %d", i.Turns),
		"temperature " + optFloat(i.Temperature),
		"top-p " + optFloat(i.TopP),
		"feedback " + orDash(i.Feedback),
		"profile " + orDash(i.Profile),
		"API " + orDash(i.API),
	}
	if i.MaxTokens > 0 {
		parts = append(parts, "max tokens "+strconv.Itoa(i.MaxTokens))
	}
	if i.Language != "" {
		parts = append(parts, "language "+i.Language)
	}
	return "Model " + orDash(i.Model) + "; " + strings.Join(parts, ", ") + "."
}

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}

func writeRunMarkdown(b *strings.Builder, a *Analysis) {
	fmt.Fprintf(b, "## %s — %s\n\n", a.Label, a.Run.Dir)
	b.WriteString(settingsLine(a.Run) + "\n\n")
	if a.Run.Finished() {
		fmt.Fprintf(b, "Status: %s.\n\n", a.Run.Progress())
	} else {
		fmt.Fprintf(b, "**Status: %s** — the numbers below cover only the episodes recorded so far.\n\n", a.Run.Progress())
	}
	if a.Summary == nil {
		fmt.Fprintf(b, "No metrics: %v.\n\n", a.Err)
		return
	}
	for _, t := range a.Tables() {
		fmt.Fprintf(b, "### %s\n\n", t.Title)
		if t.Note != "" {
			b.WriteString(t.Note + "\n\n")
		}
		mdTable(b, t.Header, t.Rows)
	}
	if len(a.Notes) > 0 {
		b.WriteString("### Not computed\n\n")
		for _, n := range a.Notes {
			b.WriteString("- " + n + "\n")
		}
		b.WriteString("\n")
	}
}
