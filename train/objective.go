package train

import (
	"fmt"
	"math"
)

// Objective holds RLEF's loss settings (Gehring et al., ICML 2025, §2.2
// and App. A.1).
type Objective struct {
	// Beta weighs the per-turn KL penalty against the initial policy
	// (0.05).
	Beta float64 `json:"beta"`
	// ClipRatio is PPO's ε (0.2); ValueClip the value loss's α (0.2).
	ClipRatio float64 `json:"clip_ratio"`
	ValueClip float64 `json:"value_clip"`
	// NormalizeAdvantages whitens advantages over the batch's response
	// tokens (the paper normalises them without saying how).
	NormalizeAdvantages bool `json:"normalize_advantages"`
	// TokenLevelValue is the ablation of App. B.6: a value per response
	// token instead of one per turn, every token of a turn regressing to
	// the turn's return.
	TokenLevelValue bool `json:"token_level_value"`
}

// PaperObjective returns the paper's settings.
func PaperObjective() Objective {
	return Objective{Beta: 0.05, ClipRatio: 0.2, ValueClip: 0.2, NormalizeAdvantages: true}
}

// TurnInput is what the objective needs of one turn of an episode.
type TurnInput struct {
	// Reward is the turn's environment reward r_t: −0.2 for a non-final
	// turn without code, +1/−1 on the final turn, 0 otherwise.
	Reward float64 `json:"reward"`
	// BehaviourLogProbs are log π_b of the turn's response tokens as
	// sampled; RefLogProbs those of the initial policy ρ.
	BehaviourLogProbs []float64 `json:"behaviour_logprobs"`
	RefLogProbs       []float64 `json:"ref_logprobs"`
	// Value is V(c_t) read at the turn's last prompt token when the
	// episode was scored (the "old" value).
	Value float64 `json:"value"`
}

// TurnOutput is what the objective derives for one turn.
type TurnOutput struct {
	// KL is the turn's penalty term: the mean over its tokens of
	// log π_b − log ρ, i.e. the log-ratio of the geometric means of the
	// token probabilities.
	KL float64 `json:"kl"`
	// Reward is R_t = r_t − β·KL_t.
	Reward float64 `json:"reward"`
	// Return is the Monte-Carlo return G_t = Σ_{i≥t} R_i (γ = 1).
	Return float64 `json:"return"`
	// Advantage is G_t − V(c_t), before any normalisation.
	Advantage float64 `json:"advantage"`
}

// Turns computes the per-turn KL penalties, rewards, returns and
// advantages of one episode.
func (o Objective) Turns(in []TurnInput) ([]TurnOutput, error) {
	out := make([]TurnOutput, len(in))
	for t, x := range in {
		if len(x.BehaviourLogProbs) != len(x.RefLogProbs) {
			return nil, fmt.Errorf("turn %d: %d behaviour and %d reference log-probabilities", t, len(x.BehaviourLogProbs), len(x.RefLogProbs))
		}
		var kl float64
		for i, b := range x.BehaviourLogProbs {
			kl += b - x.RefLogProbs[i]
		}
		if n := len(x.BehaviourLogProbs); n > 0 {
			kl /= float64(n)
		}
		out[t].KL = kl
		out[t].Reward = x.Reward - o.Beta*kl
	}
	g := 0.0
	for t := len(in) - 1; t >= 0; t-- {
		g += out[t].Reward
		out[t].Return = g
		out[t].Advantage = g - in[t].Value
	}
	return out, nil
}

// Whiten returns (x − mean)/std over values weighted by counts (each
// turn's advantage counted once per response token); a spread below 1e-8
// only centres.
func Whiten(x []float64, counts []int) []float64 {
	var n, s float64
	for i, v := range x {
		s += v * float64(counts[i])
		n += float64(counts[i])
	}
	out := make([]float64, len(x))
	if n == 0 {
		return out
	}
	mean := s / n
	var ss float64
	for i, v := range x {
		ss += (v - mean) * (v - mean) * float64(counts[i])
	}
	std := math.Sqrt(ss / n)
	for i, v := range x {
		out[i] = v - mean
		if std > 1e-8 {
			out[i] /= std
		}
	}
	return out
}

// PolicyToken is one response token in the policy loss.
type PolicyToken struct {
	// LogProb is log π_θ now; Old is log π_θold (the policy when this
	// batch's updates began); Behaviour is log π_b (the policy that
	// sampled the token, possibly older).
	LogProb, Old, Behaviour float64
	// Advantage is the (normalised) advantage of the token's turn.
	Advantage float64
}

// PolicyTerm is one token's contribution to the clipped surrogate.
type PolicyTerm struct {
	// Loss is −min(r·A, clip(r, 1−ε, 1+ε)·A) with
	// r = π_θ/π_θold · sg(min(π_θ/π_b, 1)).
	Loss float64
	// Grad is d Loss / d log π_θ.
	Grad float64
	// Clipped: the clipped branch was taken (no gradient).
	Clipped bool
	// Ratio is r.
	Ratio float64
}

// PolicyTerm evaluates the surrogate for one token. The truncated
// importance weight min(π_θ/π_b, 1) corrects for stale samples and is not
// differentiated.
func (o Objective) PolicyTerm(t PolicyToken) PolicyTerm {
	ratio := math.Exp(t.LogProb - t.Old)
	w := math.Min(math.Exp(t.LogProb-t.Behaviour), 1)
	r := ratio * w
	lo, hi := 1-o.ClipRatio, 1+o.ClipRatio
	unclipped := r * t.Advantage
	clipped := math.Min(math.Max(r, lo), hi) * t.Advantage
	if clipped < unclipped {
		return PolicyTerm{Loss: -clipped, Clipped: true, Ratio: r}
	}
	// d(r·A)/d log π_θ = r·A: the ratio's derivative is itself and w is
	// held constant.
	return PolicyTerm{Loss: -unclipped, Grad: -unclipped, Ratio: r}
}

// ValueTerm is one value prediction's contribution to the value loss.
type ValueTerm struct {
	// Loss is ½·max((V−G)², (clip(V, V_old−α, V_old+α) − G)²).
	Loss float64
	// Grad is d Loss / d V.
	Grad float64
	// Clipped: the clipped branch decided (no gradient).
	Clipped bool
}

// ValueTerm evaluates the clipped value loss of prediction v against
// target g, with v the current value and old the value when scored.
func (o Objective) ValueTerm(v, old, g float64) ValueTerm {
	vc := math.Min(math.Max(v, old-o.ValueClip), old+o.ValueClip)
	a, b := (v-g)*(v-g), (vc-g)*(vc-g)
	if b > a {
		return ValueTerm{Loss: b / 2, Clipped: true}
	}
	return ValueTerm{Loss: a / 2, Grad: v - g}
}
