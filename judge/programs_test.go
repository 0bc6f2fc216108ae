package judge

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/rlef/rlef/dataset"
	"github.com/rlef/rlef/verdict"
)

// TestPythonStdioVerdicts: a Python stdio program runs as a fresh process
// per test, with every verdict the sandbox can tell.
func TestPythonStdioVerdicts(t *testing.T) {
	j := testJudge(t)
	p := &dataset.Problem{
		ID: "double", Mode: dataset.ModeStdio, Checker: dataset.CheckTokens, TimeLimit: time.Second, MemoryLimit: 256 << 20,
		Public: []dataset.Test{{Input: "1\n", Output: "2\n"}, {Input: "21\n", Output: "42\n"}, {Input: "5\n", Output: "10\n"}},
	}
	for _, tc := range []struct {
		name string
		code string
		want []verdict.Verdict
		text string // in a failure's stderr, traceback or message
		// limit overrides the time limit: filling 256 MiB page by page
		// costs more than a second of CPU here before the cgroup stops it.
		limit time.Duration
	}{
		{"accepted", "print(int(input()) * 2)\n", []verdict.Verdict{"accepted", "accepted", "accepted"}, "", 0},
		{"main guard and argv", "import sys\ndef main():\n    print(int(sys.stdin.readline()) * 2)\nif __name__ == '__main__' and sys.argv == ['/w/main.py']:\n    main()\n",
			[]verdict.Verdict{"accepted", "accepted", "accepted"}, "", 0},
		{"binary stdin", "import sys\nprint(int(sys.stdin.buffer.read()) * 2)\n", []verdict.Verdict{"accepted", "accepted", "accepted"}, "", 0},
		{"open(0)", "print(int(open(0).read()) * 2)\n", []verdict.Verdict{"accepted", "accepted", "accepted"}, "", 0},
		{"wrong on one", "n = int(input())\nprint(n * 2 if n != 21 else 0)\n", []verdict.Verdict{"accepted", "wrong_answer", "accepted"}, "", 0},
		{"exception", "n = int(input())\nprint(10 // (n - 21))\n", []verdict.Verdict{"wrong_answer", "runtime_error", "wrong_answer"}, "ZeroDivisionError", 0},
		{"exit code", "import sys\nn = int(input())\nprint(n * 2)\nsys.exit(3 if n == 5 else 0)\n", []verdict.Verdict{"accepted", "accepted", "runtime_error"}, "exit code 3", 0},
		{"cpu time", "n = int(input())\nwhile n == 21:\n    pass\nprint(n * 2)\n", []verdict.Verdict{"accepted", "time_limit", "accepted"}, "", 0},
		{"sleep", "import time\nn = int(input())\nif n == 1:\n    time.sleep(60)\nprint(n * 2)\n", []verdict.Verdict{"time_limit", "accepted", "accepted"}, "", 0},
		{"memory", "n = int(input())\nx = b'1' * (1 << 30) if n == 5 else b''\nprint(n * 2)\n", []verdict.Verdict{"accepted", "accepted", "memory_limit"}, "", 10 * time.Second},
		{"stderr and recursion", "import sys\nsys.stderr.write('note\\n')\ndef f(k):\n    return f(k + 1)\nn = int(input())\nprint(f(0) if n == 1 else n * 2)\n", []verdict.Verdict{"runtime_error", "accepted", "accepted"}, "RecursionError", 0},
		{"child process left behind", "import os, time\nn = int(input())\nif os.fork() == 0:\n    time.sleep(30)\n    os._exit(0)\nprint(n * 2)\n", []verdict.Verdict{"accepted", "accepted", "accepted"}, "", 0},
		{"syntax error", "print(int(input()) *)\n", []verdict.Verdict{"compile_error", "compile_error", "compile_error"}, "SyntaxError", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := *p
			if tc.limit > 0 {
				p.TimeLimit = tc.limit
			}
			r, err := j.Judge(context.Background(), &p, Submission{Code: tc.code}, PublicSuite(nil))
			if err != nil {
				t.Fatal(err)
			}
			var got []verdict.Verdict
			var text string
			for _, tr := range r.Suites[0].Tests {
				got = append(got, tr.Verdict)
			}
			for _, ff := range r.Suites[0].Failures() {
				text += ff.Stderr + ff.Traceback + ff.Message + ff.Error
			}
			if strings.Join(vs(got), ",") != strings.Join(vs(tc.want), ",") {
				t.Errorf("verdicts %v, want %v", got, tc.want)
			}
			if !strings.Contains(text, tc.text) {
				t.Errorf("failure text %q lacks %q", text, tc.text)
			}
		})
	}
}

func vs(v []verdict.Verdict) []string {
	out := make([]string, len(v))
	for i, x := range v {
		out[i] = string(x)
	}
	return out
}

// TestProgramsStopAtFirstFailure: a suite that stops at its first failure
// runs no test after it (beyond what workers already had in hand), and
// reports nothing after it.
func TestProgramsStopAtFirstFailure(t *testing.T) {
	j := testJudge(t)
	var tests []dataset.Test
	for i := 0; i < 40; i++ {
		tests = append(tests, dataset.Test{Input: itoa(i) + "\n", Output: itoa(2*i) + "\n"})
	}
	p := &dataset.Problem{ID: "many", Mode: dataset.ModeStdio, Public: tests, Private: tests}
	r, err := j.Judge(context.Background(), p, Submission{Code: "print(int(input()) * 2)\n"}, PublicSuite(nil))
	if err != nil {
		t.Fatal(err)
	}
	if s := r.Suites[0]; s.Verdict != verdict.Accepted || s.Passed != 40 || r.Runs != 40 {
		t.Errorf("public: %s %d/%d in %d runs, want accepted 40/40 in 40", s.Verdict, s.Passed, s.Total, r.Runs)
	}
	r, err = j.Judge(context.Background(), p, Submission{Code: "print(int(input()) * 3 + 1)\n"}, PrivateSuite(nil))
	if err != nil {
		t.Fatal(err)
	}
	if s := r.Suites[0]; s.Verdict != verdict.WrongAnswer || len(s.Tests) != 1 || r.Runs > j.sb.Slots() {
		t.Errorf("wrong program: %s, %d tests, %d runs", s.Verdict, len(s.Tests), r.Runs)
	}
	r, err = j.Judge(context.Background(), p, Submission{Code: "n = int(input())\nprint(n * 2 if n != 30 else -1)\n"}, PrivateSuite(nil))
	if err != nil {
		t.Fatal(err)
	}
	if s := r.Suites[0]; s.Verdict != verdict.WrongAnswer || s.FirstFailure.Index != 30 || len(s.Tests) != 31 || s.Passed != 30 {
		t.Errorf("late failure: %s at %d, %d tests, %d passed, %d runs", s.Verdict, s.FirstFailure.Index, len(s.Tests), s.Passed, r.Runs)
	}
}
