package dataset

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
)

// EnvDataDir names the environment variable that points at a directory of
// benchmark files (the same layout as --data DIR).
const EnvDataDir = "RLEF_DATA_DIR"

// LoadOptions says where Load finds a benchmark's data and which variant
// to read.
type LoadOptions struct {
	// Path is --data: a benchmark file, or a directory holding the
	// canonical file names (directly or in the benchmark's subdirectory,
	// e.g. DIR/evalplus/HumanEvalPlus.jsonl.gz).
	Path string
	// CacheDir is where Fetch stores downloads; "" means DefaultCacheDir().
	CacheDir string
	// Split and Version select a variant (see BenchmarkInfo); "" is the
	// default.
	Split   string
	Version string
}

// Location says where a benchmark's data comes from.
type Location struct {
	Benchmark string `json:"benchmark"`
	// Source is "embedded", "path" (--data), "env" (RLEF_DATA_DIR) or
	// "cache".
	Source string `json:"source"`
	// Dir is the directory searched (the file's directory for a file path).
	Dir string `json:"dir,omitempty"`
	// Files are the files that would be read; empty when Found is false.
	Files []string `json:"files,omitempty"`
	// Found reports whether the data is present.
	Found bool `json:"found"`
}

// DefaultCacheDir returns $XDG_CACHE_HOME/rlef/data, falling back to
// os.UserCacheDir (~/.cache on Linux) and then the temp directory.
func DefaultCacheDir() string {
	if x := os.Getenv("XDG_CACHE_HOME"); x != "" {
		return filepath.Join(x, "rlef", "data")
	}
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "rlef", "data")
	}
	return filepath.Join(os.TempDir(), "rlef", "data")
}

// Locate finds a benchmark's data without reading it: opts.Path if given,
// else $RLEF_DATA_DIR if it holds the files, else the fetch cache. When
// nothing is found, the returned Location describes the cache (where
// Fetch would put the files) with Found false.
func Locate(name string, opts LoadOptions) (Location, error) {
	b, err := lookupBenchmark(name)
	if err != nil {
		return Location{}, err
	}
	v := Variant{Split: opts.Split, Version: opts.Version}
	if err := b.checkVariant(v); err != nil {
		return Location{}, err
	}
	loc := Location{Benchmark: b.Name}
	if b.load == nil {
		loc.Source, loc.Found = "embedded", true
		return loc, nil
	}
	if opts.Path != "" {
		loc.Source = "path"
		st, err := os.Stat(opts.Path)
		if err != nil {
			return loc, fmt.Errorf("--data %s: %w", opts.Path, err)
		}
		if !st.IsDir() || isAPPSProblemTree(b, opts.Path) {
			loc.Dir, loc.Files, loc.Found = filepath.Dir(opts.Path), []string{opts.Path}, true
			return loc, nil
		}
		loc.Dir = opts.Path
		loc.Files, loc.Found = b.findIn(opts.Path, v)
		return loc, nil
	}
	if env := os.Getenv(EnvDataDir); env != "" {
		if files, ok := b.findIn(env, v); ok {
			return Location{Benchmark: b.Name, Source: "env", Dir: env, Files: files, Found: true}, nil
		}
		slog.Debug("benchmark data not in "+EnvDataDir+"; trying the cache", "benchmark", b.Name, "dir", env)
	}
	cache := opts.CacheDir
	if cache == "" {
		cache = DefaultCacheDir()
	}
	loc.Source = "cache"
	loc.Dir = filepath.Join(cache, b.Dir)
	if files, ok := b.findIn(loc.Dir, v); ok {
		loc.Files, loc.Found = files, true
	}
	return loc, nil
}

// isAPPSProblemTree reports whether dir is itself an APPS split or problem
// directory, which is data rather than a directory of data files.
func isAPPSProblemTree(b *benchmark, dir string) bool {
	if b.Name != "apps" && b.Name != "taco" {
		return false
	}
	_, err := appsProblemDirs(dir)
	return err == nil
}

// Load reads a benchmark by name ("" means builtin). Names are listed by
// Names; aliases such as "humanevalplus" and "lcb" work too. The data comes
// from opts.Path, else $RLEF_DATA_DIR, else the fetch cache (see Locate).
// Files that a manifest (written by Fetch) describes are verified against
// their recorded sha256 first. Every problem of the result has passed
// Problem.Validate.
func Load(ctx context.Context, name string, opts LoadOptions) (*Set, error) {
	b, err := lookupBenchmark(name)
	if err != nil {
		return nil, err
	}
	if b.load == nil {
		return LoadBuiltin()
	}
	loc, err := Locate(name, opts)
	if err != nil {
		return nil, err
	}
	if !loc.Found {
		return nil, notFoundError(b, loc, opts)
	}
	for _, f := range loc.Files {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if err := verifyAgainstManifest(f); err != nil {
			return nil, err
		}
	}
	slog.Debug("loading benchmark", "benchmark", b.Name, "source", loc.Source, "files", loc.Files)
	set, err := b.load(loc.Files, Variant{Split: opts.Split, Version: opts.Version})
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if b.Name != "custom" {
		// A custom file may name itself (docs/custom-format.md).
		set.Name = b.Name
		for _, p := range set.Problems {
			p.Benchmark = b.Name
		}
	}
	return set, nil
}

// notFoundError explains where Load looked.
func notFoundError(b *benchmark, loc Location, opts LoadOptions) error {
	var wanted []string
	for _, c := range b.candidates(Variant{Split: opts.Split, Version: opts.Version}) {
		wanted = append(wanted, strings.Join(c, " + "))
	}
	where := loc.Dir
	if loc.Source == "cache" {
		where = "the cache " + loc.Dir
		if env := os.Getenv(EnvDataDir); env != "" {
			where = EnvDataDir + "=" + env + " and " + where
		}
	}
	msg := fmt.Sprintf("benchmark %s: no data found in %s (looked for %s)", b.Name, where, strings.Join(wanted, ", "))
	switch {
	case b.remote != nil:
		fetch := "rlef data fetch " + b.Name
		if opts.Split != "" {
			fetch += " --split " + opts.Split
		}
		if opts.Version != "" {
			fetch += " --version " + opts.Version
		}
		msg += "; run `" + fetch + "` or pass --data PATH"
	default:
		msg += "; pass --data PATH"
	}
	return errors.New(msg)
}
