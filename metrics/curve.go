package metrics

import "fmt"

// DefaultBudgets returns the sample budgets of a Fig. 4b-style curve.
func DefaultBudgets() []int {
	return []int{1, 3, 5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100}
}

// CurvePoint is the solve rate at one sample budget.
type CurvePoint struct {
	// K is the budget in responses.
	K int `json:"k"`
	// Rollouts is floor(K / turn limit), the rollouts drawn.
	Rollouts int `json:"rollouts"`
	Estimate
}

// SolveRateCurve returns n@k for each budget k in ks (in responses) for
// rollouts with the given turn limit, distributing each budget over
// floor(k/T) rollouts as in the paper's Fig. 4b. Budgets that buy no
// rollout, or more rollouts than some problem has, are left out; the
// points' K fields say which remain. All points share the same bootstrap
// replicates, so the curve's intervals move together; b.Method is
// resolved as in [SolveRateCI].
func SolveRateCurve(rs []Rollout, n, turnLimit int, ks []int, p Policy, b Bootstrap) ([]CurvePoint, error) {
	b, err := b.normalized()
	if err != nil {
		return nil, fmt.Errorf("solve-rate curve: %w", err)
	}
	d, err := prepare(rs)
	if err != nil {
		return nil, fmt.Errorf("solve-rate curve: %w", err)
	}
	if err := d.checkTurnLimit(turnLimit); err != nil {
		return nil, fmt.Errorf("solve-rate curve: %w", err)
	}
	t, err := d.table(finalView)
	if err != nil {
		return nil, fmt.Errorf("solve-rate curve: %w", err)
	}
	var points []CurvePoint
	var stats []statistic
	for _, k := range ks {
		s := Spec{N: n, K: k, TurnLimit: turnLimit, Policy: p}
		if s.Rollouts() < 1 || s.Rollouts() > d.minPer {
			continue
		}
		st, err := nAtKStat(d, t, s, 0)
		if err != nil {
			return nil, fmt.Errorf("solve-rate curve: %w", err)
		}
		points = append(points, CurvePoint{K: k, Rollouts: s.Rollouts()})
		stats = append(stats, st)
	}
	if len(points) == 0 {
		return nil, fmt.Errorf("solve-rate curve: none of the budgets %v fits turn limit %d and %d rollouts per problem", ks, turnLimit, d.minPer)
	}
	per := t.perProblem(stats)
	_, reps := t.replicates(stats, b, streamRollouts)
	for i := range points {
		points[i].Value = mean(per[i])
		points[i].Lo, points[i].Hi = b.interval(reps[i])
	}
	return points, nil
}
