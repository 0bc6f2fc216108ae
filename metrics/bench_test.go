package metrics

import (
	"strings"
	"testing"
)

// Realistic sizes: the CodeContests test split (165 problems) × 200
// rollouts with turn limit 3.
const benchProblems, benchRollouts = 165, 200

func benchRun(b *testing.B) []Rollout {
	b.Helper()
	return randomRun(benchProblems, benchRollouts, 3, 99)
}

func BenchmarkSolveRate1at3(b *testing.B) {
	rs := benchRun(b)
	for b.Loop() {
		if _, err := SolveRate(rs, MultiTurn(1, 3, 3)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSolveRate10at100(b *testing.B) {
	rs := benchRun(b)
	for b.Loop() {
		if _, err := SolveRate(rs, MultiTurn(10, 100, 3)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNAtK10at100(b *testing.B) {
	c := Counts{Total: 200, Public: 37, PublicCorrect: 5, OtherCorrect: 2}
	for b.Loop() {
		if _, err := NAtK(c, 10, 33, FilterThenFill); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBootstrap1at3(b *testing.B) {
	rs := benchRun(b)
	for b.Loop() {
		if _, err := SolveRateCI(rs, MultiTurn(1, 3, 3), Bootstrap{Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBootstrap1at3TwoLevel(b *testing.B) {
	rs := benchRun(b)
	for b.Loop() {
		if _, err := SolveRateCI(rs, MultiTurn(1, 3, 3), Bootstrap{Seed: 1, Method: CITwoLevel}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBootstrap10at100(b *testing.B) {
	rs := benchRun(b)
	for b.Loop() {
		if _, err := SolveRateCI(rs, MultiTurn(10, 100, 3), Bootstrap{Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCompareSTMT(b *testing.B) {
	rs := benchRun(b)
	for b.Loop() {
		if _, err := CompareSTMT(rs, nil, STMTOptions{Bootstrap: Bootstrap{Seed: 1}}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkComparePaired(b *testing.B) {
	a, c := benchRun(b), randomRun(benchProblems, benchRollouts, 3, 100)
	spec := MultiTurn(1, 3, 3)
	for b.Loop() {
		if _, err := ComparePaired(a, c, spec, spec, PairedOptions{Bootstrap: Bootstrap{Seed: 1}}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCurve(b *testing.B) {
	rs := benchRun(b)
	for b.Loop() {
		if _, err := SolveRateCurve(rs, 10, 3, DefaultBudgets(), FilterThenFill, Bootstrap{Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
}

// benchCode is a typical competitive-programming solution (~1.5 KB).
func benchCode(variant string) string {
	var sb strings.Builder
	sb.WriteString("import sys\ninput = sys.stdin.readline\n\ndef solve():\n")
	for i := range 30 {
		sb.WriteString("    n, m = map(int, input().split())  # step ")
		sb.WriteString(problemName(i))
		sb.WriteString(variant)
		sb.WriteString("\n")
	}
	sb.WriteString("\nfor _ in range(int(input())):\n    solve()\n")
	return sb.String()
}

func BenchmarkChrF(b *testing.B) {
	h, r := benchCode("a"), benchCode("bb")
	b.SetBytes(int64(len(h) + len(r)))
	for b.Loop() {
		ChrF(h, r)
	}
}

func BenchmarkSummarize(b *testing.B) {
	rs := benchRun(b)
	for b.Loop() {
		if _, err := Summarize(rs, SummaryOptions{TurnLimit: 3, NAtK: []NK{{10, 100}}, Bootstrap: Bootstrap{Seed: 1}}); err != nil {
			b.Fatal(err)
		}
	}
}
