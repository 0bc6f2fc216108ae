package dataset

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestBuiltinSet(t *testing.T) {
	set, err := LoadBuiltin()
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Problems) != 12 {
		t.Fatalf("%d problems, want 12", len(set.Problems))
	}
	stdio, function, cpp := 0, 0, 0
	for _, p := range set.Problems {
		if !strings.HasPrefix(p.ID, "builtin/") || p.Benchmark != "builtin" {
			t.Errorf("%s: benchmark %q", p.ID, p.Benchmark)
		}
		if len(p.Public) < 1 || len(p.Public) > 2 || len(p.Private) < 5 {
			t.Errorf("%s: %d public and %d private tests; want 1-2 and at least 5", p.ID, len(p.Public), len(p.Private))
		}
		if p.Solutions[0].Language != "python" || len(p.Incorrect) == 0 || p.TimeLimit == 0 || p.MemoryLimit == 0 {
			t.Errorf("%s: solutions %d (first %s), incorrect %d, limits %v/%d", p.ID, len(p.Solutions), p.Solutions[0].Language, len(p.Incorrect), p.TimeLimit, p.MemoryLimit)
		}
		for _, s := range p.Solutions {
			if s.Language == "cpp" {
				cpp++
			}
		}
		switch p.Mode {
		case ModeStdio:
			stdio++
			if !strings.Contains(p.Statement, "Input") || !strings.Contains(p.Statement, "Output") {
				t.Errorf("%s: statement lacks Input/Output sections", p.ID)
			}
			// The statement's examples are exactly the public tests.
			if pub, _ := MatchExamples(ExtractExamples(p.Statement), p.Public); len(pub) != len(p.Public) {
				t.Errorf("%s: %d of %d public tests appear as statement examples", p.ID, len(pub), len(p.Public))
			}
		case ModeFunction:
			function++
			if p.StarterCode != p.Statement || !strings.Contains(p.StarterCode, "def "+p.EntryPoint+"(") || !strings.Contains(p.StarterCode, `"""`) {
				t.Errorf("%s: starter code is not a signature with docstring", p.ID)
			}
		default:
			t.Errorf("%s: mode %s", p.ID, p.Mode)
		}
	}
	if stdio != 6 || function != 6 || cpp != 2 {
		t.Errorf("%d stdio, %d function problems, %d C++ references; want 6, 6, 2", stdio, function, cpp)
	}
	if !strings.HasPrefix(set.Version, "sha256:") {
		t.Errorf("Version %q", set.Version)
	}
}

// functionHarness runs one program against function-mode tests given on
// stdin as JSON and prints a JSON list of pass/fail booleans.
const functionHarness = `
import json, sys, math
spec = json.load(sys.stdin)
ns = {"__name__": "__rlef_solution__"}
exec(compile(spec["code"], "solution.py", "exec"), ns)
fn = ns[spec["entry"]]
atol = spec["atol"]
def same(got, want):
    if isinstance(want, float) or isinstance(got, float):
        if isinstance(got, bool) or isinstance(want, bool):
            return False
        if not isinstance(got, (int, float)) or not isinstance(want, (int, float)):
            return False
        return got == want or abs(got - want) <= atol
    if isinstance(want, list):
        return isinstance(got, (list, tuple)) and len(got) == len(want) and all(same(g, w) for g, w in zip(got, want))
    return type(got) == type(want) and got == want
results = []
for t in spec["tests"]:
    try:
        results.append(same(fn(*json.loads(t["input"])), json.loads(t["output"])))
    except Exception:
        results.append(False)
print(json.dumps(results))
`

// stdioHarness runs one Python stdin/stdout program on every test inside
// one interpreter (stdin and stdout swapped for in-memory files), to keep
// process creation, slow on this machine, out of the test's run time, and
// prints a JSON list of pass/fail booleans (whitespace-token comparison).
const stdioHarness = `
import contextlib, io, json, sys
spec = json.load(sys.stdin)
code = compile(spec["code"], "main.py", "exec")
results = []
for t in spec["tests"]:
    out = io.StringIO()
    ok = True
    sys.stdin = io.StringIO(t["input"])
    try:
        with contextlib.redirect_stdout(out):
            exec(code, {"__name__": "__main__"})
    except SystemExit as e:
        ok = e.code in (None, 0)
    except BaseException:
        ok = False
    results.append(ok and out.getvalue().split() == t["output"].split())
sys.stdout = sys.__stdout__
print(json.dumps(results))
`

// builtinRun is one program to check against one problem.
type builtinRun struct {
	problem   *Problem
	label     string
	lang      string
	code      string
	wantAllOK bool
}

