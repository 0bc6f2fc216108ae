package judge

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rlef/rlef/dataset"
	"github.com/rlef/rlef/pyvalue"
	"github.com/rlef/rlef/sandbox"
	"github.com/rlef/rlef/verdict"
)

// fakeSandbox runs no process: programs are Go functions of their input,
// so the judge's own logic (chunks, retries, session restarts, budgets) is
// tested alone. Inputs steer it: a stdin or call argument named in
// infraOnce fails with a sandbox error the first time it is run.
type fakeSandbox struct {
	mu        sync.Mutex
	infraOnce map[string]bool
	infraLeft int // StartSession fails this many more times
	runs      int
	sessions  int
	calls     int
	// hold delays the result of a stdin until after the result of
	// another stdin has been handed to the judge (or a second passed).
	hold map[string]string
	seen map[string]chan struct{}
}

// await waits, for a held stdin, until the stdin it waits for is judged.
func (f *fakeSandbox) await(key string) {
	f.mu.Lock()
	other, ok := f.hold[key]
	ch := f.seenChan(other)
	f.mu.Unlock()
	if ok {
		select {
		case <-ch:
		case <-time.After(time.Second):
		}
	}
}

// seenChan is closed once stdin key has been judged; f.mu is held.
func (f *fakeSandbox) seenChan(key string) chan struct{} {
	if f.seen == nil {
		f.seen = map[string]chan struct{}{}
	}
	if f.seen[key] == nil {
		f.seen[key] = make(chan struct{})
	}
	return f.seen[key]
}

func (f *fakeSandbox) Slots() int                { return 2 }
func (f *fakeSandbox) MaxLimits() sandbox.Limits { return sandbox.DefaultMaxLimits() }

func (f *fakeSandbox) Compile(ctx context.Context, lang sandbox.Language, source string) (*sandbox.Program, error) {
	return &sandbox.Program{Language: lang}, nil
}

// Batch doubles the number on stdin; "loop" times out.
func (f *fakeSandbox) Batch(ctx context.Context, prog *sandbox.Program, inputs []sandbox.Input, each func(int, *sandbox.Result) bool) (int, error) {
	for i, in := range inputs {
		f.mu.Lock()
		key := strings.TrimSpace(string(in.Stdin))
		fail := f.infraOnce[key]
		delete(f.infraOnce, key)
		f.runs++
		f.mu.Unlock()
		if fail {
			return i, &sandbox.InfraError{Err: errors.New("slot died")}
		}
		r := &sandbox.Result{Status: verdict.OK, CPUTime: time.Millisecond}
		if key == "loop" {
			r.Status, r.CPUTime = verdict.TimeLimit, in.Limits.CPUTime
		} else {
			n, _ := strconv.Atoi(key)
			r.Stdout = []byte(strconv.Itoa(2*n) + "\n")
		}
		f.await(key)
		more := each(i, r)
		f.mu.Lock()
		close(f.seenChan(key))
		f.mu.Unlock()
		if !more {
			return i + 1, nil
		}
	}
	return len(inputs), nil
}

func (f *fakeSandbox) StartSession(ctx context.Context, spec sandbox.SessionSpec) (Session, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.infraLeft > 0 {
		f.infraLeft--
		return nil, &sandbox.InfraError{Err: errors.New("no slot")}
	}
	f.sessions++
	return &fakeSession{f: f}, nil
}

// fakeSession plays runner.py: a call with argument n returns 2n; n = -1
// spins until killed; n = -2 ends the process; n = -3 is starved of CPU
// unless given more wall clock, then returns 6; n = -4 sleeps.
type fakeSession struct {
	f    *fakeSandbox
	dead bool
}

func (s *fakeSession) Conn(int) Conn { return s }
func (s *fakeSession) Kill()         { s.dead = true }
func (s *fakeSession) Close() (*sandbox.SessionResult, error) {
	return &sandbox.SessionResult{Procs: []sandbox.ProcResult{{ExitCode: 3}}}, nil
}

