package metrics

import (
	"fmt"
	"strings"
)

// ChangeStats summarises how much code changed from turn From to turn To.
type ChangeStats struct {
	From int `json:"from"`
	To   int `json:"to"`
	// Skipped counts turn pairs left out because either turn has no code
	// (for example an invalid response).
	Skipped int `json:"skipped"`
	// Change describes 1 − chrF(code_To, code_From) over the measured
	// pairs: 0 for identical code, 1 for code sharing no character.
	Change Dist `json:"change"`
}

// CodeChange measures the code change between successive responses as
// 1 − chrF (the paper's Fig. 3), with the later code as hypothesis and the
// earlier as reference (chrF is asymmetric; β = 2 weights recall of the
// earlier code). It returns the raw values per transition t−1 → t (index 0
// is 1 → 2) and their summaries. Infra rollouts are left out.
func CodeChange(rs []Rollout) ([][]float64, []ChangeStats, error) {
	d, err := prepare(rs)
	if err != nil {
		return nil, nil, fmt.Errorf("code change: %w", err)
	}
	n := max(d.maxTurns-1, 0)
	values := make([][]float64, n)
	stats := make([]ChangeStats, n)
	for i := range stats {
		stats[i] = ChangeStats{From: i + 1, To: i + 2}
	}
	for _, p := range d.problems {
		for _, r := range p.rollouts {
			for t := 1; t < len(r.Turns); t++ {
				prev, cur := r.Turns[t-1].Code, r.Turns[t].Code
				if strings.TrimSpace(prev) == "" || strings.TrimSpace(cur) == "" {
					stats[t-1].Skipped++
					continue
				}
				values[t-1] = append(values[t-1], 1-ChrF(cur, prev))
			}
		}
	}
	for i := range stats {
		stats[i].Change = Describe(values[i])
	}
	return values, stats, nil
}
