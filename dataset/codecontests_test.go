package dataset

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/rlef/rlef/internal/shareddata"
)

func TestLoadCodeContestsRLLMReal(t *testing.T) {
	set, err := LoadCodeContests(shareddata.Path(t, "codecontests", "rllm_test_code_contests_165.json"))
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Problems) != 165 {
		t.Fatalf("%d problems, want 165", len(set.Problems))
	}
	recovered := 0
	for _, p := range set.Problems {
		if p.Meta[MetaPublicSource] == PublicFromStatement && len(p.Public) > 0 {
			recovered++
		}
		if p.TimeLimit <= 0 || p.MemoryLimit <= 0 {
			t.Errorf("%s: limits %v / %d not parsed", p.ID, p.TimeLimit, p.MemoryLimit)
		}
		if strings.Contains(p.Statement, "Time Limit:") || strings.Contains(p.Statement, "Memory Limit:") {
			t.Errorf("%s: limits trailer left in the statement", p.ID)
		}
		// Every statement example must have become a public test.
		if n := len(ExtractExamples(p.Statement)); n != len(p.Public) {
			t.Errorf("%s: %d examples in the statement, %d public tests", p.ID, n, len(p.Public))
		}
	}
	// All 165 problems get their public tests back from the statements.
	t.Logf("public tests recovered from the statement for %d of %d problems", recovered, len(set.Problems))
	if recovered != 165 {
		t.Errorf("recovered public tests for %d of 165 problems", recovered)
	}
	pub, priv, _ := testCount(set)
	if pub+priv != 1837 || pub != 285 {
		t.Errorf("%d public + %d private tests; want 285 + 1552 = 1837", pub, priv)
	}
	p0 := set.Problems[0]
	if p0.ID != "cc_test_000" || p0.TimeLimit != 2*time.Second || p0.MemoryLimit != 512000000 ||
		len(p0.Public) != 1 || p0.Public[0].Input != "5 2\nAA\nAB\nBB\nBA\nAZ\n" || p0.Public[0].Output != "5 2 1 3 4 \n" {
		t.Errorf("first problem = %s %v %d %q", p0.ID, p0.TimeLimit, p0.MemoryLimit, p0.Public)
	}
	if !strings.HasPrefix(p0.Statement, "Andi and Budi") {
		t.Errorf("statement starts %q", p0.Statement[:30])
	}
}

func TestLoadCodeContestsAlphaCodiumExample(t *testing.T) {
	set, err := LoadCodeContests(shareddata.Path(t, "codecontests", "alphacodium_my_problem_example.json"))
	if err != nil {
		t.Fatal(err)
	}
	p := set.Problems[0]
	if len(set.Problems) != 1 || p.ID != "Sorting Andi and Budi Books Problem" || len(p.Public) != 1 || len(p.Private) != 0 || len(p.Generated) != 200 {
		t.Fatalf("got %d problems; %q with %d/%d/%d tests", len(set.Problems), p.ID, len(p.Public), len(p.Private), len(p.Generated))
	}
	if len(p.PrivateTests()) != 200 || p.Checker != CheckTokens || set.PassNeedsPublic {
		t.Errorf("PrivateTests %d, checker %s, PassNeedsPublic %v", len(p.PrivateTests()), p.Checker, set.PassNeedsPublic)
	}
}

// ccFixture is a canonical CodeContests problem as JSON.
const ccFixture = `{"name": "1575_A. Another Sorting Problem", "description": "Sort.\n\nExample\n\nInput\n\n1\n\nOutput\n\n1\n",
 "public_tests": {"input": ["1\n"], "output": ["1\n"]},
 "private_tests": {"input": ["2\n", "3\n"], "output": ["2\n", "3\n"]},
 "generated_tests": {"input": ["4\n"], "output": ["4\n"]},
 "source": 2, "difficulty": 7,
 "solutions": {"language": [2, 3, 1], "solution": ["int main(){}", "print(input())", "print raw_input()"]},
 "incorrect_solutions": {"language": [3], "solution": ["print(0)"]},
 "cf_contest_id": 1575, "cf_index": "A", "cf_points": 0.0, "cf_rating": 1100, "cf_tags": ["sortings", "strings"],
 "is_description_translated": false, "untranslated_description": "",
 "time_limit": {"seconds": 1, "nanos": 500000000}, "memory_limit_bytes": 256000000, "input_file": "", "output_file": ""}`

