package dataset

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const (
	goodHumanEvalRow = `{"task_id": "HumanEval/0", "prompt": "def f(x):\n", "entry_point": "f", "canonical_solution": "    return x\n", "test": "def check(candidate):\n    assert candidate(1) == 1\n"}`
	goodEvalPlusRow  = `{"task_id": "HumanEval/0", "prompt": "def f(x):\n", "entry_point": "f", "canonical_solution": "    return x\n", "base_input": [[1]], "plus_input": [[2]], "atol": 0}`
	goodMBPPRow      = `{"text": "t", "code": "def f(x): return x", "task_id": 1, "test_setup_code": "", "test_list": ["assert f(1) == 1"], "challenge_test_list": []}`
	goodCustomRow    = `{"id": "a", "mode": "stdio", "public": [{"input": "1", "output": "1"}]}`
)

// TestBadInputNamesFileAndLine feeds every JSONL loader malformed rows,
// missing and duplicate ids and non-UTF-8 text; the error must name the
// file and the offending line.
func TestBadInputNamesFileAndLine(t *testing.T) {
	loaders := []struct {
		name string
		good string
		load func(string) (*Set, error)
	}{
		{"humaneval", goodHumanEvalRow, LoadHumanEval},
		{"evalplus", goodEvalPlusRow, func(p string) (*Set, error) { return LoadEvalPlus(p, "humaneval+") }},
		{"mbpp", goodMBPPRow, LoadMBPP},
		{"custom", goodCustomRow, LoadCustom},
		{"livecodebench", "", func(p string) (*Set, error) { return LoadLiveCodeBench(p) }},
	}
	for _, l := range loaders {
		good := l.good
		if good == "" {
			good = lcbRow(t, map[string]string{"public_test_cases": `[{"input": "1\n", "output": "1\n", "testtype": "stdin"}]`})
		}
		idKey := map[string]string{"humaneval": `"task_id": "HumanEval/0"`, "evalplus": `"task_id": "HumanEval/0"`, "mbpp": `"task_id": 1`, "custom": `"id": "a"`, "livecodebench": `"question_id":"abc1_a"`}[l.name]
		noID := strings.Replace(good, idKey+",", "", 1)
		if noID == good {
			t.Fatalf("%s: fixture lacks %s", l.name, idKey)
		}
		cases := []struct {
			name, content, want string
			line                int
		}{
			{"malformed JSON", good + "\n{\"task_id\": \n", "invalid JSON", 2},
			{"truncated row", good + "\n" + good[:len(good)/2] + "\n", "", 2},
			{"missing id", good + "\n\n" + noID + "\n", "", 3},
			{"duplicate id", good + "\n" + good + "\n", "duplicate", 2},
			{"non-UTF-8", good + "\n" + strings.Replace(good, "1", "\xff", 1) + "\n", "UTF-8", 2},
			{"not an object", "[1, 2]\n", "", 1},
		}
		for _, c := range cases {
			t.Run(l.name+"/"+c.name, func(t *testing.T) {
				path := writeFile(t, "data.jsonl", c.content)
				_, err := l.load(path)
				if err == nil {
					t.Fatal("no error")
				}
				if loc := path + ":" + itoa(c.line) + ":"; !strings.Contains(err.Error(), loc) {
					t.Errorf("error %q does not name %s", err, loc)
				}
				if c.want != "" && !strings.Contains(err.Error(), c.want) {
					t.Errorf("error %q does not say %q", err, c.want)
				}
			})
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func TestTruncatedGzip(t *testing.T) {
	var content strings.Builder
	for i := 0; i < 200; i++ {
		content.WriteString(strings.Replace(goodHumanEvalRow, "HumanEval/0", "HumanEval/"+strings.Repeat("1", i+1), 1) + "\n")
	}
	gz := gzipBytes(t, []byte(content.String()))
	path := filepath.Join(t.TempDir(), "HumanEval.jsonl.gz")
	if err := os.WriteFile(path, gz[:len(gz)*2/3], 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := LoadHumanEval(path)
	if err == nil || !strings.Contains(err.Error(), path+":") || !strings.Contains(err.Error(), "truncated or corrupt gzip") {
		t.Fatalf("err = %v", err)
	}
	// The complete file loads, whatever its name.
	whole := filepath.Join(t.TempDir(), "he.data")
	os.WriteFile(whole, gz, 0o644)
	set, err := LoadHumanEval(whole)
	if err != nil || len(set.Problems) != 200 {
		t.Fatalf("gzip file: %v", err)
	}
}

func TestBadWholeFileJSON(t *testing.T) {
	// Whole-document formats report the line of the problem too.
	good := `{"source_file": "s", "task_id": 2, "prompt": "p", "code": "def g(): pass", "test_imports": [], "test_list": ["assert g() is None"]}`
	tests := []struct {
		name, content, want string
		line                int
	}{
		{"syntax error", "[\n" + good + ",\n{\"task_id\": 3,,}\n]", "invalid JSON", 3},
		{"bad row", "[\n" + good + ",\n" + `{"task_id": 3, "prompt": "p", "code": "c", "test_imports": [], "test_list": []}` + "\n]", "test_list is empty", 3},
		{"duplicate", "[\n" + good + ",\n" + good + "\n]", "duplicate task id", 3},
		{"non-UTF-8", "[\n" + good + ",\n\"\xfe\"\n]", "UTF-8", 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, "sanitized-mbpp.json", tc.content)
			_, err := LoadMBPPSanitized(path)
			if err == nil || !strings.Contains(err.Error(), path+":"+itoa(tc.line)+":") || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %s:%d ... %q", err, path, tc.line, tc.want)
			}
		})
	}
}
