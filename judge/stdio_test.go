package judge

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/rlef/rlef/dataset"
	"github.com/rlef/rlef/verdict"
)

// addProblem reads two integers and prints their sum.
func addProblem() *dataset.Problem {
	return &dataset.Problem{
		ID: "add", Mode: dataset.ModeStdio, Checker: dataset.CheckTokens, TimeLimit: 2 * time.Second,
		Public: []dataset.Test{{Input: "1 2\n", Output: "3\n"}, {Input: "5 5\n", Output: "10\n"}},
		Private: []dataset.Test{
			{Input: "100 23\n", Output: "123\n"}, {Input: "-1 1\n", Output: "0\n"},
			{Input: "7 8\n", Output: "15\n"}, {Input: "2 2\n", Output: "4\n"},
		},
	}
}

func TestStdioVerdicts(t *testing.T) {
	j := testJudge(t)
	p := addProblem()
	p.MemoryLimit = 128 << 20
	p.TimeLimit = 500 * time.Millisecond // CPU time; keeps the time-limit case short
	tests := []struct {
		name     string
		lang     string
		code     string
		public   verdict.Verdict
		private  verdict.Verdict
		passed   int // private tests passed
		contains string
		limit    time.Duration // overrides the problem's time limit
	}{
		{"python accepted", "python", "a, b = map(int, input().split())\nprint(a + b)\n", verdict.Accepted, verdict.Accepted, 4, "", 0},
		{"python case and spacing", "python", "a, b = map(int, input().split())\nprint('  %d  ' % (a + b))\n", verdict.Accepted, verdict.Accepted, 4, "", 0},
		{"python wrong on one private", "python", "a, b = map(int, input().split())\nprint(a + b if a != 7 else 0)\n", verdict.Accepted, verdict.WrongAnswer, 2, "", 0},
		{"python runtime error", "python", "a, b = map(int, input().split())\nprint(a // (b - b))\n", verdict.RuntimeError, verdict.RuntimeError, 0, "ZeroDivisionError", 0},
		{"python time limit", "python", "while True:\n    pass\n", verdict.TimeLimit, verdict.TimeLimit, 0, "", 0},
		{"python memory limit", "python", "x = b'1' * (1 << 30)\n", verdict.MemoryLimit, verdict.MemoryLimit, 0, "", 5 * time.Second},
		{"python syntax error", "python", "print(1 +)\n", verdict.CompileError, verdict.CompileError, 0, "SyntaxError", 0},
		{"python exit code", "python", "import sys\nprint(3)\nsys.exit(2)\n", verdict.RuntimeError, verdict.RuntimeError, 0, "", 0},
		{"cpp accepted", "cpp", "#include <cstdio>\nint main(){long long a,b; scanf(\"%lld %lld\",&a,&b); printf(\"%lld\\n\", a+b);}\n", verdict.Accepted, verdict.Accepted, 4, "", 0},
		{"cpp compile error", "cpp", "int main( {\n", verdict.CompileError, verdict.CompileError, 0, "error", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := *p
			if tc.limit > 0 {
				p.TimeLimit = tc.limit
			}
			res, err := j.Judge(context.Background(), &p, Submission{Language: tc.lang, Code: tc.code})
			if err != nil {
				t.Fatal(err)
			}
			pub, priv := res.Suite("public"), res.Suite("private")
			if pub.Verdict != tc.public || priv.Verdict != tc.private {
				t.Fatalf("verdicts public=%s private=%s, want %s %s; first failure %+v", pub.Verdict, priv.Verdict, tc.public, tc.private, priv.FirstFailure)
			}
			if priv.Passed != tc.passed || priv.Total != 4 {
				t.Errorf("private passed %d/%d, want %d/4", priv.Passed, priv.Total, tc.passed)
			}
			if tc.public != verdict.Accepted && len(pub.Tests) != 2 {
				t.Errorf("public suite (no stop) ran %d tests, want 2", len(pub.Tests))
			}
			if tc.contains != "" {
				ff := pub.FirstFailure
				text := ff.Stderr + ff.Traceback + ff.Message
				if res.Compile != nil {
					text += res.Compile.Message
				}
				if !strings.Contains(text, tc.contains) {
					t.Errorf("failure text does not mention %q: %+v compile=%+v", tc.contains, ff, res.Compile)
				}
			}
		})
	}
}

