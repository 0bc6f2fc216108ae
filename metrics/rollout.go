package metrics

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/rlef/rlef/verdict"
)

// Rollout is one episode of one problem: single-turn (Turns has one entry)
// or multi-turn.
type Rollout struct {
	// Problem identifies the problem; rollouts are grouped by it.
	Problem string `json:"problem"`
	// Turns holds one entry per model response, in order.
	Turns []Turn `json:"turns"`
	// FinalPassed reports whether the final code (the last turn's) passed
	// the final (private) tests.
	FinalPassed bool `json:"final_passed"`
	// Infra marks an infrastructure failure: the rollout is excluded from
	// every metric and counted separately.
	Infra bool `json:"infra"`
}

// Turn is one model response and the public-test outcome of its code.
type Turn struct {
	// Verdict is the public-test outcome of this turn's code: accepted,
	// wrong_answer, runtime_error, time_limit, memory_limit, output_limit,
	// compile_error, or invalid when no code could be extracted.
	Verdict verdict.Verdict `json:"verdict"`
	// Code is the extracted code, used by the code-change metrics.
	Code string `json:"code,omitempty"`
	// Truncated reports a truncated response (length limit or an
	// unterminated reasoning block).
	Truncated        bool          `json:"truncated,omitempty"`
	PromptTokens     int           `json:"prompt_tokens,omitempty"`
	CompletionTokens int           `json:"completion_tokens,omitempty"`
	Latency          time.Duration `json:"latency,omitempty"`
}

// PublicPassed reports whether the turn's code passed the public tests.
func (t Turn) PublicPassed() bool { return t.Verdict.Passed() }

// outcome packs a unit's result in two bits.
type outcome uint8

const (
	outPublic  outcome = 1 << 0 // passed the public tests
	outCorrect outcome = 1 << 1 // passed the final tests
)

// view maps a rollout to the outcome of the unit it contributes.
type view func(r *Rollout) (outcome, error)

// finalView is the rollout's final code: public verdict of the last turn,
// correctness from FinalPassed.
func finalView(r *Rollout) (outcome, error) {
	var o outcome
	if r.Turns[len(r.Turns)-1].PublicPassed() {
		o |= outPublic
	}
	if r.FinalPassed {
		o |= outCorrect
	}
	return o, nil
}

// firstView is the rollout's first response taken as a single-turn sample;
// see [FirstTurns] for how its correctness is known.
func firstView(r *Rollout) (outcome, error) {
	t := r.Turns[0]
	if len(r.Turns) == 1 {
		return finalView(r)
	}
	if t.PublicPassed() {
		return 0, fmt.Errorf("problem %q: first turn passed the public tests but the rollout continued, so its final-test result is unknown", r.Problem)
	}
	return 0, nil
}

// FirstTurns turns each rollout into a single-turn rollout made of its first
// response, so that multi-turn runs also yield single-turn ("ST") samples as
// in the paper's Table 2 ("we consider the first generation of each sample
// only").
//
// The first response's final-test result is known only when it is the
// rollout's final code. With early stopping that is exactly when it passed
// the public tests; a first response that failed the public tests is counted
// as incorrect (a program that fails the statement's examples is not a
// solution; under [FilterOnly] it is never submitted anyway). A rollout whose
// first response passed the public tests but continued (no early stopping)
// is an error. Infra rollouts are kept as Infra.
func FirstTurns(rs []Rollout) ([]Rollout, error) {
	out := make([]Rollout, len(rs))
	for i := range rs {
		r := &rs[i]
		if r.Infra || len(r.Turns) == 0 {
			out[i] = Rollout{Problem: r.Problem, Turns: slices.Clone(r.Turns), Infra: r.Infra}
			continue
		}
		o, err := firstView(r)
		if err != nil {
			return nil, fmt.Errorf("rollout %d: %w", i, err)
		}
		out[i] = Rollout{Problem: r.Problem, Turns: r.Turns[:1:1], FinalPassed: o&outCorrect != 0}
	}
	return out, nil
}

// problemRollouts is one problem's usable (non-Infra) rollouts.
type problemRollouts struct {
	name     string
	rollouts []*Rollout
}

// dataset is a validated set of rollouts grouped by problem, sorted by name.
type dataset struct {
	problems []problemRollouts
	noData   []string // problems whose rollouts are all Infra, sorted
	infra    int      // Infra rollouts
	rollouts int      // usable rollouts
	maxTurns int      // longest usable rollout
	minPer   int      // fewest usable rollouts of any problem
	maxPer   int      // most usable rollouts of any problem
}

// prepare validates rs and groups the usable rollouts by problem.
func prepare(rs []Rollout) (*dataset, error) {
	d := &dataset{}
	byName := map[string]int{}
	infraOnly := map[string]bool{}
	last := -1 // index of the previous usable rollout's problem: runs of one problem skip the map
	for i := range rs {
		r := &rs[i]
		if r.Problem == "" {
			return nil, fmt.Errorf("rollout %d: empty problem id", i)
		}
		if r.Infra {
			d.infra++
			if _, ok := byName[r.Problem]; !ok {
				infraOnly[r.Problem] = true
			}
			continue
		}
		if len(r.Turns) == 0 {
			return nil, fmt.Errorf("rollout %d (problem %q): no turns", i, r.Problem)
		}
		for j, t := range r.Turns {
			if !knownVerdict(t.Verdict) {
				return nil, fmt.Errorf("rollout %d (problem %q) turn %d: unknown verdict %q", i, r.Problem, j+1, t.Verdict)
			}
		}
		k := last
		if k < 0 || d.problems[k].name != r.Problem {
			var ok bool
			k, ok = byName[r.Problem]
			if !ok {
				k = len(d.problems)
				byName[r.Problem] = k
				d.problems = append(d.problems, problemRollouts{name: r.Problem})
				delete(infraOnly, r.Problem)
			}
			last = k
		}
		d.problems[k].rollouts = append(d.problems[k].rollouts, r)
		d.rollouts++
		d.maxTurns = max(d.maxTurns, len(r.Turns))
	}
	slices.SortFunc(d.problems, func(a, b problemRollouts) int { return cmp.Compare(a.name, b.name) })
	for i, p := range d.problems {
		n := len(p.rollouts)
		if i == 0 || n < d.minPer {
			d.minPer = n
		}
		d.maxPer = max(d.maxPer, n)
	}
	d.noData = make([]string, 0, len(infraOnly))
	for name := range infraOnly {
		d.noData = append(d.noData, name)
	}
	slices.Sort(d.noData)
	return d, nil
}

// knownVerdict is verdict.Valid with the common public-test outcomes
// checked first.
func knownVerdict(v verdict.Verdict) bool {
	switch v {
	case verdict.Accepted, verdict.WrongAnswer, verdict.RuntimeError, verdict.TimeLimit, verdict.Invalid:
		return true
	}
	return v.Valid()
}

// names returns the problem names in order.
func (d *dataset) names() []string {
	out := make([]string, len(d.problems))
	for i, p := range d.problems {
		out[i] = p.name
	}
	return out
}

// checkTurnLimit fails when a usable rollout has more turns than limit.
func (d *dataset) checkTurnLimit(limit int) error {
	if d.maxTurns <= limit {
		return nil
	}
	for _, p := range d.problems {
		for _, r := range p.rollouts {
			if len(r.Turns) > limit {
				return fmt.Errorf("problem %q: a rollout has %d turns, more than the turn limit %d", p.name, len(r.Turns), limit)
			}
		}
	}
	return nil
}
