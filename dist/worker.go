package dist

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/rlef/rlef/judge"
	"github.com/rlef/rlef/sandbox"
	"github.com/rlef/rlef/verdict"
)

// WorkerConfig configures a Worker.
type WorkerConfig struct {
	// Executor runs the jobs (required).
	Executor Executor
	// Concurrency is the jobs taken at once (default twice the slots,
	// which keeps the slots busy while results travel).
	Concurrency int
	// Name prefixes the worker's id (default the host name).
	Name string
	// Grace bounds how long a stopping worker finishes the jobs it holds
	// (default 1 min); jobs still running then go back to the queue.
	Grace time.Duration
	// MaxProblems bounds the problems kept in memory (default 4096).
	MaxProblems int
	Logger      *slog.Logger
}

// Worker takes jobs from the queue and runs them on its Executor.
type Worker struct {
	c    *Cluster
	cfg  WorkerConfig
	ex   Executor
	id   string
	log  *slog.Logger
	prob *problemCache
	caps *capacity

	busy                                          atomic.Int64
	done, dups, failed, infra, deferred, consecFl atomic.Int64
	pausedUntil                                   atomic.Int64 // unix nanoseconds
	rate                                          rateWindow
	started                                       time.Time

	mu      sync.Mutex
	running map[string]context.CancelFunc // by job id
	cancels map[string]time.Time          // jobs nobody waits for
}

var unsafeKey = regexp.MustCompile(`[^A-Za-z0-9_-]+`)

// NewWorker prepares a worker on cluster c.
func NewWorker(c *Cluster, cfg WorkerConfig) (*Worker, error) {
	if cfg.Executor == nil {
		return nil, errors.New("dist: worker without an executor")
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 2 * max(1, cfg.Executor.Slots())
	}
	if cfg.Name == "" {
		cfg.Name, _ = os.Hostname()
	}
	if cfg.Grace <= 0 {
		cfg.Grace = time.Minute
	}
	if cfg.MaxProblems <= 0 {
		cfg.MaxProblems = 4096
	}
	var b [3]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, err
	}
	name := strings.Trim(unsafeKey.ReplaceAllString(cfg.Name, "-"), "-")
	if name == "" {
		name = "worker"
	}
	id := fmt.Sprintf("%s-%d-%s", name, os.Getpid(), hex.EncodeToString(b[:]))
	return &Worker{c: c, cfg: cfg, ex: cfg.Executor, id: id, log: logger(cfg.Logger).With("worker", id),
		prob: newProblemCache(c, cfg.MaxProblems), started: time.Now(),
		running: map[string]context.CancelFunc{}, cancels: map[string]time.Time{}}, nil
}

// ID identifies the worker.
func (w *Worker) ID() string { return w.id }

// Run serves jobs until ctx ends, then finishes the jobs it holds (within
// the grace period) and leaves.
func (w *Worker) Run(ctx context.Context) error {
	stop := make(chan struct{})
	defer close(stop)
	var err error
	if w.caps, err = watchCapacity(ctx, w.c, stop); err != nil {
		return err
	}
	sub, err := w.c.nc.Subscribe(SubjectCancel, func(m *nats.Msg) { w.cancel(string(m.Data)) })
	if err != nil {
		return fmt.Errorf("subscribe to cancellations: %w", err)
	}
	defer func() { _ = sub.Unsubscribe() }()
	if err := w.beat(ctx); err != nil {
		return fmt.Errorf("first heartbeat: %w", err)
	}
	jobCtx, cancelJobs := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelJobs()
	var loops sync.WaitGroup
	for range w.cfg.Concurrency {
		loops.Add(1)
		go func() {
			defer loops.Done()
			w.loop(ctx, jobCtx)
		}()
	}
	beats := make(chan struct{})
	go func() {
		defer close(beats)
		w.heartbeats(ctx)
	}()
	<-ctx.Done()
	finished := make(chan struct{})
	go func() { loops.Wait(); close(finished) }()
	select {
	case <-finished:
	case <-time.After(w.cfg.Grace):
		w.log.Warn("dist: grace period over; jobs still running go back to the queue", "jobs", w.busy.Load())
		cancelJobs()
		<-finished
	}
	<-beats
	dctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = w.c.workers.Delete(dctx, w.id)
	return nil
}

// loop takes one job at a time while ctx lasts.
func (w *Worker) loop(ctx, jobCtx context.Context) {
	for ctx.Err() == nil {
		if until := time.Unix(0, w.pausedUntil.Load()); time.Now().Before(until) {
			select {
			case <-time.After(time.Until(until)):
			case <-ctx.Done():
				return
			}
			continue
		}
		fctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		msg, err := w.c.consumer.Next(jetstream.FetchContext(fctx))
		cancel()
		if err != nil {
			if ctx.Err() == nil && !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, jetstream.ErrNoMessages) {
				w.log.Debug("dist: fetch failed", "err", err)
				select {
				case <-time.After(250 * time.Millisecond):
				case <-ctx.Done():
				}
			}
			continue
		}
		w.handle(jobCtx, msg)
	}
}

