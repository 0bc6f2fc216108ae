package lab

import (
	"context"
	"errors"
	"os"

	"github.com/rlef/rlef/train"
)

// rlStage trains the pretrained policy with RLEF on the training
// problems, checkpointing after every iteration.
func (l *lab) rlStage(ctx context.Context) error {
	if b, err := train.LoadBundle(l.path(fileFinal)); err == nil {
		st, err := b.TrainState()
		l.summary.Training = st.History
		return err
	}
	b, st, err := l.rlBundle()
	if err != nil {
		return err
	}
	cfg := l.p.RL
	cfg.Seed = l.o.Seed
	t, err := b.NewTrainer(cfg, l.env(l.trainSet, l.o.Judge), l.trainSet.Problems, st)
	if err != nil {
		return err
	}
	t.Logger = l.log
	if err := runTrainer(ctx, t, cfg.Iterations, &st, l.o.Progress, func(*train.Stats) error {
		return b.SaveState(l.path(fileRL), st)
	}); err != nil {
		return err
	}
	l.summary.Training = st.History
	final := &train.Bundle{Tokenizer: b.Tokenizer, Policy: b.Policy}
	return final.SaveState(l.path(fileFinal), st)
}

// rlBundle resumes the RLEF checkpoint or starts from the pretrained
// policy.
func (l *lab) rlBundle() (*train.Bundle, train.State, error) {
	if b, err := train.LoadBundle(l.path(fileRL)); err == nil {
		st, err := b.TrainState()
		return b, st, err
	} else if !errors.Is(err, os.ErrNotExist) {
		l.log.Warn("RLEF checkpoint unreadable; starting RLEF over", "error", err)
	}
	init, err := train.LoadBundle(l.path(fileInit))
	if err != nil {
		return nil, train.State{}, err
	}
	return train.StartFrom(init, l.p.RL.WeightDecay, l.o.Seed), train.State{}, nil
}
