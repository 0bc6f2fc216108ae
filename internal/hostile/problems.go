package hostile

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/rlef/rlef/dataset"
)

// The problems the corpus targets. Their private tests are secret: no
// program can print their outputs without solving the problem.
const (
	// Sum: stdio, read n and n integers, print their sum (tokens checker).
	Sum = "hostile/sum"
	// SumLCB: Sum judged the way LiveCodeBench runs stdio programs
	// (wrapped in a function in the runner's process, lines checker).
	SumLCB = "hostile/sum-lcb"
	// SumAPPS: Sum judged the way APPS/TACO's testing_util runs them.
	SumAPPS = "hostile/sum-apps"
	// SumFile: Sum with named files (input.txt, output.txt).
	SumFile = "hostile/sum-file"
	// Power: print 3**n exactly (integers of up to 48 digits, tokens).
	Power = "hostile/power"
	// PowerLines: Power with LiveCodeBench's lines checker.
	PowerLines = "hostile/power-lines"
	// Square: function square(x) -> x*x.
	Square = "hostile/square"
	// Scale: function scale(x) -> x*x whose first private test expects a
	// float (which, by EvalPlus's rules that the plain profile follows,
	// turns on a float tolerance for the tests after it).
	Scale = "hostile/scale"
	// Twice: LeetCode-style class method Solution().twice(x) -> 2*x.
	Twice = "hostile/twice"
	// Add: assert tests of add(a, b) that use builtins (HumanEval style).
	Add = "hostile/add"
	// Pairs: assert tests of add(a, b) through map and filter.
	Pairs = "hostile/pairs"
	// BigAlloc: stdio whose honest solution needs 100 MiB of its 160 MiB.
	BigAlloc = "hostile/big-alloc"
	// ScaleInt: function scale(x) -> x*x whose first private test expects
	// a float (which turns on EvalPlus's float tolerance for the rest of
	// the suite) and whose later tests expect integers within int64.
	ScaleInt = "hostile/scale-int"
	// SquareAtol: function square(x) -> x*x on a problem that declares an
	// absolute tolerance (for floats); its private tests expect integers.
	SquareAtol = "hostile/square-atol"
	// AddHelper: assert tests of add(a, b) through a helper function the
	// problem's setup code defines (close(a, b)).
	AddHelper = "hostile/add-helper"
	// AddMath: assert tests of add(a, b) through the math module, which
	// the problem's setup code imports.
	AddMath = "hostile/add-math"
	// CleanRoom: stdio whose honest solution prints the answer only when
	// its run starts clean: nothing in /w, /tmp, /mnt, no other process,
	// no IPC object, no inherited descriptor.
	CleanRoom = "hostile/clean-room"
	// RoundTrip: assert tests of decode(s) through encode(s), a helper the
	// starter code gives whole (HumanEval/38's shape).
	RoundTrip = "hostile/round-trip"
)

// SetName is the benchmark name of the corpus's problems.
const SetName = "hostile"

// Test is one test in the custom JSONL format.
type Test struct {
	Input  string `json:"input,omitempty"`
	Output string `json:"output,omitempty"`
	Code   string `json:"code,omitempty"`
}

// Judging is the custom format's judging object.
type Judging struct {
	Grader     string `json:"grader,omitempty"`
	InputFile  string `json:"input_file,omitempty"`
	OutputFile string `json:"output_file,omitempty"`
}

// Solution is a known-correct program.
type Solution struct {
	Language string `json:"language"`
	Code     string `json:"code"`
}

// Problem is a problem in rlef's custom JSONL format
// (docs/custom-format.md).
type Problem struct {
	ID          string     `json:"id"`
	Mode        string     `json:"mode"`
	Statement   string     `json:"statement"`
	EntryPoint  string     `json:"entry_point,omitempty"`
	Checker     string     `json:"checker,omitempty"`
	Setup       string     `json:"setup,omitempty"`
	StarterCode string     `json:"starter_code,omitempty"`
	Atol        float64    `json:"atol,omitempty"`
	Public      []Test     `json:"public"`
	Private     []Test     `json:"private"`
	TimeLimit   float64    `json:"time_limit"`
	MemoryLimit string     `json:"memory_limit"`
	Judging     *Judging   `json:"judging,omitempty"`
	Solutions   []Solution `json:"solutions"`
}

// MemoryMiB is the problem's memory limit in MiB.
func (p *Problem) MemoryMiB() int {
	n, _ := strconv.Atoi(strings.TrimSuffix(p.MemoryLimit, "MiB"))
	return n
}

// Honest returns the problem's honest solution.
func (p *Problem) Honest() string { return p.Solutions[0].Code }

const sumHonest = `import sys
d = sys.stdin.read().split()
n = int(d[0])
print(sum(map(int, d[1:1 + n])))
`

