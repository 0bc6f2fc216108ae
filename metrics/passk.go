package metrics

import "fmt"

// PassAtK is the unbiased pass@k estimator of Chen et al. (2021) for one
// problem with n samples of which c are correct: 1 − C(n−c, k)/C(n, k),
// evaluated in the numerically stable product form
//
//	1 − Π_{i=n−c+1}^{n} (1 − k/i),
//
// and 1 when n − c < k (every k-subset holds a correct sample).
// It panics unless 1 ≤ k ≤ n and 0 ≤ c ≤ n; [MeanPassAtK] checks its input
// and returns an error instead.
func PassAtK(n, c, k int) float64 {
	if k < 1 || k > n || c < 0 || c > n {
		panic(fmt.Sprintf("metrics.PassAtK(n=%d, c=%d, k=%d): need 1 ≤ k ≤ n and 0 ≤ c ≤ n", n, c, k))
	}
	if n-c < k {
		return 1
	}
	prod := 1.0
	for i := n - c + 1; i <= n; i++ {
		prod *= 1 - float64(k)/float64(i)
	}
	return 1 - prod
}

// PassCount is one problem's sample count and correct count.
type PassCount struct {
	Problem string `json:"problem,omitempty"`
	N       int    `json:"n"`
	C       int    `json:"c"`
}

// MeanPassAtK is the mean of [PassAtK] over problems. It fails on an empty
// list or when a problem has fewer than k samples or an impossible count.
func MeanPassAtK(counts []PassCount, k int) (float64, error) {
	if len(counts) == 0 {
		return 0, fmt.Errorf("pass@%d: no problems", k)
	}
	if k < 1 {
		return 0, fmt.Errorf("pass@%d: want k ≥ 1", k)
	}
	sum := 0.0
	for i, pc := range counts {
		if pc.N < k || pc.C < 0 || pc.C > pc.N {
			return 0, fmt.Errorf("pass@%d: problem %d %q has n=%d, c=%d (need k ≤ n, 0 ≤ c ≤ n)", k, i, pc.Problem, pc.N, pc.C)
		}
		sum += PassAtK(pc.N, pc.C, k)
	}
	return sum / float64(len(counts)), nil
}

// FinalPassCounts returns, per problem (sorted by id), the number of usable
// rollouts and how many of them have a correct final answer: the input of
// pass@k "over final answers", whatever each rollout's number of turns.
func FinalPassCounts(rs []Rollout) ([]PassCount, error) {
	d, err := prepare(rs)
	if err != nil {
		return nil, fmt.Errorf("pass counts: %w", err)
	}
	out := make([]PassCount, len(d.problems))
	for i, p := range d.problems {
		pc := PassCount{Problem: p.name, N: len(p.rollouts)}
		for _, r := range p.rollouts {
			if r.FinalPassed {
				pc.C++
			}
		}
		out[i] = pc
	}
	return out, nil
}
