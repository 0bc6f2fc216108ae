package lab

import (
	"fmt"

	"github.com/rlef/rlef/episode"
	"github.com/rlef/rlef/metrics"
	"github.com/rlef/rlef/train"
)

// Summary is the content of a lab run's summary.json.
type Summary struct {
	Preset string `json:"preset"`
	Seed   uint64 `json:"seed"`
	// Seconds and CPUSeconds cover this invocation (a resumed run
	// counts only what it did).
	Seconds    float64     `json:"seconds"`
	CPUSeconds float64     `json:"cpu_seconds"`
	Stages     []StageTime `json:"stages"`
	// Pretrain is the supervised stage's loss curve; Training the RLEF
	// iterations.
	Pretrain []train.SFTStats `json:"pretrain"`
	Training []train.Stats    `json:"training"`
	// Evaluations are before and after RL.
	Evaluations []Evaluation `json:"evaluations"`
	// Findings checks the paper's qualitative results.
	Findings Findings `json:"findings"`
}

// StageTime is how long a stage took in this invocation: wall time, and
// the CPU time of this process (the sandboxed programs run in other
// processes and are not counted).
type StageTime struct {
	Name       string  `json:"name"`
	Seconds    float64 `json:"seconds"`
	CPUSeconds float64 `json:"cpu_seconds"`
}

// Evaluation is one policy on the held-out problems.
type Evaluation struct {
	// Tag is "before" or "after" RL.
	Tag string `json:"tag"`
	// Dirs are the evaluation runs (rlef run directories).
	Dirs []string `json:"dirs"`
	// Problems and rollouts per problem and configuration.
	Problems int `json:"problems"`
	Samples  int `json:"samples"`
	// MT is multi-turn 1@3 with true feedback; ST is single-turn 1@3 at
	// the same budget of three responses, from the rollouts' first
	// responses (the paper's Table 2).
	MT metrics.Estimate `json:"mt"`
	ST metrics.Estimate `json:"st"`
	// STMT is the paper's comparison with a paired bootstrap interval;
	// MTvsST a paired sign-flip test over problems (B = MT, A = ST).
	STMT   metrics.STMT       `json:"stmt"`
	MTvsST metrics.PairedDiff `json:"mt_vs_st"`
	// Random and None are multi-turn 1@3 with random feedback and with
	// no feedback; TrueVsRandom and TrueVsNone pair them with MT (B = the
	// true feedback).
	Random       metrics.Estimate `json:"random"`
	None         metrics.Estimate `json:"none"`
	TrueVsRandom metrics.Paired   `json:"true_vs_random"`
	TrueVsNone   metrics.Paired   `json:"true_vs_none"`
	// FixRates[t] is, for turn t+2, the fraction of responses that
	// failed the public tests at turn t+1 and passed them at turn t+2,
	// per feedback mode.
	FixRates map[episode.FeedbackMode][]float64 `json:"fix_rates"`
	// Behaviour is the paper's Fig. 3 analysis with true feedback.
	Behaviour metrics.Behaviour `json:"behaviour"`
}

// Findings are the paper's qualitative results, checked on this run.
type Findings struct {
	// BeforeMTMinusST and BeforeP: MT − ST before RL and its paired
	// p-value (no significant difference expected).
	BeforeMTMinusST float64 `json:"before_mt_minus_st"`
	BeforeP         float64 `json:"before_p"`
	// AfterMTMinusST and AfterP: after RL, MT − ST and its paired
	// p-value (MT > ST with p < 0.05 expected).
	AfterMTMinusST float64 `json:"after_mt_minus_st"`
	AfterP         float64 `json:"after_p"`
	// AfterTrueMinusRandom: true feedback − random feedback after RL.
	AfterTrueMinusRandom float64 `json:"after_true_minus_random"`
	AfterTrueVsRandomP   float64 `json:"after_true_vs_random_p"`
	// ReturnFirst and ReturnLast are the mean training return over the
	// first and the last third of the iterations.
	ReturnFirst float64 `json:"return_first"`
	ReturnLast  float64 `json:"return_last"`
	// Whether each expected finding holds.
	BeforeSimilar  bool `json:"before_similar"`
	MTAfterGreater bool `json:"mt_after_greater"`
	TrueGreater    bool `json:"true_greater"`
	ReturnRises    bool `json:"return_rises"`
}

var bootstrap = metrics.Bootstrap{Resamples: 200}

