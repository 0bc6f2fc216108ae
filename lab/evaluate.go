package lab

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"

	"github.com/rlef/rlef/episode"
	"github.com/rlef/rlef/eval"
	"github.com/rlef/rlef/llm"
	"github.com/rlef/rlef/metrics"
	"github.com/rlef/rlef/report"
	"github.com/rlef/rlef/store"
	"github.com/rlef/rlef/train"
)

// evalDir is where one evaluation run lives: an ordinary rlef run
// directory, so `rlef report` and `rlef compare` read it unchanged.
func (l *lab) evalDir(tag string, fb episode.FeedbackMode) string {
	return l.path(filepath.Join("eval", tag+"-"+string(fb)))
}

// evaluate plays the held-out problems with a checkpoint's policy under
// each feedback mode, through the same runner as `rlef eval`.
func (l *lab) evaluate(ctx context.Context, tag, ckpt string) error {
	lm, err := train.LoadPolicy(l.path(ckpt))
	if err != nil {
		return err
	}
	runs := map[episode.FeedbackMode][]metrics.Rollout{}
	for _, fb := range feedbackModes {
		rs, err := l.evalRun(ctx, lm, tag, ckpt, fb)
		if err != nil {
			return fmt.Errorf("%s, feedback %s: %w", tag, fb, err)
		}
		runs[fb] = rs
	}
	ev, err := analyse(tag, runs, l.o.Seed)
	if err != nil {
		return err
	}
	for _, fb := range feedbackModes {
		ev.Dirs = append(ev.Dirs, l.evalDir(tag, fb))
	}
	l.summary.Evaluations = append(l.summary.Evaluations, *ev)
	l.printf("lab: %s RL: multi-turn 1@3 %.1f%%, single-turn 1@3 %.1f%% (p = %.3g), random feedback %.1f%%, no feedback %.1f%%\n",
		tag, 100*ev.MT.Value, 100*ev.ST.Value, ev.MTvsST.PValue, 100*ev.Random.Value, 100*ev.None.Value)
	return nil
}

func (l *lab) evalRun(ctx context.Context, lm *train.LM, tag, ckpt string, fb episode.FeedbackMode) ([]metrics.Rollout, error) {
	dir := l.evalDir(tag, fb)
	st, err := store.OpenRun(ctx, dir, true)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	s := l.p.EvalSampling
	info := store.RunInfo{
		Benchmark: l.evalSet.Name, DataVersion: l.evalSet.Version, Model: "lab-" + tag + "-rl",
		BaseURL: "checkpoint:" + ckpt, API: string(llm.APIChat), Profile: "generic",
		Temperature: &s.Temperature, TopP: &s.TopP, MaxTokens: s.MaxTokens,
		Turns: l.p.Turns, Samples: l.p.EvalSamples, Feedback: string(fb), Extraction: string(episode.LastFence),
		Seed: int64(l.o.Seed), Language: "python", Version: Version,
	}
	for _, p := range l.evalSet.Problems {
		info.Problems = append(info.Problems, p.ID)
	}
	runner := &episode.Runner{
		Client: &train.Client{Policy: lm}, Env: l.env(l.evalSet, l.o.Judge), Seed: int64(l.o.Seed),
		Config:  episode.Config{Turns: l.p.Turns, Feedback: fb},
		Request: llm.Request{API: llm.APIChat, Temperature: info.Temperature, TopP: info.TopP, MaxTokens: s.MaxTokens},
	}
	opts := eval.Options{Store: st, Info: info, Problems: l.evalSet.Problems, Runner: runner,
		Concurrency: 4 * runtime.GOMAXPROCS(0), Progress: l.o.Progress, Logger: l.log}
	if _, err := eval.Run(ctx, opts); err != nil {
		return nil, err
	}
	if err := eval.ExportTurns(ctx, st, dir); err != nil {
		return nil, err
	}
	if err := report.WriteSummary(ctx, st, filepath.Join(dir, "summary.json")); err != nil {
		return nil, err
	}
	eps, err := st.Episodes(ctx)
	if err != nil {
		return nil, err
	}
	rs, _ := report.Rollouts(eps)
	return rs, nil
}

// Version is recorded in the lab's evaluation runs.
const Version = "lab-1"
