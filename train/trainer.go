package train

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rlef/rlef/dataset"
	"github.com/rlef/rlef/episode"
)

// Config sets an RLEF training run. Defaults follow the paper where it
// gives numbers (App. A.1) and are scaled down where it trains 8B models.
type Config struct {
	Objective Objective `json:"objective"`
	// Iterations is the number of rollout batches; each yields
	// Minibatches optimizer updates.
	Iterations int `json:"iterations"`
	// Episodes per iteration (the paper: 1024) and updates on them (the
	// paper: 4 updates of 256).
	Episodes    int `json:"episodes"`
	Minibatches int `json:"minibatches"`
	// Epochs is the number of passes over each batch (the paper: 1).
	Epochs int `json:"epochs,omitempty"`
	// LR is the policy's learning rate, ValueLR the value network's;
	// both warm up linearly over Warmup updates.
	LR          float64 `json:"lr"`
	ValueLR     float64 `json:"value_lr"`
	Warmup      int     `json:"warmup"`
	WeightDecay float64 `json:"weight_decay"`
	// Clip is the gradient-norm limit.
	Clip float64 `json:"clip"`
	// Sampling draws training rollouts (the paper: temperature 1, no
	// top-p).
	Sampling Sampling `json:"sampling"`
	// Episode is the protocol: turn limit, feedback mode. Turns = 1 is
	// the single-turn RL ablation; Feedback random the random-feedback
	// ablation.
	Episode episode.Config `json:"episode"`
	// Seed fixes problem order and sampling.
	Seed uint64 `json:"seed"`
	// Workers play episodes concurrently (default 4 × GOMAXPROCS).
	Workers int `json:"workers"`
	// ChunkTokens bounds the tokens of one forward pass (default 4096).
	ChunkTokens int `json:"chunk_tokens"`
}

func (c *Config) defaults() {
	if c.Minibatches <= 0 {
		c.Minibatches = 1
	}
	if c.Epochs <= 0 {
		c.Epochs = 1
	}
	if c.ValueLR == 0 {
		c.ValueLR = c.LR
	}
	if c.Workers <= 0 {
		c.Workers = 4 * runtime.GOMAXPROCS(0)
	}
	if c.ChunkTokens <= 0 {
		c.ChunkTokens = 4096
	}
}

// Stats describe one iteration.
type Stats struct {
	Iteration int `json:"iteration"`
	Updates   int `json:"updates"`
	Episodes  int `json:"episodes"`
	// Infra counts episodes lost to infrastructure failures (not
	// trained on).
	Infra int `json:"infra"`
	// Return is the mean episode return of environment rewards (+1/−1
	// and −0.2 per invalid turn); Solved the fraction that passed.
	Return float64 `json:"return"`
	Solved float64 `json:"solved"`
	// Turns is the mean number of turns per episode; InvalidRate the
	// fraction of turns without code.
	Turns       float64 `json:"turns"`
	InvalidRate float64 `json:"invalid_rate"`
	// FixRate is the fraction of episodes failing the public tests at
	// turn 1 that passed them later.
	FixRate float64 `json:"fix_rate"`
	// KL is the mean per-turn KL term (mean token log-ratio of the
	// behaviour policy against the initial one).
	KL float64 `json:"kl"`
	// Entropy is the policy's mean per-token entropy on its replies.
	Entropy float64 `json:"entropy"`
	// PolicyLoss, ClipFraction and ValueLoss average over the updates;
	// ExplainedVariance is that of the returns by the old values.
	PolicyLoss        float64 `json:"policy_loss"`
	ClipFraction      float64 `json:"clip_fraction"`
	ValueLoss         float64 `json:"value_loss"`
	ExplainedVariance float64 `json:"explained_variance"`
	GradNorm          float64 `json:"grad_norm"`
	// Tokens is the number of reply tokens trained on; TrainTokensPerSec
	// counts every token through the policy and value networks in the
	// updates; SampleTokensPerSec the reply tokens generated.
	Tokens             int     `json:"tokens"`
	TrainTokensPerSec  float64 `json:"train_tokens_per_s"`
	SampleTokensPerSec float64 `json:"sample_tokens_per_s"`
	RolloutSeconds     float64 `json:"rollout_seconds"`
	UpdateSeconds      float64 `json:"update_seconds"`
}

