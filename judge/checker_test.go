package judge

import (
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/rlef/rlef/dataset"
	"github.com/rlef/rlef/internal/testenv"
)

func TestCheckTokens(t *testing.T) {
	for _, tc := range []struct {
		out, exp string
		want     bool
	}{
		{"1 2 3", "1\n2\n3\n", true},
		{"YES", "yes", true},
		{"1.000001", "1", true},
		{"1.00001", "1", false},                               // |diff| is not < 1e-5
		{"1000000000000000000", "1000000000000000001", false}, // integers compare exactly (DeepMind: as doubles)
		{"123456789012345678901", "123456789012345678902", false},
		{"123456789012345678901", "123456789012345678901", true},
		{"007", "7", true},      // the same integer
		{"-0", "0", true},       // the same integer
		{"+12", "12", true},     // one '+' allowed
		{"3", "3.000001", true}, // an integer and a float: the float tolerance
		{"2147483648", "2147483648.000001", true},
		{"nan", "nan", true},        // equal token lists
		{"nan 1", "nan 2", false},   // token 2
		{"NaN 1", "nan 1", true},    // lower-cased, then equal lists
		{"nan 1", "nan 1.0", false}, // lists differ, and nan never matches nan
		{"inf", "infinity", false},  // |inf - inf| is NaN
		{"-inf", "-INF", true},      // equal after lower-casing
		{"1\f2", "1 2", false},      // \f is not a separator
		{"1\v2\r\n", "1 2", true},   // \v and \r are
		{"+5", "5", true},           // SimpleAtod accepts one '+'
		{"+-5", "-5", false},        // but not "+-"
		{"0x10", "16", false},       // no hex
		{"1e5", "100000", true},     // exponents
		{".5", "0.5", true},         // no leading digit
		{"5.", "5", true},           // no fraction digits
		{"1e", "1", false},          // not a number, compared as strings
		{"", "", true},
		{"", "\n \n", true},
		{"a b", "a", false},
		{"abc", "ABD", false},
		{"1e400", "1e401", false}, // both +Inf: |Inf - Inf| is NaN
		// An expected integer beyond 2^53 is matched exactly however the
		// output writes it (DeepMind: as doubles, so these pass).
		{"717897987691852588770250.0", "717897987691852588770249", false},
		{"7.178979876918526e+23", "717897987691852588770249", false},
		{"717897987691852588770249.0", "717897987691852588770249", true},
		{"7.17897987691852588770249e23", "717897987691852588770249", true},
		{"9007199254740993.0", "9007199254740993", true},
		{"9007199254740992.0", "9007199254740993", false},
		{"1e999999999", "9007199254740993", false},            // refused, never expanded
		{"9007199254740992", "9007199254740992.5", true},      // an expected float: the tolerance
		{"4503599627370496.000001", "4503599627370496", true}, // below 2^53: the tolerance
	} {
		got, detail := Check(dataset.CheckTokens, tc.out, tc.exp)
		if got != tc.want {
			t.Errorf("tokens(%q, %q) = %v (%s), want %v", tc.out, tc.exp, got, detail, tc.want)
		}
	}
}

func TestCheckLines(t *testing.T) {
	for _, tc := range []struct {
		out, exp string
		want     bool
	}{
		{"1 2\n3", "1 2\n3\n", true},
		{"  a  \n b\t", "a\nb", true},
		{"1.0", "1", true},
		{"1.0 2", "1 2.00", true},
		{"1e2", "100", true},
		{"1E+2", "100.0", true},
		{"1_000", "1000", true}, // Decimal ignores underscores
		{"0.1", "0.10000001", false},
		{"a\n\nb", "a\nb", false},
		{"NaN", "NaN", true},        // equal strings
		{"NaN 1", "NaN 1.0", false}, // NaN Decimals are never equal
		{"-0", "0", true},
		{"-0.000", "0E5", true},
		{"\u00a0x", "x", true}, // Python strips NBSP
		{"\x1cx", "x", true},   // and the ASCII separators
		{"Infinity", "inf", true},
		{"-Infinity", "inf", false},
		{"1 2", "1  2", true}, // token lists
		{"1 2", "12", false},
		{"yes", "YES", false}, // no case folding
		{"5.", ".5e1", true},
		{".", "0", false},
		{"1e", "1", false},
		{"", "", true},
		{"\n\n", "", true},
	} {
		got, detail := Check(dataset.CheckLines, tc.out, tc.exp)
		if got != tc.want {
			t.Errorf("lines(%q, %q) = %v (%s), want %v", tc.out, tc.exp, got, detail, tc.want)
		}
	}
}

