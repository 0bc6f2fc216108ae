package episode

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/rlef/rlef/dataset"
	"github.com/rlef/rlef/judge"
	"github.com/rlef/rlef/llm"
	"github.com/rlef/rlef/verdict"
)

// FeedbackMode selects what the model is told after a failed turn.
type FeedbackMode string

const (
	// FeedbackRLEF: the execution feedback of the paper's templates.
	FeedbackRLEF FeedbackMode = "rlef"
	// FeedbackNone: only "Give it another try" (the no-feedback ablation).
	FeedbackNone FeedbackMode = "none"
	// FeedbackRandom: feedback from a different problem's public tests run
	// with a known-incorrect solution (the paper's random-feedback
	// ablation, App. C.2).
	FeedbackRandom FeedbackMode = "random"
)

// ParseFeedbackMode reads a feedback mode name.
func ParseFeedbackMode(s string) (FeedbackMode, error) {
	switch m := FeedbackMode(s); m {
	case FeedbackRLEF, FeedbackNone, FeedbackRandom:
		return m, nil
	}
	return "", fmt.Errorf("unknown feedback mode %q (known: rlef, none, random)", s)
}

// DefaultTurns is the paper's turn limit, Config's default.
const DefaultTurns = 3

// Config is the protocol's settings.
type Config struct {
	// Turns is the turn limit (default DefaultTurns).
	Turns int
	// Feedback selects the feedback (default FeedbackRLEF).
	Feedback FeedbackMode
	// Rule is the code-extraction rule (default LastFence).
	Rule Rule
	// Prefill starts each HumanEval-style response with the problem's
	// prompt inside an opened ```python fence, as the paper does. It needs
	// a server that continues a final assistant message (the completions
	// API, or vLLM's continue_final_message on the chat API).
	Prefill bool
	// MaxField caps quoted inputs, outputs and traces (default
	// DefaultMaxField).
	MaxField int
}

func (c Config) withDefaults() Config {
	if c.Turns <= 0 {
		c.Turns = DefaultTurns
	}
	if c.Feedback == "" {
		c.Feedback = FeedbackRLEF
	}
	if c.Rule == "" {
		c.Rule = LastFence
	}
	return c
}

// Judger is what an episode needs from the judge.
type Judger interface {
	Judge(ctx context.Context, p *dataset.Problem, sub judge.Submission, suites ...judge.Suite) (*judge.Result, error)
}

// Env is what every episode of one benchmark shares.
type Env struct {
	// Set is the benchmark: suite names, the pass rule, and the problems
	// random feedback is drawn from.
	Set   *dataset.Set
	Judge Judger
	// Parser implements LongestParseable (see SandboxParser); nil makes
	// that rule fall back to LastFence.
	Parser func(ctx context.Context, text string) (string, error)
	// Random produces random feedback (see NewRandomFeedback); required
	// for FeedbackRandom.
	Random *RandomFeedback
}

// ErrInfra marks failures outside the model: the sandbox or judge could
// not produce a verdict. Episodes that hit one are recorded with Infra set
// and never scored.
var ErrInfra = errors.New("infrastructure failure")

// Reply is one model response to a session's messages.
type Reply struct {
	// Text is the reply as the server returned it; Answer the reply with
	// any reasoning removed (llm.Choice.Answer); Reasoning that reasoning.
	Text, Answer, Reasoning string
	FinishReason            string
	Truncated               bool
	PromptTokens            int
	CompletionTokens        int
	Latency                 time.Duration
	Cached                  bool
	Seed                    int64
}

// ReplyFromChoice converts a client response.
func ReplyFromChoice(resp *llm.Response, c llm.Choice, seed int64) Reply {
	return Reply{Text: c.Text, Answer: c.Answer, Reasoning: c.Reasoning, FinishReason: c.FinishReason,
		Truncated: c.Truncated, PromptTokens: resp.Usage.PromptTokens, CompletionTokens: resp.Usage.CompletionTokens,
		Latency: resp.Latency, Cached: resp.Cached, Seed: seed}
}

