package gemm

import (
	"runtime"
	"sync"
)

// Register block of the micro-kernel and the depth of one packed block.
const (
	mr = 6
	nr = 16
	kc = 256
)

// microKernelGo is the portable micro-kernel.
func microKernelGo(k int, a, b, c []float32, ldc int) {
	var acc [mr * nr]float32
	for p := 0; p < k; p++ {
		ap := a[p*mr : p*mr+mr]
		bp := b[p*nr : p*nr+nr]
		for i, av := range ap {
			row := acc[i*nr : i*nr+nr]
			for j, bv := range bp {
				row[j] += av * bv
			}
		}
	}
	for i := 0; i < mr; i++ {
		row := c[i*ldc : i*ldc+nr]
		for j := range row {
			row[j] += acc[i*nr+j]
		}
	}
}

// Matrix is a row-major view: element (i, j) is Data[i*Stride+j]. With
// Trans set it stands for its transpose.
type Matrix struct {
	Data       []float32
	Rows, Cols int
	Stride     int
	Trans      bool
}

// M returns an untransposed view of data with the given shape and a
// stride of cols.
func M(data []float32, rows, cols int) Matrix {
	return Matrix{Data: data, Rows: rows, Cols: cols, Stride: cols}
}

// T returns the transpose of m.
func (m Matrix) T() Matrix { m.Trans = !m.Trans; return m }

// rows and cols of the operator m stands for.
func (m Matrix) r() int {
	if m.Trans {
		return m.Cols
	}
	return m.Rows
}
func (m Matrix) c() int {
	if m.Trans {
		return m.Rows
	}
	return m.Cols
}

// at returns element (i, j) of the operator.
func (m Matrix) at(i, j int) float32 {
	if m.Trans {
		return m.Data[j*m.Stride+i]
	}
	return m.Data[i*m.Stride+j]
}

// Workspace holds packing buffers; reuse one per goroutine to avoid
// allocation. The zero value is ready to use.
type Workspace struct {
	apack, bpack []float32
	tiles        [][]float32
}

func grow(b []float32, n int) []float32 {
	if cap(b) < n {
		return make([]float32, n)
	}
	return b[:n]
}

// parallelFlops is the smallest product split over goroutines.
const parallelFlops = 1 << 18

// Mul computes C = op(A)·op(B), or C += op(A)·op(B) with accumulate set.
// C must not be transposed and must not overlap A or B. It panics on
// mismatched shapes.
func Mul(ws *Workspace, c, a, b Matrix, accumulate bool) {
	m, k, n := a.r(), a.c(), b.c()
	if b.r() != k || c.Rows != m || c.Cols != n || c.Trans {
		panic("gemm: shape mismatch")
	}
	if !accumulate {
		for i := 0; i < m; i++ {
			clear(c.Data[i*c.Stride : i*c.Stride+n])
		}
	}
	if m == 0 || n == 0 || k == 0 {
		return
	}
	if m < mr && !a.Trans {
		skinny(c, a, b, m, k, n)
		return
	}
	mp, np := (m+mr-1)/mr, (n+nr-1)/nr
	workers := 1
	if 2*m*n*k >= parallelFlops {
		workers = min(runtime.GOMAXPROCS(0), mp*np)
	}
	for len(ws.tiles) < workers {
		ws.tiles = append(ws.tiles, make([]float32, mr*nr))
	}
	for p0 := 0; p0 < k; p0 += kc {
		kb := min(kc, k-p0)
		ws.apack = grow(ws.apack, mp*mr*kb)
		ws.bpack = grow(ws.bpack, np*nr*kb)
		packA(ws.apack, a, p0, kb, m)
		packB(ws.bpack, b, p0, kb, n)
		if workers == 1 {
			mulBlock(ws.apack, ws.bpack, c, kb, m, n, 0, mp*np, 1, ws.tiles[0])
			continue
		}
		var wg sync.WaitGroup
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				mulBlock(ws.apack, ws.bpack, c, kb, m, n, w, mp*np, workers, ws.tiles[w])
			}(w)
		}
		wg.Wait()
	}
}

