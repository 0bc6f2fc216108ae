package judge

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/rlef/rlef/dataset"
	"github.com/rlef/rlef/verdict"
)

func truncateProblem() *dataset.Problem {
	return &dataset.Problem{
		ID: "truncate", Mode: dataset.ModeFunction, EntryPoint: "truncate_number", TimeLimit: 300 * time.Millisecond,
		Public: []dataset.Test{{Input: "[3.5]", Output: "0.5"}, {Input: "[1.25]", Output: "0.25"}},
		Private: []dataset.Test{
			{Input: "[123.0]", Output: "0.0"}, {Input: "[2.75]", Output: "0.75"}, {Input: "[1e-7]", Output: "1e-7"},
		},
	}
}

func TestFunctionVerdicts(t *testing.T) {
	j := testJudge(t)
	p := truncateProblem()
	for _, tc := range []struct {
		name            string
		code            string
		public, private verdict.Verdict
		check           func(t *testing.T, r *Result)
	}{
		{"accepted with noise", "def truncate_number(x):\n    print('debug', x)\n    import sys; sys.stderr.write('x')\n    return x % 1.0\n",
			verdict.Accepted, verdict.Accepted, nil},
		{"float tolerance", "def truncate_number(x):\n    return x % 1.0 + 1e-9\n", verdict.Accepted, verdict.Accepted, nil},
		{"wrong answer rendered", "def truncate_number(x):\n    return round(x % 1.0 - 0.1, 10)\n", verdict.WrongAnswer, verdict.WrongAnswer,
			func(t *testing.T, r *Result) {
				ff := r.Suite("public").FirstFailure
				if ff.Assertion != "assert truncate_number(3.5) == 0.5" || ff.AssertionError != "AssertionError: 0.4 != 0.5" {
					t.Errorf("rendering: %q / %q", ff.Assertion, ff.AssertionError)
				}
				if ff.Actual != "0.4" || ff.Expected != "0.5" || ff.Input != "[3.5]" {
					t.Errorf("values: %+v", ff)
				}
			}},
		{"exception with traceback", "def helper(x):\n    return 1 / 0\n\ndef truncate_number(x):\n    return helper(x)\n", verdict.RuntimeError, verdict.RuntimeError,
			func(t *testing.T, r *Result) {
				ff := r.Suite("public").FirstFailure
				if ff.Error != "ZeroDivisionError: division by zero" || !strings.Contains(ff.Traceback, `File "solution.py", line 2, in helper`) {
					t.Errorf("error: %q traceback: %q", ff.Error, ff.Traceback)
				}
				if strings.Contains(ff.Traceback, "main.py") || strings.Contains(ff.Traceback, "harness") {
					t.Errorf("traceback shows the harness: %q", ff.Traceback)
				}
				if ff.Assertion != "assert truncate_number(3.5) == 0.5" {
					t.Errorf("assertion: %q", ff.Assertion)
				}
			}},
		{"time limit per test", "def truncate_number(x):\n    while x > 100:\n        pass\n    return x % 1.0\n", verdict.Accepted, verdict.TimeLimit,
			func(t *testing.T, r *Result) {
				s := r.Suite("private")
				if s.FirstFailure.Index != 0 || len(s.Tests) != 1 {
					t.Errorf("private: %+v", s)
				}
			}},
		{"swallowed timeout", "def truncate_number(x):\n    while True:\n        try:\n            while True: pass\n        except:\n            pass\n", verdict.TimeLimit, verdict.TimeLimit, nil},
		{"tuple versus list", "def truncate_number(x):\n    return (x % 1.0,)\n", verdict.WrongAnswer, verdict.WrongAnswer, nil},
		{"missing entry point", "def other(x):\n    return x\n", verdict.RuntimeError, verdict.RuntimeError,
			func(t *testing.T, r *Result) {
				if e := r.Suite("public").FirstFailure.Error; !strings.Contains(e, "truncate_number") {
					t.Errorf("error: %q", e)
				}
			}},
		{"syntax error", "def truncate_number(x)\n    return x\n", verdict.CompileError, verdict.CompileError,
			func(t *testing.T, r *Result) {
				if r.Compile == nil || !strings.Contains(r.Compile.Message, "SyntaxError") {
					t.Errorf("compile: %+v", r.Compile)
				}
			}},
		{"exception while loading", "raise RuntimeError('boom')\n", verdict.RuntimeError, verdict.RuntimeError,
			func(t *testing.T, r *Result) {
				if s := r.Suite("public"); len(s.Tests) != 2 || !strings.Contains(s.Tests[1].Traceback, "boom") {
					t.Errorf("public: %+v", s.Tests)
				}
			}},
		{"process killed mid-run", "import os\ndef truncate_number(x):\n    if x == 1.25:\n        os._exit(0)\n    return x % 1.0\n", verdict.RuntimeError, verdict.Accepted, // the private suite runs again
			func(t *testing.T, r *Result) {
				s := r.Suite("public")
				if len(s.Tests) != 2 || s.Tests[0].Verdict != verdict.Accepted || s.Tests[1].Verdict != verdict.RuntimeError {
					t.Errorf("public: %+v", s.Tests)
				}
			}},
		{"memory error is per test", "def truncate_number(x):\n    if x == 3.5:\n        b = bytearray(8 << 30)\n    return x % 1.0\n", verdict.MemoryLimit, verdict.Accepted,
			func(t *testing.T, r *Result) {
				s := r.Suite("public")
				if len(s.Tests) != 2 || s.Tests[0].Verdict != verdict.MemoryLimit || s.Tests[1].Verdict != verdict.Accepted {
					t.Errorf("public: %+v", s.Tests)
				}
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := j.Judge(context.Background(), p, Submission{Code: tc.code})
			if err != nil {
				t.Fatal(err)
			}
			if got := res.Suite("public").Verdict; got != tc.public {
				t.Errorf("public %s, want %s: %+v", got, tc.public, res.Suite("public").Tests)
			}
			if got := res.Suite("private").Verdict; got != tc.private {
				t.Errorf("private %s, want %s: %+v", got, tc.private, res.Suite("private").Tests)
			}
			if tc.check != nil {
				tc.check(t, res)
			}
		})
	}
}

