package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/rlef/rlef/dist"
)

// Names of the JetStream objects that hold episodes.
const (
	// BucketEpisodes holds every episode's record under its id.
	BucketEpisodes = "RLEF_EPISODES"
	// StreamLiveEpisodes holds one message per unfinished episode; its
	// message limit is the live-episode cap.
	StreamLiveEpisodes  = "RLEF_EPISODES_LIVE"
	subjectLiveEpisodes = "rlef.episodes.live"
)

// episodeRecord is an episode as kept in BucketEpisodes.
type episodeRecord struct {
	Create EpisodeCreateRequest    `json:"create"`
	Steps  []EpisodeStepRequest    `json:"steps"`
	Calls  map[string]recordedCall `json:"calls,omitempty"`
	Done   bool                    `json:"done,omitempty"`
	Used   time.Time               `json:"used"`
	Lease  *episodeLease           `json:"lease,omitempty"`
}

// episodeLease marks a step in progress on some server. A server that
// dies mid-step leaves a lease that runs out after leaseFor.
type episodeLease struct {
	Owner string    `json:"owner"`
	Until time.Time `json:"until"`
}

const leaseFor = 30 * time.Second

// kvEpisodeStore keeps episodes in JetStream, so that several servers
// behind one address can each take any step of any episode. Every change
// is a compare-and-set on the record's revision; a step first takes a
// lease on the episode (a second step meanwhile is refused with 409, as
// in one process), rebuilds it from its record, and writes the new record
// back with the lease released.
//
// Limits: the live-episode cap is the message limit of a stream holding
// one message per unfinished episode (a creation beyond it is refused);
// the bucket keeps at most Max+MaxFinished episodes, dropping the least
// recently written first, and forgets episodes idle for the TTL.
type kvEpisodeStore struct {
	kv      jetstream.KeyValue
	kvs     jetstream.Stream
	live    jetstream.Stream
	js      jetstream.JetStream
	limits  EpisodeLimits
	m       *metrics
	rebuild func(ctx context.Context, id string, rec *episodeRecord) (*liveEpisode, *recorder, error)
	owner   string
	log     *slog.Logger

	stop chan struct{}
	done chan struct{}
}

func newKVEpisodeStore(ctx context.Context, js jetstream.JetStream, limits EpisodeLimits, m *metrics,
	rebuild func(context.Context, string, *episodeRecord) (*liveEpisode, *recorder, error), log *slog.Logger) (*kvEpisodeStore, error) {
	owner, err := newEpisodeID()
	if err != nil {
		return nil, err
	}
	st := &kvEpisodeStore{js: js, limits: limits, m: m, rebuild: rebuild, owner: owner[:12], log: log,
		stop: make(chan struct{}), done: make(chan struct{})}
	st.kv, err = js.KeyValue(ctx, BucketEpisodes)
	if errors.Is(err, jetstream.ErrBucketNotFound) {
		st.kv, err = js.CreateKeyValue(ctx, jetstream.KeyValueConfig{Bucket: BucketEpisodes, TTL: limits.TTL,
			Storage: jetstream.FileStorage, Description: "rlef episodes, by id"})
		if errors.Is(err, jetstream.ErrBucketExists) {
			st.kv, err = js.KeyValue(ctx, BucketEpisodes)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("episode bucket: %w", err)
	}
	if st.kvs, err = js.Stream(ctx, "KV_"+BucketEpisodes); err != nil {
		return nil, fmt.Errorf("episode bucket: %w", err)
	}
	if cfg := st.kvs.CachedInfo().Config; cfg.MaxMsgs <= 0 {
		// Bound the bucket: the oldest-written episodes go first.
		cfg.MaxMsgs, cfg.Discard = int64(limits.Max+limits.MaxFinished), jetstream.DiscardOld
		if _, err := js.UpdateStream(ctx, cfg); err != nil {
			return nil, fmt.Errorf("episode bucket limits: %w", err)
		}
	}
	st.live, err = js.Stream(ctx, StreamLiveEpisodes)
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		st.live, err = js.CreateStream(ctx, jetstream.StreamConfig{Name: StreamLiveEpisodes, Subjects: []string{subjectLiveEpisodes + ".*"},
			MaxMsgs: int64(limits.Max), Discard: jetstream.DiscardNew, MaxMsgsPerSubject: 1, MaxAge: limits.TTL,
			Storage: jetstream.FileStorage, Description: "rlef unfinished episodes (one message each; the limit is the live cap)"})
		if errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) {
			st.live, err = js.Stream(ctx, StreamLiveEpisodes)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("live episodes stream: %w", err)
	}
	go st.gauges()
	return st, nil
}

