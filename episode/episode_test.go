package episode

import (
	"context"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/rlef/rlef/dataset"
	"github.com/rlef/rlef/judge"
	"github.com/rlef/rlef/verdict"
)

func TestExtract(t *testing.T) {
	for _, c := range []struct {
		name, text string
		rule       Rule
		want       string
		ok         bool
	}{
		{"one block", "Here:\n```python\nprint(1)\n```\nDone.", LastFence, "print(1)", true},
		{"last of two", "```python\nx = 1\n```\nBetter:\n```python\nx = 2\n```", LastFence, "x = 2", true},
		{"first of two", "```python\nx = 1\n```\nBetter:\n```python\nx = 2\n```", FirstFence, "x = 1", true},
		{"untagged", "```\nprint(2)\n```", LastFence, "print(2)", true},
		{"python beats untagged", "```python\na()\n```\n```\nb()\n```", LastFence, "a()", true},
		{"other language skipped", "```text\n3 4\n```\n```py\nprint(7)\n```\n```bash\nls\n```", LastFence, "print(7)", true},
		{"only other language", "```bash\nls\n```", LastFence, "", false},
		{"unterminated (truncated)", "```python\ndef f():\n    return 1", LastFence, "def f():\n    return 1", true},
		{"indented fence", "  ```python\n  print(3)\n  ```", LastFence, "  print(3)", true},
		{"one-line fence", "```python print(9) ```", LastFence, "print(9)", true},
		{"longer fence holds shorter", "````python\nprint('```')\n````", LastFence, "print('```')", true},
		{"capitalised tag", "```Python\nprint(5)\n```", LastFence, "print(5)", true},
		{"no code", "I cannot solve this.", LastFence, "", false},
		{"empty block", "```python\n\n```", LastFence, "", false},
		{"raw", "  print(1)\n", Raw, "print(1)", true},
		{"raw empty", "   ", Raw, "", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, ok := Extract(c.text, c.rule, "python")
			if got != c.want || ok != c.ok {
				t.Errorf("Extract = %q, %v; want %q, %v", got, ok, c.want, c.ok)
			}
		})
	}
}

func FuzzExtract(f *testing.F) {
	for _, s := range []string{"```python\nx\n```", "````\n```\n````", "```", "``` ```", "```py a ```b```", "\n```\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		for _, r := range []Rule{LastFence, FirstFence, Raw} {
			code, ok := Extract(text, r, "python")
			if ok && strings.TrimSpace(code) == "" {
				t.Fatalf("%s: ok with empty code for %q", r, text)
			}
			if !ok && code != "" {
				t.Fatalf("%s: code without ok for %q", r, text)
			}
			if ok && r != Raw && !strings.Contains(text, strings.TrimSpace(code)) {
				t.Fatalf("%s: extracted %q not in %q", r, code, text)
			}
		}
	})
}