// TestBuiltinReferenceSolutions runs every reference solution (Python and
// C++) on all tests and requires it to pass, and every known-incorrect
// solution, which must fail at least one test. It uses python3 and g++
// directly (C++ programs run as processes, one per test; Python programs
// run in one interpreter per program); the real judge lives elsewhere.
func TestBuiltinReferenceSolutions(t *testing.T) {
	needPython(t)
	set, err := LoadBuiltin()
	if err != nil {
		t.Fatal(err)
	}
	var runs []builtinRun
	for _, p := range set.Problems {
		for i, s := range p.Solutions {
			runs = append(runs, builtinRun{p, fmt.Sprintf("reference %d (%s)", i, s.Language), s.Language, s.Code, true})
		}
		for i, s := range p.Incorrect {
			runs = append(runs, builtinRun{p, fmt.Sprintf("incorrect %d (%s)", i, s.Language), s.Language, s.Code, false})
		}
	}
	dir := t.TempDir()
	var mu sync.Mutex
	var wg sync.WaitGroup
	sem := make(chan struct{}, 2)
	for i, r := range runs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			results, err := runBuiltin(r, filepath.Join(dir, fmt.Sprint(i)))
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				t.Errorf("%s %s: %v", r.problem.ID, r.label, err)
				return
			}
			failed := 0
			for j, ok := range results {
				if !ok {
					failed++
					if r.wantAllOK {
						t.Errorf("%s %s fails test %d", r.problem.ID, r.label, j)
					}
				}
			}
			if !r.wantAllOK && failed == 0 {
				t.Errorf("%s %s passes every test; it must fail at least one", r.problem.ID, r.label)
			}
		}()
	}
	wg.Wait()
}

// runBuiltin returns pass/fail per test (public, then private).
func runBuiltin(r builtinRun, work string) ([]bool, error) {
	if err := os.MkdirAll(work, 0o755); err != nil {
		return nil, err
	}
	tests := append(append([]Test(nil), r.problem.Public...), r.problem.Private...)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if r.problem.Mode == ModeFunction || r.lang == "python" {
		harness := stdioHarness
		if r.problem.Mode == ModeFunction {
			harness = functionHarness
		}
		spec, _ := json.Marshal(map[string]any{"code": r.code, "entry": r.problem.EntryPoint, "atol": r.problem.Atol, "tests": tests})
		cmd := exec.CommandContext(ctx, python, "-c", harness)
		cmd.Stdin = bytes.NewReader(spec)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			return nil, fmt.Errorf("harness: %v: %s", err, stderr.String())
		}
		var results []bool
		if err := json.Unmarshal(out, &results); err != nil || len(results) != len(tests) {
			return nil, fmt.Errorf("harness printed %q", out)
		}
		return results, nil
	}
	var argv []string
	switch r.lang {
	case "cpp":
		gxx, err := exec.LookPath("g++")
		if err != nil {
			return nil, fmt.Errorf("g++ not installed")
		}
		src, bin := filepath.Join(work, "main.cpp"), filepath.Join(work, "main")
		if err := os.WriteFile(src, []byte(r.code), 0o644); err != nil {
			return nil, err
		}
		if out, err := exec.CommandContext(ctx, gxx, "-std=c++17", "-O2", "-o", bin, src).CombinedOutput(); err != nil {
			return nil, fmt.Errorf("compile: %v\n%s", err, out)
		}
		argv = []string{bin}
	default:
		return nil, fmt.Errorf("unknown language %q", r.lang)
	}
	results := make([]bool, len(tests))
	for i, tc := range tests {
		limit := 10 * r.problem.TimeLimit // generous: this machine is slow and shared
		tctx, tcancel := context.WithTimeout(ctx, limit)
		cmd := exec.CommandContext(tctx, argv[0], argv[1:]...)
		cmd.Stdin = strings.NewReader(tc.Input)
		out, err := cmd.Output()
		tcancel()
		results[i] = err == nil && strings.Join(strings.Fields(string(out)), " ") == strings.Join(strings.Fields(tc.Output), " ")
	}
	return results, nil
}

func TestLoadBuiltinFSErrors(t *testing.T) {
	// A problem directory without a reference is an error naming it.
	set, err := loadBuiltinFS(os.DirFS(writeBuiltinDir(t, map[string]string{
		"p/problem.json": `{"id": "x", "mode": "stdio", "public": [{"input": "1", "output": "1"}]}`,
		"p/statement.md": "S",
	})), ".")
	if err == nil || !strings.Contains(err.Error(), "builtin/p") || !strings.Contains(err.Error(), "reference.py") {
		t.Fatalf("set %v, err = %v", set, err)
	}
}

func writeBuiltinDir(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}
