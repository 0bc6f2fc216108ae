// Package store persists evaluation runs in an embedded SQLite database
// (pure Go, no cgo): the run's configuration, every finished episode with
// its turns, and a cache of model responses keyed by the full request, so
// a resumed run never pays for a request twice.
//
// Writes are atomic: an episode and its turns land together or not at
// all, so a run killed at any moment resumes without losing or duplicating
// anything. The layout is versioned (SchemaVersion); Open migrates an
// older store and refuses a newer one.
package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/rlef/rlef/episode"
	"github.com/rlef/rlef/llm"
)

// FileName is the database's name inside a run directory.
const FileName = "store.db"

// SchemaVersion is the version of the database layout this package reads
// and writes, kept in SQLite's user_version. Open brings an older store up
// to it and refuses a newer one (see ErrNewerSchema).
//
// Versions: 0, a store from before versions were kept (it had a turns
// table holding a copy of each episode's turns, never read; migrating
// drops it); 1, the layout of schema below.
const SchemaVersion = 1

// ErrNewerSchema is returned (wrapped) by Open for a store written by a
// newer rlef, whose layout this one does not know.
var ErrNewerSchema = errors.New("store written by a newer rlef")

// schema is the layout of SchemaVersion.
const schema = `
CREATE TABLE IF NOT EXISTS meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS episodes (
	problem     TEXT    NOT NULL,
	sample      INTEGER NOT NULL,
	passed      INTEGER NOT NULL,
	reward      REAL    NOT NULL,
	turns       INTEGER NOT NULL,
	infra       TEXT    NOT NULL DEFAULT '',
	data        TEXT    NOT NULL,
	finished_at TEXT    NOT NULL,
	PRIMARY KEY (problem, sample)
);
CREATE TABLE IF NOT EXISTS llm_cache (
	key        TEXT PRIMARY KEY,
	response   TEXT NOT NULL,
	created_at TEXT NOT NULL
);
`

// migrations[v] brings a store of version v to version v+1. A new store
// (version 0, no tables) goes through them too.
var migrations = []string{
	0: schema + `DROP TABLE IF EXISTS turns;`,
}

// Store is one run's database. It is safe for concurrent use.
type Store struct {
	db *sql.DB
}

// Open opens (creating if needed) the database at path, migrating it to
// SchemaVersion.
func Open(ctx context.Context, path string) (*Store, error) {
	// WAL lets readers (a report on a running evaluation) work beside the
	// writer; the busy timeout absorbs brief lock contention. Transactions
	// take the write lock when they begin, so two processes opening an old
	// store wait for each other instead of failing.
	dsn := "file:" + path + "?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=synchronous(NORMAL)&_txlock=immediate"
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	// SQLite allows one writer; a single connection keeps writes ordered
	// and avoids SQLITE_BUSY between our own goroutines.
	db.SetMaxOpenConns(1)
	if err := migrate(ctx, db); err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	return &Store{db: db}, nil
}