// analyse computes an evaluation's numbers from its runs.
func analyse(tag string, runs map[episode.FeedbackMode][]metrics.Rollout, seed uint64) (*Evaluation, error) {
	b := bootstrap
	b.Seed = seed
	spec := metrics.MultiTurn(1, 3, 3)
	mt := runs[episode.FeedbackRLEF]
	ev := &Evaluation{Tag: tag, FixRates: map[episode.FeedbackMode][]float64{}}
	var err error
	if ev.STMT, err = metrics.CompareSTMT(mt, nil, metrics.STMTOptions{N: 1, Budget: 3, TurnLimit: 3, Bootstrap: b}); err != nil {
		return nil, err
	}
	ev.MT, ev.ST, ev.Problems = ev.STMT.MT, ev.STMT.ST, ev.STMT.Problems
	if len(mt) > 0 && ev.Problems > 0 {
		ev.Samples = len(mt) / ev.Problems
	}
	first, err := metrics.FirstTurns(mt)
	if err != nil {
		return nil, err
	}
	stRates, err := metrics.SolveRates(first, metrics.SingleTurn(1, 3))
	if err != nil {
		return nil, err
	}
	mtRates, err := metrics.SolveRates(mt, spec)
	if err != nil {
		return nil, err
	}
	if ev.MTvsST, err = metrics.PairedTest(stRates, mtRates, metrics.PairedOptions{Bootstrap: b}); err != nil {
		return nil, err
	}
	if ev.Random, err = metrics.SolveRateCI(runs[episode.FeedbackRandom], spec, b); err != nil {
		return nil, err
	}
	if ev.None, err = metrics.SolveRateCI(runs[episode.FeedbackNone], spec, b); err != nil {
		return nil, err
	}
	if ev.TrueVsRandom, err = metrics.ComparePaired(runs[episode.FeedbackRandom], mt, spec, spec, metrics.PairedOptions{Bootstrap: b}); err != nil {
		return nil, err
	}
	if ev.TrueVsNone, err = metrics.ComparePaired(runs[episode.FeedbackNone], mt, spec, spec, metrics.PairedOptions{Bootstrap: b}); err != nil {
		return nil, err
	}
	for fb, rs := range runs {
		bh, err := metrics.AnalyzeBehaviour(rs)
		if err != nil {
			return nil, err
		}
		if fb == episode.FeedbackRLEF {
			ev.Behaviour = bh
		}
		ev.FixRates[fb] = fixRates(bh)
	}
	return ev, nil
}

// fixRates are, from turn 2 on, the fractions of the previous turn's
// public-test failures that the turn repaired.
func fixRates(b metrics.Behaviour) []float64 {
	var out []float64
	for _, t := range b.Turns {
		if t.Turn < 2 {
			continue
		}
		var errs, fixed int
		for _, tr := range t.Transitions {
			errs += tr.Errors
			fixed += tr.Fixed
		}
		r := 0.0
		if errs > 0 {
			r = float64(fixed) / float64(errs)
		}
		out = append(out, r)
	}
	return out
}

// findings checks the paper's results on the run.
func (s *Summary) findings() error {
	var before, after *Evaluation
	for i := range s.Evaluations {
		switch s.Evaluations[i].Tag {
		case "before":
			before = &s.Evaluations[i]
		case "after":
			after = &s.Evaluations[i]
		}
	}
	if before == nil || after == nil {
		return fmt.Errorf("lab: evaluations before and after RL are both needed")
	}
	f := &s.Findings
	f.BeforeMTMinusST = before.MT.Value - before.ST.Value
	f.BeforeP = before.MTvsST.PValue
	f.AfterMTMinusST = after.MT.Value - after.ST.Value
	f.AfterP = after.MTvsST.PValue
	f.AfterTrueMinusRandom = after.TrueVsRandom.Diff.Value
	f.AfterTrueVsRandomP = after.TrueVsRandom.PValue
	n := len(s.Training)
	if k := max(n/3, 1); n > 0 {
		for _, st := range s.Training[:k] {
			f.ReturnFirst += st.Return / float64(k)
		}
		for _, st := range s.Training[n-k:] {
			f.ReturnLast += st.Return / float64(k)
		}
	}
	f.BeforeSimilar = f.BeforeP >= 0.05
	f.MTAfterGreater = f.AfterMTMinusST > 0 && f.AfterP < 0.05
	f.TrueGreater = f.AfterTrueMinusRandom > 0
	f.ReturnRises = f.ReturnLast > f.ReturnFirst
	return nil
}
