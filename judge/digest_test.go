package judge

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/rlef/rlef/internal/testenv"
	"github.com/rlef/rlef/pyvalue"
)

// pythonForTests is Debian's interpreter, the one the sandbox runs.
func pythonForTests(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat("/usr/bin/python3"); err != nil {
		testenv.Missing(t, "no /usr/bin/python3: %v", err)
	}
	return "/usr/bin/python3"
}

// The canonical digest computed here equals the one runner.py computes
// for the same value, and equal digests mean Python's ==.
func TestCanonicalDigestMatchesRunner(t *testing.T) {
	py := pythonForTests(t)
	values := []string{
		`1`, `1.0`, `True`, `0`, `-0.0`, `False`, `2**70`, `float(2**70)`, `0.1`, `1e300`, `float("inf")`, `-float("inf")`,
		`"abc"`, `"h\u00e9llo \u2713"`, `"\ud800"`, `b"\x00\xff"`, `None`, `[]`, `()`, `[1, 2.0, True]`, `(1, [2, (3,)])`,
		`[["Dog", "Cat"], ("Fish",)]`, `[0.5, -2.25, 1e-7]`, `[None, "", b""]`,
	}
	src := runnerSource[:strings.LastIndex(runnerSource, "\nmain()")]
	prog := src + `
import hashlib, json, sys
out = []
for expr in json.loads(sys.stdin.read()):
    h = hashlib.sha256()
    v = eval(expr)
    _canonical(v, h)
    out.append(h.hexdigest())
print(json.dumps(out))
`
	in, _ := json.Marshal(values)
	cmd := exec.Command(py, "-c", prog)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	got, err := cmd.Output()
	if err != nil {
		t.Fatalf("python: %v: %s", err, stderr.String())
	}
	var want []string
	if err := json.Unmarshal(got, &want); err != nil {
		t.Fatal(err)
	}
	// The same values, as this side sees them (through marshal, from a
	// separate interpreter, as answers arrive).
	enc := exec.Command(py, "-c", `import json, marshal, sys
for expr in json.loads(sys.stdin.read()):
    print(marshal.dumps(eval(expr), 2).hex())`)
	enc.Stdin = bytes.NewReader(in)
	hexes, err := enc.Output()
	if err != nil {
		t.Fatal(err)
	}
	for i, line := range strings.Fields(string(hexes)) {
		data := make([]byte, len(line)/2)
		for k := range data {
			var b byte
			for _, c := range line[2*k : 2*k+2] {
				b = b<<4 | byte(strings.IndexRune("0123456789abcdef", c))
			}
			data[k] = b
		}
		v, err := pyvalue.DecodeMarshal(data, valueLimits)
		if err != nil {
			t.Fatalf("%s: %v", values[i], err)
		}
		d, err := canonicalDigest(v)
		if err != nil || d != want[i] {
			t.Errorf("%s: digest %s (%v), runner.py %s", values[i], d, err, want[i])
		}
	}
	// Equal values of different types share the digest; different ones
	// do not.
	digest := func(v pyvalue.Value) string { d, _ := canonicalDigest(v); return d }
	if digest(pyvalue.List{pyvalue.IntOf(1)}) != digest(pyvalue.List{pyvalue.Float(1)}) ||
		digest(pyvalue.List{pyvalue.IntOf(1)}) != digest(pyvalue.List{pyvalue.Bool(true)}) ||
		digest(pyvalue.List{pyvalue.IntOf(1)}) == digest(pyvalue.Tuple{pyvalue.IntOf(1)}) ||
		digest(pyvalue.Str("1")) == digest(pyvalue.IntOf(1)) {
		t.Error("canonical digests do not follow ==")
	}
	if _, err := canonicalDigest(pyvalue.List{pyvalue.Float(nanValue())}); err == nil {
		t.Error("a NaN has a canonical digest (NaN equals nothing)")
	}
}

func nanValue() float64 {
	var zero float64
	return zero / zero
}