// The templates are the paper's, byte for byte (rlef-paper.md §1.3).
func TestInitialPrompts(t *testing.T) {
	cc := &dataset.Problem{ID: "x", Mode: dataset.ModeStdio, Statement: "Add two numbers."}
	user, prefill := InitialPrompt(FamilyCodeContests, cc)
	want := "Provide a Python solution for the following competitive programming question: Add two numbers..\n\n" +
		"Your code should be enclosed in triple backticks like so: ```python YOUR CODE HERE ```. Use the backticks for your code only."
	if user != want || prefill != "" {
		t.Errorf("CodeContests prompt:\n%q\nwant\n%q", user, want)
	}
	he := &dataset.Problem{ID: "HumanEval/0", Mode: dataset.ModeFunction, EntryPoint: "f", StarterCode: "def f(x):\n    \"\"\"Double x.\"\"\"\n"}
	user, prefill = InitialPrompt(FamilyHumanEval, he)
	if user != "Write a solution to the following problem and make sure that it passes the tests:\ndef f(x):\n    \"\"\"Double x.\"\"\"\n" {
		t.Errorf("HumanEval+ prompt %q", user)
	}
	if prefill != "```python\ndef f(x):\n    \"\"\"Double x.\"\"\"\n" {
		t.Errorf("HumanEval+ prefill %q", prefill)
	}
	mb := &dataset.Problem{ID: "Mbpp/2", Mode: dataset.ModeFunction, EntryPoint: "similar_elements",
		Statement: "\"\"\"\nWrite a function to find the shared elements from the given two lists.\nassert set(similar_elements((3, 4, 5, 6),(5, 7, 4, 10))) == set((4, 5))\n\"\"\"\n"}
	user, _ = InitialPrompt(FamilyMBPP, mb)
	want = "Provide a Python solution for the following problem: Write a function to find the shared elements from the given two lists.\n" +
		"Your code should pass these tests:\n\nassert set(similar_elements((3, 4, 5, 6),(5, 7, 4, 10))) == set((4, 5))\n\n" +
		"Your code should be enclosed in triple backticks like so: ```python YOUR CODE HERE ```. Use the backticks for your code only."
	if user != want {
		t.Errorf("MBPP+ prompt:\n%q\nwant\n%q", user, want)
	}
}

func TestFeedbackTemplates(t *testing.T) {
	stdio := &judge.SuiteResult{Name: "public", Verdict: verdict.WrongAnswer, Tests: []judge.TestResult{
		{Index: 0, Verdict: verdict.WrongAnswer, Input: "1 2\n", Expected: "3\n", Actual: "4\n"},
		{Index: 1, Verdict: verdict.Accepted, Input: "2 2\n"},
		{Index: 2, Verdict: verdict.RuntimeError, Input: "x\n", Traceback: "Traceback (most recent call last):\n  File \"/w/main.py\", line 1\nValueError: bad"},
		{Index: 3, Verdict: verdict.TimeLimit, Input: "9\n"},
		{Index: 4, Verdict: verdict.MemoryLimit, Input: "8\n"},
	}}
	got := Feedback(FamilyCodeContests, stdio, 0)
	want := "Your code failed the following tests:\n\n" +
		"- input `1 2\n` failed:\nExpected output `3\n` but got `4\n`\n" +
		"- input `x\n` failed:\nTraceback (most recent call last):\n  File \"/w/main.py\", line 1\nValueError: bad\n" +
		"- input `9\n` failed: Execution took too long.\n" +
		"- input `8\n` failed: Out of memory.\n" +
		"\nGive it another try.\nYour code should be enclosed in triple backticks like so: ```python YOUR CODE HERE ```. Use the backticks for your code only."
	if got != want {
		t.Errorf("CodeContests feedback:\n%s\n--- want\n%s", got, want)
	}
	fn := &judge.SuiteResult{Name: "base", Verdict: verdict.WrongAnswer, Tests: []judge.TestResult{
		{Verdict: verdict.WrongAnswer, Assertion: "assert f(1) == 2", AssertionError: "AssertionError: 3 != 2"},
		{Verdict: verdict.Accepted, Assertion: "assert f(0) == 0"},
		{Verdict: verdict.RuntimeError, Assertion: "assert f(-1) == -2", Traceback: "Traceback ...\nZeroDivisionError: division by zero"},
		{Verdict: verdict.TimeLimit, Assertion: "assert f(10**9) == 2*10**9"},
	}}
	got = Feedback(FamilyHumanEval, fn, 0)
	want = "Your code failed some test cases:\n\n" +
		"- Failure: `assert f(1) == 2`:\n`AssertionError: 3 != 2`\n" +
		"- Success: `assert f(0) == 0`\n" +
		"- Failure: `assert f(-1) == -2`:\nTraceback ...\nZeroDivisionError: division by zero\n" +
		"- Failure: `assert f(10**9) == 2*10**9`:\nExecution took too long.\n" +
		"\nGive it another try."
	if got != want {
		t.Errorf("HumanEval+ feedback:\n%s\n--- want\n%s", got, want)
	}
	if got := Feedback(FamilyMBPP, fn, 0); !strings.HasSuffix(got, "Give it another try.\n"+codeInstruction) {
		t.Errorf("MBPP+ feedback must end with the code instruction: %q", got)
	}
	long := &judge.SuiteResult{Tests: []judge.TestResult{{Verdict: verdict.WrongAnswer, Input: "1", Expected: "2", Actual: strings.Repeat("y", 100000)}}}
	if got := Feedback(FamilyCodeContests, long, 1000); len(got) > 2000 || !strings.Contains(got, "characters omitted") {
		t.Errorf("long output not clipped: %d bytes", len(got))
	}
	// A clip never splits a character of the text sent to the model.
	for _, n := range []int{999, 1000, 1001, 1002} {
		wide := &judge.SuiteResult{Tests: []judge.TestResult{{Verdict: verdict.WrongAnswer, Input: "1", Expected: "2", Actual: strings.Repeat("ж€😀", 1000)}}}
		got := Feedback(FamilyCodeContests, wide, n)
		if !utf8.ValidString(got) || !strings.Contains(got, "characters omitted") {
			t.Errorf("maxField %d: clipped feedback is not valid UTF-8 or not clipped: %q", n, got)
		}
	}
}

