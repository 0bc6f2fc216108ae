package metrics

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// The case: seven problems, one single-turn rollout each, five
// correct. The paper's bootstrap has nothing to redraw and collapses to a
// point; the two-level one is the bootstrap over problems, whose replicate
// is X/7 with X ~ Binomial(7, 5/7): P(X ≤ 2) = 0.023, P(X ≤ 3) = 0.108,
// P(X ≤ 6) = 0.905, so the 90% interval is 3/7 to 1.
func TestTwoLevelSingleRollouts(t *testing.T) {
	names := []string{"a", "b", "c", "d", "e", "f", "g"}
	rs := runWith(names, []bool{true, true, false, true, true, false, true})
	spec := SingleTurn(1, 1)
	within, c, err := SolveRateCIChoice(rs, spec, Bootstrap{Seed: 1, Method: CIWithin})
	if err != nil {
		t.Fatal(err)
	}
	if within != (Estimate{Value: 5.0 / 7, Lo: 5.0 / 7, Hi: 5.0 / 7}) {
		t.Errorf("within: %+v, want the collapsed point 5/7", within)
	}
	if c.Method != CIWithin || c.SingleRollout != 7 || !strings.Contains(c.Reason, "warning") {
		t.Errorf("within choice %+v", c)
	}
	auto, c, err := SolveRateCIChoice(rs, spec, Bootstrap{Seed: 1, Resamples: 20000, Level: 0.9})
	if err != nil {
		t.Fatal(err)
	}
	if c.Requested != CIAuto || c.Method != CITwoLevel || c.Problems != 7 || c.SingleRollout != 7 {
		t.Errorf("auto choice %+v, want two-level for 7 of 7 single-rollout problems", c)
	}
	if !strings.Contains(c.Reason, "7 of 7 problems have a single rollout") {
		t.Errorf("reason %q does not say why", c.Reason)
	}
	near(t, "value", auto.Value, 5.0/7, 1e-12)
	near(t, "lo", auto.Lo, 3.0/7, 1e-12)
	near(t, "hi", auto.Hi, 1, 1e-12)
}

// p1 has two rollouts, one correct; p2 one correct rollout. Value 3/4.
// Within: p2 is fixed, p1 redraws to 0, 1/2 or 1 (1/4, 1/2, 1/4), so a
// replicate is 1/2, 3/4 or 1 and the 95% interval is 1/2 to 1.
// Two-level: a drawn slot is 0, 1/2 or 1 with probability 1/8, 1/4, 5/8;
// a replicate averages two slots: 0 (1/64), 1/4 (4/64), 1/2 (14/64),
// 3/4 (20/64), 1 (25/64). The CDF passes 0.025 between 1/4 and 1/2 mass
// (1/64 = 0.016, 5/64 = 0.078) and 0.975 inside the mass at 1, so the 95%
// interval is 1/4 to 1.
func TestTwoLevelHandComputed(t *testing.T) {
	rs := []Rollout{ro("p1", true, AC), ro("p1", false, WA), ro("p2", true, AC)}
	spec := SingleTurn(1, 1)
	cases := []struct {
		method CIMethod
		want   Estimate
		used   CIMethod
	}{
		{CIWithin, Estimate{Value: 0.75, Lo: 0.5, Hi: 1}, CIWithin},
		{CITwoLevel, Estimate{Value: 0.75, Lo: 0.25, Hi: 1}, CITwoLevel},
		{CIAuto, Estimate{Value: 0.75, Lo: 0.25, Hi: 1}, CITwoLevel},
	}
	for _, tc := range cases {
		e, c, err := SolveRateCIChoice(rs, spec, Bootstrap{Seed: 4, Resamples: 20000, Method: tc.method})
		if err != nil {
			t.Fatal(err)
		}
		if c.Method != tc.used || c.Requested != tc.method || c.SingleRollout != 1 {
			t.Errorf("%s: choice %+v", tc.method, c)
		}
		near(t, string(tc.method)+" value", e.Value, tc.want.Value, 1e-12)
		near(t, string(tc.method)+" lo", e.Lo, tc.want.Lo, 1e-12)
		near(t, string(tc.method)+" hi", e.Hi, tc.want.Hi, 1e-12)
	}
}

