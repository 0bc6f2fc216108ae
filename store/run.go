package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// RunInfo describes an evaluation run: everything that determines its
// results, so two runs can be checked for comparability and a rerun of
// the same command can be recognised as a resume.
type RunInfo struct {
	// Benchmark and DataVersion identify the problems (DataVersion is the
	// data file's hash or release).
	Benchmark   string `json:"benchmark"`
	DataVersion string `json:"data_version"`
	// Problems lists the problem ids in scope, in order.
	Problems []string `json:"problems"`
	// Model settings.
	Model       string   `json:"model"`
	BaseURL     string   `json:"base_url"`
	API         string   `json:"api"`
	Profile     string   `json:"profile"`
	Temperature *float64 `json:"temperature,omitempty"`
	TopP        *float64 `json:"top_p,omitempty"`
	MaxTokens   int      `json:"max_tokens,omitempty"`
	// Protocol settings.
	Turns      int    `json:"turns"`
	Samples    int    `json:"samples"`
	Feedback   string `json:"feedback"`
	Extraction string `json:"extraction"`
	Prefill    bool   `json:"prefill,omitempty"`
	Seed       int64  `json:"seed"`
	// Judge settings that change verdicts.
	Language string `json:"language"`
	// Bookkeeping.
	CreatedAt  time.Time `json:"created_at"`
	FinishedAt time.Time `json:"finished_at,omitzero"`
	Version    string    `json:"rlef_version"`
}

// Expected is the number of episodes a complete run has.
func (r *RunInfo) Expected() int { return len(r.Problems) * r.Samples }

// Finished reports whether the run completed.
func (r *RunInfo) Finished() bool { return !r.FinishedAt.IsZero() }

const runInfoKey = "run"

// SetRunInfo records the run's description.
func (s *Store) SetRunInfo(ctx context.Context, info *RunInfo) error {
	return s.SetMeta(ctx, runInfoKey, info)
}

// RunInfo reads the run's description; ok is false for a store without
// one.
func (s *Store) RunInfo(ctx context.Context) (info *RunInfo, ok bool, err error) {
	info = new(RunInfo)
	ok, err = s.Meta(ctx, runInfoKey, info)
	return info, ok, err
}

// OpenRun opens the store of a run directory. With create unset the
// directory must already hold a run.
func OpenRun(ctx context.Context, dir string, create bool) (*Store, error) {
	path := filepath.Join(dir, FileName)
	if !create {
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("%s is not an rlef run directory (no %s): %w", dir, FileName, err)
		}
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create run directory: %w", err)
	}
	return Open(ctx, path)
}