// Trainer runs RLEF: it plays episodes with the policy, scores them with
// the objective and updates the policy and the value network.
type Trainer struct {
	Config Config
	Policy Policy
	// Reference is the frozen initial policy ρ of the KL penalty.
	Reference Policy
	Value     ValueFunction
	Env       *episode.Env
	Problems  []*dataset.Problem
	// Iteration is the number of iterations done (a resumed trainer
	// starts there); Updates the number of optimizer steps.
	Iteration, Updates int
	Logger             *slog.Logger
}

// ErrNoProblems: there is nothing to train on.
var ErrNoProblems = errors.New("no training problems")

// Step runs one iteration: rollouts, then updates.
func (t *Trainer) Step(ctx context.Context) (*Stats, error) {
	cfg := t.Config
	cfg.defaults()
	if len(t.Problems) == 0 {
		return nil, ErrNoProblems
	}
	if t.Logger == nil {
		t.Logger = slog.Default()
	}
	st := &Stats{Iteration: t.Iteration + 1}
	start := time.Now()
	rs, err := t.collect(ctx, cfg)
	if err != nil {
		return nil, err
	}
	st.RolloutSeconds = time.Since(start).Seconds()
	var usable []*Rollout
	sampled := 0
	for _, r := range rs {
		if r.Episode.Infra != "" {
			st.Infra++
			t.Logger.Warn("infrastructure failure; episode not trained on", "problem", r.Episode.Problem, "error", r.Episode.Infra)
			continue
		}
		usable = append(usable, r)
		for _, tt := range r.Turns {
			sampled += tt.End - tt.Start
		}
	}
	st.SampleTokensPerSec = float64(sampled) / max(st.RolloutSeconds, 1e-9)
	episodeStats(st, usable)
	if len(usable) == 0 {
		return nil, fmt.Errorf("iteration %d: every episode failed for infrastructure reasons", st.Iteration)
	}
	start = time.Now()
	items, err := t.prepare(cfg, usable, st)
	if err != nil {
		return nil, err
	}
	if err := t.update(cfg, items, st); err != nil {
		return nil, err
	}
	st.UpdateSeconds = time.Since(start).Seconds()
	t.Iteration++
	st.Updates = t.Updates
	return st, nil
}

