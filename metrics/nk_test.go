package metrics

import (
	"math"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestNAtKHand(t *testing.T) {
	tests := []struct {
		name string
		c    Counts
		n, k int
		p    Policy
		want float64
	}{
		// Units A(pub,ok) B(pub,wrong) C D (fail public). Pairs: AB → 1/2,
		// AC, AD → 1, BC, BD, CD → 0: (0.5+1+1)/6.
		{"two of four", Counts{Total: 4, Public: 2, PublicCorrect: 1}, 1, 2, FilterOnly, 5.0 / 12},
		{"two of four fill", Counts{Total: 4, Public: 2, PublicCorrect: 1}, 1, 2, FilterThenFill, 5.0 / 12},
		// P(pub,wrong) X(fail public, correct) Y Z. Only FilterThenFill can
		// submit X: pairs XY, XZ submit X with probability 1/2: (1/2+1/2)/6.
		{"fill reaches other", Counts{Total: 4, Public: 1, OtherCorrect: 1}, 1, 2, FilterThenFill, 1.0 / 6},
		{"filter ignores other", Counts{Total: 4, Public: 1, OtherCorrect: 1}, 1, 2, FilterOnly, 0},
		// One unit, n = 1: the fraction of correct units.
		{"1@1 filter", Counts{Total: 10, Public: 6, PublicCorrect: 3}, 1, 1, FilterOnly, 0.3},
		{"1@1 fill", Counts{Total: 10, Public: 6, PublicCorrect: 3, OtherCorrect: 2}, 1, 1, FilterThenFill, 0.5},
		{"1@1 filter, other correct", Counts{Total: 10, Public: 6, PublicCorrect: 3, OtherCorrect: 2}, 1, 1, FilterOnly, 0.3},
		// Draw everything: submit one of the e public-passing units: s/e.
		{"all drawn", Counts{Total: 5, Public: 4, PublicCorrect: 1}, 1, 5, FilterOnly, 0.25},
		{"all drawn n=2", Counts{Total: 5, Public: 4, PublicCorrect: 1}, 2, 5, FilterOnly, 0.5},
		// All correct / none correct.
		{"all correct", Counts{Total: 200, Public: 200, PublicCorrect: 200}, 10, 100, FilterOnly, 1},
		{"none correct", Counts{Total: 200, Public: 120}, 10, 100, FilterThenFill, 0},
		{"none public", Counts{Total: 200}, 10, 100, FilterOnly, 0},
		// 1@3 from K=4 single-turn samples with one public-passing correct
		// one: solved iff it is among the three drawn, P = 3/4.
		{"1@3 of four", Counts{Total: 4, Public: 1, PublicCorrect: 1}, 1, 3, FilterOnly, 0.75},
		// n ≥ e': all drawn public-passing units are submitted, so with
		// every unit public-passing k@k is pass@k: 1 − C(3,2)/C(5,2).
		{"k@k is pass@k", Counts{Total: 5, Public: 5, PublicCorrect: 2}, 2, 2, FilterOnly, 0.7},
	}
	for _, tc := range tests {
		got, err := NAtK(tc.c, tc.n, tc.k, tc.p)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		near(t, tc.name, got, tc.want, 1e-12)
	}
}

func TestNAtKErrors(t *testing.T) {
	tests := []struct {
		name string
		c    Counts
		n, k int
		p    Policy
		msg  string
	}{
		{"k > K", Counts{Total: 3}, 1, 4, FilterOnly, "only 3 available"},
		{"n = 0", Counts{Total: 3}, 0, 1, FilterOnly, "n ≥ 1"},
		{"k = 0", Counts{Total: 3}, 1, 0, FilterOnly, "k ≥ 1"},
		{"s > e", Counts{Total: 3, Public: 1, PublicCorrect: 2}, 1, 1, FilterOnly, "inconsistent"},
		{"e > K", Counts{Total: 3, Public: 4}, 1, 1, FilterOnly, "inconsistent"},
		{"q > K−e", Counts{Total: 3, Public: 2, OtherCorrect: 2}, 1, 1, FilterOnly, "inconsistent"},
		{"policy", Counts{Total: 3}, 1, 1, Policy(9), "policy"},
	}
	for _, tc := range tests {
		_, err := NAtK(tc.c, tc.n, tc.k, tc.p)
		if err == nil || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s: error %v, want one mentioning %q", tc.name, err, tc.msg)
		}
	}
}

