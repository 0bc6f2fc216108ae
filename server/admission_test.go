package server

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"
)

func TestAdmission(t *testing.T) {
	a := newAdmission("test", QueueConfig{Concurrency: 1, MaxWaiting: 1, MaxWait: 300 * time.Millisecond}, newMetrics(nil))
	ctx := context.Background()
	release, err := a.acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// A second job waits; a third finds the queue full at once.
	waited := make(chan error, 1)
	go func() {
		rel, err := a.acquire(ctx)
		if err == nil {
			rel()
		}
		waited <- err
	}()
	deadline := time.Now().Add(time.Second)
	for a.waitingNow() != 1 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if _, err := a.acquire(ctx); !errors.Is(err, ErrQueueFull) {
		t.Fatalf("third job: %v, want ErrQueueFull", err)
	}
	// The waiting job times out: the running one holds its ticket.
	if err := <-waited; !errors.Is(err, ErrQueueTimeout) {
		t.Fatalf("waiting job: %v, want ErrQueueTimeout", err)
	}
	// Once the ticket is released, a waiting job starts.
	go func() {
		rel, err := a.acquire(ctx)
		if err == nil {
			rel()
		}
		waited <- err
	}()
	time.Sleep(50 * time.Millisecond)
	release()
	if err := <-waited; err != nil {
		t.Fatalf("job after release: %v", err)
	}
	// A cancelled caller leaves the queue.
	release, _ = a.acquire(ctx)
	defer release()
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := a.acquire(cctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}
	if a.waitingNow() != 0 {
		t.Errorf("%d still waiting", a.waitingNow())
	}
}

// A /run_code request that cannot start within the wait bound gets 504,
// which verl retries; it is not executed.
func TestRunCode504(t *testing.T) {
	_, ts := newTestServer(t, func(c *Config) {
		c.RunQueue = QueueConfig{Concurrency: 1, MaxWaiting: 4, MaxWait: 300 * time.Millisecond}
	})
	var wg sync.WaitGroup
	wg.Add(1)
	var slow sfResponse
	go func() {
		defer wg.Done()
		slow = runCode(t, ts.URL, map[string]any{"code": "import time\ntime.sleep(2)\nprint('slow')", "language": "python"})
	}()
	time.Sleep(500 * time.Millisecond) // the slow job holds the only ticket
	start := time.Now()
	code, body := post(t, ts.URL+"/run_code", map[string]any{"code": "print('fast')", "language": "python"})
	if code != http.StatusGatewayTimeout {
		t.Fatalf("HTTP %d, want 504: %s", code, body)
	}
	if d := time.Since(start); d < 250*time.Millisecond || d > 1500*time.Millisecond {
		t.Errorf("504 after %s, want about the 300ms wait bound", d)
	}
	wg.Wait()
	if slow.Status != "Success" || deref(slow.RunResult.Stdout) != "slow\n" {
		t.Errorf("slow job: %+v", slow)
	}
	// With the ticket free again, the same request runs.
	if r := runCode(t, ts.URL, map[string]any{"code": "print('fast')", "language": "python"}); r.Status != "Success" {
		t.Errorf("after the slow job: %+v", r)
	}
}
