package server

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"
)

// ErrQueueFull and ErrQueueTimeout are the two ways admission refuses a
// job; both are answered with HTTP 504.
var (
	ErrQueueFull    = errors.New("admission queue full")
	ErrQueueTimeout = errors.New("admission queue wait bound exceeded")
)

// QueueConfig bounds one admission queue.
type QueueConfig struct {
	// Concurrency is how many jobs run at once.
	Concurrency int
	// MaxWaiting bounds the jobs waiting to start; more are refused at
	// once.
	MaxWaiting int
	// MaxWait bounds how long a job waits to start before it is refused.
	MaxWait time.Duration
}

// admission lets at most Concurrency jobs run, keeps at most MaxWaiting
// waiting (in arrival order: waiters on a channel are served first come,
// first served), and refuses a job that could not start within MaxWait.
type admission struct {
	name    string
	cfg     QueueConfig
	tickets chan struct{}
	waiting atomic.Int64
	m       *metrics
}

func newAdmission(name string, cfg QueueConfig, m *metrics) *admission {
	if cfg.Concurrency < 1 {
		cfg.Concurrency = 1
	}
	if cfg.MaxWaiting < 0 {
		cfg.MaxWaiting = 0
	}
	if cfg.MaxWait <= 0 {
		cfg.MaxWait = 10 * time.Second
	}
	a := &admission{name: name, cfg: cfg, tickets: make(chan struct{}, cfg.Concurrency), m: m}
	m.queueCapacity.WithLabelValues(name).Set(float64(cfg.Concurrency))
	// Export every series from the start, so dashboards see zeros.
	m.queueDepth.WithLabelValues(name).Set(0)
	m.queueRunning.WithLabelValues(name).Set(0)
	m.queueRejected.WithLabelValues(name, "full").Add(0)
	m.queueRejected.WithLabelValues(name, "timeout").Add(0)
	return a
}

// acquire waits for a ticket. The returned release must be called exactly
// once. The error is ErrQueueFull, ErrQueueTimeout or the context's error.
func (a *admission) acquire(ctx context.Context) (release func(), err error) {
	start := time.Now()
	release = func() {
		<-a.tickets
		a.m.queueRunning.WithLabelValues(a.name).Dec()
	}
	admitted := func() (func(), error) {
		a.m.queueRunning.WithLabelValues(a.name).Inc()
		a.m.queueWait.WithLabelValues(a.name).Observe(time.Since(start).Seconds())
		return release, nil
	}
	select {
	case a.tickets <- struct{}{}:
		return admitted()
	default:
	}
	if n := a.waiting.Add(1); n > int64(a.cfg.MaxWaiting) {
		a.waiting.Add(-1)
		a.m.queueRejected.WithLabelValues(a.name, "full").Inc()
		return nil, fmt.Errorf("%s: %w (%d waiting)", a.name, ErrQueueFull, a.cfg.MaxWaiting)
	}
	a.m.queueDepth.WithLabelValues(a.name).Inc()
	defer func() {
		a.waiting.Add(-1)
		a.m.queueDepth.WithLabelValues(a.name).Dec()
	}()
	timer := time.NewTimer(a.cfg.MaxWait)
	defer timer.Stop()
	select {
	case a.tickets <- struct{}{}:
		return admitted()
	case <-timer.C:
		a.m.queueRejected.WithLabelValues(a.name, "timeout").Inc()
		return nil, fmt.Errorf("%s: %w (%s)", a.name, ErrQueueTimeout, a.cfg.MaxWait)
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// waitingNow reports the jobs waiting to start.
func (a *admission) waitingNow() int { return int(a.waiting.Load()) }

// isBusy reports whether err is an admission refusal (answered with 504).
func isBusy(err error) bool {
	return errors.Is(err, ErrQueueFull) || errors.Is(err, ErrQueueTimeout)
}