// scriptJudge decides by the code's text: "ok" passes everything, "pub"
// passes only public tests, "boom" is a sandbox failure, anything else is
// a wrong answer.
type scriptJudge struct{ calls []string }

func (j *scriptJudge) Judge(ctx context.Context, p *dataset.Problem, sub judge.Submission, suites ...judge.Suite) (*judge.Result, error) {
	j.calls = append(j.calls, suites[0].Kind.String()+":"+sub.Code)
	v := verdict.WrongAnswer
	switch {
	case strings.Contains(sub.Code, "boom"):
		return nil, errors.New("slot died")
	case strings.Contains(sub.Code, "ok"):
		v = verdict.Accepted
	case strings.Contains(sub.Code, "pub") && suites[0].Kind == judge.Public:
		v = verdict.Accepted
	}
	tr := judge.TestResult{Verdict: v, Input: "in\n", Expected: "out\n", Actual: "bad\n"}
	passed := 0
	if v == verdict.Accepted {
		passed = 1
	}
	return &judge.Result{Suites: []judge.SuiteResult{{Name: suites[0].Name, Verdict: v, Passed: passed, Total: 1, Tests: []judge.TestResult{tr}}}}, nil
}

func code(s string) Reply {
	return Reply{Text: "```python\n" + s + "\n```", Answer: "```python\n" + s + "\n```"}
}

