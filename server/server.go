package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/rlef/rlef/dataset"
	"github.com/rlef/rlef/dist"
	"github.com/rlef/rlef/episode"
	"github.com/rlef/rlef/judge"
	"github.com/rlef/rlef/sandbox"
)

// Config configures a Server. Pool or Dispatch is required; everything
// else has defaults.
type Config struct {
	// Pool runs programs.
	Pool *sandbox.Pool
	// Judge judges submissions for /get_reward and the episode API
	// (default: a judge on Pool with default options).
	Judge *judge.Judge
	// Dispatch, when set, sends every run, judging and code extraction
	// to a cluster of workers (a dist.Client) instead of Pool and Judge;
	// the admission queues then follow the cluster's live capacity unless
	// their Concurrency is set.
	Dispatch Dispatcher
	// EpisodeJS, when set, keeps episodes in JetStream key-value buckets,
	// so that several servers behind one address can each take any step
	// of any episode (see kvEpisodeStore).
	EpisodeJS jetstream.JetStream
	// Sets are the served benchmarks that labels and episodes name
	// problems from; the first is the default for bare problem ids.
	Sets []*dataset.Set
	// Token, when set, is required as "Authorization: Bearer TOKEN" (or
	// the query parameter token=TOKEN, for clients that cannot send
	// headers) on every endpoint but /v1/ping.
	Token string
	// Run bounds /run_code executions.
	Run RunLimits
	// RunQueue admits /run_code executions (default: one per sandbox slot,
	// 1024 waiting, 2 min expected-wait bound).
	RunQueue QueueConfig
	// JudgeQueue admits judgings for /get_reward and episode steps
	// (default: one per sandbox slot, 1024 waiting, 1 min expected-wait
	// bound).
	JudgeQueue QueueConfig
	// KeepAlive is how often a /run_code or /get_reward response that is
	// still waiting for its answer sends a space to keep its client
	// waiting (default 2 s; negative: never). See keepAlive.
	KeepAlive time.Duration
	// Episodes bounds the episode API.
	Episodes EpisodeLimits
	// MaxBody bounds request bodies (default 64 MiB).
	MaxBody int64
	// PodName is reported as executor_pod_name (default $MY_POD_NAME, as
	// SandboxFusion does; null when unset).
	PodName string
	// Logger receives request logs (debug level) and diagnostics.
	Logger *slog.Logger
}

// RunLimits are the server-side bounds of /run_code.
type RunLimits struct {
	// DefaultMemory applies when memory_limit_MB is -1 (default 1 GiB).
	DefaultMemory int64
	// MaxMemory caps memory_limit_MB (default 4 GiB, SandboxFusion's
	// lite-mode cap).
	MaxMemory int64
	// MaxRunTimeout caps run_timeout (default 60 s).
	MaxRunTimeout time.Duration
	// Output bounds each of stdout and stderr and any file written
	// (default 16 MiB).
	Output int64
	// Processes bounds processes and threads (default 128).
	Processes int
}

// EpisodeLimits bound the episode API.
type EpisodeLimits struct {
	// TTL is how long an idle episode is kept (default 30 min).
	TTL time.Duration
	// Max is the number of live (unfinished) episodes (default 10000);
	// creating one more is refused with 429. A finished episode does not
	// count: trainers that never delete episodes (verl) never meet a 429
	// for it.
	Max int
	// MaxFinished is how many finished episodes are kept for GET and
	// DELETE (default 10000); beyond it the oldest finished ones are
	// dropped first.
	MaxFinished int
	// MaxTurns caps max_turns (default 16).
	MaxTurns int
}

// Dispatcher runs programs, judgings and code extraction on a cluster of
// workers (dist.Client).
type Dispatcher interface {
	episode.Judger
	Execute(ctx context.Context, req dist.RunRequest) (*dist.Execution, error)
	Parse(ctx context.Context, text string) (string, error)
	// Capacity is the jobs the live workers take at once.
	Capacity() int
}

