package metrics

import (
	"fmt"
	"math"
)

// Counts summarises one problem's units for n@k: how many there are, how
// many pass the public tests, and how many of each kind are correct.
type Counts struct {
	// Total is K, the units available.
	Total int `json:"total"`
	// Public is e_p, the units that pass the public tests.
	Public int `json:"public"`
	// PublicCorrect is s_p, the public-passing units that are also correct.
	PublicCorrect int `json:"public_correct"`
	// OtherCorrect counts correct units among those failing the public
	// tests; only [FilterThenFill] can submit them.
	OtherCorrect int `json:"other_correct"`
}

func (c Counts) validate() error {
	if c.Total < 0 || c.Public < 0 || c.PublicCorrect < 0 || c.OtherCorrect < 0 ||
		c.Public > c.Total || c.PublicCorrect > c.Public || c.OtherCorrect > c.Total-c.Public {
		return fmt.Errorf("inconsistent counts %+v: need 0 ≤ PublicCorrect ≤ Public ≤ Total and 0 ≤ OtherCorrect ≤ Total−Public", c)
	}
	return nil
}

// Correct is the number of correct units of either kind.
func (c Counts) Correct() int { return c.PublicCorrect + c.OtherCorrect }

// Policy chooses which of the drawn units may be submitted.
type Policy uint8

const (
	// FilterThenFill submits up to n drawn units that pass the public
	// tests and fills the remaining slots with drawn units that fail them
	// (RLEF's 1@T submits a final solution whatever its public result).
	FilterThenFill Policy = iota
	// FilterOnly is AlphaCode's Algorithm 1 verbatim: only units that pass
	// the public tests are submitted (n' = min(e', n)).
	FilterOnly
)

// String returns the policy's stable name.
func (p Policy) String() string {
	switch p {
	case FilterThenFill:
		return "filter_then_fill"
	case FilterOnly:
		return "filter_only"
	}
	return fmt.Sprintf("policy(%d)", uint8(p))
}

func (p Policy) valid() bool { return p == FilterThenFill || p == FilterOnly }

// MarshalText encodes the policy by name.
func (p Policy) MarshalText() ([]byte, error) {
	if !p.valid() {
		return nil, fmt.Errorf("metrics: unknown policy %d", uint8(p))
	}
	return []byte(p.String()), nil
}

// UnmarshalText decodes a policy name.
func (p *Policy) UnmarshalText(b []byte) error {
	for _, q := range [...]Policy{FilterThenFill, FilterOnly} {
		if string(b) == q.String() {
			*p = q
			return nil
		}
	}
	return fmt.Errorf("metrics: unknown policy %q", b)
}

// NAtK is the exact AlphaCode n@k estimate for one problem: the probability
// that drawing k of the c.Total units without replacement and submitting
// at most n of them (chosen by policy p) submits a correct one.
//
// With K = c.Total, e = c.Public, s = c.PublicCorrect, q = c.OtherCorrect
// and f = K − e:
//
//	P(e')  = C(e, e') C(f, k−e') / C(K, k)           (hypergeometric)
//	n'     = min(e', n)                               public-passing submissions
//	m'     = min(n − n', k − e')  (FilterThenFill; 0 for FilterOnly)
//	solved = 1 − C(e−s, n')/C(e, n') · C(f−q, m')/C(f, m')
//	n@k    = Σ_e' P(e') · solved(e')
//
// This is the expectation that Algorithm 1 (Li et al. 2022, App. A.3)
// estimates by simulation. Binomials are evaluated in log space. It fails
// on k < 1, n < 1, k > K or inconsistent counts.
func NAtK(c Counts, n, k int, p Policy) (float64, error) {
	if err := checkNAtK(c, n, k, p); err != nil {
		return 0, err
	}
	return nAtK(nil, c, n, k, p), nil
}

