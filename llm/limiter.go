package llm

import (
	"context"
	"sync"
)

// Outcome is what became of a request that held a Limiter slot.
type Outcome int

// Outcomes.
const (
	// Success: the server answered; the limit grows by about one slot per
	// window of successes (additive increase).
	Success Outcome = iota
	// Overload: the server said it is overloaded (429, 503); the limit
	// halves (multiplicative decrease), at most once per window.
	Overload
	// Failed: any other failure; the limit stays.
	Failed
)

// Limiter bounds the number of requests in flight with an AIMD window, as
// TCP congestion control does: it starts at its maximum, halves when the
// server says it is overloaded and creeps back up on success. Waiters are
// served in FIFO order. The zero value is not usable; see NewLimiter.
type Limiter struct {
	mu       sync.Mutex
	max      int
	limit    float64 // current window, in [1, max]
	inflight int
	epoch    uint64 // bumped at each decrease
	waiters  []*waiter
}

type waiter struct {
	ready   chan struct{}
	granted bool
	epoch   uint64
}

// NewLimiter returns a limiter that allows up to max requests in flight
// (at least 1).
func NewLimiter(max int) *Limiter {
	max = maxInt(max, 1)
	return &Limiter{max: max, limit: float64(max)}
}

// Permit is a held slot. Call Release exactly once.
type Permit struct {
	l     *Limiter
	epoch uint64
	once  sync.Once
}

// Acquire waits for a slot or for ctx to end.
func (l *Limiter) Acquire(ctx context.Context) (*Permit, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	l.mu.Lock()
	if len(l.waiters) == 0 && l.inflight < l.window() {
		l.inflight++
		p := &Permit{l: l, epoch: l.epoch}
		l.mu.Unlock()
		return p, nil
	}
	w := &waiter{ready: make(chan struct{})}
	l.waiters = append(l.waiters, w)
	l.mu.Unlock()

	select {
	case <-w.ready:
		return &Permit{l: l, epoch: w.epoch}, nil
	case <-ctx.Done():
		l.mu.Lock()
		defer l.mu.Unlock()
		if w.granted {
			// The slot arrived as ctx ended: pass it on.
			l.inflight--
			l.grant()
		} else {
			for i, x := range l.waiters {
				if x == w {
					l.waiters = append(l.waiters[:i], l.waiters[i+1:]...)
					break
				}
			}
		}
		return nil, ctx.Err()
	}
}

// Release returns the slot and adapts the window to the outcome. Calls
// after the first are ignored.
func (p *Permit) Release(o Outcome) {
	p.once.Do(func() {
		l := p.l
		l.mu.Lock()
		defer l.mu.Unlock()
		l.inflight--
		switch o {
		case Success:
			if l.limit < float64(l.max) {
				l.limit = min(l.limit+1/l.limit, float64(l.max))
			}
		case Overload:
			if p.epoch == l.epoch { // one decrease per window
				l.limit = max(l.limit/2, 1)
				l.epoch++
			}
		}
		l.grant()
	})
}

// grant hands free slots to waiters; l.mu is held.
func (l *Limiter) grant() {
	for len(l.waiters) > 0 && l.inflight < l.window() {
		w := l.waiters[0]
		l.waiters[0] = nil
		l.waiters = l.waiters[1:]
		w.granted = true
		w.epoch = l.epoch
		l.inflight++
		close(w.ready)
	}
}

func (l *Limiter) window() int { return int(l.limit) }

// Limit returns the current window: how many requests may be in flight.
func (l *Limiter) Limit() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.window()
}

// InFlight returns the number of slots held.
func (l *Limiter) InFlight() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.inflight
}

// Max returns the configured maximum.
func (l *Limiter) Max() int { return l.max }

func maxInt(a, b int) int {
	if a > b {
		return a
	}
	return b
}
