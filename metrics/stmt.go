package metrics

import "fmt"

// STMTOptions configures [CompareSTMT].
type STMTOptions struct {
	// N is the number of submissions; 0 means 1.
	N int `json:"n"`
	// Budget is the sample budget k in responses; 0 means 3.
	Budget int `json:"budget"`
	// TurnLimit is the multi-turn run's turn limit; 0 means Budget.
	TurnLimit int       `json:"turn_limit"`
	Policy    Policy    `json:"policy"`
	Bootstrap Bootstrap `json:"bootstrap"`
}

// ST sources.
const (
	STFromFirstTurns    = "first_turns"
	STFromSingleTurnRun = "single_turn_run"
)

// STMT is single-turn against multi-turn at an equal sample budget (the
// paper's Table 2).
type STMT struct {
	STSpec Spec `json:"st_spec"`
	MTSpec Spec `json:"mt_spec"`
	// STSource is "first_turns" or "single_turn_run".
	STSource string `json:"st_source"`
	Problems int    `json:"problems"`
	// ST is n@k over independent single-turn samples (1@3: three
	// independent responses, the best-looking one submitted).
	ST Estimate `json:"st"`
	// MT is n@k over multi-turn rollouts (1@3: one rollout of up to three
	// responses, its final code submitted).
	MT Estimate `json:"mt"`
	// Diff is MT − ST. Its interval pairs the bootstrap replicates: when
	// ST comes from the same rollouts they are resampled together, and
	// under the two-level bootstrap both share the problem draws.
	Diff Estimate `json:"diff"`
	// CI says which bootstrap the intervals used and why.
	CI CIChoice `json:"ci"`
}

// CompareSTMT estimates single-turn (ST) and multi-turn (MT) solve rates at
// the same budget of k responses, with bootstrap intervals (o.Bootstrap's
// method resolved as in [SolveRateCI], over both runs when st is given).
//
// MT uses mt's final code under MultiTurn(n, k, T). ST uses SingleTurn(n,
// k) over single-turn samples: those of st when st is not nil (a separate
// single-turn run on the same problems; its rollouts must have one turn),
// otherwise the first response of each rollout of mt, as in the paper ("we
// consider the first generation of each sample only"; see [FirstTurns] for
// how those are judged).
func CompareSTMT(mt, st []Rollout, o STMTOptions) (STMT, error) {
	if o.N == 0 {
		o.N = 1
	}
	if o.Budget == 0 {
		o.Budget = 3
	}
	if o.TurnLimit == 0 {
		o.TurnLimit = o.Budget
	}
	b, err := o.Bootstrap.normalized()
	if err != nil {
		return STMT{}, fmt.Errorf("ST vs MT: %w", err)
	}
	res := STMT{
		STSpec: Spec{N: o.N, K: o.Budget, TurnLimit: 1, Policy: o.Policy},
		MTSpec: Spec{N: o.N, K: o.Budget, TurnLimit: o.TurnLimit, Policy: o.Policy},
	}
	var stReps, mtReps []float64
	if st == nil {
		res.STSource = STFromFirstTurns
		stReps, mtReps, err = stmtFirstTurns(mt, &res, b)
	} else {
		res.STSource = STFromSingleTurnRun
		stReps, mtReps, err = stmtSeparate(mt, st, &res, b)
	}
	if err != nil {
		return STMT{}, err
	}
	res.MT.Lo, res.MT.Hi = b.interval(mtReps)
	res.ST.Lo, res.ST.Hi = b.interval(stReps)
	diffs := make([]float64, len(mtReps))
	for i := range diffs {
		diffs[i] = mtReps[i] - stReps[i]
	}
	res.Diff.Value = res.MT.Value - res.ST.Value
	res.Diff.Lo, res.Diff.Hi = b.interval(diffs)
	return res, nil
}

// stmtFirstTurns fills in res's point estimates with ST taken from the
// first responses of mt, and returns paired replicates (the rollouts are
// resampled once for both).
func stmtFirstTurns(mt []Rollout, res *STMT, b Bootstrap) (stReps, mtReps []float64, err error) {
	d, err := prepare(mt)
	if err != nil {
		return nil, nil, fmt.Errorf("ST vs MT: %w", err)
	}
	if err := d.checkTurnLimit(res.MTSpec.TurnLimit); err != nil {
		return nil, nil, fmt.Errorf("ST vs MT: %w", err)
	}
	t, err := d.table(finalView, firstView)
	if err != nil {
		return nil, nil, fmt.Errorf("ST vs MT: %w", err)
	}
	mtStat, err := nAtKStat(d, t, res.MTSpec, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("ST vs MT, MT: %w", err)
	}
	stStat, err := nAtKStat(d, t, res.STSpec, 1)
	if err != nil {
		return nil, nil, fmt.Errorf("ST vs MT, ST: %w", err)
	}
	stats := []statistic{mtStat, stStat}
	per := t.perProblem(stats)
	res.MT.Value, res.ST.Value = mean(per[0]), mean(per[1])
	res.Problems = len(d.problems)
	var reps [][]float64
	res.CI, reps = t.replicates(stats, b, streamRollouts)
	return reps[1], reps[0], nil
}

// stmtSeparate fills in res's point estimates with ST from a separate
// single-turn run, and returns independent replicates of both runs.
func stmtSeparate(mt, st []Rollout, res *STMT, b Bootstrap) (stReps, mtReps []float64, err error) {
	dm, tm, mtStat, err := prepareSpec(mt, res.MTSpec)
	if err != nil {
		return nil, nil, fmt.Errorf("ST vs MT, MT: %w", err)
	}
	ds, ts, stStat, err := prepareSpec(st, res.STSpec)
	if err != nil {
		return nil, nil, fmt.Errorf("ST vs MT, ST: %w", err)
	}
	if err := sameProblems(ds.names(), dm.names()); err != nil {
		return nil, nil, fmt.Errorf("ST vs MT (A = ST, B = MT): %w", err)
	}
	res.MT.Value = mean(tm.perProblem([]statistic{mtStat})[0])
	res.ST.Value = mean(ts.perProblem([]statistic{stStat})[0])
	res.Problems = len(dm.problems)
	res.CI, mtReps, stReps = pairedReplicates(tm, ts, mtStat, stStat, b)
	return stReps, mtReps, nil
}
