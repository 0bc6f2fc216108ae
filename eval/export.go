package eval

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/rlef/rlef/episode"
	"github.com/rlef/rlef/store"
)

// File names in a run directory, besides the store.
const (
	TurnsFile   = "turns.jsonl"
	SummaryFile = "summary.json"
)

// turnRow is one line of turns.jsonl: a turn with its episode's outcome.
type turnRow struct {
	Problem string `json:"problem"`
	Sample  int    `json:"sample"`
	episode.Turn
	EpisodePassed bool   `json:"episode_passed"`
	EpisodeTurns  int    `json:"episode_turns"`
	Infra         string `json:"infra,omitempty"`
}

// ExportTurns writes every stored turn to dir/turns.jsonl, replacing the
// file atomically.
func ExportTurns(ctx context.Context, st *store.Store, dir string) error {
	eps, err := st.Episodes(ctx)
	if err != nil {
		return err
	}
	return writeAtomic(filepath.Join(dir, TurnsFile), func(w *bufio.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetEscapeHTML(false)
		for _, e := range eps {
			for _, t := range e.Turns {
				if err := enc.Encode(turnRow{Problem: e.Problem, Sample: e.Sample, Turn: t,
					EpisodePassed: e.Passed, EpisodeTurns: len(e.Turns), Infra: e.Infra}); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// WriteSummary writes v as dir/summary.json, atomically.
func WriteSummary(dir string, v any) error {
	return writeAtomic(filepath.Join(dir, SummaryFile), func(w *bufio.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	})
}

func writeAtomic(name string, fill func(*bufio.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(name), ".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	defer os.Remove(tmp.Name())
	w := bufio.NewWriter(tmp)
	if err := fill(w); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := w.Flush(); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := os.Rename(tmp.Name(), name); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	return nil
}