// Session runs the RLEF protocol on one problem for any policy: a model
// through the eval runner, or an external RL trainer through the HTTP
// episode API. The dialogue starts with the problem's prompt; each Step
// takes the policy's response, extracts code, runs it on the public tests
// and either ends the episode (tests pass, or the turn limit) with the
// final code judged on the private tests, or returns feedback as the next
// user message.
type Session struct {
	env     *Env
	cfg     Config
	problem *dataset.Problem
	family  Family
	msgs    []llm.Message
	prefill string
	ep      Episode
	done    bool
	rng     *rand.Rand
}

// NewSession starts an episode. seed fixes the random choices of the
// random-feedback ablation.
func NewSession(env *Env, cfg Config, p *dataset.Problem, sample int, seed uint64) *Session {
	cfg = cfg.withDefaults()
	s := &Session{env: env, cfg: cfg, problem: p, family: FamilyOf(env.Set.Name, p),
		ep: Episode{Problem: p.ID, Sample: sample}, rng: rand.New(rand.NewPCG(seed, uint64(sample)))}
	user, prefill := InitialPrompt(s.family, p)
	if cfg.Prefill {
		s.prefill = prefill
	}
	s.msgs = []llm.Message{{Role: llm.RoleUser, Content: user}}
	return s
}

// Messages returns the dialogue to send for the next turn: user and
// assistant messages alternating, ending with a user message (and, with
// prefilling, an assistant message for the model to continue).
func (s *Session) Messages() []llm.Message {
	out := append([]llm.Message(nil), s.msgs...)
	if s.prefill != "" {
		out = append(out, llm.Message{Role: llm.RoleAssistant, Content: s.prefill})
	}
	return out
}

// Prefill returns the text the next response continues ("" without
// prefilling).
func (s *Session) Prefill() string { return s.prefill }

// Done reports whether the episode has ended.
func (s *Session) Done() bool { return s.done }

// Turn returns the number of turns taken.
func (s *Session) Turn() int { return len(s.ep.Turns) }

// Episode returns the episode so far (complete once Done).
func (s *Session) Episode() *Episode { return &s.ep }

// Step takes the policy's response to Messages and advances the episode.
// It returns the recorded turn. An error wrapping ErrInfra means no verdict
// could be had; the episode is then over and marked as such.
func (s *Session) Step(ctx context.Context, r Reply) (*Turn, error) {
	if s.done {
		return nil, errors.New("episode already finished")
	}
	t := Turn{
		Index: len(s.ep.Turns) + 1, User: s.msgs[len(s.msgs)-1].Content, Prefill: s.prefill,
		Response: r.Text, Reasoning: r.Reasoning, Answer: r.Answer, FinishReason: r.FinishReason,
		Truncated: r.Truncated, PromptTokens: r.PromptTokens, CompletionTokens: r.CompletionTokens,
		Latency: r.Latency, Cached: r.Cached, Seed: r.Seed,
	}
	cont := r.Answer
	if s.prefill != "" && strings.TrimSpace(r.Text) == r.Answer {
		// A continuation's first line carries its indentation, which the
		// answer's cleaning trimmed away.
		cont = r.Text
	}
	full := s.prefill + cont
	code, rule, err := s.extract(ctx, full)
	if err != nil {
		return s.fail(t, err)
	}
	t.Code, t.Rule = code, string(rule)
	last := t.Index >= s.cfg.Turns
	if code == "" {
		t.Verdict = verdict.Invalid
	} else {
		res, err := s.env.Judge.Judge(ctx, s.problem, judge.Submission{Language: "python", Code: code}, judge.PublicSuite(s.env.Set))
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err() // interrupted, not failed: a resume redoes it
			}
			return s.fail(t, fmt.Errorf("%w: judge public tests: %v", ErrInfra, err))
		}
		pub := res.Suites[0]
		if pub.Verdict == verdict.SandboxError {
			return s.fail(t, fmt.Errorf("%w: sandbox error on the public tests", ErrInfra))
		}
		t.Public = &pub
		t.Verdict = pub.Verdict
	}
	// The dialogue continues with what the model said (the prefill is
	// part of its turn).
	s.msgs = append(s.msgs, llm.Message{Role: llm.RoleAssistant, Content: full, Reasoning: r.Reasoning})
	if t.Verdict == verdict.Accepted || last {
		return s.finish(ctx, t)
	}
	if t.Verdict == verdict.Invalid {
		t.Reward = RewardInvalid
	}
	if t.Feedback, err = s.feedback(ctx, &t); err != nil {
		return s.fail(t, err)
	}
	s.msgs = append(s.msgs, llm.Message{Role: llm.RoleUser, Content: t.Feedback})
	s.ep.Turns = append(s.ep.Turns, t)
	return &s.ep.Turns[len(s.ep.Turns)-1], nil
}

