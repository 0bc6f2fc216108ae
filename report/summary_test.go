package report

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/rlef/rlef/metrics"
	"github.com/rlef/rlef/store"
)

// Summary reads a run's store and computes what summary.json holds.
func TestSummaryFromStore(t *testing.T) {
	ctx := context.Background()
	dir := writeRun(t, baseInfo("m", []string{"p1", "p2"}, 4, 3), smallEpisodes())
	st, err := store.OpenRun(ctx, dir, false)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	s, err := Summary(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	if s.TurnLimit != 3 || s.Problems != 2 || s.Rollouts != 7 || s.InfraFailures != 1 {
		t.Errorf("summary counts: T %d problems %d rollouts %d infra %d", s.TurnLimit, s.Problems, s.Rollouts, s.InfraFailures)
	}
	if got := pct(s.SolveRate.Value); s.SolveRate.Name != "1@3" || got != "58.3" {
		t.Errorf("solve rate %s = %s, want 1@3 = 58.3", s.SolveRate.Name, got)
	}
	path := filepath.Join(dir, "summary.json")
	if err := WriteSummary(ctx, st, path); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var back metrics.Summary
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.SolveRate != s.SolveRate || back.InfraFailures != 1 {
		t.Errorf("summary.json round trip: %+v", back.SolveRate)
	}
}

func TestSummaryOptions(t *testing.T) {
	cases := []struct {
		turns, samples int
		wantT          int
		want10at100    bool
	}{
		{3, 200, 3, true},
		{3, 33, 3, true},
		{3, 20, 3, false},
		{1, 100, 1, true},
		{0, 5, 0, false},
	}
	for _, c := range cases {
		info := baseInfo("m", nil, c.samples, c.turns)
		o := SummaryOptions(info, Options{})
		if o.TurnLimit != c.wantT || (len(o.NAtK) == 1) != c.want10at100 {
			t.Errorf("turns %d samples %d: T %d n@k %v", c.turns, c.samples, o.TurnLimit, o.NAtK)
		}
	}
	if o := SummaryOptions(nil, Options{}); o.TurnLimit != 0 || o.NAtK != nil {
		t.Errorf("no info: %+v", o)
	}
}

// An empty store has no summary, with a clear error.
func TestSummaryEmpty(t *testing.T) {
	ctx := context.Background()
	dir := writeRun(t, baseInfo("m", []string{"p1"}, 1, 3), nil)
	st, err := store.OpenRun(ctx, dir, false)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := Summary(ctx, st); err == nil {
		t.Errorf("summary of an empty run: no error")
	}
}