// TestClassMethodLCB: LiveCodeBench functional problems call
// Solution().method(*args) with LiveCodeBench's import prelude (List
// without importing typing) and accept a tuple for a list.
func TestClassMethodLCB(t *testing.T) {
	j := testJudge(t)
	p := &dataset.Problem{
		ID: "lcb-two", Benchmark: "livecodebench", Judging: dataset.Judging{Grader: dataset.GraderLiveCodeBench}, Mode: dataset.ModeClassMethod, EntryPoint: "twoSum",
		Public:  []dataset.Test{{Input: "[[2, 7, 11, 15], 9]", Output: "[0, 1]"}},
		Private: []dataset.Test{{Input: "[[3, 2, 4], 6]", Output: "[1, 2]"}, {Input: "[[3, 3], 6]", Output: "[0, 1]"}},
	}
	code := "class Solution:\n    def twoSum(self, nums: List[int], target: int) -> List[int]:\n        seen = {}\n" +
		"        for i, x in enumerate(nums):\n            if target - x in seen:\n                return (seen[target - x], i)\n            seen[x] = i\n"
	res, err := j.Judge(context.Background(), p, Submission{Code: code})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Passed() {
		t.Fatalf("not accepted: %+v", res.Suites)
	}
	res, err = j.Judge(context.Background(), p, Submission{Code: strings.Replace(code, "(seen[target - x], i)", "[i, seen[target - x]]", 1)})
	if err != nil {
		t.Fatal(err)
	}
	ff := res.Suite("public").FirstFailure
	if ff == nil || ff.Assertion != "assert Solution().twoSum([2, 7, 11, 15], 9) == [0, 1]" || ff.Actual != "[1, 0]" {
		t.Fatalf("failure: %+v", ff)
	}
}

func TestAssertMode(t *testing.T) {
	j := testJudge(t)
	p := &dataset.Problem{
		ID: "mbpp-like", Mode: dataset.ModeAssert, EntryPoint: "add",
		Setup:   "OFFSET = 0",
		Public:  []dataset.Test{{Code: "assert add(1, 2) == 3"}},
		Private: []dataset.Test{{Code: "assert add(2, 2) == 4"}, {Code: "assert add(-1, 1) == 0\nassert add(10, 5) == 15"}},
	}
	res, err := j.Judge(context.Background(), p, Submission{Code: "def add(a, b):\n    return a + b + OFFSET\n"})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Passed() {
		t.Fatalf("not accepted: %+v", res.Suites)
	}
	res, err = j.Judge(context.Background(), p, Submission{Code: "def add(a, b):\n    return a + b if a < 10 else a - b\n"})
	if err != nil {
		t.Fatal(err)
	}
	s := res.Suite("private")
	ff := s.FirstFailure
	if s.Verdict != verdict.WrongAnswer || ff.Index != 1 || ff.Assertion != "assert add(10, 5) == 15" || ff.AssertionError != "AssertionError: 5 != 15" {
		t.Fatalf("failure: %+v", ff)
	}
}

