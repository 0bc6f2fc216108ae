package train

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"

	"github.com/rlef/rlef/dataset"
	"github.com/rlef/rlef/episode"
)

// Rollout is one episode played by a policy, with the token-level record
// training needs.
type Rollout struct {
	// Episode is the episode loop's record: turns, verdicts, feedback,
	// rewards, the final verdict.
	Episode *episode.Episode
	// Tokens is the whole dialogue: the first prompt, each reply, each
	// feedback message.
	Tokens []int32
	// Turns locate each reply in Tokens.
	Turns []TurnTokens
}

// TurnTokens locates one reply.
type TurnTokens struct {
	// Header is the index of the turn's last prompt token (the assistant
	// header), where the turn-level value is read.
	Header int
	// Start and End delimit the reply's tokens, Tokens[Start:End]
	// (Start = Header+1).
	Start, End int
	// LogProbs are the behaviour policy's log-probabilities of the reply
	// tokens.
	LogProbs []float32
	// Forced marks a reply the policy never wrote: the dialogue had no
	// room left in the context, so an empty reply was submitted (it is
	// scored by the episode loop but not trained on).
	Forced bool
}

// Collector plays episodes with a policy through the episode loop:
// the same prompts, code extraction, judging in the sandbox, feedback,
// rewards and ablations as `rlef eval`.
type Collector struct {
	Policy   Policy
	Env      *episode.Env
	Config   episode.Config
	Sampling Sampling
}

// seedOf derives a seed from a run seed and labels.
func seedOf(seed uint64, labels ...any) uint64 {
	h := fnv.New64a()
	fmt.Fprint(h, seed)
	for _, l := range labels {
		fmt.Fprintf(h, "\x00%v", l)
	}
	return h.Sum64()
}

// Collect plays one episode of problem p. Infrastructure failures end the
// rollout with Episode.Infra set (never trained on); only cancellation
// and policy errors are returned.
func (c *Collector) Collect(ctx context.Context, p *dataset.Problem, sample int, seed uint64) (*Rollout, error) {
	chat := c.Policy.Chat()
	s := episode.NewSession(c.Env, c.Config, p, sample, seedOf(seed, p.ID, sample, "session"))
	msgs := s.Messages()
	r := &Rollout{Tokens: chat.User(msgs[0].Content)}
	for !s.Done() {
		tt := TurnTokens{Header: len(r.Tokens) - 1, Start: len(r.Tokens)}
		room := c.Policy.Context() - len(r.Tokens)
		var reply episode.Reply
		if room < 1 {
			tt.Forced = true
			reply = episode.Reply{Truncated: true, FinishReason: "length"}
		} else {
			opt := c.Sampling
			if opt.MaxTokens <= 0 || opt.MaxTokens > room {
				opt.MaxTokens = room
			}
			g, err := c.Policy.Sample(ctx, r.Tokens, opt, seedOf(seed, p.ID, sample, s.Turn()+1))
			if err != nil {
				return nil, fmt.Errorf("sample %s turn %d: %w", p.ID, s.Turn()+1, err)
			}
			r.Tokens = append(r.Tokens, g.Tokens...)
			tt.LogProbs = g.LogProbs
			reply = episode.Reply{Text: g.Text, Answer: g.Text, PromptTokens: tt.Start, CompletionTokens: len(g.Tokens), FinishReason: "stop"}
			if !g.Stopped {
				reply.FinishReason, reply.Truncated = "length", true
			}
		}
		tt.End = len(r.Tokens)
		r.Turns = append(r.Turns, tt)
		turn, err := s.Step(ctx, reply)
		if err != nil {
			if errors.Is(err, episode.ErrInfra) {
				r.Episode = s.Episode()
				return r, nil
			}
			return nil, err
		}
		if !s.Done() {
			if !endsWith(r.Tokens, chat.End()) {
				// A reply cut short (or never written) is closed.
				r.Tokens = append(r.Tokens, chat.End())
			}
			r.Tokens = append(r.Tokens, chat.User(turn.Feedback)...)
		}
	}
	r.Episode = s.Episode()
	return r, nil
}

func endsWith(toks []int32, t int32) bool { return len(toks) > 0 && toks[len(toks)-1] == t }
