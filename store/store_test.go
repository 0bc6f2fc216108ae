package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rlef/rlef/episode"
	"github.com/rlef/rlef/llm"
)

func TestEpisodesAreReplacedNotDuplicated(t *testing.T) {
	ctx := context.Background()
	st, err := OpenRun(ctx, t.TempDir(), true)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	e := &episode.Episode{Problem: "p", Sample: 0, Infra: "server down", Turns: []episode.Turn{{Index: 1}, {Index: 2}}}
	if err := st.PutEpisode(ctx, e); err != nil {
		t.Fatal(err)
	}
	if done, _ := st.Finished(ctx, false); len(done) != 0 {
		t.Errorf("an infrastructure failure counts as finished: %v", done)
	}
	if done, _ := st.Finished(ctx, true); !done[Key{"p", 0}] {
		t.Errorf("withInfra: %v", done)
	}
	// The retry replaces the record and its turns.
	e = &episode.Episode{Problem: "p", Sample: 0, Passed: true, Reward: 1, Turns: []episode.Turn{{Index: 1, Code: "x"}}}
	if err := st.PutEpisode(ctx, e); err != nil {
		t.Fatal(err)
	}
	eps, _ := st.Episodes(ctx)
	total, infra, _ := st.Count(ctx)
	if len(eps) != 1 || !eps[0].Passed || total != 1 || infra != 0 || len(eps[0].Turns) != 1 || eps[0].Turns[0].Code != "x" {
		t.Errorf("episodes %d passed %v total %d infra %d turns %+v", len(eps), eps[0].Passed, total, infra, eps[0].Turns)
	}
}

// A store from before schema versions (with its unread turns table) is
// migrated and keeps its episodes; a store from a newer rlef is refused.
func TestSchemaVersion(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), FileName)
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	legacy := `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE episodes (problem TEXT NOT NULL, sample INTEGER NOT NULL, passed INTEGER NOT NULL,
	reward REAL NOT NULL, turns INTEGER NOT NULL, infra TEXT NOT NULL DEFAULT '', data TEXT NOT NULL,
	finished_at TEXT NOT NULL, PRIMARY KEY (problem, sample));
CREATE TABLE turns (problem TEXT NOT NULL, sample INTEGER NOT NULL, turn INTEGER NOT NULL, data TEXT NOT NULL,
	PRIMARY KEY (problem, sample, turn));
CREATE TABLE llm_cache (key TEXT PRIMARY KEY, response TEXT NOT NULL, created_at TEXT NOT NULL);
INSERT INTO episodes VALUES ('p', 0, 1, 1.0, 1, '', '{"problem":"p","sample":0,"passed":true,"turns":[{"index":1,"code":"x"}]}', '2025-01-01T00:00:00Z');
INSERT INTO turns VALUES ('p', 0, 1, '{"index":1,"code":"x"}');`
	if _, err := db.Exec(legacy); err != nil {
		t.Fatal(err)
	}
	db.Close()

	st, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("open a store without a schema version: %v", err)
	}
	eps, err := st.Episodes(ctx)
	if err != nil || len(eps) != 1 || !eps[0].Passed || len(eps[0].Turns) != 1 || eps[0].Turns[0].Code != "x" {
		t.Fatalf("episodes after migration: %+v, %v", eps, err)
	}
	var version, turnsTables int
	st.db.QueryRow(`PRAGMA user_version`).Scan(&version)
	st.db.QueryRow(`SELECT COUNT(*) FROM sqlite_master WHERE name = 'turns'`).Scan(&turnsTables)
	if version != SchemaVersion || turnsTables != 0 {
		t.Errorf("after migration: schema version %d (want %d), %d turns tables (want 0)", version, SchemaVersion, turnsTables)
	}
	if _, err := st.db.Exec(fmt.Sprintf(`PRAGMA user_version = %d`, SchemaVersion+1)); err != nil {
		t.Fatal(err)
	}
	st.Close()

	_, err = Open(ctx, path)
	if !errors.Is(err, ErrNewerSchema) || !strings.Contains(err.Error(), path) {
		t.Fatalf("open a store of a newer schema: %v; want ErrNewerSchema naming the file", err)
	}
}

func TestConcurrentWritersAndReopen(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := OpenRun(ctx, dir, true)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				e := &episode.Episode{Problem: fmt.Sprintf("p%d", w), Sample: i, Turns: []episode.Turn{{Index: 1}}}
				if err := st.PutEpisode(ctx, e); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	st.Close()
	st, err = OpenRun(ctx, dir, false)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if total, _, _ := st.Count(ctx); total != 160 {
		t.Errorf("%d episodes after reopening, want 160", total)
	}
	if _, err := OpenRun(ctx, filepath.Join(dir, "missing"), false); err == nil {
		t.Error("opened a directory that holds no run")
	}
}

func TestRunInfoAndCache(t *testing.T) {
	ctx := context.Background()
	st, err := OpenRun(ctx, t.TempDir(), true)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, ok, err := st.RunInfo(ctx); ok || err != nil {
		t.Fatalf("fresh store has run info: %v %v", ok, err)
	}
	temp := 0.2
	in := &RunInfo{Benchmark: "b", Problems: []string{"x", "y"}, Samples: 3, Temperature: &temp, CreatedAt: time.Now().UTC().Truncate(time.Second)}
	if err := st.SetRunInfo(ctx, in); err != nil {
		t.Fatal(err)
	}
	out, ok, err := st.RunInfo(ctx)
	if !ok || err != nil || out.Expected() != 6 || *out.Temperature != 0.2 || !out.CreatedAt.Equal(in.CreatedAt) || out.Finished() {
		t.Errorf("run info %+v %v %v", out, ok, err)
	}
	c := st.Cache()
	if _, ok, _ := c.Get(ctx, "k"); ok {
		t.Error("empty cache hit")
	}
	resp := &llm.Response{Choices: []llm.Choice{{Text: "hi", Answer: "hi"}}, Usage: llm.Usage{CompletionTokens: 3}}
	if err := c.Put(ctx, "k", resp); err != nil {
		t.Fatal(err)
	}
	if err := c.Put(ctx, "k", &llm.Response{}); err != nil {
		t.Fatal(err)
	}
	got, ok, err := c.Get(ctx, "k")
	if !ok || err != nil || got.Choices[0].Text != "hi" || got.Usage.CompletionTokens != 3 {
		t.Errorf("cache: %+v %v %v (the first answer must win)", got, ok, err)
	}
}