// migrate checks the store's schema version and applies the migrations it
// lacks, all in one transaction.
func migrate(ctx context.Context, db *sql.DB) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var v int
	if err := tx.QueryRowContext(ctx, `PRAGMA user_version`).Scan(&v); err != nil {
		return fmt.Errorf("schema version: %w", err)
	}
	if v > SchemaVersion {
		return fmt.Errorf("%w: schema version %d, this rlef reads up to %d; use a newer rlef", ErrNewerSchema, v, SchemaVersion)
	}
	if v == SchemaVersion {
		return nil
	}
	for ; v < SchemaVersion; v++ {
		if _, err := tx.ExecContext(ctx, migrations[v]); err != nil {
			return fmt.Errorf("migrate schema from version %d: %w", v, err)
		}
	}
	// PRAGMA takes no parameters; v is a number this code set.
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA user_version = %d`, v)); err != nil {
		return fmt.Errorf("migrate schema: %w", err)
	}
	return tx.Commit()
}

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }

// SetMeta stores a JSON-encodable value under key.
func (s *Store) SetMeta(ctx context.Context, key string, value any) error {
	b, err := json.Marshal(value)
	if err != nil {
		return fmt.Errorf("store meta %s: %w", key, err)
	}
	_, err = s.db.ExecContext(ctx, `INSERT INTO meta(key, value) VALUES(?, ?)
		ON CONFLICT(key) DO UPDATE SET value = excluded.value`, key, string(b))
	if err != nil {
		return fmt.Errorf("store meta %s: %w", key, err)
	}
	return nil
}

// Meta decodes the value stored under key into v; ok is false when there
// is none.
func (s *Store) Meta(ctx context.Context, key string, v any) (ok bool, err error) {
	var raw string
	err = s.db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, key).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read meta %s: %w", key, err)
	}
	if err := json.Unmarshal([]byte(raw), v); err != nil {
		return false, fmt.Errorf("read meta %s: %w", key, err)
	}
	return true, nil
}

// Key identifies an episode within a run.
type Key struct {
	Problem string
	Sample  int
}

// PutEpisode records a finished episode with its turns (one row, written
// by one statement, so atomically), replacing any earlier record of the
// same episode.
func (s *Store) PutEpisode(ctx context.Context, e *episode.Episode) error {
	data, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("store episode %s/%d: %w", e.Problem, e.Sample, err)
	}
	_, err = s.db.ExecContext(ctx, `INSERT INTO episodes(problem, sample, passed, reward, turns, infra, data, finished_at)
		VALUES(?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT(problem, sample) DO UPDATE SET passed = excluded.passed, reward = excluded.reward,
			turns = excluded.turns, infra = excluded.infra, data = excluded.data, finished_at = excluded.finished_at`,
		e.Problem, e.Sample, e.Passed, e.Reward, len(e.Turns), e.Infra, string(data), time.Now().UTC().Format(time.RFC3339Nano))
	if err != nil {
		return fmt.Errorf("store episode %s/%d: %w", e.Problem, e.Sample, err)
	}
	return nil
}

// Finished returns the episodes already recorded. Infrastructure failures
// are included only if withInfra is set (a resumed run retries them).
func (s *Store) Finished(ctx context.Context, withInfra bool) (map[Key]bool, error) {
	q := `SELECT problem, sample FROM episodes`
	if !withInfra {
		q += ` WHERE infra = ''`
	}
	rows, err := s.db.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("list episodes: %w", err)
	}
	defer rows.Close()
	out := map[Key]bool{}
	for rows.Next() {
		var k Key
		if err := rows.Scan(&k.Problem, &k.Sample); err != nil {
			return nil, fmt.Errorf("list episodes: %w", err)
		}
		out[k] = true
	}
	return out, rows.Err()
}

// Episodes returns every recorded episode, ordered by problem and sample.
func (s *Store) Episodes(ctx context.Context) ([]*episode.Episode, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT data FROM episodes ORDER BY problem, sample`)
	if err != nil {
		return nil, fmt.Errorf("read episodes: %w", err)
	}
	defer rows.Close()
	var out []*episode.Episode
	for rows.Next() {
		var raw string
		if err := rows.Scan(&raw); err != nil {
			return nil, fmt.Errorf("read episodes: %w", err)
		}
		var e episode.Episode
		if err := json.Unmarshal([]byte(raw), &e); err != nil {
			return nil, fmt.Errorf("read episodes: %w", err)
		}
		out = append(out, &e)
	}
	return out, rows.Err()
}

// Count returns the number of recorded episodes and how many of them are
// infrastructure failures.
func (s *Store) Count(ctx context.Context) (total, infra int, err error) {
	err = s.db.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(SUM(infra != ''), 0) FROM episodes`).Scan(&total, &infra)
	if err != nil {
		return 0, 0, fmt.Errorf("count episodes: %w", err)
	}
	return total, infra, nil
}

// Cache returns the model-response cache backed by this store.
func (s *Store) Cache() llm.Cache { return responseCache{s.db} }

type responseCache struct{ db *sql.DB }

func (c responseCache) Get(ctx context.Context, key string) (*llm.Response, bool, error) {
	var raw string
	err := c.db.QueryRowContext(ctx, `SELECT response FROM llm_cache WHERE key = ?`, key).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("response cache: %w", err)
	}
	var r llm.Response
	if err := json.Unmarshal([]byte(raw), &r); err != nil {
		return nil, false, fmt.Errorf("response cache: %w", err)
	}
	return &r, true, nil
}

func (c responseCache) Put(ctx context.Context, key string, r *llm.Response) error {
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("response cache: %w", err)
	}
	_, err = c.db.ExecContext(ctx, `INSERT INTO llm_cache(key, response, created_at) VALUES(?, ?, ?)
		ON CONFLICT(key) DO NOTHING`, key, string(b), time.Now().UTC().Format(time.RFC3339Nano))
	if err != nil {
		return fmt.Errorf("response cache: %w", err)
	}
	return nil
}
