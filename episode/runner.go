package episode

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"

	"github.com/rlef/rlef/dataset"
	"github.com/rlef/rlef/llm"
)

// Runner plays episodes with a model as the policy.
type Runner struct {
	Client llm.Client
	Env    *Env
	Config Config
	// Request carries the sampling settings every turn's request starts
	// from (model, API, temperature, top-p, max tokens, few-shot examples,
	// extra fields). Messages and Seed are set per turn.
	Request llm.Request
	// Seed is the run's seed; each turn's request gets a seed derived from
	// it, the problem, the sample and the turn, so a rerun asks exactly
	// the same questions (and a resumed run finds them in the cache).
	Seed int64
}

// TurnSeed derives the sampling seed of one turn.
func TurnSeed(runSeed int64, problem string, sample, turn int) int64 {
	h := fnv.New64a()
	fmt.Fprintf(h, "%d\x00%s\x00%d\x00%d", runSeed, problem, sample, turn)
	// 31 bits: some servers reject larger seeds.
	return int64(h.Sum64() & 0x7fffffff)
}

// Run plays one episode. Model-server and sandbox failures end the
// episode with Infra set (it is returned, not an error); only
// cancellation is an error.
func (r *Runner) Run(ctx context.Context, p *dataset.Problem, sample int) (*Episode, error) {
	s := NewSession(r.Env, r.Config, p, sample, uint64(TurnSeed(r.Seed, p.ID, sample, 0)))
	for !s.Done() {
		seed := TurnSeed(r.Seed, p.ID, sample, s.Turn()+1)
		req := r.Request
		req.Messages = s.Messages()
		req.Seed = &seed
		req.N = 1
		if s.Prefill() != "" {
			// vLLM/SGLang: continue the final (assistant) message instead of
			// opening a new turn. Other servers ignore unknown fields or
			// reject them; prefilling is off by default.
			extra := map[string]any{"continue_final_message": true, "add_generation_prompt": false}
			for k, v := range req.Extra {
				extra[k] = v
			}
			req.Extra = extra
		}
		resp, err := r.Client.Generate(ctx, req)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			e := s.Episode()
			e.Infra = fmt.Sprintf("model request failed on turn %d: %v", s.Turn()+1, err)
			return e, nil
		}
		if len(resp.Choices) == 0 {
			e := s.Episode()
			e.Infra = fmt.Sprintf("model returned no choices on turn %d", s.Turn()+1)
			return e, nil
		}
		if _, err := s.Step(ctx, ReplyFromChoice(resp, resp.Choices[0], seed)); err != nil {
			if errors.Is(err, ErrInfra) {
				return s.Episode(), nil
			}
			return nil, err
		}
	}
	return s.Episode(), nil
}
