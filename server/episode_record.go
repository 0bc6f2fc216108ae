package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	"github.com/rlef/rlef/dataset"
	"github.com/rlef/rlef/dist"
	"github.com/rlef/rlef/episode"
	"github.com/rlef/rlef/judge"
)

// An episode kept in a shared store is its creation request, the policy's
// responses, and the outcome of every judging and code extraction it
// made. Any server rebuilds it by replaying the responses against those
// recorded outcomes: nothing is judged again, so the rebuilt episode is
// the one that was stepped, verdicts, feedback and random choices alike.

// recordedCall is the outcome of one judging or code extraction.
type recordedCall struct {
	// Judgement is a dist.EncodeJudgement encoding.
	Judgement []byte  `json:"judgement,omitempty"`
	Code      *string `json:"code,omitempty"`
	Err       string  `json:"err,omitempty"`
}

// recorder stands between an episode and the judge: it answers calls it
// has recorded and records the others.
type recorder struct {
	judge  episode.Judger
	parser func(ctx context.Context, text string) (string, error)

	mu    sync.Mutex
	calls map[string]recordedCall
	// missed counts calls made again because no outcome was recorded.
	missed int
}

func newRecorder(j episode.Judger, parser func(context.Context, string) (string, error), calls map[string]recordedCall) *recorder {
	if calls == nil {
		calls = map[string]recordedCall{}
	}
	return &recorder{judge: j, parser: parser, calls: calls}
}

// env is base with judging and code extraction through the recorder.
func (r *recorder) env(base *episode.Env, random bool) *episode.Env {
	env := &episode.Env{Set: base.Set, Judge: r, Parser: r.parse}
	if random {
		env.Random = episode.NewRandomFeedback(base.Set, r)
	}
	return env
}

// callKey identifies a call by everything its outcome depends on.
func callKey(kind string, parts ...any) string {
	data, _ := json.Marshal(append([]any{kind}, parts...))
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:16])
}

func (r *recorder) lookup(key string) (recordedCall, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	c, ok := r.calls[key]
	if !ok {
		r.missed++
	}
	return c, ok
}

func (r *recorder) keep(key string, c recordedCall) {
	r.mu.Lock()
	r.calls[key] = c
	r.mu.Unlock()
}

// Judge implements episode.Judger.
func (r *recorder) Judge(ctx context.Context, p *dataset.Problem, sub judge.Submission, suites ...judge.Suite) (*judge.Result, error) {
	key := callKey("judge", p.ID, p.Benchmark, sub, suites)
	if c, ok := r.lookup(key); ok {
		if c.Err != "" {
			return nil, errors.New(c.Err)
		}
		return dist.DecodeJudgement(c.Judgement)
	}
	res, err := r.judge.Judge(ctx, p, sub, suites...)
	if err != nil {
		if ctx.Err() == nil {
			r.keep(key, recordedCall{Err: err.Error()})
		}
		return nil, err
	}
	data, encErr := dist.EncodeJudgement(res)
	if encErr != nil {
		return nil, fmt.Errorf("record judgement: %w", encErr)
	}
	r.keep(key, recordedCall{Judgement: data})
	return res, nil
}

// parse is the recorded code extraction.
func (r *recorder) parse(ctx context.Context, text string) (string, error) {
	key := callKey("parse", text)
	if c, ok := r.lookup(key); ok {
		if c.Err != "" {
			return "", errors.New(c.Err)
		}
		return *c.Code, nil
	}
	code, err := r.parser(ctx, text)
	if err != nil {
		if ctx.Err() == nil {
			r.keep(key, recordedCall{Err: err.Error()})
		}
		return "", err
	}
	r.keep(key, recordedCall{Code: &code})
	return code, nil
}

// snapshot returns the recorded calls.
func (r *recorder) snapshot() map[string]recordedCall {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[string]recordedCall, len(r.calls))
	for k, v := range r.calls {
		out[k] = v
	}
	return out
}

// rebuildEpisode makes a stored episode live again: the episode its
// creation request makes, stepped with each recorded response against the
// recorded outcomes.
func (s *Server) rebuildEpisode(ctx context.Context, id string, rec *episodeRecord) (*liveEpisode, *recorder, error) {
	r := newRecorder(s.judge, s.parser(), rec.Calls)
	e, _, _, err := s.buildEpisode(&rec.Create, r)
	if err != nil {
		return nil, nil, fmt.Errorf("episode %s: %w", id, err)
	}
	e.id = id
	for i := range rec.Steps {
		if e.session.Done() {
			return nil, nil, fmt.Errorf("episode %s: a recorded step after the end", id)
		}
		if _, err := s.takeStep(ctx, e, &rec.Steps[i]); err != nil {
			return nil, nil, fmt.Errorf("episode %s: replay step %d: %w", id, i+1, err)
		}
	}
	r.mu.Lock()
	if r.missed > 0 {
		s.log.Warn("episode replayed with calls made again (not recorded)", "episode", id, "calls", r.missed)
	}
	r.missed = 0
	r.mu.Unlock()
	e.pending = nil
	return e, r, nil
}
