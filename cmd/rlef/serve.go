package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/rlef/rlef/dataset"
	"github.com/rlef/rlef/sandbox"
	"github.com/rlef/rlef/server"
	"github.com/rlef/rlef/server/loadgen"
)

type serveFlags struct {
	addr, token, tokenEnv       string
	benchmarks, data            []string
	maxRunTimeout               time.Duration
	defaultMemory, maxMemory    string
	outputLimit, maxBody        string
	queueWait, judgeWait, grace time.Duration
	queueSize, judgeConcurrency int
	episodeTTL                  time.Duration
	maxEpisodes, keepFinished   int
}

func newServeCmd() *cobra.Command {
	var (
		f  serveFlags
		sf sandboxFlags
		nf natsFlags
	)
	cmd := &cobra.Command{
		Use:   "serve [flags]",
		Short: "Serve the sandbox, the judge and RLEF episodes to RL trainers over HTTP",
		Long: `Serve rlef to RL trainers:

  POST /run_code         SandboxFusion-compatible (verl: reward_model.sandbox_fusion.url=http://HOST/run_code)
  POST /get_reward       OpenRLHF remote reward (--reward.remote_url http://HOST/get_reward)
  POST /v1/episodes      start an RLEF episode; POST /v1/episodes/{id}/step, GET and DELETE /v1/episodes/{id}
  GET  /v1/ping          "pong"
  GET  /metrics          Prometheus

Labels and episode problems name problems of the served benchmarks
(--benchmark, repeatable; default builtin) as "BENCHMARK/ID" or "ID", or carry
inline tests. Binds to loopback by default. With --token (or --token-env), every
endpoint but /v1/ping needs "Authorization: Bearer TOKEN" or ?token=TOKEN in the
URL (verl's and OpenRLHF's clients send no headers). SIGINT/SIGTERM stop
accepting requests and finish those in flight.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runServe(cmd, &f, &sf, &nf)
		},
	}
	fs := cmd.Flags()
	run, eps := server.DefaultRunLimits(), server.DefaultEpisodeLimits()
	fs.StringVar(&f.addr, "addr", server.DefaultAddr, "listen address (use 0.0.0.0:PORT only on a private network)")
	fs.StringVar(&f.token, "token", "", "bearer token required on every endpoint but /v1/ping (visible in ps; prefer --token-env)")
	fs.StringVar(&f.tokenEnv, "token-env", "", "environment variable holding the bearer token")
	fs.StringArrayVar(&f.benchmarks, "benchmark", nil, "benchmark to serve, repeatable; NAME or NAME=PATH (default builtin)")
	fs.StringArrayVar(&f.data, "data", nil, "data path for the benchmark at the same position (repeatable)")
	fs.DurationVar(&f.maxRunTimeout, "max-run-timeout", run.MaxRunTimeout, "cap on /run_code run_timeout")
	fs.StringVar(&f.defaultMemory, "default-memory", sandbox.FormatBytes(run.DefaultMemory), "memory limit when memory_limit_MB is -1")
	fs.StringVar(&f.maxMemory, "max-memory", sandbox.FormatBytes(run.MaxMemory), "cap on memory_limit_MB")
	fs.StringVar(&f.outputLimit, "output-limit", sandbox.FormatBytes(run.Output), "limit on each of stdout and stderr, and any file written")
	fs.StringVar(&f.maxBody, "max-body", sandbox.FormatBytes(server.DefaultMaxBody), "request body size limit")
	fs.IntVar(&f.queueSize, "queue-size", server.DefaultMaxWaiting, "requests that may wait for a sandbox slot (more are answered 504 on arrival)")
	fs.DurationVar(&f.queueWait, "queue-wait", server.DefaultRunQueueWait, "longest expected wait for a /run_code slot; a request expected to wait longer is answered 504 on arrival, an admitted one waits as long as it takes")
	fs.IntVar(&f.judgeConcurrency, "judge-concurrency", 0, "judgings (rewards, episode steps) at once (0 = slots)")
	fs.DurationVar(&f.judgeWait, "judge-wait", server.DefaultJudgeQueueWait, "longest expected wait for a judging slot (as --queue-wait, for /get_reward and episode steps)")
	fs.DurationVar(&f.episodeTTL, "episode-ttl", eps.TTL, "idle episodes are dropped after this long")
	fs.IntVar(&f.maxEpisodes, "max-episodes", eps.Max, "unfinished episodes at most (more are refused with 429); finished ones do not count")
	fs.IntVar(&f.keepFinished, "keep-finished", eps.MaxFinished, "finished episodes kept for GET and DELETE (the oldest are dropped first)")
	fs.DurationVar(&f.grace, "shutdown-timeout", 2*time.Minute, "how long shutdown waits for requests in flight")
	sf.register(fs, 0)
	sf.registerGrading(fs)
	nf.register(fs, true)
	return cmd
}

func runServe(cmd *cobra.Command, f *serveFlags, sf *sandboxFlags, nf *natsFlags) error {
	ctx := cmd.Context()
	token := f.token
	if f.tokenEnv != "" {
		token = os.Getenv(f.tokenEnv)
		if token == "" {
			return fmt.Errorf("--token-env %s: the variable is empty or unset", f.tokenEnv)
		}
	}
	run := server.RunLimits{MaxRunTimeout: f.maxRunTimeout}
	var err error
	if run.DefaultMemory, err = sandbox.ParseBytes(f.defaultMemory); err != nil {
		return fmt.Errorf("--default-memory: %w", err)
	}
	if run.MaxMemory, err = sandbox.ParseBytes(f.maxMemory); err != nil {
		return fmt.Errorf("--max-memory: %w", err)
	}
	if run.Output, err = sandbox.ParseBytes(f.outputLimit); err != nil {
		return fmt.Errorf("--output-limit: %w", err)
	}
	maxBody, err := sandbox.ParseBytes(f.maxBody)
	if err != nil {
		return fmt.Errorf("--max-body: %w", err)
	}
	sets, err := loadServedSets(ctx, f.benchmarks, f.data)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	defer ln.Close()
	backend, err := nf.openServing(ctx, sf)
	if err != nil {
		return err
	}
	defer backend.Close()
	cfg := server.Config{
		Sets: sets, Token: token, Run: run, MaxBody: maxBody,
		RunQueue:   server.QueueConfig{MaxWaiting: f.queueSize, MaxWait: f.queueWait},
		JudgeQueue: server.QueueConfig{Concurrency: f.judgeConcurrency, MaxWaiting: f.queueSize, MaxWait: f.judgeWait},
		Episodes:   server.EpisodeLimits{TTL: f.episodeTTL, Max: f.maxEpisodes, MaxFinished: f.keepFinished},
		Logger:     slog.Default(),
	}
	backend.apply(&cfg)
	srv, err := server.New(cfg)
	if err != nil {
		return err
	}
	defer srv.Close()
	var names []string
	for _, s := range sets {
		names = append(names, fmt.Sprintf("%s (%d problems)", s.Name, len(s.Problems)))
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "rlef serve: listening on http://%s (%s; benchmarks: %s; auth: %v)\n",
		ln.Addr(), backend.describe(), strings.Join(names, ", "), token != "")
	if err := srv.Serve(ctx, ln, f.grace); err != nil {
		return err
	}
	fmt.Fprintln(cmd.ErrOrStderr(), "rlef serve: stopped")
	return nil
}

// loadServedSets loads each --benchmark (NAME or NAME=PATH), pairing
// --data values with benchmarks by position.
func loadServedSets(ctx context.Context, benchmarks, data []string) ([]*dataset.Set, error) {
	if len(benchmarks) == 0 {
		benchmarks = []string{"builtin"}
	}
	if len(data) > len(benchmarks) {
		return nil, errors.New("more --data than --benchmark flags")
	}
	var sets []*dataset.Set
	seen := map[string]bool{}
	for i, b := range benchmarks {
		name, path, _ := strings.Cut(b, "=")
		if i < len(data) && data[i] != "" {
			if path != "" {
				return nil, fmt.Errorf("--benchmark %s has a path and a --data value", b)
			}
			path = data[i]
		}
		set, err := dataset.Load(ctx, name, dataset.LoadOptions{Path: path})
		if err != nil {
			return nil, err
		}
		if seen[set.Name] {
			return nil, fmt.Errorf("benchmark %s given twice", set.Name)
		}
		seen[set.Name] = true
		sets = append(sets, set)
	}
	return sets, nil
}

func newBenchServeCmd() *cobra.Command {
	var (
		sf       sandboxFlags
		url      string
		clients  int
		duration time.Duration
		asJSON   bool
	)
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Load-test /run_code with verl-style clients (64 for 60 s by default)",
		Long: `Starts rlef serve in-process on a loopback port (or targets --url) and runs
verl-style clients against /run_code: one request per test case with verl's
exact payload and retry policy (504 retried after 1 s and 2 s), mostly Python
stdin/stdout cases with some call-based Python, C++ and failing programs.
Every response is checked. Prints p50/p99 latency, throughput, 504s, and lost
or wrong responses (which must be zero).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			target := url
			if target == "" {
				pool, err := sf.open(ctx)
				if err != nil {
					return err
				}
				defer pool.Close()
				srv, err := server.New(server.Config{Pool: pool, Logger: slog.Default()})
				if err != nil {
					return err
				}
				defer srv.Close()
				ln, err := net.Listen("tcp", "127.0.0.1:0")
				if err != nil {
					return err
				}
				sctx, stop := context.WithCancel(context.WithoutCancel(ctx))
				done := make(chan error, 1)
				go func() { done <- srv.Serve(sctx, ln, time.Minute) }()
				defer func() { stop(); <-done }()
				target = "http://" + ln.Addr().String() + "/run_code"
				fmt.Fprintf(cmd.ErrOrStderr(), "rlef bench serve: %d sandbox slots, isolation %s, server %s\n",
					pool.Slots(), pool.Isolation().Mode, target)
			}
			rep, err := loadgen.Run(ctx, loadgen.Config{URL: target, Clients: clients, Duration: duration, Seed: 1})
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				if err := enc.Encode(rep); err != nil {
					return err
				}
			} else {
				rep.Format(cmd.OutOrStdout())
			}
			if rep.Lost > 0 || rep.Wrong > 0 {
				return exitError{code: 1, msg: fmt.Sprintf("%d lost and %d wrong responses", rep.Lost, rep.Wrong)}
			}
			return nil
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&url, "url", "", "/run_code URL of a running server (default: start one in-process)")
	fs.IntVar(&clients, "clients", 64, "concurrent clients (verl's max_concurrent is 64)")
	fs.DurationVar(&duration, "duration", time.Minute, "how long clients start new requests")
	fs.BoolVar(&asJSON, "json", false, "print JSON")
	sf.register(fs, 0)
	return cmd
}
