package dist

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/rlef/rlef/dataset"
	"github.com/rlef/rlef/internal/shareddata"
	"github.com/rlef/rlef/judge"
	"github.com/rlef/rlef/sandbox"
	"github.com/rlef/rlef/verdict"
)

// startLocalWorker runs a worker in this process until the test ends.
func startLocalWorker(t *testing.T, c *Cluster, ex Executor, name string) *Worker {
	t.Helper()
	w, err := NewWorker(c, WorkerConfig{Executor: ex, Name: name, Logger: testLogger(), Grace: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("worker: %v", err)
		}
	})
	waitFor(t, 10*time.Second, "worker heartbeat", func() bool { return workerInfo(t, c, name) != nil })
	return w
}

// echoExecutor answers runs with their code as stdout, without a sandbox.
type echoExecutor struct{}

func (echoExecutor) Slots() int        { return 4 }
func (echoExecutor) Isolation() string { return "none" }
func (echoExecutor) Judge(ctx context.Context, _ judge.Options, p *dataset.Problem, _ judge.Submission, suites ...judge.Suite) (*judge.Result, error) {
	return nil, errors.New("echo executor does not judge")
}
func (echoExecutor) Execute(_ context.Context, req RunRequest) (*Execution, error) {
	return &Execution{Run: &sandbox.Result{Status: verdict.OK, Stdout: []byte(req.Code)}}, nil
}
func (echoExecutor) Parse(_ context.Context, text string) (string, error) { return text, nil }

// Judgings, runs and code extraction through the cluster give what the
// same calls give in this process.
func TestClusterMatchesLocal(t *testing.T) {
	needSandbox(t)
	ts := newTestServer(t)
	c, cl := ts.connect(t, Config{})
	local := NewPoolExecutor(sharedPool, judge.Options{CacheDir: sharedDir, Logger: testLogger()})
	startLocalWorker(t, c, local, "local")
	set, err := dataset.LoadBuiltin()
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	p, _ := set.Lookup("builtin/lanterns")
	for _, code := range []string{"print(9)\n", "import sys\nsys.exit(3)\n", "def (\n"} {
		want, err := local.Judge(ctx, judge.Options{}, p, judge.Submission{Code: code})
		if err != nil {
			t.Fatal(err)
		}
		got, err := cl.Judge(ctx, p, judge.Submission{Code: code})
		if err != nil {
			t.Fatal(err)
		}
		if g, w := summary(got), summary(want); g != w {
			t.Errorf("%q: cluster %s, local %s", code, g, w)
		}
	}
	if shareddata.Dir() != "" {
		// A HumanEval+ problem: hundreds of tests, expected values from
		// the reference solution, the problem shipped once by hash.
		plus, err := dataset.Load(ctx, "humaneval+", dataset.LoadOptions{Path: shareddata.Path(t, "evalplus", "HumanEvalPlus.jsonl.gz")})
		if err != nil {
			t.Fatal(err)
		}
		hp, _ := plus.Lookup("HumanEval/0")
		suites := []judge.Suite{judge.PublicSuite(plus), judge.PrivateSuite(plus)}
		for _, code := range []string{hp.Solutions[0].Code, hp.StarterCode + "    return False\n"} {
			want, err := local.Judge(ctx, judge.Options{}, hp, judge.Submission{Code: code}, suites...)
			if err != nil {
				t.Fatal(err)
			}
			got, err := cl.Judge(ctx, hp, judge.Submission{Code: code}, suites...)
			if err != nil {
				t.Fatal(err)
			}
			if g, w := summary(got), summary(want); g != w {
				t.Errorf("HumanEval/0: cluster %s, local %s", g, w)
			}
		}
	}
	if _, err := cl.Judge(ctx, p, judge.Submission{Language: "cobol", Code: "x"}); !errors.Is(err, judge.ErrUnsupported) {
		t.Errorf("unsupported language: %v", err)
	}
	r, err := cl.Exec(ctx, sandbox.Python, "print(input()[::-1])", sandbox.Input{Stdin: []byte("abc\n"), Limits: sandbox.DefaultLimits()})
	if err != nil || r.Status != verdict.OK || string(r.Stdout) != "cba\n" {
		t.Errorf("exec: %+v %v", r, err)
	}
	if _, err := cl.Exec(ctx, sandbox.Python, "print(1)", sandbox.Input{Limits: sandbox.Limits{WallTime: time.Hour}}); !errors.Is(err, sandbox.ErrInvalid) {
		t.Errorf("invalid limits: %v", err)
	}
	code, err := cl.Parse(ctx, "Here:\nx = 1\nprint(x)\nthat is all")
	if err != nil || !strings.Contains(code, "print(x)") {
		t.Errorf("parse: %q %v", code, err)
	}
	tasks := []judge.Task{{Problem: p, Submission: judge.Submission{Code: "print(9)"}}, {Problem: p, Submission: judge.Submission{Code: "print(8)"}}}
	seen := map[int]bool{}
	if err := cl.Batch(ctx, tasks, 0, func(i int, r *judge.Result, err error) error {
		if err != nil || r.Passed() {
			t.Errorf("batch %d: %v %v", i, r, err)
		}
		seen[i] = true
		return nil
	}); err != nil || len(seen) != 2 {
		t.Errorf("batch: %v, %d done", err, len(seen))
	}
}

