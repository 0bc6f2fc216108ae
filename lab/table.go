package lab

import (
	"fmt"
	"strings"
)

// Table renders the run's headline numbers as Markdown.
func Table(s *Summary) string {
	var b strings.Builder
	fmt.Fprintf(&b, "| | multi-turn 1@3 | single-turn 1@3 | MT − ST (p) | random feedback | no feedback | fixed at turn 2 / 3 |\n|---|---|---|---|---|---|---|\n")
	for _, e := range s.Evaluations {
		fix := e.FixRates["rlef"]
		fixes := "–"
		if len(fix) >= 2 {
			fixes = fmt.Sprintf("%.0f%% / %.0f%%", 100*fix[0], 100*fix[1])
		}
		fmt.Fprintf(&b, "| %s RL | %s | %s | %+.1f (p = %.2g) | %s | %s | %s |\n", e.Tag, pct(e.MT.Value, e.MT.Lo, e.MT.Hi), pct(e.ST.Value, e.ST.Lo, e.ST.Hi),
			100*(e.MT.Value-e.ST.Value), e.MTvsST.PValue, pct(e.Random.Value, e.Random.Lo, e.Random.Hi), pct(e.None.Value, e.None.Lo, e.None.Hi), fixes)
	}
	f := s.Findings
	fmt.Fprintf(&b, "\ntraining return %.3f → %.3f (first and last third of %d iterations); ", f.ReturnFirst, f.ReturnLast, len(s.Training))
	fmt.Fprintf(&b, "before RL: MT ≈ ST (p ≥ 0.05): %v; after RL: MT > ST with p < 0.05: %v; true > random feedback: %v; return rises: %v\n", f.BeforeSimilar, f.MTAfterGreater, f.TrueGreater, f.ReturnRises)
	return b.String()
}

func pct(v, lo, hi float64) string {
	return fmt.Sprintf("%.1f%% [%.1f, %.1f]", 100*v, 100*lo, 100*hi)
}
