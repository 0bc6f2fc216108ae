package metrics

import "fmt"

// NK is an n@k budget: n submissions from k responses.
type NK struct {
	N int `json:"n"`
	K int `json:"k"`
}

// SummaryOptions configures [Summarize].
type SummaryOptions struct {
	// TurnLimit is the run's turn limit T; 0 means the longest rollout
	// seen (pass the configured limit: it may not have been reached).
	TurnLimit int `json:"turn_limit"`
	// PassK lists the k of pass@k over final answers; nil means {1, 10}.
	PassK []int `json:"pass_k"`
	// NAtK lists extra n@k budgets beside 1@T, for example {10, 100}.
	NAtK      []NK      `json:"n_at_k"`
	Policy    Policy    `json:"policy"`
	Bootstrap Bootstrap `json:"bootstrap"`
}

// NAtKResult is one n@k solve rate.
type NAtKResult struct {
	// Name is "n@k".
	Name string `json:"name"`
	N    int    `json:"n"`
	K    int    `json:"k"`
	// Rollouts is floor(k/T), the rollouts drawn.
	Rollouts int `json:"rollouts"`
	Estimate
}

// PassAtKResult is one pass@k over final answers.
type PassAtKResult struct {
	K int `json:"k"`
	Estimate
}

// Summary gathers the headline numbers of one run; it is the content of a
// run's summary.json and its JSON field names are stable.
type Summary struct {
	TurnLimit int    `json:"turn_limit"`
	Policy    Policy `json:"policy"`
	// Bootstrap holds the options as requested (Method may be auto).
	Bootstrap Bootstrap `json:"bootstrap"`
	// CI says which bootstrap the intervals used and why.
	CI CIChoice `json:"ci"`
	// Problems counts problems with at least one usable rollout.
	Problems int `json:"problems"`
	// ProblemsWithoutData lists problems whose rollouts all failed for
	// infrastructure reasons; they are left out of every mean.
	ProblemsWithoutData []string `json:"problems_without_data"`
	// Rollouts counts usable rollouts; InfraFailures the excluded ones.
	Rollouts              int `json:"rollouts"`
	InfraFailures         int `json:"infra_failures"`
	MinRolloutsPerProblem int `json:"min_rollouts_per_problem"`
	MaxRolloutsPerProblem int `json:"max_rollouts_per_problem"`
	// SolveRate is 1@T: one rollout, its final code submitted.
	SolveRate NAtKResult `json:"solve_rate"`
	// NAtK holds the extra budgets that the data supports.
	NAtK []NAtKResult `json:"n_at_k"`
	// PassAtK is pass@k over final answers (Chen et al.), whatever each
	// rollout's number of turns.
	PassAtK []PassAtKResult `json:"pass_at_k"`
	// SolvedByTurn[t−1] is the fraction of rollouts (averaged per problem,
	// then over problems) that ended by turn t with correct final code;
	// its last entry equals the solve rate 1@T under FilterThenFill.
	SolvedByTurn []float64 `json:"solved_by_turn"`
	// STvsMT compares the first responses as independent samples with the
	// rollouts at a budget of T responses (absent when T = 1).
	STvsMT     *STMT         `json:"st_vs_mt,omitempty"`
	Rates      Rates         `json:"rates"`
	Behaviour  Behaviour     `json:"behaviour"`
	CodeChange []ChangeStats `json:"code_change"`
	// Skipped explains requested metrics the data could not support.
	Skipped []string `json:"skipped"`
}

// Summarize computes the [Summary] of a run. All interval estimates share
// one set of bootstrap replicates.
func Summarize(rs []Rollout, o SummaryOptions) (Summary, error) {
	s, d, err := newSummary(rs, o)
	if err == nil {
		err = s.estimate(d, o)
	}
	if err == nil {
		err = s.describe(rs, d)
	}
	if err != nil {
		return Summary{}, fmt.Errorf("summary: %w", err)
	}
	return s, nil
}

// newSummary checks the options and the data and fills in what describes
// them.
func newSummary(rs []Rollout, o SummaryOptions) (Summary, *dataset, error) {
	b, err := o.Bootstrap.normalized()
	if err != nil {
		return Summary{}, nil, err
	}
	d, err := prepare(rs)
	if err != nil {
		return Summary{}, nil, err
	}
	if len(d.problems) == 0 {
		return Summary{}, nil, fmt.Errorf("no problem has a usable rollout (%d infra failures)", d.infra)
	}
	T := o.TurnLimit
	if T == 0 {
		T = d.maxTurns
	}
	if err := d.checkTurnLimit(T); err != nil {
		return Summary{}, nil, err
	}
	return Summary{
		TurnLimit:             T,
		Policy:                o.Policy,
		Bootstrap:             b,
		Problems:              len(d.problems),
		ProblemsWithoutData:   d.noData,
		Rollouts:              d.rollouts,
		InfraFailures:         d.infra,
		MinRolloutsPerProblem: d.minPer,
		MaxRolloutsPerProblem: d.maxPer,
		NAtK:                  []NAtKResult{},
		PassAtK:               []PassAtKResult{},
		Skipped:               []string{},
	}, d, nil
}

