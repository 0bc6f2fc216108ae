package dist

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rlef/rlef/judge"
	"github.com/rlef/rlef/sandbox"
)

// benchRequest is a small Python program run: what /run_code sends most.
func benchRequest() RunRequest {
	return RunRequest{Language: sandbox.Python, Code: "import sys\nprint(sys.stdin.readline().strip())\n",
		Input: sandbox.Input{Stdin: []byte("hello\n"), Limits: sandbox.DefaultLimits()}}
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

// The per-job cost of JetStream dispatch: the same program run in this
// process and through the cluster (one worker in this process, on the
// same pool), alternately, so that both see the same machine. Reported:
// the medians of each and of the paired differences, and the round trip
// of a job whose worker does no work at all.
//
//	go test ./dist -run '^$' -bench DispatchOverhead -benchtime 200x
func BenchmarkDispatchOverhead(b *testing.B) {
	needSandbox(b)
	ts := newTestServer(b)
	c, cl := ts.connect(b, Config{})
	local := NewPoolExecutor(sharedPool, judge.Options{CacheDir: sharedDir, Logger: testLogger()})
	startBenchWorker(b, c, local, "bench")
	ctx := b.Context()
	req := benchRequest()
	for range 5 { // warm both paths
		if _, err := local.Execute(ctx, req); err != nil {
			b.Fatal(err)
		}
		if _, err := cl.Execute(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
	var inproc, dispatched, diff []time.Duration
	for b.Loop() {
		t0 := time.Now()
		if _, err := local.Execute(ctx, req); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if _, err := cl.Execute(ctx, req); err != nil {
			b.Fatal(err)
		}
		t2 := time.Now()
		inproc, dispatched = append(inproc, t1.Sub(t0)), append(dispatched, t2.Sub(t1))
		diff = append(diff, t2.Sub(t1)-t1.Sub(t0))
	}
	b.ReportMetric(ms(median(inproc)), "inprocess-p50-ms")
	b.ReportMetric(ms(median(dispatched)), "jetstream-p50-ms")
	b.ReportMetric(ms(median(diff)), "overhead-p50-ms")
}

// The round trip of a job through JetStream to a worker that does no
// work: the dispatch cost alone.
//
//	go test ./dist -run '^$' -bench DispatchRoundTrip -benchtime 2000x
func BenchmarkDispatchRoundTrip(b *testing.B) {
	ts := newTestServer(b)
	c, cl := ts.connect(b, Config{})
	startBenchWorker(b, c, echoExecutor{}, "echo")
	ctx := b.Context()
	req := benchRequest()
	var lat []time.Duration
	for b.Loop() {
		t0 := time.Now()
		if _, err := cl.Execute(ctx, req); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	b.ReportMetric(ms(median(lat)), "p50-ms")
}

// Jobs per second with 1, 2 and 3 workers in this process, each with a
// one-slot pool of its own, against the same pools used directly.
//
//	go test ./dist -run '^$' -bench Throughput -benchtime 300x
func BenchmarkThroughput(b *testing.B) {
	needSandbox(b)
	var pools []*sandbox.Pool
	for range 3 {
		p, err := sandbox.NewPool(b.Context(), sandbox.Config{Slots: 1, CacheDir: sharedDir, Logger: testLogger()})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { p.Close() })
		pools = append(pools, p)
	}
	for n := 1; n <= 3; n++ {
		b.Run(fmt.Sprintf("inprocess/slots=%d", n), func(b *testing.B) {
			var next atomic.Int64
			execs := make([]*PoolExecutor, n)
			for i := range n {
				execs[i] = NewPoolExecutor(pools[i], judge.Options{})
			}
			throughput(b, 2*n, func(ctx context.Context) error {
				_, err := execs[next.Add(1)%int64(n)].Execute(ctx, benchRequest())
				return err
			})
		})
		b.Run(fmt.Sprintf("jetstream/workers=%d", n), func(b *testing.B) {
			ts := newTestServer(b)
			c, cl := ts.connect(b, Config{})
			for i := range n {
				startBenchWorker(b, c, NewPoolExecutor(pools[i], judge.Options{}), fmt.Sprintf("w%d", i))
			}
			throughput(b, 2*n, func(ctx context.Context) error {
				_, err := cl.Execute(ctx, benchRequest())
				return err
			})
		})
	}
}

// throughput runs b.N jobs with the given number in flight and reports
// jobs per second.
func throughput(b *testing.B, inFlight int, job func(context.Context) error) {
	ctx := b.Context()
	var wg sync.WaitGroup
	work := make(chan struct{})
	var failed atomic.Int64
	for range inFlight {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range work {
				if err := job(ctx); err != nil {
					failed.Add(1)
				}
			}
		}()
	}
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		work <- struct{}{}
	}
	close(work)
	wg.Wait()
	elapsed := time.Since(start)
	if failed.Load() > 0 {
		b.Fatalf("%d jobs failed", failed.Load())
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "jobs/s")
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// startBenchWorker runs a worker in this process until the benchmark
// ends.
func startBenchWorker(b *testing.B, c *Cluster, ex Executor, name string) {
	w, err := NewWorker(c, WorkerConfig{Executor: ex, Name: name, Logger: testLogger(), Concurrency: 2 * ex.Slots()})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); _ = w.Run(ctx) }()
	b.Cleanup(func() { cancel(); <-done })
	waitFor(b, 10*time.Second, "worker heartbeat", func() bool { return workerInfo(b, c, name) != nil })
}
