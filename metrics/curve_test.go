package metrics

import (
	"slices"
	"testing"
)

func TestSolveRateCurve(t *testing.T) {
	rs := randomRun(15, 40, 3, 21)
	pts, err := SolveRateCurve(rs, 10, 3, DefaultBudgets(), FilterThenFill, Bootstrap{Seed: 4})
	if err != nil {
		t.Fatal(err)
	}
	// k=1 buys no 3-turn rollout; k ≥ 123 would need more than 40.
	var ks []int
	for _, p := range pts {
		ks = append(ks, p.K)
		if p.Rollouts != p.K/3 {
			t.Errorf("k=%d: %d rollouts, want %d", p.K, p.Rollouts, p.K/3)
		}
		want, err := SolveRate(rs, MultiTurn(10, p.K, 3))
		if err != nil {
			t.Fatal(err)
		}
		near(t, "curve point", p.Value, want, 1e-12)
		if !(p.Lo <= p.Value && p.Value <= p.Hi) {
			t.Errorf("k=%d: interval %+v", p.K, p.Estimate)
		}
	}
	if want := []int{3, 5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100}; !slices.Equal(ks, want) {
		t.Errorf("budgets %v, want %v", ks, want)
	}

	// Too few rollouts for the larger budgets.
	single := randomRun(15, 40, 1, 22)
	pts, err = SolveRateCurve(single, 1, 1, []int{1, 10, 41, 100}, FilterOnly, Bootstrap{})
	if err != nil {
		t.Fatal(err)
	}
	if len(pts) != 2 || pts[0].K != 1 || pts[1].K != 10 {
		t.Errorf("points %+v, want k = 1, 10", pts)
	}
	if _, err := SolveRateCurve(rs, 1, 3, []int{1, 2}, FilterOnly, Bootstrap{}); err == nil {
		t.Error("no error when no budget fits")
	}
}

// Under FilterOnly more samples never hurt: n' grows stochastically with k.
func TestSolveRateCurveMonotoneFilterOnly(t *testing.T) {
	rs := randomRun(25, 60, 1, 8)
	ks := []int{1, 2, 3, 5, 8, 13, 21, 34, 55, 60}
	pts, err := SolveRateCurve(rs, 2, 1, ks, FilterOnly, Bootstrap{Resamples: 10})
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(pts); i++ {
		if pts[i].Value < pts[i-1].Value-1e-12 {
			t.Errorf("2@%d = %v < 2@%d = %v", pts[i].K, pts[i].Value, pts[i-1].K, pts[i-1].Value)
		}
	}
	// 2@60 draws every sample: per problem 1 − C(e−s,2)/C(e,2) with e
	// public-passing samples, s of them correct (0 when s = 0).
	last := pts[len(pts)-1]
	e, s := map[string]float64{}, map[string]float64{}
	for _, r := range rs {
		if r.Turns[0].Verdict == AC {
			e[r.Problem]++
			if r.FinalPassed {
				s[r.Problem]++
			}
		}
	}
	want := 0.0
	for i := range 25 {
		ep, sp := e[problemName(i)], s[problemName(i)]
		switch {
		case sp == 0:
		case ep-sp < 2:
			want++
		default:
			want += 1 - (ep-sp)*(ep-sp-1)/(ep*(ep-1))
		}
	}
	near(t, "2@60", last.Value, want/25, 1e-12)
}
