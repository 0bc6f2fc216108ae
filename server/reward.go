package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/rlef/rlef/dataset"
	"github.com/rlef/rlef/episode"
	"github.com/rlef/rlef/judge"
	"github.com/rlef/rlef/llm"
	"github.com/rlef/rlef/verdict"
)

// Rewards of /get_reward: RLEF's final reward (+1 pass, −1 otherwise) and
// a 0/1 score (OpenRLHF uses scores for dynamic filtering).
const (
	RewardPass = episode.RewardPass
	RewardFail = episode.RewardFail
)

// maxRewardBatch bounds the samples of one /get_reward request.
const maxRewardBatch = 4096

// RewardRequest is OpenRLHF's remote reward request.
type RewardRequest struct {
	// Query holds prompt and response decoded together, special tokens
	// kept.
	Query []string `json:"query"`
	// Prompts holds each sample's prompt text (optional: without it, the
	// response is found after the last assistant header).
	Prompts []string `json:"prompts"`
	// Labels name each sample's problem (see ResolveLabel).
	Labels []json.RawMessage `json:"labels"`
}

// RewardResponse is OpenRLHF's remote reward response. Every number is
// a JSON float (1.0, never 1: OpenRLHF builds tensors from them).
// ExtraLogs holds one number per sample for each key, as OpenRLHF logs
// them. Verdicts and Errors are rlef's additions (ignored by OpenRLHF).
type RewardResponse struct {
	Rewards   []Float            `json:"rewards"`
	Scores    []Float            `json:"scores"`
	ExtraLogs map[string][]Float `json:"extra_logs"`
	// Verdicts is each sample's outcome: accepted, the first failing
	// verdict of its tests (wrong_answer, runtime_error, ...), no_code, or
	// sandbox_error when it could not be judged.
	Verdicts []string `json:"verdicts"`
	// Errors says why a sample could not be judged ("" otherwise).
	Errors []string `json:"errors"`
	// QueueWaitSeconds is the longest time one of the samples waited for
	// a judging slot (never counted in a program's time limit).
	QueueWaitSeconds float64 `json:"queue_wait_seconds"`
}

// DecodeReward validates a /get_reward body: query and labels are
// required lists of the same length; prompts, when given, too.
func DecodeReward(body []byte) (*RewardRequest, error) {
	o, err := decodeObject(body)
	if err != nil {
		return nil, err
	}
	req := &RewardRequest{}
	if _, ok := o.get("query"); !ok {
		o.missing("query")
	} else {
		req.Query = o.strList("query")
	}
	req.Prompts = o.strList("prompts")
	req.Labels = o.rawList("labels", true)
	if err := o.err(); err != nil {
		return nil, err
	}
	n := len(req.Query)
	switch {
	case n > maxRewardBatch:
		o.fail([]any{"query"}, "too_long", fmt.Sprintf("List should have at most %d items", maxRewardBatch), nil)
	case len(req.Labels) != n:
		o.fail([]any{"labels"}, "value_error", fmt.Sprintf("labels has %d items but query has %d", len(req.Labels), n), nil)
	case req.Prompts != nil && len(req.Prompts) != n:
		o.fail([]any{"prompts"}, "value_error", fmt.Sprintf("prompts has %d items but query has %d", len(req.Prompts), n), nil)
	}
	if err := o.err(); err != nil {
		return nil, err
	}
	return req, nil
}

// sampleResult is one sample's outcome.
type sampleResult struct {
	codeFound, passed, publicPassed, privatePassed bool
	verdict                                        string
	// err says why the sample could not be judged ("" when it was).
	err    string
	waited time.Duration
}

// errLabel is a label that names no problem (answered 422: the request,
// not a sample's program, is wrong).
type errLabel struct{ err error }

func (e *errLabel) Error() string { return e.err.Error() }
func (e *errLabel) Unwrap() error { return e.err }

func (s *Server) handleReward(w http.ResponseWriter, r *http.Request) {
	req, ok := decodeBody(s, w, r, DecodeReward)
	if !ok {
		return
	}
	ka := s.newKeepAlive(w)
	defer ka.finish() // before a panic's 500 is written
	resp, err := s.reward(r.Context(), req, ka.arm)
	var le *errLabel
	switch {
	case err == nil:
		ka.write(http.StatusOK, resp)
	case isBusy(err):
		ka.finish()
		writeBusy(w, err, s.judgeQ.retryAfter())
	case errors.As(err, &le):
		ka.write(http.StatusUnprocessableEntity, map[string]string{"detail": le.Error()})
	default:
		// Only cancellation gets here: the client is gone.
		ka.write(http.StatusServiceUnavailable, map[string]string{"detail": err.Error()})
	}
}

// Reward judges every sample of an OpenRLHF reward request: the response
// is recovered from the query (ResponseText), its reasoning dropped, its
// code extracted with the last-fence rule and judged on the problem's
// public and private tests. A sample passes when every test passes.
//
// Every sample gets its own reward: one whose program misbehaves, or one
// the sandbox fails on (tried twice), is a failure (reward −1, verdict
// sandbox_error and an error message for the latter) and never fails the
// batch. Errors: a label that names no problem (422, before any work),
// admission refusals (ErrQueueFull, ErrQueueBusy: 504, before any work),
// cancellation.
func (s *Server) Reward(ctx context.Context, req *RewardRequest) (*RewardResponse, error) {
	return s.reward(ctx, req, nil)
}

