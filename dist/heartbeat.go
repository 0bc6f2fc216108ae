package dist

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// Workers announce themselves in BucketWorkers every heartbeatEvery; an
// entry not renewed within heartbeatTTL expires with the bucket's TTL.
const (
	heartbeatEvery = 2 * time.Second
	heartbeatTTL   = 10 * time.Second
)

// WorkerInfo is a worker's heartbeat: what `rlef status` lists.
type WorkerInfo struct {
	ID        string `json:"id"`
	Host      string `json:"host"`
	PID       int    `json:"pid"`
	Isolation string `json:"isolation,omitempty"`
	// Slots are the worker's sandbox slots; Concurrency the jobs it takes
	// at once; Busy the jobs it holds now.
	Slots       int `json:"slots"`
	Concurrency int `json:"concurrency"`
	Busy        int `json:"busy"`
	// Done counts results it recorded; Duplicates results another worker
	// had recorded first (its copy was dropped); Failed attempts that
	// failed for infrastructure reasons (the job went back to the queue);
	// Infra jobs it answered with an infrastructure failure after every
	// attempt failed; Deferred jobs it handed back because it had failed
	// them before.
	Done       int64 `json:"done"`
	Duplicates int64 `json:"duplicates"`
	Failed     int64 `json:"failed"`
	Infra      int64 `json:"infra"`
	Deferred   int64 `json:"deferred"`
	// Rate is jobs done per second over the last minute.
	Rate float64 `json:"rate"`
	// PausedUntil is set while the worker takes no jobs after repeated
	// sandbox failures.
	PausedUntil time.Time `json:"paused_until,omitzero"`
	Started     time.Time `json:"started"`
	// Beat is when this heartbeat was recorded (the server's clock).
	Beat time.Time `json:"-"`
}

// capacity follows the workers' heartbeats.
type capacity struct {
	mu   sync.Mutex
	byID map[string]capEntry
}

type capEntry struct {
	concurrency int
	seen        time.Time
}

// watchCapacity follows BucketWorkers until stop is closed. It returns
// once the heartbeats already there are read (or after a few seconds).
func watchCapacity(ctx context.Context, c *Cluster, stop <-chan struct{}) (*capacity, error) {
	w, err := c.workers.WatchAll(context.WithoutCancel(ctx))
	if err != nil {
		return nil, fmt.Errorf("watch workers: %w", err)
	}
	cp := &capacity{byID: map[string]capEntry{}}
	ready := make(chan struct{})
	go func() {
		defer func() { _ = w.Stop() }()
		once := sync.OnceFunc(func() { close(ready) })
		defer once()
		for {
			select {
			case <-stop:
				return
			case e, ok := <-w.Updates():
				if !ok {
					return
				}
				if e == nil {
					once() // the end of the heartbeats already there
					continue
				}
				cp.update(e)
			}
		}
	}()
	select {
	case <-ready:
	case <-time.After(5 * time.Second):
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return cp, nil
}

func (cp *capacity) update(e jetstream.KeyValueEntry) {
	cp.mu.Lock()
	defer cp.mu.Unlock()
	if e.Operation() != jetstream.KeyValuePut {
		delete(cp.byID, e.Key())
		return
	}
	var info WorkerInfo
	if json.Unmarshal(e.Value(), &info) != nil {
		return
	}
	cp.byID[e.Key()] = capEntry{concurrency: info.Concurrency, seen: time.Now()}
}

// total is the concurrency of the workers heard from lately.
func (cp *capacity) total() int {
	cp.mu.Lock()
	defer cp.mu.Unlock()
	n := 0
	for id, e := range cp.byID {
		if time.Since(e.seen) > heartbeatTTL {
			delete(cp.byID, id)
			continue
		}
		n += e.concurrency
	}
	return n
}

// others counts the live workers other than self.
func (cp *capacity) others(self string) int {
	cp.mu.Lock()
	defer cp.mu.Unlock()
	n := 0
	for id, e := range cp.byID {
		if id != self && time.Since(e.seen) <= heartbeatTTL {
			n++
		}
	}
	return n
}

// rateWindow counts events per second over the last minute.
type rateWindow struct {
	mu     sync.Mutex
	counts [60]int64
	stamp  [60]int64 // the unix second each bucket counts
}

func (r *rateWindow) add(now time.Time) {
	s := now.Unix()
	i := s % 60
	r.mu.Lock()
	if r.stamp[i] != s {
		r.stamp[i], r.counts[i] = s, 0
	}
	r.counts[i]++
	r.mu.Unlock()
}

// rate is the events per second over the last minute.
func (r *rateWindow) rate(now time.Time) float64 {
	s := now.Unix()
	var n int64
	r.mu.Lock()
	for i := range r.counts {
		if s-r.stamp[i] < 60 {
			n += r.counts[i]
		}
	}
	r.mu.Unlock()
	return float64(n) / 60
}
