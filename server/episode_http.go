package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/rlef/rlef/episode"
	"github.com/rlef/rlef/llm"
	"github.com/rlef/rlef/llm/chattemplate"
	"github.com/rlef/rlef/verdict"
)

func (s *Server) handleEpisodeCreate(w http.ResponseWriter, r *http.Request) {
	req, ok := decodeBody(s, w, r, func(b []byte) (*EpisodeCreateRequest, error) { return DecodeEpisodeCreate(b, s.cfg.Episodes.MaxTurns) })
	if !ok {
		return
	}
	resp, status, err := s.createEpisode(r.Context(), req)
	if err != nil {
		writeDetail(w, status, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, resp)
}

// createEpisode starts an episode; on error it also returns the HTTP
// status to answer with.
func (s *Server) createEpisode(ctx context.Context, req *EpisodeCreateRequest) (*EpisodeCreateResponse, int, error) {
	var rec *recorder
	if s.cfg.EpisodeJS != nil {
		rec = newRecorder(s.judge, s.parser(), nil)
	}
	e, resp, status, err := s.buildEpisode(req, rec)
	if err != nil {
		return nil, status, err
	}
	if err := s.episodes.add(ctx, e); err != nil {
		if errors.Is(err, ErrTooManyEpisodes) {
			return nil, http.StatusTooManyRequests, err
		}
		return nil, http.StatusInternalServerError, err
	}
	resp.EpisodeID = e.id
	return resp, http.StatusOK, nil
}

// buildEpisode makes the episode a request asks for (without storing
// it). With rec, the episode judges and extracts code through rec, which
// records every outcome so that the episode can be rebuilt elsewhere.
func (s *Server) buildEpisode(req *EpisodeCreateRequest, rec *recorder) (*liveEpisode, *EpisodeCreateResponse, int, error) {
	label := req.Problem
	if req.Benchmark != "" {
		id, ok := decodeString(req.Problem)
		if !ok {
			return nil, nil, http.StatusUnprocessableEntity, errors.New("with benchmark, problem must be a problem id")
		}
		b, _ := json.Marshal(req.Benchmark + "/" + id)
		label = b
	}
	set, p, err := s.ResolveLabel(label)
	if err != nil {
		return nil, nil, http.StatusUnprocessableEntity, err
	}
	fb, _ := episode.ParseFeedbackMode(req.Feedback)
	rule, _ := episode.ParseRule(req.Extraction)
	env, served := s.envs[set.Name]
	if !served || env.Set != set {
		// An inline problem: a fresh one-problem environment.
		if strings.TrimSpace(p.Statement) == "" {
			return nil, nil, http.StatusUnprocessableEntity, errors.New("an inline problem needs a statement to be shown to the model")
		}
		if fb == episode.FeedbackRandom {
			return nil, nil, http.StatusUnprocessableEntity, errors.New("random feedback needs a served benchmark (it draws other problems)")
		}
		env = s.newEnv(set)
	}
	if rec != nil {
		env = rec.env(env, fb == episode.FeedbackRandom)
	}
	cfg := episode.Config{Turns: req.MaxTurns, Feedback: fb, Rule: rule, Prefill: req.Prefill}
	e := &liveEpisode{set: set, maxTurns: req.MaxTurns, create: req,
		session: episode.NewSession(env, cfg, p, 0, uint64(req.Seed)),
		render:  renderOptions{closeAssistant: req.CloseAssistant, forceThink: req.ForceThink, omitBOS: req.OmitBOS}}
	resp := &EpisodeCreateResponse{Problem: p.ID, Benchmark: set.Name, MaxTurns: req.MaxTurns,
		Messages: messages(e.session.Messages()), Prefill: e.session.Prefill()}
	if req.Template != "" {
		e.tmpl, _ = chattemplate.Lookup(req.Template)
		text, err := e.promptText()
		if err != nil {
			return nil, nil, http.StatusUnprocessableEntity, err
		}
		resp.PromptText = &text
	}
	return e, resp, http.StatusOK, nil
}

// promptText renders the initial dialogue with the generation prompt and
// the prefill.
func (e *liveEpisode) promptText() (string, error) {
	var msgs []chattemplate.Message
	for _, m := range e.session.Messages() {
		msgs = append(msgs, chattemplate.Message{Role: m.Role, Content: m.Content})
	}
	if e.session.Prefill() != "" {
		msgs = msgs[:len(msgs)-1] // the prefill continues the generation prompt
	}
	text, err := e.tmpl.Render(msgs, chattemplate.Options{AddGenerationPrompt: true, OmitBOS: e.render.omitBOS, ForceThink: e.render.forceThink})
	if err != nil {
		return "", fmt.Errorf("render prompt: %w", err)
	}
	return text + e.session.Prefill(), nil
}

// feedbackText renders a feedback turn for appending after the model's
// turn: the user message and the next assistant header (and prefill).
func (e *liveEpisode) feedbackText(feedback string) (string, error) {
	text, err := e.tmpl.Continue([]chattemplate.Message{{Role: chattemplate.RoleUser, Content: feedback}},
		chattemplate.Options{AddGenerationPrompt: true, CloseAssistant: e.render.closeAssistant, ForceThink: e.render.forceThink})
	if err != nil {
		return "", fmt.Errorf("render feedback: %w", err)
	}
	return text + e.session.Prefill(), nil
}

func (s *Server) handleEpisodeStep(w http.ResponseWriter, r *http.Request) {
	req, ok := decodeBody(s, w, r, DecodeEpisodeStep)
	if !ok {
		return
	}
	var resp *EpisodeStepResponse
	err := s.episodes.step(r.Context(), r.PathValue("id"), func(e *liveEpisode) error {
		if e.session.Done() {
			return errEpisodeDone
		}
		t, err := s.judgeQ.acquire(r.Context(), true, nil)
		if err != nil {
			return err
		}
		turn, err := s.takeStep(r.Context(), e, req)
		t.release()
		if err != nil {
			return &stepError{http.StatusServiceUnavailable, err}
		}
		if resp, err = s.stepResponse(e, turn); err != nil {
			return &stepError{http.StatusInternalServerError, err}
		}
		resp.QueueWaitSeconds = t.Waited.Seconds()
		return nil
	})
	var se *stepError
	switch {
	case errors.Is(err, errEpisodeNotFound):
		writeDetail(w, http.StatusNotFound, "episode not found (it was deleted, idle for longer than the TTL, or finished long ago)")
	case errors.Is(err, errEpisodeBusy):
		writeDetail(w, http.StatusConflict, "a step of this episode is already in progress")
	case errors.Is(err, errEpisodeDone):
		writeDetail(w, http.StatusConflict, "episode already finished")
	case isBusy(err):
		writeBusy(w, err, s.judgeQ.retryAfter())
	case errors.As(err, &se):
		writeDetail(w, se.status, se.err.Error())
	case err != nil:
		writeDetail(w, http.StatusServiceUnavailable, err.Error())
	default:
		writeJSON(w, http.StatusOK, resp)
	}
}

var errEpisodeDone = errors.New("episode already finished")

// stepError is a step's failure with the HTTP status to answer.
type stepError struct {
	status int
	err    error
}

func (e *stepError) Error() string { return e.err.Error() }

// takeStep gives the policy's response to the episode. The error is
// non-nil only when there is no turn to report (a cancelled request);
// an infrastructure failure ends the episode and is reported in it.
func (s *Server) takeStep(ctx context.Context, e *liveEpisode, req *EpisodeStepRequest) (*episode.Turn, error) {
	text := cutAtEnd(req.AssistantText)
	reasoning, answer, truncated := llm.SplitReasoning(text)
	if e.session.Prefill() != "" && reasoning == "" && !truncated {
		// A continuation of the prefill: SplitReasoning trims, which would
		// take the indentation off its first line.
		answer = text
	}
	e.pending = req
	turn, err := e.session.Step(ctx, episode.Reply{Text: text, Answer: answer,
		Reasoning: reasoning, Truncated: req.Truncated || truncated})
	if err != nil && !errors.Is(err, episode.ErrInfra) {
		return nil, err
	}
	return turn, nil
}

// stepResponse describes a step just taken.
func (s *Server) stepResponse(e *liveEpisode, turn *episode.Turn) (*EpisodeStepResponse, error) {
	resp := &EpisodeStepResponse{EpisodeID: e.id, Turn: turn.Index, Done: e.session.Done(),
		Verdict: string(turn.Verdict), Public: summarize(turn.Public), PublicPassed: turn.Verdict == verdict.Accepted,
		Feedback: turn.Feedback, TurnReward: Float(turn.Reward), Code: turn.Code, Rule: turn.Rule}
	s.m.steps.WithLabelValues(string(turn.Verdict)).Inc()
	ep := e.session.Episode()
	switch {
	case ep.Infra != "":
		resp.InfraError = ep.Infra
		resp.Feedback = ""
		s.m.episodes.WithLabelValues("infra").Inc()
	case resp.Done:
		resp.FinalReward, resp.Return = floatPtr(ep.Reward), floatPtr(ep.Return)
		resp.Passed = ep.Passed
		resp.Final = finalSummaries(ep)
		s.m.episodes.WithLabelValues("finished").Inc()
		if ep.Passed {
			s.m.episodes.WithLabelValues("passed").Inc()
		}
	case e.tmpl != nil:
		text, err := e.feedbackText(turn.Feedback)
		if err != nil {
			return nil, err
		}
		resp.FeedbackText = &text
	}
	return resp, nil
}

func (s *Server) handleEpisodeGet(w http.ResponseWriter, r *http.Request) {
	var st EpisodeState
	err := s.episodes.view(r.Context(), r.PathValue("id"), func(e *liveEpisode, idle time.Duration) error {
		st = e.state(idle)
		return nil
	})
	switch {
	case errors.Is(err, errEpisodeNotFound):
		writeDetail(w, http.StatusNotFound, "episode not found")
	case errors.Is(err, errEpisodeBusy):
		writeDetail(w, http.StatusConflict, "a step of this episode is in progress")
	case err != nil:
		writeDetail(w, http.StatusServiceUnavailable, err.Error())
	default:
		writeJSON(w, http.StatusOK, st)
	}
}

// state describes the episode for GET.
func (e *liveEpisode) state(idle time.Duration) EpisodeState {
	ep := e.session.Episode()
	st := EpisodeState{EpisodeID: e.id, Problem: ep.Problem, Benchmark: e.set.Name, MaxTurns: e.maxTurns,
		Turn: e.session.Turn(), Done: e.session.Done(), Passed: ep.Passed, InfraError: ep.Infra,
		Messages: messages(e.session.Messages()), Turns: []TurnSummary{}, Final: finalSummaries(ep),
		IdleSeconds: idle.Seconds()}
	for _, t := range ep.Turns {
		st.Turns = append(st.Turns, TurnSummary{Turn: t.Index, Verdict: string(t.Verdict), Reward: Float(t.Reward),
			Code: t.Code, Rule: t.Rule, Feedback: t.Feedback})
	}
	if st.Done && ep.Infra == "" {
		st.FinalReward, st.Return = floatPtr(ep.Reward), floatPtr(ep.Return)
	}
	return st
}

func (s *Server) handleEpisodeDelete(w http.ResponseWriter, r *http.Request) {
	ok, err := s.episodes.remove(r.Context(), r.PathValue("id"))
	switch {
	case err != nil:
		writeDetail(w, http.StatusServiceUnavailable, err.Error())
	case !ok:
		writeDetail(w, http.StatusNotFound, "episode not found")
	default:
		writeJSON(w, http.StatusOK, map[string]bool{"deleted": true})
	}
}
