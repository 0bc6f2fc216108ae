package dataset

import (
	"bytes"
	"compress/zlib"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/rlef/rlef/internal/shareddata"
	"github.com/rlef/rlef/verdict"
)

// pythonPrivateTests is base64(zlib(pickle(json.dumps(tests)))) made by
// CPython 3.11 for tests = [{"input": "3\n1 2 3\n", "output": "6\n",
// "testtype": "stdin"}], as in code_generation_lite.
const pythonPrivateTests = "eJxrYJnqzAABPfbR1UqZeQWlJUpWCkrGMXmGCkYKQEpJR0Epv7QEKm4GEShJLS4pqSxIBQkVl6Rk5inVxk7RAwAU/hX6"

// lcbEncode packs tests like code_generation_lite's private_test_cases.
func lcbEncode(t *testing.T, tests any) string {
	t.Helper()
	js, err := json.Marshal(tests)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	zw := zlib.NewWriter(&b)
	zw.Write(pickleString(string(js)))
	zw.Close()
	return base64.StdEncoding.EncodeToString(b.Bytes())
}

func lcbRow(t *testing.T, fields map[string]string) string {
	t.Helper()
	row := map[string]string{
		"question_title": "T", "question_content": "Q", "platform": "atcoder", "question_id": "abc1_a",
		"contest_id": "abc1", "contest_date": "2023-08-21T00:00:00", "starter_code": "", "difficulty": "easy",
		"public_test_cases": "[]", "private_test_cases": "[]", "metadata": "{}",
	}
	for k, v := range fields {
		row[k] = v
	}
	js, err := json.Marshal(row)
	if err != nil {
		t.Fatal(err)
	}
	return string(js)
}

func TestLoadLiveCodeBenchLite(t *testing.T) {
	big := strings.Repeat("9 ", 200)
	rows := []string{
		lcbRow(t, map[string]string{
			"question_id":        "abc1_a",
			"public_test_cases":  `[{"input": "2\n1 2\n", "output": "3\n", "testtype": "stdin"}]`,
			"private_test_cases": pythonPrivateTests,
		}),
		lcbRow(t, map[string]string{
			"question_id":        "2727",
			"platform":           "leetcode",
			"starter_code":       "class Solution:\n    def sumAll(self, nums: List[int], k: int) -> int:\n        ",
			"public_test_cases":  `[{"input": "[1, 2]\n3", "output": "6", "testtype": "functional"}]`,
			"private_test_cases": `[{"input": "[99999999999999999999]\n0", "output": "99999999999999999999", "testtype": "functional"}]`,
			"metadata":           `{"func_name": "sumAll"}`,
		}),
		lcbRow(t, map[string]string{
			"question_id":        "abc2_b",
			"public_test_cases":  `[{"input": "1\n", "output": "1\n", "testtype": "stdin"}]`,
			"private_test_cases": lcbEncode(t, []map[string]string{{"input": big, "output": "x\n", "testtype": "stdin"}}),
		}),
	}
	p1 := writeFile(t, "test.jsonl", rows[0]+"\n"+rows[1]+"\n")
	p2 := writeFile(t, "test2.jsonl", rows[2]+"\n")
	set, err := LoadLiveCodeBench(p1, p2)
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Problems) != 3 || !set.PassNeedsPublic {
		t.Fatalf("%d problems, PassNeedsPublic %v", len(set.Problems), set.PassNeedsPublic)
	}
	a := set.Problems[0]
	if a.Mode != ModeStdio || a.Checker != CheckLines || a.Judging.Grader != GraderLiveCodeBench {
		t.Errorf("stdin problem: mode %s checker %s meta %v", a.Mode, a.Checker, a.Meta)
	}
	if len(a.Private) != 1 || a.Private[0].Input != "3\n1 2 3\n" || a.Private[0].Output != "6\n" {
		t.Errorf("private tests decoded from the pickle: %q", a.Private)
	}
	if a.Meta[MetaContestDate] != "2023-08-21T00:00:00" || a.Meta[MetaPlatform] != "atcoder" {
		t.Errorf("meta %v", a.Meta)
	}
	f := set.Problems[1]
	if f.Mode != ModeClassMethod || f.EntryPoint != "sumAll" {
		t.Errorf("functional problem: mode %s entry %s", f.Mode, f.EntryPoint)
	}
	if f.Public[0].Input != "[[1, 2], 3]" || f.Public[0].Output != "6" || f.Private[0].Input != "[[99999999999999999999], 0]" {
		t.Errorf("functional tests: %q %q", f.Public, f.Private)
	}
	if got := set.Problems[2].Private[0].Input; got != big {
		t.Errorf("long pickled string: got %d bytes", len(got))
	}
	if !strings.HasPrefix(set.Version, "sha256:") {
		t.Errorf("Version = %q", set.Version)
	}
}

