package dist

import (
	"container/list"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"golang.org/x/sync/singleflight"

	"github.com/rlef/rlef/dataset"
)

// Problems travel once: a client stores each problem in the objects
// bucket under the SHA-256 of its JSON encoding, and jobs name it by that
// hash; workers fetch each problem once and keep it. Like the judge's own
// caches, both sides assume a loaded problem is never modified.

// problemObject is the object name of a problem.
func problemObject(hash string) string { return "problem/" + hash }

// encodeProblem returns a problem's stored form and its hash.
func encodeProblem(p *dataset.Problem) ([]byte, string, error) {
	data, err := pack(p)
	if err != nil {
		return nil, "", err
	}
	js, err := json.Marshal(p)
	if err != nil {
		return nil, "", err
	}
	sum := sha256.Sum256(js)
	return data, hex.EncodeToString(sum[:]), nil
}

// uploader makes sure problems are in the objects bucket.
type uploader struct {
	c *Cluster
	// byPtr caches hashes of problems seen (loaded problems are not
	// modified; the judge's caches assume the same).
	byPtr sync.Map // *dataset.Problem -> string
	mu    sync.Mutex
	// stored is when each hash was last confirmed stored.
	stored map[string]time.Time
	group  singleflight.Group
}

func newUploader(c *Cluster) *uploader {
	return &uploader{c: c, stored: map[string]time.Time{}}
}

// ensure returns the hash of p, storing p first if the bucket may not
// hold it for the next ObjectTTL/2.
func (u *uploader) ensure(ctx context.Context, p *dataset.Problem) (string, error) {
	if h, ok := u.byPtr.Load(p); ok && u.fresh(h.(string)) {
		return h.(string), nil
	}
	data, hash, err := encodeProblem(p)
	if err != nil {
		return "", fmt.Errorf("problem %s: %w", p.ID, err)
	}
	u.byPtr.Store(p, hash)
	if u.fresh(hash) {
		return hash, nil
	}
	_, err, _ = u.group.Do(hash, func() (any, error) {
		return nil, u.store(ctx, hash, data)
	})
	if err != nil {
		return "", fmt.Errorf("problem %s: %w", p.ID, err)
	}
	return hash, nil
}

// fresh reports whether hash was confirmed stored recently enough that
// it outlives any job sent now.
func (u *uploader) fresh(hash string) bool {
	u.mu.Lock()
	defer u.mu.Unlock()
	t, ok := u.stored[hash]
	return ok && time.Since(t) < u.c.cfg.ObjectTTL/4
}

func (u *uploader) store(ctx context.Context, hash string, data []byte) error {
	name := problemObject(hash)
	info, err := u.c.objects.GetInfo(ctx, name)
	switch {
	case err == nil && time.Since(info.ModTime) < u.c.cfg.ObjectTTL/2:
		// Stored by someone else recently: it lives long enough.
	case err == nil || errors.Is(err, jetstream.ErrObjectNotFound):
		if _, err := u.c.objects.PutBytes(ctx, name, data); err != nil {
			return fmt.Errorf("store: %w", err)
		}
	default:
		return fmt.Errorf("look up: %w", err)
	}
	u.mu.Lock()
	u.stored[hash] = time.Now()
	u.mu.Unlock()
	return nil
}

// problemCache keeps the problems a worker fetched, the most recently
// used ones, at most max of them.
type problemCache struct {
	c   *Cluster
	max int

	mu    sync.Mutex
	byKey map[string]*list.Element // of *cachedProblem
	lru   *list.List
	group singleflight.Group
}

type cachedProblem struct {
	hash string
	p    *dataset.Problem
}

func newProblemCache(c *Cluster, max int) *problemCache {
	return &problemCache{c: c, max: max, byKey: map[string]*list.Element{}, lru: list.New()}
}

// get returns the problem with the given hash.
func (pc *problemCache) get(ctx context.Context, hash string) (*dataset.Problem, error) {
	pc.mu.Lock()
	if e, ok := pc.byKey[hash]; ok {
		pc.lru.MoveToFront(e)
		pc.mu.Unlock()
		return e.Value.(*cachedProblem).p, nil
	}
	pc.mu.Unlock()
	v, err, _ := pc.group.Do(hash, func() (any, error) { return pc.fetch(ctx, hash) })
	if err != nil {
		return nil, err
	}
	return v.(*dataset.Problem), nil
}

func (pc *problemCache) fetch(ctx context.Context, hash string) (*dataset.Problem, error) {
	data, err := pc.c.objects.GetBytes(ctx, problemObject(hash))
	if err != nil {
		return nil, fmt.Errorf("fetch problem %s: %w", hash, err)
	}
	p, err := decodeProblem(data, hash)
	if err != nil {
		return nil, err
	}
	pc.mu.Lock()
	defer pc.mu.Unlock()
	if e, ok := pc.byKey[hash]; ok {
		return e.Value.(*cachedProblem).p, nil
	}
	pc.byKey[hash] = pc.lru.PushFront(&cachedProblem{hash: hash, p: p})
	for pc.lru.Len() > pc.max {
		old := pc.lru.Remove(pc.lru.Back()).(*cachedProblem)
		delete(pc.byKey, old.hash)
	}
	return p, nil
}

// decodeProblem decodes a stored problem and checks it against its hash.
func decodeProblem(data []byte, hash string) (*dataset.Problem, error) {
	var p dataset.Problem
	if err := unpack(data, &p); err != nil {
		return nil, fmt.Errorf("problem %s: %w", hash, err)
	}
	js, err := json.Marshal(&p)
	if err != nil {
		return nil, err
	}
	if sum := sha256.Sum256(js); hex.EncodeToString(sum[:]) != hash {
		return nil, fmt.Errorf("problem %s: content does not match its hash", hash)
	}
	return &p, nil
}
