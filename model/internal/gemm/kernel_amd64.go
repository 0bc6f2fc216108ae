package gemm

import "golang.org/x/sys/cpu"

// hasAVX2 selects the assembly kernels; it is fixed at start-up.
var hasAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasFMA

//go:noescape
func kernel6x16(kc int, a, b, c *float32, ldc int)

//go:noescape
func axpyAVX(alpha float32, x, y *float32, n int)

//go:noescape
func dotAVX(x, y *float32, n int) float32

// microKernel adds the product of a packed kc×6 A panel and a packed
// kc×16 B panel to the 6×16 block of c with row stride ldc.
func microKernel(kc int, a, b, c []float32, ldc int) {
	if !hasAVX2 || kc == 0 {
		microKernelGo(kc, a, b, c, ldc)
		return
	}
	_ = a[kc*mr-1]
	_ = b[kc*nr-1]
	_ = c[(mr-1)*ldc+nr-1]
	kernel6x16(kc, &a[0], &b[0], &c[0], ldc)
}

// Axpy adds alpha·x to y (len(y) ≥ len(x)).
func Axpy(alpha float32, x, y []float32) {
	n := len(x)
	if n == 0 {
		return
	}
	_ = y[n-1]
	head := 0
	if hasAVX2 && n >= 16 {
		head = n &^ 15
		axpyAVX(alpha, &x[0], &y[0], head)
	}
	for i := head; i < n; i++ {
		y[i] += alpha * x[i]
	}
}

// Dot returns Σ x[i]·y[i] (len(y) ≥ len(x)).
func Dot(x, y []float32) float32 {
	n := len(x)
	if n == 0 {
		return 0
	}
	_ = y[n-1]
	var s float32
	head := 0
	if hasAVX2 && n >= 16 {
		head = n &^ 15
		s = dotAVX(&x[0], &y[0], head)
	}
	for i := head; i < n; i++ {
		s += x[i] * y[i]
	}
	return s
}
