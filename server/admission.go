package server

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"time"
)

// ErrQueueFull and ErrQueueBusy are the two ways admission refuses a job;
// both are answered at once with HTTP 504, before any work is done, so
// that the client may retry (verl retries 504, OpenRLHF any error).
// Admission never refuses a job that is already waiting.
var (
	ErrQueueFull = errors.New("admission queue full")
	ErrQueueBusy = errors.New("admission queue busy: the expected wait exceeds its bound")
)

// QueueConfig bounds one admission queue.
type QueueConfig struct {
	// Concurrency is how many jobs run at once.
	Concurrency int
	// MaxWaiting bounds the jobs waiting to start; more are refused at
	// once.
	MaxWaiting int
	// MaxWait bounds the wait a new job is expected to have: the jobs
	// ahead of it times the mean time recent jobs held a slot, divided by
	// Concurrency. A job expected to wait longer is refused at once. A job
	// that is admitted waits until it starts, however long that takes: it
	// is never answered 504 after it was queued (its response is kept
	// open meanwhile, see Config.KeepAlive).
	MaxWait time.Duration
	// Capacity, when set and Concurrency is not, gives the jobs that run
	// at once as it changes (the live workers of a cluster); while it is
	// 0, admitted jobs wait.
	Capacity func() int
}

// maxDynamic bounds the jobs a queue with a Capacity function runs at
// once.
const maxDynamic = 1 << 16

// serviceWeight is the weight of the newest job in the running mean of
// slot hold times.
const serviceWeight = 0.2

// admission lets at most Concurrency jobs run and keeps the others
// waiting, first come first served (waiters on a channel are served in
// arrival order). It refuses a new job only at arrival: when MaxWaiting
// jobs wait already, or when the job's expected wait exceeds MaxWait.
type admission struct {
	name    string
	cfg     QueueConfig
	tickets chan struct{}
	m       *metrics
	// capacity, when set, bounds len(tickets) as it changes; a release
	// closes wake so that waiters look again.
	capacity func() int
	wake     chan struct{}

	mu      sync.Mutex
	waiting int           // jobs admitted and waiting for a ticket
	service time.Duration // running mean of ticket hold times (0: none yet)
}

// ticket is a running job's right to a slot.
type ticket struct {
	a       *admission
	started time.Time
	// Waited is how long the job waited in the queue.
	Waited time.Duration
	once   sync.Once
}

func newAdmission(name string, cfg QueueConfig, m *metrics) *admission {
	var capacity func() int
	if cfg.Concurrency < 1 && cfg.Capacity != nil {
		capacity, cfg.Concurrency = cfg.Capacity, maxDynamic
	}
	if cfg.Concurrency < 1 {
		cfg.Concurrency = 1
	}
	if cfg.MaxWaiting < 0 {
		cfg.MaxWaiting = 0
	}
	if cfg.MaxWait <= 0 {
		cfg.MaxWait = time.Minute
	}
	a := &admission{name: name, cfg: cfg, tickets: make(chan struct{}, cfg.Concurrency), m: m,
		capacity: capacity, wake: make(chan struct{})}
	if capacity == nil {
		m.queueCapacity.WithLabelValues(name).Set(float64(cfg.Concurrency))
	}
	// Export every series from the start, so dashboards see zeros.
	m.queueDepth.WithLabelValues(name).Set(0)
	m.queueRunning.WithLabelValues(name).Set(0)
	m.queueService.WithLabelValues(name).Set(0)
	m.queueExpected.WithLabelValues(name).Set(0)
	m.queueRejected.WithLabelValues(name, "full").Add(0)
	m.queueRejected.WithLabelValues(name, "busy").Add(0)
	return a
}

// check decides whether a new job may queue now: nil, ErrQueueFull or
// ErrQueueBusy. A request of several jobs (a /get_reward batch) is
// checked once, and its jobs then acquire without admit.
func (a *admission) check() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.checkLocked()
}

func (a *admission) checkLocked() error {
	if len(a.tickets) < a.limit() {
		return nil // a slot is free (or about to be)
	}
	if a.waiting >= a.cfg.MaxWaiting {
		a.m.queueRejected.WithLabelValues(a.name, "full").Inc()
		return fmt.Errorf("%s: %w (%d waiting)", a.name, ErrQueueFull, a.waiting)
	}
	if wait := a.expectedLocked(); wait > a.cfg.MaxWait {
		a.m.queueRejected.WithLabelValues(a.name, "busy").Inc()
		return fmt.Errorf("%s: %w (about %s for %d waiting jobs; bound %s)", a.name, ErrQueueBusy,
			wait.Round(100*time.Millisecond), a.waiting, a.cfg.MaxWait)
	}
	return nil
}

