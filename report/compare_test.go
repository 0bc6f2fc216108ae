package report

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/rlef/rlef/episode"
	"github.com/rlef/rlef/metrics"
	"github.com/rlef/rlef/store"
)

// betterEpisodes is run B of the hand-computed comparison: p1 solved by
// every sample at turn 1, p2 by one sample of four.
func betterEpisodes() []*episode.Episode {
	return []*episode.Episode{
		ep("p1", 0, true, AC), ep("p1", 1, true, AC), ep("p1", 2, true, AC), ep("p1", 3, true, AC),
		ep("p2", 0, true, WA, AC), ep("p2", 1, false, WA, WA, WA), ep("p2", 2, false, RE, RE, RE), ep("p2", 3, false, WA, WA, WA),
	}
}

func TestCompareHandComputed(t *testing.T) {
	da := writeRun(t, baseInfo("base", []string{"p1", "p2"}, 4, 3), smallEpisodes())
	db := writeRun(t, baseInfo("tuned", []string{"p2", "p1"}, 4, 3), betterEpisodes())
	c, err := Compare([]*Run{loadRun(t, da), loadRun(t, db)}, CompareOptions{Options: Options{Bootstrap: metrics.Bootstrap{Resamples: 50}}})
	if err != nil {
		t.Fatal(err)
	}
	if c.Err() != nil {
		t.Fatalf("refused: %v", c.Err())
	}
	tables := c.Tables()
	paired, table2 := tables[1], tables[0]
	cases := []struct {
		t              *Table
		row, col, want string
	}{
		// MT: p1 1/2 → 1, p2 2/3 → 1/4: ((1 − 1/2) + (1/4 − 2/3))/2 = 1/24.
		{&paired, "MT 1@3", "B − A (95% CI)", "+4.2"},
		{&paired, "MT 1@3", "B better / worse / tied", "1 / 1 / 0"},
		// Two non-zero differences, all four sign patterns at least as
		// extreme: p = 1.
		{&paired, "MT 1@3", "p", "1.000"},
		// ST: A p1 0, p2 1; B p1 1, p2 0.
		{&paired, "ST 1@3", "B − A (95% CI)", "0.0"},
		{&paired, "ST 1@3", "B better / worse / tied", "1 / 1 / 0"},
		{&table2, "base", "problems", "2"},
		{&table2, "tuned", "status", "finished, 8/8 episodes"},
	}
	// Paired rows are keyed by B's label; re-key them by setting.
	for i := range paired.Rows {
		paired.Rows[i] = append([]string{paired.Rows[i][2]}, paired.Rows[i]...)
	}
	paired.Header = append([]string{"key"}, paired.Header...)
	for _, tc := range cases {
		got := tc.t.Cell(tc.row, tc.col)
		if !strings.HasPrefix(got, tc.want) {
			t.Errorf("%s[%s][%s] = %q, want prefix %q", tc.t.ID, tc.row, tc.col, got, tc.want)
		}
	}
	if got := table2.Cell("tuned", "MT"); !strings.HasPrefix(got, "1@3 62.5 (") {
		t.Errorf("tuned MT %q, want 1@3 62.5 (...)", got)
	}
	var b bytes.Buffer
	if err := c.WriteMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"# rlef compare", "## Single-turn vs multi-turn at an equal budget (Table 2)", "| tuned | base | MT 1@3 |", "## Settings"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("markdown lacks %q:\n%s", want, b.String())
		}
	}
}

// A tuned model beats an untuned one on the realistic synthetic runs.
func TestCompareTunedVsUntuned(t *testing.T) {
	names := problemNames(8)
	runs := []*Run{
		{Dir: "untuned", Info: baseInfo("llama-8b-instruct", names, 6, 3), Episodes: syntheticEpisodes(8, 6, 3, false)},
		{Dir: "tuned", Info: baseInfo("llama-8b-rlef", names, 6, 3), Episodes: syntheticEpisodes(8, 6, 3, true)},
	}
	c, err := Compare(runs, CompareOptions{Options: Options{Bootstrap: metrics.Bootstrap{Resamples: 50}}})
	if err != nil || c.Err() != nil {
		t.Fatal(err, c.Err())
	}
	mt := c.Pairs[0].Results[len(c.Pairs[0].Results)-1]
	if mt.Setting != "MT 1@3" || mt.Diff.Value <= 0 {
		t.Errorf("tuned − untuned %s = %v, want > 0", mt.Setting, mt.Diff)
	}
	ua, ta := c.Analyses[0].Summary, c.Analyses[1].Summary
	if ua.STvsMT.Diff.Value >= ta.STvsMT.Diff.Value {
		t.Errorf("MT − ST: untuned %v, tuned %v; want tuned to gain more from turns", ua.STvsMT.Diff.Value, ta.STvsMT.Diff.Value)
	}
	if ua.InfraFailures != 1 {
		t.Errorf("untuned infra failures %d, want 1", ua.InfraFailures)
	}
}

