package server

import (
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

	// step serialises steps; the store's sweeper skips an episode whose
	// step is in progress.
	step sync.Mutex

	created  time.Time
	lastUsed time.Time // guarded by the store's mutex
}

// renderOptions are the chat-template settings of an episode.
type renderOptions struct {
	closeAssistant, forceThink, omitBOS bool
}

// episodeStore holds live episodes, expires idle ones and caps their
// number.
type episodeStore struct {
	limits EpisodeLimits
	m      *metrics
	now    func() time.Time

	mu   sync.Mutex
	byID map[string]*liveEpisode

	stop chan struct{}
	done chan struct{}
}

func newEpisodeStore(limits EpisodeLimits, m *metrics) *episodeStore {
	st := &episodeStore{limits: limits, m: m, now: time.Now, byID: map[string]*liveEpisode{},
		stop: make(chan struct{}), done: make(chan struct{})}
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
	for id, e := range st.byID {
		if !e.lastUsed.Before(cutoff) || !e.step.TryLock() {
			continue
		}
		e.step.Unlock()
		delete(st.byID, id)
		n++
	}
	if n > 0 {
		st.m.episodes.WithLabelValues("expired").Add(float64(n))
		st.m.live.Set(float64(len(st.byID)))
	}
	return n
}

// add stores a new episode under a fresh random id.
func (st *episodeStore) add(e *liveEpisode) error {
	id, err := newEpisodeID()
	if err != nil {
		return err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if len(st.byID) >= st.limits.Max {
		st.sweepLocked()
	}
	if len(st.byID) >= st.limits.Max {
		return fmt.Errorf("%w (%d; idle episodes expire after %s, or DELETE them)", ErrTooManyEpisodes, st.limits.Max, st.limits.TTL)
	}
	e.id = id
	e.created = st.now()
	e.lastUsed = e.created
	st.byID[id] = e
	st.m.episodes.WithLabelValues("created").Inc()
	st.m.live.Set(float64(len(st.byID)))
	return nil
}

// get returns a live episode and marks it used.
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
	if _, ok := st.byID[id]; !ok {
		return false
	}
	delete(st.byID, id)
	st.m.episodes.WithLabelValues("deleted").Inc()
	st.m.live.Set(float64(len(st.byID)))
	return true
}

func (st *episodeStore) count() int {
	st.mu.Lock()
	defer st.mu.Unlock()
	return len(st.byID)
}

func newEpisodeID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("episode id: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}
