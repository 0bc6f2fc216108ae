package metrics

import (
	"strings"
	"testing"
)

// runWith gives each problem one single-turn rollout, correct where ok.
func runWith(names []string, ok []bool) []Rollout {
	var rs []Rollout
	for i, n := range names {
		if ok[i] {
			rs = append(rs, ro(n, true, AC))
		} else {
			rs = append(rs, ro(n, false, WA))
		}
	}
	return rs
}

func TestComparePairedAllWins(t *testing.T) {
	names := []string{"a", "b", "c", "d", "e"}
	a := runWith(names, []bool{false, false, false, false, false})
	b := runWith(names, []bool{true, true, true, true, true})
	res, err := ComparePaired(a, b, SingleTurn(1, 1), SingleTurn(1, 1), PairedOptions{Bootstrap: Bootstrap{Seed: 1}})
	if err != nil {
		t.Fatal(err)
	}
	near(t, "diff", res.Diff.Value, 1, 1e-12)
	// Only the all-plus and all-minus patterns reach |Σd| = 5: 2/2^5.
	near(t, "p", res.PValue, 2.0/32, 1e-12)
	if res.PValueMethod != SignFlipExact || res.Wins != 5 || res.Losses != 0 || res.Ties != 0 {
		t.Errorf("method/wins: %+v", res.PairedDiff)
	}
	if res.A.Value != 0 || res.B.Value != 1 || res.DiffRollouts.Value != 1 {
		t.Errorf("A, B, rollout diff: %+v %+v %+v", res.A, res.B, res.DiffRollouts)
	}
}

func TestPairedTestHand(t *testing.T) {
	tests := []struct {
		name       string
		a, b       map[string]float64
		diff, p    float64
		w, l, ties int
	}{
		// d = (0.5, 0.25, −0.125): |Σ±d| ≥ 0.625 for ±(+,+,+) and
		// ±(+,+,−): 4 of 8 patterns.
		{"three", map[string]float64{"x": 0, "y": 0.5, "z": 0.5}, map[string]float64{"x": 0.5, "y": 0.75, "z": 0.375},
			0.625 / 3, 0.5, 2, 1, 0},
		// d = (1, 1, 1, −1): Σ±1 over four signs is 0 in 6 of 16 patterns.
		{"four", map[string]float64{"a": 0, "b": 0, "c": 0, "d": 1}, map[string]float64{"a": 1, "b": 1, "c": 1, "d": 0},
			0.5, 10.0 / 16, 3, 1, 0},
		{"no difference", map[string]float64{"a": 0.3, "b": 0.6}, map[string]float64{"a": 0.3, "b": 0.6},
			0, 1, 0, 0, 2},
	}
	for _, tc := range tests {
		res, err := PairedTest(tc.a, tc.b, PairedOptions{})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		near(t, tc.name+" diff", res.Diff.Value, tc.diff, 1e-12)
		near(t, tc.name+" p", res.PValue, tc.p, 1e-12)
		if res.Wins != tc.w || res.Losses != tc.l || res.Ties != tc.ties {
			t.Errorf("%s: wins/losses/ties %d/%d/%d, want %d/%d/%d", tc.name, res.Wins, res.Losses, res.Ties, tc.w, tc.l, tc.ties)
		}
	}
}

// With d = (0, 1), a replicate is the mean of two problems drawn with
// replacement: 0, 1/2 or 1 with probability 1/4, 1/2, 1/4, so the 2.5% and
// 97.5% percentiles are 0 and 1.
func TestPairedProblemBootstrap(t *testing.T) {
	res, err := PairedTest(map[string]float64{"a": 0.2, "b": 0}, map[string]float64{"a": 0.2, "b": 1},
		PairedOptions{Bootstrap: Bootstrap{Resamples: 4000, Seed: 3}})
	if err != nil {
		t.Fatal(err)
	}
	near(t, "diff", res.Diff.Value, 0.5, 1e-12)
	near(t, "lo", res.Diff.Lo, 0, 1e-12)
	near(t, "hi", res.Diff.Hi, 1, 1e-12)
	near(t, "p", res.PValue, 1, 1e-12) // one non-zero difference: both signs reach it
}

