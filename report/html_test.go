package report

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/rlef/rlef/metrics"
)

// syntheticRuns returns an untuned and a tuned run on the same problems.
func syntheticRuns() []*Run {
	names := problemNames(6)
	return []*Run{
		{Dir: "runs/instruct", Info: baseInfo("llama-3.1-8b-instruct", names, 5, 3), Episodes: syntheticEpisodes(6, 5, 3, false)},
		{Dir: "runs/rlef", Info: baseInfo("llama-3.1-8b-rlef", names, 5, 3), Episodes: syntheticEpisodes(6, 5, 3, true)},
	}
}

var quickOpts = Options{PassK: []int{1, 3}, Bootstrap: metrics.Bootstrap{Resamples: 40}}

// externalRef finds anything that would make the page fetch: src or href
// with a scheme or protocol-relative URL, CSS url()/@import, <link>.
var externalRef = regexp.MustCompile(`(?i)(src|href)\s*=\s*["']?\s*(https?:|//)|url\(\s*["']?\s*(https?:|//)|@import|<link\b|<iframe\b|<img\b[^>]*src`)

// checkSelfContained fails when the page references anything outside.
func checkSelfContained(t *testing.T, html string) {
	t.Helper()
	if m := externalRef.FindString(html); m != "" {
		t.Errorf("page is not self-contained: found %q", m)
	}
	if strings.Contains(html, "<script src") {
		t.Errorf("page loads an external script")
	}
}

func TestReportHTML(t *testing.T) {
	as := AnalyzeAll(syntheticRuns(), quickOpts)
	var b bytes.Buffer
	if err := WriteHTML(&b, as); err != nil {
		t.Fatal(err)
	}
	html := b.String()
	checkSelfContained(t, html)
	for i := range as {
		for _, id := range []string{"budget", "by-turn", "outcomes", "fixes", "code-change"} {
			want := `data-chart="run` + string(rune('0'+i)) + "-" + id + `"`
			if !strings.Contains(html, want) {
				t.Errorf("page lacks chart %s", want)
			}
		}
		for _, id := range []string{"solve-rates", "st-vs-mt", "budget", "outcomes", "fixes", "code-change", "costs"} {
			if !strings.Contains(html, `data-table="`+id+`"`) {
				t.Errorf("page lacks table %s", id)
			}
		}
	}
	// Every episode is in the drill-down (5 samples × 6 problems × 2 runs).
	if n := strings.Count(html, `<details class="episode"`); n != 60 {
		t.Errorf("%d episodes in the drill-down, want 60", n)
	}
	for _, want := range []string{
		`<table class="diff">`, `class="d-ins"`, `class="d-del"`, "Same code as turn", "<summary>Reasoning",
		"Feedback the model received:", "No code extracted (invalid response).", `<span class="badge trunc">truncated</span>`,
		`data-final="infra"`, "model server: 503 Service Unavailable", `<form class="filters" hidden>`,
		"ZeroDivisionError: division by zero",
	} {
		if !strings.Contains(html, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	// Untrusted text is escaped.
	if strings.Contains(html, "<think>") {
		t.Errorf("model output is not escaped")
	}
}

func TestReportHTMLEpisodeLimit(t *testing.T) {
	o := quickOpts
	o.MaxEpisodes = 7
	var b bytes.Buffer
	if err := WriteHTML(&b, AnalyzeAll(syntheticRuns()[:1], o)); err != nil {
		t.Fatal(err)
	}
	html := b.String()
	if n := strings.Count(html, `<details class="episode"`); n != 7 {
		t.Errorf("%d episodes, want 7", n)
	}
	// Round-robin: all six problems, problem 0 twice.
	if n := strings.Count(html, `<details class="problem"`); n != 6 {
		t.Errorf("%d problems, want 6", n)
	}
	if !strings.Contains(html, "7 of 30 episodes (limited by --max-episodes") {
		t.Errorf("page does not say the drill-down is limited")
	}
}

func TestCompareHTML(t *testing.T) {
	runs := syntheticRuns()
	other := &Run{Dir: "runs/mbpp", Info: baseInfo("other", problemNames(6), 5, 3), Episodes: syntheticEpisodes(6, 5, 3, true)}
	other.Info.Benchmark = "mbpp+"
	c, err := Compare(append(runs, other), CompareOptions{Options: quickOpts})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := c.WriteHTML(&b); err != nil {
		t.Fatal(err)
	}
	html := b.String()
	checkSelfContained(t, html)
	for _, id := range []string{"cmp-table2", "cmp-paired", "cmp-budget", "cmp-fixes", "cmp-code-change"} {
		if !strings.Contains(html, `data-chart="`+id+`"`) {
			t.Errorf("page lacks chart %s", id)
		}
	}
	if !strings.Contains(html, "Refused paired comparisons") || !strings.Contains(html, `benchmark: A &#34;codecontests&#34;, B &#34;mbpp&#43;&#34;`) {
		t.Errorf("page does not show the refusal")
	}
	if strings.Contains(html, `<details class="episode"`) {
		t.Errorf("comparison page has a drill-down")
	}
}

// The self-containment check itself catches external references.
func TestSelfContainedCheck(t *testing.T) {
	for _, bad := range []string{
		`<script src="https://cdn.example/x.js">`, `<a href='http://x'>`, `<img src="data:x">`,
		`background: url(https://x/y.png)`, `<link rel=stylesheet href=x.css>`, `@import "x.css"`, `<a href="//cdn/x">`,
	} {
		if externalRef.FindString(bad) == "" {
			t.Errorf("check misses %q", bad)
		}
	}
}