func TestSessionProtocol(t *testing.T) {
	set := &dataset.Set{Name: "codecontests", PublicSuite: "public", PrivateSuite: "private"}
	p := &dataset.Problem{ID: "p1", Mode: dataset.ModeStdio, Statement: "S", Public: []dataset.Test{{Input: "in\n", Output: "out\n"}}}
	ctx := context.Background()
	for _, c := range []struct {
		name     string
		replies  []Reply
		turns    int
		passed   bool
		ret      float64
		verdicts []verdict.Verdict
		infra    bool
	}{
		{"solved at once", []Reply{code("ok")}, 1, true, 1, []verdict.Verdict{verdict.Accepted}, false},
		{"fixed on turn 2", []Reply{code("bad"), code("ok")}, 2, true, 1, []verdict.Verdict{verdict.WrongAnswer, verdict.Accepted}, false},
		{"turn limit", []Reply{code("a"), code("b"), code("c")}, 3, false, -1, []verdict.Verdict{verdict.WrongAnswer, verdict.WrongAnswer, verdict.WrongAnswer}, false},
		{"invalid then fixed", []Reply{{Text: "no idea", Answer: "no idea"}, code("ok")}, 2, true, 0.8, []verdict.Verdict{verdict.Invalid, verdict.Accepted}, false},
		{"public passes, private fails", []Reply{code("pub")}, 1, false, -1, []verdict.Verdict{verdict.Accepted}, false},
		{"invalid last turn", []Reply{code("a"), code("b"), {Text: "sorry", Answer: "sorry"}}, 3, false, -1, []verdict.Verdict{verdict.WrongAnswer, verdict.WrongAnswer, verdict.Invalid}, false},
		{"sandbox failure", []Reply{code("boom")}, 1, false, 0, []verdict.Verdict{""}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			j := &scriptJudge{}
			s := NewSession(&Env{Set: set, Judge: j}, Config{}, p, 0, 1)
			for i, r := range c.replies {
				if s.Done() {
					t.Fatalf("done before reply %d", i)
				}
				msgs := s.Messages()
				if msgs[len(msgs)-1].Role != "user" || len(msgs) != 2*i+1 {
					t.Fatalf("turn %d: %d messages, last %q", i+1, len(msgs), msgs[len(msgs)-1].Role)
				}
				_, err := s.Step(ctx, r)
				if c.infra {
					if !errors.Is(err, ErrInfra) {
						t.Fatalf("err %v, want ErrInfra", err)
					}
				} else if err != nil {
					t.Fatal(err)
				}
			}
			e := s.Episode()
			if !s.Done() || len(e.Turns) != c.turns || e.Passed != c.passed || e.Return != c.ret || (e.Infra != "") != c.infra {
				t.Fatalf("done=%v turns=%d passed=%v return=%v infra=%q", s.Done(), len(e.Turns), e.Passed, e.Return, e.Infra)
			}
			for i, v := range c.verdicts {
				if e.Turns[i].Verdict != v {
					t.Errorf("turn %d verdict %s, want %s", i+1, e.Turns[i].Verdict, v)
				}
			}
			if !c.infra && e.Turns[len(e.Turns)-1].Feedback != "" {
				t.Error("the last turn has feedback")
			}
			for _, tt := range e.Turns[:len(e.Turns)-1] {
				if tt.Feedback == "" {
					t.Errorf("turn %d has no feedback", tt.Index)
				}
			}
		})
	}
}

func TestSessionFeedbackModes(t *testing.T) {
	set := &dataset.Set{Name: "codecontests", Problems: []*dataset.Problem{
		{ID: "p1", Mode: dataset.ModeStdio, Public: []dataset.Test{{Input: "mine\n", Output: "x"}}},
		{ID: "p2", Mode: dataset.ModeStdio, Public: []dataset.Test{{Input: "other\n", Output: "y"}},
			Incorrect: []dataset.Solution{{Language: "python", Code: "print('wrong')"}}},
	}}
	ctx := context.Background()
	j := &scriptJudge{}
	s := NewSession(&Env{Set: set, Judge: j}, Config{Feedback: FeedbackNone}, set.Problems[0], 0, 1)
	turn, _ := s.Step(ctx, code("bad"))
	if turn.Feedback != "Give it another try.\n"+codeInstruction {
		t.Errorf("no-feedback ablation: %q", turn.Feedback)
	}
	s = NewSession(&Env{Set: set, Judge: j, Random: NewRandomFeedback(set, j)}, Config{Feedback: FeedbackRandom}, set.Problems[0], 0, 1)
	turn, err := s.Step(ctx, code("bad"))
	if err != nil {
		t.Fatal(err)
	}
	// The feedback is about p2's tests, run with p2's incorrect solution.
	if !strings.Contains(j.calls[len(j.calls)-1], "print('wrong')") || !strings.Contains(turn.Feedback, "Your code failed") {
		t.Errorf("random feedback: calls %v feedback %q", j.calls, turn.Feedback)
	}
}

