package judge

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/rlef/rlef/dataset"
	"github.com/rlef/rlef/verdict"
)

func TestReadSamples(t *testing.T) {
	in := strings.Join([]string{
		`{"task_id": "A", "solution": "print(1)"}`,
		``,
		`{"task_id": "B", "completion": "    return 1\n"}`,
		`{"task_id": "A", "solution": "print(2)", "language": "python"}`,
		`{"task_id": "A", "solution": "x", "completion": "y"}`,
		`{"task_id": "C", "solution": "int main(){}", "language": "cpp", "sample": 7}`,
	}, "\n")
	got, err := ReadSamples(strings.NewReader(in), "s.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	want := []Sample{
		{TaskID: "A", Index: 0, Code: "print(1)", Line: 1},
		{TaskID: "B", Index: 0, Code: "    return 1\n", IsCompletion: true, Line: 3},
		{TaskID: "A", Index: 1, Code: "print(2)", Language: "python", Line: 4},
		{TaskID: "A", Index: 2, Code: "x", Line: 5}, // the solution wins, as in EvalPlus
		{TaskID: "C", Index: 7, Code: "int main(){}", Language: "cpp", Line: 6},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d samples: %+v", len(got), got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("sample %d: %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestReadSamplesErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`{"task_id": "A"}`, "s.jsonl:1: the row has neither"},
		{"{\"task_id\": \"A\", \"solution\": \"x\"}\n{\"solution\": \"x\"}", `s.jsonl:2: missing "task_id"`},
		{`{"task_id": 3, "solution": "x"}`, `"task_id" must be a string`},
		{`[1, 2]`, "not a JSON object"},
		{`{"task_id": "A", "solution": "x"} {"task_id": "B"}`, "more than one JSON value"},
		{"{\"task_id\": \"A\", \"solution\": \"\xff\"}", "s.jsonl:1: the row is not valid UTF-8"},
		{`{"task_id": "A", "solution": "x", "sample": -1}`, "non-negative integer"},
		{"{\"task_id\": \"A\", \"solution\": \"x\", \"sample\": 0}\n{\"task_id\": \"A\", \"solution\": \"y\", \"sample\": 0}", "s.jsonl:2: duplicate sample 0 of task \"A\" (first at line 1)"},
		{`{"task_id": "A", "solution": "x"`, "s.jsonl:1: not a JSON object"},
	} {
		_, err := ReadSamples(strings.NewReader(tc.in), "s.jsonl")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want %q", tc.in, err, tc.want)
		}
	}
}

func FuzzParseSample(f *testing.F) {
	f.Add([]byte(`{"task_id": "HumanEval/0", "solution": "def f(): pass", "sample": 3}`))
	f.Add([]byte(`{"task_id": "x", "completion": null, "solution": "y", "language": "cpp"}`))
	f.Add([]byte(`{"task_id": "", "solution": 1}`))
	f.Fuzz(func(t *testing.T, line []byte) {
		s, err := ParseSample(line)
		if err != nil {
			return
		}
		if strings.TrimSpace(s.TaskID) == "" {
			t.Errorf("accepted an empty task id: %q", line)
		}
		if s.Index < -1 {
			t.Errorf("index %d", s.Index)
		}
	})
}

func TestReadRowsResume(t *testing.T) {
	row := func(id string, sample int, status string) string {
		b, _ := json.Marshal(Row{TaskID: id, Sample: sample, Status: status, Suites: map[string]RowSuite{}})
		return string(b)
	}
	full := row("A", 0, "pass") + "\n" + row("A", 1, "fail") + "\n"
	for _, tc := range []struct {
		name  string
		in    string
		rows  int
		valid int
		err   string
	}{
		{"complete", full, 2, len(full), ""},
		{"cut last line", full + `{"task_id": "B", "sam`, 2, len(full), ""},
		{"whole last row without newline", full + row("B", 0, "pass"), 3, len(full) + len(row("B", 0, "pass")), ""},
		{"blank lines", "\n" + full + "\n", 2, len(full) + 2, ""},
		{"garbage in the middle", row("A", 0, "pass") + "\nnot json\n" + row("A", 1, "pass") + "\n", 0, 0, "o.jsonl:2:"},
		{"foreign rows", `{"hello": 1}` + "\n", 0, 0, "not a judge output row"},
		{"empty", "", 0, 0, ""},
	} {
		rows, valid, err := ReadRows(strings.NewReader(tc.in), "o.jsonl")
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: error %v, want %q", tc.name, err, tc.err)
			}
			continue
		}
		if err != nil || len(rows) != tc.rows || valid != int64(tc.valid) {
			t.Errorf("%s: %d rows, valid %d, err %v; want %d rows, valid %d", tc.name, len(rows), valid, err, tc.rows, tc.valid)
		}
	}
}

