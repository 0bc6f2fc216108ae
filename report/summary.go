package report

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/rlef/rlef/episode"
	"github.com/rlef/rlef/internal/atomicfile"
	"github.com/rlef/rlef/metrics"
	"github.com/rlef/rlef/store"
)

// Summary computes the content of a run's summary.json from its store:
// [metrics.Summarize] over every recorded episode, infrastructure failures
// excluded and counted, with the run's turn limit and the defaults of
// [SummaryOptions].
func Summary(ctx context.Context, st *store.Store) (metrics.Summary, error) {
	info, ok, err := st.RunInfo(ctx)
	if err != nil {
		return metrics.Summary{}, fmt.Errorf("run summary: %w", err)
	}
	if !ok {
		info = nil
	}
	eps, err := st.Episodes(ctx)
	if err != nil {
		return metrics.Summary{}, fmt.Errorf("run summary: %w", err)
	}
	return SummarizeEpisodes(info, eps, Options{})
}

// SummarizeEpisodes computes a run's summary from episodes already in
// memory; info may be nil.
func SummarizeEpisodes(info *store.RunInfo, eps []*episode.Episode, o Options) (metrics.Summary, error) {
	rs, _ := Rollouts(eps)
	s, err := metrics.Summarize(rs, SummaryOptions(info, o))
	if err != nil {
		return metrics.Summary{}, fmt.Errorf("run summary: %w", err)
	}
	return s, nil
}

// WriteSummary computes [Summary] and writes it as indented JSON to path
// (usually RUN/summary.json), atomically.
func WriteSummary(ctx context.Context, st *store.Store, path string) error {
	s, err := Summary(ctx, st)
	if err != nil {
		return err
	}
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("write summary: %w", err)
	}
	return atomicfile.WriteFile(path, append(b, '\n'), 0o644)
}

// SummaryOptions are the [metrics.SummaryOptions] of a run: its configured
// turn limit (the longest rollout when info is nil), pass@k for o.PassK
// (1 and 10 by default), 10@100 when the run has the samples for it, and
// o's bootstrap and policy.
func SummaryOptions(info *store.RunInfo, o Options) metrics.SummaryOptions {
	so := metrics.SummaryOptions{PassK: o.PassK, Policy: o.Policy, Bootstrap: o.Bootstrap}
	if info != nil && info.Turns > 0 {
		so.TurnLimit = info.Turns
		if info.Samples >= 100/info.Turns {
			so.NAtK = []metrics.NK{{N: 10, K: 100}}
		}
	}
	return so
}
