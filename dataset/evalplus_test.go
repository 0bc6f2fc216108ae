package dataset

import (
	"strings"
	"testing"

	"github.com/rlef/rlef/internal/shareddata"
)

func TestLoadEvalPlusReal(t *testing.T) {
	tests := []struct {
		file, name, md5 string
		problems        int
		base, plus      int
	}{
		{"HumanEvalPlus.jsonl.gz", "humaneval+", "fe585eb4df8c88d844eeb463ea4d0302", 164, 1570, 122683},
		{"HumanEvalPlus-v0.1.9.jsonl.gz", "humaneval+", "84f4b93a1270b492e4c54d5212da7a5b", 164, 1570, 123739},
		{"HumanEvalPlus-Mini.jsonl.gz", "humaneval+", "401e75ad986361dccc7afecb4121e295", 164, 1570, 1107},
		{"MbppPlus.jsonl.gz", "mbpp+", "ee43ecabebf20deef4bb776a405ac5b1", 378, 1174, 39841},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			set, err := LoadEvalPlus(shareddata.Path(t, "evalplus", tc.file), tc.name)
			if err != nil {
				t.Fatal(err)
			}
			base, plus, _ := testCount(set)
			if len(set.Problems) != tc.problems || base != tc.base || plus != tc.plus {
				t.Errorf("%d problems, %d base, %d plus; want %d, %d, %d", len(set.Problems), base, plus, tc.problems, tc.base, tc.plus)
			}
			if set.Version != tc.md5 {
				t.Errorf("Version = %s, want EvalPlus hash %s", set.Version, tc.md5)
			}
			if set.PublicSuite != "base" || set.PrivateSuite != "plus" || !set.PassNeedsPublic {
				t.Errorf("suites %s/%s, PassNeedsPublic %v", set.PublicSuite, set.PrivateSuite, set.PassNeedsPublic)
			}
			for _, p := range set.Problems {
				if p.Mode != ModeFunction || !p.ExpectedFromReference || len(p.Solutions) != 1 {
					t.Fatalf("%s: mode %s, ExpectedFromReference %v, %d solutions", p.ID, p.Mode, p.ExpectedFromReference, len(p.Solutions))
				}
			}
		})
	}
}

func TestEvalPlusRawArgumentsSurvive(t *testing.T) {
	he, err := LoadEvalPlus(shareddata.Path(t, "evalplus", "HumanEvalPlus.jsonl.gz"), "humaneval+")
	if err != nil {
		t.Fatal(err)
	}
	mbpp, err := LoadEvalPlus(shareddata.Path(t, "evalplus", "MbppPlus.jsonl.gz"), "mbpp+")
	if err != nil {
		t.Fatal(err)
	}
	// Integers beyond int64 and bare Infinity tokens, as written by
	// Python's json module, stay exactly as in the file.
	bigInts, infinities := 0, 0
	for _, set := range []*Set{he, mbpp} {
		for _, p := range set.Problems {
			for _, tc := range append(append([]Test(nil), p.Public...), p.Private...) {
				if strings.Contains(tc.Input, "Infinity") {
					infinities++
				}
				if hasBigInt(tc.Input) {
					bigInts++
				}
			}
		}
	}
	if bigInts == 0 || infinities == 0 {
		t.Errorf("found %d inputs with integers beyond int64 and %d with Infinity; the files have both", bigInts, infinities)
	}
	p404, _ := mbpp.Lookup("Mbpp/404")
	found := false
	for _, tc := range p404.Private {
		if tc.Input == "[-Infinity, Infinity]" {
			found = true
		}
	}
	if !found {
		t.Errorf("Mbpp/404 lacks the plus input [-Infinity, Infinity]")
	}
	// Mbpp/793 stores plus_input as {}: no plus tests.
	p793, ok := mbpp.Lookup("Mbpp/793")
	if !ok || len(p793.Private) != 0 || len(p793.Public) != 3 {
		t.Errorf("Mbpp/793: found %v, %d plus, %d base tests; want 0 plus, 3 base", ok, len(p793.Private), len(p793.Public))
	}
	// MBPP+ metadata the judge needs.
	p2, _ := mbpp.Lookup("Mbpp/2")
	if p2.Judging != (Judging{Grader: GraderEvalPlus, ArgsAdapter: AdaptEachArgTuple, Oracle: OracleSetEq}) || !strings.Contains(p2.Meta[MetaAssertion], "similar_elements") {
		t.Errorf("Mbpp/2 judging %+v meta %v", p2.Judging, p2.Meta)
	}
	if p2.Solutions[0].Code != "\ndef similar_elements(test_tup1, test_tup2):\n  return tuple(set(test_tup1) & set(test_tup2))\n" {
		t.Errorf("Mbpp/2 reference = %q", p2.Solutions[0].Code)
	}
	hz, _ := he.Lookup("HumanEval/32")
	if hz.Judging.Oracle != OraclePoly || hz.Atol != 1e-4 {
		t.Errorf("HumanEval/32: oracle %q atol %v", hz.Judging.Oracle, hz.Atol)
	}
}

