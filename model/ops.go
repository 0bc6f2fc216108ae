package model

import (
	"math"
	"runtime"
	"sync"
	"sync/atomic"
)

// rowChunk is the unit of parallel work over rows. Work is split in
// fixed chunks, and reductions are summed chunk by chunk in order, so
// results do not depend on the number of goroutines.
const rowChunk = 32

// parallel calls fn(lo, hi) over [0, n) in chunks of size chunk, spread
// over GOMAXPROCS goroutines; fn also receives the chunk's index.
func parallel(n, chunk int, fn func(c, lo, hi int)) {
	chunks := (n + chunk - 1) / chunk
	workers := min(runtime.GOMAXPROCS(0), chunks)
	if workers <= 1 {
		for c := 0; c < chunks; c++ {
			fn(c, c*chunk, min(n, (c+1)*chunk))
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				c := int(next.Add(1)) - 1
				if c >= chunks {
					return
				}
				fn(c, c*chunk, min(n, (c+1)*chunk))
			}
		}()
	}
	wg.Wait()
}

// parallelWorkers is parallel with a worker index, for per-worker scratch
// buffers (jobs are independent; their results must not depend on which
// worker ran them).
func parallelWorkers(jobs, workers int, fn func(w, job int)) {
	workers = min(workers, jobs)
	if workers <= 1 {
		for j := 0; j < jobs; j++ {
			fn(0, j)
		}
		return
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for {
				j := int(next.Add(1)) - 1
				if j >= jobs {
					return
				}
				fn(w, j)
			}
		}(w)
	}
	wg.Wait()
}

const lnEps = 1e-5

// layerNorm normalises each of n rows of x (width d) into out, keeping
// each row's mean and reciprocal standard deviation for the backward.
func layerNorm(out, mean, rstd, x, w, b []float32, n, d int) {
	parallel(n, rowChunk, func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			row := x[i*d : i*d+d]
			var s float64
			for _, v := range row {
				s += float64(v)
			}
			mu := s / float64(d)
			var v2 float64
			for _, v := range row {
				dv := float64(v) - mu
				v2 += dv * dv
			}
			r := 1 / math.Sqrt(v2/float64(d)+lnEps)
			mean[i], rstd[i] = float32(mu), float32(r)
			o := out[i*d : i*d+d]
			for j, v := range row {
				o[j] = float32((float64(v)-mu)*r)*w[j] + b[j]
			}
		}
	})
}

// layerNormBackward adds the input gradient to dx and the parameter
// gradients to dw, db, given the output gradient dout.
func layerNormBackward(dx, dw, db, dout, x, mean, rstd, w []float32, n, d int) {
	chunks := (n + rowChunk - 1) / rowChunk
	part := make([]float32, chunks*2*d)
	parallel(n, rowChunk, func(c, lo, hi int) {
		pw, pb := part[c*2*d:c*2*d+d], part[c*2*d+d:(c+1)*2*d]
		for i := lo; i < hi; i++ {
			xr, gr, dxr := x[i*d:i*d+d], dout[i*d:i*d+d], dx[i*d:i*d+d]
			mu, r := mean[i], rstd[i]
			var sumG, sumGN float64
			for j := range xr {
				norm := (xr[j] - mu) * r
				g := gr[j] * w[j]
				sumG += float64(g)
				sumGN += float64(g * norm)
				pw[j] += gr[j] * norm
				pb[j] += gr[j]
			}
			mg, mgn := float32(sumG/float64(d)), float32(sumGN/float64(d))
			for j := range xr {
				norm := (xr[j] - mu) * r
				dxr[j] += r * (gr[j]*w[j] - mg - norm*mgn)
			}
		}
	})
	sumParts(dw, part, chunks, 2*d, 0)
	sumParts(db, part, chunks, 2*d, d)
}

// sumParts adds, in chunk order, the d values at offset off of each of
// the chunks' stride-sized partial results to dst.
func sumParts(dst, part []float32, chunks, stride, off int) {
	for c := 0; c < chunks; c++ {
		p := part[c*stride+off : c*stride+off+len(dst)]
		for j, v := range p {
			dst[j] += v
		}
	}
}

// addBias adds b to each of n rows of x.
func addBias(x, b []float32, n int) {
	d := len(b)
	parallel(n, rowChunk*4, func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			row := x[i*d : i*d+d]
			for j, v := range b {
				row[j] += v
			}
		}
	})
}

// biasBackward adds the column sums of dout (n rows of width len(db)) to
// db.
func biasBackward(db, dout []float32, n int) {
	d := len(db)
	chunk := rowChunk * 4
	chunks := (n + chunk - 1) / chunk
	part := make([]float32, chunks*d)
	parallel(n, chunk, func(c, lo, hi int) {
		p := part[c*d : c*d+d]
		for i := lo; i < hi; i++ {
			for j, v := range dout[i*d : i*d+d] {
				p[j] += v
			}
		}
	})
	sumParts(db, part, chunks, d, 0)
}

const geluScale = 0.7978845608028654 // √(2/π)

// gelu applies GELU's tanh approximation (GPT-2's). When th is not nil
// it keeps each tanh for the backward.
func gelu(out, th, x []float32) {
	parallel(len(x), 4096, func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			v := float64(x[i])
			t := math.Tanh(geluScale * (v + 0.044715*v*v*v))
			out[i] = float32(0.5 * v * (1 + t))
			if th != nil {
				th[i] = float32(t)
			}
		}
	})
}

// geluBackward sets dx = dout · gelu'(x), given the forward's tanh.
func geluBackward(dx, dout, x, th []float32) {
	parallel(len(x), 4096, func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			v, t := float64(x[i]), float64(th[i])
			grad := 0.5*(1+t) + 0.5*v*(1-t*t)*geluScale*(1+3*0.044715*v*v)
			dx[i] = float32(grad) * dout[i]
		}
	})
}

// logSoftmax writes the softmax of logits into probs and returns
// log-sum-exp, in float64.
func softmax(probs, logits []float32) float64 {
	mx := float32(math.Inf(-1))
	for _, v := range logits {
		mx = max(mx, v)
	}
	var s float64
	for i, v := range logits {
		e := math.Exp(float64(v - mx))
		probs[i] = float32(e)
		s += e
	}
	inv := 1 / s
	for i := range probs {
		probs[i] = float32(float64(probs[i]) * inv)
	}
	return float64(mx) + math.Log(s)
}
