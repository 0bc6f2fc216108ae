package dist

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/rlef/rlef/dataset"
	"github.com/rlef/rlef/episode"
	"github.com/rlef/rlef/judge"
	"github.com/rlef/rlef/sandbox"
	"github.com/rlef/rlef/verdict"
)

// ErrBusy is returned when the queue is full: the job was refused on
// arrival and nothing was run. A job that was accepted is never refused
// later; it is answered however long that takes.
var ErrBusy = errors.New("job queue full")

// jobStreamStoreFailed is JetStream's error code for a message a stream
// refused to store (a full queue with DiscardNew).
const jobStreamStoreFailed = 10077

// ClientOptions configure a Client.
type ClientOptions struct {
	// Judge are the judge's options for every judging this client sends
	// (the workers' judges use them; CacheDir and Logger stay local).
	Judge judge.Options
	// Logger receives diagnostics (default slog.Default()).
	Logger *slog.Logger
}

// Client sends jobs to the workers and waits for their results. It
// implements episode.Judger (Judge), judges batches like judge.Judge
// (Batch) and runs programs (Execute, Exec, Parse). It is safe for
// concurrent use.
type Client struct {
	c    *Cluster
	opts judge.Options
	log  *slog.Logger
	id   string
	seq  atomic.Uint64
	up   *uploader
	caps *capacity

	mu      sync.Mutex
	pending map[string]*waiter

	stop chan struct{}
	done sync.WaitGroup
}

// waiter is a job waiting for its result.
type waiter struct {
	ch    chan []byte // the recorded payload, once
	since time.Time
	blob  string // the job's payload blob, deleted after the answer
}

// NewClient starts a client: it watches for its own results and for the
// workers' heartbeats (for Capacity).
func NewClient(ctx context.Context, c *Cluster, opts ClientOptions) (*Client, error) {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, err
	}
	jo := opts.Judge
	jo.Logger, jo.CacheDir = nil, ""
	cl := &Client{c: c, opts: jo, log: opts.Logger, id: "c" + hex.EncodeToString(b[:]), up: newUploader(c),
		pending: map[string]*waiter{}, stop: make(chan struct{})}
	w, err := c.results.Watch(context.WithoutCancel(ctx), cl.id+".*", jetstream.UpdatesOnly())
	if err != nil {
		return nil, fmt.Errorf("watch results: %w", err)
	}
	if cl.caps, err = watchCapacity(ctx, c, cl.stop); err != nil {
		_ = w.Stop()
		return nil, err
	}
	cl.done.Add(2)
	go cl.receive(w)
	go cl.sweep()
	return cl, nil
}

// afterReconnect is how long after a reconnection the results of every
// waiting job are looked up (the watcher may have missed some meanwhile).
const afterReconnect = time.Second

// Close stops the client. Jobs still waiting return their context's
// error when it ends.
func (cl *Client) Close() {
	select {
	case <-cl.stop:
	default:
		close(cl.stop)
	}
	cl.done.Wait()
}

// ID identifies the client (its jobs' ids start with it).
func (cl *Client) ID() string { return cl.id }

// Capacity is the number of jobs the live workers take at once (0 when
// none is alive).
func (cl *Client) Capacity() int { return cl.caps.total() }

// receive delivers results as they are recorded.
func (cl *Client) receive(w jetstream.KeyWatcher) {
	defer cl.done.Done()
	defer func() { _ = w.Stop() }()
	for {
		select {
		case <-cl.stop:
			return
		case e, ok := <-w.Updates():
			if !ok {
				cl.log.Warn("dist: results watcher stopped; falling back to polling")
				<-cl.stop
				return
			}
			if e == nil || e.Operation() != jetstream.KeyValuePut {
				continue
			}
			cl.deliver(e.Key(), e.Value())
		}
	}
}

// deliver hands a result to its waiter, once; later copies are dropped.
func (cl *Client) deliver(id string, data []byte) {
	cl.mu.Lock()
	w, ok := cl.pending[id]
	delete(cl.pending, id)
	cl.mu.Unlock()
	if ok {
		w.ch <- data
	}
}

