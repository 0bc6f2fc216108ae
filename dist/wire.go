package dist

import (
	"errors"
	"fmt"
	"time"

	"github.com/rlef/rlef/judge"
	"github.com/rlef/rlef/sandbox"
)

// Job kinds; each is a subject below SubjectJobs.
const (
	KindJudge = "judge"
	KindRun   = "run"
	KindParse = "parse"
)

// judgeJob is a judging: a problem (by content hash, fetched once from
// the object store), a submission, suites and the judge's options.
type judgeJob struct {
	Problem    string           `json:"problem"`
	Submission judge.Submission `json:"submission"`
	// Suites as for judge.Judge.Judge; nil means the default ones.
	Suites  []judge.Suite `json:"suites"`
	Options judge.Options `json:"options"`
}

// RunRequest is a program run: what /run_code and `rlef exec` need.
type RunRequest struct {
	Language sandbox.Language `json:"language"`
	Code     string           `json:"code"`
	Input    sandbox.Input    `json:"input"`
	// CompileOnly compiles (C++) without running.
	CompileOnly bool `json:"compile_only,omitempty"`
}

// Execution is the outcome of a RunRequest.
type Execution struct {
	// Compile is the compiler's result (C++ only; nil for Python).
	Compile *sandbox.Result `json:"compile,omitempty"`
	// Cached reports that the compile result came from a cache.
	Cached bool `json:"cached,omitempty"`
	// Run is the program's result; nil when it did not compile or
	// CompileOnly was set.
	Run *sandbox.Result `json:"run,omitempty"`
}

// parseJob is a longest-parseable code extraction (episode.SandboxParser).
type parseJob struct {
	Text string `json:"text"`
}

// Error kinds a result may carry instead of an answer.
const (
	errInvalid     = "invalid"     // sandbox.ErrInvalid: a request the sandbox refuses
	errUnsupported = "unsupported" // judge.ErrUnsupported
	errInfra       = "infra"       // sandbox.InfraError after every attempt
	errOther       = "error"       // any other error (an invalid problem)
)

// result is what a worker records for a job, once, under the job's id.
type result struct {
	Kind string `json:"kind"`
	// Worker names the worker that recorded it; Attempt counts the
	// attempts made (1 on the first try).
	Worker  string `json:"worker"`
	Attempt int    `json:"attempt"`
	// Failures describes earlier attempts that failed for
	// infrastructure reasons (worker and reason).
	Failures []string `json:"failures,omitempty"`
	// ErrKind and Err describe an error instead of an answer.
	ErrKind string `json:"err_kind,omitempty"`
	Err     string `json:"err,omitempty"`
	// Infra is set when the answer is an infrastructure failure: why.
	Infra string `json:"infra,omitempty"`

	Judge *wireResult `json:"judge,omitempty"`
	Run   *Execution  `json:"run,omitempty"`
	Parse *string     `json:"parse,omitempty"`
}

// error turns the result's error back into the error the local call
// would have returned (errors.Is works on the sentinel errors).
func (r *result) error() error {
	switch r.ErrKind {
	case "":
		return nil
	case errInvalid:
		return fmt.Errorf("%w: %s", sandbox.ErrInvalid, r.Err)
	case errUnsupported:
		return fmt.Errorf("%w: %s", judge.ErrUnsupported, r.Err)
	case errInfra:
		return &sandbox.InfraError{Err: errors.New(r.Err)}
	}
	return errors.New(r.Err)
}

// errorKind classifies an error for a result.
func errorKind(err error) string {
	switch {
	case errors.Is(err, sandbox.ErrInvalid):
		return errInvalid
	case errors.Is(err, judge.ErrUnsupported):
		return errUnsupported
	case sandbox.IsInfra(err):
		return errInfra
	}
	return errOther
}

// The judge's result types mark times and a pointer `json:"-"` (their
// JSON is for people); the wire form keeps everything. Each wire type
// embeds a method-free copy of the judge type, so fields added there
// travel without change here, and adds what its JSON leaves out.
type (
	resultFields  judge.Result
	suiteFields   judge.SuiteResult
	testFields    judge.TestResult
	compileFields judge.Compile
)

type wireResult struct {
	resultFields
	Compile *wireCompile  `json:"compile,omitempty"`
	Suites  []wireSuite   `json:"suites"`
	RunCPU  time.Duration `json:"run_cpu_ns,omitempty"`
	RunWall time.Duration `json:"run_wall_ns,omitempty"`
}

