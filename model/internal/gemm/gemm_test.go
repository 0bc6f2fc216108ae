package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

func naive(c, a, b Matrix, accumulate bool) {
	for i := 0; i < c.Rows; i++ {
		for j := 0; j < c.Cols; j++ {
			var s float64
			for p := 0; p < a.c(); p++ {
				s += float64(a.at(i, p)) * float64(b.at(p, j))
			}
			if accumulate {
				s += float64(c.Data[i*c.Stride+j])
			}
			c.Data[i*c.Stride+j] = float32(s)
		}
	}
}

func random(rng *rand.Rand, rows, cols int) Matrix {
	m := M(make([]float32, rows*cols), rows, cols)
	for i := range m.Data {
		m.Data[i] = float32(rng.NormFloat64())
	}
	return m
}

func TestMulMatchesNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	shapes := [][3]int{{1, 1, 1}, {6, 16, 3}, {7, 17, 5}, {13, 33, 300}, {64, 128, 96}, {5, 3, 600}, {130, 50, 1}, {1, 384, 128}, {0, 4, 4}, {4, 0, 4}, {4, 4, 0}}
	for _, s := range shapes {
		for _, ta := range []bool{false, true} {
			for _, tb := range []bool{false, true} {
				for _, acc := range []bool{false, true} {
					m, n, k := s[0], s[1], s[2]
					t.Run(fmt.Sprintf("%dx%dx%d/ta=%v/tb=%v/acc=%v", m, n, k, ta, tb, acc), func(t *testing.T) {
						a := random(rng, m, k)
						if ta {
							a = random(rng, k, m).T()
						}
						b := random(rng, k, n)
						if tb {
							b = random(rng, n, k).T()
						}
						got, want := random(rng, m, n), M(make([]float32, m*n), m, n)
						copy(want.Data, got.Data)
						var ws Workspace
						Mul(&ws, got, a, b, acc)
						naive(want, a, b, acc)
						for i := range got.Data {
							if d := math.Abs(float64(got.Data[i] - want.Data[i])); d > 1e-4*(1+math.Abs(float64(want.Data[i]))) {
								t.Fatalf("element %d: got %v, want %v", i, got.Data[i], want.Data[i])
							}
						}
					})
				}
			}
		}
	}
}

func TestStridedOutput(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	a, b := random(rng, 9, 20), random(rng, 20, 18)
	big := M(make([]float32, 9*40), 9, 40)
	c := Matrix{Data: big.Data[3:], Rows: 9, Cols: 18, Stride: 40}
	var ws Workspace
	Mul(&ws, c, a, b, false)
	want := M(make([]float32, 9*18), 9, 18)
	naive(want, a, b, false)
	for i := 0; i < 9; i++ {
		for j := 0; j < 40; j++ {
			v := big.Data[i*40+j]
			if j < 3 || j >= 21 {
				if v != 0 {
					t.Fatalf("wrote outside the view at (%d,%d)", i, j)
				}
				continue
			}
			if d := math.Abs(float64(v - want.Data[i*18+j-3])); d > 1e-4 {
				t.Fatalf("(%d,%d): got %v want %v", i, j, v, want.Data[i*18+j-3])
			}
		}
	}
}

func TestAxpyDot(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{0, 1, 15, 16, 17, 33, 128, 130} {
		x, y := random(rng, 1, n).Data, random(rng, 1, n).Data
		want := make([]float32, n)
		var dot float64
		for i := range x {
			want[i] = y[i] + 0.5*x[i]
			dot += float64(x[i]) * float64(y[i])
		}
		if got := Dot(x, y); math.Abs(float64(got)-dot) > 1e-4*(1+math.Abs(dot)) {
			t.Errorf("Dot n=%d: %v, want %v", n, got, dot)
		}
		Axpy(0.5, x, y)
		for i := range y {
			if math.Abs(float64(y[i]-want[i])) > 1e-5 {
				t.Fatalf("Axpy n=%d: element %d %v, want %v", n, i, y[i], want[i])
			}
		}
	}
}

func BenchmarkMul(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, s := range [][3]int{{2048, 384, 128}, {128, 384, 2048}, {150, 150, 32}} {
		b.Run(fmt.Sprintf("%dx%dx%d", s[0], s[1], s[2]), func(b *testing.B) {
			a, bb, c := random(rng, s[0], s[2]), random(rng, s[2], s[1]), random(rng, s[0], s[1])
			var ws Workspace
			for b.Loop() {
				Mul(&ws, c, a, bb, false)
			}
			b.ReportMetric(float64(2*s[0]*s[1]*s[2])*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}
