package metrics

import (
	"math"
	"math/rand/v2"
	"testing"
)

// The sampler's empirical distribution matches the binomial pmf: the
// largest CDF gap (Kolmogorov–Smirnov) stays within the 99.9% band
// 1.95/√S, and mean and variance match np and np(1−p).
func TestBinomialDistribution(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	const S = 100000
	for _, tc := range []struct {
		n int
		p float64
	}{{200, 0.1}, {200, 0.5}, {200, 0.97}, {7, 0.3}, {1, 0.25}, {1000, 0.003}, {33, 1.0 / 33}} {
		lf := newLogFact(tc.n)
		dist := newBinomialDist(tc.p, tc.n)
		freq := make([]float64, tc.n+1)
		sum, sum2 := 0.0, 0.0
		for range S {
			x := dist.draw(tc.n, lf, rng)
			if x < 0 || x > tc.n {
				t.Fatalf("Bin(%d, %v) drew %d", tc.n, tc.p, x)
			}
			freq[x]++
			sum += float64(x)
			sum2 += float64(x) * float64(x)
		}
		cdf, emp, ks := 0.0, 0.0, 0.0
		for x := 0; x <= tc.n; x++ {
			cdf += math.Exp(lf.choose(tc.n, x) + float64(x)*math.Log(tc.p) + float64(tc.n-x)*math.Log1p(-tc.p))
			emp += freq[x] / S
			ks = max(ks, math.Abs(cdf-emp))
		}
		if ks > 1.95/math.Sqrt(S) {
			t.Errorf("Bin(%d, %v): KS distance %.5f", tc.n, tc.p, ks)
		}
		m := sum / S
		v := sum2/S - m*m
		mean, variance := float64(tc.n)*tc.p, float64(tc.n)*tc.p*(1-tc.p)
		near(t, "mean", m, mean, 5*math.Sqrt(variance/S))
		near(t, "variance", v, variance, 0.05*variance+1e-9)
	}
	lf := newLogFact(10)
	half, never, always := newBinomialDist(0.5, 10), newBinomialDist(0, 10), newBinomialDist(1, 10)
	if half.draw(0, lf, rng) != 0 || never.draw(10, lf, rng) != 0 || always.draw(10, lf, rng) != 10 {
		t.Error("degenerate binomials")
	}
}

// A multinomial redraw has the moments of drawing the rollouts one by one:
// E[X_j] = N·p_j, Var X_j = N·p_j(1−p_j), Cov(X_i, X_j) = −N·p_i·p_j.
func TestRedrawMoments(t *testing.T) {
	var hist [numCodes]int
	hist[0], hist[1], hist[3], hist[7] = 120, 50, 25, 5
	g := newGroup(&hist)
	N := float64(g.total)
	lf := newLogFact(g.total)
	rng := rand.New(rand.NewPCG(8, 9))
	const S = 50000
	var sum, sum2 [numCodes]float64
	var cross float64 // X_1 · X_3
	var h [numCodes]int
	for range S {
		g.redraw(&h, lf, rng)
		tot := 0
		for c, x := range h {
			sum[c] += float64(x)
			sum2[c] += float64(x * x)
			tot += x
		}
		if tot != g.total {
			t.Fatalf("redraw total %d, want %d", tot, g.total)
		}
		cross += float64(h[1] * h[3])
	}
	for _, c := range []int{0, 1, 3, 7} {
		p := float64(hist[c]) / N
		m := sum[c] / S
		v := sum2[c]/S - m*m
		near(t, "mean", m, N*p, 5*math.Sqrt(N*p*(1-p)/S))
		near(t, "variance", v, N*p*(1-p), 0.05*N*p*(1-p))
	}
	p1, p3 := 50/N, 25/N
	cov := cross/S - (sum[1]/S)*(sum[3]/S)
	near(t, "covariance", cov, -N*p1*p3, 0.1*N*p1*p3)
}
