package report

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/rlef/rlef/episode"
	"github.com/rlef/rlef/store"
)

// Run is one run directory loaded for reporting.
type Run struct {
	// Dir is the run directory as given.
	Dir string
	// Info is the run's description; nil when the store holds none (a
	// run directory written by hand or by an old version).
	Info *store.RunInfo
	// Episodes are the recorded episodes, infrastructure failures
	// included, ordered by problem and sample.
	Episodes []*episode.Episode
}

// Load reads the run in dir. It fails when dir is not a run directory.
func Load(ctx context.Context, dir string) (*Run, error) {
	st, err := store.OpenRun(ctx, dir, false)
	if err != nil {
		return nil, fmt.Errorf("load run: %w", err)
	}
	defer st.Close()
	return LoadStore(ctx, dir, st)
}

// LoadStore reads a run from an open store; dir only labels it.
func LoadStore(ctx context.Context, dir string, st *store.Store) (*Run, error) {
	info, ok, err := st.RunInfo(ctx)
	if err != nil {
		return nil, fmt.Errorf("load run %s: %w", dir, err)
	}
	if !ok {
		info = nil
	}
	eps, err := st.Episodes(ctx)
	if err != nil {
		return nil, fmt.Errorf("load run %s: %w", dir, err)
	}
	return &Run{Dir: dir, Info: info, Episodes: eps}, nil
}

// Done is the number of recorded episodes, infrastructure failures
// included.
func (r *Run) Done() int { return len(r.Episodes) }

// Expected is the number of episodes a complete run has; 0 when unknown.
func (r *Run) Expected() int {
	if r.Info == nil {
		return 0
	}
	return r.Info.Expected()
}

// TurnLimit is the configured turn limit; 0 when unknown.
func (r *Run) TurnLimit() int {
	if r.Info == nil {
		return 0
	}
	return r.Info.Turns
}

// Finished reports whether the run completed: it is marked finished and
// holds every expected episode.
func (r *Run) Finished() bool {
	return r.Info != nil && r.Info.Finished() && r.Done() >= r.Expected()
}

// Progress describes how far the run got, for example
// "finished, 600/600 episodes" or "UNFINISHED: 120/600 episodes (20.0%)".
func (r *Run) Progress() string {
	switch {
	case r.Info == nil:
		return fmt.Sprintf("unknown (no run description), %d episodes", r.Done())
	case r.Finished():
		return fmt.Sprintf("finished, %d/%d episodes", r.Done(), r.Expected())
	case r.Expected() == 0:
		return fmt.Sprintf("UNFINISHED: %d episodes, none expected", r.Done())
	default:
		return fmt.Sprintf("UNFINISHED: %d/%d episodes (%.1f%%)", r.Done(), r.Expected(), 100*float64(r.Done())/float64(r.Expected()))
	}
}

// Model names the run's model, or the directory's base name.
func (r *Run) Model() string {
	if r.Info != nil && r.Info.Model != "" {
		return r.Info.Model
	}
	return filepath.Base(filepath.Clean(r.Dir))
}

// labels names runs for tables: the model, with the directory added where
// two runs share a model.
func labels(runs []*Run) []string {
	seen := map[string]int{}
	for _, r := range runs {
		seen[r.Model()]++
	}
	out := make([]string, len(runs))
	for i, r := range runs {
		out[i] = r.Model()
		if seen[r.Model()] > 1 {
			out[i] = fmt.Sprintf("%s (%s)", r.Model(), filepath.Base(filepath.Clean(r.Dir)))
		}
	}
	return out
}
