package dataset

import (
	"fmt"
	"strings"
	"testing"

	"github.com/rlef/rlef/internal/shareddata"
)

func TestLoadHumanEvalReal(t *testing.T) {
	path := shareddata.Path(t, "humaneval", "HumanEval.jsonl.gz")
	set, err := LoadHumanEval(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Problems) != 164 {
		t.Fatalf("%d problems, want 164", len(set.Problems))
	}
	if want := "sha256:b796127e635a67f93fb35c04f4cb03cf06f38c8072ee7cee8833d7bee06979ef"; set.Version != want {
		t.Errorf("Version = %s, want %s", set.Version, want)
	}
	for i, p := range set.Problems {
		if want := fmt.Sprintf("HumanEval/%d", i); p.ID != want {
			t.Fatalf("problem %d has id %s, want %s", i, p.ID, want)
		}
		if p.Mode != ModeAssert || len(p.Private) != 1 || !strings.HasSuffix(p.Private[0].Code, "check("+p.EntryPoint+")\n") {
			t.Fatalf("%s: private test does not end with check(%s): %q", p.ID, p.EntryPoint, p.Private[0].Code)
		}
		if p.StarterCode != p.Statement || !strings.HasPrefix(p.Solutions[0].Code, p.StarterCode) {
			t.Fatalf("%s: reference is not prompt + canonical_solution", p.ID)
		}
	}
	pub, _, _ := testCount(set)
	var without []string
	for _, p := range set.Problems {
		if len(p.Public) == 0 {
			without = append(without, p.ID)
		}
	}
	// /32, /38 and /50 test only inside loops (randomized inputs).
	if got := strings.Join(without, " "); got != "HumanEval/32 HumanEval/38 HumanEval/50" {
		t.Errorf("problems without public asserts: %s", got)
	}
	if pub != 1128 {
		t.Errorf("%d public asserts, want 1128", pub)
	}
	p0, _ := set.Lookup("HumanEval/0")
	if want := "candidate = has_close_elements\nassert candidate([1.0, 2.0, 3.9, 4.0, 5.0, 2.2], 0.3) == True"; p0.Public[0].Code != want {
		t.Errorf("first public test = %q, want %q", p0.Public[0].Code, want)
	}
}

// TestHumanEvalPublicAssertsPassReference runs every extracted public
// assert (and, for a sample, the private check) against the reference
// solution: the extraction must not produce tests that the reference
// fails, and the asserts must actually exercise the function.
func TestHumanEvalPublicAssertsPassReference(t *testing.T) {
	path := shareddata.Path(t, "humaneval", "HumanEval.jsonl.gz")
	set, err := LoadHumanEval(path)
	if err != nil {
		t.Fatal(err)
	}
	var jobs []pyJob
	for _, p := range set.Problems {
		for i, tc := range p.Public {
			jobs = append(jobs, pyJob{Name: fmt.Sprintf("%s public %d", p.ID, i), Program: p.Solutions[0].Code + "\n" + tc.Code + "\n"})
		}
		// A deliberately wrong solution must fail at least one public
		// assert where there are any.
		if len(p.Public) > 0 {
			wrong := p.StarterCode + "    return None\n"
			var all strings.Builder
			all.WriteString(wrong)
			for _, tc := range p.Public {
				all.WriteString("\ntry:\n")
				for _, line := range strings.Split(tc.Code, "\n") {
					all.WriteString("    " + line + "\n")
				}
				all.WriteString("except AssertionError:\n    raise SystemExit('caught')\nexcept Exception:\n    raise SystemExit('caught')\n")
			}
			jobs = append(jobs, pyJob{Name: p.ID + " wrong", Program: all.String() + "\nraise RuntimeError('all public asserts passed a wrong solution')\n"})
		}
	}
	for _, id := range []string{"HumanEval/0", "HumanEval/53", "HumanEval/151"} {
		p, _ := set.Lookup(id)
		jobs = append(jobs, pyJob{Name: id + " private", Program: p.Solutions[0].Code + "\n" + p.Private[0].Code})
	}
	failures := execPrograms(t, jobs)
	for name, msg := range failures {
		if strings.HasSuffix(name, " wrong") && strings.Contains(msg, "caught") {
			continue
		}
		t.Errorf("%s: %s", name, msg)
	}
}

func TestDecodeHumanEvalRowErrors(t *testing.T) {
	tests := []struct{ name, row, want string }{
		{"missing test", `{"task_id": "T/0", "prompt": "p", "entry_point": "f", "canonical_solution": "c"}`, `missing field "test"`},
		{"empty id", `{"task_id": "", "prompt": "p", "entry_point": "f", "canonical_solution": "c", "test": "t"}`, "empty task_id"},
		{"wrong type", `{"task_id": 3, "prompt": "p", "entry_point": "f", "canonical_solution": "c", "test": "t"}`, `"task_id" is a number`},
		{"not an object", `[1]`, "want an object"},
	}
	for _, tc := range tests {
		_, err := decodeHumanEvalRow([]byte(tc.row))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.want)
		}
	}
}

func FuzzDecodeHumanEvalRow(f *testing.F) {
	f.Add([]byte(`{"task_id": "HumanEval/0", "prompt": "def f(x):\n", "entry_point": "f", "canonical_solution": "    return x\n", "test": "def check(candidate):\n    assert candidate(1) == 1\n"}`))
	f.Add([]byte(`{"task_id": "x", "prompt": "", "entry_point": "", "canonical_solution": "", "test": ""}`))
	f.Fuzz(func(t *testing.T, row []byte) {
		p, err := decodeHumanEvalRow(row)
		if err != nil {
			return
		}
		if verr := p.Validate(); verr != nil {
			t.Fatalf("decoded problem is invalid: %v", verr)
		}
	})
}