// A problem without hidden tests is decided by its public tests: an empty
// private suite proves nothing.
func TestNoPrivateTestsFallsBackToPublic(t *testing.T) {
	set := &dataset.Set{Name: "codecontests"}
	p := &dataset.Problem{ID: "p", Mode: dataset.ModeStdio, Public: []dataset.Test{{Input: "1", Output: "2"}}}
	empty := judgeFunc(func(suites []judge.Suite, code string) judge.SuiteResult {
		if suites[0].Kind == judge.Private {
			return judge.SuiteResult{Name: "private", Verdict: verdict.Accepted, Total: 0}
		}
		if strings.Contains(code, "ok") {
			return judge.SuiteResult{Name: "public", Verdict: verdict.Accepted, Passed: 1, Total: 1}
		}
		return judge.SuiteResult{Name: "public", Verdict: verdict.WrongAnswer, Total: 1, Tests: []judge.TestResult{{Verdict: verdict.WrongAnswer}}}
	})
	for _, c := range []struct {
		replies []Reply
		passed  bool
	}{
		{[]Reply{code("bad"), code("bad"), code("bad")}, false},
		{[]Reply{code("bad"), code("ok")}, true},
	} {
		s := NewSession(&Env{Set: set, Judge: empty}, Config{}, p, 0, 1)
		for _, r := range c.replies {
			if _, err := s.Step(context.Background(), r); err != nil {
				t.Fatal(err)
			}
		}
		if s.Episode().Passed != c.passed {
			t.Errorf("%d turns: passed %v, want %v", len(c.replies), s.Episode().Passed, c.passed)
		}
	}
}

type judgeFunc func(suites []judge.Suite, code string) judge.SuiteResult

func (f judgeFunc) Judge(ctx context.Context, p *dataset.Problem, sub judge.Submission, suites ...judge.Suite) (*judge.Result, error) {
	return &judge.Result{Suites: []judge.SuiteResult{f(suites, sub.Code)}}, nil
}

// With prefilling, the response continues the prompt inside an opened
// fence; its first line's indentation must survive.
func TestPrefillContinuation(t *testing.T) {
	set := &dataset.Set{Name: "humaneval+", PassNeedsPublic: true}
	p := &dataset.Problem{ID: "HumanEval/0", Mode: dataset.ModeFunction, EntryPoint: "f",
		StarterCode: "def f(x):\n    \"\"\"Double.\"\"\"\n", Public: []dataset.Test{{Input: "[1]"}}}
	var got string
	j := judgeFunc(func(suites []judge.Suite, code string) judge.SuiteResult {
		got = code
		return judge.SuiteResult{Name: suites[0].Name, Verdict: verdict.Accepted, Passed: 1, Total: 1}
	})
	s := NewSession(&Env{Set: set, Judge: j}, Config{Prefill: true}, p, 0, 1)
	msgs := s.Messages()
	if last := msgs[len(msgs)-1]; last.Role != "assistant" || !strings.HasPrefix(last.Content, "```python\ndef f(x):") {
		t.Fatalf("prefill message %+v", last)
	}
	text := "    return 2 * x\n```\n"
	if _, err := s.Step(context.Background(), Reply{Text: text, Answer: strings.TrimSpace(text)}); err != nil {
		t.Fatal(err)
	}
	want := "def f(x):\n    \"\"\"Double.\"\"\"\n    return 2 * x"
	if got != want {
		t.Errorf("judged code %q, want %q", got, want)
	}
}

func TestTurnSeedStable(t *testing.T) {
	a, b := TurnSeed(1, "p", 0, 1), TurnSeed(1, "p", 0, 1)
	if a != b || a == TurnSeed(1, "p", 0, 2) || a == TurnSeed(2, "p", 0, 1) || a < 0 || a > 0x7fffffff {
		t.Errorf("seeds %d %d", a, b)
	}
}
