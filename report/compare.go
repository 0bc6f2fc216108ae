package report

import (
	"errors"
	"fmt"
	"slices"

	"github.com/rlef/rlef/metrics"
)

// Baselines of a comparison.
const (
	// BaselineFirst compares every run with the first (B − first).
	BaselineFirst = "first"
	// BaselinePrevious compares every run with the one before it, as in
	// base → Instruct → RL-tuned.
	BaselinePrevious = "previous"
)

// CompareOptions configure [Compare].
type CompareOptions struct {
	Options
	// AllowDifferentSettings accepts runs whose protocol settings differ
	// (never different problems).
	AllowDifferentSettings bool
	// Baseline is BaselineFirst (the default) or BaselinePrevious.
	Baseline string
}

// Comparison sets runs side by side (the paper's Table 2) with paired
// differences.
type Comparison struct {
	Analyses []*Analysis
	Pairs    []Pair
	// Refused lists the pairs that could not be compared, with why.
	Refused []Refusal
	opts    CompareOptions
}

// Pair is a paired comparison of run B with run A on the same problems.
type Pair struct {
	// A and B index Comparison.Analyses.
	A, B int
	// Results hold the single-turn and multi-turn comparisons (those the
	// data supports), each B − A.
	Results []PairResult
	// LeftOut lists problems dropped because one run has no usable
	// rollout for them (infrastructure failures).
	LeftOut []string
	// Allowed lists accepted protocol differences.
	Allowed []Difference
	// Notes explain comparisons that could not be computed.
	Notes []string
}

// PairResult is one setting's paired comparison.
type PairResult struct {
	// Setting is "ST 1@3" or "MT 1@3".
	Setting string
	metrics.Paired
}

// Refusal is a pair that was not compared.
type Refusal struct {
	A, B int
	Err  error
}

// Compare analyses runs and compares each with its baseline (the first
// run, or the previous one). Pairs that are not comparable are listed in
// Refused; Compare itself fails only with fewer than two runs.
func Compare(runs []*Run, o CompareOptions) (*Comparison, error) {
	if len(runs) < 2 {
		return nil, fmt.Errorf("compare: need at least two runs, got %d", len(runs))
	}
	switch o.Baseline {
	case "":
		o.Baseline = BaselineFirst
	case BaselineFirst, BaselinePrevious:
	default:
		return nil, fmt.Errorf("compare: unknown baseline %q (want %q or %q)", o.Baseline, BaselineFirst, BaselinePrevious)
	}
	c := &Comparison{Analyses: AnalyzeAll(runs, o.Options), opts: o}
	for j := 1; j < len(runs); j++ {
		i := 0
		if o.Baseline == BaselinePrevious {
			i = j - 1
		}
		p, err := c.pair(i, j)
		if err != nil {
			c.Refused = append(c.Refused, Refusal{A: i, B: j, Err: err})
			continue
		}
		c.Pairs = append(c.Pairs, p)
	}
	return c, nil
}

// Err joins the refusals into one error, or returns nil.
func (c *Comparison) Err() error {
	var errs []error
	for _, r := range c.Refused {
		errs = append(errs, r.Err)
	}
	return errors.Join(errs...)
}