// enumerate returns the exact bootstrap distribution of the mean over
// problems of stat(correct, total), by walking every equally likely
// outcome: every tuple of drawn problems (two-level; the identity tuple
// only for within) and every tuple of drawn rollouts of each drawn
// problem. correct[p][i] says whether rollout i of problem p is correct.
// It shares no code with the resamplers.
func enumerate(correct [][]bool, twoLevel bool, stat func(c, n int) float64) map[float64]float64 {
	P := len(correct)
	dist := map[float64]float64{}
	var problems func(slot int, drawn []int, w float64)
	var rollouts func(slot int, drawn []int, sum, w float64)
	rollouts = func(slot int, drawn []int, sum, w float64) {
		if slot == P {
			dist[math.Round(sum/float64(P)*1e9)/1e9] += w
			return
		}
		rs := correct[drawn[slot]]
		n := len(rs)
		idx := make([]int, n)
		for {
			c := 0
			for _, i := range idx {
				if rs[i] {
					c++
				}
			}
			rollouts(slot+1, drawn, sum+stat(c, n), w/math.Pow(float64(n), float64(n)))
			// Next rollout tuple, odometer order.
			k := 0
			for k < n && idx[k] == n-1 {
				idx[k] = 0
				k++
			}
			if k == n {
				return
			}
			idx[k]++
		}
	}
	problems = func(slot int, drawn []int, w float64) {
		if slot == P {
			rollouts(0, drawn, 0, w)
			return
		}
		if !twoLevel {
			problems(slot+1, append(drawn, slot), w)
			return
		}
		for p := range P {
			problems(slot+1, append(drawn, p), w/float64(P))
		}
	}
	problems(0, nil, 1)
	return dist
}

// rolloutsOf builds single-turn rollouts from correct[p][i].
func rolloutsOf(correct [][]bool) []Rollout {
	var rs []Rollout
	for p, rr := range correct {
		for _, ok := range rr {
			if ok {
				rs = append(rs, ro(problemName(p), true, AC))
			} else {
				rs = append(rs, ro(problemName(p), false, WA))
			}
		}
	}
	return rs
}

// exactQuantile is the q-quantile of a discrete distribution (the
// smallest value whose CDF reaches q), and the distance of q from the
// nearest CDF step, so callers can avoid ties with Monte Carlo noise.
func exactQuantile(dist map[float64]float64, q float64) (v, margin float64) {
	xs := make([]float64, 0, len(dist))
	for x := range dist {
		xs = append(xs, x)
	}
	slices.Sort(xs)
	cdf := 0.0
	margin = math.Inf(1)
	v = math.NaN()
	for _, x := range xs {
		cdf += dist[x]
		margin = min(margin, math.Abs(cdf-q))
		if math.IsNaN(v) && cdf >= q {
			v = x
		}
	}
	return v, margin
}

// The replicates of both resamplers follow the exactly enumerated
// bootstrap distribution, and the intervals are its quantiles.
func TestBootstrapExactDistribution(t *testing.T) {
	passAt2 := func(c, n int) float64 { return 1 - float64((n-c)*(n-c-1))/float64(n*(n-1)) }
	frac := func(c, n int) float64 { return float64(c) / float64(n) }
	cases := []struct {
		name    string
		correct [][]bool
		spec    Spec
		k       int // pass@k instead of n@k when > 0
		stat    func(c, n int) float64
	}{
		{"1@1 mixed sizes", [][]bool{{true, false, false}, {true}, {true, true, false}}, SingleTurn(1, 1), 0, frac},
		{"pass@2", [][]bool{{true, false}, {true, true, false}, {false, true}}, Spec{}, 2, passAt2},
	}
	const R = 40000
	for _, tc := range cases {
		d, err := prepare(rolloutsOf(tc.correct))
		if err != nil {
			t.Fatal(err)
		}
		tb, err := d.table(finalView)
		if err != nil {
			t.Fatal(err)
		}
		st := statistic{eval: func(c Counts) float64 { return PassAtK(c.Total, c.Correct(), tc.k) }}
		if tc.k == 0 {
			if st, err = nAtKStat(d, tb, tc.spec, 0); err != nil {
				t.Fatal(err)
			}
		}
		for _, m := range []CIMethod{CIWithin, CITwoLevel} {
			b, _ := Bootstrap{Seed: 9, Resamples: R, Method: m}.normalized()
			_, reps := tb.replicates([]statistic{st}, b, streamRollouts)
			exact := enumerate(tc.correct, m == CITwoLevel, tc.stat)
			got := map[float64]float64{}
			for _, x := range reps[0] {
				key := math.Round(x*1e9) / 1e9
				if _, ok := exact[key]; !ok {
					t.Fatalf("%s %s: replicate %v impossible under the exact distribution", tc.name, m, x)
				}
				got[key] += 1.0 / R
			}
			for x, p := range exact {
				se := math.Sqrt(p * (1 - p) / R)
				if math.Abs(got[x]-p) > 5*se+1e-9 {
					t.Errorf("%s %s: P(%v) = %.4f, exact %.4f (±%.4f)", tc.name, m, x, got[x], p, 5*se)
				}
			}
			lo, hi := b.interval(reps[0])
			for _, q := range []struct {
				q, got float64
			}{{0.025, lo}, {0.975, hi}} {
				want, margin := exactQuantile(exact, q.q)
				if margin < 0.004 {
					t.Fatalf("%s %s: quantile %v too close to a CDF step for a stable test", tc.name, m, q.q)
				}
				near(t, tc.name+" "+string(m)+" quantile", q.got, want, 1e-9)
			}
		}
	}
}

