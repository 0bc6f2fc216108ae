package pyvalue

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"math"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/rlef/rlef/internal/testenv"
)

// The differential tests compare this package with CPython 3.11 itself
// (testdata/pydiff.py). They need /usr/bin/python3; under CI=true its
// absence is a failure, never a skip.

const pythonPath = testenv.Python

// scaled and seeded give a randomized test's size and seed as arguments
// of the Python side (see testenv.Scaled and testenv.Seeded).
func scaled(n int) string    { return strconv.Itoa(testenv.Scaled(n)) }
func seeded(seed int) string { return strconv.Itoa(testenv.Seeded(seed)) }

// runPy runs testdata/pydiff.py with args and stdin and decodes its JSON
// lines into records of type T.
func runPy[T any](t *testing.T, stdin []byte, args ...string) []T {
	t.Helper()
	testenv.RequirePython3_11(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, pythonPath, append([]string{"testdata/pydiff.py"}, args...)...)
	cmd.Stdin = bytes.NewReader(stdin)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pydiff.py %v: %v\n%s", args, err, stderr.String())
	}
	var recs []T
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 256<<20)
	for sc.Scan() {
		var r T
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("pydiff.py output: %v", err)
		}
		recs = append(recs, r)
	}
	if len(recs) == 0 {
		t.Fatalf("pydiff.py %v produced nothing", args)
	}
	return recs
}

