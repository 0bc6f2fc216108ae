package dataset

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestLoadCustom(t *testing.T) {
	content := `{"rlef_set": {"name": "mine", "version": "v1", "public_suite": "examples", "private_suite": "hidden", "pass_needs_public": true}}
{"id": "add", "statement": "Add.", "mode": "stdio", "checker": "lines", "time_limit": "1500ms", "memory_limit": "64MiB", "public": [{"input": "1 2\n", "output": "3\n"}], "private": [{"input": "2 2\n", "output": "4\n"}], "solutions": [{"language": "cpp", "code": "int main(){}"}, {"code": "print(4)"}], "meta": {"k": "v", "n": 3}}

{"id": "sq", "statement": "def sq(x):\n", "mode": "function", "entry_point": "sq", "time_limit": 2.5, "memory_limit": 1000000, "atol": 1e-9,
  "public": [{"input": [3], "output": 9}], "private": [{"input": "[99999999999999999999]", "output": "9999999999999999999800000000000000000001"}, {"input": [Infinity], "output": "Infinity"}],
  "incorrect_solutions": [{"language": "python", "code": "def sq(x): return x"}], "expected_from_reference": false}
{"id": "cls", "mode": "class_method", "entry_point": "go", "public": [{"input": [], "output": null}]}
{"id": "as", "mode": "assert", "setup": "import math", "private": [{"code": "assert f() == 1"}]}
`
	// The second problem spans lines in this literal; join it into one
	// JSONL line.
	lines := strings.Split(content, "\n")
	content = strings.Join(lines[:3], "\n") + "\n" + strings.Join(lines[3:6], "") + "\n" + strings.Join(lines[6:], "\n")
	set, err := LoadCustom(writeFile(t, "custom.jsonl", content))
	if err != nil {
		t.Fatal(err)
	}
	if set.Name != "mine" || set.Version != "v1" || set.PublicSuite != "examples" || set.PrivateSuite != "hidden" || !set.PassNeedsPublic {
		t.Errorf("set header not applied: %+v", set)
	}
	if len(set.Problems) != 4 {
		t.Fatalf("%d problems", len(set.Problems))
	}
	add := set.Problems[0]
	if add.Checker != CheckLines || add.TimeLimit != 1500*time.Millisecond || add.MemoryLimit != 64<<20 ||
		add.Solutions[1].Language != "python" || add.Meta["k"] != "v" || add.Meta["n"] != "3" || add.Benchmark != "mine" {
		t.Errorf("add = %+v", add)
	}
	sq := set.Problems[1]
	if sq.TimeLimit != 2500*time.Millisecond || sq.MemoryLimit != 1000000 || sq.Atol != 1e-9 {
		t.Errorf("sq limits %v %d %v", sq.TimeLimit, sq.MemoryLimit, sq.Atol)
	}
	if sq.Public[0].Input != "[3]" || sq.Public[0].Output != "9" || sq.Private[0].Input != "[99999999999999999999]" ||
		sq.Private[0].Output != "9999999999999999999800000000000000000001" || sq.Private[1].Input != "[Infinity]" || sq.Private[1].Output != "Infinity" {
		t.Errorf("sq tests %q %q", sq.Public, sq.Private)
	}
	if set.Problems[2].Public[0].Input != "[]" || set.Problems[2].Public[0].Output != "null" {
		t.Errorf("cls tests %q", set.Problems[2].Public)
	}
	if set.Problems[3].Setup != "import math" || set.Problems[3].Private[0].Code != "assert f() == 1" {
		t.Errorf("assert problem %+v", set.Problems[3])
	}
}