// unitsOf expands counts into a list of unit outcomes.
func unitsOf(c Counts) []outcome {
	var u []outcome
	for i := 0; i < c.Total; i++ {
		var o outcome
		switch {
		case i < c.PublicCorrect:
			o = outPublic | outCorrect
		case i < c.Public:
			o = outPublic
		case i < c.Public+c.OtherCorrect:
			o = outCorrect
		}
		u = append(u, o)
	}
	return u
}

// bruteNAtK enumerates every draw of k units and every equally likely
// choice of submissions.
func bruteNAtK(units []outcome, n, k int, p Policy) float64 {
	K := len(units)
	total, draws := 0.0, 0
	for mask := 0; mask < 1<<K; mask++ {
		if popcount(mask) != k {
			continue
		}
		draws++
		var pub, other []outcome
		for i := range K {
			if mask&(1<<i) != 0 {
				if units[i]&outPublic != 0 {
					pub = append(pub, units[i])
				} else {
					other = append(other, units[i])
				}
			}
		}
		np := min(len(pub), n)
		mp := 0
		if p == FilterThenFill {
			mp = min(n-np, len(other))
		}
		hit, all := 0, 0
		for a := 0; a < 1<<len(pub); a++ {
			if popcount(a) != np {
				continue
			}
			for b := 0; b < 1<<len(other); b++ {
				if popcount(b) != mp {
					continue
				}
				all++
				ok := false
				for i, o := range pub {
					ok = ok || (a&(1<<i) != 0 && o&outCorrect != 0)
				}
				for i, o := range other {
					ok = ok || (b&(1<<i) != 0 && o&outCorrect != 0)
				}
				if ok {
					hit++
				}
			}
		}
		total += float64(hit) / float64(all)
	}
	return total / float64(draws)
}

func TestNAtKBruteForce(t *testing.T) {
	for K := 1; K <= 7; K++ {
		for e := 0; e <= K; e++ {
			for s := 0; s <= e; s++ {
				for q := 0; q <= K-e; q++ {
					c := Counts{Total: K, Public: e, PublicCorrect: s, OtherCorrect: q}
					for k := 1; k <= K; k++ {
						for n := 1; n <= k+1; n++ {
							for _, p := range []Policy{FilterOnly, FilterThenFill} {
								got, err := NAtK(c, n, k, p)
								if err != nil {
									t.Fatal(err)
								}
								want := bruteNAtK(unitsOf(c), n, k, p)
								if math.Abs(got-want) > 1e-12 {
									t.Fatalf("NAtK(%+v, n=%d, k=%d, %v) = %v, brute force %v", c, n, k, p, got, want)
								}
							}
						}
					}
				}
			}
		}
	}
}

// ratNAtK evaluates the n@k formula in exact rational arithmetic.
func ratNAtK(c Counts, n, k int, p Policy) float64 {
	C := func(a, b int) *big.Int {
		if b < 0 || b > a {
			return big.NewInt(0)
		}
		return new(big.Int).Binomial(int64(a), int64(b))
	}
	miss := func(pool, good, m int) *big.Rat {
		if m <= 0 {
			return big.NewRat(1, 1)
		}
		return new(big.Rat).SetFrac(C(pool-good, m), C(pool, m))
	}
	K, e, s, q := c.Total, c.Public, c.PublicCorrect, c.OtherCorrect
	f := K - e
	sum := new(big.Rat)
	for ep := max(0, k-f); ep <= min(k, e); ep++ {
		w := new(big.Rat).SetFrac(new(big.Int).Mul(C(e, ep), C(f, k-ep)), C(K, k))
		np := min(ep, n)
		m := miss(e, s, np)
		if p == FilterThenFill && np < n {
			m.Mul(m, miss(f, q, min(n-np, k-ep)))
		}
		sum.Add(sum, w.Mul(w, new(big.Rat).Sub(big.NewRat(1, 1), m)))
	}
	v, _ := sum.Float64()
	return v
}

// TestNAtKLargeExact checks the log-space evaluation against exact
// rational arithmetic at realistic sizes (10@100 = 33 rollouts of 200).
func TestNAtKLargeExact(t *testing.T) {
	tests := []struct {
		c    Counts
		n, k int
	}{
		{Counts{Total: 200, Public: 37, PublicCorrect: 5}, 10, 33},
		{Counts{Total: 200, Public: 37, PublicCorrect: 5, OtherCorrect: 3}, 10, 33},
		{Counts{Total: 200, Public: 3, PublicCorrect: 1, OtherCorrect: 1}, 10, 100},
		{Counts{Total: 200, Public: 150, PublicCorrect: 1}, 1, 3},
		{Counts{Total: 1000, Public: 400, PublicCorrect: 2, OtherCorrect: 7}, 10, 333},
		{Counts{Total: 200, Public: 199, PublicCorrect: 198}, 10, 199},
	}
	for _, tc := range tests {
		for _, p := range []Policy{FilterOnly, FilterThenFill} {
			got, err := NAtK(tc.c, tc.n, tc.k, p)
			if err != nil {
				t.Fatal(err)
			}
			near(t, "NAtK vs rational", got, ratNAtK(tc.c, tc.n, tc.k, p), 1e-11)
		}
	}
}

