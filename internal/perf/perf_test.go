package perf

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"
)

func TestSummarize(t *testing.T) {
	var lat []time.Duration
	for i := 1; i <= 100; i++ {
		lat = append(lat, time.Duration(i)*time.Millisecond)
	}
	s := Summarize(lat, 2, 2*time.Second)
	if s.Median != 50*time.Millisecond || s.P99 != 99*time.Millisecond || s.P90 != 90*time.Millisecond {
		t.Errorf("percentiles %v %v %v", s.Median, s.P90, s.P99)
	}
	if s.Mean != 50500*time.Microsecond || s.PerSecond != 50 {
		t.Errorf("mean %v rate %v", s.Mean, s.PerSecond)
	}
	if Summarize(nil, 1, time.Second).N != 0 {
		t.Error("empty")
	}
}

func TestRunCountsAndStopsOnError(t *testing.T) {
	var calls atomic.Int64
	s, err := Run(context.Background(), 50, 4, func(context.Context) error { calls.Add(1); return nil })
	if err != nil || s.N != 50 || calls.Load() != 50 || s.Concurrency != 4 {
		t.Fatalf("%+v %v calls=%d", s, err, calls.Load())
	}
	boom := errors.New("boom")
	calls.Store(0)
	if _, err := Run(context.Background(), 50, 1, func(context.Context) error {
		if calls.Add(1) == 3 {
			return boom
		}
		return nil
	}); !errors.Is(err, boom) || calls.Load() != 3 {
		t.Fatalf("err %v after %d calls, want boom after 3", err, calls.Load())
	}
}

func TestClientsEachUseTheirOwnOp(t *testing.T) {
	var a, b atomic.Int64
	ops := []func(context.Context) error{
		func(context.Context) error { a.Add(1); time.Sleep(time.Millisecond); return nil },
		func(context.Context) error { b.Add(1); time.Sleep(time.Millisecond); return nil },
	}
	s, err := Clients(context.Background(), 40, 0, ops)
	if err != nil || s.N != 40 || s.Concurrency != 2 || a.Load()+b.Load() != 40 || a.Load() == 0 || b.Load() == 0 {
		t.Fatalf("%+v %v a=%d b=%d", s, err, a.Load(), b.Load())
	}
	boom := errors.New("boom")
	if _, err := Clients(context.Background(), 10, time.Millisecond, ops[:1:1]); err != nil {
		t.Fatal(err)
	}
	if _, err := Clients(context.Background(), 10, 0, []func(context.Context) error{func(context.Context) error { return boom }}); !errors.Is(err, boom) {
		t.Fatalf("error %v", err)
	}
}

func TestMachineCPU(t *testing.T) {
	a, err := MachineCPU()
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(200 * time.Millisecond)
	for time.Now().Before(deadline) {
	}
	b, err := MachineCPU()
	if err != nil || b < a || a <= 0 {
		t.Fatalf("%v then %v (%v)", a, b, err)
	}
}
