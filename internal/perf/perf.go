// Package perf measures latency percentiles and throughput for rlef's
// benchmarks (`rlef bench ...` and `go test -bench`).
package perf

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Stats summarises n timed operations.
type Stats struct {
	N           int           `json:"n"`
	Concurrency int           `json:"concurrency"`
	Median      time.Duration `json:"median_ns"`
	P90         time.Duration `json:"p90_ns"`
	P99         time.Duration `json:"p99_ns"`
	Mean        time.Duration `json:"mean_ns"`
	Wall        time.Duration `json:"wall_ns"`
	// PerSecond is completed operations per second of wall time.
	PerSecond float64 `json:"per_second"`
}

// Summarize computes Stats from latencies measured over wall time.
func Summarize(lat []time.Duration, concurrency int, wall time.Duration) Stats {
	s := Stats{N: len(lat), Concurrency: concurrency, Wall: wall}
	if len(lat) == 0 {
		return s
	}
	sorted := append([]time.Duration(nil), lat...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	var sum time.Duration
	for _, d := range sorted {
		sum += d
	}
	s.Median = Percentile(sorted, 50)
	s.P90 = Percentile(sorted, 90)
	s.P99 = Percentile(sorted, 99)
	s.Mean = sum / time.Duration(len(sorted))
	if wall > 0 {
		s.PerSecond = float64(len(sorted)) / wall.Seconds()
	}
	return s
}

// Percentile returns the p-th percentile (nearest rank) of sorted values.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted))*p/100+0.5) - 1
	i = max(0, min(i, len(sorted)-1))
	return sorted[i]
}

// Run calls op n times from concurrency goroutines and measures each call.
// It stops at the first error.
func Run(ctx context.Context, n, concurrency int, op func(context.Context) error) (Stats, error) {
	ops := make([]func(context.Context) error, max(concurrency, 1))
	for i := range ops {
		ops[i] = op
	}
	return Clients(ctx, n, 0, ops)
}

// Ms formats a duration in milliseconds with two decimals.
func Ms(d time.Duration) string { return fmt.Sprintf("%.2f", float64(d)/float64(time.Millisecond)) }

// Clients runs n operations spread over len(ops) clients, each calling its
// own op (so an op need not be safe for concurrent use). With pause > 0
// every client sleeps, untimed, before each call: the latency of an
// operation that finds the system idle, as when a model's reply comes
// between runs. It stops at the first error.
func Clients(ctx context.Context, n int, pause time.Duration, ops []func(context.Context) error) (Stats, error) {
	var (
		mu       sync.Mutex
		lat      = make([]time.Duration, 0, n)
		firstErr error
		next     = make(chan struct{}, n)
		wg       sync.WaitGroup
	)
	for i := 0; i < n; i++ {
		next <- struct{}{}
	}
	close(next)
	start := time.Now()
	for _, op := range ops {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range next {
				if pause > 0 {
					select {
					case <-ctx.Done():
						return
					case <-time.After(pause):
					}
				}
				if ctx.Err() != nil {
					return
				}
				t := time.Now()
				err := op(ctx)
				d := time.Since(t)
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				lat = append(lat, d)
				stop := firstErr != nil
				mu.Unlock()
				if stop {
					return
				}
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return Stats{}, firstErr
	}
	if err := ctx.Err(); err != nil {
		return Stats{}, err
	}
	return Summarize(lat, len(ops), time.Since(start)), nil
}

// MachineCPU returns the CPU time all CPUs of the machine have spent busy
// (not idle, not waiting for I/O) since boot, from /proc/stat: measured
// around a benchmark it is the CPU its runs cost, whoever spent it
// (server, sandbox, kernel), plus whatever else the machine did.
func MachineCPU() (time.Duration, error) {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, err
	}
	line, _, _ := strings.Cut(string(data), "\n")
	f := strings.Fields(line)
	if len(f) < 8 || f[0] != "cpu" {
		return 0, fmt.Errorf("unexpected /proc/stat line %q", line)
	}
	var busy int64
	for i, v := range f[1:] {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("/proc/stat field %d: %w", i+1, err)
		}
		// user nice system idle iowait irq softirq steal guest guest_nice:
		// idle and iowait are not busy; guest time is already in user.
		if i != 3 && i != 4 && i < 8 {
			busy += n
		}
	}
	return time.Duration(busy) * time.Second / clockTicks, nil
}

// clockTicks is USER_HZ, the unit of /proc/stat: 100 on every Linux
// architecture rlef builds for.
const clockTicks = 100