// Defaults of Config, exported for flags and documentation.
const (
	DefaultMaxBody        = 64 << 20
	DefaultKeepAlive      = 2 * time.Second
	DefaultMaxWaiting     = 1024
	DefaultRunQueueWait   = 2 * time.Minute
	DefaultJudgeQueueWait = time.Minute
)

// DefaultRunLimits are RunLimits' defaults (the pool's maxima may lower
// them).
func DefaultRunLimits() RunLimits {
	return RunLimits{DefaultMemory: 1 << 30, MaxMemory: 4 << 30, MaxRunTimeout: time.Minute, Output: 16 << 20, Processes: 128}
}

// DefaultEpisodeLimits are EpisodeLimits' defaults.
func DefaultEpisodeLimits() EpisodeLimits {
	return EpisodeLimits{TTL: 30 * time.Minute, Max: 10000, MaxFinished: 10000, MaxTurns: 16}
}

func (c *Config) fill() error {
	if c.Pool == nil && c.Dispatch == nil {
		return errors.New("server: no sandbox pool")
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Judge == nil && c.Dispatch == nil {
		j, err := judge.New(c.Pool, judge.Options{Logger: c.Logger})
		if err != nil {
			return fmt.Errorf("server: %w", err)
		}
		c.Judge = j
	}
	c.Run.fill(c.maxLimits())
	fillQueue(&c.RunQueue, c.slots(), DefaultRunQueueWait)
	fillQueue(&c.JudgeQueue, c.slots(), DefaultJudgeQueueWait)
	if c.Dispatch != nil {
		c.RunQueue.Capacity, c.JudgeQueue.Capacity = c.Dispatch.Capacity, c.Dispatch.Capacity
	}
	if c.KeepAlive == 0 {
		c.KeepAlive = DefaultKeepAlive
	}
	c.Episodes.fill()
	orDefault(&c.MaxBody, DefaultMaxBody)
	if c.PodName == "" {
		c.PodName = os.Getenv("MY_POD_NAME")
	}
	for _, s := range c.Sets {
		if s == nil || s.Name == "" {
			return errors.New("server: a served benchmark has no name")
		}
	}
	return nil
}

// fill applies the defaults, then caps the limits at the sandbox's maxima.
func (r *RunLimits) fill(max sandbox.Limits) {
	d := DefaultRunLimits()
	orDefault(&r.DefaultMemory, d.DefaultMemory)
	orDefault(&r.MaxMemory, d.MaxMemory)
	r.DefaultMemory = min(r.DefaultMemory, r.MaxMemory)
	orDefault(&r.MaxRunTimeout, d.MaxRunTimeout)
	orDefault(&r.Output, d.Output)
	orDefault(&r.Processes, d.Processes)
	if max.Memory > 0 && r.MaxMemory > max.Memory {
		r.MaxMemory = max.Memory
	}
	if max.WallTime > 0 && r.MaxRunTimeout > max.WallTime {
		r.MaxRunTimeout = max.WallTime
	}
	if max.Output > 0 && r.Output > max.Output {
		r.Output = max.Output
	}
	if max.Processes > 0 && r.Processes > max.Processes {
		r.Processes = max.Processes
	}
}

func (e *EpisodeLimits) fill() {
	d := DefaultEpisodeLimits()
	orDefault(&e.TTL, d.TTL)
	orDefault(&e.Max, d.Max)
	orDefault(&e.MaxFinished, d.MaxFinished)
	orDefault(&e.MaxTurns, d.MaxTurns)
}

// maxLimits are the sandbox's maxima: the pool's, or the defaults every
// worker starts with.
func (c *Config) maxLimits() sandbox.Limits {
	if c.Dispatch != nil {
		return sandbox.DefaultMaxLimits()
	}
	return c.Pool.MaxLimits()
}

// slots is the local pool's slots; 0 when a cluster decides.
func (c *Config) slots() int {
	if c.Dispatch != nil {
		return 0
	}
	return c.Pool.Slots()
}

func fillQueue(q *QueueConfig, slots int, wait time.Duration) {
	orDefault(&q.Concurrency, slots)
	orDefault(&q.MaxWaiting, DefaultMaxWaiting)
	orDefault(&q.MaxWait, wait)
}

// orDefault sets *v to def when *v is zero or negative (unset).
func orDefault[T int | int64 | time.Duration](v *T, def T) {
	if *v <= 0 {
		*v = def
	}
}

// Server serves the HTTP API. Create it with New, serve Handler (or call
// Serve), and Close it when done.
type Server struct {
	cfg Config
	// judge judges /get_reward samples (cfg.Judge; tests wrap it).
	judge    episode.Judger
	log      *slog.Logger
	m        *metrics
	runQ     *admission
	judgeQ   *admission
	envs     map[string]*episode.Env // by set name
	episodes episodeBackend
	handler  http.Handler

	closeOnce sync.Once
}

// New builds a server from cfg.
func New(cfg Config) (*Server, error) {
	if err := cfg.fill(); err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, judge: cfg.Judge, log: cfg.Logger, envs: map[string]*episode.Env{}}
	if cfg.Dispatch != nil {
		s.judge = cfg.Dispatch
	}
	s.m = newMetrics(cfg.Pool)
	s.runQ = newAdmission("run_code", cfg.RunQueue, s.m)
	s.judgeQ = newAdmission("judge", cfg.JudgeQueue, s.m)
	for _, set := range cfg.Sets {
		s.envs[set.Name] = s.newEnv(set)
	}
	if cfg.EpisodeJS != nil {
		kv, err := newKVEpisodeStore(context.Background(), cfg.EpisodeJS, cfg.Episodes, s.m, s.rebuildEpisode, cfg.Logger)
		if err != nil {
			return nil, err
		}
		s.episodes = kv
	} else {
		s.episodes = memoryEpisodes{newEpisodeStore(cfg.Episodes, s.m)}
	}
	s.handler = s.routes()
	return s, nil
}