// intervals are the statistics estimated from one set of bootstrap
// replicates, each with the estimate it fills.
type intervals struct {
	stats   []statistic
	targets []*Estimate
}

func (iv *intervals) add(st statistic, e *Estimate) {
	iv.stats = append(iv.stats, st)
	iv.targets = append(iv.targets, e)
}

// estimate computes the interval statistics: 1@T, the extra n@k and
// pass@k.
func (s *Summary) estimate(d *dataset, o SummaryOptions) error {
	t, err := d.table(finalView)
	if err != nil {
		return err
	}
	var iv intervals
	headline, err := s.addNAtK(&iv, d, t, NK{N: 1, K: s.TurnLimit})
	if err != nil {
		return err
	}
	var extra []*NAtKResult
	for _, nk := range o.NAtK {
		r, err := s.addNAtK(&iv, d, t, nk)
		if err != nil {
			return err
		}
		if r != nil {
			extra = append(extra, r)
		}
	}
	pass, err := s.addPassAtK(&iv, d, o.PassK)
	if err != nil {
		return err
	}
	per := t.perProblem(iv.stats)
	var reps [][]float64
	s.CI, reps = t.replicates(iv.stats, s.Bootstrap, streamRollouts)
	for i, e := range iv.targets {
		e.Value = mean(per[i])
		e.Lo, e.Hi = s.Bootstrap.interval(reps[i])
	}
	s.SolveRate = *headline
	for _, r := range extra {
		s.NAtK = append(s.NAtK, *r)
	}
	for _, r := range pass {
		s.PassAtK = append(s.PassAtK, *r)
	}
	return nil
}

// addNAtK adds n@k to iv, or, when the problems have too few rollouts for
// it, says so in s.Skipped and returns nil.
func (s *Summary) addNAtK(iv *intervals, d *dataset, t *table, nk NK) (*NAtKResult, error) {
	spec := Spec{N: nk.N, K: nk.K, TurnLimit: s.TurnLimit, Policy: s.Policy}
	if err := spec.validate(); err != nil {
		return nil, err
	}
	if spec.Rollouts() > d.minPer {
		s.Skipped = append(s.Skipped, fmt.Sprintf("%v: needs %d rollouts per problem at turn limit %d, the fewest is %d", spec, spec.Rollouts(), s.TurnLimit, d.minPer))
		return nil, nil
	}
	st, err := nAtKStat(d, t, spec, 0)
	if err != nil {
		return nil, err
	}
	r := &NAtKResult{Name: spec.String(), N: nk.N, K: nk.K, Rollouts: spec.Rollouts()}
	iv.add(st, &r.Estimate)
	return r, nil
}

// addPassAtK adds pass@k for each k (1 and 10 when ks is nil) that the
// problems have the rollouts for; the others are noted in s.Skipped.
func (s *Summary) addPassAtK(iv *intervals, d *dataset, ks []int) ([]*PassAtKResult, error) {
	if ks == nil {
		ks = []int{1, 10}
	}
	var pass []*PassAtKResult
	for _, k := range ks {
		switch {
		case k < 1:
			return nil, fmt.Errorf("pass@%d: want k ≥ 1", k)
		case k > d.minPer:
			s.Skipped = append(s.Skipped, fmt.Sprintf("pass@%d: needs %d rollouts per problem, the fewest is %d", k, k, d.minPer))
			continue
		}
		r := &PassAtKResult{K: k}
		iv.add(statistic{view: 0, eval: func(c Counts) float64 {
			return PassAtK(c.Total, c.Correct(), k)
		}}, &r.Estimate)
		pass = append(pass, r)
	}
	return pass, nil
}

// describe adds what needs no shared replicates: solve rates by turn,
// single- vs multi-turn, rates, behaviour and code change.
func (s *Summary) describe(rs []Rollout, d *dataset) error {
	T := s.TurnLimit
	s.SolvedByTurn = solvedByTurn(d, T)
	if T > 1 {
		stmt, err := CompareSTMT(rs, nil, STMTOptions{Budget: T, TurnLimit: T, Policy: s.Policy, Bootstrap: s.Bootstrap})
		if err != nil {
			s.Skipped = append(s.Skipped, fmt.Sprintf("ST vs MT: %v", err))
		} else {
			s.STvsMT = &stmt
		}
	}
	var err error
	if s.Rates, err = ComputeRates(rs); err != nil {
		return err
	}
	if s.Behaviour, err = AnalyzeBehaviour(rs); err != nil {
		return err
	}
	_, s.CodeChange, err = CodeChange(rs)
	return err
}

// solvedByTurn returns, for t = 1..T, the per-problem-averaged fraction of
// rollouts that ended by turn t with correct final code.
func solvedByTurn(d *dataset, T int) []float64 {
	out := make([]float64, T)
	for _, p := range d.problems {
		for _, r := range p.rollouts {
			if !r.FinalPassed {
				continue
			}
			for t := len(r.Turns); t <= T; t++ {
				out[t-1] += 1 / float64(len(p.rollouts))
			}
		}
	}
	for t := range out {
		out[t] /= float64(len(d.problems))
	}
	return out
}