func (s *Session) extract(ctx context.Context, text string) (string, Rule, error) {
	if s.cfg.Rule == LongestParseable && s.env.Parser != nil {
		code, err := s.env.Parser(ctx, text)
		if err != nil {
			return "", "", fmt.Errorf("%w: extract code: %v", ErrInfra, err)
		}
		if code == "" {
			return "", "", nil
		}
		return code, LongestParseable, nil
	}
	rule := s.cfg.Rule
	if rule == LongestParseable {
		rule = LastFence
	}
	code, ok := Extract(text, rule, "python")
	if !ok {
		return "", "", nil
	}
	return code, rule, nil
}

func (s *Session) feedback(ctx context.Context, t *Turn) (string, error) {
	switch {
	case t.Verdict == verdict.Invalid:
		return invalidFeedback(s.family), nil
	case s.cfg.Feedback == FeedbackNone:
		return noFeedback(s.family), nil
	case s.cfg.Feedback == FeedbackRandom:
		if s.env.Random == nil {
			return "", errors.New("random feedback requested but not configured")
		}
		fb, err := s.env.Random.For(ctx, s.problem, s.rng, s.cfg.MaxField)
		if err != nil {
			return "", fmt.Errorf("%w: random feedback: %v", ErrInfra, err)
		}
		return fb, nil
	}
	return Feedback(s.family, t.Public, s.cfg.MaxField), nil
}

// finish judges the last turn's code on the private tests and ends the
// episode with the final reward.
func (s *Session) finish(ctx context.Context, t Turn) (*Turn, error) {
	e := &s.ep
	e.FinalCode = t.Code
	passed := false
	if t.Code != "" {
		res, err := s.env.Judge.Judge(ctx, s.problem, judge.Submission{Language: "python", Code: t.Code}, judge.PrivateSuite(s.env.Set))
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return s.fail(t, fmt.Errorf("%w: judge private tests: %v", ErrInfra, err))
		}
		priv := res.Suites[0]
		if priv.Verdict == verdict.SandboxError {
			return s.fail(t, fmt.Errorf("%w: sandbox error on the private tests", ErrInfra))
		}
		passed = priv.Verdict == verdict.Accepted
		if priv.Total == 0 {
			// No hidden tests (all of a problem's tests are its examples):
			// an empty suite proves nothing, so the public tests decide.
			passed = t.Verdict == verdict.Accepted
		}
		if s.env.Set.PassNeedsPublic {
			// EvalPlus: base and plus both decide.
			e.Final = append(e.Final, *t.Public)
			passed = passed && t.Verdict == verdict.Accepted
		}
		e.Final = append(e.Final, priv)
	}
	e.Passed = passed
	e.Reward = RewardFail
	if passed {
		e.Reward = RewardPass
	}
	t.Reward = e.Reward
	e.Turns = append(e.Turns, t)
	e.Return = 0
	for _, tt := range e.Turns {
		e.Return += tt.Reward
	}
	s.done = true
	return &e.Turns[len(e.Turns)-1], nil
}

// fail ends the episode as an infrastructure failure.
func (s *Session) fail(t Turn, err error) (*Turn, error) {
	s.ep.Turns = append(s.ep.Turns, t)
	s.ep.Infra = err.Error()
	s.done = true
	if !errors.Is(err, ErrInfra) {
		err = fmt.Errorf("%w: %v", ErrInfra, err)
	}
	return &s.ep.Turns[len(s.ep.Turns)-1], err
}
