package train

import (
	"bytes"
	"encoding/json"
	"flag"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

var updateGolden = flag.Bool("update", false, "rewrite the verl recipe's golden vectors")

// goldenPath is where the verl recipe's tests read the vectors.
var goldenPath = filepath.Join("..", "integrations", "verl", "recipe", "testdata", "golden.json")

// verlRow is one episode in verl's layout: the response is every
// assistant turn with the feedback between them, response_mask marking
// the assistant's tokens; old_log_probs, ref_log_prob and values are per
// response position (values[i] is the critic's value before token i, so
// values at a turn's first token is the value of its last prompt token).
type verlRow struct {
	ResponseMask []int     `json:"response_mask"`
	OldLogProbs  []float64 `json:"old_log_probs"`
	RefLogProb   []float64 `json:"ref_log_prob"`
	Values       []float64 `json:"values"`
	TurnScores   []float64 `json:"turn_scores"`
}

type verlExpected struct {
	TurnKL            [][]float64 `json:"turn_kl"`
	TurnReturns       [][]float64 `json:"turn_returns"`
	TokenLevelRewards [][]float64 `json:"token_level_rewards"`
	AdvantagesRaw     [][]float64 `json:"advantages_raw"`
	Advantages        [][]float64 `json:"advantages"`
	Returns           [][]float64 `json:"returns"`
	ValueMask         [][]int     `json:"value_mask"`
}

type verlGolden struct {
	Note      string       `json:"note"`
	Beta      float64      `json:"beta"`
	Normalize bool         `json:"normalize"`
	Rows      []verlRow    `json:"rows"`
	Expected  verlExpected `json:"expected"`
}

// goldenRows builds episodes of every shape RLEF produces: an invalid
// first turn, a repaired second try, a first-turn success, a failure at
// the turn limit, a final turn cut by the response length, and padding.
func goldenRows() []verlRow {
	rng := rand.New(rand.NewPCG(20, 25))
	shapes := []struct {
		turns  []int // response tokens per turn
		gaps   []int // feedback tokens after each turn but the last
		pad    int
		scores []float64
	}{
		{[]int{3, 4, 2}, []int{5, 6}, 3, []float64{-0.2, 0, 1}},
		{[]int{6}, nil, 4, []float64{1}},
		{[]int{2, 3, 3}, []int{4, 4}, 0, []float64{0, 0, -1}},
		{[]int{4, 1}, []int{3}, 2, []float64{0, -1}},
		{[]int{1, 5, 2}, []int{2, 3}, 1, []float64{-0.2, -0.2, -1}},
	}
	var rows []verlRow
	for _, s := range shapes {
		var r verlRow
		for k, n := range s.turns {
			for i := 0; i < n; i++ {
				r.ResponseMask = append(r.ResponseMask, 1)
			}
			if k < len(s.gaps) {
				for i := 0; i < s.gaps[k]; i++ {
					r.ResponseMask = append(r.ResponseMask, 0)
				}
			}
		}
		for i := 0; i < s.pad; i++ {
			r.ResponseMask = append(r.ResponseMask, 0)
		}
		for range r.ResponseMask {
			old := -rng.Float64() * 3
			r.OldLogProbs = append(r.OldLogProbs, round6(old))
			r.RefLogProb = append(r.RefLogProb, round6(old+rng.NormFloat64()*0.3))
			r.Values = append(r.Values, round6(rng.NormFloat64()*0.5))
		}
		r.TurnScores = s.scores
		rows = append(rows, r)
	}
	return rows
}

func round6(x float64) float64 { return math.Round(x*1e6) / 1e6 }

// computeGolden applies the objective (Objective.Turns, Whiten: the
// functions the Go trainer uses) to the rows.
func computeGolden(t *testing.T, o Objective, rows []verlRow) verlExpected {
	t.Helper()
	var ex verlExpected
	var flat []float64
	for _, r := range rows {
		n := len(r.ResponseMask)
		// Turns are the runs of response_mask == 1.
		var starts, ends []int
		for i := 0; i < n; i++ {
			if r.ResponseMask[i] == 1 && (i == 0 || r.ResponseMask[i-1] == 0) {
				starts = append(starts, i)
			}
			if r.ResponseMask[i] == 1 && (i == n-1 || r.ResponseMask[i+1] == 0) {
				ends = append(ends, i+1)
			}
		}
		if len(starts) != len(r.TurnScores) {
			t.Fatalf("row with %d turns and %d scores", len(starts), len(r.TurnScores))
		}
		in := make([]TurnInput, len(starts))
		for k := range starts {
			in[k] = TurnInput{Reward: r.TurnScores[k], BehaviourLogProbs: r.OldLogProbs[starts[k]:ends[k]],
				RefLogProbs: r.RefLogProb[starts[k]:ends[k]], Value: r.Values[starts[k]]}
		}
		out, err := o.Turns(in)
		if err != nil {
			t.Fatal(err)
		}
		kl, ret := make([]float64, len(out)), make([]float64, len(out))
		rew, adv, rets := make([]float64, n), make([]float64, n), make([]float64, n)
		vmask := make([]int, n)
		for k, x := range out {
			kl[k], ret[k] = x.KL, x.Return
			rew[ends[k]-1] = x.Reward
			vmask[starts[k]] = 1
			for i := starts[k]; i < ends[k]; i++ {
				adv[i], rets[i] = x.Advantage, x.Return
				flat = append(flat, x.Advantage)
			}
		}
		ex.TurnKL = append(ex.TurnKL, kl)
		ex.TurnReturns = append(ex.TurnReturns, ret)
		ex.TokenLevelRewards = append(ex.TokenLevelRewards, rew)
		ex.AdvantagesRaw = append(ex.AdvantagesRaw, adv)
		ex.Returns = append(ex.Returns, rets)
		ex.ValueMask = append(ex.ValueMask, vmask)
	}
	ones := make([]int, len(flat))
	for i := range ones {
		ones[i] = 1
	}
	w := Whiten(flat, ones)
	k := 0
	for i, r := range rows {
		a := make([]float64, len(r.ResponseMask))
		for j, m := range r.ResponseMask {
			if m == 1 {
				a[j] = w[k]
				k++
			}
		}
		ex.Advantages = append(ex.Advantages, a)
		_ = i
	}
	return ex
}

// The golden vectors the verl recipe's tests check are what the Go
// objective computes; run with -update to rewrite them.
func TestVerlGoldenVectors(t *testing.T) {
	o := PaperObjective()
	rows := goldenRows()
	g := verlGolden{
		Note: "Generated by `go test ./train -run TestVerlGoldenVectors -update` from the Go trainer's objective " +
			"(Objective.Turns, Whiten); checked by test_rlef_advantage.py. Do not edit by hand.",
		Beta: o.Beta, Normalize: o.NormalizeAdvantages, Rows: rows, Expected: computeGolden(t, o, rows),
	}
	data, err := json.MarshalIndent(g, "", " ")
	if err != nil {
		t.Fatal(err)
	}
	data = append(data, '\n')
	if *updateGolden {
		if err := os.WriteFile(goldenPath, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	have, err := os.ReadFile(goldenPath)
	if err != nil {
		t.Fatalf("%v (run go test ./train -run TestVerlGoldenVectors -update)", err)
	}
	if !bytes.Equal(have, data) {
		t.Fatalf("%s is stale: the Go objective now computes other values; rerun with -update and check the recipe's tests", goldenPath)
	}
}