// The variance of a two-level replicate of a mean of fractions is, by
// the law of total variance, (between + mean within)/P with between the
// population variance of the problems' rates v_p and within
// v_p(1 − v_p)/n_p; the within replicate's is Σ v_p(1 − v_p)/n_p / P².
func TestBootstrapVarianceFormula(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	var correct [][]bool
	for range 40 {
		n := 1 + rng.IntN(6)
		p := rng.Float64()
		rr := make([]bool, n)
		for i := range rr {
			rr[i] = rng.Float64() < p
		}
		correct = append(correct, rr)
	}
	P := float64(len(correct))
	var vs []float64
	within := 0.0
	for _, rr := range correct {
		c := 0
		for _, ok := range rr {
			if ok {
				c++
			}
		}
		v := float64(c) / float64(len(rr))
		vs = append(vs, v)
		within += v * (1 - v) / float64(len(rr))
	}
	m := mean(vs)
	between := 0.0
	for _, v := range vs {
		between += (v - m) * (v - m)
	}
	between /= P
	want := map[CIMethod]float64{
		CIWithin:   within / (P * P),
		CITwoLevel: (between + within/P) / P,
	}
	d, err := prepare(rolloutsOf(correct))
	if err != nil {
		t.Fatal(err)
	}
	tb, err := d.table(finalView)
	if err != nil {
		t.Fatal(err)
	}
	st, err := nAtKStat(d, tb, SingleTurn(1, 1), 0)
	if err != nil {
		t.Fatal(err)
	}
	for m, w := range want {
		b, _ := Bootstrap{Seed: 2, Resamples: 40000, Method: m}.normalized()
		_, reps := tb.replicates([]statistic{st}, b, streamRollouts)
		near(t, string(m)+" replicate mean", mean(reps[0]), mean(vs), 0.002)
		// The sample variance of 40000 replicates is within 2% of the
		// truth with overwhelming probability (its SE is √(2/R) ≈ 0.7%).
		near(t, string(m)+" replicate variance / exact", variance(reps[0])/w, 1, 0.03)
	}
}

func variance(xs []float64) float64 {
	m := mean(xs)
	s := 0.0
	for _, x := range xs {
		s += (x - m) * (x - m)
	}
	return s / float64(len(xs)-1)
}

// With one rollout per problem the two-level bootstrap is the problem
// bootstrap of the paired-difference code: the interval of a run's solve
// rate equals the paired difference's interval against a run that solves
// nothing, draw for draw.
func TestTwoLevelMatchesPairedProblemBootstrap(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	names := make([]string, 37)
	ok := make([]bool, len(names))
	zero, vals := map[string]float64{}, map[string]float64{}
	for i := range names {
		names[i] = problemName(i)
		ok[i] = rng.IntN(3) > 0
		zero[names[i]] = 0
		if ok[i] {
			vals[names[i]] = 1
		} else {
			vals[names[i]] = 0
		}
	}
	b := Bootstrap{Seed: 11, Resamples: 999}
	e, c, err := SolveRateCIChoice(runWith(names, ok), SingleTurn(1, 1), b)
	if err != nil {
		t.Fatal(err)
	}
	pd, err := PairedTest(zero, vals, PairedOptions{Bootstrap: b})
	if err != nil {
		t.Fatal(err)
	}
	if c.Method != CITwoLevel {
		t.Fatalf("method %s, want two-level", c.Method)
	}
	if e != pd.Diff {
		t.Errorf("two-level interval %+v, paired problem bootstrap %+v", e, pd.Diff)
	}
	if e.Lo >= e.Hi {
		t.Errorf("interval %+v has no width", e)
	}
}

