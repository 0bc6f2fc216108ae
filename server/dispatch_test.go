package server

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rlef/rlef/dist"
	"github.com/rlef/rlef/judge"
)

// A dist.Client is what the server dispatches to.
var _ Dispatcher = (*dist.Client)(nil)

// dispatchServer serves through a cluster on an embedded NATS server; the
// returned function starts a worker on the shared pool.
func dispatchServer(t *testing.T, edit func(*Config)) (*Server, string, func()) {
	t.Helper()
	pool, _, _ := testPool(t)
	srv, err := dist.StartServer(dist.ServerConfig{Listen: "127.0.0.1:0", StoreDir: t.TempDir(), Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Shutdown)
	nc, err := dist.Connect(dist.ConnectConfig{Server: srv, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	c, err := dist.Open(t.Context(), nc, dist.Config{})
	if err != nil {
		t.Fatal(err)
	}
	cl, err := dist.NewClient(t.Context(), c, dist.ClientOptions{Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	s, ts := newTestServer(t, func(cfg *Config) {
		cfg.Pool, cfg.Judge, cfg.Dispatch, cfg.EpisodeJS = nil, nil, cl, c.JetStream()
		if edit != nil {
			edit(cfg)
		}
	})
	startWorker := func() {
		w, err := dist.NewWorker(c, dist.WorkerConfig{Logger: quietLogger(), Concurrency: 1,
			Executor: dist.NewPoolExecutor(pool, judge.Options{CacheDir: sharedDir, Logger: quietLogger()})})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { defer close(done); _ = w.Run(ctx) }()
		t.Cleanup(func() { cancel(); <-done })
		waitFor(t, "the worker's heartbeat", func() bool { return cl.Capacity() > 0 })
	}
	return s, ts.URL, startWorker
}

// Every endpoint through the cluster: /run_code, /get_reward and an
// episode give what they give in one process.
func TestDispatchEndpoints(t *testing.T) {
	_, url, startWorker := dispatchServer(t, nil)
	startWorker()
	r := runCode(t, url, map[string]any{"code": "print(input()[::-1])", "language": "python", "stdin": "abc"})
	if r.Status != "Success" || deref(r.RunResult.Stdout) != "cba\n" {
		t.Errorf("run_code: %+v", r)
	}
	r = runCode(t, url, map[string]any{"code": "int main() { return }", "language": "cpp"})
	if r.Status != "Failed" || r.CompileResult == nil || r.RunResult != nil {
		t.Errorf("run_code, compile error: %+v", r)
	}
	ref := fenced(readFile(t, "../dataset/builtin/lanterns/reference.py"))
	code, body := post(t, url+"/get_reward", map[string]any{"query": []string{ref, "```python\nprint(1)\n```"}, "labels": []string{"builtin/lanterns", "builtin/lanterns"}})
	if code != 200 || !strings.Contains(string(body), `"scores":[1.0,0.0]`) {
		t.Errorf("get_reward: %d %s", code, body)
	}
	ep := createEpisode(t, url, map[string]any{"problem": "builtin/lanterns", "extraction": "longest_parseable"})
	if s := step(t, url, ep.EpisodeID, "Here it is:\n"+readFile(t, "../dataset/builtin/lanterns/reference.py")); !s.Done || !s.Passed {
		t.Errorf("episode: %+v", s)
	}
}

// All workers busy, or none there yet: a request is refused with 504 on
// arrival or answered in full, never cut short with a wrong answer.
func TestDispatchBackpressure(t *testing.T) {
	s, url, startWorker := dispatchServer(t, func(c *Config) {
		c.RunQueue = QueueConfig{MaxWaiting: 4, MaxWait: 300 * time.Millisecond}
	})
	// No worker yet: the request is admitted and waits for one.
	first := make(chan sfResponse, 1)
	go func() { first <- runCode(t, url, map[string]any{"code": "print('first')", "language": "python"}) }()
	waitFor(t, "a waiting request", func() bool { return s.runQ.waitingNow() == 1 })
	time.Sleep(300 * time.Millisecond)
	startWorker()
	if r := <-first; r.Status != "Success" || deref(r.RunResult.Stdout) != "first\n" {
		t.Fatalf("the request that waited for a worker: %+v", r)
	}
	// Jobs hold the cluster's one place for a second.
	s.runQ.mu.Lock()
	s.runQ.service = time.Second
	s.runQ.mu.Unlock()
	slow := make(chan sfResponse, 1)
	go func() {
		slow <- runCode(t, url, map[string]any{"code": "import time\ntime.sleep(1.5)\nprint('slow')", "language": "python"})
	}()
	waitFor(t, "the slow job", func() bool { return len(s.runQ.tickets) == 1 })
	code, body := post(t, url+"/run_code", map[string]any{"code": "print('fast')", "language": "python"})
	if code != http.StatusGatewayTimeout || !strings.Contains(string(body), "expected wait") {
		t.Errorf("HTTP %d, want 504 on arrival: %s", code, body)
	}
	if r := <-slow; r.Status != "Success" || deref(r.RunResult.Stdout) != "slow\n" {
		t.Errorf("slow job: %+v", r)
	}
}
