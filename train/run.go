package train

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/rlef/rlef/dataset"
	"github.com/rlef/rlef/episode"
	"github.com/rlef/rlef/model"
)

// State is a training run's progress, kept in its checkpoint.
type State struct {
	Iteration int     `json:"iteration"`
	Updates   int     `json:"updates"`
	History   []Stats `json:"history"`
}

// StartFrom prepares RLEF training from a policy checkpoint, as the paper
// does: the policy with a fresh optimizer, a frozen copy as the reference
// of the KL penalty, and a value network initialised from the policy with
// a new randomly initialised head (seeded).
func StartFrom(init *Bundle, weightDecay float64, seed uint64) *Bundle {
	p := init.Policy.Clone()
	v := p.ValueNetwork(seed)
	return &Bundle{
		Tokenizer: init.Tokenizer,
		Policy:    p, PolicyOpt: model.NewAdamW(p.Config, weightDecay),
		Reference: p.Clone(),
		Value:     v, ValueOpt: model.NewAdamW(v.Config, weightDecay),
	}
}

// TrainState reads the training state a bundle carries (zero for a
// bundle that has none).
func (b *Bundle) TrainState() (State, error) {
	var st State
	if len(b.State) == 0 || string(b.State) == "null" {
		return st, nil
	}
	if err := json.Unmarshal(b.State, &st); err != nil {
		return st, fmt.Errorf("training state: %w", err)
	}
	return st, nil
}

// NewTrainer assembles a trainer from a training bundle (policy,
// reference and value network) at the given state.
func (b *Bundle) NewTrainer(cfg Config, env *episode.Env, problems []*dataset.Problem, st State) (*Trainer, error) {
	if b.Reference == nil || b.Value == nil {
		return nil, fmt.Errorf("the checkpoint holds no reference policy or value network; start from it with StartFrom")
	}
	pol, err := b.LM(cfg.WeightDecay, cfg.Clip)
	if err != nil {
		return nil, err
	}
	ref, err := NewLM(b.Reference, pol.Chat(), 0, 0)
	if err != nil {
		return nil, err
	}
	val, err := b.ValueNet(cfg.WeightDecay, cfg.Clip)
	if err != nil {
		return nil, err
	}
	return &Trainer{Config: cfg, Policy: pol, Reference: ref, Value: val, Env: env, Problems: problems,
		Iteration: st.Iteration, Updates: st.Updates}, nil
}

// Loop runs iterations until total, calling after with each iteration's
// statistics and the updated state (to checkpoint it).
func (t *Trainer) Loop(ctx context.Context, total int, st *State, after func(*Stats) error) error {
	for t.Iteration < total {
		s, err := t.Step(ctx)
		if err != nil {
			return err
		}
		st.Iteration, st.Updates = t.Iteration, t.Updates
		st.History = append(st.History, *s)
		if err := after(s); err != nil {
			return err
		}
	}
	return nil
}

// SaveState records st in the bundle and writes it to path atomically.
func (b *Bundle) SaveState(path string, st State) error {
	raw, err := json.Marshal(st)
	if err != nil {
		return err
	}
	b.State = raw
	return b.Save(path)
}
