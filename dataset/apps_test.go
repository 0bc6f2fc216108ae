package dataset

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/rlef/rlef/internal/shareddata"
	"github.com/rlef/rlef/verdict"
)

func TestLoadAPPSDirReal(t *testing.T) {
	dir := shareddata.Path(t, "apps", "coderl", "APPS", "train")
	set, err := LoadAPPSDir(dir, "apps")
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		id          string
		mode        Mode
		entry       string
		pub, priv   int
		publicFrom  string
		solutions   int
		hasStarter  bool
		wrapsStdio  bool
		difficulty  string
		firstOutput string
	}{
		{"0001", ModeStdio, "", 1, 0, PublicFromStatement, 24, false, true, "interview", "1\n6\n-1\n"},
		{"0111", ModeStdio, "", 1, 0, PublicFromStatement, 1, false, true, "interview", "5\n"},
		{"2287", ModeStdio, "", 1, 2, PublicFromStatement, 10, false, true, "competition", "Yes\n5\n6\n6\n5\n7\n"},
		{"2404", ModeClassMethod, "findKthPositive", 1, 0, PublicFirstTest, 19, true, false, "introductory", "9"},
		{"4184", ModeFunction, "is_prime", 1, 7, PublicFirstTest, 8, true, false, "introductory", "[false]"},
	}
	if len(set.Problems) != len(want) {
		t.Fatalf("%d problems, want %d", len(set.Problems), len(want))
	}
	for i, w := range want {
		p := set.Problems[i]
		if p.ID != w.id || p.Mode != w.mode || p.EntryPoint != w.entry || len(p.Public) != w.pub || len(p.Private) != w.priv ||
			p.Meta[MetaPublicSource] != w.publicFrom || (p.StarterCode != "") != w.hasStarter ||
			(p.Mode == ModeStdio && p.Judging.Grader.WrapsStdio()) != w.wrapsStdio || p.Meta[MetaDifficulty] != w.difficulty {
			t.Errorf("problem %d = %s mode %s entry %q tests %d/%d public from %s starter %v meta %v",
				i, p.ID, p.Mode, p.EntryPoint, len(p.Public), len(p.Private), p.Meta[MetaPublicSource], p.StarterCode != "", p.Meta)
		}
		if len(p.Solutions) < 1 || p.Public[0].Output != w.firstOutput {
			t.Errorf("%s: %d solutions, first public output %q", p.ID, len(p.Solutions), p.Public[0].Output)
		}
	}
	p4184, _ := set.Lookup("4184")
	if p4184.Public[0].Input != "[1]" || p4184.Judging.Grader != GraderAPPS {
		t.Errorf("4184 first test %q meta %v", p4184.Public[0].Input, p4184.Meta)
	}
	if !set.PassNeedsPublic {
		t.Error("APPS needs every test to pass")
	}
}

func TestLoadCodeRLGradedReal(t *testing.T) {
	samples, err := LoadCodeRLGraded(shareddata.Path(t, "apps", "coderl", "APPS", "train"))
	if err != nil {
		t.Fatal(err)
	}
	counts := map[verdict.Verdict]int{}
	perProblem := map[string]int{}
	for _, s := range samples {
		counts[s.Verdict]++
		perProblem[s.ProblemID]++
		if s.Passed != (s.Verdict == verdict.Accepted) {
			t.Errorf("%s #%d: passed %v but verdict %s", s.ProblemID, s.Index, s.Passed, s.Verdict)
		}
	}
	// SOURCES.md: 83 graded programs; 35 pass, 23 fail, 23 runtime error
	// or timeout (4 timeouts), 2 syntax errors.
	if len(samples) != 83 || counts[verdict.Accepted] != 35 || counts[verdict.WrongAnswer] != 23 ||
		counts[verdict.RuntimeError] != 19 || counts[verdict.TimeLimit] != 4 || counts[verdict.CompileError] != 2 {
		t.Errorf("%d samples, verdicts %v", len(samples), counts)
	}
	if perProblem["0001"] != 20 || perProblem["2287"] != 4 || perProblem["2404"] != 19 {
		t.Errorf("per problem %v", perProblem)
	}
}

func TestLoadAPPSRowsJSONL(t *testing.T) {
	io1, _ := json.Marshal(map[string]any{"inputs": []any{[]string{"1 2", "3"}, "5\n"}, "outputs": []any{[]string{"6"}, "5\n"}})
	io2, _ := json.Marshal(map[string]any{"fn_name": "add", "inputs": []any{[]int{1, 2}, 7}, "outputs": []any{3, []int{7}}})
	sol, _ := json.Marshal([]string{"print(sum(map(int, open(0).read().split())))"})
	rows := []map[string]any{
		{"problem_id": 12, "question": "Add.\n\n-----Example-----\nInput\n5\n\nOutput\n5\n", "solutions": string(sol), "input_output": string(io1), "difficulty": "interview", "url": "u", "starter_code": ""},
		{"problem_id": 13, "question": "Add two.", "solutions": "", "input_output": string(io2), "difficulty": "introductory", "url": "u", "starter_code": "def add(a, b):\n"},
		{"problem_id": 14, "question": "No tests.", "solutions": "[]", "input_output": "", "difficulty": "x", "url": "u", "starter_code": ""},
	}
	var b strings.Builder
	for _, r := range rows {
		js, _ := json.Marshal(r)
		b.Write(js)
		b.WriteString("\n")
	}
	set, err := LoadAPPSRows(writeFile(t, "test.jsonl", b.String()), "apps")
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Problems) != 2 {
		t.Fatalf("%d problems, want 2 (one has no tests)", len(set.Problems))
	}
	a := set.Problems[0]
	if a.ID != "0012" || a.Mode != ModeStdio || a.Public[0].Input != "5\n" || a.Private[0].Input != "1 2\n3" || a.Private[0].Output != "6" {
		t.Errorf("stdio problem %s: public %q private %q", a.ID, a.Public, a.Private)
	}
	f := set.Problems[1]
	if f.ID != "0013" || f.Mode != ModeFunction || f.EntryPoint != "add" || f.Public[0].Input != "[1,2]" || f.Private[0].Input != "[7]" || f.Private[0].Output != "[7]" {
		t.Errorf("call-based problem %s: mode %s public %q private %q", f.ID, f.Mode, f.Public, f.Private)
	}
}

