package dist

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/rlef/rlef/dataset"
	"github.com/rlef/rlef/internal/shareddata"
	"github.com/rlef/rlef/judge"
	"github.com/rlef/rlef/sandbox"
)

// fill sets every settable field of v to a non-zero value derived from
// seed, so that a round trip that drops a field shows.
func fill(v reflect.Value, seed *int) {
	*seed++
	switch v.Kind() {
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(int64(*seed))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(uint64(*seed % 200))
	case reflect.Float32, reflect.Float64:
		v.SetFloat(float64(*seed) + 0.5)
	case reflect.String:
		v.SetString("s" + string(rune('a'+*seed%26)))
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), seed)
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		for i := range 2 {
			fill(v.Index(i), seed)
		}
	case reflect.Map:
		v.Set(reflect.MakeMap(v.Type()))
		k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
		fill(k, seed)
		fill(e, seed)
		v.SetMapIndex(k, e)
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i), seed)
			}
		}
	}
}

// Every field of a judgement crosses the wire, times and the first
// failure included (the judge's own JSON drops them).
func TestJudgeResultRoundTrip(t *testing.T) {
	var r judge.Result
	seed := 0
	fill(reflect.ValueOf(&r).Elem(), &seed)
	for i := range r.Suites {
		r.Suites[i].FirstFailure = &r.Suites[i].Tests[1]
	}
	r.Suites[1].FirstFailure = nil
	data, err := pack(toWire(&r))
	if err != nil {
		t.Fatal(err)
	}
	var w wireResult
	if err := unpack(data, &w); err != nil {
		t.Fatal(err)
	}
	got, err := fromWire(&w)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, &r) {
		t.Errorf("round trip changed the result:\n got %+v\nwant %+v", got, &r)
	}
	if got.Suites[0].FirstFailure != &got.Suites[0].Tests[1] {
		t.Error("FirstFailure does not point into Tests")
	}
}

// Run requests and executions cross whole, and payloads above the
// compression threshold are compressed.
func TestRunRoundTrip(t *testing.T) {
	for _, size := range []int{10, 100 << 10} {
		var req RunRequest
		seed := 0
		fill(reflect.ValueOf(&req).Elem(), &seed)
		req.Input.Stdin = make([]byte, size)
		var ex Execution
		fill(reflect.ValueOf(&ex).Elem(), &seed)
		for _, v := range []any{&req, &ex} {
			data, err := pack(v)
			if err != nil {
				t.Fatal(err)
			}
			if _, isReq := v.(*RunRequest); isReq && size > compressAbove && data[0] != tagS2 {
				t.Errorf("%d bytes not compressed", size)
			}
			got := reflect.New(reflect.TypeOf(v).Elem())
			if err := unpack(data, got.Interface()); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got.Interface(), v) {
				t.Errorf("round trip changed %T", v)
			}
		}
	}
}

// Errors come back as the errors a local call returns.
func TestResultErrors(t *testing.T) {
	tests := []struct {
		err  error
		kind string
		is   func(error) bool
	}{
		{&sandbox.InfraError{Err: errTest}, errInfra, sandbox.IsInfra},
		{sandbox.ErrInvalid, errInvalid, func(e error) bool { return errorIs(e, sandbox.ErrInvalid) }},
		{judge.ErrUnsupported, errUnsupported, func(e error) bool { return errorIs(e, judge.ErrUnsupported) }},
		{errTest, errOther, func(e error) bool { return e != nil && !sandbox.IsInfra(e) }},
	}
	for _, tc := range tests {
		r := &result{Kind: KindRun, ErrKind: errorKind(tc.err), Err: tc.err.Error()}
		if r.ErrKind != tc.kind || !tc.is(r.error()) {
			t.Errorf("%v: kind %s, error %v", tc.err, r.ErrKind, r.error())
		}
	}
}

// Problems survive the trip and their hash is checked: every built-in
// problem, and the real HumanEval+ set (thousands of tests a problem).
func TestProblemRoundTrip(t *testing.T) {
	set, err := dataset.LoadBuiltin()
	if err != nil {
		t.Fatal(err)
	}
	problems := set.Problems
	if shareddata.Dir() != "" {
		plus, err := dataset.Load(t.Context(), "humaneval+", dataset.LoadOptions{Path: shareddata.Path(t, "evalplus", "HumanEvalPlus.jsonl.gz")})
		if err != nil {
			t.Fatal(err)
		}
		problems = append(problems, plus.Problems[:20]...)
	}
	for _, p := range problems {
		data, hash, err := encodeProblem(p)
		if err != nil {
			t.Fatal(err)
		}
		got, err := decodeProblem(data, hash)
		if err != nil {
			t.Fatalf("%s: %v", p.ID, err)
		}
		if !reflect.DeepEqual(got, p) {
			t.Errorf("%s: round trip changed the problem", p.ID)
		}
		data[len(data)/2] ^= 1
		if _, err := decodeProblem(data, hash); err == nil {
			t.Errorf("%s: a corrupted problem was accepted", p.ID)
		}
	}
}

var errTest = errors.New("test failure")

func errorIs(err, target error) bool { return errors.Is(err, target) }

// Payload decoding takes outside input: it never panics.
func FuzzUnpack(f *testing.F) {
	for _, v := range []any{&judgeJob{Problem: "x", Suites: []judge.Suite{{Name: "a"}}}, ptr(runRequest(1, time.Second)), &result{Kind: KindRun}} {
		data, _ := pack(v)
		f.Add(data)
	}
	f.Add([]byte{tagS2, 0xff, 0xff, 0xff, 0x7f})
	f.Fuzz(func(t *testing.T, data []byte) {
		var j judgeJob
		_ = unpack(data, &j)
		var r RunRequest
		_ = unpack(data, &r)
		var w wireResult
		if unpack(data, &w) == nil {
			_, _ = fromWire(&w)
		}
		_, _ = decodeResult(data)
	})
}
