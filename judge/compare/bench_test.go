package compare

import (
	"encoding/base64"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/rlef/rlef/internal/testenv"
	"github.com/rlef/rlef/pyvalue"
)

// benchCases are typical HumanEval+ outputs, with their expected values as
// the dataset's JSON.
var benchCases = []struct {
	name     string
	out, exp string // JSON
	atol     float64
}{
	{"int", "42", "42", 0},
	{"bool", "true", "true", 0},
	{"str", `"hello world"`, `"hello world"`, 0},
	{"ints", "[1, 2, 3, 4, 5, 6, 7, 8]", "[1, 2, 3, 4, 5, 6, 7, 8]", 0},
	{"strs", `["apple", "banana", "cherry"]`, `["apple", "banana", "cherry"]`, 0},
	{"nested", "[[1, 2], [3, 4], [5, 6]]", "[[1, 2], [3, 4], [5, 6]]", 0},
	{"float", "3.5", "3.5", 0},
	{"float_tol", "3.5000001", "3.5", 0},
	{"floats_tol", "[1.5, 2.25, 3.1250001]", "[1.5, 2.25, 3.125]", 0},
	{"wrong_int", "41", "42", 0},
}

// BenchmarkDecodeCheck measures what the supervisor does per test: decode
// the candidate's marshal bytes and compare them with the (already
// parsed) expected value by EvalPlus's rules. The python sub-benchmarks
// are the baseline, measured in the same run: the harness's own
// marshal.loads plus _check_evalplus in CPython 3.11 (their ns/op is
// CPython's, from timeit).
func BenchmarkDecodeCheck(b *testing.B) {
	for _, bc := range benchCases {
		out := js(b, bc.out)
		data, err := pyvalue.EncodeMarshal(out)
		if err != nil {
			b.Fatal(err)
		}
		exp := js(b, bc.exp)
		c := &Checker{Profile: EvalPlus, Atol: bc.atol}
		b.Run(bc.name+"/go", func(b *testing.B) {
			b.ReportAllocs()
			s := c.NewSuite()
			for range b.N {
				v, err := pyvalue.DecodeMarshal(data, pyvalue.Limits{})
				if err != nil {
					b.Fatal(err)
				}
				s.Check(v, exp, nil)
			}
		})
		b.Run(bc.name+"/python", func(b *testing.B) {
			b.ReportMetric(pythonCheckNs(b, data, bc.exp, max(b.N, 20000)), "ns/op")
		})
	}
}

const benchScript = `
import base64, importlib.util, json, marshal, sys, timeit
spec = importlib.util.spec_from_file_location("h", "testdata/harness.py")
h = importlib.util.module_from_spec(spec); spec.loader.exec_module(h)
data = base64.b64decode(sys.argv[1]); exp = json.loads(sys.argv[2]); n = int(sys.argv[3])
state = {"atol": 0.0}
def one():
    h._check_evalplus(marshal.loads(data), exp, [], state, "")
def safe():
    try:
        one()
    except h._Mismatch:
        pass
print(timeit.timeit(safe, number=n) / n * 1e9)
`

func pythonCheckNs(b *testing.B, data []byte, exp string, n int) float64 {
	testenv.RequirePython3_11(b, "numpy")
	out, err := exec.Command(pythonPath, "-c", benchScript, base64.StdEncoding.EncodeToString(data), exp, strconv.Itoa(n)).Output()
	if err != nil {
		b.Fatal(err)
	}
	ns, err := strconv.ParseFloat(strings.TrimSpace(string(out)), 64)
	if err != nil {
		b.Fatal(err)
	}
	return ns
}

// BenchmarkDecode and BenchmarkCheck split the cost of a typical list
// output.
func BenchmarkDecode(b *testing.B) {
	data, _ := pyvalue.EncodeMarshal(js(b, "[1, 2, 3, 4, 5, 6, 7, 8]"))
	b.ReportAllocs()
	for range b.N {
		if _, err := pyvalue.DecodeMarshal(data, pyvalue.Limits{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCheck(b *testing.B) {
	out, exp := js(b, "[1, 2, 3, 4, 5, 6, 7, 8]"), js(b, "[1, 2, 3, 4, 5, 6, 7, 8]")
	s := (&Checker{Profile: EvalPlus}).NewSuite()
	b.ReportAllocs()
	for range b.N {
		s.Check(out, exp, nil)
	}
}