// reward is Reward; admitted is called once the request is admitted.
func (s *Server) reward(ctx context.Context, req *RewardRequest, admitted func()) (*RewardResponse, error) {
	n := len(req.Query)
	type target struct {
		set *dataset.Set
		p   *dataset.Problem
	}
	targets := make([]target, n)
	for i, l := range req.Labels {
		set, p, err := s.ResolveLabel(l)
		if err != nil {
			return nil, &errLabel{fmt.Errorf("labels[%d]: %w", i, err)}
		}
		targets[i] = target{set, p}
	}
	if err := s.judgeQ.check(); err != nil {
		return nil, err
	}
	if admitted != nil {
		admitted()
	}
	results := make([]sampleResult, n)
	g, gctx := errgroup.WithContext(ctx)
	// One request never floods the judge queue: its samples take turns
	// within the queue's concurrency.
	g.SetLimit(s.judgeQ.concurrency())
	for i := range n {
		g.Go(func() error {
			prompt := ""
			if req.Prompts != nil {
				prompt = req.Prompts[i]
			}
			_, answer, _ := llm.SplitReasoning(ResponseText(req.Query[i], prompt))
			res, err := s.judgeSample(gctx, targets[i].set, targets[i].p, answer)
			if err != nil {
				return err // cancelled
			}
			if res.err != "" {
				s.log.Warn("reward sample not judged; scored as a failure", "sample", i, "problem", targets[i].p.ID, "err", res.err)
			}
			results[i] = res
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return s.rewardResponse(results), nil
}

// rewardResponse assembles the per-sample outcomes.
func (s *Server) rewardResponse(results []sampleResult) *RewardResponse {
	n := len(results)
	resp := &RewardResponse{Rewards: make([]Float, n), Scores: make([]Float, n), ExtraLogs: map[string][]Float{},
		Verdicts: make([]string, n), Errors: make([]string, n)}
	keys := []string{"passed", "code_found", "public_passed", "private_passed", "sandbox_error", "queue_wait_seconds"}
	for _, k := range keys {
		resp.ExtraLogs[k] = make([]Float, n)
	}
	for i, r := range results {
		resp.Rewards[i], resp.Scores[i] = RewardFail, 0
		if r.passed {
			resp.Rewards[i], resp.Scores[i] = RewardPass, 1
		}
		resp.Verdicts[i], resp.Errors[i] = r.verdict, r.err
		resp.ExtraLogs["passed"][i] = b2f(r.passed)
		resp.ExtraLogs["code_found"][i] = b2f(r.codeFound)
		resp.ExtraLogs["public_passed"][i] = b2f(r.publicPassed)
		resp.ExtraLogs["private_passed"][i] = b2f(r.privatePassed)
		resp.ExtraLogs["sandbox_error"][i] = b2f(r.err != "")
		resp.ExtraLogs["queue_wait_seconds"][i] = Float(r.waited.Seconds())
		resp.QueueWaitSeconds = max(resp.QueueWaitSeconds, r.waited.Seconds())
		outcome := strconv.FormatBool(r.passed)
		if r.err != "" {
			outcome = "error"
		}
		s.m.rewards.WithLabelValues(outcome).Inc()
	}
	return resp
}

// Verdicts of /get_reward samples beyond the judge's.
const (
	verdictNoCode       = "no_code"
	verdictSandboxError = "sandbox_error"
)

// judgeSample extracts code from an answer and judges it on every test.
// A sample the sandbox fails on is tried once more; if it fails again,
// the result says so (err set). The error is non-nil only on
// cancellation.
func (s *Server) judgeSample(ctx context.Context, set *dataset.Set, p *dataset.Problem, answer string) (sampleResult, error) {
	res := sampleResult{verdict: verdictNoCode}
	code, ok := episode.Extract(answer, episode.LastFence, "python")
	if !ok {
		return res, nil
	}
	res.codeFound = true
	for attempt := 0; ; attempt++ {
		out, waited, err := s.judgeOnce(ctx, set, p, code)
		res.waited += waited
		if ctx.Err() != nil {
			return res, ctx.Err()
		}
		if err == nil {
			res.publicPassed = out.Suites[0].Verdict == verdict.Accepted
			res.privatePassed = out.Suites[1].Verdict == verdict.Accepted
			res.passed = out.Passed()
			res.verdict = string(verdict.Accepted)
			for _, sr := range out.Suites {
				if sr.Verdict != verdict.Accepted {
					res.verdict = string(sr.Verdict)
					break
				}
			}
			return res, nil
		}
		if attempt == 1 {
			res.verdict, res.err = verdictSandboxError, err.Error()
			return res, nil
		}
	}
}

// errSuiteSandbox is a judging whose tests met a sandbox error.
var errSuiteSandbox = errors.New("sandbox error while judging")

// judgeOnce judges code on the public and private tests once, waiting
// for a judging slot as long as it takes (the request was admitted).
func (s *Server) judgeOnce(ctx context.Context, set *dataset.Set, p *dataset.Problem, code string) (*judge.Result, time.Duration, error) {
	pub, priv := judge.PublicSuite(set), judge.PrivateSuite(set)
	pub.StopOnFailure = true
	t, err := s.judgeQ.acquire(ctx, false, nil)
	if err != nil {
		return nil, 0, err
	}
	defer t.release()
	out, err := s.judge.Judge(ctx, p, judge.Submission{Language: "python", Code: code}, pub, priv)
	if err != nil {
		return nil, t.Waited, fmt.Errorf("cannot judge: %w", err)
	}
	for _, sr := range out.Suites {
		if sr.Verdict == verdict.SandboxError {
			return nil, t.Waited, fmt.Errorf("%w on suite %s", errSuiteSandbox, sr.Name)
		}
	}
	return out, t.Waited, nil
}

func b2f(b bool) Float {
	if b {
		return 1
	}
	return 0
}