// tacoRow is TACO's parquet layout (all string columns).
type tacoRow struct {
	Question    string `parquet:"question"`
	Solutions   string `parquet:"solutions"`
	StarterCode string `parquet:"starter_code"`
	InputOutput string `parquet:"input_output"`
	Difficulty  string `parquet:"difficulty"`
	RawTags     string `parquet:"raw_tags"`
	Name        string `parquet:"name"`
	Source      string `parquet:"source"`
	Tags        string `parquet:"tags"`
	SkillTypes  string `parquet:"skill_types"`
	URL         string `parquet:"url"`
	TimeLimit   string `parquet:"time_limit"`
	MemoryLimit string `parquet:"memory_limit"`
}

func TestLoadTACOParquet(t *testing.T) {
	io1, _ := json.Marshal(map[string]any{"inputs": []string{"3\n", "4\n"}, "outputs": []string{"9\n", "16\n"}})
	var buf bytes.Buffer
	w := parquet.NewGenericWriter[tacoRow](&buf)
	_, err := w.Write([]tacoRow{
		{Question: "Square it.\n\n-----Sample Input-----\n4\n\n-----Sample Output-----\n16\n", Solutions: `["print(int(input())**2)"]`, InputOutput: string(io1),
			Difficulty: "EASY", Source: "codeforces", TimeLimit: "2 seconds", MemoryLimit: "256 megabytes"},
		{Question: "Nothing.", InputOutput: "", TimeLimit: "None", MemoryLimit: "None"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "test-00000-of-00001.parquet")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	set, err := LoadAPPSRows(path, "taco")
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Problems) != 1 {
		t.Fatalf("%d problems", len(set.Problems))
	}
	p := set.Problems[0]
	if p.ID != "0" || p.TimeLimit != 2*time.Second || p.MemoryLimit != 256<<20 || p.Meta[MetaPublicSource] != PublicFromStatement ||
		p.Public[0].Input != "4\n" || p.Private[0].Input != "3\n" || p.Meta["source"] != "codeforces" {
		t.Errorf("TACO problem = %+v", p)
	}
}

func TestLoadAPPSRowsErrors(t *testing.T) {
	tests := []struct{ row, want string }{
		{`{"problem_id": 1, "question": "q", "input_output": "{\"inputs\": [\"1\"], \"outputs\": []}"}`, "1 inputs but 0 outputs"},
		{`{"problem_id": 1, "question": "q", "input_output": "{not json"}`, "input_output"},
		{`{"problem_id": 1, "input_output": "{}"}`, `missing field "question"`},
		{`{"problem_id": 1, "question": "q", "solutions": "[1]", "input_output": "{\"inputs\": [\"1\"], \"outputs\": [\"1\"]}"}`, "solutions[0]"},
	}
	for _, tc := range tests {
		path := writeFile(t, "rows.jsonl", "\n"+tc.row+"\n")
		_, err := LoadAPPSRows(path, "apps")
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), path+":2") {
			t.Errorf("row %s: err = %v, want %q at %s:2", tc.row, err, tc.want, path)
		}
	}
}

func FuzzAPPSRecord(f *testing.F) {
	f.Add("Q\n-----Example-----\nInput\n1\nOutput\n1\n", `{"inputs": ["1\n"], "outputs": ["1\n"]}`, `["print(1)"]`, "")
	f.Add("Q", `{"fn_name": "f", "inputs": [[1], 2], "outputs": [1, [2]]}`, "", "class Solution:\n    def f(self, x):\n")
	f.Fuzz(func(t *testing.T, question, inputOutput, solutions, starter string) {
		rec := &appsRecord{id: "1", question: question, inputOutput: inputOutput, solutions: solutions, starter: starter}
		p, ok, err := rec.problem()
		if err != nil || !ok {
			return
		}
		if err := p.Validate(); err != nil {
			t.Fatalf("invalid problem: %v", err)
		}
		if len(p.Public) == 0 {
			t.Fatal("no public test")
		}
	})
}

func FuzzDecodeCodeRLSample(f *testing.F) {
	f.Add([]byte(`{"code": "print(1)", "result": true, "error_type": "passed unit tests"}`))
	f.Add([]byte(`{"code": "x", "result": -1, "error_type": "timeoutexception"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := parsePyJSON(data)
		if err != nil {
			return
		}
		s, err := decodeCodeRLSample(&v)
		if err != nil {
			return
		}
		if !s.Verdict.Valid() || s.Passed != (s.Verdict == verdict.Accepted) {
			t.Fatalf("sample %+v", s)
		}
	})
}