// attemptRecord is what is known of a job's earlier attempts.
type attemptRecord struct {
	// Failures describe failed attempts ("worker: reason"); Workers are
	// the workers that failed it.
	Failures []string `json:"failures,omitempty"`
	Workers  []string `json:"workers,omitempty"`
	// Deferrals count deliveries handed back without an attempt.
	Deferrals int `json:"deferrals,omitempty"`
}

// maxDeferrals bounds how often a job is handed back by workers that
// failed it before, waiting for another worker.
const maxDeferrals = 8

// handle runs one delivered job: it is answered exactly once (the result
// bucket refuses a second answer), retried on another worker after a
// sandbox failure, and answered with an infrastructure failure once
// MaxAttempts attempts have failed (a worker that died holding the job
// counts).
func (w *Worker) handle(ctx context.Context, msg jetstream.Msg) {
	id := msg.Headers().Get(headerJob)
	kind := strings.TrimPrefix(msg.Subject(), SubjectJobs+".")
	meta, err := msg.Metadata()
	if id == "" || err != nil {
		w.log.Error("dist: a job without an id or metadata; dropped", "subject", msg.Subject(), "err", err)
		_ = msg.Term()
		return
	}
	if w.isCancelled(id) {
		_ = msg.Ack()
		return
	}
	attempt, rec, rev, handled := w.redelivered(ctx, msg, id, kind, int(meta.NumDelivered))
	if handled {
		return
	}
	w.busy.Add(1)
	defer w.busy.Add(-1)
	jctx, cancel := context.WithCancel(ctx)
	defer cancel()
	if !w.track(id, cancel) {
		_ = msg.Ack()
		return
	}
	defer w.untrack(id)
	stopProgress := w.progress(msg)
	res, infra := w.run(jctx, kind, msg.Data())
	stopProgress()
	w.settle(ctx, jctx, msg, id, attempt, rec, rev, res, infra)
}

// redelivered deals with a job delivered before: acknowledged if it was
// answered already, answered with an infrastructure failure once its
// attempts are used up, handed on if this worker failed it before. It
// returns the attempt this delivery is, and handled when nothing is left
// to do.
func (w *Worker) redelivered(ctx context.Context, msg jetstream.Msg, id, kind string, delivered int) (attempt int, rec attemptRecord, rev uint64, handled bool) {
	if delivered <= 1 {
		return 1, rec, 0, false
	}
	if _, err := w.c.results.Get(ctx, id); err == nil {
		_ = msg.Ack() // answered already; the acknowledgement was lost
		return 0, rec, 0, true
	}
	rec, rev = w.loadAttempts(ctx, id)
	tried := delivered - 1 - rec.Deferrals
	if tried >= w.c.cfg.MaxAttempts {
		w.giveUp(ctx, msg, id, kind, rec, tried)
		return 0, rec, rev, true
	}
	if w.shouldDefer(rec) {
		rec.Deferrals++
		w.saveAttempts(ctx, id, rec, rev)
		w.deferred.Add(1)
		_ = msg.NakWithDelay(200 * time.Millisecond)
		return 0, rec, rev, true
	}
	return tried + 1, rec, rev, false
}

// settle ends an attempt: the answer recorded and the job acknowledged,
// or the job handed back (the worker is stopping) or put back for another
// attempt (an infrastructure failure with attempts left).
func (w *Worker) settle(ctx, jctx context.Context, msg jetstream.Msg, id string, attempt int, rec attemptRecord, rev uint64, res *result, infra string) {
	switch {
	case jctx.Err() != nil && w.isCancelled(id):
		_ = msg.Ack() // nobody waits for it
		return
	case jctx.Err() != nil:
		// The worker is stopping: hand the job back without counting an
		// attempt.
		rec.Deferrals++
		w.saveAttempts(context.WithoutCancel(ctx), id, rec, rev)
		_ = msg.Nak()
		return
	case infra != "" && attempt < w.c.cfg.MaxAttempts:
		rec.Failures = append(rec.Failures, w.id+": "+infra)
		rec.Workers = append(rec.Workers, w.id)
		w.saveAttempts(ctx, id, rec, rev)
		w.failed.Add(1)
		w.sandboxFailed()
		w.log.Warn("dist: attempt failed for infrastructure reasons; the job goes back to the queue", "job", id, "attempt", attempt, "why", infra)
		_ = msg.NakWithDelay(100 * time.Millisecond)
		return
	case infra != "":
		res.Infra = fmt.Sprintf("%d attempts failed: %s", attempt, strings.Join(append(rec.Failures, w.id+": "+infra), "; "))
		w.failed.Add(1)
		w.infra.Add(1)
		w.sandboxFailed()
	default:
		w.consecFl.Store(0)
	}
	res.Attempt, res.Failures = attempt, rec.Failures
	w.answer(ctx, msg, id, res)
}

