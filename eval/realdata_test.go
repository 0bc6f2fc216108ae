package eval

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/rlef/rlef/dataset"
	"github.com/rlef/rlef/episode"
	"github.com/rlef/rlef/internal/shareddata"
	"github.com/rlef/rlef/internal/testenv"
	"github.com/rlef/rlef/judge"
	"github.com/rlef/rlef/llm"
	"github.com/rlef/rlef/llm/llmtest"
	"github.com/rlef/rlef/sandbox"
	"github.com/rlef/rlef/store"
	"github.com/rlef/rlef/verdict"
)

// realRun plays every problem of a real benchmark file through the whole
// stack (fake model over HTTP, real sandbox, real judge, SQLite store).
func realRun(t *testing.T, set *dataset.Set, turns int, responder llmtest.Responder) (*Stats, []*episode.Episode) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	pool, err := sandbox.NewPool(ctx, sandbox.Config{CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	j, err := judge.New(pool, judge.Options{CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	srv := llmtest.New(llmtest.WithResponder(responder))
	defer srv.Close()
	dir := t.TempDir()
	st, err := store.OpenRun(ctx, dir, true)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	prof, _ := llm.LookupProfile("llama3")
	client, err := llm.New(llm.Config{BaseURL: srv.URL, Model: "fake", Profile: &prof, Cache: st.Cache(), Concurrency: 8})
	if err != nil {
		t.Fatal(err)
	}
	info := store.RunInfo{Benchmark: set.Name, DataVersion: set.Version, Model: "fake", Turns: turns, Samples: 1, Feedback: "rlef", Seed: 1}
	for _, p := range set.Problems {
		info.Problems = append(info.Problems, p.ID)
	}
	runner := &episode.Runner{Client: client, Env: &episode.Env{Set: set, Judge: j}, Config: episode.Config{Turns: turns}, Seed: 1}
	stats, err := Run(ctx, Options{Store: st, Info: info, Problems: set.Problems, Runner: runner, Concurrency: 8})
	if err != nil {
		t.Fatal(err)
	}
	if err := ExportTurns(ctx, st, dir); err != nil {
		t.Fatal(err)
	}
	eps, err := st.Episodes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(eps) != len(set.Problems) || stats.Infra != 0 {
		t.Fatalf("%d episodes for %d problems, %d infrastructure failures", len(eps), len(set.Problems), stats.Infra)
	}
	return stats, eps
}

// A model that answers every HumanEval+ problem with its canonical
// solution: every episode passes base and plus on the first turn. -short
// plays a sample of the problems.
func TestRealHumanEvalPlus(t *testing.T) {
	set, err := dataset.LoadEvalPlus(shareddata.Path(t, "evalplus", "HumanEvalPlus-Mini.jsonl.gz"), "humaneval+")
	if err != nil {
		t.Fatal(err)
	}
	set.Problems = testenv.ShortSample(set.Problems, 12) // Lookup scans a shortened set
	solution := map[string]string{}
	for _, p := range set.Problems {
		solution[p.StarterCode] = p.Solutions[0].Code
	}
	stats, eps := realRun(t, set, 3, func(r *llmtest.Request) llmtest.Reply {
		for prompt, code := range solution {
			if strings.HasSuffix(r.Messages[0].Content, prompt) {
				return llmtest.Text("Here is my solution:\n```python\n" + code + "\n```\n")
			}
		}
		return llmtest.Text("no idea")
	})
	for _, e := range eps {
		if !e.Passed || len(e.Turns) != 1 || len(e.Final) != 2 {
			t.Errorf("%s: passed=%v turns=%d final suites=%d", e.Problem, e.Passed, len(e.Turns), len(e.Final))
		}
	}
	t.Logf("HumanEval+ (mini): %d episodes, %d passed, %d requests", stats.Done, stats.Passed, stats.Requests)
}

// A model that never solves a CodeContests problem: every episode uses all
// its turns, gets feedback quoting the failing public tests, and is judged
// on the private tests at the end. -short plays a sample of the problems.
func TestRealCodeContests(t *testing.T) {
	set, err := dataset.LoadCodeContestsRLLM(shareddata.Path(t, "codecontests", "rllm_test_code_contests_165.json"))
	if err != nil {
		t.Fatal(err)
	}
	set.Problems = testenv.ShortSample(set.Problems, 8)
	stats, eps := realRun(t, set, 2, func(r *llmtest.Request) llmtest.Reply {
		return llmtest.Text("```python\nimport sys\nsys.stdin.read()\nprint(-1)\n```")
	})
	withPublic := 0
	for _, e := range eps {
		p, _ := set.Lookup(e.Problem)
		if len(p.Public) == 0 {
			continue
		}
		withPublic++
		if e.Passed || len(e.Turns) != 2 {
			t.Errorf("%s: passed=%v turns=%d", e.Problem, e.Passed, len(e.Turns))
			continue
		}
		if t1 := e.Turns[0]; t1.Verdict != verdict.WrongAnswer || !strings.Contains(t1.Feedback, "Expected output `") {
			t.Errorf("%s: turn 1 verdict %s, feedback %.200q", e.Problem, t1.Verdict, t1.Feedback)
		}
		if len(e.Final) != 1 || (e.Final[0].Total > 0 && e.Final[0].Verdict == verdict.Accepted) {
			t.Errorf("%s: final %+v", e.Problem, e.Final)
		}
	}
	// 150 of the 165 problems have public tests.
	if withPublic < len(set.Problems)*150/165 {
		t.Errorf("only %d of %d problems have public tests", withPublic, len(set.Problems))
	}
	t.Logf("CodeContests: %d episodes, %d requests", stats.Done, stats.Requests)
}
