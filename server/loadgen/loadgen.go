// Package loadgen drives a SandboxFusion /run_code endpoint the way verl's
// reward workers do, to measure `rlef serve` under load: many concurrent
// clients, one request per test case, verl's exact payloads and retry
// policy (three attempts, retrying only HTTP 504, after 1 s and 2 s) and
// time-out (compile_timeout + run_timeout + 10 s for the connection and
// for each read, as Python requests applies it).
// Every response is checked against the one right answer for its request,
// so a lost, crossed or wrong response is counted, never missed.
package loadgen

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"sort"
	"sync"
	"time"

	"github.com/rlef/rlef/internal/perf"
)

// Config configures a load test.
type Config struct {
	// URL is the full /run_code URL.
	URL string
	// Clients is the number of concurrent clients (default 64, verl's
	// max_concurrent).
	Clients int
	// Duration is how long clients start new requests (default 60 s);
	// requests in flight then finish.
	Duration time.Duration
	// Token is sent as a bearer token when set.
	Token string
	// Seed makes the request mix reproducible.
	Seed uint64
	// Retry504 is the pause before each retry of a 504 (verl: 1 s, 2 s);
	// nil means verl's.
	Retry504 []time.Duration
}

// Report is the outcome of a load test.
type Report struct {
	Clients  int           `json:"clients"`
	Duration time.Duration `json:"duration_ns"`
	// Requests is the number of logical requests (test cases) finished;
	// OK those answered 200 and checked right.
	Requests int `json:"requests"`
	OK       int `json:"ok"`
	// Attempts counts HTTP requests, retries included.
	Attempts int `json:"attempts"`
	// Busy counts 504 answers (each retried, as verl does); GaveUp the
	// requests still answered 504 after the last attempt (verl scores
	// them as API errors).
	Busy   int `json:"busy_504"`
	GaveUp int `json:"gave_up"`
	// Lost counts requests with no usable answer: transport errors, other
	// HTTP statuses, bodies that are not a complete response.
	Lost int `json:"lost"`
	// Wrong counts responses that differ from the right answer.
	Wrong int `json:"wrong"`
	// ByKind counts finished requests per workload.
	ByKind map[string]int `json:"by_kind"`
	// Latency is over 200 answers (one HTTP attempt each).
	Latency perf.Stats `json:"latency"`
	// Throughput is 200 answers per second of wall time.
	Throughput float64 `json:"throughput"`
	// Problems lists the first few failures in words.
	Problems []string `json:"problems,omitempty"`
}