func TestDecodeLCBRowErrors(t *testing.T) {
	tests := []struct {
		fields map[string]string
		want   string
	}{
		{map[string]string{"private_test_cases": "not base64 !!"}, "neither JSON nor base64"},
		{map[string]string{"private_test_cases": base64.StdEncoding.EncodeToString([]byte("plain"))}, "zlib"},
		{map[string]string{"public_test_cases": `[{"input": "1", "output": "1", "testtype": "stdin"}, {"input": "[1]", "output": "1", "testtype": "functional"}]`, "metadata": `{"func_name": "f"}`}, "mixes"},
		{map[string]string{"public_test_cases": `[{"input": "[1]", "output": "1", "testtype": "functional"}]`}, "no func_name"},
		{map[string]string{"public_test_cases": `[{"input": "[1", "output": "1", "testtype": "functional"}]`, "metadata": `{"func_name": "f"}`}, "argument 1"},
		{map[string]string{"public_test_cases": `[{"input": "1", "output": "1", "testtype": "file"}]`}, `unknown testtype "file"`},
		{map[string]string{"question_id": ""}, "empty question_id"},
	}
	for _, tc := range tests {
		_, err := decodeLCBRow([]byte(lcbRow(t, tc.fields)))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: err = %v, want %q", tc.fields, err, tc.want)
		}
	}
}

func TestLoadLiveCodeBenchRLLMReal(t *testing.T) {
	set, err := LoadLiveCodeBenchRLLM(shareddata.Path(t, "livecodebench", "rllm_test_livecodebench_879.json"))
	if err != nil {
		t.Fatal(err)
	}
	stdio, class := 0, 0
	for _, p := range set.Problems {
		switch p.Mode {
		case ModeStdio:
			stdio++
		case ModeClassMethod:
			class++
			if p.EntryPoint == "" {
				t.Errorf("%s: no entry point", p.ID)
			}
		}
	}
	pub, priv, _ := testCount(set)
	if len(set.Problems) != 879 || stdio != 498 || class != 381 || pub != 2299 || priv != 0 {
		t.Errorf("%d problems (%d stdin, %d functional), %d public, %d private; want 879 (498, 381), 2299, 0", len(set.Problems), stdio, class, pub, priv)
	}
}

func TestLoadLCBSubmissionsReal(t *testing.T) {
	g, err := LoadLCBSubmissions(
		shareddata.Path(t, "livecodebench", "O1-Mini-2024-09-12_N1.codegeneration_1_0.2_eval_all.json"),
		shareddata.Path(t, "livecodebench", "rllm_test_livecodebench_879.json"))
	if err != nil {
		t.Fatal(err)
	}
	passed := 0
	counts := map[verdict.Verdict]int{}
	for _, s := range g.Samples {
		if s.Passed {
			passed++
		}
		counts[s.Verdict]++
	}
	if len(g.Samples) != 880 || passed != 602 || len(g.Set.Problems) != 879 {
		t.Errorf("%d samples, %d passed, %d joined problems; want 880, 602, 879", len(g.Samples), passed, len(g.Set.Problems))
	}
	if strings.Join(g.Unmatched, ",") != "abc350_c" {
		t.Errorf("unmatched = %v, want [abc350_c]", g.Unmatched)
	}
	if counts[verdict.Accepted] != 602 || counts[verdict.WrongAnswer]+counts[verdict.TimeLimit]+counts[verdict.RuntimeError]+counts[verdict.SandboxError]+counts[verdict.CompileError] != 278 {
		t.Errorf("verdicts = %v", counts)
	}
	p, ok := g.Set.Lookup("1873_A")
	if !ok || p.Mode != ModeStdio || len(p.Public) == 0 || p.Meta[MetaPlatform] != "codeforces" {
		t.Errorf("1873_A = %+v", p)
	}
	if g.Samples[0].ProblemID != "1873_A" || !g.Samples[0].Passed || !strings.Contains(g.Samples[0].Code, "def main") {
		t.Errorf("first sample = %+v", g.Samples[0])
	}
}

