package llm

import (
	"context"
	"sync"
	"testing"
	"time"
)

func TestLimiterAIMD(t *testing.T) {
	l := NewLimiter(8)
	ctx := context.Background()
	if l.Limit() != 8 {
		t.Fatalf("start limit %d, want 8", l.Limit())
	}
	// Two overloads from the same window halve once.
	a, _ := l.Acquire(ctx)
	b, _ := l.Acquire(ctx)
	a.Release(Overload)
	b.Release(Overload)
	if got := l.Limit(); got != 4 {
		t.Fatalf("after 2 overloads in one window: limit %d, want 4", got)
	}
	// A request started after the decrease can halve again.
	c, _ := l.Acquire(ctx)
	c.Release(Overload)
	if got := l.Limit(); got != 2 {
		t.Fatalf("after overload in the next window: limit %d, want 2", got)
	}
	// Never below 1.
	for range 5 {
		p, _ := l.Acquire(ctx)
		p.Release(Overload)
	}
	if got := l.Limit(); got != 1 {
		t.Fatalf("floor: limit %d, want 1", got)
	}
	// Successes creep back up to the max and no further.
	for range 200 {
		p, _ := l.Acquire(ctx)
		p.Release(Success)
	}
	if got := l.Limit(); got != 8 {
		t.Fatalf("after successes: limit %d, want 8", got)
	}
	// Failed leaves the window alone; Release is idempotent.
	p, _ := l.Acquire(ctx)
	p.Release(Failed)
	p.Release(Overload)
	if got, in := l.Limit(), l.InFlight(); got != 8 || in != 0 {
		t.Fatalf("limit %d in flight %d, want 8, 0", got, in)
	}
}

func TestLimiterBlocksAndWakesFIFO(t *testing.T) {
	l := NewLimiter(1)
	ctx := context.Background()
	first, _ := l.Acquire(ctx)
	order := make(chan int, 3)
	var wg sync.WaitGroup
	for i := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p, err := l.Acquire(ctx)
			if err != nil {
				t.Error(err)
				return
			}
			order <- i
			p.Release(Success)
		}()
		// Let goroutine i queue before i+1.
		for deadline := time.Now().Add(time.Second); ; {
			l.mu.Lock()
			n := len(l.waiters)
			l.mu.Unlock()
			if n == i+1 || time.Now().After(deadline) {
				break
			}
			time.Sleep(time.Millisecond)
		}
	}
	if got := l.InFlight(); got != 1 {
		t.Fatalf("in flight %d, want 1", got)
	}
	first.Release(Success)
	wg.Wait()
	close(order)
	want := 0
	for got := range order {
		if got != want {
			t.Errorf("woken %d, want %d", got, want)
		}
		want++
	}
}

func TestLimiterCancel(t *testing.T) {
	l := NewLimiter(1)
	held, _ := l.Acquire(context.Background())
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if _, err := l.Acquire(ctx); err == nil {
		t.Fatal("Acquire on a full limiter returned without error after ctx ended")
	}
	held.Release(Success)
	if got := l.InFlight(); got != 0 {
		t.Fatalf("in flight %d after cancel and release, want 0", got)
	}
	// The cancelled waiter must not hold a slot.
	p, err := l.Acquire(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	p.Release(Success)
}

// TestLimiterStress checks that the window is never exceeded under
// concurrent use with cancellations.
func TestLimiterStress(t *testing.T) {
	l := NewLimiter(4)
	var mu sync.Mutex
	cur, peak := 0, 0
	var wg sync.WaitGroup
	for i := range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), time.Duration(i%7)*time.Millisecond)
			defer cancel()
			p, err := l.Acquire(ctx)
			if err != nil {
				return
			}
			mu.Lock()
			cur++
			peak = max(peak, cur)
			mu.Unlock()
			time.Sleep(100 * time.Microsecond)
			mu.Lock()
			cur--
			mu.Unlock()
			p.Release(Success)
		}()
	}
	wg.Wait()
	if peak > 4 {
		t.Errorf("peak %d in flight, limit 4", peak)
	}
	if l.InFlight() != 0 {
		t.Errorf("in flight %d at the end", l.InFlight())
	}
}
