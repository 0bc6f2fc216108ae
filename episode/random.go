package episode

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"

	"github.com/rlef/rlef/dataset"
	"github.com/rlef/rlef/judge"
	"github.com/rlef/rlef/verdict"
)

// notImplemented is what the paper runs when none of a problem's incorrect
// solutions fails its public tests.
const notImplemented = "raise NotImplementedError()\n"

// RandomFeedback implements the random-feedback ablation (paper App.
// C.2): for each problem, take a different problem of the same set that
// has incorrect solutions, run one of them, chosen at random, on that
// problem's public tests, and show the resulting feedback. If it passes,
// run `raise NotImplementedError()` instead. The dialogue still ends when
// the model's own code passes its real public tests.
type RandomFeedback struct {
	set   *dataset.Set
	judge Judger
	pool  []*dataset.Problem // problems with incorrect Python solutions

	mu    sync.Mutex
	cache map[string]*judge.SuiteResult
}

// NewRandomFeedback prepares the ablation for a set. Sets without any
// incorrect solutions (the staged CodeContests conversion, HumanEval+)
// fall back to running `raise NotImplementedError()` on a random other
// problem, which the paper also uses.
func NewRandomFeedback(set *dataset.Set, j Judger) *RandomFeedback {
	r := &RandomFeedback{set: set, judge: j, cache: map[string]*judge.SuiteResult{}}
	for _, p := range set.Problems {
		if len(p.Public) > 0 && len(pythonSolutions(p.Incorrect)) > 0 {
			r.pool = append(r.pool, p)
		}
	}
	return r
}

func pythonSolutions(sols []dataset.Solution) []dataset.Solution {
	var out []dataset.Solution
	for _, s := range sols {
		if s.Language == "" || s.Language == "python" || s.Language == "python3" {
			out = append(out, s)
		}
	}
	return out
}

// For returns random feedback for an episode on problem p.
func (r *RandomFeedback) For(ctx context.Context, p *dataset.Problem, rng *rand.Rand, maxField int) (string, error) {
	candidates := r.pool
	if len(candidates) == 0 {
		for _, q := range r.set.Problems {
			if len(q.Public) > 0 {
				candidates = append(candidates, q)
			}
		}
	}
	var others []*dataset.Problem
	for _, q := range candidates {
		if q.ID != p.ID {
			others = append(others, q)
		}
	}
	if len(others) == 0 {
		return "", fmt.Errorf("no other problem with public tests in %s", r.set.Name)
	}
	q := others[rng.IntN(len(others))]
	code := notImplemented
	if sols := pythonSolutions(q.Incorrect); len(sols) > 0 {
		code = sols[rng.IntN(len(sols))].Code
	}
	res, err := r.run(ctx, q, code)
	if err != nil {
		return "", err
	}
	if res.Verdict == verdict.Accepted && code != notImplemented {
		if res, err = r.run(ctx, q, notImplemented); err != nil {
			return "", err
		}
	}
	return Feedback(FamilyOf(r.set.Name, q), res, maxField), nil
}

// run judges code on q's public tests, once per (problem, code).
func (r *RandomFeedback) run(ctx context.Context, q *dataset.Problem, code string) (*judge.SuiteResult, error) {
	key := q.ID + "\x00" + code
	r.mu.Lock()
	res, ok := r.cache[key]
	r.mu.Unlock()
	if ok {
		return res, nil
	}
	out, err := r.judge.Judge(ctx, q, judge.Submission{Language: "python", Code: code}, judge.PublicSuite(r.set))
	if err != nil {
		return nil, fmt.Errorf("random feedback on %s: %w", q.ID, err)
	}
	res = &out.Suites[0]
	r.mu.Lock()
	r.cache[key] = res
	r.mu.Unlock()
	return res, nil
}
