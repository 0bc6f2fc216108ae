package metrics

import (
	"fmt"
	"maps"
	"math"
	"math/bits"
	"math/rand/v2"
	"slices"
	"strings"
)

// PairedOptions configures a paired comparison.
type PairedOptions struct {
	// Bootstrap sets the resamples, seed and level of the intervals.
	Bootstrap Bootstrap `json:"bootstrap"`
	// Permutations is the number of random sign flips when exact
	// enumeration is too large (more than 20 problems with a non-zero
	// difference); 0 means 10000.
	Permutations int `json:"permutations"`
}

// DefaultPermutations is the default number of random sign flips.
const DefaultPermutations = 10000

// exactSignFlipMax is the largest number of non-zero differences whose
// 2^m sign patterns are enumerated exactly.
const exactSignFlipMax = 20

// p-value methods.
const (
	SignFlipExact      = "sign_flip_exact"
	SignFlipMonteCarlo = "sign_flip_monte_carlo"
)

// PairedDiff is a paired comparison of per-problem values of two runs.
type PairedDiff struct {
	Problems int `json:"problems"`
	// Diff is mean(B) − mean(A) with a percentile-bootstrap interval that
	// resamples problems with replacement, keeping each problem's pair
	// together.
	Diff Estimate `json:"diff"`
	// PValue is the two-sided p-value of a paired sign-flip permutation
	// test of "no difference": under the null each problem's difference
	// d_p = b_p − a_p is equally likely to carry either sign, and the
	// statistic is |Σ d_p|. Exact over all 2^m sign patterns of the m
	// non-zero differences when m ≤ 20 (p = #{|Σ ±d| ≥ |Σ d|}/2^m),
	// otherwise Monte Carlo with p = (1 + #hits)/(1 + permutations).
	PValue       float64 `json:"p_value"`
	PValueMethod string  `json:"p_value_method"`
	// Wins, Losses and Ties count problems where B is above, below or
	// equal to A.
	Wins   int `json:"wins"`
	Losses int `json:"losses"`
	Ties   int `json:"ties"`
}

// Paired compares two runs on the same problems.
type Paired struct {
	SpecA Spec `json:"spec_a"`
	SpecB Spec `json:"spec_b"`
	// A and B are the solve rates with intervals of the bootstrap named by
	// CI (under the two-level bootstrap the two runs share the problem
	// draws).
	A Estimate `json:"a"`
	B Estimate `json:"b"`
	PairedDiff
	// DiffRollouts is B − A with the interval of the paper's notion of
	// uncertainty: problems fixed, each run's rollouts resampled within
	// problems. It is narrower than Diff, which also covers the choice of
	// problems.
	DiffRollouts Estimate `json:"diff_rollouts"`
	// DiffTwoLevel is B − A under the two-level bootstrap: problems drawn
	// with replacement (the same draws for both runs, and the same draws
	// as Diff's), then each run's rollouts of every drawn problem. When no
	// problem's rollouts vary, it equals Diff; otherwise it is at least
	// as wide on average, counting the rollouts' noise a second time.
	DiffTwoLevel Estimate `json:"diff_two_level"`
	// CI says which bootstrap A and B used and why.
	CI CIChoice `json:"ci"`
}

// ComparePaired compares run b with run a (B − A) on n@k solve rates, a
// under spec sa and b under sb (for example single-turn against
// multi-turn at an equal budget). It refuses runs whose problem sets
// (problems with at least one usable rollout) differ, naming the problems.
func ComparePaired(a, b []Rollout, sa, sb Spec, o PairedOptions) (Paired, error) {
	bo, err := o.Bootstrap.normalized()
	if err != nil {
		return Paired{}, fmt.Errorf("paired comparison: %w", err)
	}
	da, ta, stA, err := prepareSpec(a, sa)
	if err != nil {
		return Paired{}, fmt.Errorf("paired comparison, run A: %w", err)
	}
	db, tb, stB, err := prepareSpec(b, sb)
	if err != nil {
		return Paired{}, fmt.Errorf("paired comparison, run B: %w", err)
	}
	if err := sameProblems(da.names(), db.names()); err != nil {
		return Paired{}, fmt.Errorf("paired comparison: %w", err)
	}
	va := ta.perProblem([]statistic{stA})[0]
	vb := tb.perProblem([]statistic{stB})[0]
	pd, err := pairedDiff(va, vb, o)
	if err != nil {
		return Paired{}, err
	}
	within := Bootstrap{Resamples: bo.Resamples, Seed: bo.Seed, Level: bo.Level, Method: CIWithin}
	_, wa, wb := pairedReplicates(ta, tb, stA, stB, within)
	two := within
	two.Method = CITwoLevel
	_, ta2, tb2 := pairedReplicates(ta, tb, stA, stB, two)
	res := Paired{SpecA: sa, SpecB: sb, PairedDiff: pd}
	res.CI = chooseCI(bo.Method, len(va), singleRollout(ta, tb))
	ra, rb := wa, wb
	if res.CI.Method == CITwoLevel {
		ra, rb = ta2, tb2
	}
	res.A = Estimate{Value: mean(va)}
	res.A.Lo, res.A.Hi = bo.interval(ra)
	res.B = Estimate{Value: mean(vb)}
	res.B.Lo, res.B.Hi = bo.interval(rb)
	res.DiffRollouts = diffEstimate(bo, pd.Diff.Value, wa, wb)
	res.DiffTwoLevel = diffEstimate(bo, pd.Diff.Value, ta2, tb2)
	return res, nil
}

