package eval

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rlef/rlef/dataset"
	"github.com/rlef/rlef/episode"
	"github.com/rlef/rlef/judge"
	"github.com/rlef/rlef/llm"
	"github.com/rlef/rlef/llm/llmtest"
	"github.com/rlef/rlef/store"
	"github.com/rlef/rlef/verdict"
)

// instantJudge passes code containing "right" and fails everything else,
// without running anything: these tests are about scheduling and storage.
type instantJudge struct{ calls atomic.Int64 }

func (j *instantJudge) Judge(ctx context.Context, p *dataset.Problem, sub judge.Submission, suites ...judge.Suite) (*judge.Result, error) {
	j.calls.Add(1)
	v := verdict.WrongAnswer
	if strings.Contains(sub.Code, "right") {
		v = verdict.Accepted
	}
	tr := judge.TestResult{Verdict: v, Input: "1\n", Expected: "2\n", Actual: "3\n"}
	return &judge.Result{Suites: []judge.SuiteResult{{Name: suites[0].Name, Verdict: v, Passed: 0, Total: 1, Tests: []judge.TestResult{tr}}}}, nil
}

func testSet(n int) *dataset.Set {
	set := &dataset.Set{Name: "toy", Version: "v1", PublicSuite: "public", PrivateSuite: "private"}
	for i := 0; i < n; i++ {
		set.Problems = append(set.Problems, &dataset.Problem{ID: fmt.Sprintf("toy/%d", i), Mode: dataset.ModeStdio,
			Statement: fmt.Sprintf("Problem %d", i), Public: []dataset.Test{{Input: "1\n", Output: "2\n"}}})
	}
	return set
}

type fixture struct {
	set    *dataset.Set
	srv    *llmtest.Server
	dir    string
	judge  *instantJudge
	client func(st *store.Store) *llm.OpenAI
}