// sweep looks up results of jobs that have waited a while, and of every
// waiting job soon after a reconnection, in case a result was recorded
// while the watcher was away.
func (cl *Client) sweep() {
	defer cl.done.Done()
	reconnected := cl.c.nc.StatusChanged(nats.CONNECTED)
	defer cl.c.nc.RemoveStatusListener(reconnected)
	t := time.NewTicker(sweepEvery)
	defer t.Stop()
	for {
		age := sweepEvery
		select {
		case <-cl.stop:
			return
		case <-t.C:
		case <-reconnected:
			select {
			case <-time.After(afterReconnect):
			case <-cl.stop:
				return
			}
			age = 0
		}
		cl.lookUp(age)
	}
}

// lookUp fetches the results of jobs waiting longer than age.
func (cl *Client) lookUp(age time.Duration) {
	var ids []string
	cl.mu.Lock()
	for id, w := range cl.pending {
		if time.Since(w.since) >= age {
			ids = append(ids, id)
		}
	}
	cl.mu.Unlock()
	for _, id := range ids {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		e, err := cl.c.results.Get(ctx, id)
		cancel()
		if err == nil {
			cl.deliver(id, e.Value())
		}
	}
}

// sweepEvery is how often results of waiting jobs are looked up.
const sweepEvery = 5 * time.Second

// submit sends a job and waits for its result. The job is refused only
// on arrival (ErrBusy); once accepted, it is waited for until ctx ends.
func (cl *Client) submit(ctx context.Context, kind string, body any) (*result, error) {
	data, err := pack(body)
	if err != nil {
		return nil, err
	}
	max := int(cl.c.nc.MaxPayload()) - 4096
	if data, err = cl.c.spill(ctx, data, max); err != nil {
		return nil, err
	}
	id := cl.id + "." + strconv.FormatUint(cl.seq.Add(1), 10)
	w := &waiter{ch: make(chan []byte, 1), since: time.Now()}
	if data[0] == tagBlob {
		w.blob = string(data[1:])
	}
	cl.mu.Lock()
	cl.pending[id] = w
	cl.mu.Unlock()
	if err := cl.publish(ctx, kind, id, data); err != nil {
		cl.forget(id)
		return nil, err
	}
	select {
	case payload := <-w.ch:
		return cl.open(ctx, id, w, payload)
	case <-ctx.Done():
		cl.forget(id)
		_ = cl.c.nc.Publish(SubjectCancel, []byte(id))
		return nil, ctx.Err()
	}
}

func (cl *Client) forget(id string) {
	cl.mu.Lock()
	delete(cl.pending, id)
	cl.mu.Unlock()
}

// publish stores the job in the queue, trying again (under the same id,
// which JetStream de-duplicates) while the server cannot be reached.
func (cl *Client) publish(ctx context.Context, kind, id string, data []byte) error {
	msg := &nats.Msg{Subject: SubjectJobs + "." + kind, Data: data, Header: nats.Header{}}
	msg.Header.Set(headerJob, id)
	wait := 20 * time.Millisecond
	for {
		tctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		_, err := cl.c.js.PublishMsg(tctx, msg, jetstream.WithMsgID(id), jetstream.WithExpectStream(StreamJobs))
		cancel()
		if err == nil {
			return nil
		}
		var apiErr *jetstream.APIError
		if errors.As(err, &apiErr) && apiErr.ErrorCode == jobStreamStoreFailed {
			return fmt.Errorf("%w: %s", ErrBusy, apiErr.Description)
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		cl.log.Warn("dist: publishing a job failed; trying again", "job", id, "err", err)
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return ctx.Err()
		}
		wait = min(2*wait, 2*time.Second)
	}
}

// headerJob carries the job's id.
const headerJob = "Rlef-Job"

// open decodes a result and deletes the job's and the result's blobs.
func (cl *Client) open(ctx context.Context, id string, w *waiter, payload []byte) (*result, error) {
	body, blob, err := cl.c.fetchBlob(ctx, payload)
	if err != nil {
		return nil, fmt.Errorf("job %s: %w", id, err)
	}
	for _, name := range []string{blob, w.blob} {
		if name != "" {
			_ = cl.c.objects.Delete(context.WithoutCancel(ctx), name)
		}
	}
	r, err := decodeResult(body)
	if err != nil {
		return nil, fmt.Errorf("job %s: %w", id, err)
	}
	if r.Infra != "" {
		cl.log.Warn("dist: job failed for infrastructure reasons", "job", id, "kind", r.Kind, "why", r.Infra, "attempts", r.Attempt)
	}
	return r, nil
}

