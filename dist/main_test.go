package dist

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/rlef/rlef/dataset"
	"github.com/rlef/rlef/judge"
	"github.com/rlef/rlef/sandbox"
)

// The fault tests run workers as separate processes (this test binary
// executed again), so that SIGKILL is real. These variables configure
// such a process.
const (
	envWorkerURL   = "RLEF_DIST_TEST_WORKER"
	envWorkerFault = "RLEF_DIST_TEST_FAULT" // "": a real pool; "infra": every attempt fails like a broken sandbox; "die": the process dies on its first job
	envWorkerName  = "RLEF_DIST_TEST_NAME"
	envWorkerDir   = "RLEF_DIST_TEST_DIR"
)

func TestMain(m *testing.M) {
	if url := os.Getenv(envWorkerURL); url != "" {
		os.Exit(workerProcess(url))
	}
	code := m.Run()
	closeShared()
	os.Exit(code)
}

func testLogger() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// workerProcess is a worker process's main.
func workerProcess(url string) int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	log := testLogger()
	nc, err := Connect(ConnectConfig{URL: url, Name: "test-worker", Logger: log})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	defer nc.Close()
	c, err := Open(ctx, nc, Config{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	var ex Executor = faultyExecutor{die: os.Getenv(envWorkerFault) == "die"}
	if os.Getenv(envWorkerFault) == "" {
		dir := os.Getenv(envWorkerDir)
		pool, err := sandbox.NewPool(ctx, sandbox.Config{Slots: 1, CacheDir: dir, Logger: log})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
		defer pool.Close()
		ex = NewPoolExecutor(pool, judge.Options{CacheDir: dir, Logger: log})
	}
	w, err := NewWorker(c, WorkerConfig{Executor: ex, Name: os.Getenv(envWorkerName), Concurrency: 2, Logger: log, Grace: 5 * time.Second})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	if err := w.Run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// faultyExecutor fails every job the way a broken sandbox does, or kills
// its process on the first job (a job that crashes its worker).
type faultyExecutor struct{ die bool }

func (faultyExecutor) Slots() int        { return 1 }
func (faultyExecutor) Isolation() string { return "broken" }
func (faultyExecutor) Judge(ctx context.Context, _ judge.Options, p *dataset.Problem, _ judge.Submission, suites ...judge.Suite) (*judge.Result, error) {
	return infraResult(p, suites), nil
}
func (f faultyExecutor) Execute(context.Context, RunRequest) (*Execution, error) {
	if f.die {
		os.Exit(3)
	}
	return nil, &sandbox.InfraError{Err: errors.New("injected sandbox failure")}
}
func (faultyExecutor) Parse(context.Context, string) (string, error) {
	return "", &sandbox.InfraError{Err: errors.New("injected sandbox failure")}
}

// needSandbox fails under CI=true and skips elsewhere when no sandbox
// can start here.
func needSandbox(t testing.TB) {
	t.Helper()
	sharedOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		if sharedDir, sharedErr = os.MkdirTemp("", "rlef-dist-test-"); sharedErr != nil {
			return
		}
		sharedPool, sharedErr = sandbox.NewPool(ctx, sandbox.Config{Slots: 1, CacheDir: sharedDir, Logger: testLogger()})
	})
	if sharedErr != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI=true and no sandbox can start: %v", sharedErr)
		}
		t.Skipf("no sandbox: %v", sharedErr)
	}
}

var (
	sharedOnce sync.Once
	sharedPool *sandbox.Pool
	sharedErr  error
	sharedDir  string
)

func closeShared() {
	if sharedPool != nil {
		sharedPool.Close()
	}
	if sharedDir != "" {
		os.RemoveAll(sharedDir)
	}
}

// testServer is an embedded NATS server on a fixed loopback port with a
// store directory, so it can be stopped and started again.
type testServer struct {
	t    testing.TB
	dir  string
	addr string
	srv  *Server
}

func newTestServer(t testing.TB) *testServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ts := &testServer{t: t, dir: t.TempDir(), addr: addr}
	ts.start()
	t.Cleanup(ts.stop)
	return ts
}

func (ts *testServer) start() {
	ts.t.Helper()
	srv, err := StartServer(ServerConfig{Listen: ts.addr, StoreDir: ts.dir, Logger: testLogger()})
	if err != nil {
		ts.t.Fatal(err)
	}
	ts.srv = srv
}

func (ts *testServer) stop() {
	if ts.srv != nil {
		ts.srv.Shutdown()
		ts.srv = nil
	}
}