func newFixture(t testing.TB, problems int, responder llmtest.Responder) *fixture {
	f := &fixture{set: testSet(problems), srv: llmtest.New(llmtest.WithResponder(responder)), dir: t.TempDir(), judge: &instantJudge{}}
	t.Cleanup(f.srv.Close)
	prof, _ := llm.LookupProfile("llama3")
	f.client = func(st *store.Store) *llm.OpenAI {
		c, err := llm.New(llm.Config{BaseURL: f.srv.URL, Model: "fake", Profile: &prof, Cache: st.Cache(), Concurrency: 8,
			Retry: llm.RetryPolicy{MaxAttempts: 2, BaseDelay: time.Millisecond, MaxDelay: 2 * time.Millisecond}})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	return f
}

func openStore(t testing.TB, f *fixture) (*store.Store, error) {
	st, err := store.OpenRun(context.Background(), f.dir, true)
	if err != nil {
		t.Fatal(err)
	}
	return st, nil
}

func (f *fixture) setup(st *store.Store, samples, turns int) (store.RunInfo, *episode.Runner) {
	info := store.RunInfo{Benchmark: f.set.Name, DataVersion: f.set.Version, Model: "fake", Turns: turns, Samples: samples, Feedback: "rlef", Seed: 3}
	for _, p := range f.set.Problems {
		info.Problems = append(info.Problems, p.ID)
	}
	runner := &episode.Runner{Client: f.client(st), Env: &episode.Env{Set: f.set, Judge: f.judge}, Seed: 3,
		Config: episode.Config{Turns: turns}}
	return info, runner
}

func (f *fixture) run(t testing.TB, ctx context.Context, samples, turns int) (*Stats, *store.Store, error) {
	st, _ := openStore(t, f)
	info, runner := f.setup(st, samples, turns)
	stats, err := Run(ctx, Options{Store: st, Info: info, Problems: f.set.Problems, Runner: runner, Concurrency: 4})
	return stats, st, err
}

// requestKey identifies a model request by what it asks (dialogue + seed).
func requestKey(r *llmtest.Request) string {
	var b strings.Builder
	for _, m := range r.Messages {
		b.WriteString(m.Role + ":" + m.Content + "\x00")
	}
	fmt.Fprint(&b, r.Fields["seed"])
	return b.String()
}

// answer gives wrong code on the first turn of odd problems and right code
// otherwise.
func answer(r *llmtest.Request) llmtest.Reply {
	first := len(r.Messages) == 1
	if first && strings.Contains(r.Messages[0].Content, "Problem 1") {
		return llmtest.Text("```python\nprint('wrong')\n```")
	}
	return llmtest.Text("```python\nprint('right')\n```")
}

func TestInterruptAndResume(t *testing.T) {
	var (
		mu       sync.Mutex
		answered = map[string]int{}
		served   atomic.Int64
		cancel   context.CancelFunc
		phase    atomic.Int64
		stopped  bool
	)
	// The guarantee is about responses the client received: each is
	// stored at once and never requested again. (A request the server is
	// still answering when the run dies cannot be recorded.) The responder
	// is serialised, and before the interruption it waits a moment so that
	// answers in transit land.
	f := newFixture(t, 6, func(r *llmtest.Request) llmtest.Reply {
		mu.Lock()
		defer mu.Unlock()
		if phase.Load() == 0 {
			if stopped {
				return llmtest.Status(500, "going down")
			}
			if served.Add(1) > 7 {
				// Long enough for answers in transit to be stored even on
				// a loaded machine.
				time.Sleep(time.Second)
				stopped = true
				cancel() // the run is killed while other requests wait
				return llmtest.Status(500, "going down")
			}
		}
		answered[requestKey(r)]++
		return answer(r)
	})
	ctx, c := context.WithCancel(context.Background())
	cancel = c
	stats, st, err := f.run(t, ctx, 3, 3)
	if err == nil {
		t.Fatal("the interrupted run reported success")
	}
	st.Close()
	if stats.Done == 0 || stats.Done >= 18 {
		t.Fatalf("interrupted run recorded %d episodes, want some but not all", stats.Done)
	}
	phase.Store(1)
	stats, st, err = f.run(t, context.Background(), 3, 3)
	if err != nil {
		t.Fatalf("resume: %v", err)
	}
	defer st.Close()
	eps, _ := st.Episodes(context.Background())
	if len(eps) != 18 || stats.Done != 18 || stats.Infra != 0 {
		t.Fatalf("after resume: %d episodes stored, stats %+v", len(eps), stats)
	}
	seen := map[store.Key]bool{}
	for _, e := range eps {
		k := store.Key{Problem: e.Problem, Sample: e.Sample}
		if seen[k] {
			t.Errorf("episode %v stored twice", k)
		}
		seen[k] = true
		wantTurns := 1
		if e.Problem == "toy/1" {
			wantTurns = 2
		}
		if len(e.Turns) != wantTurns || !e.Passed {
			t.Errorf("%v: %d turns passed=%v", k, len(e.Turns), e.Passed)
		}
	}
	// No request that was answered was asked again.
	for k, n := range answered {
		if n > 1 {
			t.Errorf("request answered %d times: %.80q", n, k)
		}
	}
	info, _, _ := st.RunInfo(context.Background())
	if !info.Finished() {
		t.Error("the completed run is not marked finished")
	}
}

func TestInfraFailuresAreApartAndRetried(t *testing.T) {
	var healthy atomic.Bool
	f := newFixture(t, 4, func(r *llmtest.Request) llmtest.Reply {
		if !healthy.Load() && strings.Contains(r.Messages[0].Content, "Problem 2") {
			return llmtest.Status(503, "overloaded")
		}
		return answer(r)
	})
	stats, st, err := f.run(t, context.Background(), 1, 3)
	if err != nil {
		t.Fatal(err)
	}
	if stats.Infra != 1 || stats.Passed != 3 {
		t.Fatalf("stats %+v, want 1 infra failure and 3 passes", stats)
	}
	info, _, _ := st.RunInfo(context.Background())
	if info.Finished() {
		t.Error("a run with infrastructure failures is marked finished")
	}
	st.Close()
	healthy.Store(true)
	stats, st, err = f.run(t, context.Background(), 1, 3)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if stats.Ran != 1 || stats.Infra != 0 || stats.Done != 4 {
		t.Fatalf("resume retried %d episodes, stats %+v", stats.Ran, stats)
	}
}

func TestResumeRefusesDifferentRun(t *testing.T) {
	f := newFixture(t, 2, answer)
	_, st, err := f.run(t, context.Background(), 1, 3)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	_, st, err = f.run(t, context.Background(), 2, 3)
	st.Close()
	if err == nil || !strings.Contains(err.Error(), "samples: 1 vs 2") {
		t.Fatalf("err %v, want a refusal naming the samples", err)
	}
}

func TestRequestsReallyInFlight(t *testing.T) {
	const n = 4
	f := newFixture(t, 8, nil)
	f.srv.Close()
	f.srv = llmtest.New(llmtest.WithResponder(llmtest.Barrier(n, answer)))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, st, err := f.run(t, ctx, 1, 1); err != nil {
		t.Fatalf("with concurrency %d and a barrier of %d: %v", n, n, err)
	} else {
		st.Close()
	}
	if got := f.srv.MaxInFlight(); got < n {
		t.Errorf("at most %d requests were in flight, want %d", got, n)
	}
}

func TestExport(t *testing.T) {
	f := newFixture(t, 3, answer)
	_, st, err := f.run(t, context.Background(), 1, 3)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := ExportTurns(context.Background(), st, f.dir); err != nil {
		t.Fatal(err)
	}
	rows := readJSONL(t, filepath.Join(f.dir, TurnsFile))
	if len(rows) != 4 { // 3 problems, toy/1 takes two turns
		t.Fatalf("%d turn rows, want 4", len(rows))
	}
	for _, r := range rows {
		if r["problem"] == nil || r["code"] == nil || r["verdict"] == nil || r["response"] == nil {
			t.Errorf("row lacks fields: %v", r)
		}
	}
}

func readJSONL(t *testing.T, path string) []map[string]any {
	t.Helper()
	data := mustRead(t, path)
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
