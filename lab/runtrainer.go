package lab

import (
	"context"
	"fmt"
	"io"

	"github.com/rlef/rlef/internal/progress"
	"github.com/rlef/rlef/train"
)

// runTrainer runs iterations up to total, showing reward, KL and value
// loss as it goes, and calls saved after each iteration (checkpoint).
func runTrainer(ctx context.Context, t *train.Trainer, total int, st *train.State, w io.Writer, saved func(*train.Stats) error) error {
	bar := progress.New(w, "RLEF", total, t.Iteration)
	defer bar.Finish()
	return t.Loop(ctx, total, st, func(s *train.Stats) error {
		if err := saved(s); err != nil {
			return fmt.Errorf("checkpoint: %w", err)
		}
		bar.Update(t.Iteration, StatsLine(s))
		return nil
	})
}

// StatsLine is one iteration's numbers in a line.
func StatsLine(s *train.Stats) string {
	return fmt.Sprintf("return %+.3f, solved %.2f, fixed %.2f, KL %.4f, value loss %.4f, EV %.2f, entropy %.3f, invalid %.2f, %.0f train tok/s",
		s.Return, s.Solved, s.FixRate, s.KL, s.ValueLoss, s.ExplainedVariance, s.Entropy, s.InvalidRate, s.TrainTokensPerSec)
}