// mulBlock runs the micro-kernel over tiles w, w+stride, ... of one
// packed depth block. Tiles go row panel by row panel, so consecutive
// tiles of one worker share their A panel.
func mulBlock(apack, bpack []float32, c Matrix, kb, m, n, w, tiles, stride int, tile []float32) {
	np := (n + nr - 1) / nr
	for t := w; t < tiles; t += stride {
		ip, jp := t/np, t%np
		i0, j0 := ip*mr, jp*nr
		ap := apack[ip*mr*kb : (ip+1)*mr*kb]
		bp := bpack[jp*nr*kb : (jp+1)*nr*kb]
		if i0+mr <= m && j0+nr <= n {
			microKernel(kb, ap, bp, c.Data[i0*c.Stride+j0:], c.Stride)
			continue
		}
		clear(tile)
		microKernel(kb, ap, bp, tile, nr)
		for i := 0; i < mr && i0+i < m; i++ {
			row := c.Data[(i0+i)*c.Stride+j0:]
			for j := 0; j < nr && j0+j < n; j++ {
				row[j] += tile[i*nr+j]
			}
		}
	}
}

// packA writes rows of op(A), columns p0..p0+kb, as panels of mr rows:
// panel ip holds, for each p, the mr values A[ip*mr+0..mr-1][p], zero
// padded past m.
func packA(dst []float32, a Matrix, p0, kb, m int) {
	mp := (m + mr - 1) / mr
	for ip := 0; ip < mp; ip++ {
		panel := dst[ip*mr*kb : (ip+1)*mr*kb]
		i0 := ip * mr
		h := min(mr, m-i0)
		if a.Trans {
			// op(A)[i][p] = Data[p*Stride+i]: row p of Data holds the
			// panel's h values side by side.
			for p := 0; p < kb; p++ {
				o := (p0+p)*a.Stride + i0
				dst := panel[p*mr : p*mr+mr : p*mr+mr]
				if h == mr {
					src := a.Data[o : o+mr : o+mr]
					dst[0], dst[1], dst[2], dst[3], dst[4], dst[5] = src[0], src[1], src[2], src[3], src[4], src[5]
					continue
				}
				copy(dst, a.Data[o:o+h])
				clear(dst[h:])
			}
			continue
		}
		for i := 0; i < mr; i++ {
			if i >= h {
				for p := 0; p < kb; p++ {
					panel[p*mr+i] = 0
				}
				continue
			}
			src := a.Data[(i0+i)*a.Stride+p0 : (i0+i)*a.Stride+p0+kb]
			for p, v := range src {
				panel[p*mr+i] = v
			}
		}
	}
}

// packB writes op(B)'s rows p0..p0+kb as panels of nr columns: panel jp
// holds, for each p, B[p][jp*nr+0..nr-1], zero padded past n.
func packB(dst []float32, b Matrix, p0, kb, n int) {
	np := (n + nr - 1) / nr
	for jp := 0; jp < np; jp++ {
		panel := dst[jp*nr*kb : (jp+1)*nr*kb]
		j0 := jp * nr
		w := min(nr, n-j0)
		if b.Trans {
			// op(B)[p][j] = Data[j*Stride+p]
			for j := 0; j < nr; j++ {
				if j >= w {
					for p := 0; p < kb; p++ {
						panel[p*nr+j] = 0
					}
					continue
				}
				src := b.Data[(j0+j)*b.Stride+p0 : (j0+j)*b.Stride+p0+kb]
				for p, v := range src {
					panel[p*nr+j] = v
				}
			}
			continue
		}
		for p := 0; p < kb; p++ {
			dstRow := panel[p*nr : p*nr+nr]
			src := b.Data[(p0+p)*b.Stride+j0 : (p0+p)*b.Stride+j0+w]
			copy(dstRow, src)
			clear(dstRow[w:])
		}
	}
}

// skinny computes C += A·op(B) for a few rows of A (the sampler's
// one-token steps) without packing B: row by row, as axpys over the rows
// of B, or as dots with its rows when B is transposed.
func skinny(c, a, b Matrix, m, k, n int) {
	for i := 0; i < m; i++ {
		x := a.Data[i*a.Stride : i*a.Stride+k]
		y := c.Data[i*c.Stride : i*c.Stride+n]
		if b.Trans {
			// op(B)[p][j] = Data[j*Stride+p]
			for j := range y {
				y[j] += Dot(x, b.Data[j*b.Stride:j*b.Stride+k])
			}
			continue
		}
		for p, v := range x {
			if v != 0 {
				Axpy(v, b.Data[p*b.Stride:p*b.Stride+n], y)
			}
		}
	}
}