// TestStdioFirstFailureDeterministic: with stop-on-failure, the first
// failure by index is reported whatever order parallel runs finish in, and
// nothing after it is reported.
func TestStdioFirstFailureDeterministic(t *testing.T) {
	j := testJudge(t)
	p := addProblem()
	// Wrong on private tests 1 and 3; test 0 is slow so that later tests
	// finish first.
	code := "import time\na, b = map(int, input().split())\nif a == 100: time.sleep(0.3)\nprint(a + b + (1 if a in (-1, 2) else 0))\n"
	for i := 0; i < 3; i++ {
		res, err := j.Judge(context.Background(), p, Submission{Code: code}, Suite{Name: "private", Kind: Private, StopOnFailure: true})
		if err != nil {
			t.Fatal(err)
		}
		s := res.Suites[0]
		if s.Verdict != verdict.WrongAnswer || s.FirstFailure.Index != 1 || len(s.Tests) != 2 || s.Passed != 1 {
			t.Fatalf("run %d: verdict %s first %d tests %d passed %d: %+v", i, s.Verdict, s.FirstFailure.Index, len(s.Tests), s.Passed, s.FirstFailure)
		}
		if s.FirstFailure.Actual != "1\n" || s.FirstFailure.Expected != "0\n" || s.FirstFailure.Input != "-1 1\n" {
			t.Errorf("feedback fields: %+v", s.FirstFailure)
		}
	}
}

func TestStdioFeedbackFields(t *testing.T) {
	j := testJudge(t)
	p := addProblem()
	res, err := j.Judge(context.Background(), p, Submission{Code: "def f(x):\n    return x[5]\nprint(f(input()))\n"}, PublicSuite(nil))
	if err != nil {
		t.Fatal(err)
	}
	ff := res.Suites[0].FirstFailure
	if ff == nil || ff.Verdict != verdict.RuntimeError {
		t.Fatalf("want runtime error, got %+v", res.Suites[0])
	}
	if !strings.HasPrefix(ff.Traceback, "Traceback (most recent call last):") || !strings.Contains(ff.Traceback, "in f") {
		t.Errorf("traceback: %q", ff.Traceback)
	}
	if ff.Error != "IndexError: string index out of range" {
		t.Errorf("error line: %q", ff.Error)
	}
	if ff.Input != "1 2\n" || ff.Expected != "3\n" {
		t.Errorf("input/expected: %q %q", ff.Input, ff.Expected)
	}
}

func TestStdioCheckers(t *testing.T) {
	j := testJudge(t)
	for _, tc := range []struct {
		checker dataset.Checker
		out     string
		want    verdict.Verdict
	}{
		{dataset.CheckTokens, "YES  1.000001", verdict.Accepted},
		{dataset.CheckTokens, "yes 1.1", verdict.WrongAnswer},
		{dataset.CheckLines, "  yes 1.0  \n", verdict.WrongAnswer}, // one line, expected two
		{dataset.CheckLines, "yes\n1.0\n", verdict.Accepted},
		{dataset.CheckExact, "yes\n1\n\n", verdict.Accepted},
		{dataset.CheckExact, "yes \n1\n", verdict.WrongAnswer},
	} {
		p := &dataset.Problem{ID: "chk", Mode: dataset.ModeStdio, Checker: tc.checker,
			Public: []dataset.Test{{Input: "", Output: "yes\n1\n"}}}
		res, err := j.Judge(context.Background(), p, Submission{Code: "print(" + pyQuote(tc.out) + ", end='')\n"}, PublicSuite(nil))
		if err != nil {
			t.Fatal(err)
		}
		if got := res.Suites[0].Verdict; got != tc.want {
			t.Errorf("%s %q: %s, want %s (%s)", tc.checker, tc.out, got, tc.want, res.Suites[0].Tests[0].Message)
		}
	}
}

func pyQuote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\n", `\n`)
	return "'" + r.Replace(s) + "'"
}
