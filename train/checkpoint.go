package train

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/rlef/rlef/model"
	"github.com/rlef/rlef/model/bpe"
)

// CheckpointFormat names the layout of a training checkpoint.
const CheckpointFormat = "rlef-policy/1"

// Bundle is everything a training run keeps: the tokenizer, the policy
// and its optimizer, and optionally the value network and its optimizer,
// the frozen reference policy, and the caller's state (stage, step,
// history). One file holds it all, written atomically, so a run killed at
// any moment resumes from its last checkpoint.
type Bundle struct {
	Tokenizer bpe.Spec
	Policy    *model.Model
	PolicyOpt *model.AdamW
	Value     *model.Model
	ValueOpt  *model.AdamW
	Reference *model.Model
	State     json.RawMessage
}

type bundleMeta struct {
	Format      string          `json:"format"`
	Tokenizer   bpe.Spec        `json:"tokenizer"`
	Policy      model.Config    `json:"policy"`
	PolicySteps int             `json:"policy_steps,omitempty"`
	Value       *model.Config   `json:"value,omitempty"`
	ValueSteps  int             `json:"value_steps,omitempty"`
	Reference   bool            `json:"reference,omitempty"`
	State       json.RawMessage `json:"state,omitempty"`
}

// ErrNotPolicy: the file is a checkpoint but not a policy bundle.
var ErrNotPolicy = errors.New("not an rlef policy checkpoint")

// Save writes the bundle to path atomically.
func (b *Bundle) Save(path string) error {
	meta := bundleMeta{Format: CheckpointFormat, Tokenizer: b.Tokenizer, Policy: b.Policy.Config, State: b.State}
	ck := &model.Checkpoint{Tensors: map[string][]float32{"policy": b.Policy.Params}}
	if b.PolicyOpt != nil {
		meta.PolicySteps = b.PolicyOpt.Steps
		ck.Tensors["policy.adam.m"], ck.Tensors["policy.adam.v"] = b.PolicyOpt.M, b.PolicyOpt.V
	}
	if b.Value != nil {
		c := b.Value.Config
		meta.Value = &c
		ck.Tensors["value"] = b.Value.Params
		if b.ValueOpt != nil {
			meta.ValueSteps = b.ValueOpt.Steps
			ck.Tensors["value.adam.m"], ck.Tensors["value.adam.v"] = b.ValueOpt.M, b.ValueOpt.V
		}
	}
	if b.Reference != nil {
		meta.Reference = true
		ck.Tensors["reference"] = b.Reference.Params
	}
	raw, err := json.Marshal(meta)
	if err != nil {
		return err
	}
	ck.Meta = raw
	return ck.Save(path)
}

// LoadBundle reads a bundle. Optimizer moments missing from the file come
// back zeroed (a fresh optimizer).
func LoadBundle(path string) (*Bundle, error) {
	ck, err := model.LoadCheckpoint(path)
	if err != nil {
		return nil, err
	}
	var meta bundleMeta
	if err := json.Unmarshal(ck.Meta, &meta); err != nil || meta.Format != CheckpointFormat {
		return nil, fmt.Errorf("%s: %w", path, ErrNotPolicy)
	}
	b := &Bundle{Tokenizer: meta.Tokenizer, State: meta.State}
	if b.Policy, b.PolicyOpt, err = loadModel(ck, "policy", meta.Policy, meta.PolicySteps); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if meta.Value != nil {
		if b.Value, b.ValueOpt, err = loadModel(ck, "value", *meta.Value, meta.ValueSteps); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	if meta.Reference {
		if b.Reference, err = model.FromParams(meta.Policy, ck.Tensors["reference"]); err != nil {
			return nil, fmt.Errorf("%s: reference: %w", path, err)
		}
	}
	return b, nil
}

func loadModel(ck *model.Checkpoint, name string, c model.Config, steps int) (*model.Model, *model.AdamW, error) {
	m, err := model.FromParams(c, ck.Tensors[name])
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	opt := model.NewAdamW(c, 0)
	if mm, vv := ck.Tensors[name+".adam.m"], ck.Tensors[name+".adam.v"]; mm != nil {
		if len(mm) != len(opt.M) || len(vv) != len(opt.V) {
			return nil, nil, fmt.Errorf("%s: optimizer state of the wrong size", name)
		}
		copy(opt.M, mm)
		copy(opt.V, vv)
		opt.Steps = steps
	}
	return m, opt, nil
}

// Chat builds the bundle's chat format.
func (b *Bundle) Chat() (*Chat, error) {
	tok, err := bpe.New(b.Tokenizer)
	if err != nil {
		return nil, err
	}
	return NewChat(tok)
}

// LM wraps the bundle's policy, keeping its optimizer state.
func (b *Bundle) LM(weightDecay, clip float64) (*LM, error) {
	chat, err := b.Chat()
	if err != nil {
		return nil, err
	}
	p, err := NewLM(b.Policy, chat, weightDecay, clip)
	if err != nil {
		return nil, err
	}
	if b.PolicyOpt != nil {
		b.PolicyOpt.WeightDecay = weightDecay
		p.Opt = b.PolicyOpt
	}
	return p, nil
}

// LoadPolicy reads a checkpoint's policy for sampling and evaluation.
func LoadPolicy(path string) (*LM, error) {
	b, err := LoadBundle(path)
	if err != nil {
		return nil, err
	}
	return b.LM(0, 0)
}

// ValueNet wraps the bundle's value network, keeping its optimizer
// state.
func (b *Bundle) ValueNet(weightDecay, clip float64) (*ValueNet, error) {
	if b.Value == nil {
		return nil, errors.New("the checkpoint has no value network")
	}
	v, err := NewValueNet(b.Value, weightDecay, clip)
	if err != nil {
		return nil, err
	}
	if b.ValueOpt != nil {
		b.ValueOpt.WeightDecay = weightDecay
		v.Opt = b.ValueOpt
	}
	return v, nil
}
