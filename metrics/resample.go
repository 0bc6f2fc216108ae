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

// evaluator evaluates statistics on redrawn groups of one table, with a
// memo per statistic keyed by the counts (a problem's redraws repeat).
type evaluator struct {
	stats    []statistic
	memo     []map[uint64]float64
	usesView [maxViews]bool
	lf       logFact
	h        [numCodes]int
	counts   [maxViews]Counts
}

func (t *table) evaluator(stats []statistic) *evaluator {
	e := &evaluator{stats: stats, memo: make([]map[uint64]float64, len(stats)), lf: newLogFact(t.maxK)}
	for i, st := range stats {
		e.memo[i] = map[uint64]float64{}
		e.usesView[st.view] = true
	}
	return e
}

// addRedraw redraws g's rollouts with rng and adds each statistic's value
// on the redraw to out[i][b].
func (e *evaluator) addRedraw(g *group, rng *rand.Rand, out [][]float64, b int) {
	if len(g.codes) == 1 {
		e.h = g.hist() // all alike: every redraw is the same
	} else {
		g.redraw(&e.h, e.lf, rng)
	}
	for v, used := range e.usesView {
		if used {
			e.counts[v] = countsOf(&e.h, v)
		}
	}
	for i, st := range e.stats {
		c := e.counts[st.view]
		key := c.key()
		val, ok := e.memo[i][key]
		if !ok {
			val = st.eval(c)
			e.memo[i][key] = val
		}
		out[i][b] += val
	}
}

// newReplicates allocates [stat][replicate].
func newReplicates(stats, reps int) [][]float64 {
	out := make([][]float64, stats)
	for i := range out {
		out[i] = make([]float64, reps)
	}
	return out
}

// resample runs the paper's bootstrap: each replicate redraws every
// problem's rollouts with replacement (the problem set stays fixed) and
// averages each statistic over problems. It returns [stat][replicate].
func (t *table) resample(stats []statistic, reps int, rng *rand.Rand) [][]float64 {
	out := newReplicates(len(stats), reps)
	e := t.evaluator(stats)
	P := float64(len(t.groups))
	for b := range reps {
		for gi := range t.groups {
			e.addRedraw(&t.groups[gi], rng, out, b)
		}
		for i := range out {
			out[i][b] /= P
		}
	}
	return out
}

// resampleTwoLevel runs the two-level bootstrap on tables that hold the
// same problems in the same order (one run, or the runs of a paired
// comparison): each replicate draws len(groups) problem indices with
// replacement from problems, shared by all tables, then redraws each drawn
// problem's rollouts in table j with rollouts[j]. It returns
// [table][stat][replicate]. Problem indices are drawn as rng.IntN(P), P
// per replicate, exactly as the paired difference's problem bootstrap
// draws them, so that the two agree draw for draw on the same seed.
func resampleTwoLevel(ts []*table, stats [][]statistic, reps int, problems *rand.Rand, rollouts []*rand.Rand) [][][]float64 {
	out := make([][][]float64, len(ts))
	es := make([]*evaluator, len(ts))
	for j, t := range ts {
		out[j] = newReplicates(len(stats[j]), reps)
		es[j] = t.evaluator(stats[j])
	}
	P := len(ts[0].groups)
	for b := range reps {
		for range P {
			gi := problems.IntN(P)
			for j, t := range ts {
				es[j].addRedraw(&t.groups[gi], rollouts[j], out[j], b)
			}
		}
		for j := range out {
			for i := range out[j] {
				out[j][i][b] /= float64(P)
			}
		}
	}
	return out
}

// singleRollout counts the problems with exactly one rollout in any of
// the tables (which hold the same problems in the same order).
func singleRollout(ts ...*table) int {
	n := 0
	for gi := range ts[0].groups {
		for _, t := range ts {
			if t.groups[gi].total == 1 {
				n++
				break
			}
		}
	}
	return n
}

// replicates resolves b.Method on t and returns the choice with b.Resamples
// replicates of each statistic ([stat][replicate]). Rollouts are redrawn
// from the stream rollouts; two-level problem draws come from
// streamProblems.
func (t *table) replicates(stats []statistic, b Bootstrap, rollouts uint64) (CIChoice, [][]float64) {
	c := chooseCI(b.Method, len(t.groups), singleRollout(t))
	if c.Method == CITwoLevel {
		return c, resampleTwoLevel([]*table{t}, [][]statistic{stats}, b.Resamples, b.rng(streamProblems), []*rand.Rand{b.rng(rollouts)})[0]
	}
	return c, t.resample(stats, b.Resamples, b.rng(rollouts))
}

// pairedReplicates resolves b.Method on two runs' tables of the same
// problems and returns replicates of statistic sa on ta and sb on tb.
// Under the two-level bootstrap both runs share the problem draws (a
// paired resample); rollouts are redrawn from streams streamRollouts (A)
// and streamRolloutsB (B) in either method, so A's replicates are those
// [SolveRateCI] gives A alone under the method chosen.
func pairedReplicates(ta, tb *table, sa, sb statistic, b Bootstrap) (c CIChoice, ra, rb []float64) {
	c = chooseCI(b.Method, len(ta.groups), singleRollout(ta, tb))
	if c.Method == CITwoLevel {
		r := resampleTwoLevel([]*table{ta, tb}, [][]statistic{{sa}, {sb}}, b.Resamples, b.rng(streamProblems),
			[]*rand.Rand{b.rng(streamRollouts), b.rng(streamRolloutsB)})
		return c, r[0][0], r[1][0]
	}
	ra = ta.resample([]statistic{sa}, b.Resamples, b.rng(streamRollouts))[0]
	rb = tb.resample([]statistic{sb}, b.Resamples, b.rng(streamRolloutsB))[0]
	return c, ra, rb
}
