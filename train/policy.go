package train

import (
	"context"
)

// Sampling sets how a policy draws a turn.
type Sampling struct {
	// Temperature 1 samples the policy itself (RLEF trains at 1.0); 0
	// takes the most likely token.
	Temperature float64 `json:"temperature"`
	// TopP is nucleus sampling (0 or 1: off).
	TopP float64 `json:"top_p"`
	// MaxTokens caps a turn's length (0: up to the context).
	MaxTokens int `json:"max_tokens"`
}

// Generation is one sampled turn.
type Generation struct {
	// Tokens are the response's tokens, ending with the end-of-turn token
	// when the policy stopped by itself.
	Tokens []int32
	// LogProbs are log π(token | prefix) at temperature 1 without top-p,
	// for every token in Tokens: the behaviour log-probabilities.
	LogProbs []float32
	// Text is the response's text (without the end-of-turn token).
	Text string
	// Stopped: the policy ended the turn; otherwise it ran out of room.
	Stopped bool
}

// Sequence is one token sequence with the positions a pass reads.
type Sequence struct {
	Tokens []int32
	// Score lists indices i (≥ 1) whose log π(Tokens[i] | Tokens[:i]) is
	// wanted.
	Score []int
	// Value lists indices whose value V(Tokens[:i+1]) is wanted.
	Value []int
}

// Scores are a policy's outputs on one sequence, in Score order.
type Scores struct {
	LogProbs []float32
	Entropy  []float32
}

// Trainable is a model with gradients and an optimizer.
type Trainable interface {
	// ZeroGrad clears the accumulated gradients.
	ZeroGrad()
	// Update clips the gradients to the configured norm, takes one
	// optimizer step with learning rate lr and returns the gradient norm
	// before clipping.
	Update(lr float64) (float64, error)
}

// Policy is what RLEF's objective trains: it samples a turn with its
// log-probabilities, scores given tokens, and backpropagates a loss on
// those scores. Sample may run in many goroutines at once; Score,
// Backward and the Trainable methods run in one goroutine, never while
// sampling.
type Policy interface {
	Trainable
	// Chat renders dialogues as the policy's tokens.
	Chat() *Chat
	// Sample continues prompt with one assistant turn. The same seed
	// gives the same turn.
	Sample(ctx context.Context, prompt []int32, s Sampling, seed uint64) (*Generation, error)
	// Score returns the log-probabilities and entropies at each
	// sequence's Score indices. With grad set it keeps what Backward
	// needs (one pass at a time).
	Score(seqs []Sequence, grad bool) ([]Scores, error)
	// Backward adds to the gradients those of a loss whose derivatives
	// with respect to the last Score(grad) log-probabilities are given,
	// in the same shape.
	Backward(dLogProbs [][]float32) error
	// Context is the longest sequence the policy takes.
	Context() int
}

// ValueFunction is the separate value network: a scalar at chosen
// positions. Same concurrency rules as Policy.
type ValueFunction interface {
	Trainable
	// Values returns each sequence's values at its Value indices. With
	// grad set it keeps what Backward needs.
	Values(seqs []Sequence, grad bool) ([][]float32, error)
	// Backward adds the gradient of a loss with the given derivatives
	// with respect to the last Values(grad) outputs.
	Backward(dValues [][]float32) error
}
