package report

import (
	"fmt"
	"slices"

	"github.com/rlef/rlef/metrics"
)

// Options configure the analysis of runs.
type Options struct {
	// PassK lists the k of pass@k over final answers; nil means 1 and 10.
	PassK []int
	// Bootstrap sets the resamples (200 by default, as in the paper) and
	// the seed of every confidence interval.
	Bootstrap metrics.Bootstrap
	// Policy chooses n@k submissions; the zero value is RLEF's
	// filter-then-fill.
	Policy metrics.Policy
	// MaxEpisodes caps the episodes shown in the HTML drill-down per run
	// (spread evenly over problems); 0 shows every episode.
	MaxEpisodes int
}

// Analysis is everything the reports show about one run.
type Analysis struct {
	Run *Run
	// Label names the run in tables.
	Label    string
	Rollouts []metrics.Rollout
	Infra    []InfraFailure
	// Summary is nil when the run has no usable rollout; Err says why.
	Summary *metrics.Summary
	Err     error
	// Curves are solve rates against the sample budget (Fig. 4b).
	Curves []BudgetCurve
	// Change holds 1 − chrF per transition (index 0 is turn 1 → 2).
	Change [][]float64
	// Notes explain what could not be computed.
	Notes []string
	opts  Options
}

// Analyze computes the metrics of one run. Problems with the data (no
// usable rollout yet, an unsupported budget) are recorded in the
// result's Err and Notes rather than returned, so that a report can still
// show what there is.
func Analyze(r *Run, o Options) *Analysis {
	return analyze(r, r.Model(), o)
}

// AnalyzeAll analyses runs and labels them so that labels are unique.
func AnalyzeAll(runs []*Run, o Options) []*Analysis {
	names := labels(runs)
	out := make([]*Analysis, len(runs))
	for i, r := range runs {
		out[i] = analyze(r, names[i], o)
	}
	return out
}

func analyze(r *Run, label string, o Options) *Analysis {
	a := &Analysis{Run: r, Label: label, opts: o}
	a.Rollouts, a.Infra = Rollouts(r.Episodes)
	if len(a.Rollouts) == 0 {
		a.Err = fmt.Errorf("no episodes recorded yet")
		return a
	}
	s, err := metrics.Summarize(a.Rollouts, SummaryOptions(r.Info, o))
	if err != nil {
		a.Err = err
		return a
	}
	a.Summary = &s
	a.Notes = append(a.Notes, s.Skipped...)
	a.Curves, err = budgetCurves(a.Rollouts, s.TurnLimit, s.MinRolloutsPerProblem, o)
	if err != nil {
		a.Notes = append(a.Notes, err.Error())
	}
	if a.Change, _, err = metrics.CodeChange(a.Rollouts); err != nil {
		a.Notes = append(a.Notes, err.Error())
	}
	return a
}

// TurnLimit is the turn limit the metrics used (0 without a summary).
func (a *Analysis) TurnLimit() int {
	if a.Summary == nil {
		return a.Run.TurnLimit()
	}
	return a.Summary.TurnLimit
}

// usable returns the rollouts that are not infrastructure failures.
func (a *Analysis) usable() []metrics.Rollout {
	return slices.DeleteFunc(slices.Clone(a.Rollouts), func(r metrics.Rollout) bool { return r.Infra })
}