func unb64(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// how identical compares.
type how struct {
	anyOrder bool // sets in any order
	anyNaN   bool // NaNs with any sign and payload (marshal's text floats keep neither)
}

var (
	exact    = how{}
	anyOrder = how{anyOrder: true}
)

// identical reports structural identity: same types, same float bits, same
// order.
func identical(a, b Value, h how) bool {
	switch x := a.(type) {
	case Float:
		y, ok := b.(Float)
		return ok && sameFloat(float64(x), float64(y), h)
	case Complex:
		y, ok := b.(Complex)
		return ok && sameFloat(real(x), real(y), h) && sameFloat(imag(x), imag(y), h)
	case Int:
		y, ok := b.(Int)
		return ok && x.Cmp(y) == 0 && (x.big == nil) == (y.big == nil)
	case List:
		y, ok := b.(List)
		return ok && identicalSeq(x, y, h)
	case Tuple:
		y, ok := b.(Tuple)
		return ok && identicalSeq(x, y, h)
	case *Dict:
		y, ok := b.(*Dict)
		return ok && identicalSeq(x.keys, y.keys, h) && identicalSeq(x.vals, y.vals, h)
	case *Set:
		y, ok := b.(*Set)
		return ok && identicalSet(x.keys, y.keys, h)
	case *FrozenSet:
		y, ok := b.(*FrozenSet)
		return ok && identicalSet(x.keys, y.keys, h)
	}
	return a == b
}

func sameFloat(x, y float64, h how) bool {
	if h.anyNaN && math.IsNaN(x) && math.IsNaN(y) {
		return true
	}
	return math.Float64bits(x) == math.Float64bits(y)
}

func identicalSeq(x, y []Value, h how) bool {
	if len(x) != len(y) {
		return false
	}
	for i := range x {
		if !identical(x[i], y[i], h) {
			return false
		}
	}
	return true
}

func identicalSet(x, y []Value, h how) bool {
	if !h.anyOrder || len(x) != len(y) {
		return identicalSeq(x, y, h)
	}
	used := make([]bool, len(y))
next:
	for _, e := range x {
		for j, f := range y {
			if !used[j] && identical(e, f, h) {
				used[j] = true
				continue next
			}
		}
		return false
	}
	return true
}

type corpusRec struct {
	M  []string          `json:"m"`
	R  *string           `json:"r"`
	C  map[string]string `json:"c"`
	H  bool              `json:"h"`
	T  string            `json:"t"`
	N  int               `json:"n"`
	J  string            `json:"j"`
	JM string            `json:"jm"`
}

// TestPythonCorpus decodes values that CPython marshalled in every format
// version and compares repr, the harness's clipped repr, hashability, type
// names, lengths, JSON parsing and marshal round trips.
func TestPythonCorpus(t *testing.T) {
	recs := runPy[corpusRec](t, nil, "corpus", seeded(1), scaled(2500))
	for i, rec := range recs {
		v2, err := DecodeMarshal(unb64(t, rec.M[2]), Limits{})
		if err != nil {
			t.Fatalf("record %d: version 2: %v", i, err)
		}
		for ver, m := range rec.M {
			v, err := DecodeMarshal(unb64(t, m), Limits{})
			if err != nil {
				t.Fatalf("record %d: version %d: %v", i, ver, err)
			}
			// Since 3.11 marshal writes set elements sorted by their own
			// marshal bytes, which differ between versions.
			if !identical(v, v2, how{anyOrder: true, anyNaN: ver < 2}) {
				t.Errorf("record %d: version %d decodes to %s, version 2 to %s", i, ver, clipTest(Repr(v)), clipTest(Repr(v2)))
			}
		}
		checkCorpusRecord(t, i, v2, rec)
	}
	t.Logf("%d values", len(recs))
}

func clipTest(s string) string { return Clip(s, 300) }

func checkCorpusRecord(t *testing.T, i int, v Value, rec corpusRec) {
	t.Helper()
	// A set's repr follows Python's iteration order, which marshal does not
	// keep (it sorts the elements by their marshal bytes); reprlib sorts
	// them itself.
	_, reprlib := containerLen(v)
	reprlib = reprlib && rec.N > 10000
	ordered := !hasMultiSet(v)
	if rec.R != nil && ordered {
		if got := Repr(v); got != *rec.R {
			t.Errorf("record %d: Repr\n got %s\nwant %s", i, clipTest(got), clipTest(*rec.R))
		}
	}
	for limit, want := range rec.C {
		if !ordered && !reprlib {
			break
		}
		n := 0
		for _, c := range limit {
			n = 10*n + int(c-'0')
		}
		if got := ClippedRepr(v, n); got != want {
			t.Errorf("record %d: ClippedRepr(%d)\n got %s\nwant %s", i, n, clipTest(got), clipTest(want))
		}
	}
	if Hashable(v) != rec.H {
		t.Errorf("record %d: Hashable = %v", i, !rec.H)
	}
	if TypeName(v) != rec.T {
		t.Errorf("record %d: TypeName = %s, want %s", i, TypeName(v), rec.T)
	}
	if n, ok := Len(v); (ok && n != rec.N) || (!ok && rec.N != -1) {
		t.Errorf("record %d: Len = %d, %v; want %d", i, n, ok, rec.N)
	}
	enc, err := EncodeMarshal(v)
	if err != nil {
		t.Fatalf("record %d: EncodeMarshal: %v", i, err)
	}
	back, err := DecodeMarshal(enc, Limits{})
	if err != nil || !identical(back, v, exact) {
		t.Errorf("record %d: EncodeMarshal round trip: %v", i, err)
	}
	if rec.J != "" {
		jv, err := ParseJSON(unb64(t, rec.J), Limits{})
		if err != nil {
			t.Fatalf("record %d: ParseJSON(%s): %v", i, clipTest(string(unb64(t, rec.J))), err)
		}
		want, err := DecodeMarshal(unb64(t, rec.JM), Limits{})
		if err != nil {
			t.Fatal(err)
		}
		if !identical(jv, want, exact) {
			t.Errorf("record %d: ParseJSON(%s) = %s, want %s", i, clipTest(string(unb64(t, rec.J))), clipTest(Repr(jv)), clipTest(Repr(want)))
		}
	}
}

type pairRec struct {
	A, B string
	Eq   bool
	He   *bool
	H    bool
	Lt   *bool
}

// TestPythonEqual compares Equal, Key and Less with CPython's ==, hash
// equality and < on pairs of equal and nearly equal values.
func TestPythonEqual(t *testing.T) {
	recs := runPy[pairRec](t, nil, "pairs", seeded(2), scaled(2500))
	for i, rec := range recs {
		a, err1 := DecodeMarshal(unb64(t, rec.A), Limits{})
		b, err2 := DecodeMarshal(unb64(t, rec.B), Limits{})
		if err1 != nil || err2 != nil {
			t.Fatalf("pair %d: %v %v", i, err1, err2)
		}
		if Equal(a, b) != rec.Eq || Equal(b, a) != rec.Eq {
			t.Errorf("pair %d: Equal(%s, %s) = %v, Python %v", i, clipTest(Repr(a)), clipTest(Repr(b)), !rec.Eq, rec.Eq)
		}
		if Hashable(a) != rec.H {
			t.Errorf("pair %d: Hashable(%s) = %v", i, clipTest(Repr(a)), !rec.H)
		}
		ka, oka := Key(a)
		kb, okb := Key(b)
		if oka && okb && (ka == kb) != rec.Eq {
			t.Errorf("pair %d: Key equality of %s and %s is %v, == is %v", i, clipTest(Repr(a)), clipTest(Repr(b)), ka == kb, rec.Eq)
		}
		if rec.Eq && rec.H && Hashable(b) && (!oka || !okb) {
			t.Errorf("pair %d: equal hashable values without keys: %s", i, clipTest(Repr(a)))
		}
		lt, ok := Less(a, b)
		if (rec.Lt == nil) == ok || (ok && lt != *rec.Lt) {
			t.Errorf("pair %d: Less(%s, %s) = %v, %v; Python %v", i, clipTest(Repr(a)), clipTest(Repr(b)), lt, ok, rec.Lt)
		}
	}
	t.Logf("%d pairs", len(recs))
}

type checkRec struct {
	D  string
	R  *string
	Eq bool
	H  bool
}

// TestPythonReadsEncoded has CPython load values made and encoded here,
// and compares its repr, == and re-dumped value.
func TestPythonReadsEncoded(t *testing.T) {
	g := newGen(3)
	var values []Value
	for i := 0; i < 3000; i++ {
		v := g.value(0)
		values = append(values, v)
		if i%3 == 0 {
			values = append(values, g.near(v)) // so that == is sometimes true
		}
	}
	var in []byte
	for _, v := range values {
		enc, err := EncodeMarshal(v)
		if err != nil {
			t.Fatal(err)
		}
		in = binary.LittleEndian.AppendUint32(in, uint32(len(enc)))
		in = append(in, enc...)
	}
	recs := runPy[checkRec](t, in, "check")
	if len(recs) != len(values) {
		t.Fatalf("%d records for %d values", len(recs), len(values))
	}
	for i, rec := range recs {
		v := values[i]
		back, err := DecodeMarshal(unb64(t, rec.D), Limits{})
		if err != nil || !identical(back, v, anyOrder) {
			t.Errorf("value %d: Python re-dumps %s as something else (%v)", i, clipTest(Repr(v)), err)
		}
		if rec.R != nil && !hasMultiSet(v) && Repr(v) != *rec.R {
			t.Errorf("value %d: Repr\n got %s\nwant %s", i, clipTest(Repr(v)), clipTest(*rec.R))
		}
		next := values[(i+1)%len(values)]
		if Equal(v, next) != rec.Eq {
			t.Errorf("value %d: Equal(%s, %s) = %v, Python %v", i, clipTest(Repr(v)), clipTest(Repr(next)), !rec.Eq, rec.Eq)
		}
		if Hashable(v) != rec.H {
			t.Errorf("value %d: Hashable = %v", i, !rec.H)
		}
	}
}

// hasMultiSet reports whether v contains a set or frozenset of more than
// one element, whose iteration order in Python marshal does not keep.
func hasMultiSet(v Value) bool {
	switch x := v.(type) {
	case *Set:
		return x.Len() > 1 || anySet(x.keys)
	case *FrozenSet:
		return x.Len() > 1 || anySet(x.keys)
	case List:
		return anySet(x)
	case Tuple:
		return anySet(x)
	case *Dict:
		return anySet(x.keys) || anySet(x.vals)
	}
	return false
}

func anySet(vs []Value) bool {
	for _, v := range vs {
		if hasMultiSet(v) {
			return true
		}
	}
	return false
}

type jsonRec struct {
	J string
	M *string
}

// TestPythonJSON compares ParseJSON with json.loads on valid, edge-case
// and randomly damaged texts.
func TestPythonJSON(t *testing.T) {
	recs := runPy[jsonRec](t, nil, "json", seeded(4), scaled(1500))
	for i, rec := range recs {
		text := unb64(t, rec.J)
		v, err := ParseJSON(text, Limits{})
		if rec.M == nil {
			if err == nil {
				t.Errorf("text %d: ParseJSON(%q) = %s, Python fails", i, clipTest(string(text)), clipTest(Repr(v)))
			} else if !errors.Is(err, ErrSyntax) && !errors.Is(err, ErrTooLarge) {
				t.Errorf("text %d: error %v is neither ErrSyntax nor ErrTooLarge", i, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("text %d: ParseJSON(%q): %v", i, clipTest(string(text)), err)
			continue
		}
		want, err := DecodeMarshal(unb64(t, *rec.M), Limits{})
		if err != nil {
			t.Fatal(err)
		}
		if !identical(v, want, exact) {
			t.Errorf("text %d: ParseJSON(%q) = %s, Python %s", i, clipTest(string(text)), clipTest(Repr(v)), clipTest(Repr(want)))
		}
	}
	t.Logf("%d texts", len(recs))
}

// TestPythonAllCodePoints compares the repr of a str holding every code
// point, which checks the printable table against Python's
// str.isprintable and every escape form.
func TestPythonAllCodePoints(t *testing.T) {
	recs := runPy[struct{ R string }](t, nil, "allchars")
	cps := make([]rune, 0x110000)
	for i := range cps {
		cps[i] = rune(i)
	}
	got := Repr(StrFromCodePoints(cps))
	want := string(unb64(t, recs[0].R))
	if got != want {
		for i := 0; i < len(got) && i < len(want); i++ {
			if got[i] != want[i] {
				t.Fatalf("repr of all code points differs at byte %d: got %q, want %q", i, got[i:min(i+40, len(got))], want[i:min(i+40, len(want))])
			}
		}
		t.Fatalf("repr of all code points: lengths %d and %d", len(got), len(want))
	}
}

type mutantRec struct {
	In   string
	E    string
	Used int
	M    string
}

// TestPythonMutatedMarshal feeds randomly damaged marshal data to
// marshal.load and DecodeMarshal: they must agree on failure, and on the
// value when both succeed. The documented differences are checked too:
// trailing data, StopIteration and self-containing values are errors here.
func TestPythonMutatedMarshal(t *testing.T) {
	recs := runPy[mutantRec](t, nil, "mutants", seeded(5), scaled(6000))
	agreed := map[string]int{}
	for i, rec := range recs {
		data := unb64(t, rec.In)
		v, err := DecodeMarshal(data, Limits{})
		switch {
		case rec.E == "cycle":
			if !errors.Is(err, ErrCycle) {
				t.Errorf("input %d %q: Python builds a cyclic value; got %v", i, data, err)
			}
		case rec.E == "unsupported":
			if err == nil {
				t.Errorf("input %d %q: holds StopIteration or code; got %s", i, data, Repr(v))
			}
		case rec.E != "":
			if err == nil {
				t.Errorf("input %d %q: Python raises %s; got %s", i, data, rec.E, clipTest(Repr(v)))
			}
		case rec.Used < len(data):
			if !errors.Is(err, ErrTrailingData) {
				t.Errorf("input %d %q: %d trailing bytes; got %v", i, data, len(data)-rec.Used, err)
			}
			v, err = DecodeMarshal(data[:rec.Used], Limits{})
			fallthrough
		default:
			if err != nil {
				t.Errorf("input %d %q: Python reads it; got %v", i, data, err)
				continue
			}
			want, err := DecodeMarshal(unb64(t, rec.M), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if !identical(v, want, anyOrder) {
				t.Errorf("input %d %q: got %s, Python %s", i, data, clipTest(Repr(v)), clipTest(Repr(want)))
			}
		}
		agreed[rec.E]++
	}
	t.Logf("outcomes: %v", agreed)
}