// gauges keeps the episode gauges current until close.
func (st *kvEpisodeStore) gauges() {
	defer close(st.done)
	t := time.NewTicker(10 * time.Second)
	defer t.Stop()
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		if li, err := st.live.Info(ctx); err == nil {
			if ki, err := st.kvs.Info(ctx); err == nil {
				st.m.live.Set(float64(li.State.Msgs))
				st.m.finished.Set(float64(max(0, int64(ki.State.Msgs)-int64(li.State.Msgs))))
			}
		}
		cancel()
		select {
		case <-st.stop:
			return
		case <-t.C:
		}
	}
}

func (st *kvEpisodeStore) close() {
	close(st.stop)
	<-st.done
}

func (st *kvEpisodeStore) add(ctx context.Context, e *liveEpisode) error {
	id, err := newEpisodeID()
	if err != nil {
		return err
	}
	_, err = st.js.Publish(ctx, subjectLiveEpisodes+"."+id, nil, jetstream.WithExpectStream(StreamLiveEpisodes))
	var apiErr *jetstream.APIError
	if errors.As(err, &apiErr) && apiErr.ErrorCode == 10077 {
		return fmt.Errorf("%w (%d unfinished; idle episodes expire after %s, or DELETE them)", ErrTooManyEpisodes, st.limits.Max, st.limits.TTL)
	}
	if err != nil {
		return fmt.Errorf("episode store: %w", err)
	}
	rec := &episodeRecord{Create: *e.create, Used: time.Now()}
	if e.session != nil {
		rec.Done = e.session.Done()
	}
	data, err := dist.Pack(rec)
	if err == nil {
		_, err = st.kv.Create(ctx, id, data)
	}
	if err != nil {
		st.purgeLive(id)
		return fmt.Errorf("episode store: %w", err)
	}
	e.id = id
	st.m.episodes.WithLabelValues("created").Inc()
	return nil
}

// load reads an episode's record.
func (st *kvEpisodeStore) load(ctx context.Context, id string) (*episodeRecord, uint64, error) {
	if !validEpisodeID(id) {
		return nil, 0, errEpisodeNotFound
	}
	e, err := st.kv.Get(ctx, id)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, 0, errEpisodeNotFound
	}
	if err != nil {
		return nil, 0, fmt.Errorf("episode store: %w", err)
	}
	var rec episodeRecord
	if err := dist.Unpack(e.Value(), &rec); err != nil {
		return nil, 0, fmt.Errorf("episode %s: %w", id, err)
	}
	return &rec, e.Revision(), nil
}

// save writes a record if it is still at revision rev.
func (st *kvEpisodeStore) save(ctx context.Context, id string, rec *episodeRecord, rev uint64) (uint64, error) {
	data, err := dist.Pack(rec)
	if err != nil {
		return 0, err
	}
	return st.kv.Update(ctx, id, data, rev)
}

