package metrics

import (
	"math"
	"strings"
	"testing"
)

func TestQuantileSorted(t *testing.T) {
	xs := []float64{1, 2, 3, 4}
	tests := []struct{ q, want float64 }{
		{0, 1}, {1, 4}, {0.25, 1.75}, {0.5, 2.5}, {0.75, 3.25}, {0.025, 1.075}, {0.975, 3.925},
	}
	for _, tc := range tests {
		near(t, "quantile", quantileSorted(xs, tc.q), tc.want, 1e-12)
	}
	near(t, "single", quantileSorted([]float64{7}, 0.3), 7, 0)
	near(t, "empty", quantileSorted(nil, 0.3), 0, 0)
}

func TestDescribe(t *testing.T) {
	d := Describe([]float64{4, 1, 3, 2, 10})
	want := Dist{N: 5, Mean: 4, Min: 1, Q1: 2, Median: 3, Q3: 4, Max: 10}
	if d != want {
		t.Errorf("Describe = %+v, want %+v", d, want)
	}
	if (Describe(nil) != Dist{}) {
		t.Error("Describe(nil) is not zero")
	}
}

// One problem, 100 single-turn samples, 50 correct: a replicate is
// Binomial(100, 1/2)/100, whose 2.5% and 97.5% quantiles are 40 and 60
// (P(X ≤ 39) = 0.018, P(X ≤ 40) = 0.028).
func TestBootstrapBinomialQuantiles(t *testing.T) {
	rs := concat(repeat(50, ro("p", true, AC)), repeat(50, ro("p", false, WA)))
	e, err := SolveRateCI(rs, SingleTurn(1, 1), Bootstrap{Resamples: 20000, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	near(t, "value", e.Value, 0.5, 1e-12)
	near(t, "lo", e.Lo, 0.40, 1e-9)
	near(t, "hi", e.Hi, 0.60, 1e-9)
}

// Several independent problems: the replicate mean is approximately normal
// with variance Σ p(1−p)/K / P², so the interval is value ± 1.96σ.
func TestBootstrapNormalWidth(t *testing.T) {
	const K = 200
	ps := []int{0, 10, 40, 100, 150, 190, 200, 70, 25, 5} // correct counts
	var rs []Rollout
	v := 0.0
	for i, c := range ps {
		name := problemName(i)
		rs = append(rs, repeat(c, ro(name, true, AC))...)
		rs = append(rs, repeat(K-c, ro(name, false, WA))...)
		p := float64(c) / K
		v += p * (1 - p) / K
	}
	P := float64(len(ps))
	sigma := math.Sqrt(v) / P
	e, err := SolveRateCI(rs, MultiTurn(1, 3, 3), Bootstrap{Resamples: 10000, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	mean := 0.0
	for _, c := range ps {
		mean += float64(c) / K / P
	}
	near(t, "value", e.Value, mean, 1e-12)
	near(t, "lo", e.Lo, mean-1.96*sigma, 0.1*sigma)
	near(t, "hi", e.Hi, mean+1.96*sigma, 0.1*sigma)
}

func TestBootstrapDeterministic(t *testing.T) {
	rs := randomRun(30, 50, 3, 5)
	spec := MultiTurn(1, 3, 3)
	a, err := SolveRateCI(rs, spec, Bootstrap{Seed: 42})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := SolveRateCI(rs, spec, Bootstrap{Seed: 42})
	c, _ := SolveRateCI(rs, spec, Bootstrap{Seed: 43})
	if a != b {
		t.Errorf("same seed, different results: %+v, %+v", a, b)
	}
	if a == c {
		t.Errorf("different seeds, same interval %+v", a)
	}
	if !(a.Lo <= a.Value && a.Value <= a.Hi && a.Lo < a.Hi) {
		t.Errorf("interval %+v does not bracket its value", a)
	}
	// The default is 200 resamples at 95%.
	d, _ := SolveRateCI(rs, spec, Bootstrap{Seed: 42, Resamples: 200, Level: 0.95})
	if a != d {
		t.Errorf("defaults are not 200 resamples at 0.95: %+v vs %+v", a, d)
	}
}

func TestBootstrapConstant(t *testing.T) {
	rs := concat(repeat(10, ro("a", true, AC)), repeat(10, ro("b", false, WA, WA, WA)))
	e, err := SolveRateCI(rs, MultiTurn(1, 3, 3), Bootstrap{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if e != (Estimate{Value: 0.5, Lo: 0.5, Hi: 0.5}) {
		t.Errorf("constant data: %+v, want 0.5 [0.5, 0.5]", e)
	}
}

func TestBootstrapOptionErrors(t *testing.T) {
	rs := []Rollout{ro("a", true, AC)}
	for _, b := range []Bootstrap{{Resamples: -1}, {Level: 1}, {Level: -0.5}} {
		_, err := SolveRateCI(rs, SingleTurn(1, 1), b)
		if err == nil || !strings.Contains(err.Error(), "bootstrap") {
			t.Errorf("%+v: error %v", b, err)
		}
	}
}
