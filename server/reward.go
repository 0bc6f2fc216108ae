package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"

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

// RewardResponse is OpenRLHF's remote reward response. ExtraLogs holds
// one number per sample for each key, as OpenRLHF logs them.
type RewardResponse struct {
	Rewards   []float64            `json:"rewards"`
	Scores    []float64            `json:"scores"`
	ExtraLogs map[string][]float64 `json:"extra_logs"`
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

// sampleResult is one judged sample.
type sampleResult struct {
	codeFound, passed, publicPassed, privatePassed bool
}

// rewardError carries the HTTP status a failed sample turns the request
// into.
type rewardError struct {
	status int
	err    error
}

func (e *rewardError) Error() string { return e.err.Error() }
func (e *rewardError) Unwrap() error { return e.err }

func (s *Server) handleReward(w http.ResponseWriter, r *http.Request) {
	req, ok := decodeBody(s, w, r, DecodeReward)
	if !ok {
		return
	}
	resp, err := s.Reward(r.Context(), req)
	var re *rewardError
	switch {
	case err == nil:
		writeJSON(w, http.StatusOK, resp)
	case isBusy(err):
		writeBusy(w, err, 1)
	case errors.As(err, &re):
		writeDetail(w, re.status, re.Error())
	default:
		writeDetail(w, http.StatusServiceUnavailable, err.Error())
	}
}

// Reward judges every sample of an OpenRLHF reward request: the response
// is recovered from the query (ResponseText), its reasoning dropped, its
// code extracted with the last-fence rule and judged on the problem's
// public and private tests. A sample passes when every test passes.
// Errors: a label that names no problem (422), admission refusals
// (ErrQueueFull, ErrQueueTimeout: 504), sandbox failures (503, which
// OpenRLHF retries), cancellation.
func (s *Server) Reward(ctx context.Context, req *RewardRequest) (*RewardResponse, error) {
	n := len(req.Query)
	type target struct {
		set *dataset.Set
		p   *dataset.Problem
	}
	targets := make([]target, n)
	for i, l := range req.Labels {
		set, p, err := s.ResolveLabel(l)
		if err != nil {
			return nil, &rewardError{http.StatusUnprocessableEntity, fmt.Errorf("labels[%d]: %w", i, err)}
		}
		targets[i] = target{set, p}
	}
	results := make([]sampleResult, n)
	g, gctx := errgroup.WithContext(ctx)
	// One request never floods the judge queue: its samples take turns
	// within the queue's concurrency.
	g.SetLimit(s.cfg.JudgeQueue.Concurrency)
	for i := range n {
		g.Go(func() error {
			prompt := ""
			if req.Prompts != nil {
				prompt = req.Prompts[i]
			}
			_, answer, _ := llm.SplitReasoning(ResponseText(req.Query[i], prompt))
			res, err := s.judgeSample(gctx, targets[i].set, targets[i].p, answer)
			if err != nil {
				return fmt.Errorf("sample %d (%s): %w", i, targets[i].p.ID, err)
			}
			results[i] = res
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	resp := &RewardResponse{Rewards: make([]float64, n), Scores: make([]float64, n), ExtraLogs: map[string][]float64{}}
	for _, k := range []string{"passed", "code_found", "public_passed", "private_passed"} {
		resp.ExtraLogs[k] = make([]float64, n)
	}
	for i, r := range results {
		resp.Rewards[i], resp.Scores[i] = RewardFail, 0
		if r.passed {
			resp.Rewards[i], resp.Scores[i] = RewardPass, 1
		}
		resp.ExtraLogs["passed"][i] = b2f(r.passed)
		resp.ExtraLogs["code_found"][i] = b2f(r.codeFound)
		resp.ExtraLogs["public_passed"][i] = b2f(r.publicPassed)
		resp.ExtraLogs["private_passed"][i] = b2f(r.privatePassed)
		s.m.rewards.WithLabelValues(strconv.FormatBool(r.passed)).Inc()
	}
	return resp, nil
}

// judgeSample extracts code from an answer and judges it on every test.
func (s *Server) judgeSample(ctx context.Context, set *dataset.Set, p *dataset.Problem, answer string) (sampleResult, error) {
	var res sampleResult
	code, ok := episode.Extract(answer, episode.LastFence, "python")
	if !ok {
		return res, nil
	}
	res.codeFound = true
	pub, priv := judge.PublicSuite(set), judge.PrivateSuite(set)
	pub.StopOnFailure = true
	release, err := s.judgeQ.acquire(ctx)
	if err != nil {
		return res, err
	}
	defer release()
	out, err := s.cfg.Judge.Judge(ctx, p, judge.Submission{Language: "python", Code: code}, pub, priv)
	if err != nil {
		if ctx.Err() != nil {
			return res, ctx.Err()
		}
		return res, &rewardError{http.StatusUnprocessableEntity, fmt.Errorf("cannot judge: %w", err)}
	}
	for _, sr := range out.Suites {
		if sr.Verdict == verdict.SandboxError {
			return res, &rewardError{http.StatusServiceUnavailable, errors.New("sandbox error while judging; retry")}
		}
	}
	res.publicPassed = out.Suites[0].Verdict == verdict.Accepted
	res.privatePassed = out.Suites[1].Verdict == verdict.Accepted
	res.passed = out.Passed()
	return res, nil
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