func (st *kvEpisodeStore) step(ctx context.Context, id string, fn func(e *liveEpisode) error) error {
	rec, rev, err := st.load(ctx, id)
	if err != nil {
		return err
	}
	now := time.Now()
	if rec.Lease != nil && rec.Lease.Until.After(now) {
		return errEpisodeBusy
	}
	rec.Lease, rec.Used = &episodeLease{Owner: st.owner, Until: now.Add(leaseFor)}, now
	if rev, err = st.save(ctx, id, rec, rev); err != nil {
		return errEpisodeBusy // another server took it first
	}
	hold := st.holdLease(id, rec, rev)
	e, r, err := st.rebuild(ctx, id, rec)
	var ferr error
	if err == nil {
		before := e.session.Turn()
		ferr = fn(e)
		if e.session.Turn() != before && e.pending != nil {
			rec.Steps = append(rec.Steps, *e.pending)
			rec.Calls, rec.Done = r.snapshot(), e.session.Done()
		}
	}
	rev = hold.release()
	rec.Lease, rec.Used = nil, time.Now()
	if _, serr := st.save(context.WithoutCancel(ctx), id, rec, rev); serr != nil {
		st.log.Error("episode store: the step could not be kept (the lease ran out and another server took the episode?)", "episode", id, "err", serr)
		if err == nil && ferr == nil {
			return &stepError{http.StatusServiceUnavailable, fmt.Errorf("episode store: %w", serr)}
		}
	}
	if rec.Done {
		st.purgeLive(id)
	}
	if err != nil {
		return err
	}
	return ferr
}

// leaseHolder renews a lease while a step runs.
type leaseHolder struct {
	mu   sync.Mutex
	rev  uint64
	stop chan struct{}
	done chan struct{}
}

func (st *kvEpisodeStore) holdLease(id string, rec *episodeRecord, rev uint64) *leaseHolder {
	h := &leaseHolder{rev: rev, stop: make(chan struct{}), done: make(chan struct{})}
	snapshot := *rec
	go func() {
		defer close(h.done)
		t := time.NewTicker(leaseFor / 3)
		defer t.Stop()
		for {
			select {
			case <-h.stop:
				return
			case <-t.C:
			}
			snapshot.Lease = &episodeLease{Owner: st.owner, Until: time.Now().Add(leaseFor)}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			h.mu.Lock()
			if rev, err := st.save(ctx, id, &snapshot, h.rev); err == nil {
				h.rev = rev
			}
			h.mu.Unlock()
			cancel()
		}
	}()
	return h
}

// release stops renewing and returns the record's revision.
func (h *leaseHolder) release() uint64 {
	close(h.stop)
	<-h.done
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.rev
}

func (st *kvEpisodeStore) view(ctx context.Context, id string, fn func(e *liveEpisode, idle time.Duration) error) error {
	rec, rev, err := st.load(ctx, id)
	if err != nil {
		return err
	}
	if rec.Lease != nil && rec.Lease.Until.After(time.Now()) {
		return errEpisodeBusy
	}
	e, _, err := st.rebuild(ctx, id, rec)
	if err != nil {
		return err
	}
	idle := time.Since(rec.Used)
	rec.Used = time.Now()
	_, _ = st.save(ctx, id, rec, rev) // marks it used; a concurrent change wins
	return fn(e, idle)
}

func (st *kvEpisodeStore) remove(ctx context.Context, id string) (bool, error) {
	if _, _, err := st.load(ctx, id); err != nil {
		if errors.Is(err, errEpisodeNotFound) {
			return false, nil
		}
		return false, err
	}
	// Purging the subject leaves no delete marker behind to count
	// against the bucket's limit.
	if err := st.kvs.Purge(ctx, jetstream.WithPurgeSubject("$KV."+BucketEpisodes+"."+id)); err != nil {
		return false, fmt.Errorf("episode store: %w", err)
	}
	st.purgeLive(id)
	st.m.episodes.WithLabelValues("deleted").Inc()
	return true, nil
}

// purgeLive removes an episode's live marker.
func (st *kvEpisodeStore) purgeLive(id string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := st.live.Purge(ctx, jetstream.WithPurgeSubject(subjectLiveEpisodes+"."+id)); err != nil {
		st.log.Warn("episode store: live marker not removed", "episode", id, "err", err)
	}
}

// validEpisodeID reports whether id can be an episode id (32 hex
// digits), which also keeps it a valid key.
func validEpisodeID(id string) bool {
	if len(id) != 32 {
		return false
	}
	for _, c := range id {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}