func checkCCFixture(t *testing.T, set *Set) {
	t.Helper()
	if len(set.Problems) != 1 {
		t.Fatalf("%d problems", len(set.Problems))
	}
	p := set.Problems[0]
	if p.ID != "1575_A" || p.Meta[MetaTitle] != "1575_A. Another Sorting Problem" {
		t.Errorf("id %q title %q", p.ID, p.Meta[MetaTitle])
	}
	if len(p.Public) != 1 || len(p.Private) != 2 || len(p.Generated) != 1 || p.Private[1].Output != "3\n" {
		t.Errorf("tests %q %q %q", p.Public, p.Private, p.Generated)
	}
	if p.TimeLimit != 1500*time.Millisecond || p.MemoryLimit != 256000000 {
		t.Errorf("limits %v %d", p.TimeLimit, p.MemoryLimit)
	}
	langs := []string{}
	for _, s := range p.Solutions {
		langs = append(langs, s.Language)
	}
	if strings.Join(langs, ",") != "python,cpp,python2" || p.Solutions[0].Code != "print(input())" {
		t.Errorf("solutions in order %v", langs)
	}
	if len(p.Incorrect) != 1 || p.Incorrect[0].Code != "print(0)" {
		t.Errorf("incorrect = %v", p.Incorrect)
	}
	if p.Meta[MetaURL] != "https://codeforces.com/problemset/problem/1575/A" || p.Meta[MetaCFRating] != "1100" || p.Meta[MetaCFTags] != `["sortings","strings"]` {
		t.Errorf("meta = %v", p.Meta)
	}
}

func TestLoadCodeContestsJSONAndJSONL(t *testing.T) {
	compact := strings.ReplaceAll(ccFixture, "\n", "")
	for name, content := range map[string]string{
		"object.json": ccFixture,
		"array.json":  "[\n" + ccFixture + "\n]",
		"rows.jsonl":  compact + "\n",
	} {
		t.Run(name, func(t *testing.T) {
			set, err := LoadCodeContests(writeFile(t, name, content))
			if err != nil {
				t.Fatal(err)
			}
			checkCCFixture(t, set)
		})
	}
}

// Canonical CodeContests layout as Go structs: parquet-go writes the
// standard three-level lists ("list"/"element").
type pqCCTests struct {
	Input  []string `parquet:"input,list"`
	Output []string `parquet:"output,list"`
}

type pqCCSolutions struct {
	Language []int64  `parquet:"language,list"`
	Solution []string `parquet:"solution,list"`
}

type pqCCTime struct {
	Seconds int64 `parquet:"seconds"`
	Nanos   int64 `parquet:"nanos"`
}

type pqCCRow struct {
	Name                    string        `parquet:"name"`
	Description             string        `parquet:"description"`
	PublicTests             pqCCTests     `parquet:"public_tests"`
	PrivateTests            pqCCTests     `parquet:"private_tests"`
	GeneratedTests          pqCCTests     `parquet:"generated_tests"`
	Source                  int64         `parquet:"source"`
	Difficulty              int64         `parquet:"difficulty"`
	Solutions               pqCCSolutions `parquet:"solutions"`
	IncorrectSolutions      pqCCSolutions `parquet:"incorrect_solutions"`
	CFContestID             int64         `parquet:"cf_contest_id"`
	CFIndex                 string        `parquet:"cf_index"`
	CFPoints                float32       `parquet:"cf_points"`
	CFRating                int64         `parquet:"cf_rating"`
	CFTags                  []string      `parquet:"cf_tags,list"`
	IsDescriptionTranslated bool          `parquet:"is_description_translated"`
	UntranslatedDescription string        `parquet:"untranslated_description"`
	TimeLimit               *pqCCTime     `parquet:"time_limit,optional"`
	MemoryLimitBytes        int64         `parquet:"memory_limit_bytes"`
	InputFile               string        `parquet:"input_file"`
	OutputFile              string        `parquet:"output_file"`
}

