package episode

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/rlef/rlef/dataset"
	"github.com/rlef/rlef/judge"
	"github.com/rlef/rlef/llm"
	"github.com/rlef/rlef/llm/llmtest"
	"github.com/rlef/rlef/sandbox"
	"github.com/rlef/rlef/verdict"
)

// A real episode: the built-in ring-sum problem, the real sandbox and
// judge, and a fake model that first answers with the known-incorrect
// solution and fixes it once it sees the feedback.
func TestRunnerEndToEnd(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	set, err := dataset.LoadBuiltin()
	if err != nil {
		t.Fatal(err)
	}
	p, ok := set.Lookup("builtin/ring-sum")
	if !ok || len(p.Incorrect) == 0 {
		t.Fatal("builtin/ring-sum with an incorrect solution is needed")
	}
	pool, err := sandbox.NewPool(ctx, sandbox.Config{Slots: 2, CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	j, err := judge.New(pool, judge.Options{CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	var prompts []string
	srv := llmtest.New(llmtest.WithResponder(func(r *llmtest.Request) llmtest.Reply {
		last := r.Messages[len(r.Messages)-1].Content
		prompts = append(prompts, last)
		if strings.Contains(last, "Your code failed") {
			return llmtest.Text("Fixed:\n```python\n" + p.Solutions[0].Code + "```\n")
		}
		return llmtest.Text("```python\n" + p.Incorrect[0].Code + "```")
	}))
	defer srv.Close()
	prof, _ := llm.LookupProfile("llama3")
	t.Setenv("RLEF_TEST_KEY", "k")
	client, err := llm.New(llm.Config{BaseURL: srv.URL, Model: "fake", Profile: &prof, APIKeyEnv: "RLEF_TEST_KEY"})
	if err != nil {
		t.Fatal(err)
	}
	r := &Runner{Client: client, Env: &Env{Set: set, Judge: j}, Config: Config{}, Seed: 7}
	e, err := r.Run(ctx, p, 0)
	if err != nil {
		t.Fatal(err)
	}
	if e.Infra != "" || !e.Passed || len(e.Turns) != 2 || e.Reward != 1 {
		t.Fatalf("episode: passed=%v turns=%d infra=%q", e.Passed, len(e.Turns), e.Infra)
	}
	t1 := e.Turns[0]
	if t1.Verdict != verdict.WrongAnswer || t1.Rule != string(LastFence) || t1.Public == nil {
		t.Errorf("turn 1: verdict %s rule %s", t1.Verdict, t1.Rule)
	}
	// The feedback shows the failing public test with expected and actual
	// output, as the paper's template does.
	if !strings.Contains(t1.Feedback, "- input `3 4 2\n1 2 3 4\n5 6 7 8\n9 10 11 12\n` failed:\nExpected output `13\n` but got `26\n`") {
		t.Errorf("feedback:\n%s", t1.Feedback)
	}
	if len(prompts) != 2 || prompts[1] != t1.Feedback {
		t.Errorf("the model saw %d prompts; the second should be the feedback", len(prompts))
	}
	if e.Turns[1].Verdict != verdict.Accepted || len(e.Final) != 1 || e.Final[0].Verdict != verdict.Accepted {
		t.Errorf("final: %+v", e.Final)
	}
	reqs := srv.Requests()
	if reqs[0].Fields["seed"] == nil || reqs[0].Fields["seed"] == reqs[1].Fields["seed"] {
		t.Errorf("each turn needs its own seed: %v %v", reqs[0].Fields["seed"], reqs[1].Fields["seed"])
	}
}
