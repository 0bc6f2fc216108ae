package train

import (
	"math"
	"testing"
)

func near(a, b float64) bool { return math.Abs(a-b) < 1e-12 }

// A three-turn episode worked by hand: an invalid first turn, a wrong
// second one, a correct third one.
func TestTurnsByHand(t *testing.T) {
	o := Objective{Beta: 0.05}
	in := []TurnInput{
		{Reward: -0.2, BehaviourLogProbs: []float64{-1, -2}, RefLogProbs: []float64{-1.5, -2.5}, Value: 0.1},
		{Reward: 0, BehaviourLogProbs: []float64{-0.5}, RefLogProbs: []float64{-0.1}, Value: -0.3},
		{Reward: 1, BehaviourLogProbs: []float64{-1, -1, -1}, RefLogProbs: []float64{-1, -2, -3}, Value: 0.5},
	}
	out, err := o.Turns(in)
	if err != nil {
		t.Fatal(err)
	}
	// KL_1 = ((−1+1.5) + (−2+2.5))/2 = 0.5; KL_2 = −0.5+0.1 = −0.4;
	// KL_3 = (0 + 1 + 2)/3 = 1.
	// R = −0.2 − 0.025 = −0.225; 0 + 0.02 = 0.02; 1 − 0.05 = 0.95.
	// G_3 = 0.95, G_2 = 0.97, G_1 = 0.745; A = G − V.
	want := []TurnOutput{
		{KL: 0.5, Reward: -0.225, Return: 0.745, Advantage: 0.645},
		{KL: -0.4, Reward: 0.02, Return: 0.97, Advantage: 1.27},
		{KL: 1, Reward: 0.95, Return: 0.95, Advantage: 0.45},
	}
	for i := range want {
		g, w := out[i], want[i]
		if !near(g.KL, w.KL) || !near(g.Reward, w.Reward) || !near(g.Return, w.Return) || !near(g.Advantage, w.Advantage) {
			t.Errorf("turn %d: got %+v, want %+v", i+1, g, w)
		}
	}
	if _, err := o.Turns([]TurnInput{{BehaviourLogProbs: []float64{1}}}); err == nil {
		t.Error("mismatched log-probabilities accepted")
	}
	// A turn without tokens has no KL.
	out, _ = o.Turns([]TurnInput{{Reward: -1}})
	if out[0].KL != 0 || out[0].Return != -1 {
		t.Errorf("empty turn: %+v", out[0])
	}
}

func TestWhiten(t *testing.T) {
	// Values 1 (×1 token) and 4 (×2 tokens): mean 3, variance
	// (4 + 2·1)/3 = 2.
	got := Whiten([]float64{1, 4}, []int{1, 2})
	s := math.Sqrt(2)
	if !near(got[0], -2/s) || !near(got[1], 1/s) {
		t.Errorf("whiten: %v", got)
	}
	if got := Whiten([]float64{3, 3}, []int{1, 1}); got[0] != 0 || got[1] != 0 {
		t.Errorf("constant values: %v", got)
	}
}