func fixtureRow() pqCCRow {
	return pqCCRow{
		Name:               "1575_A. Another Sorting Problem",
		Description:        "Sort.\n\nExample\n\nInput\n\n1\n\nOutput\n\n1\n",
		PublicTests:        pqCCTests{Input: []string{"1\n"}, Output: []string{"1\n"}},
		PrivateTests:       pqCCTests{Input: []string{"2\n", "3\n"}, Output: []string{"2\n", "3\n"}},
		GeneratedTests:     pqCCTests{Input: []string{"4\n"}, Output: []string{"4\n"}},
		Source:             2,
		Difficulty:         7,
		Solutions:          pqCCSolutions{Language: []int64{2, 3, 1}, Solution: []string{"int main(){}", "print(input())", "print raw_input()"}},
		IncorrectSolutions: pqCCSolutions{Language: []int64{3}, Solution: []string{"print(0)"}},
		CFContestID:        1575, CFIndex: "A", CFRating: 1100, CFTags: []string{"sortings", "strings"},
		TimeLimit:        &pqCCTime{Seconds: 1, Nanos: 500000000},
		MemoryLimitBytes: 256000000,
	}
}

func TestLoadCodeContestsParquet(t *testing.T) {
	var buf bytes.Buffer
	w := parquet.NewGenericWriter[pqCCRow](&buf)
	noTests := fixtureRow()
	noTests.Name = "1_B. No tests"
	noTests.PublicTests, noTests.PrivateTests, noTests.GeneratedTests = pqCCTests{}, pqCCTests{}, pqCCTests{}
	if _, err := w.Write([]pqCCRow{fixtureRow(), noTests}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "test-00000-of-00001-9c49eeff30aacaa8.parquet")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	set, err := LoadCodeContests(path)
	if err != nil {
		t.Fatal(err)
	}
	checkCCFixture(t, set) // the test-less problem is skipped
}

// TestLoadCodeContestsParquetLegacyLists reads the layout older pyarrow
// (and HuggingFace's published files) write: every field optional and
// lists spelled "list"/"item".
func TestLoadCodeContestsParquetLegacyLists(t *testing.T) {
	list := func(n parquet.Node) parquet.Node {
		return parquet.Optional(parquet.Group{"list": parquet.Repeated(parquet.Group{"item": parquet.Optional(n)})})
	}
	tests := func() parquet.Node {
		return parquet.Optional(parquet.Group{"input": list(parquet.String()), "output": list(parquet.String())})
	}
	sols := func() parquet.Node {
		return parquet.Optional(parquet.Group{"language": list(parquet.Int(64)), "solution": list(parquet.String())})
	}
	schema := parquet.NewSchema("schema", parquet.Group{
		"name":                parquet.Optional(parquet.String()),
		"description":         parquet.Optional(parquet.String()),
		"public_tests":        tests(),
		"private_tests":       tests(),
		"generated_tests":     tests(),
		"source":              parquet.Optional(parquet.Int(64)),
		"difficulty":          parquet.Optional(parquet.Int(64)),
		"solutions":           sols(),
		"incorrect_solutions": sols(),
		"cf_contest_id":       parquet.Optional(parquet.Int(64)),
		"cf_index":            parquet.Optional(parquet.String()),
		"cf_rating":           parquet.Optional(parquet.Int(64)),
		"cf_tags":             list(parquet.String()),
		"time_limit":          parquet.Optional(parquet.Group{"seconds": parquet.Optional(parquet.Int(64)), "nanos": parquet.Optional(parquet.Int(64))}),
		"memory_limit_bytes":  parquet.Optional(parquet.Int(64)),
		"input_file":          parquet.Optional(parquet.String()),
		"output_file":         parquet.Optional(parquet.String()),
	})
	items := func(vals ...any) map[string]any {
		var l []any
		for _, v := range vals {
			l = append(l, map[string]any{"item": v})
		}
		return map[string]any{"list": l}
	}
	row := map[string]any{
		"name":                "1575_A. Another Sorting Problem",
		"description":         "Sort.\n\nExample\n\nInput\n\n1\n\nOutput\n\n1\n",
		"public_tests":        map[string]any{"input": items("1\n"), "output": items("1\n")},
		"private_tests":       map[string]any{"input": items("2\n", "3\n"), "output": items("2\n", "3\n")},
		"generated_tests":     map[string]any{"input": items("4\n"), "output": items("4\n")},
		"source":              int64(2),
		"difficulty":          int64(7),
		"solutions":           map[string]any{"language": items(int64(2), int64(3), int64(1)), "solution": items("int main(){}", "print(input())", "print raw_input()")},
		"incorrect_solutions": map[string]any{"language": items(int64(3)), "solution": items("print(0)")},
		"cf_contest_id":       int64(1575),
		"cf_index":            "A",
		"cf_rating":           int64(1100),
		"cf_tags":             items("sortings", "strings"),
		"time_limit":          map[string]any{"seconds": int64(1), "nanos": int64(500000000)},
		"memory_limit_bytes":  int64(256000000),
		"input_file":          "",
		"output_file":         "",
	}
	var buf bytes.Buffer
	w := parquet.NewWriter(&buf, schema)
	if err := w.Write(row); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "valid.parquet")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	set, err := LoadCodeContests(path)
	if err != nil {
		t.Fatal(err)
	}
	checkCCFixture(t, set)
}