// summary renders what a judgement decides.
func summary(r *judge.Result) string {
	var b strings.Builder
	b.WriteString(r.ProblemID)
	if r.Compile != nil {
		b.WriteString(" compile " + string(r.Compile.Verdict))
	}
	for _, s := range r.Suites {
		b.WriteString(" " + s.Name + ":" + string(s.Verdict))
		for _, t := range s.Tests {
			b.WriteString(" " + string(t.Verdict) + "=" + t.Actual)
		}
		if s.FirstFailure != nil {
			b.WriteString(" first=" + string(s.FirstFailure.Verdict))
		}
	}
	return b.String()
}

// A full queue refuses a job on arrival; the jobs it accepted are all
// answered once a worker comes.
func TestQueueFullRefusesOnArrival(t *testing.T) {
	ts := newTestServer(t)
	c, cl := ts.connect(t, Config{MaxQueued: 2})
	ctx := t.Context()
	var wg sync.WaitGroup
	answers := make([]string, 2)
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := cl.Exec(ctx, sandbox.Python, []string{"a", "b"}[i], sandbox.Input{})
			if err != nil {
				t.Errorf("accepted job %d: %v", i, err)
				return
			}
			answers[i] = string(r.Stdout)
		}()
	}
	waitFor(t, 10*time.Second, "two queued jobs", func() bool {
		st, err := Status(ctx, c)
		return err == nil && st.Queued == 2
	})
	if _, err := cl.Exec(ctx, sandbox.Python, "c", sandbox.Input{}); !errors.Is(err, ErrBusy) {
		t.Fatalf("third job: %v, want ErrBusy", err)
	}
	startLocalWorker(t, c, echoExecutor{}, "echo")
	wg.Wait()
	if answers[0] != "a" || answers[1] != "b" {
		t.Errorf("answers %q", answers)
	}
}

// A result is recorded once: a second answer to the same job is dropped
// and does not change the first.
func TestResultRecordedOnce(t *testing.T) {
	ts := newTestServer(t)
	c, _ := ts.connect(t, Config{})
	w, err := NewWorker(c, WorkerConfig{Executor: echoExecutor{}, Logger: testLogger()})
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	for _, stdout := range []string{"first", "late duplicate"} {
		res := &result{Kind: KindRun, Run: &Execution{Run: &sandbox.Result{Stdout: []byte(stdout)}}}
		w.answer(ctx, nopMsg{}, "job.1", res)
	}
	e, err := c.results.Get(ctx, "job.1")
	if err != nil {
		t.Fatal(err)
	}
	r, err := decodeResult(e.Value())
	if err != nil || string(r.Run.Run.Stdout) != "first" || e.Revision() != 1 {
		t.Errorf("recorded %+v (revision %d), %v", r, e.Revision(), err)
	}
	if w.done.Load() != 1 || w.dups.Load() != 1 {
		t.Errorf("done %d, duplicates %d", w.done.Load(), w.dups.Load())
	}
}

// nopMsg stands for a delivered job whose acknowledgements go nowhere.
type nopMsg struct{}

func (nopMsg) Metadata() (*jetstream.MsgMetadata, error) {
	return &jetstream.MsgMetadata{NumDelivered: 1}, nil
}
func (nopMsg) Data() []byte                     { return nil }
func (nopMsg) Headers() nats.Header             { return nil }
func (nopMsg) Subject() string                  { return SubjectJobs + "." + KindRun }
func (nopMsg) Reply() string                    { return "" }
func (nopMsg) Ack() error                       { return nil }
func (nopMsg) DoubleAck(context.Context) error  { return nil }
func (nopMsg) Nak() error                       { return nil }
func (nopMsg) NakWithDelay(time.Duration) error { return nil }
func (nopMsg) InProgress() error                { return nil }
func (nopMsg) Term() error                      { return nil }
func (nopMsg) TermWithReason(string) error      { return nil }

// Jobs and results larger than a message travel through the object
// store, and their blobs are deleted once the answer is in.
func TestLargePayloads(t *testing.T) {
	srv, err := StartServer(ServerConfig{Listen: "127.0.0.1:0", StoreDir: t.TempDir(), MaxPayload: 1 << 20, Logger: testLogger()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Shutdown) // after the worker and the client are gone
	ts := &testServer{t: t, addr: srv.Addr().String(), srv: srv}
	c, cl := ts.connect(t, Config{})
	startLocalWorker(t, c, echoExecutor{}, "echo")
	big := make([]byte, 3<<20)
	if _, err := rand.Read(big); err != nil {
		t.Fatal(err)
	}
	code := hex.EncodeToString(big) // 6 MiB, barely compressible
	start := time.Now()
	r, err := cl.Exec(t.Context(), sandbox.Python, code, sandbox.Input{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d bytes there and back in %s", len(code), time.Since(start))
	if string(r.Stdout) != code {
		t.Fatalf("%d bytes back, want the %d sent", len(r.Stdout), len(code))
	}
	waitFor(t, 5*time.Second, "blobs deleted", func() bool {
		lister, err := c.objects.List(t.Context())
		if errors.Is(err, jetstream.ErrNoObjectsFound) {
			return true
		}
		return err == nil && len(lister) == 0
	})
}