func (s *fakeSession) Exchange(ctx context.Context, req []byte, lim sandbox.StepLimits) ([]byte, sandbox.StepResult, error) {
	if s.dead {
		return nil, sandbox.StepResult{}, &sandbox.StepError{Verdict: verdict.RuntimeError, Reason: "over"}
	}
	switch req[0] {
	case msgLoad:
		return []byte{replyOK, '{', '}'}, sandbox.StepResult{}, nil
	case msgCall:
		s.f.mu.Lock()
		s.f.calls++
		s.f.mu.Unlock()
		_, args, _ := splitCall(req[1:])
		v, _ := pyvalue.DecodeMarshal(args, valueLimits)
		n, _ := v.(pyvalue.Tuple)[0].(pyvalue.Int).Int64()
		switch n {
		case -1:
			s.dead = true
			return nil, sandbox.StepResult{CPU: lim.CPU}, &sandbox.StepError{Verdict: verdict.TimeLimit, Reason: "CPU"}
		case -2:
			s.dead = true
			return nil, sandbox.StepResult{}, &sandbox.StepError{Verdict: verdict.RuntimeError, Reason: "ended"}
		case -3:
			// Computes for a quarter of its CPU limit, but a loaded
			// machine gives it the CPU too slowly for twice the limit's
			// wall clock; with more wall clock it answers.
			if lim.WallFactor <= 2 {
				s.dead = true
				return nil, sandbox.StepResult{CPU: lim.CPU / 4, Wall: 2 * lim.CPU}, &sandbox.StepError{Verdict: verdict.TimeLimit, Reason: "wall clock"}
			}
			n = 3
		case -4:
			// Sleeps until the wall clock stops it.
			s.dead = true
			return nil, sandbox.StepResult{Wall: 2 * lim.CPU}, &sandbox.StepError{Verdict: verdict.TimeLimit, Reason: "wall clock"}
		}
		out, _ := pyvalue.EncodeMarshal(pyvalue.IntOf(2 * n))
		return append([]byte{replyValue}, out...), sandbox.StepResult{CPU: 10 * time.Millisecond}, nil
	}
	return nil, sandbox.StepResult{}, fmt.Errorf("fake: unexpected message %q", req[0])
}

func fakeJudge(t *testing.T, f *fakeSandbox) *Judge {
	t.Helper()
	j, err := NewWithSandbox(f, Options{CacheDir: t.TempDir(), Logger: testLogger(), Retries: 2})
	if err != nil {
		t.Fatal(err)
	}
	return j
}

func verdicts(s *SuiteResult) string {
	var out []string
	for _, tr := range s.Tests {
		out = append(out, string(tr.Verdict))
	}
	return strings.Join(out, ",")
}

// A batch that loses its slot is run again from the test it lost; a test
// whose runs keep failing is a sandbox error, and only that test.
func TestProgramsRetrySandboxFailures(t *testing.T) {
	var tests []dataset.Test
	for i := 0; i < 20; i++ {
		tests = append(tests, dataset.Test{Input: strconv.Itoa(i) + "\n", Output: strconv.Itoa(2*i) + "\n"})
	}
	p := &dataset.Problem{ID: "double", Mode: dataset.ModeStdio, Public: tests}
	f := &fakeSandbox{infraOnce: map[string]bool{"3": true, "11": true}}
	r, err := fakeJudge(t, f).Judge(context.Background(), p, Submission{Language: "cpp", Code: "x"}, PublicSuite(nil))
	if err != nil {
		t.Fatal(err)
	}
	if s := r.Suites[0]; s.Verdict != verdict.Accepted || s.Passed != 20 {
		t.Errorf("%s %d/20: %s", s.Verdict, s.Passed, verdicts(&s))
	}
	if f.runs != 22 {
		t.Errorf("%d runs, want 22 (20 tests, 2 lost)", f.runs)
	}
}

// Tests run in parallel chunks, so a failure can be judged before earlier
// tests are: those still run, and the earliest failure is the one
// reported. Here the chunk holding test 8 (wrong) is judged while the
// chunk holding tests 5 to 7 (6 wrong) waits.
func TestProgramsEarliestFailureWhateverTheOrder(t *testing.T) {
	var tests []dataset.Test
	for i := 0; i < 16; i++ {
		out := strconv.Itoa(2 * i)
		if i == 6 || i == 8 {
			out = "wrong"
		}
		tests = append(tests, dataset.Test{Input: strconv.Itoa(i) + "\n", Output: out + "\n"})
	}
	p := &dataset.Problem{ID: "double", Mode: dataset.ModeStdio, Private: tests}
	f := &fakeSandbox{hold: map[string]string{"5": "8"}}
	r, err := fakeJudge(t, f).Judge(context.Background(), p, Submission{Language: "cpp", Code: "x"}, PrivateSuite(nil))
	if err != nil {
		t.Fatal(err)
	}
	s := r.Suites[0]
	if s.Verdict != verdict.WrongAnswer || s.FirstFailure == nil || s.FirstFailure.Index != 6 || len(s.Tests) != 7 || s.Passed != 6 {
		t.Errorf("%s, first failure %+v, %d tests, %d passed: %s", s.Verdict, s.FirstFailure, len(s.Tests), s.Passed, verdicts(&s))
	}
}

