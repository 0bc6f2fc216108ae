package server

import (
	"container/list"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/rlef/rlef/dataset"
	"github.com/rlef/rlef/episode"
	"github.com/rlef/rlef/llm/chattemplate"
)

// ErrTooManyEpisodes is returned when the live-episode cap is reached
// (answered with 429).
var ErrTooManyEpisodes = errors.New("too many live episodes")

// liveEpisode is one episode held for an external policy.
type liveEpisode struct {
	id      string
	set     *dataset.Set
	session *episode.Session
	// maxTurns is the episode's turn limit.
	maxTurns int
	// tmpl renders prompt and feedback text; nil when none was asked for.
	tmpl   chattemplate.Template
	render renderOptions
	// create is the request that started the episode (what a shared
	// store keeps to rebuild it); pending is the step being taken.
	create  *EpisodeCreateRequest
	pending *EpisodeStepRequest

	// step serialises steps; the store's sweeper skips an episode whose
	// step is in progress.
	step sync.Mutex

	// Guarded by the store's mutex:
	created  time.Time
	lastUsed time.Time
	done     *list.Element // in the store's finished list once finished
}

// renderOptions are the chat-template settings of an episode.
type renderOptions struct {
	closeAssistant, forceThink, omitBOS bool
}

// episodeStore holds episodes: live (unfinished) ones, at most
// limits.Max of them, and finished ones, kept for GET and DELETE but not
// counted as live, at most limits.MaxFinished of them (the oldest
// finished are dropped first). Idle episodes of either kind expire after
// the TTL.
type episodeStore struct {
	limits EpisodeLimits
	m      *metrics
	now    func() time.Time

	mu       sync.Mutex
	byID     map[string]*liveEpisode
	live     int
	finished *list.List // of *liveEpisode, oldest first

	stop chan struct{}
	done chan struct{}
}

func newEpisodeStore(limits EpisodeLimits, m *metrics) *episodeStore {
	st := &episodeStore{limits: limits, m: m, now: time.Now, byID: map[string]*liveEpisode{},
		finished: list.New(), stop: make(chan struct{}), done: make(chan struct{})}
	go st.janitor()
	return st
}

// janitor expires idle episodes until close.
func (st *episodeStore) janitor() {
	defer close(st.done)
	every := min(max(st.limits.TTL/4, time.Second), time.Minute)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-st.stop:
			return
		case <-t.C:
			st.sweep()
		}
	}
}

func (st *episodeStore) close() {
	close(st.stop)
	<-st.done
}

// sweep removes episodes idle for longer than the TTL. Episodes in the
// middle of a step are kept.
func (st *episodeStore) sweep() int {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.sweepLocked()
}

func (st *episodeStore) sweepLocked() int {
	cutoff := st.now().Add(-st.limits.TTL)
	n := 0
	for _, e := range st.byID {
		if !e.lastUsed.Before(cutoff) || !e.step.TryLock() {
			continue
		}
		e.step.Unlock()
		st.deleteLocked(e)
		n++
	}
	if n > 0 {
		st.m.episodes.WithLabelValues("expired").Add(float64(n))
		st.gaugesLocked()
	}
	return n
}

// deleteLocked forgets an episode.
func (st *episodeStore) deleteLocked(e *liveEpisode) {
	delete(st.byID, e.id)
	if e.done != nil {
		st.finished.Remove(e.done)
		e.done = nil
	} else {
		st.live--
	}
}

func (st *episodeStore) gaugesLocked() {
	st.m.live.Set(float64(st.live))
	st.m.finished.Set(float64(st.finished.Len()))
}

