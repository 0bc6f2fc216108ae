package dataset

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/rlef/rlef/internal/shareddata"
)

func TestLoadMBPPReal(t *testing.T) {
	full, err := LoadMBPP(shareddata.Path(t, "mbpp", "mbpp.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	san, err := LoadMBPPSanitized(shareddata.Path(t, "mbpp", "sanitized-mbpp.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(full.Problems) != 974 || len(san.Problems) != 427 {
		t.Fatalf("%d full and %d sanitized problems, want 974 and 427", len(full.Problems), len(san.Problems))
	}
	for i, p := range full.Problems {
		if want := fmt.Sprintf("Mbpp/%d", i+1); p.ID != want {
			t.Fatalf("problem %d id %s, want %s", i, p.ID, want)
		}
		if len(p.Public) != 1 || len(p.Private) != 2 {
			t.Fatalf("%s: %d public and %d private tests, want 1 and 2", p.ID, len(p.Public), len(p.Private))
		}
		if !regexp.MustCompile(`\b` + p.EntryPoint + `\s*\(`).MatchString(p.Public[0].Code) {
			t.Fatalf("%s: first test %q does not call %s", p.ID, p.Public[0].Code, p.EntryPoint)
		}
		if strings.Contains(p.Solutions[0].Code, "\r") {
			t.Fatalf("%s: CRLF left in reference", p.ID)
		}
	}
	if !full.PassNeedsPublic || !san.PassNeedsPublic {
		t.Error("MBPP sets must require the public test too (all asserts decide)")
	}
	p367, _ := full.Lookup("Mbpp/367")
	if !strings.HasPrefix(p367.Setup, "root = Node(1)") {
		t.Errorf("Mbpp/367 setup = %q", p367.Setup)
	}
	challenges := 0
	for _, p := range full.Problems {
		if p.Meta[MetaChallengeTests] != "" {
			challenges++
		}
	}
	if challenges != 11 {
		t.Errorf("%d problems with challenge tests, want 11", challenges)
	}
	imports := 0
	for _, p := range san.Problems {
		if p.Setup == "import math" {
			imports++
		}
	}
	if imports != 13 {
		t.Errorf("%d sanitized problems with test_imports, want 13", imports)
	}
	p2, _ := san.Lookup("Mbpp/2")
	if p2.EntryPoint != "similar_elements" || p2.Statement != "Write a function to find the shared elements from the given two lists." {
		t.Errorf("sanitized Mbpp/2 = %+v", p2)
	}
}

// TestMBPPReferencesPass runs a sample of references with Setup and all
// tests, assembled as the judge will (solution, then setup, then test).
func TestMBPPReferencesPass(t *testing.T) {
	full, err := LoadMBPP(shareddata.Path(t, "mbpp", "mbpp.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	var jobs []pyJob
	for _, id := range []string{"Mbpp/1", "Mbpp/2", "Mbpp/367", "Mbpp/927", "Mbpp/500", "Mbpp/974"} {
		p, _ := full.Lookup(id)
		for i, tc := range append(append([]Test(nil), p.Public...), p.Private...) {
			jobs = append(jobs, pyJob{Name: fmt.Sprintf("%s test %d", id, i), Program: p.Solutions[0].Code + "\n" + p.Setup + "\n" + tc.Code + "\n"})
		}
	}
	for name, msg := range execPrograms(t, jobs) {
		t.Errorf("%s: %s", name, msg)
	}
}

func TestMBPPEntryPoint(t *testing.T) {
	tests := []struct{ code, assert, want string }{
		{"def helper(x):\n  pass\ndef main_fn(a):\n  return helper(a)", "assert main_fn(1) == 2", "main_fn"},
		{"def f(a): pass", "assert set(f((1, 2))) == set((1,))", "f"},
		{"class A:\n  def m(self): pass", "assert A().m() == 1", "A"},
		{"def outer():\n  def inner(): pass", "assert inner() == 1", "inner"},
		{"def f(): pass", "assert g() == 1", ""},
	}
	for _, tc := range tests {
		if got := mbppEntryPoint(tc.code, tc.assert); got != tc.want {
			t.Errorf("mbppEntryPoint(%q, %q) = %q, want %q", tc.code, tc.assert, got, tc.want)
		}
	}
}

func FuzzDecodeMBPPRow(f *testing.F) {
	f.Add([]byte(`{"text": "t", "code": "def f(x):\r\n  return x", "task_id": 1, "test_setup_code": "", "test_list": ["assert f(1) == 1"], "challenge_test_list": []}`), false)
	f.Add([]byte(`{"source_file": "s", "task_id": 2, "prompt": "p", "code": "def g(): pass", "test_imports": ["import math"], "test_list": ["assert g() is None"]}`), true)
	f.Fuzz(func(t *testing.T, row []byte, sanitized bool) {
		p, err := decodeMBPPRow(row, sanitized)
		if err != nil {
			return
		}
		if err := p.Validate(); err != nil {
			t.Fatalf("decoded problem invalid: %v", err)
		}
		if len(p.Public) != 1 {
			t.Fatalf("%d public tests", len(p.Public))
		}
	})
}
