package server

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// waitFor polls cond for up to two seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestAdmission(t *testing.T) {
	a := newAdmission("test", QueueConfig{Concurrency: 1, MaxWaiting: 3, MaxWait: time.Second}, newMetrics(nil))
	ctx := context.Background()
	first, err := a.acquire(ctx, true, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Slots have been seen to hold a job for 400 ms: two waiters are
	// expected to wait 0.4 s and 0.8 s, a third 1.2 s, over the bound.
	a.mu.Lock()
	a.service = 400 * time.Millisecond
	a.mu.Unlock()
	var order []int
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i := 1; i <= 2; i++ {
		admitted := make(chan struct{})
		wg.Add(1)
		go func() {
			defer wg.Done()
			tk, err := a.acquire(ctx, true, func() { close(admitted) })
			if err != nil {
				t.Errorf("waiter %d: %v", i, err)
				return
			}
			mu.Lock()
			order = append(order, i)
			mu.Unlock()
			tk.release()
		}()
		<-admitted
		waitFor(t, "waiter", func() bool { return a.waitingNow() == i })
	}
	if _, err := a.acquire(ctx, true, nil); !errors.Is(err, ErrQueueBusy) {
		t.Fatalf("third waiter: %v, want ErrQueueBusy", err)
	}
	if err := a.check(); !errors.Is(err, ErrQueueBusy) {
		t.Errorf("check: %v, want ErrQueueBusy", err)
	}
	// A job of a request admitted already is never refused.
	wg.Add(1)
	go func() {
		defer wg.Done()
		tk, err := a.acquire(ctx, false, nil)
		if err != nil {
			t.Errorf("job of an admitted request: %v", err)
			return
		}
		mu.Lock()
		order = append(order, 3)
		mu.Unlock()
		tk.release()
	}()
	waitFor(t, "third waiter", func() bool { return a.waitingNow() == 3 })
	a.mu.Lock()
	a.service = 0
	a.mu.Unlock()
	if _, err := a.acquire(ctx, true, nil); !errors.Is(err, ErrQueueFull) {
		t.Fatalf("fourth waiter: %v, want ErrQueueFull", err)
	}
	// Waiters hold on, however long the running job takes, and start in
	// arrival order.
	time.Sleep(300 * time.Millisecond)
	first.release()
	first.release() // a second release is harmless
	wg.Wait()
	if fmt.Sprint(order) != "[1 2 3]" {
		t.Errorf("start order %v, want [1 2 3]", order)
	}
	// One job held its slot for over 300 ms, three more for a moment.
	if s := a.service; s < 100*time.Millisecond || s > 400*time.Millisecond {
		t.Errorf("mean hold time %s, want about 0.8³ × 350 ms", s)
	}
	// A cancelled waiter leaves the queue.
	first, _ = a.acquire(ctx, true, nil)
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := a.acquire(cctx, false, nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
	first.release()
	if a.waitingNow() != 0 {
		t.Errorf("%d still waiting", a.waitingNow())
	}
}

// A /run_code request admitted behind a slow job is held, not refused:
// its response is kept open with spaces before the JSON, and its program
// gets its whole time limit after the wait, which is reported.
func TestRunCodeHeld(t *testing.T) {
	_, ts := newTestServer(t, func(c *Config) {
		c.RunQueue = QueueConfig{Concurrency: 1, MaxWaiting: 4, MaxWait: time.Minute}
		c.KeepAlive = 200 * time.Millisecond
	})
	slow := make(chan sfResponse, 1)
	go func() {
		slow <- runCode(t, ts.URL, map[string]any{"code": "import time\ntime.sleep(2)\nprint('slow')", "language": "python"})
	}()
	time.Sleep(500 * time.Millisecond) // the slow job holds the only slot
	// A raw HTTP exchange, to see the keep-alive bytes.
	body := `{"code": "import time\ntime.sleep(0.8)\nprint('held')", "language": "python", "run_timeout": 1}`
	conn, err := net.Dial("tcp", strings.TrimPrefix(ts.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /run_code HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", len(body), body)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || !strings.HasPrefix(string(raw), " ") {
		t.Fatalf("HTTP %d, body %q: want 200 with keep-alive spaces first", resp.StatusCode, raw)
	}
	r := mustJSON[struct {
		sfResponse
		QueueWait float64 `json:"queue_wait_seconds"`
	}](t, raw)
	if r.Status != "Success" || deref(r.RunResult.Stdout) != "held\n" {
		t.Errorf("held request: %+v (message %q)", r.RunResult, r.Message)
	}
	if r.QueueWait < 0.5 {
		t.Errorf("queue_wait_seconds %g, want about 1.5", r.QueueWait)
	}
	if s := <-slow; s.Status != "Success" {
		t.Errorf("slow job: %+v", s)
	}
}

// A request expected to wait longer than the bound gets 504 at once,
// before any work (verl retries 504); once the queue drains it runs.
func TestRunCode504(t *testing.T) {
	s, ts := newTestServer(t, func(c *Config) {
		c.RunQueue = QueueConfig{Concurrency: 1, MaxWaiting: 4, MaxWait: 300 * time.Millisecond}
	})
	// Teach the queue that jobs hold a slot for about a second.
	runCode(t, ts.URL, map[string]any{"code": "import time\ntime.sleep(1)", "language": "python"})
	slow := make(chan sfResponse, 1)
	go func() {
		slow <- runCode(t, ts.URL, map[string]any{"code": "import time\ntime.sleep(1.5)\nprint('slow')", "language": "python"})
	}()
	waitFor(t, "the slow job", func() bool { return len(s.runQ.tickets) == 1 })
	start := time.Now()
	code, body := post(t, ts.URL+"/run_code", map[string]any{"code": "print('fast')", "language": "python"})
	if code != http.StatusGatewayTimeout || !strings.Contains(string(body), "expected wait") {
		t.Fatalf("HTTP %d, want 504: %s", code, body)
	}
	if d := time.Since(start); d > 300*time.Millisecond {
		t.Errorf("504 after %s, want it at once", d)
	}
	if r := <-slow; r.Status != "Success" || deref(r.RunResult.Stdout) != "slow\n" {
		t.Errorf("slow job: %+v", r)
	}
	if r := runCode(t, ts.URL, map[string]any{"code": "print('fast')", "language": "python"}); r.Status != "Success" {
		t.Errorf("after the slow job: %+v", r)
	}
}