func TestPairedMonteCarlo(t *testing.T) {
	names := make([]string, 30)
	none, all := make([]bool, 30), make([]bool, 30)
	for i := range names {
		names[i] = problemName(i)
		all[i] = true
	}
	res, err := ComparePaired(runWith(names, none), runWith(names, all), SingleTurn(1, 1), SingleTurn(1, 1), PairedOptions{Bootstrap: Bootstrap{Seed: 1}})
	if err != nil {
		t.Fatal(err)
	}
	// P(|Σ±1| = 30) = 2^−29: no random pattern hits, p = 1/(1+10000).
	if res.PValueMethod != SignFlipMonteCarlo {
		t.Errorf("method %q, want Monte Carlo for 30 differences", res.PValueMethod)
	}
	near(t, "p", res.PValue, 1.0/10001, 1e-15)

	// Thirty problems with alternating ±1: Σd = 0, every pattern reaches it.
	half := make([]bool, 30)
	for i := range half {
		half[i] = i%2 == 0
	}
	res, err = ComparePaired(runWith(names, half), runWith(names, invert(half)), SingleTurn(1, 1), SingleTurn(1, 1), PairedOptions{Permutations: 500})
	if err != nil {
		t.Fatal(err)
	}
	near(t, "balanced p", res.PValue, 1, 1e-12)
}

func invert(b []bool) []bool {
	out := make([]bool, len(b))
	for i, v := range b {
		out[i] = !v
	}
	return out
}

func TestComparePairedRollouts(t *testing.T) {
	a := randomRun(40, 30, 3, 11)
	b := randomRun(40, 30, 3, 12)
	spec := MultiTurn(1, 3, 3)
	res, err := ComparePaired(a, b, spec, spec, PairedOptions{Bootstrap: Bootstrap{Seed: 5}})
	if err != nil {
		t.Fatal(err)
	}
	ra, _ := SolveRate(a, spec)
	rb, _ := SolveRate(b, spec)
	near(t, "A", res.A.Value, ra, 1e-12)
	near(t, "B", res.B.Value, rb, 1e-12)
	near(t, "diff", res.Diff.Value, rb-ra, 1e-12)
	ea, _ := SolveRateCI(a, spec, Bootstrap{Seed: 5})
	if ea != res.A {
		t.Errorf("A's interval %+v differs from SolveRateCI %+v", res.A, ea)
	}
	for _, e := range []Estimate{res.Diff, res.DiffRollouts} {
		if !(e.Lo <= e.Value && e.Value <= e.Hi) {
			t.Errorf("interval %+v does not bracket the difference", e)
		}
	}
	// Resampling problems covers more than resampling rollouts.
	if res.Diff.Hi-res.Diff.Lo <= res.DiffRollouts.Hi-res.DiffRollouts.Lo {
		t.Errorf("problem interval %+v not wider than rollout interval %+v", res.Diff, res.DiffRollouts)
	}
}

func TestComparePairedDifferentProblems(t *testing.T) {
	a := []Rollout{ro("a", true, AC), ro("b", true, AC), ro("c", true, AC)}
	b := []Rollout{ro("a", true, AC), ro("d", true, AC), {Problem: "c", Infra: true}}
	_, err := ComparePaired(a, b, SingleTurn(1, 1), SingleTurn(1, 1), PairedOptions{})
	if err == nil {
		t.Fatal("no error for different problem sets")
	}
	for _, want := range []string{`2 only in A ("b", "c")`, `1 only in B ("d")`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
	_, err = PairedTest(map[string]float64{"x": 1}, map[string]float64{"y": 1}, PairedOptions{})
	if err == nil || !strings.Contains(err.Error(), `only in A ("x")`) {
		t.Errorf("PairedTest: error %v", err)
	}
}

func TestSameProblemsListsAtMostTen(t *testing.T) {
	var a []string
	for i := range 12 {
		a = append(a, problemName(i))
	}
	err := sameProblems(a, nil)
	if err == nil || !strings.Contains(err.Error(), "12 only in A") || !strings.Contains(err.Error(), "… 2 more") {
		t.Errorf("error %v", err)
	}
}
