package judge

import (
	"fmt"
	"log/slog"
	"strings"

	"github.com/rlef/rlef/judge/compare"
	"os"
	"path/filepath"
	"time"
)

// Options configures a Judge. The zero value gives the defaults below.
type Options struct {
	// TimeLimit is the per-test CPU-time limit of problems that set none
	// (default 10 s, RLEF's and CodeContests' default).
	TimeLimit time.Duration
	// WallFactor sets the wall-clock backstop of every limit to
	// WallFactor × the CPU limit + 1 s (default 2). Limits are enforced on
	// CPU time so that verdicts do not depend on how loaded the machine is;
	// the wall clock only stops programs that sleep or block.
	WallFactor float64
	// MemoryLimit is the memory limit of problems that set none (default
	// 1 GiB).
	MemoryLimit int64
	// OutputLimit bounds each of a test's stdout and stderr (default
	// 64 MiB, CodeContests' file-size limit).
	OutputLimit int64
	// Processes bounds the processes and threads of a run (default 64).
	Processes int

	// EvalPlus holds the time rules for problems whose expected values come
	// from a reference solution (HumanEval+, MBPP+).
	EvalPlus EvalPlusLimits

	// ReferenceTimeLimit bounds each test of a reference-solution run
	// (default 60 s); ReferenceBudget bounds the whole run (default 10 min).
	ReferenceTimeLimit time.Duration
	ReferenceBudget    time.Duration

	// CacheDir holds expected outputs computed from reference solutions
	// (default $XDG_CACHE_HOME/rlef/judge, else ~/.cache/rlef/judge).
	CacheDir string

	// MaxRepr bounds the length of a rendered value (expected or actual
	// return value, assertion) in characters (default 2000).
	MaxRepr int
	// KeepOutput bounds the stdout and stderr kept per test result in bytes
	// (default 64 KiB); the comparison always sees the whole output.
	KeepOutput int

	// Retries is how often a run that failed for sandbox reasons is tried
	// again before its tests are reported as sandbox_error (default 2; a
	// negative value means never).
	Retries int

	// NativeStdio runs every stdio program as a plain program, even where
	// the dataset's own harness wraps it in a function (APPS, TACO,
	// LiveCodeBench). The default replicates those harnesses.
	NativeStdio bool

	// Logger receives diagnostics (default slog.Default()).
	Logger *slog.Logger
}

// EvalPlusLimits are EvalPlus's time rules: each test may take
// max(MinTimeLimit, Factor × the reference's time on it), and a suite
// (base or plus) at most SuiteTimeLimit in all.
type EvalPlusLimits struct {
	// MinTimeLimit is --min-time-limit (default: 4 s, or 1 s for a release,
	// see Version).
	MinTimeLimit time.Duration
	// Factor is --gt-time-limit-factor (EvalPlus default 4).
	Factor float64
	// SuiteTimeLimit is EVALPLUS_TIMEOUT_PER_TASK (EvalPlus default 60 s).
	SuiteTimeLimit time.Duration
	// MemoryLimit is EvalPlus's memory limit (default 4 GiB).
	MemoryLimit int64
	// Version is the EvalPlus release whose grading to reproduce: "" or
	// "master" (EvalPlus's rules since 2025-04, the default), a release
	// "v0.1.0" ... "v0.3.1", or "v0.2.2-image", the v0.2.2 Docker image
	// that produced the verdict files EvalPlus users published in 2024
	// (see docs/evalplus-grading.md). It sets the comparison rules and,
	// unless MinTimeLimit is given, the minimum time limit (4 s on master
	// since 2025-04-02, 1 s in every release).
	Version string
	rules   compare.Rules
}

// EvalPlusVersions lists the values EvalPlusLimits.Version accepts.
var EvalPlusVersions = []string{"master", "v0.3.1", "v0.3.0", "v0.2.2-image", "v0.2.2", "v0.2.1", "v0.2.0",
	"v0.1.9", "v0.1.8", "v0.1.7", "v0.1.6", "v0.1.5", "v0.1.4", "v0.1.3", "v0.1.2", "v0.1.1", "v0.1.0"}

// Defaults, exported for documentation and flags.
const (
	DefaultTimeLimit   = 10 * time.Second
	DefaultMemoryLimit = 1 << 30
	DefaultOutputLimit = 64 << 20
)

func (o *Options) fill() error {
	if o.TimeLimit <= 0 {
		o.TimeLimit = DefaultTimeLimit
	}
	if o.WallFactor < 1 {
		o.WallFactor = 2
	}
	if o.MemoryLimit <= 0 {
		o.MemoryLimit = DefaultMemoryLimit
	}
	if o.OutputLimit <= 0 {
		o.OutputLimit = DefaultOutputLimit
	}
	if o.Processes <= 0 {
		o.Processes = 64
	}
	if o.EvalPlus.MinTimeLimit <= 0 {
		o.EvalPlus.MinTimeLimit = 4 * time.Second
		if v := o.EvalPlus.Version; v != "" && v != "master" {
			o.EvalPlus.MinTimeLimit = time.Second
		}
	}
	if o.EvalPlus.Factor <= 0 {
		o.EvalPlus.Factor = 4
	}
	if o.EvalPlus.SuiteTimeLimit <= 0 {
		o.EvalPlus.SuiteTimeLimit = 60 * time.Second
	}
	if o.EvalPlus.MemoryLimit <= 0 {
		o.EvalPlus.MemoryLimit = 4 << 30
	}
	if o.ReferenceTimeLimit <= 0 {
		o.ReferenceTimeLimit = 60 * time.Second
	}
	if o.ReferenceBudget <= 0 {
		o.ReferenceBudget = 10 * time.Minute
	}
	if o.CacheDir == "" {
		o.CacheDir = defaultCacheDir()
	}
	if o.MaxRepr <= 0 {
		o.MaxRepr = 2000
	}
	if o.KeepOutput <= 0 {
		o.KeepOutput = 64 << 10
	}
	if o.Retries < 0 {
		o.Retries = 0
	} else if o.Retries == 0 {
		o.Retries = 2
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	var err error
	if o.EvalPlus.rules, err = compare.Release(o.EvalPlus.Version); err != nil {
		return fmt.Errorf("judge: --evalplus-version %q: want one of %s", o.EvalPlus.Version, strings.Join(EvalPlusVersions, ", "))
	}
	return nil
}

// defaultCacheDir is $XDG_CACHE_HOME/rlef/judge, else the user cache
// directory, else the temp directory.
func defaultCacheDir() string {
	if x := os.Getenv("XDG_CACHE_HOME"); x != "" {
		return filepath.Join(x, "rlef", "judge")
	}
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "rlef", "judge")
	}
	return filepath.Join(os.TempDir(), "rlef", "judge")
}

// wall is the wall-clock backstop for a CPU limit.
func (o *Options) wall(cpu time.Duration) time.Duration {
	return time.Duration(float64(cpu)*o.WallFactor) + time.Second
}
