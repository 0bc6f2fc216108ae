package hostile

import (
	"fmt"
	"strings"
	"testing"

	"github.com/rlef/rlef/dataset"
	"github.com/rlef/rlef/verdict"
)

// The corpus covers every class of trust.md with several cases, names
// them uniquely, and targets problems that exist.
func TestCorpusCoversEveryClass(t *testing.T) {
	perClass := map[int]int{}
	entries := map[int]Entry{}
	names := map[string]bool{}
	for _, c := range Cases() {
		if names[c.Name] {
			t.Errorf("duplicate case %s", c.Name)
		}
		names[c.Name] = true
		if want := fmt.Sprintf("c%02d/", c.Class); !strings.HasPrefix(c.Name, want) {
			t.Errorf("%s: name does not start with %s", c.Name, want)
		}
		if ProblemByID(c.Problem) == nil {
			t.Errorf("%s: unknown problem %q", c.Name, c.Problem)
		}
		if l := c.Lang(); l != "python" && l != "cpp" {
			t.Errorf("%s: language %q", c.Name, l)
		}
		if c.Why == "" || strings.TrimSpace(c.Code) == "" {
			t.Errorf("%s: no description or no code", c.Name)
		}
		for _, vs := range [][]verdict.Verdict{c.Verdicts, c.RunVerdicts} {
			for _, x := range vs {
				if x == verdict.Accepted || x == verdict.SandboxError {
					t.Errorf("%s: allows %s", c.Name, x)
				}
			}
		}
		perClass[c.Class]++
		for _, e := range []Entry{Judge, Reward, RunCode} {
			if c.Runs(e) {
				entries[c.Class] |= e
			}
		}
	}
	for class := 1; class <= 13; class++ {
		if perClass[class] < 3 {
			t.Errorf("class %d has %d cases, want several", class, perClass[class])
		}
		if entries[class] != AllEntries {
			t.Errorf("class %d runs only through %s", class, entries[class])
		}
	}
}

// The problems load as a custom benchmark, with their tests and honest
// solutions.
func TestBenchmarkLoads(t *testing.T) {
	set, err := LoadBenchmark(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if set.Name != SetName || len(set.Problems) != len(Problems()) {
		t.Fatalf("set %s with %d problems", set.Name, len(set.Problems))
	}
	for _, want := range Problems() {
		p, ok := set.Lookup(want.ID)
		if !ok {
			t.Errorf("%s missing", want.ID)
			continue
		}
		if len(p.Public) != len(want.Public) || len(p.PrivateTests()) != len(want.Private) {
			t.Errorf("%s: %d public and %d private tests", p.ID, len(p.Public), len(p.PrivateTests()))
		}
		if len(p.Solutions) != 1 || p.MemoryLimit != int64(want.MemoryMiB())<<20 {
			t.Errorf("%s: %d solutions, memory %d", p.ID, len(p.Solutions), p.MemoryLimit)
		}
		if want.Judging != nil && want.Judging.Grader != "" && string(p.Judging.Grader) != want.Judging.Grader {
			t.Errorf("%s: grader %q", p.ID, p.Judging.Grader)
		}
		if p.Mode == dataset.ModeStdio && want.Judging != nil && want.Judging.OutputFile != p.Judging.OutputFile {
			t.Errorf("%s: output file %q", p.ID, p.Judging.OutputFile)
		}
	}
}

// A client's run of a function problem wraps the program in a harness
// and compares the printed JSON.
func TestClientRuns(t *testing.T) {
	runs := ProblemByID(Square).ClientRuns("def square(x):\n    return x * x\n")
	if len(runs) != 4 || !strings.Contains(runs[0].Code, "print(_client_json.dumps(square(") {
		t.Fatalf("%d runs: %q", len(runs), runs[0].Code)
	}
	if !runs[0].Passed("9\n", nil) || runs[0].Passed("9.0\n", nil) {
		t.Error("square(3) compares wrongly")
	}
	file := ProblemByID(SumFile).ClientRuns("pass")[0]
	if file.Fetch[0] != "output.txt" || string(file.Files["input.txt"]) != "3\n1 2 3\n" {
		t.Errorf("file run %+v", file)
	}
	if !file.Passed("", map[string][]byte{"output.txt": []byte("6\n")}) || file.Passed("6\n", nil) {
		t.Error("file run compares wrongly")
	}
}

func TestCheck(t *testing.T) {
	c := &Case{Name: "c01/x", Verdicts: []verdict.Verdict{verdict.RuntimeError}, Forbidden: []string{"PWNED"}}
	if bad := c.Check(Outcome{Entry: Judge, Verdict: verdict.RuntimeError}, []string{"/host/path"}); len(bad) != 0 {
		t.Errorf("a runtime error: %v", bad)
	}
	for _, o := range []Outcome{
		{Entry: Judge, Passed: true, Verdict: verdict.Accepted},
		{Entry: Reward, Verdict: verdict.SandboxError},
		{Entry: Judge, Infra: true, Verdict: verdict.RuntimeError},
		{Entry: Judge, Verdict: verdict.WrongAnswer},
		{Entry: Judge, Verdict: verdict.RuntimeError, Text: "PWNED"},
		{Entry: Judge, Verdict: verdict.RuntimeError, Text: "mounted /host/path/x"},
	} {
		if bad := c.Check(o, []string{"/host/path"}); len(bad) == 0 {
			t.Errorf("%+v passed the check", o)
		}
	}
	if bad := CheckControl(Outcome{Entry: RunCode, Verdict: verdict.WrongAnswer}, nil); len(bad) == 0 {
		t.Error("a failing control passed")
	}
}
