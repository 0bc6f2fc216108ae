package eval

import (
	"context"
	"encoding/json"
	"io"
	"path/filepath"

	"github.com/rlef/rlef/episode"
	"github.com/rlef/rlef/internal/atomicfile"
	"github.com/rlef/rlef/store"
)

// File names in a run directory, besides the store. The summary is
// written by report.WriteSummary.
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
	return atomicfile.Write(filepath.Join(dir, TurnsFile), 0o644, func(w io.Writer) error {
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