// hypergeometric draws how many of draws items taken without replacement
// from an urn of good and bad items are good, by drawing them one by one.
func hypergeometric(good, bad, draws int, rng *rand.Rand) int {
	got := 0
	for range draws {
		if rng.IntN(good+bad) < good {
			good--
			got++
		} else {
			bad--
		}
	}
	return got
}

// alg1 is AlphaCode's Algorithm 1 (Li et al. 2022, App. A.3) by
// simulation, extended with the fill step for FilterThenFill.
func alg1(c Counts, n, k int, p Policy, S int, rng *rand.Rand) float64 {
	solved := 0
	f := c.Total - c.Public
	for range S {
		ep := hypergeometric(c.Public, f, k, rng)
		np := min(ep, n)
		sp := hypergeometric(c.PublicCorrect, c.Public-c.PublicCorrect, np, rng)
		if sp == 0 && p == FilterThenFill && np < n {
			sp = hypergeometric(c.OtherCorrect, f-c.OtherCorrect, min(n-np, k-ep), rng)
		}
		if sp > 0 {
			solved++
		}
	}
	return float64(solved) / float64(S)
}

func TestNAtKMonteCarlo(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const S = 100000
	tests := []struct {
		c    Counts
		n, k int
	}{
		{Counts{Total: 200, Public: 37, PublicCorrect: 5}, 10, 33},
		{Counts{Total: 200, Public: 20, PublicCorrect: 1, OtherCorrect: 4}, 1, 3},
		{Counts{Total: 100, Public: 50, PublicCorrect: 3, OtherCorrect: 10}, 5, 20},
		{Counts{Total: 20, Public: 2, PublicCorrect: 1, OtherCorrect: 2}, 3, 10},
		{Counts{Total: 200, Public: 5, PublicCorrect: 4}, 1, 1},
	}
	for _, tc := range tests {
		for _, p := range []Policy{FilterOnly, FilterThenFill} {
			exact, err := NAtK(tc.c, tc.n, tc.k, p)
			if err != nil {
				t.Fatal(err)
			}
			mc := alg1(tc.c, tc.n, tc.k, p, S, rng)
			se := math.Sqrt(max(exact*(1-exact), 1e-4) / S)
			if math.Abs(mc-exact) > 4.5*se {
				t.Errorf("%+v n=%d k=%d %v: exact %.5f, Monte Carlo %.5f (se %.5f)", tc.c, tc.n, tc.k, p, exact, mc, se)
			}
		}
	}
}

// With every correct unit also passing the public tests, the two policies
// agree.
func TestNAtKPoliciesAgreeWithoutOtherCorrect(t *testing.T) {
	for e := 0; e <= 30; e += 3 {
		for s := 0; s <= e; s += 2 {
			c := Counts{Total: 30, Public: e, PublicCorrect: s}
			for _, nk := range [][2]int{{1, 1}, {1, 3}, {10, 10}, {5, 30}} {
				a, _ := NAtK(c, nk[0], nk[1], FilterOnly)
				b, _ := NAtK(c, nk[0], nk[1], FilterThenFill)
				near(t, "policies", b, a, 1e-13)
			}
		}
	}
}

func TestPolicyText(t *testing.T) {
	for _, p := range []Policy{FilterThenFill, FilterOnly} {
		b, err := p.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		var q Policy
		if err := q.UnmarshalText(b); err != nil || q != p {
			t.Errorf("round trip of %v: %v, %v", p, q, err)
		}
	}
	if FilterThenFill.String() != "filter_then_fill" || FilterOnly.String() != "filter_only" {
		t.Errorf("policy names changed: %v, %v", FilterThenFill, FilterOnly)
	}
	var q Policy
	if err := q.UnmarshalText([]byte("best")); err == nil {
		t.Error("unknown policy name accepted")
	}
	if _, err := Policy(7).MarshalText(); err == nil {
		t.Error("unknown policy marshalled")
	}
}