func TestPolicyTermByHand(t *testing.T) {
	o := Objective{ClipRatio: 0.2}
	cases := []struct {
		name string
		in   PolicyToken
		want PolicyTerm
	}{
		// On-policy: r = 1, loss −A, gradient −A.
		{"on policy", PolicyToken{LogProb: -1, Old: -1, Behaviour: -1, Advantage: 2}, PolicyTerm{Loss: -2, Grad: -2, Ratio: 1}},
		// r = e^0.1 ≈ 1.105 within the clip range: loss −r·A.
		{"inside", PolicyToken{LogProb: -0.9, Old: -1, Behaviour: -1, Advantage: -1}, PolicyTerm{Loss: math.Exp(0.1), Grad: math.Exp(0.1), Ratio: math.Exp(0.1)}},
		// r = e^0.5 > 1.2 with A > 0: clipped, loss −1.2·A, no gradient.
		{"clipped up", PolicyToken{LogProb: -0.5, Old: -1, Behaviour: -1, Advantage: 1}, PolicyTerm{Loss: -1.2, Clipped: true, Ratio: 1}},
		// r = e^0.5 with A < 0: the unclipped term is the smaller one.
		{"pessimistic", PolicyToken{LogProb: -0.5, Old: -1, Behaviour: -1, Advantage: -1}, PolicyTerm{Loss: math.Exp(0.5), Grad: math.Exp(0.5), Ratio: math.Exp(0.5)}},
		// π_θ/π_θold = e^−0.5, and with π_b = π_θold the truncated
		// weight is e^−0.5 too: r = e^−1 < 0.8 with A < 0 is clipped.
		{"clipped down", PolicyToken{LogProb: -1.5, Old: -1, Behaviour: -1, Advantage: -1}, PolicyTerm{Loss: 0.8, Clipped: true, Ratio: math.Exp(-1)}},
		// Stale sample: π_θ/π_b = e^0.3 is truncated to 1, so r is the
		// plain PPO ratio e^0.1.
		{"stale, truncated", PolicyToken{LogProb: -1, Old: -1.1, Behaviour: -1.3, Advantage: 1}, PolicyTerm{Loss: -math.Exp(0.1), Grad: -math.Exp(0.1), Ratio: math.Exp(0.1)}},
		// Stale sample the policy now likes less: w = e^−0.2 scales r.
		{"stale, weighted", PolicyToken{LogProb: -1, Old: -1, Behaviour: -0.8, Advantage: 1}, PolicyTerm{Loss: -math.Exp(-0.2), Grad: -math.Exp(-0.2), Ratio: math.Exp(-0.2)}},
	}
	for _, c := range cases {
		got := o.PolicyTerm(c.in)
		if c.name == "clipped up" {
			c.want.Ratio = math.Exp(0.5)
		}
		if !near(got.Loss, c.want.Loss) || !near(got.Grad, c.want.Grad) || got.Clipped != c.want.Clipped || !near(got.Ratio, c.want.Ratio) {
			t.Errorf("%s: got %+v, want %+v", c.name, got, c.want)
		}
	}
}

// The gradient of the surrogate matches a finite difference wherever the
// loss is smooth.
func TestPolicyTermGradient(t *testing.T) {
	o := Objective{ClipRatio: 0.2}
	for _, lp := range []float64{-1.3, -1.05, -0.95, -0.7} {
		for _, a := range []float64{-1.5, 0.7} {
			for _, beh := range []float64{-1, -0.9, -1.2} {
				tok := PolicyToken{LogProb: lp, Old: -1, Behaviour: beh, Advantage: a}
				h := 1e-6
				up, down := tok, tok
				up.LogProb += h
				down.LogProb -= h
				// The importance weight is held constant (stop-gradient).
				w := math.Min(math.Exp(lp-beh), 1)
				loss := func(x PolicyToken) float64 {
					r := math.Exp(x.LogProb-x.Old) * w
					return -math.Min(r*a, math.Min(math.Max(r, 0.8), 1.2)*a)
				}
				num := (loss(up) - loss(down)) / (2 * h)
				if got := o.PolicyTerm(tok).Grad; math.Abs(got-num) > 1e-6 {
					t.Errorf("lp %v A %v behaviour %v: gradient %v, finite difference %v", lp, a, beh, got, num)
				}
			}
		}
	}
}

func TestValueTermByHand(t *testing.T) {
	o := Objective{ValueClip: 0.2}
	cases := []struct {
		v, old, g float64
		want      ValueTerm
	}{
		// Inside the clip range both terms agree: ½(V−G)².
		{0.5, 0.4, 1, ValueTerm{Loss: 0.125, Grad: -0.5}},
		// V moved away from G beyond the range: the unclipped term is
		// larger and decides.
		{-0.5, 0, 1, ValueTerm{Loss: 1.125, Grad: -1.5}},
		// V moved towards G beyond the range: the clipped value 0.2 is
		// farther from G and decides, with no gradient.
		{0.9, 0, 1, ValueTerm{Loss: 0.32, Clipped: true}},
	}
	for _, c := range cases {
		got := o.ValueTerm(c.v, c.old, c.g)
		if !near(got.Loss, c.want.Loss) || !near(got.Grad, c.want.Grad) || got.Clipped != c.want.Clipped {
			t.Errorf("V=%v old=%v G=%v: got %+v, want %+v", c.v, c.old, c.g, got, c.want)
		}
	}
}
