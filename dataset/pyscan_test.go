package dataset

import (
	"reflect"
	"strings"
	"testing"
)

func TestExtractCheckAsserts(t *testing.T) {
	tests := []struct {
		name, test string
		want       []string
	}{
		{
			name: "simple asserts, METADATA dropped, assert True skipped",
			test: "\n\nMETADATA = {\n    'author': 'jt',\n    'dataset': 'test'\n}\n\n\ndef check(candidate):\n" +
				"    assert candidate(1) == 2\n    assert candidate(2) == 3, \"msg\"\n    assert True\n",
			want: []string{"candidate = f\nassert candidate(1) == 2", "candidate = f\nassert candidate(2) == 3, \"msg\""},
		},
		{
			name: "multi-line assert is dedented as a whole",
			test: "def check(candidate):\n    assert candidate([1,\n                      2]) == [\n        2, 1]\n",
			want: []string{"candidate = f\nassert candidate([1,\n                  2]) == [\n    2, 1]"},
		},
		{
			name: "context statements are replayed; loops are left to check()",
			test: "def check(candidate):\n    import random\n    assert candidate(0) == 0\n    for i in range(3):\n        assert candidate(i) == i\n" +
				"    lst = [1, 2]\n    print\n    assert candidate(lst) == 3\n",
			want: []string{
				"candidate = f\nimport random\nassert candidate(0) == 0",
				"candidate = f\nimport random\nlst = [1, 2]\nassert candidate(lst) == 3",
			},
		},
		{
			name: "helpers before check are kept, statements after check are not",
			test: "def helper(x):\n    return x * 2\n\ndef check(c):\n    # comment\n    assert c(1) == helper(1)\n\ncheck(f)\n",
			want: []string{"def helper(x):\n    return x * 2\nc = f\nassert c(1) == helper(1)"},
		},
		{
			name: "triple-quoted string content keeps its indentation",
			test: "def check(candidate):\n    assert candidate('''a\n    b''') == 1\n",
			want: []string{"candidate = f\nassert candidate('''a\n    b''') == 1"},
		},
		{
			name: "hash inside a string is not a comment",
			test: "def check(candidate):\n    assert candidate('#(') == '#'\n",
			want: []string{"candidate = f\nassert candidate('#(') == '#'"},
		},
		{name: "no check function", test: "def other(candidate):\n    assert candidate(1)\n", want: nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, _ := extractCheckAsserts(tc.test, "f")
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestSplitPyLinesBackslashContinuation(t *testing.T) {
	lines := splitPyLines("x = 1 + \\\n    2\ny = 3\n")
	if len(lines) != 2 || lines[0].text() != "x = 1 + \\\n    2" {
		t.Fatalf("lines = %#v", lines)
	}
}

func FuzzExtractCheckAsserts(f *testing.F) {
	f.Add("def check(candidate):\n    assert candidate(1) == 1\n")
	f.Add("def check(candidate):\n    x = '''\n\"\n    assert candidate(\n")
	f.Add("METADATA = {}\n\ndef check(c):\n\tassert c('\\\n')\n")
	f.Fuzz(func(t *testing.T, src string) {
		asserts, _ := extractCheckAsserts(src, "entry")
		for _, a := range asserts {
			if !strings.Contains(a, "assert") {
				t.Fatalf("extracted snippet without assert: %q", a)
			}
		}
		// The logical lines always cover the whole input.
		var b strings.Builder
		for i, l := range splitPyLines(src) {
			if i > 0 {
				b.WriteString("\n")
			}
			b.WriteString(l.text())
		}
		norm := strings.ReplaceAll(src, "\r\n", "\n")
		if got := b.String(); got != strings.TrimSuffix(norm, "\n") && got != norm {
			t.Fatalf("lines do not reassemble the input:\n%q\n%q", got, norm)
		}
	})
}