// collect plays the iteration's episodes concurrently; results come back
// in a fixed order whatever the scheduling.
func (t *Trainer) collect(ctx context.Context, cfg Config) ([]*Rollout, error) {
	n := cfg.Episodes
	out := make([]*Rollout, n)
	col := &Collector{Policy: t.Policy, Env: t.Env, Config: cfg.Episode, Sampling: cfg.Sampling}
	var (
		next     atomic.Int64
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	for w := 0; w < min(cfg.Workers, n); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n || ctx.Err() != nil {
					return
				}
				g := t.Iteration*n + i
				p := t.problemAt(cfg.Seed, g)
				r, err := col.Collect(ctx, p, g, seedOf(cfg.Seed, "episode", g))
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					cancel()
					return
				}
				out[i] = r
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// problemAt is the problem of the g-th episode of the run: problems are
// visited in a fresh seeded order on every pass over the set.
func (t *Trainer) problemAt(seed uint64, g int) *dataset.Problem {
	n := len(t.Problems)
	epoch, pos := g/n, g%n
	perm := rand.New(rand.NewPCG(seed, uint64(epoch))).Perm(n)
	return t.Problems[perm[pos]]
}

// episodeStats fills the episode-level statistics.
func episodeStats(st *Stats, rs []*Rollout) {
	st.Episodes = len(rs)
	if len(rs) == 0 {
		return
	}
	var ret, solved, turns, invalid, failed1, fixed float64
	for _, r := range rs {
		e := r.Episode
		ret += e.Return
		if e.Passed {
			solved++
		}
		turns += float64(len(e.Turns))
		for _, tr := range e.Turns {
			if tr.Verdict == "invalid" {
				invalid++
			}
		}
		if len(e.Turns) > 0 && e.Turns[0].Verdict != "accepted" {
			failed1++
			if e.PublicPassed() {
				fixed++
			}
		}
	}
	n := float64(len(rs))
	st.Return, st.Solved, st.Turns = ret/n, solved/n, turns/n
	st.InvalidRate = invalid / max(turns, 1)
	if failed1 > 0 {
		st.FixRate = fixed / failed1
	}
}

// item is one rollout's training data: the reply tokens scored with
// their behaviour log-probabilities and advantages, and the value
// predictions with their old values and targets.
type item struct {
	tokens   []int32
	score    []int
	logp     []float32 // behaviour (= θold: collection is synchronous)
	adv      []float64
	valuePos []int
	oldValue []float64
	target   []float64
}

// prepare computes reference log-probabilities, old values, returns and
// advantages.
func (t *Trainer) prepare(cfg Config, rs []*Rollout, st *Stats) ([]item, error) {
	o := cfg.Objective
	items := make([]item, len(rs))
	seqs := make([]Sequence, len(rs))
	vseqs := make([]Sequence, len(rs))
	for i, r := range rs {
		items[i] = newItem(r, o.TokenLevelValue)
		seqs[i] = Sequence{Tokens: items[i].tokens, Score: items[i].score}
		vseqs[i] = Sequence{Tokens: items[i].tokens, Value: items[i].valuePos}
	}
	ref, err := chunked(seqs, cfg.ChunkTokens, func(c []Sequence) ([]Scores, error) { return t.Reference.Score(c, false) })
	if err != nil {
		return nil, fmt.Errorf("reference log-probabilities: %w", err)
	}
	vals, err := chunked(vseqs, cfg.ChunkTokens, func(c []Sequence) ([][]float32, error) { return t.Value.Values(c, false) })
	if err != nil {
		return nil, fmt.Errorf("values: %w", err)
	}
	var klSum float64
	var klN int
	var rets, olds []float64
	for i, r := range rs {
		it := &items[i]
		it.oldValue = toF64(vals[i])
		out, err := o.Turns(it.turnInputs(r, ref[i], o.TokenLevelValue))
		if err != nil {
			return nil, err
		}
		for j, tt := range r.Turns {
			if !tt.Forced {
				klSum += out[j].KL
				klN++
			}
		}
		rets, olds = it.setReturns(r, out, o.TokenLevelValue, rets, olds)
	}
	if klN > 0 {
		st.KL = klSum / float64(klN)
	}
	st.ExplainedVariance = explainedVariance(rets, olds)
	if o.NormalizeAdvantages {
		normalize(items)
	}
	return items, nil
}

// newItem lays out a rollout's trained tokens: the positions scored (the
// reply tokens of turns not forced), their behaviour log-probabilities,
// and where values are read.
func newItem(r *Rollout, tokenLevelValue bool) item {
	it := item{tokens: r.trainedTokens()}
	for _, tt := range r.Turns {
		if tt.Forced {
			continue
		}
		for k := tt.Start; k < tt.End; k++ {
			it.score = append(it.score, k)
		}
		it.logp = append(it.logp, tt.LogProbs...)
		it.valuePos = append(it.valuePos, valuePositions(tt, tokenLevelValue)...)
	}
	return it
}

// turnInputs are the objective's inputs for each turn of r: its reward,
// and for turns not forced the behaviour and reference log-probabilities
// and the old value at the turn's first value position.
func (it *item) turnInputs(r *Rollout, ref Scores, tokenLevelValue bool) []TurnInput {
	k, kv := 0, 0
	in := make([]TurnInput, len(r.Turns))
	for j, tt := range r.Turns {
		in[j].Reward = r.Episode.Turns[j].Reward
		if tt.Forced {
			continue
		}
		n := tt.End - tt.Start
		in[j].BehaviourLogProbs = toF64(tt.LogProbs)
		in[j].RefLogProbs = toF64(ref.LogProbs[k : k+n])
		in[j].Value = it.oldValue[kv]
		k += n
		kv += len(valuePositions(tt, tokenLevelValue))
	}
	return in
}

// setReturns sets the advantages (return minus old value, per reply
// token) and value targets of the turns not forced, and appends the
// returns and old values to rets and olds for the explained variance.
func (it *item) setReturns(r *Rollout, out []TurnOutput, tokenLevelValue bool, rets, olds []float64) ([]float64, []float64) {
	kv := 0
	for j, tt := range r.Turns {
		if tt.Forced {
			continue
		}
		nv := len(valuePositions(tt, tokenLevelValue))
		for x := 0; x < tt.End-tt.Start; x++ {
			v := it.oldValue[kv]
			if tokenLevelValue {
				v = it.oldValue[kv+x]
			}
			it.adv = append(it.adv, out[j].Return-v)
		}
		for x := 0; x < nv; x++ {
			it.target = append(it.target, out[j].Return)
			rets, olds = append(rets, out[j].Return), append(olds, it.oldValue[kv+x])
		}
		kv += nv
	}
	return rets, olds
}

// valuePositions are where a turn's values are read: its last prompt
// token, or with token-level values the state before each reply token.
func valuePositions(tt TurnTokens, tokenLevel bool) []int {
	if !tokenLevel {
		return []int{tt.Header}
	}
	pos := make([]int, 0, tt.End-tt.Start)
	for k := tt.Start; k < tt.End; k++ {
		pos = append(pos, k-1)
	}
	return pos
}

// trainedTokens is the dialogue up to the last reply trained on.
func (r *Rollout) trainedTokens() []int32 {
	end := 1
	for _, tt := range r.Turns {
		if !tt.Forced {
			end = max(end, tt.End)
		}
	}
	return r.Tokens[:end]
}

func normalize(items []item) {
	var xs []float64
	for _, it := range items {
		xs = append(xs, it.adv...)
	}
	ones := make([]int, len(xs))
	for i := range ones {
		ones[i] = 1
	}
	w := Whiten(xs, ones)
	k := 0
	for i := range items {
		for x := range items[i].adv {
			items[i].adv[x] = w[k]
			k++
		}
	}
}

func explainedVariance(y, pred []float64) float64 {
	if len(y) < 2 {
		return 0
	}
	var my, mr float64
	for i := range y {
		my += y[i]
		mr += y[i] - pred[i]
	}
	my /= float64(len(y))
	mr /= float64(len(y))
	var vy, vr float64
	for i := range y {
		vy += (y[i] - my) * (y[i] - my)
		r := y[i] - pred[i] - mr
		vr += r * r
	}
	if vy == 0 {
		return 0
	}
	return 1 - vr/vy
}

func toF64(x []float32) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = float64(v)
	}
	return out
}

