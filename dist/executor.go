package dist

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"

	"github.com/rlef/rlef/dataset"
	"github.com/rlef/rlef/episode"
	"github.com/rlef/rlef/judge"
	"github.com/rlef/rlef/sandbox"
)

// Executor is what a worker runs jobs on: a local sandbox pool and the
// judges on it (PoolExecutor). Tests put a faulty one in front.
type Executor interface {
	// Slots is the number of programs run at once.
	Slots() int
	// Isolation names the sandbox's isolation mode.
	Isolation() string
	Judge(ctx context.Context, opts judge.Options, p *dataset.Problem, sub judge.Submission, suites ...judge.Suite) (*judge.Result, error)
	Execute(ctx context.Context, req RunRequest) (*Execution, error)
	Parse(ctx context.Context, text string) (string, error)
}

// PoolExecutor runs jobs on a local sandbox pool. Judgings with
// different judge options get judges of their own on the same pool.
type PoolExecutor struct {
	pool *sandbox.Pool
	// base provides what stays local: the reference cache directory and
	// the logger.
	base  judge.Options
	parse func(ctx context.Context, text string) (string, error)

	mu     sync.Mutex
	judges map[string]*judge.Judge
}

// NewPoolExecutor runs jobs on pool; local holds the judges' CacheDir
// and Logger (the other options come with each job).
func NewPoolExecutor(pool *sandbox.Pool, local judge.Options) *PoolExecutor {
	return &PoolExecutor{pool: pool, base: local, parse: episode.SandboxParser(pool), judges: map[string]*judge.Judge{}}
}

// Slots is the pool's slots.
func (e *PoolExecutor) Slots() int { return e.pool.Slots() }

// Isolation is the pool's isolation mode.
func (e *PoolExecutor) Isolation() string { return e.pool.Isolation().Mode }

// Judge judges with a judge for opts.
func (e *PoolExecutor) Judge(ctx context.Context, opts judge.Options, p *dataset.Problem, sub judge.Submission, suites ...judge.Suite) (*judge.Result, error) {
	j, err := e.judgeFor(opts)
	if err != nil {
		return nil, err
	}
	return j.Judge(ctx, p, sub, suites...)
}

func (e *PoolExecutor) judgeFor(opts judge.Options) (*judge.Judge, error) {
	opts.Logger, opts.CacheDir = nil, ""
	key, err := json.Marshal(opts)
	if err != nil {
		return nil, fmt.Errorf("judge options: %w", err)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if j, ok := e.judges[string(key)]; ok {
		return j, nil
	}
	opts.Logger, opts.CacheDir = e.base.Logger, e.base.CacheDir
	j, err := judge.New(e.pool, opts)
	if err != nil {
		return nil, err
	}
	e.judges[string(key)] = j
	return j, nil
}

// Execute compiles (C++) and runs a program.
func (e *PoolExecutor) Execute(ctx context.Context, req RunRequest) (*Execution, error) {
	prog, err := e.pool.Compile(ctx, req.Language, req.Code)
	if err != nil {
		return nil, err
	}
	defer prog.Close()
	ex := &Execution{Cached: prog.Cached}
	if prog.Compile != nil {
		c := *prog.Compile
		ex.Compile = &c
	}
	if !prog.OK() || req.CompileOnly {
		return ex, nil
	}
	if ex.Run, err = e.pool.Run(ctx, prog, req.Input); err != nil {
		return nil, err
	}
	return ex, nil
}

// Parse extracts the longest parseable code (episode.SandboxParser).
func (e *PoolExecutor) Parse(ctx context.Context, text string) (string, error) {
	return e.parse(ctx, text)
}

// logger returns l or the default logger.
func logger(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.Default()
	}
	return l
}