// newEnv is the episode environment of one benchmark.
func (s *Server) newEnv(set *dataset.Set) *episode.Env {
	return &episode.Env{Set: set, Judge: s.judge, Parser: s.parser(), Random: episode.NewRandomFeedback(set, s.judge)}
}

// parser extracts code for the longest_parseable rule.
func (s *Server) parser() func(ctx context.Context, text string) (string, error) {
	if s.cfg.Dispatch != nil {
		return s.cfg.Dispatch.Parse
	}
	return episode.SandboxParser(s.cfg.Pool)
}

// Handler returns the server's HTTP handler.
func (s *Server) Handler() http.Handler { return s.handler }

// Close stops background work (episode expiry). It does not close the
// pool, which the caller owns.
func (s *Server) Close() {
	s.closeOnce.Do(s.episodes.close)
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	handle := func(pattern, name string, h http.HandlerFunc, public bool) {
		var hh http.Handler = h
		if !public {
			hh = s.auth(hh)
		}
		mux.Handle(pattern, s.instrument(name, s.recoverPanics(hh)))
	}
	handle("POST /run_code", "run_code", s.handleRunCode, false)
	handle("POST /run_jupyter", "run_jupyter", s.handleRunJupyter, false)
	handle("GET /v1/ping", "ping", s.handlePing, true)
	handle("POST /get_reward", "get_reward", s.handleReward, false)
	handle("POST /v1/episodes", "episodes_create", s.handleEpisodeCreate, false)
	handle("POST /v1/episodes/{id}/step", "episodes_step", s.handleEpisodeStep, false)
	handle("GET /v1/episodes/{id}", "episodes_get", s.handleEpisodeGet, false)
	handle("DELETE /v1/episodes/{id}", "episodes_delete", s.handleEpisodeDelete, false)
	handle("GET /metrics", "metrics", promhttp.HandlerFor(s.m.reg, promhttp.HandlerOpts{}).ServeHTTP, false)
	handle("GET /{$}", "index", s.handleIndex, true)
	return mux
}

func (s *Server) handlePing(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, "pong")
}

func (s *Server) handleIndex(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprint(w, "rlef serve: POST /run_code (SandboxFusion), POST /get_reward (OpenRLHF), /v1/episodes (RLEF episodes), GET /v1/ping, GET /metrics\n")
}