// chunked runs fn over groups of sequences of at most limit tokens (a
// longer sequence goes alone) and concatenates the results.
func chunked[T any](seqs []Sequence, limit int, fn func([]Sequence) ([]T, error)) ([]T, error) {
	var out []T
	for lo := 0; lo < len(seqs); {
		hi, n := lo, 0
		for hi < len(seqs) && (hi == lo || n+len(seqs[hi].Tokens) <= limit) {
			n += len(seqs[hi].Tokens)
			hi++
		}
		res, err := fn(seqs[lo:hi])
		if err != nil {
			return nil, err
		}
		out = append(out, res...)
		lo = hi
	}
	return out, nil
}

// update takes Minibatches optimizer steps per epoch, each on its share
// of the rollouts.
func (t *Trainer) update(cfg Config, items []item, st *Stats) error {
	var mbs [][]int
	for e := 0; e < cfg.Epochs; e++ {
		order := rand.New(rand.NewPCG(cfg.Seed, uint64(1e6+t.Iteration*1000+e))).Perm(len(items))
		mbs = append(mbs, splitEven(order, cfg.Minibatches)...)
	}
	var u updateTally
	start := time.Now()
	for _, mb := range mbs {
		if len(mb) == 0 {
			continue
		}
		if err := t.minibatch(cfg, items, mb, &u); err != nil {
			return err
		}
	}
	st.Tokens = u.tokens
	if u.tokens > 0 {
		st.PolicyLoss, st.Entropy, st.ClipFraction = u.plSum/float64(u.tokens), u.entSum/float64(u.tokens), float64(u.clipped)/float64(u.tokens)
	}
	if u.vlN > 0 {
		st.ValueLoss = u.vlSum / float64(u.vlN)
	}
	st.GradNorm = u.gnSum / float64(max(u.steps, 1))
	st.TrainTokensPerSec = float64(u.trainTokens) / max(time.Since(start).Seconds(), 1e-9)
	return nil
}

// updateTally sums what the minibatches of an update did.
type updateTally struct {
	tokens, trainTokens, clipped, vlN, steps int
	plSum, vlSum, entSum, gnSum              float64
}