// Run runs the load test.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	if cfg.URL == "" {
		return nil, errors.New("loadgen: no URL")
	}
	if cfg.Clients <= 0 {
		cfg.Clients = 64
	}
	if cfg.Duration <= 0 {
		cfg.Duration = time.Minute
	}
	if cfg.Retry504 == nil {
		cfg.Retry504 = []time.Duration{time.Second, 2 * time.Second}
	}
	// verl calls requests.post without a session: a new connection per
	// request.
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true, DialContext: dialReadTimeout}}
	ws := workloads()
	var (
		mu      sync.Mutex
		rep     = &Report{Clients: cfg.Clients, ByKind: map[string]int{}}
		latency []time.Duration
	)
	note := func(format string, args ...any) {
		if len(rep.Problems) < 20 {
			rep.Problems = append(rep.Problems, fmt.Sprintf(format, args...))
		}
	}
	deadline := time.Now().Add(cfg.Duration)
	start := time.Now()
	var wg sync.WaitGroup
	for c := range cfg.Clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(cfg.Seed, uint64(c)))
			for time.Now().Before(deadline) && ctx.Err() == nil {
				w := pick(ws, rng)
				p, check := w.make(rng)
				out := call(ctx, client, cfg, p)
				mu.Lock()
				rep.Attempts += out.attempts
				rep.Busy += out.busy
				latency = append(latency, out.latencies...)
				if ctx.Err() != nil && out.err != nil {
					mu.Unlock()
					return
				}
				rep.Requests++
				rep.ByKind[w.name]++
				switch {
				case out.gaveUp:
					rep.GaveUp++
				case out.err != nil:
					rep.Lost++
					note("%s: %v", w.name, out.err)
				default:
					if err := check(out.resp); err != nil {
						rep.Wrong++
						note("%s: wrong response: %v", w.name, err)
					} else {
						rep.OK++
					}
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	rep.Duration = time.Since(start)
	rep.Latency = perf.Summarize(latency, cfg.Clients, rep.Duration)
	rep.Throughput = rep.Latency.PerSecond
	if err := ctx.Err(); err != nil {
		return rep, err
	}
	return rep, nil
}

// outcome is what one logical request came to.
type outcome struct {
	resp      *response
	attempts  int
	busy      int
	gaveUp    bool
	latencies []time.Duration // of 200 answers
	err       error
}

// requiredKeys are the keys SandboxFusion always sends.
var requiredKeys = []string{"status", "message", "compile_result", "run_result", "executor_pod_name", "files"}

// call sends one request with verl's retry policy.
func call(ctx context.Context, client *http.Client, cfg Config, p payload) outcome {
	var out outcome
	body, err := json.Marshal(p)
	if err != nil {
		out.err = err
		return out
	}
	timeout := time.Duration((p.CompileTimeout + p.RunTimeout + 10) * float64(time.Second))
	for attempt := 0; attempt <= len(cfg.Retry504); attempt++ {
		out.attempts++
		t0 := time.Now()
		code, data, err := post(ctx, client, cfg, body, timeout)
		if err != nil {
			out.err = err
			return out
		}
		if code == http.StatusGatewayTimeout {
			out.busy++
			if attempt == len(cfg.Retry504) {
				out.gaveUp = true
				return out
			}
			select {
			case <-time.After(cfg.Retry504[attempt]):
			case <-ctx.Done():
				out.err = ctx.Err()
				return out
			}
			continue
		}
		if code != http.StatusOK {
			out.err = fmt.Errorf("HTTP %d: %.200s", code, data)
			return out
		}
		out.latencies = append(out.latencies, time.Since(t0))
		var keys map[string]json.RawMessage
		if err := json.Unmarshal(data, &keys); err != nil {
			out.err = fmt.Errorf("undecodable response: %v", err)
			return out
		}
		for _, k := range requiredKeys {
			if _, ok := keys[k]; !ok {
				out.err = fmt.Errorf("response lacks %q", k)
				return out
			}
		}
		out.resp = &response{}
		if err := json.Unmarshal(data, out.resp); err != nil {
			out.err = fmt.Errorf("undecodable response: %v", err)
		}
		return out
	}
	return out
}

// readTimeoutKey carries a request's time-out to dialReadTimeout.
type readTimeoutKey struct{}

// dialReadTimeout connects within the request's time-out and bounds each
// read by it, as Python requests does with timeout=T: a server that keeps
// sending keeps the client waiting.
func dialReadTimeout(ctx context.Context, network, addr string) (net.Conn, error) {
	timeout, _ := ctx.Value(readTimeoutKey{}).(time.Duration)
	d := net.Dialer{Timeout: timeout}
	c, err := d.DialContext(ctx, network, addr)
	if err != nil || timeout <= 0 {
		return c, err
	}
	return &readTimeoutConn{Conn: c, timeout: timeout}, nil
}

// readTimeoutConn fails a read that waits longer than timeout.
type readTimeoutConn struct {
	net.Conn
	timeout time.Duration
}

func (c *readTimeoutConn) Read(b []byte) (int, error) {
	if err := c.Conn.SetReadDeadline(time.Now().Add(c.timeout)); err != nil {
		return 0, err
	}
	return c.Conn.Read(b)
}

func post(ctx context.Context, client *http.Client, cfg Config, body []byte, timeout time.Duration) (int, []byte, error) {
	ctx = context.WithValue(ctx, readTimeoutKey{}, timeout)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, cfg.URL, bytes.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if cfg.Token != "" {
		req.Header.Set("Authorization", "Bearer "+cfg.Token)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, nil, fmt.Errorf("read response: %w", err)
	}
	return resp.StatusCode, data, nil
}

// Format prints a report for humans.
func (r *Report) Format(w io.Writer) {
	fmt.Fprintf(w, "%d clients for %s: %d requests (%d HTTP attempts), %.1f responses/s\n",
		r.Clients, r.Duration.Round(time.Millisecond), r.Requests, r.Attempts, r.Throughput)
	fmt.Fprintf(w, "latency of 200 answers: p50 %s ms, p90 %s ms, p99 %s ms, mean %s ms\n",
		perf.Ms(r.Latency.Median), perf.Ms(r.Latency.P90), perf.Ms(r.Latency.P99), perf.Ms(r.Latency.Mean))
	fmt.Fprintf(w, "right %d, wrong %d, lost %d; 504 answers %d (retried), gave up after 3 attempts %d\n",
		r.OK, r.Wrong, r.Lost, r.Busy, r.GaveUp)
	kinds := make([]string, 0, len(r.ByKind))
	for k := range r.ByKind {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		fmt.Fprintf(w, "  %-22s %d\n", k, r.ByKind[k])
	}
	for _, p := range r.Problems {
		fmt.Fprintln(w, "  problem:", p)
	}
}