// TestEvalPlusReference: expected values come from the reference solution,
// computed once and cached; atol and EvalPlus's float rule apply.
func TestEvalPlusReference(t *testing.T) {
	j := testJudge(t)
	p := &dataset.Problem{
		ID: "ep/mean", Mode: dataset.ModeFunction, EntryPoint: "mean", ExpectedFromReference: true,
		Solutions: []dataset.Solution{{Language: "python", Code: "def mean(xs):\n    return sum(xs) / len(xs)\n"}},
		Public:    []dataset.Test{{Input: "[[1, 2, 3, 4]]"}, {Input: "[[0.1, 0.2]]"}},
		Private:   []dataset.Test{{Input: "[[1e308, 1e308]]"}, {Input: "[[]]"}, {Input: "[[2]]"}},
	}
	// The reference fails on [] (ZeroDivisionError): that test has no
	// expected value and is a sandbox error, not the candidate's fault.
	res, err := j.Judge(context.Background(), p, Submission{Code: "def mean(xs):\n    return sum(xs) / len(xs) * (1 + 1e-12) if xs else 0.0\n"})
	if err != nil {
		t.Fatal(err)
	}
	if v := res.Suite("public").Verdict; v != verdict.Accepted {
		t.Errorf("public %s: %+v", v, res.Suite("public").Tests)
	}
	priv := res.Suite("private")
	if priv.Verdict != verdict.SandboxError || priv.FirstFailure.Index != 1 || !strings.Contains(priv.FirstFailure.Message, "reference") {
		t.Errorf("private: %+v", priv.Tests)
	}
	// Integer output where a float is expected: EvalPlus's type check.
	res, err = j.Judge(context.Background(), p, Submission{Code: "def mean(xs):\n    return sum(xs) // len(xs)\n"},
		Suite{Name: "base", Kind: Public, StopOnFailure: true})
	if err != nil {
		t.Fatal(err)
	}
	if ff := res.Suites[0].FirstFailure; ff == nil || ff.Verdict != verdict.WrongAnswer || ff.Assertion != "assert mean([1, 2, 3, 4]) == 2.5" {
		t.Errorf("base: %+v", res.Suites[0])
	}
}

func TestWrappedStdio(t *testing.T) {
	j := testJudge(t)
	for _, tc := range []struct {
		name      string
		benchmark string
		checker   dataset.Checker
		code      string
		want      verdict.Verdict
	}{
		// A top-level return is legal inside the wrapping function.
		{"lcb top-level return", "livecodebench", dataset.CheckLines, "n = int(input())\nif n == 0:\n    print(0)\n    return\nprint(n * 2)\n", verdict.Accepted},
		{"apps top-level return", "apps", dataset.CheckTokens, "n = int(input())\nif n == 0:\n    print(0)\n    return\nprint(n * 2)\n", verdict.Accepted},
		// sys.stdin is a plain StringIO: readline keeps the "\n", read
		// continues where readline stopped.
		{"lcb readline then read", "livecodebench", dataset.CheckLines, "import sys\nn = int(sys.stdin.readline()[:-1])\nrest = sys.stdin.read()\nprint(n * 2 + len(rest))\n", verdict.Accepted},
		// Only a stdin bound at load time gets testing_util's mocks (a
		// readline without "\n", a read that returns everything).
		{"lcb stdin bound at load", "livecodebench", dataset.CheckLines, "from sys import stdin\nx = stdin.readline()\nprint(int(x) * 2 if x[-1:] != '\\n' else -1)\n", verdict.Accepted},
		{"apps readline then read", "apps", dataset.CheckTokens, "import sys\nn = int(sys.stdin.readline())\nprint(n * 2 + len(sys.stdin.read()))\n", verdict.Accepted},
		{"lcb main guard", "livecodebench", dataset.CheckLines, "def main():\n    print(int(input()) * 2)\nif __name__ == '__main__':\n    main()\n", verdict.Accepted},
		{"lcb sys.stdin.buffer unavailable", "livecodebench", dataset.CheckLines, "import sys\nprint(int(sys.stdin.buffer.read()) * 2)\n", verdict.RuntimeError},
		{"apps exception", "apps", dataset.CheckTokens, "print(1 // 0)\n", verdict.RuntimeError},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := &dataset.Problem{ID: "double", Benchmark: tc.benchmark, Mode: dataset.ModeStdio, Checker: tc.checker,
				Judging: dataset.Judging{Grader: dataset.Grader(tc.benchmark)},
				Public:  []dataset.Test{{Input: "21\n", Output: "42\n"}, {Input: "0\n", Output: "0\n"}}}
			res, err := j.Judge(context.Background(), p, Submission{Code: tc.code}, PublicSuite(nil))
			if err != nil {
				t.Fatal(err)
			}
			if got := res.Suites[0].Verdict; got != tc.want {
				t.Errorf("%s, want %s: %+v", got, tc.want, res.Suites[0].Tests)
			}
		})
	}
}