func TestLoadCustomErrors(t *testing.T) {
	tests := []struct{ name, content, want string }{
		{"unknown field", `{"id": "a", "mode": "stdio", "privte": []}`, `unknown field "privte"`},
		{"unknown mode", `{"id": "a", "mode": "interactive"}`, `unknown mode "interactive"`},
		{"no mode", `{"id": "a"}`, `missing field "mode"`},
		{"no id", `{"mode": "stdio", "public": [{"input": "", "output": ""}]}`, `"id"`},
		{"no tests", `{"id": "a", "mode": "stdio"}`, "no tests"},
		{"function without entry point", `{"id": "a", "mode": "function", "public": [{"input": [1], "output": 1}]}`, "needs an entry point"},
		{"arguments not an array", `{"id": "a", "mode": "function", "entry_point": "f", "public": [{"input": 1, "output": 1}]}`, "must be a JSON array"},
		{"output string is not JSON text", `{"id": "a", "mode": "function", "entry_point": "f", "public": [{"input": [1], "output": "abc"}]}`, "JSON text"},
		{"stdio input not a string", `{"id": "a", "mode": "stdio", "public": [{"input": 1, "output": "1"}]}`, "want a string"},
		{"assert test without code", `{"id": "a", "mode": "assert", "public": [{"input": "x"}]}`, "need \"code\""},
		{"bad time", `{"id": "a", "mode": "stdio", "time_limit": "fast", "public": [{"input": "", "output": ""}]}`, "time_limit"},
		{"bad memory", `{"id": "a", "mode": "stdio", "memory_limit": "lots", "public": [{"input": "", "output": ""}]}`, "memory"},
		{"bad checker", `{"id": "a", "mode": "stdio", "checker": "fuzzy", "public": [{"input": "", "output": ""}]}`, `unknown checker "fuzzy"`},
		{"duplicate id", `{"id": "a", "mode": "stdio", "public": [{"input": "", "output": ""}]}` + "\n" + `{"id": "a", "mode": "stdio", "public": [{"input": "", "output": ""}]}`, `duplicate task id "a"`},
		{"late header", `{"id": "a", "mode": "stdio", "public": [{"input": "", "output": ""}]}` + "\n" + `{"rlef_set": {"name": "x"}}`, "must come first"},
		{"empty file", "\n\n", "no problems"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, "c.jsonl", tc.content)
			_, err := LoadCustom(path)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), path) {
				t.Fatalf("err = %v, want one naming %s and saying %q", err, path, tc.want)
			}
		})
	}
}

func TestParseMemory(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"256MiB", 256 << 20, true},
		{"256mb", 256_000_000, true},
		{"1g", 1 << 30, true},
		{"1.5 GiB", 3 << 29, true},
		{"4096", 4096, true},
		{"512K", 512 << 10, true},
		{"12 parsecs", 0, false},
		{"-1M", 0, false},
		{"", 0, false},
		{"99999999999TB", 0, false},
	}
	for _, tc := range tests {
		got, err := ParseMemory(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseMemory(%q) = %d, %v; want %d, ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func FuzzDecodeCustomProblem(f *testing.F) {
	f.Add([]byte(`{"id": "a", "mode": "function", "entry_point": "f", "public": [{"input": [1, Infinity], "output": "[1]"}], "time_limit": "2s", "memory_limit": "1GiB"}`))
	f.Add([]byte(`{"id": "b", "mode": "stdio", "public": [{"input": "1\n", "output": "1\n"}], "time_limit": 1e300}`))
	f.Fuzz(func(t *testing.T, row []byte) {
		v, err := parsePyJSON(row)
		if err != nil {
			return
		}
		p, err := decodeCustomProblem(&v)
		if err != nil {
			return
		}
		if p.TimeLimit < 0 || p.MemoryLimit < 0 {
			t.Fatalf("negative limits %v %d", p.TimeLimit, p.MemoryLimit)
		}
		if p.Mode == ModeFunction || p.Mode == ModeClassMethod {
			for _, tc := range append(append([]Test(nil), p.Public...), p.Private...) {
				if tc.Input == "" {
					continue
				}
				if v, err := parsePyJSON([]byte(tc.Input)); err != nil || v.Kind != jArray {
					t.Fatalf("arguments %q are not a JSON array", tc.Input)
				}
			}
		}
	})
}

// TestCustomFormatDocExample loads the complete example of
// docs/custom-format.md, so the documentation cannot drift from the code.
func TestCustomFormatDocExample(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "docs", "custom-format.md"))
	if err != nil {
		t.Fatalf("the format's documentation is part of the repository: %v", err)
	}
	_, after, ok := strings.Cut(string(doc), "## A complete example")
	if !ok {
		t.Fatal("no complete example in the doc")
	}
	_, block, _ := strings.Cut(after, "```json\n")
	block, _, _ = strings.Cut(block, "```")
	set, err := LoadCustom(writeFile(t, "demo.jsonl", block))
	if err != nil {
		t.Fatal(err)
	}
	if set.Name != "demo" || set.Version != "1" || len(set.Problems) != 3 {
		t.Fatalf("set %s %s with %d problems", set.Name, set.Version, len(set.Problems))
	}
	sq, _ := set.Lookup("demo/square")
	if sq.Private[1].Output != "152415787532388367501905199875019052100" {
		t.Errorf("big integer output = %q", sq.Private[1].Output)
	}
	needPython(t)
	// The example's solutions are right, and the incorrect one is caught.
	failures := execPrograms(t, []pyJob{
		{Name: "square", Program: sq.Solutions[0].Code + "\nassert square(-4) == 16\nassert square(12345678901234567890) == 152415787532388367501905199875019052100\n"},
		{Name: "wrong", Program: sq.Incorrect[0].Code + "\nassert square(3) == 9\n"},
	})
	if _, bad := failures["square"]; bad || failures["wrong"] == "" {
		t.Errorf("failures = %v", failures)
	}
}
