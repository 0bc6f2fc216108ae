package dataset

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
)

func TestParsePyJSONAcceptsPythonDialect(t *testing.T) {
	tests := []struct {
		name, in string
		kind     jKind
		items    []string // raw text of array items
	}{
		{"python infinity tokens", `[-Infinity, Infinity, NaN]`, jArray, []string{"-Infinity", "Infinity", "NaN"}},
		{"integer beyond int64 keeps its digits", `[123456789012345678901234567890, -9223372036854775809]`, jArray,
			[]string{"123456789012345678901234567890", "-9223372036854775809"}},
		{"floats keep their spelling", `[1e-30, 2.50, -0.0, 1E+100]`, jArray, []string{"1e-30", "2.50", "-0.0", "1E+100"}},
		{"nested raw text is exact", `[[1, [2,  3]], {"a": [4]}]`, jArray, []string{"[1, [2,  3]]", `{"a": [4]}`}},
		{"scalars", `"x"`, jString, nil},
		{"surrounding whitespace", " \n\t[] \r\n", jArray, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := parsePyJSON([]byte(tc.in))
			if err != nil {
				t.Fatalf("parse %q: %v", tc.in, err)
			}
			if v.Kind != tc.kind {
				t.Fatalf("kind = %v, want %v", v.Kind, tc.kind)
			}
			if string(v.Raw) != strings.TrimSpace(tc.in) {
				t.Errorf("Raw = %q, want %q", v.Raw, strings.TrimSpace(tc.in))
			}
			if tc.items != nil {
				if len(v.Items) != len(tc.items) {
					t.Fatalf("got %d items, want %d", len(v.Items), len(tc.items))
				}
				for i, want := range tc.items {
					if got := string(v.Items[i].Raw); got != want {
						t.Errorf("item %d raw = %q, want %q", i, got, want)
					}
				}
			}
		})
	}
}

func TestParsePyJSONStrings(t *testing.T) {
	tests := []struct{ in, want string }{
		{`"plain"`, "plain"},
		{`"tab\tnew\nline \"q\" \\ \/"`, "tab\tnew\nline \"q\" \\ /"},
		{`"\u00e9\u4e2d"`, "é中"},
		{`"\ud83d\ude00"`, "😀"},
		{`"lone \ud800 surrogate"`, "lone \uFFFD surrogate"},
		{`"héllo"`, "héllo"},
	}
	for _, tc := range tests {
		v, err := parsePyJSON([]byte(tc.in))
		if err != nil {
			t.Errorf("parse %s: %v", tc.in, err)
			continue
		}
		if v.Str != tc.want {
			t.Errorf("parse %s = %q, want %q", tc.in, v.Str, tc.want)
		}
	}
}

func TestParsePyJSONRejectsMalformed(t *testing.T) {
	for _, in := range []string{
		``, `[`, `[1,]`, `[1 2]`, `{"a" 1}`, `{"a":1,}`, `{1: 2}`, `"abc`, `"\x"`, `"\u12"`,
		`01`, `1.`, `1e`, `-`, `+1`, `nul`, `Inf`, `[1] [2]`, "\"ctrl\x01\"", `[NaNa]`,
		strings.Repeat("[", maxJSONDepth+2) + strings.Repeat("]", maxJSONDepth+2),
	} {
		if _, err := parsePyJSON([]byte(in)); err == nil {
			t.Errorf("parse %q succeeded, want an error", in)
		}
	}
}

func TestParsePyJSONNumbersAsFloats(t *testing.T) {
	v, err := parsePyJSON([]byte(`[-Infinity, 1e-06, NaN]`))
	if err != nil {
		t.Fatal(err)
	}
	f0, _ := v.Items[0].float()
	f1, _ := v.Items[1].float()
	f2, _ := v.Items[2].float()
	if !math.IsInf(f0, -1) || f1 != 1e-6 || !math.IsNaN(f2) {
		t.Errorf("floats = %v %v %v", f0, f1, f2)
	}
}

// FuzzParsePyJSON checks that the parser never panics, agrees with
// encoding/json on standard JSON, and keeps exact raw text.
func FuzzParsePyJSON(f *testing.F) {
	for _, s := range []string{`[1, 2]`, `{"a": [NaN, -Infinity]}`, `"\ud83d\ude00"`, `[[[]]]`, `123456789012345678901234567890`, `{"x":"y"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := parsePyJSON(data)
		// The shallow parser validates exactly the same inputs.
		for keep := 0; keep < 3; keep++ {
			sv, serr := parsePyJSONShallow(data, keep)
			if (serr == nil) != (err == nil) || (err == nil && string(sv.Raw) != string(v.Raw)) {
				t.Fatalf("keep=%d: shallow parse disagrees on %q: %v vs %v", keep, data, serr, err)
			}
		}
		if json.Valid(data) && err != nil {
			// encoding/json accepts invalid UTF-8 inside strings (it
			// replaces it); we reject it on purpose.
			if !isUTF8(data) {
				return
			}
			t.Fatalf("standard JSON %q rejected: %v", data, err)
		}
		if err != nil {
			return
		}
		if got, want := string(v.Raw), strings.Trim(string(data), " \t\r\n"); got != want {
			t.Fatalf("Raw = %q, want %q", got, want)
		}
		if v.Kind == jString && json.Valid(data) {
			var s string
			if json.Unmarshal(data, &s) == nil && s != v.Str && !strings.Contains(s, "\uFFFD") {
				t.Fatalf("string %q decoded as %q, encoding/json says %q", data, v.Str, s)
			}
		}
	})
}
