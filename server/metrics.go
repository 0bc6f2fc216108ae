package server

import (
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/rlef/rlef/sandbox"
)

// metrics are the server's Prometheus metrics, registered in a registry
// the server owns (no global state: two servers in one process, as in
// tests, keep separate counts).
type metrics struct {
	reg *prometheus.Registry

	requests *prometheus.CounterVec   // handler, code
	latency  *prometheus.HistogramVec // handler
	inFlight *prometheus.GaugeVec     // handler

	queueDepth    *prometheus.GaugeVec     // queue: jobs waiting
	queueRunning  *prometheus.GaugeVec     // queue: jobs running
	queueCapacity *prometheus.GaugeVec     // queue: concurrency
	queueWait     *prometheus.HistogramVec // queue
	queueRejected *prometheus.CounterVec   // queue, reason (full, busy)
	queueService  *prometheus.GaugeVec     // queue: mean slot hold time
	queueExpected *prometheus.GaugeVec     // queue: expected wait of a new job

	runs     *prometheus.CounterVec // language, status (SandboxFusion), verdict
	rewards  *prometheus.CounterVec // passed
	steps    *prometheus.CounterVec // verdict
	episodes *prometheus.CounterVec // event: created, finished, passed, expired, deleted, dropped, infra
	live     prometheus.Gauge
	finished prometheus.Gauge
}

func newMetrics(pool *sandbox.Pool) *metrics {
	reg := prometheus.NewRegistry()
	m := &metrics{
		reg: reg,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "rlef_http_requests_total", Help: "HTTP requests by handler and status code.",
		}, []string{"handler", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "rlef_http_request_duration_seconds", Help: "HTTP request latency by handler.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120},
		}, []string{"handler"}),
		inFlight: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "rlef_http_in_flight_requests", Help: "HTTP requests being served, by handler.",
		}, []string{"handler"}),
		queueDepth: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "rlef_queue_depth", Help: "Jobs waiting in an admission queue.",
		}, []string{"queue"}),
		queueRunning: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "rlef_queue_running", Help: "Jobs admitted and running, by queue.",
		}, []string{"queue"}),
		queueCapacity: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "rlef_queue_capacity", Help: "Jobs an admission queue runs at once.",
		}, []string{"queue"}),
		queueWait: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "rlef_queue_wait_seconds", Help: "Time admitted jobs waited to start (never counted in a program's time limit).",
			Buckets: []float64{.001, .005, .01, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60, 120, 300},
		}, []string{"queue"}),
		queueRejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "rlef_queue_rejected_total", Help: "Jobs refused on arrival (answered 504), by reason (full: too many waiting; busy: expected wait over the bound).",
		}, []string{"queue", "reason"}),
		queueService: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "rlef_queue_service_seconds", Help: "Running mean of the time recent jobs held a slot, by queue.",
		}, []string{"queue"}),
		queueExpected: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "rlef_queue_expected_wait_seconds", Help: "Expected wait of a job arriving now, by queue (admission refuses above the bound).",
		}, []string{"queue"}),
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "rlef_run_code_total", Help: "/run_code executions by language, SandboxFusion status and rlef verdict.",
		}, []string{"language", "status", "verdict"}),
		rewards: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "rlef_rewards_total", Help: "/get_reward samples, by outcome (passed: true, false, or error for a sample that could not be judged and was scored as a failure).",
		}, []string{"passed"}),
		steps: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "rlef_episode_steps_total", Help: "Episode steps by public-test verdict.",
		}, []string{"verdict"}),
		episodes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "rlef_episode_events_total", Help: "Episode lifecycle events (created, finished, passed, infra, expired, deleted, dropped: finished episodes beyond the kept number).",
		}, []string{"event"}),
		live: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "rlef_episodes_live", Help: "Unfinished episodes (they count against --max-episodes).",
		}),
		finished: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "rlef_episodes_finished_kept", Help: "Finished episodes kept for GET and DELETE (they do not count against --max-episodes).",
		}),
	}
	reg.MustRegister(m.requests, m.latency, m.inFlight, m.queueDepth, m.queueRunning, m.queueCapacity,
		m.queueWait, m.queueRejected, m.queueService, m.queueExpected, m.runs, m.rewards, m.steps, m.episodes, m.live, m.finished)
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if pool != nil {
		reg.MustRegister(
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{
				Name: "rlef_sandbox_slots", Help: "Sandbox slots (programs that run at once).",
			}, func() float64 { return float64(pool.Slots()) }),
			prometheus.NewCounterFunc(prometheus.CounterOpts{
				Name: "rlef_compile_cache_hits_total", Help: "C++ compilations answered from the cache (memory or disk).",
			}, func() float64 { return float64(cacheHits(pool.CompileStats())) }),
			prometheus.NewCounterFunc(prometheus.CounterOpts{
				Name: "rlef_compile_cache_disk_hits_total", Help: "C++ compilations answered from the on-disk cache.",
			}, func() float64 { return float64(pool.CompileStats().DiskHits) }),
			prometheus.NewCounterFunc(prometheus.CounterOpts{
				Name: "rlef_compiles_total", Help: "C++ compilations actually run.",
			}, func() float64 { return float64(pool.CompileStats().Compiles) }),
		)
	}
	return m
}

// cacheHits counts compilations that were not run. The sandbox counts a
// memory hit for every lookup, including the one that follows each fresh
// compilation, so those are subtracted.
func cacheHits(s sandbox.CompileStats) int64 {
	return max(0, s.MemoryHits-s.Compiles)
}
