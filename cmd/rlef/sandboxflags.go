package main

import (
	"context"
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
	// evalplusVersion is --evalplus-version (registerGrading).
	evalplusVersion string
}

func (f *sandboxFlags) register(fs *pflag.FlagSet, defaultSlots int) {
	fs.IntVar(&f.slots, "slots", defaultSlots, "programs run at once, one CPU each (0 = number of CPUs)")
	fs.BoolVar(&f.unsafe, "unsafe-no-isolation", false, "run programs without namespace isolation when isolation is unavailable (DANGEROUS for untrusted code)")
	fs.StringVar(&f.python, "python", sandbox.DefaultPython, "Python interpreter for programs")
	fs.StringVar(&f.cxx, "cxx", sandbox.DefaultCXX, "C++ compiler")
	fs.StringVar(&f.cacheDir, "cache-dir", "", "cache for compiled programs (default $XDG_CACHE_HOME/rlef)")
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
	return sandbox.NewPool(ctx, sandbox.Config{
		Slots:             f.slots,
		Python:            f.python,
		CXX:               f.cxx,
		CacheDir:          f.cacheDir,
		UnsafeNoIsolation: f.unsafe,
		Logger:            slog.Default(),
	})
}

// isTerminal reports whether w is a terminal: progress bars go only there,
// never into logs.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