func TestCheckComparable(t *testing.T) {
	names := []string{"p1", "p2"}
	finished := func(mod func(*store.RunInfo)) *Run {
		info := baseInfo("m", names, 1, 3)
		if mod != nil {
			mod(info)
		}
		eps := make([]*episode.Episode, info.Expected())
		for i := range eps {
			eps[i] = ep(info.Problems[i%len(info.Problems)], i/len(info.Problems), true, AC)
		}
		return &Run{Dir: "runs/" + info.Model, Info: info, Episodes: eps}
	}
	base := finished(nil)
	cases := []struct {
		name  string
		b     *Run
		allow bool
		want  []string // substrings of the error; nil means comparable
	}{
		{"same", finished(func(i *store.RunInfo) { i.Model = "other"; i.Seed = 9; i.Profile = "deepseek-r1" }), false, nil},
		{"benchmark", finished(func(i *store.RunInfo) { i.Benchmark = "humaneval+" }), false,
			[]string{`benchmark: A "codecontests", B "humaneval+"`, "never allowed"}},
		{"benchmark allowed is still refused", finished(func(i *store.RunInfo) { i.Benchmark = "humaneval+" }), true,
			[]string{`benchmark: A "codecontests", B "humaneval+"`}},
		{"data version", finished(func(i *store.RunInfo) { i.DataVersion = "v2" }), true,
			[]string{`data_version: A "sha256:0123456789abcdef", B "v2"`}},
		{"problems", finished(func(i *store.RunInfo) { i.Problems = []string{"p1", "p3"} }), true,
			[]string{`problems: A 2 problems (1 not in the other: "p2"), B 2 problems (1 not in the other: "p3")`}},
		{"protocol", finished(func(i *store.RunInfo) { i.Turns = 5; i.Temperature = ptr(1); i.Feedback = "random" }), false,
			[]string{"turns: A 3, B 5", "temperature: A 0.2, B 1", `feedback: A "rlef", B "random"`, "--allow-different-settings"}},
		{"protocol allowed", finished(func(i *store.RunInfo) { i.Turns = 5; i.Samples = 2 }), true, nil},
		{"unfinished", &Run{Dir: "runs/half", Info: baseInfo("m", names, 2, 3), Episodes: finished(nil).Episodes[:1]}, false,
			[]string{"run B (runs/half) is UNFINISHED: 1/4 episodes (25.0%)", "samples: A 1, B 2"}},
		{"no description", &Run{Dir: "runs/bare"}, true, []string{"run B (runs/bare) has no run description"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			allowed, err := CheckComparable(base, tc.b, tc.allow)
			if tc.want == nil {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if tc.allow && len(allowed) == 0 {
					t.Errorf("no allowed differences reported")
				}
				return
			}
			var nc *NotComparableError
			if !errors.As(err, &nc) {
				t.Fatalf("err = %v, want *NotComparableError", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

// An unfinished run is reported, marked, and refused for comparison.
func TestUnfinishedRun(t *testing.T) {
	info := baseInfo("half", []string{"p1", "p2"}, 4, 3)
	info.FinishedAt = time.Time{}
	dir := writeRun(t, info, smallEpisodes()[:5])
	r := loadRun(t, dir)
	if r.Finished() || r.Progress() != "UNFINISHED: 5/8 episodes (62.5%)" {
		t.Errorf("progress %q finished %v", r.Progress(), r.Finished())
	}
	var b bytes.Buffer
	if err := WriteMarkdown(&b, []*Analysis{Analyze(r, Options{Bootstrap: metrics.Bootstrap{Resamples: 20}})}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "**Status: UNFINISHED: 5/8 episodes (62.5%)** — the numbers below cover only the episodes recorded so far.") ||
		!strings.Contains(b.String(), "### Solve rates") {
		t.Errorf("report of an unfinished run:\n%s", b.String())
	}
	full := loadRun(t, writeRun(t, baseInfo("full", []string{"p1", "p2"}, 4, 3), smallEpisodes()))
	c, err := Compare([]*Run{full, r}, CompareOptions{Options: Options{Bootstrap: metrics.Bootstrap{Resamples: 20}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Refused) != 1 || !strings.Contains(c.Err().Error(), "is UNFINISHED: 5/8 episodes (62.5%)") {
		t.Errorf("refusals %v", c.Err())
	}
	b.Reset()
	if err := c.WriteMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "## Refused paired comparisons") || !strings.Contains(b.String(), "| half | codecontests @ sha256:01234 | UNFINISHED: 5/8 episodes (62.5%) |") {
		t.Errorf("comparison markdown:\n%s", b.String())
	}
	// A store without a run description still reports, with the turn
	// limit taken from the longest rollout.
	bare := loadRun(t, writeRun(t, nil, smallEpisodes()))
	b.Reset()
	if err := WriteMarkdown(&b, []*Analysis{Analyze(bare, Options{Bootstrap: metrics.Bootstrap{Resamples: 20}})}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "No run description is stored") || !strings.Contains(b.String(), "| 1@3 | 58.3 |") ||
		!strings.Contains(b.String(), "**Status: unknown (no run description), 8 episodes**") {
		t.Errorf("report of a run without description:\n%s", b.String())
	}
	// A run with nothing recorded yet still reports.
	empty := &Run{Dir: "runs/empty", Info: info}
	b.Reset()
	if err := WriteMarkdown(&b, []*Analysis{Analyze(empty, Options{})}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "UNFINISHED: 0/8 episodes (0.0%)") || !strings.Contains(b.String(), "No metrics: no episodes recorded yet.") {
		t.Errorf("empty run report:\n%s", b.String())
	}
}

// A single-turn run against a multi-turn run of the same model compares
// three independent samples with one three-turn rollout (Table 2).
func TestCompareSingleTurnRun(t *testing.T) {
	st := baseInfo("m-st", []string{"p1", "p2"}, 4, 1)
	stRun := &Run{Dir: "st", Info: st, Episodes: []*episode.Episode{
		ep("p1", 0, true, AC), ep("p1", 1, false, WA), ep("p1", 2, false, WA), ep("p1", 3, false, WA),
		ep("p2", 0, false, WA), ep("p2", 1, false, WA), ep("p2", 2, false, WA), ep("p2", 3, false, WA),
	}}
	mtRun := &Run{Dir: "mt", Info: baseInfo("m-mt", []string{"p1", "p2"}, 4, 3), Episodes: betterEpisodes()}
	c, err := Compare([]*Run{stRun, mtRun}, CompareOptions{AllowDifferentSettings: false})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Refused) != 1 || !strings.Contains(c.Err().Error(), "turns: A 1, B 3") {
		t.Fatalf("different turn limits not refused: %v", c.Err())
	}
	c, err = Compare([]*Run{stRun, mtRun}, CompareOptions{AllowDifferentSettings: true, Options: Options{Bootstrap: metrics.Bootstrap{Resamples: 20}}})
	if err != nil || c.Err() != nil {
		t.Fatal(err, c.Err())
	}
	r := c.Pairs[0].Results
	if len(r) != 1 || r[0].Setting != "ST 1@3 vs MT 1@3" {
		t.Fatalf("results %+v", r)
	}
	// ST 1@3 over four samples: p1 has one public-passing correct sample:
	// 1 − C(3,3)/C(4,3) = 3/4; p2 0. MT (betterEpisodes): p1 1, p2 1/4.
	near := func(name string, got, want float64) {
		if d := got - want; d > 1e-9 || d < -1e-9 {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	near("A", r[0].A.Value, 3.0/8)
	near("B", r[0].B.Value, 5.0/8)
	near("B − A", r[0].Diff.Value, 2.0/8)
	// Table 2 shows the single-turn run's ST 1@3 beside the rollouts' MT.
	t2 := c.Tables()[0]
	if got := t2.Cell("m-st", "ST"); !strings.HasPrefix(got, "1@3 37.5 (") {
		t.Errorf("single-turn run's ST cell %q, want 1@3 37.5 (…)", got)
	}
	if got := t2.Cell("m-st", "MT"); got != "–" {
		t.Errorf("single-turn run's MT cell %q, want –", got)
	}
}
