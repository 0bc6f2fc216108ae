// Package gemm multiplies single-precision matrices for the model's
// layers: C (+)= op(A)·op(B) with row-major operands, either of which may
// be transposed. Operands are packed into panels and multiplied by a
// 6×16 register-blocked micro-kernel, written in Go assembly with AVX2 and
// FMA on amd64 (about 5× gonum's blas32.Gemm here) and in plain Go
// elsewhere. Large products are split over goroutines.
package gemm