func TestLCBVerdict(t *testing.T) {
	tests := []struct {
		passed bool
		meta   string
		want   verdict.Verdict
	}{
		{true, `{"execution time": 0.1}`, verdict.Accepted},
		{false, `{"error_code": -2, "error_message": "Wrong Answer"}`, verdict.WrongAnswer},
		{false, `{"error_code": -3}`, verdict.TimeLimit},
		{false, `{"error_code": -4}`, verdict.RuntimeError},
		{false, `{"error_code": -5}`, verdict.SandboxError},
		{false, `{"error_code": -1}`, verdict.CompileError},
		{false, `garbage`, verdict.WrongAnswer},
	}
	for _, tc := range tests {
		if got := lcbVerdict(tc.passed, tc.meta); got != tc.want {
			t.Errorf("lcbVerdict(%v, %s) = %s, want %s", tc.passed, tc.meta, got, tc.want)
		}
	}
}

func FuzzDecodeLCBRow(f *testing.F) {
	f.Add([]byte(`{"question_id": "1", "question_content": "q", "public_test_cases": "[{\"input\": \"1\\n\", \"output\": \"2\\n\", \"testtype\": \"stdin\"}]", "private_test_cases": "` + pythonPrivateTests + `", "metadata": "{}"}`))
	f.Add([]byte(`{"question_id": "2", "question_content": "q", "starter_code": "class Solution:\n    def f(self, a):\n", "public_test_cases": "[{\"input\": \"[1]\\n2\", \"output\": \"3\", \"testtype\": \"functional\"}]", "private_test_cases": "[]", "metadata": "{\"func_name\": \"f\"}"}`))
	f.Fuzz(func(t *testing.T, row []byte) {
		p, err := decodeLCBRow(row)
		if err != nil {
			return
		}
		if p.Mode == ModeClassMethod {
			for _, tc := range append(append([]Test(nil), p.Public...), p.Private...) {
				if v, err := parsePyJSON([]byte(tc.Input)); err != nil || v.Kind != jArray {
					t.Fatalf("functional input %q is not a JSON array", tc.Input)
				}
			}
		}
	})
}

func FuzzLCBArgs(f *testing.F) {
	f.Add("[1, 2]\n3")
	f.Add("\"a\\nb\"\n\n{\"k\": [Infinity]}")
	f.Fuzz(func(t *testing.T, input string) {
		args, err := lcbArgs(input)
		if err != nil {
			return
		}
		v, err := parsePyJSON([]byte(args))
		if err != nil || v.Kind != jArray {
			t.Fatalf("lcbArgs(%q) = %q, not a JSON array: %v", input, args, err)
		}
		nonEmpty := 0
		for _, line := range strings.Split(input, "\n") {
			if strings.TrimSpace(line) != "" {
				nonEmpty++
			}
		}
		if len(v.Items) != nonEmpty {
			t.Fatalf("lcbArgs(%q) has %d arguments, want %d", input, len(v.Items), nonEmpty)
		}
	})
}

func FuzzDecodeRLLMLCBRow(f *testing.F) {
	f.Add([]byte(`{"problem": "p", "starter_code": "", "tests": [{"input": "1\n", "output": "1\n", "testtype": "stdin"}]}`))
	f.Add([]byte(`{"problem": "p", "starter_code": "class Solution:\n    def g(self, x):\n", "tests": [{"input": "[1]", "output": "1", "testtype": "functional"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := parsePyJSON(data)
		if err != nil {
			return
		}
		row, err := decodeRLLMLCBRow(&v)
		if err != nil {
			return
		}
		p := &Problem{ID: "x", StarterCode: row.starter, Meta: map[string]string{}}
		if err := p.setLCBTests(row.tests, nil, ""); err != nil {
			return
		}
		if len(row.tests) > 0 {
			if err := p.Validate(); err != nil {
				t.Fatal(err)
			}
		}
	})
}
