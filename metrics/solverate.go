package metrics

import "fmt"

// SolveRate is the n@k solve rate of s: the mean over problems of the exact
// per-problem estimate [NAtK], with each usable rollout a unit and
// s.Rollouts() units drawn.
func SolveRate(rs []Rollout, s Spec) (float64, error) {
	_, t, st, err := prepareSpec(rs, s)
	if err != nil {
		return 0, err
	}
	return mean(t.perProblem([]statistic{st})[0]), nil
}

// SolveRates returns the per-problem n@k estimates of s, keyed by problem.
func SolveRates(rs []Rollout, s Spec) (map[string]float64, error) {
	d, t, st, err := prepareSpec(rs, s)
	if err != nil {
		return nil, err
	}
	vals := t.perProblem([]statistic{st})[0]
	out := make(map[string]float64, len(vals))
	for i, p := range d.problems {
		out[p.name] = vals[i]
	}
	return out, nil
}

// SolveRateCI is the n@k solve rate of s with a percentile-bootstrap
// interval over b.Resamples replicates at b.Level. Under [CIWithin] (the
// paper's) a replicate redraws each problem's rollouts with replacement,
// the problem set fixed; under [CITwoLevel] it first draws the problems
// with replacement; [CIAuto] picks two-level when some problem has a
// single rollout. [SolveRateCIChoice] also says which was used.
func SolveRateCI(rs []Rollout, s Spec, b Bootstrap) (Estimate, error) {
	e, _, err := SolveRateCIChoice(rs, s, b)
	return e, err
}

// SolveRateCIChoice is [SolveRateCI] that also returns which bootstrap
// it used and why.
func SolveRateCIChoice(rs []Rollout, s Spec, b Bootstrap) (Estimate, CIChoice, error) {
	b, err := b.normalized()
	if err != nil {
		return Estimate{}, CIChoice{}, err
	}
	_, t, st, err := prepareSpec(rs, s)
	if err != nil {
		return Estimate{}, CIChoice{}, err
	}
	stats := []statistic{st}
	e := Estimate{Value: mean(t.perProblem(stats)[0])}
	c, reps := t.replicates(stats, b, streamRollouts)
	e.Lo, e.Hi = b.interval(reps[0])
	return e, c, nil
}

// prepareSpec validates rs against s and returns the final-code table and
// the n@k statistic (view 0).
func prepareSpec(rs []Rollout, s Spec) (*dataset, *table, statistic, error) {
	d, err := prepare(rs)
	if err != nil {
		return nil, nil, statistic{}, fmt.Errorf("%v: %w", s, err)
	}
	t, err := d.table(finalView)
	if err != nil {
		return nil, nil, statistic{}, fmt.Errorf("%v: %w", s, err)
	}
	if err := d.checkTurnLimit(s.TurnLimit); err != nil {
		return nil, nil, statistic{}, fmt.Errorf("%v: %w", s, err)
	}
	st, err := nAtKStat(d, t, s, 0)
	if err != nil {
		return nil, nil, statistic{}, err
	}
	return d, t, st, nil
}

// nAtKStat checks that every problem has enough rollouts for s and returns
// the statistic computing n@k of s on view v. The caller checks the turn
// limit.
func nAtKStat(d *dataset, t *table, s Spec, v int) (statistic, error) {
	if err := s.validate(); err != nil {
		return statistic{}, err
	}
	if len(d.problems) == 0 {
		return statistic{}, fmt.Errorf("%v: no problem has a usable rollout", s)
	}
	units := s.Rollouts()
	if d.minPer < units {
		for _, p := range d.problems {
			if len(p.rollouts) < units {
				return statistic{}, fmt.Errorf("%v with turn limit %d needs %d rollouts per problem; problem %q has %d", s, s.TurnLimit, units, p.name, len(p.rollouts))
			}
		}
	}
	lf := newLogFact(t.maxK)
	return statistic{view: v, eval: func(c Counts) float64 {
		return nAtK(lf, c, s.N, units, s.Policy)
	}}, nil
}