func FuzzReadRows(f *testing.F) {
	f.Add([]byte(`{"task_id":"A","sample":0,"status":"pass","suites":{}}` + "\n"))
	f.Add([]byte("{\"task_id\":\"A\",\"status\":\"fail\"}\n{\"task"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, valid, err := ReadRows(bytes.NewReader(data), "o")
		if err != nil {
			return
		}
		if valid < 0 || valid > int64(len(data)) {
			t.Fatalf("valid prefix %d of %d bytes", valid, len(data))
		}
		// The valid prefix alone must read back to the same rows.
		again, valid2, err := ReadRows(bytes.NewReader(data[:valid]), "o")
		if err != nil || len(again) != len(rows) || valid2 != valid {
			t.Fatalf("prefix reads %d rows (valid %d, %v), whole file %d", len(again), valid2, err, len(rows))
		}
	})
}

func TestNewRowAndSummary(t *testing.T) {
	ep := &dataset.Set{Name: "humaneval+", PublicSuite: "base", PrivateSuite: "plus", PassNeedsPublic: true}
	mk := func(base, plus verdict.Verdict) *Result {
		return &Result{Suites: []SuiteResult{{Name: "base", Verdict: base, Total: 3}, {Name: "plus", Verdict: plus, Total: 10}}}
	}
	var rows []Row
	// Task A: 3 samples, one passes both suites, one only base.
	rows = append(rows, NewRow(ep, "A", 0, mk(verdict.Accepted, verdict.Accepted)))
	rows = append(rows, NewRow(ep, "A", 1, mk(verdict.Accepted, verdict.WrongAnswer)))
	rows = append(rows, NewRow(ep, "A", 2, mk(verdict.RuntimeError, verdict.RuntimeError)))
	// Task B: passes plus but not base: not a pass.
	rows = append(rows, NewRow(ep, "B", 0, mk(verdict.WrongAnswer, verdict.Accepted)))
	rows = append(rows, NewRow(ep, "B", 1, mk(verdict.WrongAnswer, verdict.Accepted)))
	rows = append(rows, NewRow(ep, "B", 2, mk(verdict.Accepted, verdict.Accepted)))
	if rows[0].Status != StatusPass || rows[1].Status != StatusFail || rows[3].Status != StatusFail || rows[3].Suites["plus"].Status != StatusPass {
		t.Fatalf("rows: %+v", rows)
	}
	sum := Summarize(ep, rows)
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-12 }
	// base: A 2/3, B 1/3 -> pass@1 0.5; base+plus: A 1/3, B 1/3 -> 1/3.
	if !near(sum.PassAtK["base"]["pass@1"], 0.5) || !near(sum.PassAtK["base+plus"]["pass@1"], 1.0/3) {
		t.Errorf("pass@k: %+v", sum.PassAtK)
	}
	if _, ok := sum.PassAtK["base"]["pass@10"]; ok {
		t.Errorf("pass@10 with 3 samples per task: %+v", sum.PassAtK)
	}
	if sum.Tasks != 2 || sum.Samples != 6 || sum.Verdicts["plus"][verdict.Accepted] != 4 {
		t.Errorf("summary: %+v", sum)
	}
	// CodeContests: the private suite alone decides.
	cc := &dataset.Set{Name: "codecontests", PublicSuite: "public", PrivateSuite: "private"}
	r := NewRow(cc, "X", 0, &Result{Suites: []SuiteResult{{Name: "public", Verdict: verdict.WrongAnswer, Total: 1}, {Name: "private", Verdict: verdict.Accepted, Total: 5}}})
	if r.Status != StatusPass {
		t.Errorf("codecontests row: %+v", r)
	}
	if s := Summarize(cc, []Row{r}); !near(s.PassAtK["private"]["pass@1"], 1) {
		t.Errorf("codecontests summary: %+v", s.PassAtK)
	}
	// No private tests: the public ones decide.
	r = NewRow(cc, "Y", 0, &Result{Suites: []SuiteResult{{Name: "public", Verdict: verdict.WrongAnswer, Total: 1}, {Name: "private", Verdict: verdict.Accepted}}})
	if r.Status != StatusFail {
		t.Errorf("empty private suite passed: %+v", r)
	}
}