// TestPlainDataOnly: return values cross as plain data. The standard
// library's dict subclasses and dict views count as the dict and set they
// stand for; an object that brings its own comparison is a wrong answer
// that says why, however it compares in its own process.
func TestPlainDataOnly(t *testing.T) {
	j := testJudge(t)
	p := &dataset.Problem{ID: "count", Mode: dataset.ModeFunction, EntryPoint: "count",
		Public: []dataset.Test{{Input: `["aab"]`, Output: `{"a": 2, "b": 1}`}}}
	keys := &dataset.Problem{ID: "keys", Mode: dataset.ModeFunction, EntryPoint: "keys",
		Judging: dataset.Judging{Grader: dataset.GraderEvalPlus},
		Public:  []dataset.Test{{Input: `[["x", "y"]]`, Output: `["x", "y"]`}}}
	for _, tc := range []struct {
		p       *dataset.Problem
		code    string
		want    verdict.Verdict
		message string
	}{
		{p, "from collections import Counter\ndef count(s):\n    return Counter(s)\n", verdict.Accepted, ""},
		{p, "from collections import OrderedDict\ndef count(s):\n    return OrderedDict((c, s.count(c)) for c in sorted(set(s)))\n", verdict.Accepted, ""},
		{p, "class D(dict):\n    def __eq__(self, other):\n        return True\ndef count(s):\n    return D()\n", verdict.WrongAnswer, "defines its own comparison"},
		{p, "class Any:\n    def __eq__(self, other):\n        return True\ndef count(s):\n    return Any()\n", verdict.WrongAnswer, "defines its own comparison"},
		{p, "def count(s):\n    return iter([])\n", verdict.WrongAnswer, "not a builtin data type"},
		{keys, "def keys(xs):\n    return list(dict.fromkeys(xs).keys())\n", verdict.Accepted, ""},
		{keys, "class L(list):\n    pass\ndef keys(xs):\n    return L(xs)\n", verdict.Accepted, ""}, // a subclass that keeps list's comparison
		{keys, "class L(list):\n    def __ne__(self, o):\n        return False\ndef keys(xs):\n    return L([])\n", verdict.WrongAnswer, "defines its own comparison"},
	} {
		res, err := j.Judge(context.Background(), tc.p, Submission{Code: tc.code}, PublicSuite(nil))
		if err != nil {
			t.Fatal(err)
		}
		s := res.Suites[0]
		if s.Verdict != tc.want || (tc.message != "" && !strings.Contains(s.FirstFailure.Message, tc.message)) {
			t.Errorf("%q: %s %+v, want %s mentioning %q", tc.code, s.Verdict, s.FirstFailure, tc.want, tc.message)
		}
	}
}

// TestAssertAcrossProcesses: assert tests call the solution from their own
// process; builtin types, the solution's own objects and the setup's
// objects are passed by reference, and the tests compare what comes back.
func TestAssertAcrossProcesses(t *testing.T) {
	j := testJudge(t)
	for _, tc := range []struct {
		setup, code, test string
	}{
		{"", "def drop(xs, t):\n    return [x for x in xs if not isinstance(x, t)]\n", "assert drop((1, 'a', 2.5), int) == ['a', 2.5]"},
		{"", "class Pair:\n    def __init__(self, a, b):\n        self.a, self.b = a, b\ndef span(ps):\n    return max(p.b for p in ps) - min(p.a for p in ps)\n",
			"assert span([Pair(1, 5), Pair(3, 9)]) == 8"},
		{"root = Node(1)\nroot.left = Node(2)\n", "class Node:\n    def __init__(self, v):\n        self.v, self.left = v, None\ndef depth(n):\n    return 0 if n is None else 1 + depth(n.left)\n",
			"assert depth(root) == 2"},
		{"import math", "def area(r):\n    return math.pi * r * r\n", "assert math.isclose(area(1), 3.14159, rel_tol=1e-3)"},
	} {
		p := &dataset.Problem{ID: "assert", Mode: dataset.ModeAssert, Setup: tc.setup, Public: []dataset.Test{{Code: tc.test}}}
		res, err := j.Judge(context.Background(), p, Submission{Code: tc.code}, PublicSuite(nil))
		if err != nil {
			t.Fatal(err)
		}
		if s := res.Suites[0]; s.Verdict != verdict.Accepted {
			t.Errorf("%q: %s %+v", tc.test, s.Verdict, s.FirstFailure)
		}
	}
}