// add stores a new episode under a fresh random id. Only live episodes
// count against the limit.
func (st *episodeStore) add(e *liveEpisode) error {
	id, err := newEpisodeID()
	if err != nil {
		return err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.live >= st.limits.Max {
		st.sweepLocked()
	}
	if st.live >= st.limits.Max {
		return fmt.Errorf("%w (%d unfinished; idle episodes expire after %s, or DELETE them)", ErrTooManyEpisodes, st.limits.Max, st.limits.TTL)
	}
	e.id = id
	e.created = st.now()
	e.lastUsed = e.created
	st.byID[id] = e
	st.live++
	st.m.episodes.WithLabelValues("created").Inc()
	st.gaugesLocked()
	return nil
}

// finish moves an episode that has ended from the live ones to the
// finished ones, dropping the oldest finished beyond the kept number.
func (st *episodeStore) finish(e *liveEpisode) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if e.done != nil || st.byID[e.id] != e {
		return // already finished, or deleted meanwhile
	}
	st.live--
	e.done = st.finished.PushBack(e)
	dropped := 0
	for st.finished.Len() > st.limits.MaxFinished {
		old := st.finished.Front().Value.(*liveEpisode)
		st.deleteLocked(old)
		dropped++
	}
	if dropped > 0 {
		st.m.episodes.WithLabelValues("dropped").Add(float64(dropped))
	}
	st.gaugesLocked()
}

// get returns an episode and marks it used.
func (st *episodeStore) get(id string) (*liveEpisode, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	e, ok := st.byID[id]
	if ok {
		e.lastUsed = st.now()
	}
	return e, ok
}

// touch marks an episode used (after a long step).
func (st *episodeStore) touch(e *liveEpisode) {
	st.mu.Lock()
	e.lastUsed = st.now()
	st.mu.Unlock()
}

// idle reports how long an episode has been idle.
func (st *episodeStore) idle(e *liveEpisode) time.Duration {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.now().Sub(e.lastUsed)
}

// remove deletes an episode; false if it was not there.
func (st *episodeStore) remove(id string) bool {
	st.mu.Lock()
	defer st.mu.Unlock()
	e, ok := st.byID[id]
	if !ok {
		return false
	}
	st.deleteLocked(e)
	st.m.episodes.WithLabelValues("deleted").Inc()
	st.gaugesLocked()
	return true
}

// counts reports the live and the finished episodes held.
func (st *episodeStore) counts() (live, finished int) {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.live, st.finished.Len()
}

func newEpisodeID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("episode id: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}

// episodeBackend keeps the episodes of the episode API: in this process
// (memoryEpisodes) or in JetStream, shared by several servers
// (kvEpisodeStore).
type episodeBackend interface {
	// add stores a new episode (e.create set) and gives it its id; it
	// fails with ErrTooManyEpisodes at the live-episode cap.
	add(ctx context.Context, e *liveEpisode) error
	// step runs fn with the episode to itself, then keeps what fn did.
	// It fails with errEpisodeNotFound, or errEpisodeBusy while another
	// step holds the episode; otherwise it returns fn's error.
	step(ctx context.Context, id string, fn func(e *liveEpisode) error) error
	// view runs fn on the episode and the time it has been idle, with
	// step's errors.
	view(ctx context.Context, id string, fn func(e *liveEpisode, idle time.Duration) error) error
	// remove deletes an episode; false if it was not there.
	remove(ctx context.Context, id string) (bool, error)
	close()
}

var (
	errEpisodeNotFound = errors.New("episode not found")
	errEpisodeBusy     = errors.New("a step of this episode is in progress")
)

// memoryEpisodes is the in-process backend.
type memoryEpisodes struct{ st *episodeStore }

func (m memoryEpisodes) add(_ context.Context, e *liveEpisode) error { return m.st.add(e) }

func (m memoryEpisodes) step(_ context.Context, id string, fn func(e *liveEpisode) error) error {
	e, ok := m.st.get(id)
	if !ok {
		return errEpisodeNotFound
	}
	if !e.step.TryLock() {
		return errEpisodeBusy
	}
	defer e.step.Unlock()
	defer m.st.touch(e)
	err := fn(e)
	if e.session.Done() {
		// A finished episode no longer counts against the live limit.
		m.st.finish(e)
	}
	return err
}

func (m memoryEpisodes) view(_ context.Context, id string, fn func(e *liveEpisode, idle time.Duration) error) error {
	e, ok := m.st.get(id)
	if !ok {
		return errEpisodeNotFound
	}
	if !e.step.TryLock() {
		return errEpisodeBusy
	}
	defer e.step.Unlock()
	return fn(e, m.st.idle(e))
}

func (m memoryEpisodes) remove(_ context.Context, id string) (bool, error) {
	return m.st.remove(id), nil
}

func (m memoryEpisodes) close() { m.st.close() }