// expectedLocked estimates how long a job arriving now waits to start,
// from the real throughput of the slots: the jobs ahead of it (and
// itself) times the mean hold time, shared by the slots.
func (a *admission) expectedLocked() time.Duration {
	return time.Duration(float64(a.waiting+1) * float64(a.service) / float64(max(1, a.limit())))
}

// limit is the number of jobs that may run now.
func (a *admission) limit() int {
	if a.capacity == nil {
		return a.cfg.Concurrency
	}
	n := min(max(a.capacity(), 0), a.cfg.Concurrency)
	a.m.queueCapacity.WithLabelValues(a.name).Set(float64(n))
	return n
}

// concurrency is the jobs that run at once now (at least 1).
func (a *admission) concurrency() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return max(1, a.limit())
}

// take takes a ticket if one is free now.
func (a *admission) take() bool {
	if a.capacity != nil {
		a.mu.Lock()
		defer a.mu.Unlock()
		if len(a.tickets) >= a.limit() {
			return false
		}
	}
	select {
	case a.tickets <- struct{}{}:
		return true
	default:
		return false
	}
}

// await waits for a ticket: in arrival order with a fixed concurrency;
// with a changing capacity, by looking again after each release and
// every 250 ms.
func (a *admission) await(ctx context.Context) error {
	if a.capacity == nil {
		select {
		case a.tickets <- struct{}{}:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	t := time.NewTicker(250 * time.Millisecond)
	defer t.Stop()
	for {
		a.mu.Lock()
		wake := a.wake
		a.mu.Unlock()
		if a.take() {
			return nil
		}
		select {
		case <-wake:
		case <-t.C:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// expected reports the current estimate for a new job.
func (a *admission) expected() time.Duration {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.expectedLocked()
}

// acquire waits for a ticket. With admit, the job is new and may be
// refused (see check); without, it belongs to a request admitted already
// and is never refused. Once waiting, a job waits until it gets a ticket
// or ctx ends; admitted, if not nil, is called as soon as the job is
// known to be admitted (before any wait). The returned ticket must be
// released exactly once.
func (a *admission) acquire(ctx context.Context, admit bool, admitted func()) (*ticket, error) {
	start := time.Now()
	if a.take() {
		if admitted != nil {
			admitted()
		}
		return a.started(start), nil
	}
	a.mu.Lock()
	if admit {
		if err := a.checkLocked(); err != nil {
			a.mu.Unlock()
			return nil, err
		}
	}
	a.waiting++
	a.m.queueDepth.WithLabelValues(a.name).Set(float64(a.waiting))
	a.m.queueExpected.WithLabelValues(a.name).Set(a.expectedLocked().Seconds())
	a.mu.Unlock()
	defer func() {
		a.mu.Lock()
		a.waiting--
		a.m.queueDepth.WithLabelValues(a.name).Set(float64(a.waiting))
		a.m.queueExpected.WithLabelValues(a.name).Set(a.expectedLocked().Seconds())
		a.mu.Unlock()
	}()
	if admitted != nil {
		admitted()
	}
	if err := a.await(ctx); err != nil {
		return nil, err
	}
	return a.started(start), nil
}

func (a *admission) started(arrived time.Time) *ticket {
	now := time.Now()
	t := &ticket{a: a, started: now, Waited: now.Sub(arrived)}
	a.m.queueRunning.WithLabelValues(a.name).Inc()
	a.m.queueWait.WithLabelValues(a.name).Observe(t.Waited.Seconds())
	return t
}

// release gives the slot back and records how long the job held it.
func (t *ticket) release() {
	t.once.Do(func() {
		a := t.a
		held := time.Since(t.started)
		a.mu.Lock()
		if a.service == 0 {
			a.service = held
		} else {
			a.service += time.Duration(serviceWeight * float64(held-a.service))
		}
		a.m.queueService.WithLabelValues(a.name).Set(a.service.Seconds())
		a.m.queueExpected.WithLabelValues(a.name).Set(a.expectedLocked().Seconds())
		<-a.tickets
		close(a.wake)
		a.wake = make(chan struct{})
		a.mu.Unlock()
		a.m.queueRunning.WithLabelValues(a.name).Dec()
	})
}

// waitingNow reports the jobs waiting to start.
func (a *admission) waitingNow() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.waiting
}

// isBusy reports whether err is an admission refusal (answered with 504).
func isBusy(err error) bool {
	return errors.Is(err, ErrQueueFull) || errors.Is(err, ErrQueueBusy)
}

// retryAfter is the Retry-After header for a refusal: the expected wait,
// in whole seconds, at least one.
func (a *admission) retryAfter() int {
	return max(1, int(math.Ceil(a.expected().Seconds())))
}
