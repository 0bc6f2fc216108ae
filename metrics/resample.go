package metrics

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// maxViews bounds the outcomes packed into one code (2 bits each).
const maxViews = 2

// numCodes is the number of distinct codes.
const numCodes = 1 << (2 * maxViews)

// maxPerProblem bounds a problem's rollouts so that counts pack into 16
// bits each.
const maxPerProblem = math.MaxUint16

// table is the input of the estimators and of the bootstrap: per problem
// (sorted by name), the multiset of rollout codes.
type table struct {
	names  []string
	groups []group
	maxK   int // most rollouts of any problem
}

// group is one problem's rollouts as distinct codes with multiplicities,
// plus what the bootstrap needs to redraw them.
type group struct {
	total  int
	codes  []uint8 // distinct, ascending
	counts []int   // multiplicity of each code
	// cond[j] is Binomial(·, p_j) where p_j is the probability that a
	// rollout drawn from codes j, j+1, … has code j:
	// counts[j] / (total − Σ_{i<j} counts[i]).
	cond []binomialDist
}

// table encodes each problem's rollouts as codes, one 2-bit outcome per
// view (view v in bits 2v and 2v+1). Only the multiset of codes is kept, so
// results do not depend on rollout order.
func (d *dataset) table(views ...view) (*table, error) {
	if len(views) == 0 || len(views) > maxViews {
		return nil, fmt.Errorf("metrics: %d views, want 1..%d", len(views), maxViews)
	}
	t := &table{names: d.names(), groups: make([]group, len(d.problems))}
	for i, p := range d.problems {
		if len(p.rollouts) > maxPerProblem {
			return nil, fmt.Errorf("problem %q: %d rollouts, at most %d supported", p.name, len(p.rollouts), maxPerProblem)
		}
		var hist [numCodes]int
		for _, r := range p.rollouts {
			var code uint8
			for v, f := range views {
				o, err := f(r)
				if err != nil {
					return nil, err
				}
				code |= uint8(o) << (2 * v)
			}
			hist[code]++
		}
		t.groups[i] = newGroup(&hist)
		t.maxK = max(t.maxK, len(p.rollouts))
	}
	return t, nil
}

func newGroup(hist *[numCodes]int) group {
	var g group
	for code, n := range hist {
		if n > 0 {
			g.codes = append(g.codes, uint8(code))
			g.counts = append(g.counts, n)
			g.total += n
		}
	}
	left := g.total
	for j := 0; j+1 < len(g.codes); j++ {
		g.cond = append(g.cond, newBinomialDist(float64(g.counts[j])/float64(left), g.total))
		left -= g.counts[j]
	}
	return g
}

// hist returns the group's histogram of codes.
func (g *group) hist() [numCodes]int {
	var h [numCodes]int
	for j, c := range g.codes {
		h[c] = g.counts[j]
	}
	return h
}

// redraw fills h with the code counts of total rollouts drawn with
// replacement from the group: a multinomial draw, done exactly as a chain
// of conditional binomials (equivalent in distribution to drawing the
// rollouts one by one, and far cheaper).
func (g *group) redraw(h *[numCodes]int, lf logFact, rng *rand.Rand) {
	*h = [numCodes]int{}
	left := g.total
	last := len(g.codes) - 1
	for j := 0; j < last && left > 0; j++ {
		x := g.cond[j].draw(left, lf, rng)
		h[g.codes[j]] = x
		left -= x
	}
	h[g.codes[last]] += left
}

// statistic is a per-problem estimator of the counts of one view. eval
// must accept every Counts whose Total is a problem's rollout count.
type statistic struct {
	view int
	eval func(Counts) float64
}

// countsOf reduces a histogram of codes to the counts of view v.
func countsOf(hist *[numCodes]int, v int) Counts {
	var c Counts
	for code, n := range hist {
		if n == 0 {
			continue
		}
		o := outcome(code>>(2*v)) & (outPublic | outCorrect)
		c.Total += n
		switch {
		case o&outPublic != 0:
			c.Public += n
			if o&outCorrect != 0 {
				c.PublicCorrect += n
			}
		case o&outCorrect != 0:
			c.OtherCorrect += n
		}
	}
	return c
}

// key packs counts (each below 2^16) into one map key.
func (c Counts) key() uint64 {
	return uint64(c.Total)<<48 | uint64(c.Public)<<32 | uint64(c.PublicCorrect)<<16 | uint64(c.OtherCorrect)
}

// perProblem evaluates each statistic on each problem: [stat][problem].
func (t *table) perProblem(stats []statistic) [][]float64 {
	out := make([][]float64, len(stats))
	for i := range out {
		out[i] = make([]float64, len(t.groups))
	}
	for p := range t.groups {
		h := t.groups[p].hist()
		for i, st := range stats {
			out[i][p] = st.eval(countsOf(&h, st.view))
		}
	}
	return out
}

// resample runs the bootstrap: each replicate redraws every problem's
// rollouts with replacement (the problem set stays fixed) and averages each
// statistic over problems. It returns [stat][replicate].
func (t *table) resample(stats []statistic, reps int, rng *rand.Rand) [][]float64 {
	out := make([][]float64, len(stats))
	memo := make([]map[uint64]float64, len(stats))
	for i := range out {
		out[i] = make([]float64, reps)
		memo[i] = map[uint64]float64{}
	}
	usesView := [maxViews]bool{}
	for _, st := range stats {
		usesView[st.view] = true
	}
	lf := newLogFact(t.maxK)
	P := float64(len(t.groups))
	var h [numCodes]int
	var counts [maxViews]Counts
	for b := range reps {
		for gi := range t.groups {
			g := &t.groups[gi]
			if len(g.codes) == 1 {
				h = g.hist() // all alike: every redraw is the same
			} else {
				g.redraw(&h, lf, rng)
			}
			for v, used := range usesView {
				if used {
					counts[v] = countsOf(&h, v)
				}
			}
			for i, st := range stats {
				c := counts[st.view]
				key := c.key()
				val, ok := memo[i][key]
				if !ok {
					val = st.eval(c)
					memo[i][key] = val
				}
				out[i][b] += val
			}
		}
		for i := range out {
			out[i][b] /= P
		}
	}
	return out
}