// TestAssertCandidateCannotBendTheTests: the candidate's module cannot
// redefine the builtins the tests use, and its StopIteration cannot end
// the tests' own iteration early (each cheat passes every test where
// those holes are open); the honest solution still passes.
func TestAssertCandidateCannotBendTheTests(t *testing.T) {
	j := testJudge(t)
	builtinTests := []dataset.Test{
		{Code: "assert abs(add(0.1, 0.2) - 0.3) < 1e-9"},
		{Code: "assert set(add([1], [2])) == set([1, 2])"},
		{Code: "for i in range(3):\n    assert add(i, 10) == i + 10"},
	}
	iterationTests := []dataset.Test{
		{Code: "assert all(map(lambda p: add(*p) == p[0] + p[1], [(5, 6), (7, 8)]))"},
		{Code: "assert list(filter(lambda p: add(*p) != p[0] + p[1], [(2, 3)])) == []"},
	}
	constTests := []dataset.Test{{Code: "assert untag(tag('ab')) == 'ab'"}}
	helperTests := []dataset.Test{{Code: "assert decode(encode('abc')) == 'abc'"}, {Code: "assert decode('xyz') == 'zyx'"}}
	constStarter := "SEP = '|'\n\ndef untag(s):\n    return s.split(SEP)[0]\n\ndef tag(s: str) -> str:\n    \"\"\"Joins s to itself with SEP.\"\"\"\n"
	helperStarter := "import string\n\ndef encode(s: str):\n    \"\"\"Reverses s.\"\"\"\n    return s[::-1]\n\ndef decode(s: str):\n    \"\"\"Undoes encode.\"\"\"\n"
	honest := "def add(a, b):\n    return a + b\n"
	for _, tc := range []struct {
		name, code string
		tests      []dataset.Test
		want       verdict.Verdict
		entry      string
	}{
		{"honest, builtins", honest, builtinTests, verdict.Accepted, ""},
		// An entry point that is a builtin's name is the candidate's
		// (MBPP 126 asks for sum(a, b)).
		{"entry point named like a builtin", "def sum(a, b):\n    return a + b\n",
			[]dataset.Test{{Code: "assert sum(10, 15) == 25"}}, verdict.Accepted, "sum"},
		{"shadows builtins", "def add(a, b):\n    return 0\ndef abs(x):\n    return 0\ndef set(*a):\n    return 0\ndef range(*a):\n    return []\n",
			builtinTests, verdict.WrongAnswer, ""},
		{"honest, iteration", honest, iterationTests, verdict.Accepted, ""},
		{"raises StopIteration", "def add(a, b):\n    raise StopIteration\n", iterationTests, verdict.RuntimeError, ""},
		{"raises StopAsyncIteration", "def add(a, b):\n    raise StopAsyncIteration\n", iterationTests, verdict.RuntimeError, ""},
		// HumanEval/38's shape: the prompt gives the helper the tests call
		// to check the answer; a completion that redefines it checks
		// nothing.
		{"honest, starter helper", "def encode(s):\n    return s[::-1]\ndef decode(s):\n    return s[::-1]\n", helperTests, verdict.Accepted, "decode"},
		{"honest, starter helper left alone", "def decode(s):\n    return s[::-1]\n", helperTests, verdict.Accepted, "decode"},
		{"redefines the starter helper", "def encode(s):\n    return s\ndef decode(s):\n    return s\n", helperTests[:1], verdict.WrongAnswer, "decode"},
		// The helper's constants are the problem's too.
		{"honest, starter constant", "SEP = '|'\ndef tag(s):\n    return s + SEP + s\n", constTests, verdict.Accepted, "tag"},
		{"rebinds the starter constant", "SEP = 'x'\ndef tag(s):\n    return s + SEP + s\n", constTests, verdict.WrongAnswer, "tag"},
	} {
		entry := "add"
		if tc.entry != "" {
			entry = tc.entry
		}
		starter := helperStarter
		if tc.entry == "tag" {
			starter = constStarter
		}
		p := &dataset.Problem{ID: "bend", Mode: dataset.ModeAssert, EntryPoint: entry, Public: tc.tests, StarterCode: starter}
		res, err := j.Judge(context.Background(), p, Submission{Code: tc.code}, PublicSuite(nil))
		if err != nil {
			t.Fatal(err)
		}
		if s := res.Suites[0]; s.Verdict != tc.want {
			t.Errorf("%s: %s %+v, want %s", tc.name, s.Verdict, s.FirstFailure, tc.want)
		}
	}
}