func (c *Comparison) pair(i, j int) (Pair, error) {
	a, b := c.Analyses[i], c.Analyses[j]
	allowed, err := CheckComparable(a.Run, b.Run, c.opts.AllowDifferentSettings)
	if err != nil {
		return Pair{}, err
	}
	if a.Summary == nil || b.Summary == nil {
		return Pair{}, fmt.Errorf("cannot compare B = %s with A = %s: no usable rollouts (%v / %v)", b.Label, a.Label, a.Err, b.Err)
	}
	p := Pair{A: i, B: j, Allowed: allowed}
	ra, rb := a.usable(), b.usable()
	ra, rb, p.LeftOut = commonProblems(ra, rb)
	if len(ra) == 0 {
		return Pair{}, fmt.Errorf("cannot compare B = %s with A = %s: no problem has usable rollouts in both runs", b.Label, a.Label)
	}
	ta, tb := a.Summary.TurnLimit, b.Summary.TurnLimit
	po := metrics.PairedOptions{Bootstrap: c.opts.Bootstrap}
	if ta != tb && min(ta, tb) == 1 {
		// A single-turn run against a multi-turn one: Table 2 at the
		// multi-turn run's budget, k independent samples against one
		// rollout of up to k turns.
		k := max(ta, tb)
		res, err := metrics.ComparePaired(ra, rb, budgetSpec(ta, k), budgetSpec(tb, k), po)
		if err != nil {
			return Pair{}, fmt.Errorf("cannot compare B = %s with A = %s: %w", b.Label, a.Label, err)
		}
		name := fmt.Sprintf("%s 1@%d vs %s 1@%d", stOrMT(ta), k, stOrMT(tb), k)
		p.Results = append(p.Results, PairResult{Setting: name, Paired: res})
		return p, nil
	}
	fa, errA := metrics.FirstTurns(ra)
	fb, errB := metrics.FirstTurns(rb)
	if err := errors.Join(errA, errB); err != nil {
		p.Notes = append(p.Notes, fmt.Sprintf("single-turn: %v", err))
	} else if res, err := metrics.ComparePaired(fa, fb, metrics.SingleTurn(1, ta), metrics.SingleTurn(1, tb), po); err != nil {
		p.Notes = append(p.Notes, fmt.Sprintf("single-turn: %v", err))
	} else {
		p.Results = append(p.Results, PairResult{Setting: "ST " + settingName(ta, tb), Paired: res})
	}
	res, err := metrics.ComparePaired(ra, rb, metrics.MultiTurn(1, ta, ta), metrics.MultiTurn(1, tb, tb), po)
	if err != nil {
		p.Notes = append(p.Notes, fmt.Sprintf("multi-turn: %v", err))
	} else {
		p.Results = append(p.Results, PairResult{Setting: "MT " + settingName(ta, tb), Paired: res})
	}
	if len(p.Results) == 0 {
		return Pair{}, fmt.Errorf("cannot compare B = %s with A = %s: %v", b.Label, a.Label, p.Notes)
	}
	return p, nil
}

// budgetSpec is 1@k for a run with turn limit t: k independent samples
// when t = 1, else floor(k/t) rollouts.
func budgetSpec(t, k int) metrics.Spec {
	if t == 1 {
		return metrics.SingleTurn(1, k)
	}
	return metrics.MultiTurn(1, k, t)
}

func stOrMT(t int) string {
	if t == 1 {
		return "ST"
	}
	return "MT"
}

// settingName is "1@T", or "1@Ta vs 1@Tb" when the turn limits differ.
func settingName(ta, tb int) string {
	if ta == tb {
		return fmt.Sprintf("1@%d", ta)
	}
	return fmt.Sprintf("1@%d vs 1@%d", ta, tb)
}

// commonProblems keeps the rollouts of problems present in both lists
// and returns the problems dropped.
func commonProblems(a, b []metrics.Rollout) ([]metrics.Rollout, []metrics.Rollout, []string) {
	in := func(rs []metrics.Rollout) map[string]bool {
		m := map[string]bool{}
		for _, r := range rs {
			m[r.Problem] = true
		}
		return m
	}
	pa, pb := in(a), in(b)
	var left []string
	for p := range pa {
		if !pb[p] {
			left = append(left, p)
		}
	}
	for p := range pb {
		if !pa[p] {
			left = append(left, p)
		}
	}
	slices.Sort(left)
	keep := func(rs []metrics.Rollout, other map[string]bool) []metrics.Rollout {
		return slices.DeleteFunc(rs, func(r metrics.Rollout) bool { return !other[r.Problem] })
	}
	return keep(a, pb), keep(b, pa), left
}