// The paired code's two-level difference agrees with the interval code:
// A's interval is what SolveRateCI gives A alone on the same seed; when
// no problem's rollouts vary, the two-level difference is the paired
// problem bootstrap's; and a comparison with a single-rollout run uses
// the two-level bootstrap for both runs.
func TestComparePairedTwoLevelConsistency(t *testing.T) {
	b := Bootstrap{Seed: 3, Resamples: 400}
	t.Run("single rollouts", func(t *testing.T) {
		names := make([]string, 25)
		okA, okB := make([]bool, 25), make([]bool, 25)
		for i := range names {
			names[i] = problemName(i)
			okA[i] = i%3 == 0
			okB[i] = i%2 == 0
		}
		ra, rb := runWith(names, okA), runWith(names, okB)
		res, err := ComparePaired(ra, rb, SingleTurn(1, 1), SingleTurn(1, 1), PairedOptions{Bootstrap: b})
		if err != nil {
			t.Fatal(err)
		}
		if res.CI.Method != CITwoLevel || res.CI.SingleRollout != 25 {
			t.Errorf("choice %+v", res.CI)
		}
		near(t, "two-level lo vs paired", res.DiffTwoLevel.Lo, res.Diff.Lo, 1e-12)
		near(t, "two-level hi vs paired", res.DiffTwoLevel.Hi, res.Diff.Hi, 1e-12)
		if res.DiffRollouts.Lo != res.DiffRollouts.Hi {
			t.Errorf("within difference %+v should collapse with one rollout per problem", res.DiffRollouts)
		}
		alone, _ := SolveRateCI(ra, SingleTurn(1, 1), b)
		if alone != res.A {
			t.Errorf("A %+v, alone %+v", res.A, alone)
		}
	})
	t.Run("constant rollouts", func(t *testing.T) {
		var ra, rb []Rollout
		for i := range 20 {
			n := problemName(i)
			ra = append(ra, repeat(3, ro(n, i%4 == 0, WA))...)
			rb = append(rb, repeat(2+i%3, ro(n, i%3 == 0, WA))...)
		}
		two := b
		two.Method = CITwoLevel
		res, err := ComparePaired(ra, rb, SingleTurn(1, 1), SingleTurn(1, 1), PairedOptions{Bootstrap: two})
		if err != nil {
			t.Fatal(err)
		}
		near(t, "two-level lo vs paired", res.DiffTwoLevel.Lo, res.Diff.Lo, 1e-12)
		near(t, "two-level hi vs paired", res.DiffTwoLevel.Hi, res.Diff.Hi, 1e-12)
		auto, _ := ComparePaired(ra, rb, SingleTurn(1, 1), SingleTurn(1, 1), PairedOptions{Bootstrap: b})
		if auto.CI.Method != CIWithin {
			t.Errorf("auto with ≥ 2 rollouts everywhere chose %s", auto.CI.Method)
		}
	})
	t.Run("varying rollouts", func(t *testing.T) {
		a, c := randomRun(30, 4, 3, 21), randomRun(30, 4, 3, 22)
		spec := MultiTurn(1, 3, 3)
		two := b
		two.Method = CITwoLevel
		res, err := ComparePaired(a, c, spec, spec, PairedOptions{Bootstrap: two})
		if err != nil {
			t.Fatal(err)
		}
		alone, err := SolveRateCI(a, spec, two)
		if err != nil {
			t.Fatal(err)
		}
		if alone != res.A {
			t.Errorf("A %+v, alone %+v", res.A, alone)
		}
		// Auto keeps the paper's bootstrap here, and A's interval with it.
		auto, _ := ComparePaired(a, c, spec, spec, PairedOptions{Bootstrap: b})
		within, _ := SolveRateCI(a, spec, b)
		if auto.CI.Method != CIWithin || auto.A != within || auto.DiffTwoLevel != res.DiffTwoLevel {
			t.Errorf("auto: %+v A %+v (alone %+v), two-level diff %+v vs %+v", auto.CI, auto.A, within, auto.DiffTwoLevel, res.DiffTwoLevel)
		}
	})
}

