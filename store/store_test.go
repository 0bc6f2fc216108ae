package store

import (
	"context"
	"fmt"
	"path/filepath"
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
	var turns int
	st.db.QueryRow(`SELECT COUNT(*) FROM turns`).Scan(&turns)
	if len(eps) != 1 || !eps[0].Passed || total != 1 || infra != 0 || turns != 1 {
		t.Errorf("episodes %d passed %v total %d infra %d turns %d", len(eps), eps[0].Passed, total, infra, turns)
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
