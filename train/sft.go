package train

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/rlef/rlef/llm"
)

// Example is a supervised sequence: the tokens, and the indices whose
// tokens are learned (the assistant's replies).
type Example struct {
	Tokens []int32
	Learn  []int
}

// Example renders a dialogue (user and assistant messages) as training
// data: every assistant reply, with its end token, is learned.
func (c *Chat) Example(msgs []llm.Message) Example {
	var ex Example
	for i, m := range msgs {
		switch m.Role {
		case llm.RoleAssistant:
			if i == 0 || msgs[i-1].Role != llm.RoleUser {
				ex.Tokens = append(ex.Tokens, c.assistant)
			}
			r := c.Reply(m.Content)
			for k := range r {
				ex.Learn = append(ex.Learn, len(ex.Tokens)+k)
			}
			ex.Tokens = append(ex.Tokens, r...)
		case llm.RoleSystem:
			ex.Tokens = append(append(append(ex.Tokens, c.system), c.Tok.Encode(m.Content)...), c.end)
		default:
			ex.Tokens = append(ex.Tokens, c.User(m.Content)...)
		}
	}
	return ex
}

// SFTConfig sets supervised training.
type SFTConfig struct {
	// Steps is the number of optimizer updates, each on about
	// BatchTokens tokens of whole examples.
	Steps       int `json:"steps"`
	BatchTokens int `json:"batch_tokens"`
	// LR warms up linearly over Warmup steps, then decays with a cosine
	// to a tenth.
	LR     float64 `json:"lr"`
	Warmup int     `json:"warmup"`
	Seed   uint64  `json:"seed"`
}

// SFTStats describe one supervised step.
type SFTStats struct {
	Step         int     `json:"step"`
	Loss         float64 `json:"loss"`
	Tokens       int     `json:"tokens"`
	TokensPerSec float64 `json:"tokens_per_s"`
	LR           float64 `json:"lr"`
}

// SFT trains a policy on examples by next-token cross-entropy over the
// learned tokens. Batches are drawn in a seeded order, so a run resumed
// at a step continues exactly as it would have.
type SFT struct {
	Config   SFTConfig
	Policy   Policy
	Examples []Example
	// Step is the number of steps done.
	Step int

	order  []int // current epoch's permutation
	epoch  int
	pos    int // position in the walk of the next example
	synced bool
}

// next returns the next step's examples: the run walks through seeded
// permutations of the examples, one epoch after another, taking whole
// examples up to BatchTokens per step. Every step's batch is a function
// of (seed, step) alone.
func (s *SFT) next() []Example {
	var out []Example
	n := 0
	for len(out) < len(s.Examples) {
		ex := s.Examples[s.at(s.pos)]
		if len(out) > 0 && n+len(ex.Tokens) > s.Config.BatchTokens {
			break
		}
		out = append(out, ex)
		n += len(ex.Tokens)
		s.pos++
	}
	return out
}

// sync replays the walk up to Step (after a resume).
func (s *SFT) sync() {
	s.pos, s.epoch, s.order = 0, -1, nil
	for k := 0; k < s.Step; k++ {
		s.next()
	}
	s.synced = true
}

// at is the example at position pos of the seeded walk.
func (s *SFT) at(pos int) int {
	n := len(s.Examples)
	e := pos / n
	if e != s.epoch || s.order == nil {
		s.epoch = e
		s.order = rand.New(rand.NewPCG(s.Config.Seed, uint64(e))).Perm(n)
	}
	return s.order[pos%n]
}

// LR is the learning rate of step s.
func (c SFTConfig) lr(s int) float64 {
	if c.Warmup > 0 && s < c.Warmup {
		return c.LR * float64(s+1) / float64(c.Warmup)
	}
	span := max(c.Steps-c.Warmup, 1)
	frac := math.Min(float64(s-c.Warmup)/float64(span), 1)
	return c.LR * (0.1 + 0.9*0.5*(1+math.Cos(math.Pi*frac)))
}

// Run trains from Step up to Config.Steps, calling report after each
// step. It stops early, with ctx.Err(), when ctx is done; Step then says
// where to resume.
func (s *SFT) Run(ctx context.Context, report func(SFTStats) error) error {
	if len(s.Examples) == 0 {
		return fmt.Errorf("no supervised examples")
	}
	for s.Step < s.Config.Steps {
		if err := ctx.Err(); err != nil {
			return err
		}
		if !s.synced {
			s.sync()
		}
		start := time.Now()
		exs := s.next()
		seqs := make([]Sequence, len(exs))
		n, tokens := 0, 0
		for i, ex := range exs {
			seqs[i] = Sequence{Tokens: ex.Tokens, Score: ex.Learn}
			n += len(ex.Learn)
			tokens += len(ex.Tokens)
		}
		s.Policy.ZeroGrad()
		sc, err := s.Policy.Score(seqs, true)
		if err != nil {
			return fmt.Errorf("supervised step %d: %w", s.Step, err)
		}
		var loss float64
		grads := make([][]float32, len(exs))
		for i := range exs {
			grads[i] = make([]float32, len(sc[i].LogProbs))
			for k, lp := range sc[i].LogProbs {
				loss -= float64(lp)
				grads[i][k] = float32(-1 / float64(n))
			}
		}
		if err := s.Policy.Backward(grads); err != nil {
			return err
		}
		lr := s.Config.lr(s.Step)
		if _, err := s.Policy.Update(lr); err != nil {
			return err
		}
		s.Step++
		st := SFTStats{Step: s.Step, Loss: loss / float64(n), Tokens: tokens, LR: lr, TokensPerSec: float64(tokens) / time.Since(start).Seconds()}
		if report != nil {
			if err := report(st); err != nil {
				return err
			}
		}
	}
	return nil
}