// hasBigInt reports whether s holds an integer literal of 20+ digits.
func hasBigInt(s string) bool {
	run := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			run++
			if run >= 20 && (i+1 == len(s) || s[i+1] < '0' || s[i+1] > '9') {
				start := i - run + 1
				if start == 0 || (s[start-1] != '.' && s[start-1] != 'e' && s[start-1] != 'E') {
					return true
				}
			}
			continue
		}
		run = 0
	}
	return false
}

// TestMBPPPlusAdapters checks which tasks get an argument adapter (the
// judge's tests run each one on the task's inputs).
func TestMBPPPlusAdapters(t *testing.T) {
	mbpp, err := LoadEvalPlus(shareddata.Path(t, "evalplus", "MbppPlus.jsonl.gz"), "mbpp+")
	if err != nil {
		t.Fatal(err)
	}
	adapted := 0
	for _, p := range mbpp.Problems {
		if p.Judging.ArgsAdapter != AdaptNone {
			adapted++
		}
		if err := p.Judging.Validate(); err != nil {
			t.Errorf("%s: %v", p.ID, err)
		}
	}
	if adapted != 52 {
		t.Errorf("%d MBPP+ tasks with an args adapter, want 52 (of the 67 EvalPlus adapts, 15 are for tasks not in v0.2.0)", adapted)
	}
}

func TestDecodeEvalPlusRow(t *testing.T) {
	row := `{"task_id": "Mbpp/9", "prompt": "\"\"\"doc\"\"\"\n", "entry_point": "f", "canonical_solution": "def f(x): return x\n",` +
		` "base_input": [[1], [99999999999999999999999]], "plus_input": [[NaN], [-Infinity]], "atol": 0.0001, "contract": "", "assertion": "assert f(1) == 1"}`
	p, err := decodeEvalPlusRow([]byte(row), true)
	if err != nil {
		t.Fatal(err)
	}
	if got := []string{p.Public[0].Input, p.Public[1].Input, p.Private[0].Input, p.Private[1].Input}; strings.Join(got, " ") != "[1] [99999999999999999999999] [NaN] [-Infinity]" {
		t.Errorf("inputs = %q", got)
	}
	if p.Atol != 1e-4 || p.StarterCode != "\"\"\"doc\"\"\"\n" || p.Meta[MetaAssertion] != "assert f(1) == 1" {
		t.Errorf("atol %v starter %q meta %v", p.Atol, p.StarterCode, p.Meta)
	}
	for _, bad := range []struct{ row, want string }{
		{`{"task_id": "x", "prompt": "", "entry_point": "f", "canonical_solution": "", "base_input": [1], "plus_input": []}`, "want an argument list"},
		{`{"task_id": "x", "prompt": "", "entry_point": "f", "canonical_solution": "", "base_input": [], "plus_input": {"a": 1}}`, "want an array"},
		{`{"task_id": "x", "prompt": "", "entry_point": "f", "canonical_solution": "", "base_input": []}`, `missing field "plus_input"`},
		{`{"task_id": "x", "prompt": "", "entry_point": "", "canonical_solution": "", "base_input": [], "plus_input": []}`, "empty entry_point"},
	} {
		if _, err := decodeEvalPlusRow([]byte(bad.row), false); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("row %s: err = %v, want %q", bad.row, err, bad.want)
		}
	}
}

func FuzzDecodeEvalPlusRow(f *testing.F) {
	f.Add([]byte(`{"task_id": "HumanEval/0", "prompt": "def f(x):\n", "entry_point": "f", "canonical_solution": "    return x\n", "base_input": [[1]], "plus_input": [[Infinity]], "atol": 0}`), false)
	f.Add([]byte(`{"task_id": "Mbpp/793", "prompt": "", "entry_point": "g", "canonical_solution": "def g(): pass", "base_input": [[]], "plus_input": {}, "atol": 1e-6}`), true)
	f.Fuzz(func(t *testing.T, row []byte, mbpp bool) {
		p, err := decodeEvalPlusRow(row, mbpp)
		if err != nil {
			return
		}
		for _, tc := range append(append([]Test(nil), p.Public...), p.Private...) {
			if v, err := parsePyJSON([]byte(tc.Input)); err != nil || v.Kind != jArray {
				t.Fatalf("input %q is not a JSON array: %v", tc.Input, err)
			}
		}
	})
}