func checkNAtK(c Counts, n, k int, p Policy) error {
	if err := c.validate(); err != nil {
		return err
	}
	switch {
	case n < 1:
		return fmt.Errorf("n@k: n=%d, want n ≥ 1", n)
	case k < 1:
		return fmt.Errorf("n@k: k=%d units, want k ≥ 1", k)
	case k > c.Total:
		return fmt.Errorf("n@k: k=%d units but only %d available", k, c.Total)
	case !p.valid():
		return fmt.Errorf("n@k: unknown policy %d", uint8(p))
	}
	return nil
}

// nAtK evaluates the formula of [NAtK]; arguments are already checked and
// lf is a table of log factorials (nil or short: computed on demand). The hypergeometric weight at the mode is computed from
// log binomials; the others follow from it by the exact ratios
//
//	P(x+1)/P(x) = (e−x)(k−x) / ((x+1)(f−k+x+1)),
//
// walking away from the mode so that the largest terms come first and tiny
// ones underflow harmlessly to 0. The miss probabilities C(a−g, j)/C(a, j)
// are products Π_{i<j} (a−g−i)/(a−i).
func nAtK(lf logFact, c Counts, n, k int, p Policy) float64 {
	K, e, s, q := c.Total, c.Public, c.PublicCorrect, c.OtherCorrect
	f := K - e
	fill := p == FilterThenFill && q > 0
	if s == 0 && !fill {
		return 0
	}
	var bufPub, bufOther [32]float64
	missPub := missTable(bufPub[:0], e, s, min(n, e))
	var missOther []float64
	if fill {
		missOther = missTable(bufOther[:0], f, q, min(n, f))
	}
	solved := func(ep int) float64 {
		np := min(ep, n)
		miss := missPub[np]
		if fill && np < n {
			miss *= missOther[min(n-np, k-ep)]
		}
		return 1 - miss
	}
	lo, hi := max(0, k-f), min(k, e)
	mode := min(max((k+1)*(e+1)/(K+2), lo), hi)
	wMode := math.Exp(lf.choose(e, mode) + lf.choose(f, k-mode) - lf.choose(K, k))
	sum := wMode * solved(mode)
	w := wMode
	for x := mode; x < hi && w > 0; x++ {
		w *= float64((e-x)*(k-x)) / float64((x+1)*(f-k+x+1))
		sum += w * solved(x+1)
	}
	w = wMode
	for x := mode; x > lo && w > 0; x-- {
		w *= float64(x*(f-k+x)) / float64((e-x+1)*(k-x+1))
		sum += w * solved(x-1)
	}
	return min(max(sum, 0), 1)
}

// missTable appends to buf, for j = 0..jmax, the probability that j units
// drawn without replacement from a pool holding good correct ones are all
// incorrect: C(pool−good, j)/C(pool, j). jmax ≤ pool.
func missTable(buf []float64, pool, good, jmax int) []float64 {
	t := append(buf, 1)
	for j := 0; j < jmax; j++ {
		r := 0.0
		if pool-good-j > 0 {
			r = t[j] * float64(pool-good-j) / float64(pool-j)
		}
		t = append(t, r)
	}
	return t
}

// logFact holds log(i!) = lgamma(i+1) for i = 0..len−1, so that log
// binomials become three table look-ups.
type logFact []float64

func newLogFact(n int) logFact {
	lf := make(logFact, n+1)
	for i := range lf {
		lf[i], _ = math.Lgamma(float64(i + 1))
	}
	return lf
}

// choose returns log C(n, k), or −Inf when k < 0 or k > n. Values beyond
// the table come from math.Lgamma directly.
func (lf logFact) choose(n, k int) float64 {
	if k < 0 || k > n {
		return math.Inf(-1)
	}
	return lf.at(n) - lf.at(k) - lf.at(n-k)
}

// at returns log(n!).
func (lf logFact) at(n int) float64 {
	if n < len(lf) {
		return lf[n]
	}
	v, _ := math.Lgamma(float64(n + 1))
	return v
}