// shouldDefer: this worker failed the job before and another worker is
// alive to take it.
func (w *Worker) shouldDefer(rec attemptRecord) bool {
	if rec.Deferrals >= maxDeferrals {
		return false
	}
	failedHere := false
	for _, id := range rec.Workers {
		failedHere = failedHere || id == w.id
	}
	return failedHere && w.caps.others(w.id) > 0
}

// giveUp answers a job whose attempts all failed without an answer.
func (w *Worker) giveUp(ctx context.Context, msg jetstream.Msg, id, kind string, rec attemptRecord, tried int) {
	why := rec.Failures
	if died := tried - len(rec.Failures); died > 0 {
		why = append(why, fmt.Sprintf("%d attempts ended without an answer (the worker stopped or died)", died))
	}
	res := &result{Kind: kind, Worker: w.id, Attempt: tried, Failures: rec.Failures, ErrKind: errInfra,
		Infra: fmt.Sprintf("%d attempts failed: %s", tried, strings.Join(why, "; "))}
	res.Err = res.Infra
	if kind == KindJudge {
		var job judgeJob
		if err := w.decode(ctx, msg.Data(), &job); err == nil {
			if p, err := w.prob.get(ctx, job.Problem); err == nil {
				res.ErrKind, res.Err = "", ""
				res.Judge = toWire(infraResult(p, job.Suites))
			}
		}
	}
	w.infra.Add(1)
	w.log.Warn("dist: job answered with an infrastructure failure", "job", id, "why", res.Infra)
	w.answer(ctx, msg, id, res)
}

// answer records the job's result, once, and acknowledges the job. A
// result recorded first by another worker wins; this one is dropped.
func (w *Worker) answer(ctx context.Context, msg jetstream.Msg, id string, res *result) {
	res.Worker = w.id
	data, err := pack(res)
	if err == nil {
		data, err = w.c.spill(ctx, data, int(w.c.nc.MaxPayload())-4096)
	}
	if err != nil {
		w.log.Error("dist: cannot encode a result", "job", id, "err", err)
		res = &result{Kind: res.Kind, Worker: w.id, Attempt: res.Attempt, ErrKind: errOther, Err: "encode result: " + err.Error()}
		data, _ = pack(res)
	}
	wait := 50 * time.Millisecond
	for {
		tctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		_, err := w.c.results.Create(tctx, id, data)
		cancel()
		switch {
		case err == nil:
			w.done.Add(1)
			w.rate.add(time.Now())
		case errors.Is(err, jetstream.ErrKeyExists):
			w.dups.Add(1)
		case ctx.Err() != nil:
			return // not acknowledged: the job comes back
		default:
			w.log.Warn("dist: recording a result failed; trying again", "job", id, "err", err)
			select {
			case <-time.After(wait):
			case <-ctx.Done():
			}
			wait = min(2*wait, 2*time.Second)
			continue
		}
		_ = msg.Ack()
		return
	}
}

// progress tells JetStream the job is alive until the returned function
// is called.
func (w *Worker) progress(msg jetstream.Msg) func() {
	every := max(w.c.cfg.AckWait/3, 100*time.Millisecond)
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				_ = msg.InProgress()
			}
		}
	}()
	return func() { close(stop); <-done }
}

// sandboxFailed pauses a worker whose sandbox keeps failing: after three
// failures in a row it takes no job for 2 s, doubling up to a minute.
func (w *Worker) sandboxFailed() {
	n := w.consecFl.Add(1)
	if n < 3 {
		return
	}
	pause := min(time.Duration(1<<min(n-2, 5))*time.Second, time.Minute)
	w.pausedUntil.Store(time.Now().Add(pause).UnixNano())
	w.log.Warn("dist: the sandbox keeps failing; taking no jobs for a while", "failures_in_a_row", n, "pause", pause)
}

func (w *Worker) loadAttempts(ctx context.Context, id string) (attemptRecord, uint64) {
	var rec attemptRecord
	e, err := w.c.attempts.Get(ctx, id)
	if err != nil {
		return rec, 0
	}
	if json.Unmarshal(e.Value(), &rec) != nil {
		return attemptRecord{}, e.Revision()
	}
	return rec, e.Revision()
}

// saveAttempts records a job's attempts. Only the worker holding the job
// writes, so a conflict means a worker that was presumed dead wrote late;
// the newer record is kept.
func (w *Worker) saveAttempts(ctx context.Context, id string, rec attemptRecord, rev uint64) {
	data, _ := json.Marshal(rec)
	var err error
	if rev == 0 {
		_, err = w.c.attempts.Create(ctx, id, data)
	} else {
		_, err = w.c.attempts.Update(ctx, id, data, rev)
	}
	if err != nil {
		w.log.Debug("dist: recording attempts failed", "job", id, "err", err)
	}
}