// The call driver: a time-out kills the session, the next test gets a new
// one; a suite that stops at its first failure stops there.
func TestCallsRestartAfterTimeLimit(t *testing.T) {
	p := &dataset.Problem{ID: "f", Mode: dataset.ModeFunction, EntryPoint: "f",
		Public:  []dataset.Test{{Input: "[1]", Output: "2"}, {Input: "[-1]", Output: "0"}, {Input: "[3]", Output: "6"}, {Input: "[-2]", Output: "0"}, {Input: "[4]", Output: "8"}},
		Private: []dataset.Test{{Input: "[5]", Output: "10"}, {Input: "[-1]", Output: "0"}, {Input: "[6]", Output: "12"}},
	}
	f := &fakeSandbox{}
	r, err := fakeJudge(t, f).Judge(context.Background(), p, Submission{Code: "x"})
	if err != nil {
		t.Fatal(err)
	}
	if got := verdicts(r.Suite("public")); got != "accepted,time_limit,accepted,runtime_error,accepted" {
		t.Errorf("public: %s", got)
	}
	if got := verdicts(r.Suite("private")); got != "accepted,time_limit" {
		t.Errorf("private: %s", got)
	}
	if f.sessions != 3 || f.calls != 7 {
		t.Errorf("%d sessions, %d calls; want 3 and 7", f.sessions, f.calls)
	}
}

// A call stopped by the wall clock while computing, with CPU time left
// (a loaded machine), runs again with more wall clock in a new session;
// one that sleeps does not.
func TestCallsStarvedRunAgain(t *testing.T) {
	p := &dataset.Problem{ID: "f", Mode: dataset.ModeFunction, EntryPoint: "f",
		Public: []dataset.Test{{Input: "[1]", Output: "2"}, {Input: "[-3]", Output: "6"}, {Input: "[-4]", Output: "0"}, {Input: "[4]", Output: "8"}}}
	f := &fakeSandbox{}
	r, err := fakeJudge(t, f).Judge(context.Background(), p, Submission{Code: "x"}, PublicSuite(nil))
	if err != nil {
		t.Fatal(err)
	}
	if got := verdicts(r.Suite("public")); got != "accepted,accepted,time_limit,accepted" {
		t.Errorf("public: %s", got)
	}
	if f.sessions != 3 || f.calls != 5 {
		t.Errorf("%d sessions, %d calls; want 3 (the first, the starved call again, after the sleeper) and 5", f.sessions, f.calls)
	}
}

// A session that cannot start is tried again; one that never starts makes
// every test a sandbox error, never a verdict about the program.
func TestCallsSandboxFailure(t *testing.T) {
	p := &dataset.Problem{ID: "f", Mode: dataset.ModeFunction, EntryPoint: "f",
		Public: []dataset.Test{{Input: "[1]", Output: "2"}, {Input: "[2]", Output: "4"}}}
	f := &fakeSandbox{infraLeft: 2}
	r, err := fakeJudge(t, f).Judge(context.Background(), p, Submission{Code: "x"}, PublicSuite(nil))
	if err != nil {
		t.Fatal(err)
	}
	if got := verdicts(&r.Suites[0]); got != "accepted,accepted" {
		t.Errorf("after two failed starts: %s", got)
	}
	f = &fakeSandbox{infraLeft: 100}
	r, err = fakeJudge(t, f).Judge(context.Background(), p, Submission{Code: "x"}, PublicSuite(nil))
	if err != nil {
		t.Fatal(err)
	}
	if got := verdicts(&r.Suites[0]); got != "sandbox_error,sandbox_error" {
		t.Errorf("no session: %s", got)
	}
}

// EvalPlus's suite budget: tests after it is used up are time-outs.
func TestCallsSuiteBudget(t *testing.T) {
	var tests []dataset.Test
	for i := 0; i < 6; i++ {
		tests = append(tests, dataset.Test{Input: "[-1]", Output: "0"})
	}
	p := &dataset.Problem{ID: "f", Mode: dataset.ModeFunction, EntryPoint: "f", Public: tests, TimeLimit: 4 * time.Second,
		Judging: dataset.Judging{Grader: dataset.GraderEvalPlus}}
	f := &fakeSandbox{}
	j := fakeJudge(t, f)
	j.opts.EvalPlus.SuiteTimeLimit = 9 * time.Second // the tests' limit is 4 s: two and a quarter fit
	r, err := j.Judge(context.Background(), p, Submission{Code: "x"}, PublicSuite(nil))
	if err != nil {
		t.Fatal(err)
	}
	s := r.Suites[0]
	if got := verdicts(&s); got != "time_limit,time_limit,time_limit,time_limit,time_limit,time_limit" || f.calls != 3 {
		t.Errorf("%s after %d calls", got, f.calls)
	}
	if !strings.Contains(s.Tests[5].Message, "budget") {
		t.Errorf("last test: %+v", s.Tests[5])
	}
}
