//go:build !amd64

package gemm

func microKernel(kc int, a, b, c []float32, ldc int) { microKernelGo(kc, a, b, c, ldc) }

// Axpy adds alpha·x to y (len(y) ≥ len(x)).
func Axpy(alpha float32, x, y []float32) {
	y = y[:len(x)]
	for i, v := range x {
		y[i] += alpha * v
	}
}

// Dot returns Σ x[i]·y[i] (len(y) ≥ len(x)).
func Dot(x, y []float32) float32 {
	y = y[:len(x)]
	var s float32
	for i, v := range x {
		s += v * y[i]
	}
	return s
}
