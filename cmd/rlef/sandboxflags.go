package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/rlef/rlef/judge"
	"github.com/rlef/rlef/sandbox"
)

// sandboxFlags are the options of every command that runs programs.
type sandboxFlags struct {
	slots    int
	unsafe   bool
	python   string
	cxx      string
	cacheDir string
	// cacheMemory and cacheDisk bound the compile cache (sizes as in
	// sandbox.ParseBytes).
	cacheMemory, cacheDisk string
	// evalplusVersion is --evalplus-version (registerGrading).
	evalplusVersion string
}

func (f *sandboxFlags) register(fs *pflag.FlagSet, defaultSlots int) {
	fs.IntVar(&f.slots, "slots", defaultSlots, "programs run at once, one CPU each (0 = number of CPUs)")
	fs.BoolVar(&f.unsafe, "unsafe-no-isolation", false, "run programs without namespace isolation when isolation is unavailable (DANGEROUS for untrusted code)")
	fs.StringVar(&f.python, "python", sandbox.DefaultPython, "Python interpreter for programs")
	fs.StringVar(&f.cxx, "cxx", sandbox.DefaultCXX, "C++ compiler")
	fs.StringVar(&f.cacheDir, "cache-dir", "", "cache for compiled programs (default $XDG_CACHE_HOME/rlef)")
	fs.StringVar(&f.cacheMemory, "compile-cache-memory", sandbox.FormatBytes(sandbox.DefaultCompileCacheMemory),
		"compiled programs kept in memory, at most (failed compilations count too)")
	fs.StringVar(&f.cacheDisk, "compile-cache-disk", sandbox.FormatBytes(sandbox.DefaultCompileCacheDisk),
		"compiled programs kept on disk under --cache-dir, at most")
}

// openJudge starts a pool and a judge on it; the judge's cache of
// reference outputs lives under --cache-dir when one is given. Close the
// pool (j.Pool()) when done.
func (f *sandboxFlags) openJudge(ctx context.Context, opts judge.Options) (*judge.Judge, error) {
	pool, err := f.open(ctx)
	if err != nil {
		return nil, err
	}
	if f.cacheDir != "" && opts.CacheDir == "" {
		opts.CacheDir = filepath.Join(f.cacheDir, "judge")
	}
	if opts.EvalPlus.Version == "" {
		opts.EvalPlus.Version = f.evalplusVersion
	}
	j, err := judge.New(pool, opts)
	if err != nil {
		pool.Close()
		return nil, err
	}
	return j, nil
}

func (f *sandboxFlags) open(ctx context.Context) (*sandbox.Pool, error) {
	return f.openWith(ctx, nil)
}

// openWith starts a pool with the flags' configuration, adjusted by
// adjust when it is not nil.
func (f *sandboxFlags) openWith(ctx context.Context, adjust func(*sandbox.Config)) (*sandbox.Pool, error) {
	mem, err := cacheBound("--compile-cache-memory", f.cacheMemory, sandbox.DefaultCompileCacheMemory)
	if err != nil {
		return nil, err
	}
	disk, err := cacheBound("--compile-cache-disk", f.cacheDisk, sandbox.DefaultCompileCacheDisk)
	if err != nil {
		return nil, err
	}
	cfg := sandbox.Config{
		Slots:              f.slots,
		Python:             f.python,
		CXX:                f.cxx,
		CacheDir:           f.cacheDir,
		CompileCacheMemory: mem,
		CompileCacheDisk:   disk,
		UnsafeNoIsolation:  f.unsafe,
		Logger:             slog.Default(),
	}
	if adjust != nil {
		adjust(&cfg)
	}
	return sandbox.NewPool(ctx, cfg)
}

// cacheBound parses a compile-cache bound; empty means the default.
func cacheBound(flag, v string, def int64) (int64, error) {
	if v == "" {
		return def, nil
	}
	n, err := sandbox.ParseBytes(v)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%s %q: want a size such as 256MiB", flag, v)
	}
	return n, nil
}

// isTerminal reports whether w is a terminal: progress bars go only there,
// never into logs.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
