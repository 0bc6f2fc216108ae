package lab

import (
	"context"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/rlef/rlef/episode"
	"github.com/rlef/rlef/judge"
	"github.com/rlef/rlef/llm"
	"github.com/rlef/rlef/sandbox"
	"github.com/rlef/rlef/verdict"
)

// realJudge starts a sandbox pool; under CI a missing sandbox fails.
func realJudge(t *testing.T) *judge.Judge {
	t.Helper()
	ctx := context.Background()
	pool, err := sandbox.NewPool(ctx, sandbox.Config{Slots: 2, CacheDir: t.TempDir()})
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("the sandbox is needed: %v", err)
		}
		t.Skipf("no sandbox: %v", err)
	}
	t.Cleanup(func() { pool.Close() })
	j, err := judge.New(pool, judge.Options{CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	return j
}

func TestGenerateIsDeterministicAndValid(t *testing.T) {
	a := Generate(rand.New(rand.NewPCG(4, 5)), 40, "t")
	b := Generate(rand.New(rand.NewPCG(4, 5)), 40, "t")
	kinds := map[Kind]int{}
	for i := range a {
		if a[i].Problem.Statement != b[i].Problem.Statement || a[i].Answer != b[i].Answer || a[i].Problem.Private[0] != b[i].Problem.Private[0] {
			t.Fatalf("problem %d differs between two generations with one seed", i)
		}
		p := a[i].Problem
		if err := p.Validate(); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(p.Statement, a[i].Answer) && a[i].Kind == KindHole {
			// The statement may contain digits, but never states the hole.
			if strings.Contains(p.Statement, "is "+a[i].Answer) {
				t.Errorf("%s: the statement gives the answer away: %q", p.ID, p.Statement)
			}
		}
		kinds[a[i].Kind]++
	}
	if kinds[KindHole] == 0 || kinds[KindSep] == 0 {
		t.Fatalf("kinds generated: %v", kinds)
	}
}

// In the real sandbox: the reference passes every test; every other
// guess and the program that prints the public expected output fail the
// private tests; and the public test's feedback shows the hidden part.
func TestTasksInTheSandbox(t *testing.T) {
	j := realJudge(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	tasks := Generate(rand.New(rand.NewPCG(7, 7)), 6, "t")
	set, err := Set(tasks, "test")
	if err != nil {
		t.Fatal(err)
	}
	pub, priv := judge.PublicSuite(set), judge.PrivateSuite(set)
	for _, task := range tasks {
		p := task.Problem
		res, err := j.Judge(ctx, p, judge.Submission{Language: "python", Code: task.Solution(task.Answer)}, pub, priv)
		if err != nil {
			t.Fatal(err)
		}
		if !res.Passed() {
			t.Fatalf("%s: the reference fails: %+v", p.ID, res.Suites)
		}
		cheat := "print(" + strings.TrimSpace(p.Public[0].Output) + ")\n"
		for _, code := range []string{cheat, task.Solution(wrongGuess(task))} {
			res, err := j.Judge(ctx, p, judge.Submission{Language: "python", Code: code}, priv)
			if err != nil {
				t.Fatal(err)
			}
			if res.Suites[0].Verdict == verdict.Accepted {
				t.Errorf("%s: %q passes the private tests", p.ID, code)
			}
		}
		res, err = j.Judge(ctx, p, judge.Submission{Language: "python", Code: task.Solution(wrongGuess(task))}, pub)
		if err != nil {
			t.Fatal(err)
		}
		fb := episode.Feedback(episode.FamilyCodeContests, &res.Suites[0], 0)
		if !revealed(task, fb) {
			t.Errorf("%s (answer %q): the feedback does not show it:\n%s", p.ID, task.Answer, fb)
		}
	}
}

func wrongGuess(t *Task) string {
	for _, g := range t.Guesses {
		if g != t.Answer {
			return g
		}
	}
	return ""
}

func revealed(t *Task, fb string) bool {
	if t.Kind == KindHole {
		return strings.Contains(fb, "Expected output `"+t.Answer+"\n`")
	}
	return strings.Contains(fb, "- input `"+strings.TrimRight(t.Problem.Public[0].Input, "\n"))
}

// The teacher's dialogues go through the real episode loop: they start
// with the problem's prompt, alternate, and carry real feedback.
func TestTeacherDialogues(t *testing.T) {
	j := realJudge(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	tasks := Generate(rand.New(rand.NewPCG(8, 8)), 12, "t")
	set, err := Set(tasks, "test")
	if err != nil {
		t.Fatal(err)
	}
	cj := &CachingJudge{Inner: j}
	tc := Teacher{NoInt: 0.2, Syntax: 0.1, Invalid: 0.1, Repeat: 0.5, Fix: 0.2}
	var calls int
	ds, err := tc.Dialogues(ctx, &episode.Env{Set: set, Judge: cj}, tasks, 3, 1, 4, func(int) { calls++ })
	if err != nil {
		t.Fatal(err)
	}
	if calls != len(tasks) {
		t.Errorf("progress called %d times for %d dialogues", calls, len(tasks))
	}
	feedback := 0
	for i, d := range ds {
		user, _ := episode.InitialPrompt(episode.FamilyCodeContests, tasks[i].Problem)
		if len(d.Messages) < 2 || d.Messages[0].Content != user {
			t.Fatalf("dialogue %d does not start with the prompt", i)
		}
		for k, m := range d.Messages {
			want := llm.RoleUser
			if k%2 == 1 {
				want = llm.RoleAssistant
			}
			if m.Role != want {
				t.Fatalf("dialogue %d message %d is %s, want %s", i, k, m.Role, want)
			}
			if k > 0 && m.Role == llm.RoleUser {
				feedback++
				if !strings.Contains(m.Content, "Give it another try.") {
					t.Errorf("dialogue %d message %d is not feedback: %q", i, k, m.Content)
				}
			}
		}
		if len(d.Messages) > 6 {
			t.Errorf("dialogue %d has %d messages for 3 turns", i, len(d.Messages))
		}
	}
	if feedback == 0 {
		t.Error("no dialogue received feedback")
	}
	// The same seed gives the same dialogues, judged from the cache.
	again, err := tc.Dialogues(ctx, &episode.Env{Set: set, Judge: cj}, tasks, 3, 1, 2, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range ds {
		if len(ds[i].Messages) != len(again[i].Messages) || ds[i].Messages[len(ds[i].Messages)-1] != again[i].Messages[len(again[i].Messages)-1] {
			t.Fatalf("dialogue %d differs between two runs with one seed", i)
		}
	}
	if cj.Hits == 0 {
		t.Error("the cache was never used")
	}
}