type wireCompile struct {
	compileFields
	Time time.Duration `json:"time_ns,omitempty"`
}

type wireSuite struct {
	suiteFields
	Tests []wireTest `json:"tests"`
	// First is FirstFailure's position in Tests (-1: none).
	First    int           `json:"first"`
	CPUTime  time.Duration `json:"cpu_ns,omitempty"`
	WallTime time.Duration `json:"wall_ns,omitempty"`
}

type wireTest struct {
	testFields
	CPUTime  time.Duration `json:"cpu_ns,omitempty"`
	WallTime time.Duration `json:"wall_ns,omitempty"`
}

// toWire converts a judge result for sending.
func toWire(r *judge.Result) *wireResult {
	if r == nil {
		return nil
	}
	w := &wireResult{resultFields: resultFields(*r), RunCPU: r.RunCPU, RunWall: r.RunWall}
	w.resultFields.Compile, w.resultFields.Suites = nil, nil
	if r.Compile != nil {
		w.Compile = &wireCompile{compileFields: compileFields(*r.Compile), Time: r.Compile.Time}
	}
	w.Suites = make([]wireSuite, len(r.Suites))
	for i := range r.Suites {
		s := &r.Suites[i]
		ws := wireSuite{suiteFields: suiteFields(*s), First: -1, CPUTime: s.CPUTime, WallTime: s.WallTime}
		ws.suiteFields.Tests, ws.suiteFields.FirstFailure = nil, nil
		if s.Tests != nil {
			ws.Tests = make([]wireTest, len(s.Tests))
		}
		for k := range s.Tests {
			ws.Tests[k] = wireTest{testFields: testFields(s.Tests[k]), CPUTime: s.Tests[k].CPUTime, WallTime: s.Tests[k].WallTime}
			if s.FirstFailure == &s.Tests[k] {
				ws.First = k
			}
		}
		w.Suites[i] = ws
	}
	return w
}

// fromWire converts a received judge result back.
func fromWire(w *wireResult) (*judge.Result, error) {
	if w == nil {
		return nil, errors.New("result without a judgement")
	}
	r := judge.Result(w.resultFields)
	r.RunCPU, r.RunWall = w.RunCPU, w.RunWall
	if w.Compile != nil {
		c := judge.Compile(w.Compile.compileFields)
		c.Time = w.Compile.Time
		r.Compile = &c
	}
	if w.Suites != nil {
		r.Suites = make([]judge.SuiteResult, len(w.Suites))
	}
	for i := range w.Suites {
		ws := &w.Suites[i]
		s := judge.SuiteResult(ws.suiteFields)
		s.CPUTime, s.WallTime = ws.CPUTime, ws.WallTime
		if ws.Tests != nil {
			s.Tests = make([]judge.TestResult, len(ws.Tests))
		}
		for k := range ws.Tests {
			t := judge.TestResult(ws.Tests[k].testFields)
			t.CPUTime, t.WallTime = ws.Tests[k].CPUTime, ws.Tests[k].WallTime
			s.Tests[k] = t
		}
		switch {
		case ws.First >= len(s.Tests):
			return nil, fmt.Errorf("suite %s: first failure %d of %d tests", s.Name, ws.First, len(s.Tests))
		case ws.First >= 0:
			s.FirstFailure = &s.Tests[ws.First]
		}
		r.Suites[i] = s
	}
	return &r, nil
}

// decodeResult decodes a recorded result payload.
func decodeResult(data []byte) (*result, error) {
	var r result
	if err := unpack(data, &r); err != nil {
		return nil, fmt.Errorf("decode result: %w", err)
	}
	switch r.Kind {
	case KindJudge, KindRun, KindParse:
	default:
		return nil, fmt.Errorf("decode result: unknown kind %q", r.Kind)
	}
	return &r, nil
}

// EncodeJudgement encodes a judgement with every field (times and the
// first failure included), for keeping it outside the process.
func EncodeJudgement(r *judge.Result) ([]byte, error) { return pack(toWire(r)) }

// DecodeJudgement decodes what EncodeJudgement made.
func DecodeJudgement(data []byte) (*judge.Result, error) {
	var w wireResult
	if err := unpack(data, &w); err != nil {
		return nil, err
	}
	return fromWire(&w)
}

// Pack encodes v as JSON, compressed when large (for records kept in
// JetStream).
func Pack(v any) ([]byte, error) { return pack(v) }

// Unpack decodes what Pack made.
func Unpack(data []byte, v any) error { return unpack(data, v) }