// diffEstimate is value with the interval of the replicates rb − ra.
func diffEstimate(bo Bootstrap, value float64, ra, rb []float64) Estimate {
	diffs := make([]float64, len(ra))
	for i := range ra {
		diffs[i] = rb[i] - ra[i]
	}
	e := Estimate{Value: value}
	e.Lo, e.Hi = bo.interval(diffs)
	return e
}

// PairedTest compares per-problem values (for example per-problem solve
// rates from [SolveRates]) of run b with run a. The key sets must match.
func PairedTest(a, b map[string]float64, o PairedOptions) (PairedDiff, error) {
	names := sortedKeys(a)
	if err := sameProblems(names, sortedKeys(b)); err != nil {
		return PairedDiff{}, fmt.Errorf("paired test: %w", err)
	}
	va := make([]float64, len(names))
	vb := make([]float64, len(names))
	for i, n := range names {
		va[i], vb[i] = a[n], b[n]
	}
	return pairedDiff(va, vb, o)
}

// pairedDiff compares aligned per-problem values.
func pairedDiff(va, vb []float64, o PairedOptions) (PairedDiff, error) {
	bo, err := o.Bootstrap.normalized()
	if err != nil {
		return PairedDiff{}, fmt.Errorf("paired test: %w", err)
	}
	perms := o.Permutations
	if perms == 0 {
		perms = DefaultPermutations
	}
	if perms < 1 {
		return PairedDiff{}, fmt.Errorf("paired test: %d permutations, want ≥ 1", perms)
	}
	if len(va) == 0 {
		return PairedDiff{}, fmt.Errorf("paired test: no problems")
	}
	d := make([]float64, len(va))
	pd := PairedDiff{Problems: len(va)}
	for i := range va {
		d[i] = vb[i] - va[i]
		switch {
		case math.Abs(d[i]) <= zeroTol:
			pd.Ties++
		case d[i] > 0:
			pd.Wins++
		default:
			pd.Losses++
		}
	}
	pd.Diff.Value = mean(d)
	rng := bo.rng(streamProblems)
	reps := make([]float64, bo.Resamples)
	for r := range reps {
		s := 0.0
		for range d {
			s += d[rng.IntN(len(d))]
		}
		reps[r] = s / float64(len(d))
	}
	pd.Diff.Lo, pd.Diff.Hi = bo.interval(reps)
	pd.PValue, pd.PValueMethod = signFlip(d, perms, bo.rng(streamSignFlip))
	return pd, nil
}

// zeroTol treats per-problem differences this small as ties.
const zeroTol = 1e-12

// signFlip returns the two-sided sign-flip p-value of the differences d.
func signFlip(d []float64, perms int, rng *rand.Rand) (float64, string) {
	var nz []float64
	scale := 0.0
	for _, x := range d {
		if math.Abs(x) > zeroTol {
			nz = append(nz, x)
			scale += math.Abs(x)
		}
	}
	if len(nz) == 0 {
		return 1, SignFlipExact
	}
	obs := 0.0
	for _, x := range nz {
		obs += x
	}
	obs = math.Abs(obs)
	tol := 1e-9 * scale
	if len(nz) <= exactSignFlipMax {
		// Walk all sign patterns in Gray-code order, starting from the
		// observed one: one sign changes per step.
		sum := 0.0
		for _, x := range nz {
			sum += x
		}
		signs := make([]bool, len(nz)) // true = flipped
		hits := 0
		total := 1 << len(nz)
		for i := range total {
			if i > 0 {
				j := bits.TrailingZeros(uint(i))
				if signs[j] {
					sum += 2 * nz[j]
				} else {
					sum -= 2 * nz[j]
				}
				signs[j] = !signs[j]
			}
			if math.Abs(sum) >= obs-tol {
				hits++
			}
		}
		return float64(hits) / float64(total), SignFlipExact
	}
	hits := 0
	for range perms {
		s := 0.0
		var draw uint64
		for i, x := range nz {
			if i%64 == 0 {
				draw = rng.Uint64()
			}
			if draw&1 != 0 {
				s += x
			} else {
				s -= x
			}
			draw >>= 1
		}
		if math.Abs(s) >= obs-tol {
			hits++
		}
	}
	return float64(1+hits) / float64(1+perms), SignFlipMonteCarlo
}

// sortedKeys returns the keys of m in ascending order.
func sortedKeys(m map[string]float64) []string {
	return slices.Sorted(maps.Keys(m))
}

// sameProblems fails when two sorted problem lists differ, naming the
// problems found in only one of them.
func sameProblems(a, b []string) error {
	var onlyA, onlyB []string
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case j == len(b) || (i < len(a) && a[i] < b[j]):
			onlyA = append(onlyA, a[i])
			i++
		case i == len(a) || b[j] < a[i]:
			onlyB = append(onlyB, b[j])
			j++
		default:
			i++
			j++
		}
	}
	if len(onlyA) == 0 && len(onlyB) == 0 {
		return nil
	}
	return fmt.Errorf("problem sets differ: %d only in A%s, %d only in B%s", len(onlyA), listNames(onlyA), len(onlyB), listNames(onlyB))
}

// listNames formats up to ten names for an error message.
func listNames(names []string) string {
	if len(names) == 0 {
		return ""
	}
	const show = 10
	s := names[:min(len(names), show)]
	q := make([]string, len(s))
	for i, n := range s {
		q[i] = fmt.Sprintf("%q", n)
	}
	more := ""
	if len(names) > show {
		more = fmt.Sprintf(", … %d more", len(names)-show)
	}
	return " (" + strings.Join(q, ", ") + more + ")"
}