// run decodes and runs a job. infra is set when the attempt failed for
// infrastructure reasons (and another attempt may succeed).
func (w *Worker) run(ctx context.Context, kind string, data []byte) (res *result, infra string) {
	res = &result{Kind: kind}
	fail := func(err error) (*result, string) {
		res.ErrKind, res.Err = errorKind(err), err.Error()
		if res.ErrKind == errInfra {
			return res, err.Error()
		}
		return res, ""
	}
	switch kind {
	case KindJudge:
		var job judgeJob
		if err := w.decode(ctx, data, &job); err != nil {
			return fail(err)
		}
		p, err := w.prob.get(ctx, job.Problem)
		if err != nil {
			return fail(&sandbox.InfraError{Err: err})
		}
		r, err := w.ex.Judge(ctx, job.Options, p, job.Submission, job.Suites...)
		if err != nil {
			return fail(err)
		}
		res.Judge = toWire(r)
		if r.SandboxFailed() {
			return res, sandboxFailure(r)
		}
	case KindRun:
		var req RunRequest
		if err := w.decode(ctx, data, &req); err != nil {
			return fail(err)
		}
		ex, err := w.ex.Execute(ctx, req)
		if err != nil {
			return fail(err)
		}
		res.Run = ex
	case KindParse:
		var job parseJob
		if err := w.decode(ctx, data, &job); err != nil {
			return fail(err)
		}
		code, err := w.ex.Parse(ctx, job.Text)
		if err != nil {
			return fail(err)
		}
		res.Parse = &code
	default:
		return fail(fmt.Errorf("unknown job kind %q", kind))
	}
	return res, ""
}

// sandboxFailure describes a judgement's sandbox_error.
func sandboxFailure(r *judge.Result) string {
	for _, s := range r.Suites {
		if s.Verdict != verdict.SandboxError {
			continue
		}
		for _, t := range s.Tests {
			if t.Verdict == verdict.SandboxError && t.Message != "" {
				return fmt.Sprintf("sandbox error in suite %s: %s", s.Name, t.Message)
			}
		}
		return "sandbox error in suite " + s.Name
	}
	return "sandbox error"
}

func (w *Worker) decode(ctx context.Context, data []byte, v any) error {
	body, _, err := w.c.fetchBlob(ctx, data)
	if err != nil {
		return err
	}
	return unpack(body, v)
}

// track registers a running job; false if it was cancelled already.
func (w *Worker) track(id string, cancel context.CancelFunc) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, ok := w.cancels[id]; ok {
		return false
	}
	w.running[id] = cancel
	return true
}

func (w *Worker) untrack(id string) {
	w.mu.Lock()
	delete(w.running, id)
	w.mu.Unlock()
}

// cancel stops a job nobody waits for any more.
func (w *Worker) cancel(id string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	now := time.Now()
	if len(w.cancels) > 100_000 {
		for k, t := range w.cancels {
			if now.Sub(t) > 10*time.Minute {
				delete(w.cancels, k)
			}
		}
	}
	w.cancels[id] = now
	if c, ok := w.running[id]; ok {
		c()
	}
}

func (w *Worker) isCancelled(id string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	_, ok := w.cancels[id]
	return ok
}

// heartbeats renews the worker's heartbeat until ctx ends.
func (w *Worker) heartbeats(ctx context.Context) {
	t := time.NewTicker(heartbeatEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := w.beat(ctx); err != nil && ctx.Err() == nil {
				w.log.Debug("dist: heartbeat failed", "err", err)
			}
		}
	}
}

// Info is the worker's current heartbeat.
func (w *Worker) Info() WorkerInfo {
	host, _ := os.Hostname()
	info := WorkerInfo{ID: w.id, Host: host, PID: os.Getpid(), Isolation: w.ex.Isolation(), Slots: w.ex.Slots(),
		Concurrency: w.cfg.Concurrency, Busy: int(w.busy.Load()), Done: w.done.Load(), Duplicates: w.dups.Load(),
		Failed: w.failed.Load(), Infra: w.infra.Load(), Deferred: w.deferred.Load(), Rate: w.rate.rate(time.Now()),
		Started: w.started}
	if until := time.Unix(0, w.pausedUntil.Load()); time.Now().Before(until) {
		info.PausedUntil = until
	}
	return info
}

func (w *Worker) beat(ctx context.Context) error {
	data, err := json.Marshal(w.Info())
	if err != nil {
		return err
	}
	tctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	_, err = w.c.workers.Put(tctx, w.id, data)
	return err
}