// sumInputHonest reads with input(), which the wrapped graders feed.
const sumInputHonest = `n = int(input())
a = list(map(int, input().split()))
print(sum(a[:n]))
`

var sumTests = struct{ public, private []Test }{
	public: []Test{{Input: "3\n1 2 3\n", Output: "6\n"}},
	private: []Test{
		{Input: "2\n1000000000007 2000000000011\n", Output: "3000000000018\n"},
		{Input: "5\n-17 4 9 -3 88\n", Output: "81\n"},
		{Input: "1\n-424242\n", Output: "-424242\n"},
	},
}

const cleanRoomHonest = `import ctypes, os, sys

def leftovers():
    found = []
    for d in ("/tmp", "/mnt"):
        found += [d + "/" + n for n in os.listdir(d)]
    found += ["/w/" + n for n in os.listdir("/w") if n != "main.py"]
    me = os.getpid()
    found += ["process " + p for p in os.listdir("/proc") if p.isdigit() and int(p) not in (1, me)]
    for kind in ("shm", "sem", "msg"):
        try:
            with open("/proc/sysvipc/" + kind) as f:
                found += ["sysv " + kind] * (len(f.read().splitlines()) - 1)
        except OSError:
            pass
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.mq_open(b"/rlef-hostile", os.O_RDONLY) >= 0:
            found.append("message queue")
    except (OSError, AttributeError):
        pass
    try:
        with open("/proc/self/oom_score_adj") as a, open("/proc/1/oom_score_adj") as b:
            if a.read() != b.read():
                found.append("oom_score_adj")
    except OSError:
        pass
    found += ["descriptor " + fd for fd in os.listdir("/proc/self/fd") if int(fd) > 3]
    return found

bad = leftovers()
n = int(sys.stdin.read())
print(n * 2 if not bad else "dirty: " + ", ".join(bad))
`

