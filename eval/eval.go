// Package eval runs the RLEF protocol over a benchmark: N samples of every
// problem, each an episode of up to T turns (T = 1 is independent
// sampling), with many episodes in flight at once. Every finished episode
// is stored at once, so an interrupted run resumes where it stopped: the
// same command skips what is done and replays model responses from the
// store's cache instead of paying for them again. Infrastructure failures
// (model server down, sandbox errors) are recorded apart, never scored,
// and retried on resume.
package eval

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/rlef/rlef/dataset"
	"github.com/rlef/rlef/episode"
	"github.com/rlef/rlef/store"
)

// Options configures a run.
type Options struct {
	// Store is the run's store; Info describes the run (it is checked
	// against what the store already holds, and recorded).
	Store *store.Store
	Info  store.RunInfo
	// Problems are the problems in scope (Info.Problems lists their ids).
	Problems []*dataset.Problem
	// Runner plays one episode.
	Runner *episode.Runner
	// Concurrency is the number of episodes in flight (default
	// DefaultConcurrency): model requests are the slow part, judging
	// queues on the sandbox slots.
	Concurrency int
	// Progress receives a progress bar (nil: none).
	Progress io.Writer
	// Logger receives diagnostics (default slog.Default()).
	Logger *slog.Logger
}

// DefaultConcurrency is Options.Concurrency's default.
const DefaultConcurrency = 16

// Stats counts what a run did in this invocation and in total.
type Stats struct {
	Expected int `json:"expected"`
	// Done counts episodes recorded (before and during this invocation),
	// infrastructure failures included.
	Done   int `json:"done"`
	Passed int `json:"passed"`
	// Infra counts episodes that ended in an infrastructure failure.
	Infra int `json:"infra"`
	// Ran counts episodes played in this invocation, Skipped those already
	// done.
	Ran     int `json:"ran"`
	Skipped int `json:"skipped"`
	// Requests and tokens of this invocation (cache hits included in
	// Requests, counted apart in CachedRequests).
	Requests         int           `json:"requests"`
	CachedRequests   int           `json:"cached_requests"`
	CompletionTokens int           `json:"completion_tokens"`
	Elapsed          time.Duration `json:"elapsed_ns"`
}

// Run plays every episode not already recorded. It returns ctx.Err() when
// interrupted; what finished before is kept.
func Run(ctx context.Context, o Options) (*Stats, error) {
	if o.Concurrency <= 0 {
		o.Concurrency = DefaultConcurrency
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	info, err := reconcile(ctx, o.Store, o.Info)
	if err != nil {
		return nil, err
	}
	jobs, st, err := pending(ctx, &o, info.Samples)
	if err != nil {
		return nil, err
	}
	t := &tally{st: st, start: time.Now()}
	t.bar = newProgress(o.Progress, st.Expected, st.Done)
	var (
		next atomic.Int64
		wg   sync.WaitGroup
	)
	for w := 0; w < min(o.Concurrency, len(jobs)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(jobs) || ctx.Err() != nil || !t.play(ctx, &o, jobs[i]) {
					return
				}
			}
		}()
	}
	wg.Wait()
	st.Elapsed = time.Since(t.start)
	t.bar.finish()
	if t.err != nil {
		return st, t.err
	}
	if err := ctx.Err(); err != nil {
		return st, err
	}
	return st, markFinished(ctx, o.Store, info, st)
}

// job is one episode to play.
type job struct {
	p      *dataset.Problem
	sample int
}

// pending lists the episodes not yet recorded (sample by sample), and
// counts what is already done.
func pending(ctx context.Context, o *Options, samples int) ([]job, *Stats, error) {
	done, err := o.Store.Finished(ctx, false)
	if err != nil {
		return nil, nil, err
	}
	var jobs []job
	st := &Stats{Expected: len(o.Problems) * samples}
	for s := 0; s < samples; s++ {
		for _, p := range o.Problems {
			if done[store.Key{Problem: p.ID, Sample: s}] {
				st.Skipped++
				continue
			}
			jobs = append(jobs, job{p, s})
		}
	}
	total, infra, err := o.Store.Count(ctx)
	if err != nil {
		return nil, nil, err
	}
	st.Done = total - infra // infra ones are redone
	return jobs, st, nil
}

// tally collects what the workers of a run did.
type tally struct {
	mu    sync.Mutex
	st    *Stats
	err   error // every episode's failure, joined
	start time.Time
	bar   *progress
}

// play plays and records one episode; false stops the worker.
func (t *tally) play(ctx context.Context, o *Options, j job) bool {
	e, err := o.Runner.Run(ctx, j.p, j.sample)
	if err != nil {
		if ctx.Err() == nil {
			t.fail(fmt.Errorf("episode %s/%d: %w", j.p.ID, j.sample, err))
		}
		return false
	}
	if err := o.Store.PutEpisode(ctx, e); err != nil {
		t.fail(err)
		return false
	}
	if e.Infra != "" {
		o.Logger.Warn("infrastructure failure (not scored; retried on resume)", "problem", e.Problem, "sample", e.Sample, "error", e.Infra)
	}
	t.record(e)
	return true
}

func (t *tally) fail(err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.err = errors.Join(t.err, err)
}