func TestCheckExact(t *testing.T) {
	for _, tc := range []struct {
		out, exp string
		want     bool
	}{
		{"a\n", "a", true},
		{"a\n\n\n", "a\n", true},
		{"a \n", "a\n", false},
		{"\na", "a", false},
		{"a\r\n", "a\n", false},
	} {
		if got, _ := Check(dataset.CheckExact, tc.out, tc.exp); got != tc.want {
			t.Errorf("exact(%q, %q) = %v, want %v", tc.out, tc.exp, got, tc.want)
		}
	}
}

// TestDecimalAgainstPython compares parsePyDecimal's equality with Python's
// decimal module on tokens that exercise its grammar.
func TestDecimalAgainstPython(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		testenv.Missing(t, "no python3: %v", err)
	}
	tokens := []string{"0", "-0", "0.0", "00", "1", "1.", ".1", "1.0", "1e0", "1E+0", "10e-1", "+1", "-1", "1_0", "_1", "1__0",
		"inf", "-Inf", "Infinity", "infinit", "nan", "NaN12", "sNaN", "-nan", "1e", "e1", ".", "+", "1.2.3", "0x1", "١",
		"123456789012345678901234567890", "1.23456789012345678901234567890e29", "1e999999", "1e-999999", "0e999999"}
	var pairs [][2]string
	for _, a := range tokens {
		for _, b := range tokens {
			pairs = append(pairs, [2]string{a, b})
		}
	}
	in, _ := json.Marshal(pairs)
	script := `
import json, sys
from decimal import Decimal
out = []
for a, b in json.loads(sys.stdin.read()):
    try:
        da, db = Decimal(a), Decimal(b)
    except Exception:
        out.append(None); continue
    try:
        out.append(da == db)
    except Exception:
        out.append("raise")
print(json.dumps(out))
`
	cmd := exec.Command(python, "-c", script)
	cmd.Stdin = strings.NewReader(string(in))
	cmd.Stderr = os.Stderr
	raw, err := cmd.Output()
	if err != nil {
		t.Fatalf("python: %v", err)
	}
	var want []any
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	for i, pr := range pairs {
		da, okA := parsePyDecimal(pr[0])
		db, okB := parsePyDecimal(pr[1])
		switch w := want[i].(type) {
		case nil:
			if okA && okB {
				t.Errorf("%q, %q: Python rejects, we accept", pr[0], pr[1])
			}
		case string: // comparison raised (signaling NaN): we say unequal
			if okA && okB && da.equal(db) {
				t.Errorf("%q == %q: Python raises, we say equal", pr[0], pr[1])
			}
		case bool:
			if !okA || !okB {
				t.Errorf("%q, %q: Python parses, we do not", pr[0], pr[1])
			} else if da.equal(db) != w {
				t.Errorf("%q == %q: Python %v, we %v", pr[0], pr[1], w, da.equal(db))
			}
		}
	}
}

func FuzzCheckers(f *testing.F) {
	for _, s := range [][2]string{{"1 2", "1 2.0"}, {"YES\n", "yes"}, {"nan", "NaN"}, {"1_0", "10"}, {"\u00a0", ""}, {"1e9999", "inf"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		for _, c := range []dataset.Checker{dataset.CheckTokens, dataset.CheckLines, dataset.CheckExact} {
			ab, _ := Check(c, a, b)
			ba, _ := Check(c, b, a)
			if ab != ba {
				t.Errorf("%s not symmetric on %q, %q", c, a, b)
			}
			if ok, detail := Check(c, a, a); !ok {
				t.Errorf("%s(%q, itself) = false: %s", c, a, detail)
			}
		}
	})
}

func FuzzParsePyDecimal(f *testing.F) {
	for _, s := range []string{"1", "-0.5e-3", "1_000", "Infinity", "sNaN12", "1e999999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, ok := parsePyDecimal(s)
		if ok && d.kind != 'n' && !d.equal(d) {
			t.Errorf("%q is not equal to itself", s)
		}
		if ok && d.kind == 'f' && (strings.HasPrefix(d.digits, "0") || strings.HasSuffix(d.digits, "0")) {
			t.Errorf("%q: digits %q not normalized", s, d.digits)
		}
	})
}