// Table 2 from a separate single-turn run: its two-level difference MT −
// ST is the negated B − A of the paired comparison (A = MT, B = ST) on
// the same seed.
func TestSTMTSeparateTwoLevel(t *testing.T) {
	var mt, st []Rollout
	for i := range 30 {
		n := problemName(i)
		mt = append(mt, ro(n, i%2 == 0, WA, AC)) // one rollout per problem
		for j := range 4 {
			st = append(st, ro(n, (i+j)%3 == 0, WA))
		}
	}
	b := Bootstrap{Seed: 12, Resamples: 300}
	res, err := CompareSTMT(mt, st, STMTOptions{Budget: 3, Bootstrap: b})
	if err != nil {
		t.Fatal(err)
	}
	if res.CI.Method != CITwoLevel || res.CI.SingleRollout != 30 {
		t.Fatalf("choice %+v", res.CI)
	}
	p, err := ComparePaired(mt, st, res.MTSpec, res.STSpec, PairedOptions{Bootstrap: b})
	if err != nil {
		t.Fatal(err)
	}
	near(t, "diff", res.Diff.Value, -p.Diff.Value, 1e-12)
	near(t, "lo", res.Diff.Lo, -p.DiffTwoLevel.Hi, 1e-12)
	near(t, "hi", res.Diff.Hi, -p.DiffTwoLevel.Lo, 1e-12)
	if p.A != res.MT || p.B != res.ST {
		t.Errorf("marginals differ: MT %+v vs %+v, ST %+v vs %+v", res.MT, p.A, res.ST, p.B)
	}
}

func TestTwoLevelDeterministic(t *testing.T) {
	rs := randomRun(30, 3, 3, 5)
	spec := MultiTurn(1, 3, 3)
	two := Bootstrap{Seed: 42, Method: CITwoLevel}
	a, err := SolveRateCI(rs, spec, two)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := SolveRateCI(rs, spec, two)
	two.Seed = 43
	c, _ := SolveRateCI(rs, spec, two)
	if a != b {
		t.Errorf("same seed, different results: %+v, %+v", a, b)
	}
	if a == c {
		t.Errorf("different seeds, same interval %+v", a)
	}
	w, _ := SolveRateCI(rs, spec, Bootstrap{Seed: 42, Method: CIWithin})
	if a.Hi-a.Lo <= w.Hi-w.Lo {
		t.Errorf("two-level %+v not wider than within %+v on 30 problems", a, w)
	}
}

func TestSummaryCIChoice(t *testing.T) {
	many := summaryRollouts() // four rollouts per problem
	s, err := Summarize(many, SummaryOptions{TurnLimit: 3})
	if err != nil {
		t.Fatal(err)
	}
	if s.CI.Method != CIWithin || s.CI.Requested != CIAuto || s.Bootstrap.Method != CIAuto || !strings.Contains(s.CI.Reason, "paper") {
		t.Errorf("many rollouts: %+v (bootstrap %+v)", s.CI, s.Bootstrap)
	}
	s, err = Summarize(many, SummaryOptions{TurnLimit: 3, Bootstrap: Bootstrap{Method: CITwoLevel}})
	if err != nil || s.CI.Method != CITwoLevel || s.STvsMT == nil || s.STvsMT.CI.Method != CITwoLevel {
		t.Errorf("two-level requested: %v %+v, ST vs MT %+v", err, s.CI, s.STvsMT)
	}
	one := append(slices.Clone(many), ro("z", true, AC))
	s, err = Summarize(one, SummaryOptions{TurnLimit: 3})
	if err != nil {
		t.Fatal(err)
	}
	if s.CI.Method != CITwoLevel || s.CI.SingleRollout != 1 || s.CI.Problems != 3 {
		t.Errorf("one single-rollout problem: %+v", s.CI)
	}
	s, err = Summarize(one, SummaryOptions{TurnLimit: 3, Bootstrap: Bootstrap{Method: CIWithin}})
	if err != nil || s.CI.Method != CIWithin || !strings.Contains(s.CI.Reason, "understate") {
		t.Errorf("within requested: %v %+v", err, s.CI)
	}
	_, err = Summarize(many, SummaryOptions{Bootstrap: Bootstrap{Method: "nested"}})
	if !errors.Is(err, ErrUnknownCIMethod) {
		t.Errorf("unknown method: error %v", err)
	}
}

func TestParseCIMethod(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want CIMethod
		err  bool
	}{
		{"", CIAuto, false}, {"auto", CIAuto, false}, {"within", CIWithin, false},
		{"two-level", CITwoLevel, false}, {"two_level", "", true}, {"Within", "", true},
	} {
		got, err := ParseCIMethod(tc.in)
		if got != tc.want || (err != nil) != tc.err {
			t.Errorf("ParseCIMethod(%q) = %q, %v", tc.in, got, err)
		}
		if err != nil && !errors.Is(err, ErrUnknownCIMethod) {
			t.Errorf("ParseCIMethod(%q): error %v is not ErrUnknownCIMethod", tc.in, err)
		}
	}
}
