package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/rlef/rlef/episode"
	"github.com/rlef/rlef/metrics"
)

// oneRolloutEpisodes gives each of four problems one rollout: p1 and p3
// solved at turn 1, p2 and p4 failed after three turns.
func oneRolloutEpisodes() []*episode.Episode {
	return []*episode.Episode{
		ep("p1", 0, true, AC), ep("p2", 0, false, WA, WA, WA),
		ep("p3", 0, true, AC), ep("p4", 0, false, RE, WA, WA),
	}
}

// One rollout per problem: the paper's bootstrap collapses to the point
// 50.0 (50.0–50.0); the two-level one, chosen automatically, is the
// bootstrap over problems, whose replicate is X/4 with X ~ Binomial(4,
// 1/2): P(X = 0) = P(X = 4) = 1/16 > 2.5%, so the interval is 0 to 100.
// The report says which bootstrap it used and why, in Markdown and HTML.
func TestReportSingleRolloutIntervals(t *testing.T) {
	dir := writeRun(t, baseInfo("one-shot", []string{"p1", "p2", "p3", "p4"}, 1, 3), oneRolloutEpisodes())
	run := loadRun(t, dir)
	cases := []struct {
		method  metrics.CIMethod
		cell    string
		noteHas []string
		used    metrics.CIMethod
	}{
		{metrics.CIAuto, "0.0–100.0", []string{"two-level bootstrap", "chosen automatically: 4 of 4 problems have a single rollout", "false precision"}, metrics.CITwoLevel},
		{metrics.CIWithin, "50.0–50.0", []string{"the paper's bootstrap", "as requested; warning: 4 of 4 problems have a single rollout", "understate"}, metrics.CIWithin},
		{metrics.CITwoLevel, "0.0–100.0", []string{"two-level bootstrap", "as requested"}, metrics.CITwoLevel},
	}
	for _, tc := range cases {
		a := Analyze(run, Options{Bootstrap: metrics.Bootstrap{Resamples: 4000, Seed: 1, Method: tc.method}})
		if a.Err != nil {
			t.Fatal(a.Err)
		}
		if a.Summary.CI.Method != tc.used {
			t.Errorf("%s: used %s, want %s", tc.method, a.Summary.CI.Method, tc.used)
		}
		sr := a.Table("solve-rates")
		if got := sr.Cell("1@3", "95% CI"); got != tc.cell {
			t.Errorf("%s: 1@3 CI %q, want %q", tc.method, got, tc.cell)
		}
		var md, page bytes.Buffer
		if err := WriteMarkdown(&md, []*Analysis{a}); err != nil {
			t.Fatal(err)
		}
		if err := WriteHTML(&page, []*Analysis{a}); err != nil {
			t.Fatal(err)
		}
		for _, want := range tc.noteHas {
			if !strings.Contains(sr.Note, want) {
				t.Errorf("%s: solve-rate note %q lacks %q", tc.method, sr.Note, want)
			}
			if !strings.Contains(md.String(), want) {
				t.Errorf("%s: Markdown lacks %q", tc.method, want)
			}
			if !strings.Contains(page.String(), strings.ReplaceAll(want, "'", "&#39;")) {
				t.Errorf("%s: HTML lacks %q", tc.method, want)
			}
		}
	}
}

// Many rollouts per problem keep the paper's bootstrap by default.
func TestReportManyRolloutsKeepPaperBootstrap(t *testing.T) {
	a := smallAnalysis(t)
	if a.Summary.CI.Method != metrics.CIWithin {
		t.Errorf("method %s, want within", a.Summary.CI.Method)
	}
	note := a.Table("solve-rates").Note
	if !strings.Contains(note, "the paper's bootstrap") || !strings.Contains(note, "chosen automatically because every problem has at least two rollouts") {
		t.Errorf("note %q", note)
	}
	if st := a.Table("st-vs-mt"); st == nil || !strings.HasSuffix(st.Note, "Intervals: within.") {
		t.Errorf("ST vs MT note does not name the bootstrap: %+v", st)
	}
}

// A comparison of single-rollout runs names the two-level bootstrap in
// its "intervals" columns.
func TestCompareSingleRolloutIntervals(t *testing.T) {
	names := []string{"p1", "p2", "p3", "p4"}
	da := writeRun(t, baseInfo("base", names, 1, 3), oneRolloutEpisodes())
	better := []*episode.Episode{
		ep("p1", 0, true, AC), ep("p2", 0, true, WA, AC),
		ep("p3", 0, true, AC), ep("p4", 0, false, RE, WA, WA),
	}
	db := writeRun(t, baseInfo("tuned", names, 1, 3), better)
	c, err := Compare([]*Run{loadRun(t, da), loadRun(t, db)}, CompareOptions{Options: Options{Bootstrap: metrics.Bootstrap{Resamples: 200}}})
	if err != nil {
		t.Fatal(err)
	}
	if c.Err() != nil {
		t.Fatalf("refused: %v", c.Err())
	}
	tables := c.Tables()
	table2, paired := tables[0], tables[1]
	want := "two-level (auto: 4 of 4 problems have a single rollout)"
	for _, run := range []string{"base", "tuned"} {
		if got := table2.Cell(run, "intervals"); got != want {
			t.Errorf("Table 2 %s intervals %q, want %q", run, got, want)
		}
	}
	if got := paired.Cell("tuned", "intervals"); got != want {
		t.Errorf("paired intervals %q, want %q", got, want)
	}
	if got := paired.Cell("tuned", "A %"); got == "50.0 (50.0–50.0)" || !strings.HasPrefix(got, "50.0 (") {
		t.Errorf("A %% cell %q: want 50.0 with an interval that has width", got)
	}
	var b bytes.Buffer
	if err := c.WriteMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `"two-level" resamples problems`) {
		t.Errorf("comparison Markdown does not explain the intervals:\n%s", b.String())
	}
}
