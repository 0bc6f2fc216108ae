package metrics

import (
	"math/big"
	"testing"
)

func TestPassAtKHand(t *testing.T) {
	tests := []struct {
		n, c, k int
		want    float64
	}{
		{5, 2, 2, 0.7},                    // 1 − C(3,2)/C(5,2) = 1 − 3/10
		{5, 0, 1, 0},                      // nothing correct
		{5, 5, 1, 1},                      // everything correct
		{10, 1, 1, 0.1},                   // pass@1 = c/n
		{10, 3, 5, 1 - 21.0/252},          // 1 − C(7,5)/C(10,5)
		{4, 2, 3, 1},                      // n − c < k
		{3, 1, 3, 1},                      // k = n with one correct
		{20, 4, 1, 0.2},                   // pass@1 = c/n
		{6, 2, 2, 1 - 6.0/15},             // 1 − C(4,2)/C(6,2)
		{100, 1, 10, 10.0 / 100},          // one correct: k/n
		{100, 99, 1, 99.0 / 100},          // pass@1
		{100, 0, 100, 0},                  // k = n, nothing correct
		{100, 1, 100, 1},                  // k = n, one correct
		{7, 3, 4, 1 - 1.0/35},             // 1 − C(4,4)/C(7,4)
		{8, 2, 3, 1 - 20.0/56},            // 1 − C(6,3)/C(8,3)
		{12, 5, 2, 1 - 21.0/66},           // 1 − C(7,2)/C(12,2)
		{200, 13, 1, 13.0 / 200},          // pass@1
		{50, 10, 5, 1 - 658008.0/2118760}, // 1 − C(40,5)/C(50,5)
	}
	for _, tc := range tests {
		near(t, "PassAtK", PassAtK(tc.n, tc.c, tc.k), tc.want, 1e-12)
	}
}

// TestPassAtKExactRational checks the product form against the defining
// ratio of binomials evaluated exactly with big integers.
func TestPassAtKExactRational(t *testing.T) {
	for _, tc := range []struct{ n, c, k int }{{200, 13, 10}, {200, 1, 100}, {200, 150, 3}, {1000, 7, 100}, {165, 40, 33}} {
		num := new(big.Int).Binomial(int64(tc.n-tc.c), int64(tc.k))
		den := new(big.Int).Binomial(int64(tc.n), int64(tc.k))
		ratio, _ := new(big.Rat).SetFrac(num, den).Float64()
		near(t, "PassAtK vs exact", PassAtK(tc.n, tc.c, tc.k), 1-ratio, 1e-12)
	}
}

// TestPassAtKSubsets checks the estimator against its definition: the
// fraction of k-subsets of the n samples holding a correct one.
func TestPassAtKSubsets(t *testing.T) {
	for n := 1; n <= 10; n++ {
		for c := 0; c <= n; c++ {
			for k := 1; k <= n; k++ {
				hit, all := 0, 0
				for mask := 0; mask < 1<<n; mask++ {
					if popcount(mask) != k {
						continue
					}
					all++
					if mask&(1<<c-1) != 0 { // samples 0..c−1 are the correct ones
						hit++
					}
				}
				near(t, "PassAtK subsets", PassAtK(n, c, k), float64(hit)/float64(all), 1e-12)
			}
		}
	}
}

func popcount(x int) int {
	n := 0
	for ; x != 0; x &= x - 1 {
		n++
	}
	return n
}

func TestPassAtKPanics(t *testing.T) {
	for _, tc := range []struct{ n, c, k int }{{5, 2, 0}, {5, 2, 6}, {5, -1, 1}, {5, 6, 1}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("PassAtK(%d,%d,%d) did not panic", tc.n, tc.c, tc.k)
				}
			}()
			PassAtK(tc.n, tc.c, tc.k)
		}()
	}
}

func TestMeanPassAtK(t *testing.T) {
	got, err := MeanPassAtK([]PassCount{{N: 5, C: 2}, {N: 10, C: 1}}, 1)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "mean pass@1", got, (0.4+0.1)/2, 1e-12)
	got, err = MeanPassAtK([]PassCount{{N: 5, C: 2}, {N: 5, C: 0}, {N: 4, C: 2}}, 2)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "mean pass@2", got, (0.7+0+(1-1.0/6))/3, 1e-12)

	for _, tc := range []struct {
		name   string
		counts []PassCount
		k      int
	}{
		{"empty", nil, 1},
		{"k too large", []PassCount{{Problem: "p", N: 3, C: 1}}, 4},
		{"c > n", []PassCount{{N: 3, C: 4}}, 1},
		{"k < 1", []PassCount{{N: 3, C: 1}}, 0},
	} {
		if _, err := MeanPassAtK(tc.counts, tc.k); err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
}

func TestFinalPassCounts(t *testing.T) {
	rs := []Rollout{
		ro("b", true, WA, AC), ro("a", false, WA), ro("b", false, AC), ro("a", true, AC),
		ro("a", true, AC), {Problem: "a", Infra: true}, {Problem: "c", Infra: true},
	}
	got, err := FinalPassCounts(rs)
	if err != nil {
		t.Fatal(err)
	}
	want := []PassCount{{Problem: "a", N: 3, C: 2}, {Problem: "b", N: 2, C: 1}}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("count %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}
