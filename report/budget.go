package report

import (
	"fmt"
	"slices"

	"github.com/rlef/rlef/metrics"
)

// BudgetCurve is n@k against the sample budget k (in responses) for one
// way of spending it: multi-turn rollouts (MT) or independent single-turn
// samples (ST, the rollouts' first responses).
type BudgetCurve struct {
	// Name is "MT n@k" or "ST n@k".
	Name      string `json:"name"`
	N         int    `json:"n"`
	TurnLimit int    `json:"turn_limit"`
	// Points are ordered by budget; consecutive budgets that buy the same
	// number of rollouts are merged (the first is kept).
	Points []metrics.CurvePoint `json:"points"`
}

// budgetGrid returns the budgets a curve is evaluated at: a roughly
// logarithmic grid of responses plus the multiples of the turn limit,
// up to limit.
func budgetGrid(turnLimit, limit int) []int {
	grid := []int{1, 2, 3, 5, 10, 20, 30, 50, 100, 200, 300, 500, 1000, 2000}
	for _, m := range []int{1, 2, 3, 5, 10, 20, 33, 50, 100} {
		grid = append(grid, m*turnLimit)
	}
	slices.Sort(grid)
	grid = slices.Compact(grid)
	return slices.DeleteFunc(grid, func(k int) bool { return k > limit })
}

// budgetCurves computes 1@k (and 10@k when there are at least ten
// rollouts per problem) for the multi-turn rollouts and for their first
// responses taken as independent single-turn samples (the paper's Fig. 4b
// "independent samples"; [metrics.FirstTurns]).
func budgetCurves(rs []metrics.Rollout, turnLimit, minPer int, o Options) ([]BudgetCurve, error) {
	ns := []int{1}
	if minPer >= 10 {
		ns = append(ns, 10)
	}
	var out []BudgetCurve
	var errs []error
	for _, n := range ns {
		pts, err := metrics.SolveRateCurve(rs, n, turnLimit, budgetGrid(turnLimit, turnLimit*minPer), o.Policy, o.Bootstrap)
		if err != nil {
			errs = append(errs, err)
		} else {
			out = append(out, BudgetCurve{Name: fmt.Sprintf("MT %d@k", n), N: n, TurnLimit: turnLimit, Points: mergeSameRollouts(pts)})
		}
	}
	if turnLimit > 1 {
		first, err := metrics.FirstTurns(rs)
		if err != nil {
			errs = append(errs, fmt.Errorf("single-turn curve: %w", err))
		} else {
			for _, n := range ns {
				pts, err := metrics.SolveRateCurve(first, n, 1, budgetGrid(1, minPer), o.Policy, o.Bootstrap)
				if err != nil {
					errs = append(errs, err)
					continue
				}
				out = append(out, BudgetCurve{Name: fmt.Sprintf("ST %d@k", n), N: n, TurnLimit: 1, Points: pts})
			}
		}
	}
	if len(errs) > 0 {
		return out, fmt.Errorf("solve rate vs budget: %v", errs)
	}
	return out, nil
}

// mergeSameRollouts drops points that buy as many rollouts as the point
// before them (their estimate is the same).
func mergeSameRollouts(pts []metrics.CurvePoint) []metrics.CurvePoint {
	out := pts[:0:0]
	for _, p := range pts {
		if len(out) > 0 && out[len(out)-1].Rollouts == p.Rollouts {
			continue
		}
		out = append(out, p)
	}
	return out
}

// curve returns the named curve, or nil.
func (a *Analysis) curve(name string) *BudgetCurve {
	for i := range a.Curves {
		if a.Curves[i].Name == name {
			return &a.Curves[i]
		}
	}
	return nil
}
