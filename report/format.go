package report

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/rlef/rlef/metrics"
)

// pct formats a fraction as a percentage with one decimal: 0.375 → "37.5".
func pct(x float64) string { return strconv.FormatFloat(100*x, 'f', 1, 64) }

// signedPct formats a difference as a signed percentage: "+3.1", "−2.0".
func signedPct(x float64) string {
	s := pct(x)
	switch {
	case s == "0.0" || s == "-0.0":
		return "0.0"
	case strings.HasPrefix(s, "-"):
		return "−" + s[1:]
	default:
		return "+" + s
	}
}

// ci formats an estimate as the paper does: "37.5 (30.0–45.0)".
func ci(e metrics.Estimate) string {
	return fmt.Sprintf("%s (%s–%s)", pct(e.Value), pct(e.Lo), pct(e.Hi))
}

// signedCI formats a difference with its interval: "+3.1 (−1.0–+7.2)".
func signedCI(e metrics.Estimate) string {
	return fmt.Sprintf("%s (%s to %s)", signedPct(e.Value), signedPct(e.Lo), signedPct(e.Hi))
}

// frac formats a count out of a total with its percentage: "3/40 (7.5%)".
func frac(n, total int) string {
	if total == 0 {
		return "–"
	}
	return fmt.Sprintf("%d/%d (%s%%)", n, total, pct(float64(n)/float64(total)))
}

// num formats a float with up to d decimals and thousands kept plain.
func num(x float64, d int) string { return strconv.FormatFloat(x, 'f', d, 64) }

// pvalue formats a p-value: "0.003", "<0.001".
func pvalue(p float64) string {
	if p < 0.001 {
		return "<0.001"
	}
	return strconv.FormatFloat(p, 'f', 3, 64)
}

// seconds formats a duration in seconds.
func seconds(s float64) string {
	return time.Duration(s * float64(time.Second)).Round(time.Millisecond).String()
}

// optFloat formats an optional float setting.
func optFloat(p *float64) string {
	if p == nil {
		return "default"
	}
	return strconv.FormatFloat(*p, 'g', -1, 64)
}

// mdCell escapes text for a Markdown table cell.
func mdCell(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	s = strings.ReplaceAll(s, "\r", "")
	return strings.ReplaceAll(s, "\n", " ")
}

// mdTable writes a Markdown table.
func mdTable(b *strings.Builder, header []string, rows [][]string) {
	b.WriteString("| " + strings.Join(header, " | ") + " |\n|")
	for range header {
		b.WriteString("---|")
	}
	b.WriteString("\n")
	for _, r := range rows {
		cells := make([]string, len(r))
		for i, c := range r {
			cells[i] = mdCell(c)
		}
		b.WriteString("| " + strings.Join(cells, " | ") + " |\n")
	}
	b.WriteString("\n")
}