// Judge judges sub on the workers, exactly as judge.Judge.Judge would
// here. Sandbox failures on every attempt come back as sandbox_error
// verdicts.
func (cl *Client) Judge(ctx context.Context, p *dataset.Problem, sub judge.Submission, suites ...judge.Suite) (*judge.Result, error) {
	if p == nil {
		return nil, errors.New("judge: nil problem")
	}
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("judge %s: %w", p.ID, err)
	}
	hash, err := cl.up.ensure(ctx, p)
	if err != nil {
		return nil, err
	}
	if len(suites) == 0 {
		suites = nil
	}
	r, err := cl.submit(ctx, KindJudge, &judgeJob{Problem: hash, Submission: sub, Suites: suites, Options: cl.opts})
	if err != nil {
		return nil, fmt.Errorf("judge %s: %w", p.ID, err)
	}
	if err := r.error(); err != nil {
		return nil, err
	}
	return fromWire(r.Judge)
}

// Batch judges tasks on the workers, calling done as each finishes, like
// judge.Judge.Batch; workers bounds the judgings in flight (0: four times
// the cluster's capacity, at least 256, so that workers joining later
// find work too).
func (cl *Client) Batch(ctx context.Context, tasks []judge.Task, workers int, done func(i int, r *judge.Result, err error) error) error {
	if workers <= 0 {
		workers = max(256, 4*cl.Capacity())
	}
	return batch(ctx, tasks, workers, cl.Judge, done)
}

// Execute compiles and runs a program on a worker. The error is non-nil
// only when there is no outcome: an invalid request (sandbox.ErrInvalid),
// a sandbox failure on every attempt (sandbox.InfraError), a refusal on
// arrival (ErrBusy) or ctx's end.
func (cl *Client) Execute(ctx context.Context, req RunRequest) (*Execution, error) {
	r, err := cl.submit(ctx, KindRun, &req)
	if err != nil {
		return nil, err
	}
	if err := r.error(); err != nil {
		return nil, err
	}
	if r.Run == nil {
		return nil, errors.New("run result without an execution")
	}
	return r.Run, nil
}

// Exec runs one program like sandbox.Pool.Exec: a program that did not
// compile gives its compile result.
func (cl *Client) Exec(ctx context.Context, lang sandbox.Language, source string, in sandbox.Input) (*sandbox.Result, error) {
	ex, err := cl.Execute(ctx, RunRequest{Language: lang, Code: source, Input: in})
	if err != nil {
		return nil, err
	}
	if ex.Run == nil {
		if ex.Compile == nil {
			return nil, errors.New("execution without results")
		}
		return ex.Compile, nil
	}
	return ex.Run, nil
}

// Parse extracts the longest parseable code on a worker (the
// longest_parseable extraction rule; see episode.SandboxParser).
func (cl *Client) Parse(ctx context.Context, text string) (string, error) {
	r, err := cl.submit(ctx, KindParse, &parseJob{Text: text})
	if err != nil {
		return "", err
	}
	if err := r.error(); err != nil {
		return "", err
	}
	if r.Parse == nil {
		return "", errors.New("parse result without code")
	}
	return *r.Parse, nil
}

// infraResult is the judgement of a job that had no verdict: every suite
// sandbox_error, no test run (what the judge reports when no test could
// run at all).
func infraResult(p *dataset.Problem, suites []judge.Suite) *judge.Result {
	if len(suites) == 0 {
		suites = []judge.Suite{judge.PublicSuite(nil), judge.PrivateSuite(nil)}
	}
	r := &judge.Result{ProblemID: p.ID}
	for _, s := range suites {
		name := s.Name
		if name == "" {
			name = s.Kind.String()
		}
		total := len(s.Indices)
		if s.Indices == nil {
			total = len(p.Public)
			if s.Kind == judge.Private {
				total = len(p.PrivateTests())
			}
		}
		r.Suites = append(r.Suites, judge.SuiteResult{Name: name, Verdict: verdict.SandboxError, Total: total})
	}
	return r
}

// Client judges for episodes (evaluation, the server's episode API).
var _ episode.Judger = (*Client)(nil)