func (ts *testServer) url() string { return "nats://" + ts.addr }

// connect opens the cluster with a short AckWait (the first to open it
// decides) and a client on it.
func (ts *testServer) connect(t testing.TB, cfg Config) (*Cluster, *Client) {
	t.Helper()
	nc, err := Connect(ConnectConfig{URL: ts.url(), Name: "test", Logger: testLogger()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := Open(ctx, nc, cfg)
	if err != nil {
		t.Fatal(err)
	}
	cl, err := NewClient(ctx, c, ClientOptions{Logger: testLogger()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return c, cl
}

// workerProc is a worker running as a separate process.
type workerProc struct {
	name string
	cmd  *exec.Cmd
	out  *bytes.Buffer
	done chan struct{}
}

// startWorker starts a worker process and waits for its first heartbeat.
func startWorker(t *testing.T, c *Cluster, url, name, fault string) *workerProc {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), envWorkerURL+"="+url, envWorkerName+"="+name, envWorkerFault+"="+fault, envWorkerDir+"="+sharedDir)
	wp := &workerProc{name: name, cmd: cmd, out: &bytes.Buffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = &lockedWriter{w: wp.out}, &lockedWriter{w: wp.out}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = cmd.Wait(); close(wp.done) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-wp.done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-wp.done
		}
		if t.Failed() {
			t.Logf("worker %s output:\n%s", name, wp.out)
		}
	})
	waitFor(t, 60*time.Second, "worker "+name+" heartbeat", func() bool { return workerInfo(t, c, name) != nil })
	return wp
}

// kill sends SIGKILL and waits for the process to be gone.
func (wp *workerProc) kill(t *testing.T) {
	t.Helper()
	if err := wp.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-wp.done
}

type lockedWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// workerInfo returns the heartbeat of the live worker whose id starts
// with name, or nil.
func workerInfo(t testing.TB, c *Cluster, name string) *WorkerInfo {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	st, err := Status(ctx, c)
	if err != nil {
		return nil
	}
	for _, w := range st.Workers {
		if len(w.ID) > len(name) && w.ID[:len(name)+1] == name+"-" {
			return &w
		}
	}
	return nil
}

func waitFor(t testing.TB, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", limit, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// program returns a Python program that sleeps and prints its tag.
func program(tag int, sleep time.Duration) string {
	return fmt.Sprintf("import time\ntime.sleep(%g)\nprint(%d)\n", sleep.Seconds(), tag)
}

func runRequest(tag int, sleep time.Duration) RunRequest {
	return RunRequest{Language: sandbox.Python, Code: program(tag, sleep), Input: sandbox.Input{Limits: sandbox.Limits{
		WallTime: 20 * time.Second, CPUTime: 10 * time.Second, Memory: 256 << 20, Processes: 16, Output: 1 << 20}}}
}

// outcome is one job's answer in a fault test.
type outcome struct {
	tag int
	res *result
	err error
}

// runJobs submits n sleeping programs at once and collects their
// answers; started is closed once every job is published.
func runJobs(ctx context.Context, cl *Client, n int, sleep time.Duration) []outcome {
	out := make([]outcome, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := cl.submit(ctx, KindRun, ptr(runRequest(i, sleep)))
			out[i] = outcome{tag: i, res: r, err: err}
		}()
	}
	wg.Wait()
	return out
}

func ptr[T any](v T) *T { return &v }

// checkOutcomes requires every job answered with its own output.
func checkOutcomes(t *testing.T, out []outcome) {
	t.Helper()
	for _, o := range out {
		switch {
		case o.err != nil:
			t.Errorf("job %d: %v", o.tag, o.err)
		case o.res.ErrKind != "" || o.res.Run == nil || o.res.Run.Run == nil:
			t.Errorf("job %d: no run: %+v", o.tag, o.res)
		case string(o.res.Run.Run.Stdout) != strconv.Itoa(o.tag)+"\n":
			t.Errorf("job %d: stdout %q (status %s), want %d", o.tag, o.res.Run.Run.Stdout, o.res.Run.Run.Status, o.tag)
		}
	}
}

// resultCount counts results recorded for a client's jobs, reading the
// whole bucket stream (every revision) so that a second record of a job
// would show.
func resultCount(t *testing.T, c *Cluster, clientID string) map[string]int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	w, err := c.results.Watch(ctx, clientID+".*", jetstream.IncludeHistory())
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	counts := map[string]int{}
	for e := range w.Updates() {
		if e == nil {
			break
		}
		counts[e.Key()]++
	}
	return counts
}