// minibatch accumulates the policy's and the value network's gradients
// over one minibatch and takes one optimiser step for each.
func (t *Trainer) minibatch(cfg Config, items []item, mb []int, u *updateTally) error {
	t.Policy.ZeroGrad()
	t.Value.ZeroGrad()
	ntok, nval := 0, 0
	for _, k := range mb {
		ntok += len(items[k].score)
		nval += len(items[k].valuePos)
	}
	for _, group := range groupItems(items, mb, cfg.ChunkTokens) {
		if err := t.policyGrads(cfg.Objective, items, group, ntok, u); err != nil {
			return err
		}
	}
	for _, group := range groupItems(items, mb, cfg.ChunkTokens) {
		if err := t.valueGrads(cfg.Objective, items, group, nval, u); err != nil {
			return err
		}
	}
	gn, err := t.Policy.Update(warmupLR(cfg.LR, cfg.Warmup, t.Updates))
	if err != nil {
		return err
	}
	if _, err := t.Value.Update(warmupLR(cfg.ValueLR, cfg.Warmup, t.Updates)); err != nil {
		return err
	}
	u.gnSum += gn
	t.Updates++
	u.steps++
	u.tokens += ntok
	return nil
}

// policyGrads runs the policy forward and backward over one group of a
// minibatch of ntok scored tokens.
func (t *Trainer) policyGrads(o Objective, items []item, group []int, ntok int, u *updateTally) error {
	seqs := make([]Sequence, len(group))
	for i, k := range group {
		seqs[i] = Sequence{Tokens: items[k].tokens, Score: items[k].score}
		u.trainTokens += len(items[k].tokens)
	}
	sc, err := t.Policy.Score(seqs, true)
	if err != nil {
		return fmt.Errorf("policy forward: %w", err)
	}
	grads := make([][]float32, len(group))
	for i, k := range group {
		it := &items[k]
		grads[i] = make([]float32, len(it.score))
		for x := range it.score {
			lp := float64(sc[i].LogProbs[x])
			b := float64(it.logp[x])
			pt := o.PolicyTerm(PolicyToken{LogProb: lp, Old: b, Behaviour: b, Advantage: it.adv[x]})
			grads[i][x] = float32(pt.Grad / float64(ntok))
			u.plSum += pt.Loss
			u.entSum += float64(sc[i].Entropy[x])
			if pt.Clipped {
				u.clipped++
			}
		}
	}
	if err := t.Policy.Backward(grads); err != nil {
		return fmt.Errorf("policy backward: %w", err)
	}
	return nil
}

// valueGrads runs the value network forward and backward over one group
// of a minibatch of nval value positions.
func (t *Trainer) valueGrads(o Objective, items []item, group []int, nval int, u *updateTally) error {
	seqs := make([]Sequence, len(group))
	for i, k := range group {
		seqs[i] = Sequence{Tokens: items[k].tokens, Value: items[k].valuePos}
		u.trainTokens += len(items[k].tokens)
	}
	vs, err := t.Value.Values(seqs, true)
	if err != nil {
		return fmt.Errorf("value forward: %w", err)
	}
	grads := make([][]float32, len(group))
	for i, k := range group {
		it := &items[k]
		grads[i] = make([]float32, len(it.valuePos))
		for x := range it.valuePos {
			vt := o.ValueTerm(float64(vs[i][x]), it.oldValue[x], it.target[x])
			grads[i][x] = float32(vt.Grad / float64(nval))
			u.vlSum += vt.Loss
			u.vlN++
		}
	}
	if err := t.Value.Backward(grads); err != nil {
		return fmt.Errorf("value backward: %w", err)
	}
	return nil
}

// groupItems splits a minibatch into forward passes of at most limit
// tokens.
func groupItems(items []item, mb []int, limit int) [][]int {
	var out [][]int
	var cur []int
	n := 0
	for _, k := range mb {
		l := len(items[k].tokens)
		if len(cur) > 0 && n+l > limit {
			out = append(out, cur)
			cur, n = nil, 0
		}
		cur = append(cur, k)
		n += l
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// splitEven cuts xs into k nearly equal consecutive parts.
func splitEven(xs []int, k int) [][]int {
	k = max(1, min(k, len(xs)))
	out := make([][]int, 0, k)
	for i := 0; i < k; i++ {
		lo, hi := i*len(xs)/k, (i+1)*len(xs)/k
		out = append(out, slices.Clone(xs[lo:hi]))
	}
	return out
}

func warmupLR(base float64, warmup, step int) float64 {
	if warmup <= 0 || step+1 >= warmup {
		return base
	}
	return base * float64(step+1) / float64(warmup)
}
