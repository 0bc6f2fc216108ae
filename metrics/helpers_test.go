package metrics

import (
	"math"
	"testing"

	"github.com/rlef/rlef/verdict"
)

// Short verdict names for building rollouts.
const (
	AC  = verdict.Accepted
	WA  = verdict.WrongAnswer
	RE  = verdict.RuntimeError
	TLE = verdict.TimeLimit
	MLE = verdict.MemoryLimit
	OLE = verdict.OutputLimit
	CE  = verdict.CompileError
	INV = verdict.Invalid
)

// ro builds a rollout of problem p with the given public verdicts, one
// turn each, and final-test result final.
func ro(p string, final bool, vs ...verdict.Verdict) Rollout {
	r := Rollout{Problem: p, FinalPassed: final}
	for _, v := range vs {
		r.Turns = append(r.Turns, Turn{Verdict: v})
	}
	return r
}

// repeat returns n copies of r.
func repeat(n int, r Rollout) []Rollout {
	out := make([]Rollout, n)
	for i := range out {
		out[i] = r
	}
	return out
}

// concat joins rollout lists.
func concat(lists ...[]Rollout) []Rollout {
	var out []Rollout
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

func near(t *testing.T, name string, got, want, tol float64) {
	t.Helper()
	if math.IsNaN(got) || math.Abs(got-want) > tol {
		t.Errorf("%s = %.12g, want %.12g (±%g)", name, got, want, tol)
	}
}

type verdictT = verdict.Verdict