// Problems returns the corpus's problems.
func Problems() []*Problem {
	limit := func(p *Problem) *Problem {
		p.TimeLimit, p.MemoryLimit = 0.5, "256MiB"
		return p
	}
	py := func(code string) []Solution { return []Solution{{Language: "python", Code: code}} }
	return []*Problem{
		limit(&Problem{ID: Sum, Mode: "stdio", Statement: "Read n and n integers; print their sum.",
			Public: sumTests.public, Private: sumTests.private, Solutions: py(sumHonest)}),
		limit(&Problem{ID: SumLCB, Mode: "stdio", Statement: "Read n and n integers; print their sum.", Checker: "lines",
			Judging: &Judging{Grader: "livecodebench"}, Public: sumTests.public, Private: sumTests.private, Solutions: py(sumInputHonest)}),
		limit(&Problem{ID: SumAPPS, Mode: "stdio", Statement: "Read n and n integers; print their sum.",
			Judging: &Judging{Grader: "apps"}, Public: sumTests.public, Private: sumTests.private, Solutions: py(sumInputHonest)}),
		limit(&Problem{ID: SumFile, Mode: "stdio", Statement: "Read n and n integers from input.txt; write their sum to output.txt.",
			Judging: &Judging{InputFile: "input.txt", OutputFile: "output.txt"}, Public: sumTests.public, Private: sumTests.private,
			Solutions: py("d = open('input.txt').read().split()\nn = int(d[0])\nopen('output.txt', 'w').write('%d\\n' % sum(map(int, d[1:1 + n])))\n")}),
		limit(&Problem{ID: Power, Mode: "stdio", Statement: "Read n; print 3 to the power n.",
			Public:    []Test{{Input: "2\n", Output: "9\n"}},
			Private:   []Test{{Input: "50\n", Output: "717897987691852588770249\n"}, {Input: "77\n", Output: "5474401089420219382077155933569751763\n"}},
			Solutions: py("print(3 ** int(input()))\n")}),
		limit(&Problem{ID: PowerLines, Mode: "stdio", Checker: "lines", Statement: "Read n; print 3 to the power n.",
			Public:    []Test{{Input: "2\n", Output: "9\n"}},
			Private:   []Test{{Input: "50\n", Output: "717897987691852588770249\n"}},
			Solutions: py("print(3 ** int(input()))\n")}),
		limit(&Problem{ID: Square, Mode: "function", EntryPoint: "square", Statement: "def square(x: int) -> int: return x squared.",
			Public:    []Test{{Input: "[3]", Output: "9"}},
			Private:   []Test{{Input: "[-4]", Output: "16"}, {Input: "[12345678901234567890]", Output: "152415787532388367501905199875019052100"}, {Input: "[7]", Output: "49"}},
			Solutions: py("def square(x):\n    return x * x\n")}),
		limit(&Problem{ID: Scale, Mode: "function", EntryPoint: "scale", Statement: "def scale(x): return x squared (a float for a float x).",
			Public:    []Test{{Input: "[3]", Output: "9"}},
			Private:   []Test{{Input: "[0.5]", Output: "0.25"}, {Input: "[12345678901234567890]", Output: "152415787532388367501905199875019052100"}},
			Solutions: py("def scale(x):\n    return x * x\n")}),
		limit(&Problem{ID: Twice, Mode: "class_method", EntryPoint: "twice", Statement: "class Solution: def twice(self, x: int) -> int: return 2x.",
			Public:    []Test{{Input: "[2]", Output: "4"}},
			Private:   []Test{{Input: "[21]", Output: "42"}, {Input: "[-5]", Output: "-10"}},
			Solutions: py("class Solution:\n    def twice(self, x):\n        return 2 * x\n")}),
		limit(&Problem{ID: Add, Mode: "assert", EntryPoint: "add", Statement: "Write add(a, b) returning a + b.",
			Public: []Test{{Code: "assert add(1, 2) == 3"}},
			Private: []Test{
				{Code: "assert add(2, 2) == 4"},
				{Code: "assert abs(add(0.1, 0.2) - 0.3) < 1e-9"},
				{Code: "assert set(add([1], [2])) == set([1, 2])"},
				{Code: "for i in range(3):\n    assert add(i, 10) == i + 10"},
			},
			Solutions: py("def add(a, b):\n    return a + b\n")}),
		limit(&Problem{ID: Pairs, Mode: "assert", EntryPoint: "add", Statement: "Write add(a, b) returning a + b.",
			Public: []Test{{Code: "assert add(1, 2) == 3"}},
			Private: []Test{
				{Code: "assert all(map(lambda p: add(*p) == p[0] + p[1], [(5, 6), (7, 8), (-1, 1)]))"},
				{Code: "assert list(filter(lambda p: add(*p) != p[0] + p[1], [(2, 3), (40, 2)])) == []"},
			},
			Solutions: py("def add(a, b):\n    return a + b\n")}),
		limit(&Problem{ID: ScaleInt, Mode: "function", EntryPoint: "scale", Statement: "def scale(x): return x squared (a float for a float x).",
			Public:    []Test{{Input: "[3]", Output: "9"}},
			Private:   []Test{{Input: "[0.5]", Output: "0.25"}, {Input: "[10000000]", Output: "100000000000000"}, {Input: "[3037000499]", Output: "9223372030926249001"}},
			Solutions: py("def scale(x):\n    return x * x\n")}),
		limit(&Problem{ID: SquareAtol, Mode: "function", EntryPoint: "square", Atol: 1e-6, Statement: "def square(x: int) -> int: return x squared.",
			Public:    []Test{{Input: "[3]", Output: "9"}},
			Private:   []Test{{Input: "[10000000]", Output: "100000000000000"}, {Input: "[-90000]", Output: "8100000000"}},
			Solutions: py("def square(x):\n    return x * x\n")}),
		limit(&Problem{ID: AddHelper, Mode: "assert", EntryPoint: "add", Statement: "Write add(a, b) returning a + b.",
			Setup:  "def close(a, b):\n    return abs(a - b) < 1e-9\n",
			Public: []Test{{Code: "assert close(add(1, 2), 3)"}},
			Private: []Test{
				{Code: "assert close(add(0.1, 0.2), 0.3)"},
				{Code: "assert close(add(5, 6), 11)"},
			},
			Solutions: py("def add(a, b):\n    return a + b\n")}),
		limit(&Problem{ID: RoundTrip, Mode: "assert", EntryPoint: "decode", Statement: "Write decode(s), the inverse of encode.",
			StarterCode: "def encode(s: str) -> str:\n    \"\"\"Rotates each group of three characters.\"\"\"\n    groups = [s[i:i + 3] for i in range(0, len(s), 3)]\n    return ''.join(g[1:] + g[0] if len(g) == 3 else g for g in groups)\n\n\ndef decode(s: str) -> str:\n    \"\"\"Undoes encode.\"\"\"\n",
			Public:      []Test{{Code: "assert decode(encode('abcdef')) == 'abcdef'"}},
			Private: []Test{
				{Code: "for w in ['hello world', 'xyzzy', 'rotate me please']:\n    assert decode(encode(w)) == w"},
				{Code: "assert decode(encode('a')) == 'a'"},
			},
			Solutions: py("def decode(s):\n    groups = [s[i:i + 3] for i in range(0, len(s), 3)]\n    return ''.join(g[-1] + g[:-1] if len(g) == 3 else g for g in groups)\n")}),
		limit(&Problem{ID: AddMath, Mode: "assert", EntryPoint: "add", Statement: "Write add(a, b) returning a + b.",
			Setup:  "import math\n",
			Public: []Test{{Code: "assert math.isclose(add(1, 2), 3)"}},
			Private: []Test{
				{Code: "assert math.isclose(add(0.1, 0.2), 0.3)"},
				{Code: "assert math.floor(add(5, 6)) == 11"},
			},
			Solutions: py("def add(a, b):\n    return a + b\n")}),
		{ID: BigAlloc, Mode: "stdio", Statement: "Read n; print n + 1 (using 100 MiB of memory).", TimeLimit: 1, MemoryLimit: "160MiB",
			Public:    []Test{{Input: "1\n", Output: "2\n"}},
			Private:   []Test{{Input: "41\n", Output: "42\n"}},
			Solutions: py("import sys\nx = bytearray(100 << 20)\nx[::4096] = b'\\x01' * (25 << 10)\nprint(int(sys.stdin.read()) + x[4096])\n")},
		limit(&Problem{ID: CleanRoom, Mode: "stdio", Statement: "Read n; print 2n.",
			Public: []Test{{Input: "1\n", Output: "2\n"}}, Private: []Test{{Input: "21\n", Output: "42\n"}},
			Solutions: py(cleanRoomHonest)}),
	}
}