// record counts a recorded episode and updates the progress bar.
func (t *tally) record(e *episode.Episode) {
	t.mu.Lock()
	defer t.mu.Unlock()
	st := t.st
	st.Ran++
	st.Done++
	if e.Infra != "" {
		st.Infra++
	} else if e.Passed {
		st.Passed++
	}
	for _, turn := range e.Turns {
		st.Requests++
		if turn.Cached {
			st.CachedRequests++
		} else {
			st.CompletionTokens += turn.CompletionTokens
		}
	}
	t.bar.update(st, time.Since(t.start))
}

// markFinished records the run as complete when every episode is recorded
// and none failed for infrastructure reasons.
func markFinished(ctx context.Context, s *store.Store, info *store.RunInfo, st *Stats) error {
	total, infra, err := s.Count(ctx)
	if err != nil {
		return err
	}
	st.Infra = infra
	if total == st.Expected && infra == 0 {
		info.FinishedAt = time.Now().UTC()
		return s.SetRunInfo(ctx, info)
	}
	return nil
}

// reconcile records the run's description, or checks that a resumed run
// is the same run.
func reconcile(ctx context.Context, st *store.Store, want store.RunInfo) (*store.RunInfo, error) {
	have, ok, err := st.RunInfo(ctx)
	if err != nil {
		return nil, err
	}
	if !ok {
		if want.CreatedAt.IsZero() {
			want.CreatedAt = time.Now().UTC()
		}
		want.FinishedAt = time.Time{}
		if err := st.SetRunInfo(ctx, &want); err != nil {
			return nil, err
		}
		return &want, nil
	}
	if diffs := Differences(have, &want); len(diffs) > 0 {
		return nil, fmt.Errorf("the run directory holds a different run (%s); use another --run directory", strings.Join(diffs, "; "))
	}
	return have, nil
}

// Differences lists the settings in which two runs differ, ignoring
// bookkeeping (times, versions).
func Differences(a, b *store.RunInfo) []string {
	var out []string
	check := func(name string, x, y any) {
		if !reflect.DeepEqual(x, y) {
			out = append(out, fmt.Sprintf("%s: %v vs %v", name, show(x), show(y)))
		}
	}
	check("benchmark", a.Benchmark, b.Benchmark)
	check("data version", a.DataVersion, b.DataVersion)
	check("problems", len(a.Problems), len(b.Problems))
	if len(a.Problems) == len(b.Problems) {
		check("problem ids", a.Problems, b.Problems)
	}
	check("model", a.Model, b.Model)
	check("base URL", a.BaseURL, b.BaseURL)
	check("API", a.API, b.API)
	check("profile", a.Profile, b.Profile)
	check("temperature", a.Temperature, b.Temperature)
	check("top-p", a.TopP, b.TopP)
	check("max tokens", a.MaxTokens, b.MaxTokens)
	check("turns", a.Turns, b.Turns)
	check("samples", a.Samples, b.Samples)
	check("feedback", a.Feedback, b.Feedback)
	check("extraction", a.Extraction, b.Extraction)
	check("prefill", a.Prefill, b.Prefill)
	check("seed", a.Seed, b.Seed)
	check("language", a.Language, b.Language)
	return out
}

func show(v any) any {
	switch x := v.(type) {
	case *float64:
		if x == nil {
			return "default"
		}
		return *x
	case []string:
		if len(x) > 3 {
			return fmt.Sprintf("%v... (%d)", x[:3], len(x))
		}
	}
	return v
}

// progress reports how a run goes: a bar with counts, ETA and throughput
// on a terminal, a plain line every tenth of the work (or 30 s) elsewhere,
// so logs stay readable.
type progress struct {
	bar       *progressbar.ProgressBar
	w         io.Writer
	total     int
	lastDone  int
	lastPrint time.Time
}

func newProgress(w io.Writer, total, done int) *progress {
	if w == nil {
		return &progress{}
	}
	p := &progress{w: w, total: total, lastDone: done, lastPrint: time.Now()}
	if f, ok := w.(*os.File); !ok || !term.IsTerminal(int(f.Fd())) {
		return p
	}
	p.bar = progressbar.NewOptions(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription("episodes"),
		progressbar.OptionShowCount(),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionThrottle(200*time.Millisecond),
		progressbar.OptionSetWidth(24),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(w) }),
	)
	_ = p.bar.Set(done)
	return p
}

func (p *progress) update(st *Stats, elapsed time.Duration) {
	tps := float64(st.CompletionTokens) / max(elapsed.Seconds(), 1e-9)
	switch {
	case p.bar != nil:
		p.bar.Describe(fmt.Sprintf("passed %d, infra %d, %.0f tok/s", st.Passed, st.Infra, tps))
		_ = p.bar.Set(st.Done)
	case p.w != nil:
		step := max(p.total/10, 1)
		if st.Done-p.lastDone >= step || time.Since(p.lastPrint) >= 30*time.Second || st.Done == p.total {
			fmt.Fprintf(p.w, "episodes %d/%d, passed %d, infra %d, %.0f tok/s, %s elapsed\n",
				st.Done, p.total, st.Passed, st.Infra, tps, elapsed.Round(time.Second))
			p.lastDone, p.lastPrint = st.Done, time.Now()
		}
	}
}

func (p *progress) finish() {
	if p.bar != nil {
		_ = p.bar.Finish()
	}
}