func TestLoadCodeContestsParquetShards(t *testing.T) {
	dir := t.TempDir()
	var paths []string
	for i := 0; i < 2; i++ {
		var buf bytes.Buffer
		w := parquet.NewGenericWriter[pqCCRow](&buf)
		r := fixtureRow() // the same name in both shards
		if _, err := w.Write([]pqCCRow{r}); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, fmt.Sprintf("train-%05d-of-00002-abc.parquet", i))
		if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	set, err := LoadCodeContestsFiles(paths)
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Problems) != 2 || set.Problems[0].ID != "1575_A" || set.Problems[1].ID != "1575_A~1" {
		t.Fatalf("ids: %v", []string{set.Problems[0].ID, set.Problems[len(set.Problems)-1].ID})
	}
}

func TestLoadCodeContestsRejectsBadData(t *testing.T) {
	tests := []struct{ name, content, want string }{
		{"mismatched tests", `{"name": "x", "description": "d", "public_tests": {"input": ["1"], "output": []}}`, "1 inputs but 0 outputs"},
		{"mismatched solutions", `{"name": "x", "description": "d", "public_tests": {"input": ["1"], "output": ["1"]}, "solutions": {"language": [3, 2], "solution": ["a"]}}`, "2 languages but 1 programs"},
		{"no name", `{"description": "d"}`, `missing field "name"`},
		{"not parquet", "", "no problems"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, "cc.json", tc.content)
			_, err := LoadCodeContests(path)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), path) {
				t.Fatalf("err = %v, want one naming %s and saying %q", err, path, tc.want)
			}
		})
	}
	bad := writeFile(t, "x.parquet", "PAR1 not really")
	if _, err := LoadCodeContests(bad); err == nil || !strings.Contains(err.Error(), bad) {
		t.Errorf("corrupt parquet: err = %v", err)
	}
}

func FuzzDecodeCodeContestsJSON(f *testing.F) {
	f.Add([]byte(ccFixture))
	f.Add([]byte(`{"name": "a", "description": "", "time_limit": {"seconds": 9999999999999, "nanos": -1}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := parsePyJSON(data)
		if err != nil {
			return
		}
		row, err := decodeCodeContestsJSON(&v)
		if err != nil {
			return
		}
		p := row.problem()
		if p.Mode != ModeStdio {
			t.Fatalf("mode %s", p.Mode)
		}
	})
}

func FuzzDecodeCodeContestsRLLM(f *testing.F) {
	f.Add([]byte(`{"problem": "Do it.\n\nExample\n\nInput\n\n1\n\nOutput\n\n2\n\nTime Limit: {'seconds': 2, 'nanos': 0}\nMemory Limit: 256000000 Bytes\n", "tests": {"inputs": ["1\n", "5\n"], "outputs": ["2\n", "6\n"]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := parsePyJSON(data)
		if err != nil {
			return
		}
		p, err := decodeCodeContestsRLLM(&v, 0)
		if err != nil {
			return
		}
		testsV, _ := v.field("tests")
		in, _ := stringList(testsV, "inputs")
		if len(p.Public)+len(p.Private) != len(in) {
			t.Fatalf("%d tests in, %d public + %d private out", len(in), len(p.Public), len(p.Private))
		}
		if len(in) > 0 && len(p.Public) == 0 {
			t.Fatalf("tests but no public test")
		}
	})
}

// FuzzCodeContestsParquet feeds corrupted parquet files to the loader: it
// must return an error or a valid set, never panic.
func FuzzCodeContestsParquet(f *testing.F) {
	var buf bytes.Buffer
	w := parquet.NewGenericWriter[pqCCRow](&buf)
	w.Write([]pqCCRow{fixtureRow()})
	w.Close()
	f.Add(buf.Bytes())
	f.Add([]byte("PAR1PAR1"))
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "f.parquet")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		set, err := LoadCodeContests(path)
		if err != nil {
			return
		}
		for _, p := range set.Problems {
			if err := p.Validate(); err != nil {
				t.Fatal(err)
			}
		}
	})
}