// ProblemByID returns a problem of the corpus, or nil.
func ProblemByID(id string) *Problem {
	for _, p := range Problems() {
		if p.ID == id {
			return p
		}
	}
	return nil
}

// WriteBenchmark writes the problems as a custom JSONL benchmark named
// SetName in dir and returns its path.
func WriteBenchmark(dir string) (string, error) {
	path := filepath.Join(dir, "hostile.jsonl")
	f, err := os.Create(path)
	if err != nil {
		return "", err
	}
	w := bufio.NewWriter(f)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(map[string]any{"rlef_set": map[string]any{"name": SetName, "version": "1"}}); err != nil {
		f.Close()
		return "", err
	}
	for _, p := range Problems() {
		if err := enc.Encode(p); err != nil {
			f.Close()
			return "", fmt.Errorf("problem %s: %w", p.ID, err)
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return "", err
	}
	return path, f.Close()
}

// LoadBenchmark writes the benchmark in dir and loads it the way rlef
// loads custom benchmarks.
func LoadBenchmark(dir string) (*dataset.Set, error) {
	path, err := WriteBenchmark(dir)
	if err != nil {
		return nil, err
	}
	return dataset.LoadCustom(path)
}

// ClientRun is one run a SandboxFusion client (verl) makes to check a
// program on one test: it runs the program, with its own harness for
// function and assert tests, and compares what comes back itself.
type ClientRun struct {
	Code  string
	Stdin string
	Files map[string][]byte
	Fetch []string
	// Passed reports whether the run's output (or fetched files) is the
	// test's expected output as the client compares it. Assert tests
	// pass when the run succeeds.
	Passed func(stdout string, files map[string][]byte) bool
}

// ClientRuns returns the runs that check code on every test of the
// problem, public then private.
func (p *Problem) ClientRuns(code string) []ClientRun {
	var runs []ClientRun
	for _, t := range append(append([]Test{}, p.Public...), p.Private...) {
		runs = append(runs, p.clientRun(code, t))
	}
	return runs
}

func (p *Problem) clientRun(code string, t Test) ClientRun {
	switch p.Mode {
	case "function", "class_method":
		call := p.EntryPoint
		if p.Mode == "class_method" {
			call = "Solution()." + p.EntryPoint
		}
		harness := fmt.Sprintf("\n\nimport json as _client_json, sys as _client_sys\nprint(_client_json.dumps(%s(*_client_json.loads(_client_sys.stdin.read()))))\n", call)
		want := t.Output
		return ClientRun{Code: code + harness, Stdin: t.Input, Passed: func(stdout string, _ map[string][]byte) bool {
			return strings.TrimSpace(stdout) == want
		}}
	case "assert":
		prog := code + "\n\n" + p.Setup + "\n" + t.Code + "\n"
		return ClientRun{Code: prog, Passed: func(string, map[string][]byte) bool { return true }}
	}
	want := t.Output
	if p.Judging != nil && p.Judging.OutputFile != "" {
		out := p.Judging.OutputFile
		return ClientRun{Code: code, Files: map[string][]byte{p.Judging.InputFile: []byte(t.Input)}, Fetch: []string{out},
			Passed: func(_ string, files map[string][]byte) bool {
				got, ok := files[out]
				return ok && sameTokens(string(got), want)
			}}
	}
	return ClientRun{Code: code, Stdin: t.Input, Passed: func(stdout string, _ map[string][]byte) bool {
		return sameTokens(stdout, want)
	}}
}

// sameTokens is the client's comparison: the same whitespace-separated
// tokens, compared as text. (How leniently numbers compare is the
// client's business; what /run_code owes it is the exact output.)
func sameTokens(got, want string) bool {
	return slices.Equal(strings.Fields(got), strings.Fields(want))
}
