package report

import (
	"fmt"
	"strings"

	"github.com/rlef/rlef/episode"
	"github.com/rlef/rlef/judge"
	"github.com/rlef/rlef/verdict"
)

// Limits of the drill-down's text fields, so one huge test input does
// not swamp the page.
const (
	maxFieldChars = 4000
	maxTextChars  = 64000
	diffContext   = 3
)

// problemView groups one problem's episodes in the drill-down.
type problemView struct {
	ID       string
	Solved   int
	Usable   int
	Infra    int
	Episodes []episodeView
}

type episodeView struct {
	Sample int
	// Final is "passed", "failed" or "infra".
	Final    string
	Infra    string
	Verdicts string // space-separated turn verdicts, for the filter
	Turns    []turnView
	Suites   []judge.SuiteResult
	Return   float64
}

type turnView struct {
	Index int
	// UserKind is "Prompt" or "Feedback".
	UserKind  string
	User      string
	Reasoning string
	Answer    string
	Response  string
	Verdict   verdict.Verdict
	Label     string
	Code      string
	// DiffFrom is the earlier turn Diff compares against (0: none).
	DiffFrom  int
	Diff      []DiffLine
	Changed   bool
	Tests     []testView
	Passed    int
	Total     int
	Meta      string
	Truncated bool
}

type testView struct {
	Index    int
	Verdict  verdict.Verdict
	Input    string
	Expected string
	Actual   string
	Detail   string
}

// selectEpisodes picks at most limit episodes (0: all), spread over
// problems by taking samples round-robin, and groups them by problem;
// each group counts all of its problem's episodes.
func selectEpisodes(eps []*episode.Episode, limit int) []problemView {
	var order []string
	byProblem := map[string][]*episode.Episode{}
	for _, e := range eps {
		if _, ok := byProblem[e.Problem]; !ok {
			order = append(order, e.Problem)
		}
		byProblem[e.Problem] = append(byProblem[e.Problem], e)
	}
	keep := map[*episode.Episode]bool{}
	if limit <= 0 || limit >= len(eps) {
		for _, e := range eps {
			keep[e] = true
		}
	} else {
		for round := 0; len(keep) < limit; round++ {
			for _, p := range order {
				if round < len(byProblem[p]) && len(keep) < limit {
					keep[byProblem[p][round]] = true
				}
			}
		}
	}
	var out []problemView
	for _, p := range order {
		pv := problemView{ID: p}
		for _, e := range byProblem[p] {
			switch {
			case infraReason(e) != "":
				pv.Infra++
			case e.Passed:
				pv.Solved++
				pv.Usable++
			default:
				pv.Usable++
			}
			if keep[e] {
				pv.Episodes = append(pv.Episodes, viewEpisode(e))
			}
		}
		if len(pv.Episodes) > 0 {
			out = append(out, pv)
		}
	}
	return out
}

func viewEpisode(e *episode.Episode) episodeView {
	v := episodeView{Sample: e.Sample, Final: "failed", Suites: e.Final, Return: e.Return}
	if r := infraReason(e); r != "" {
		v.Final, v.Infra = "infra", r
	} else if e.Passed {
		v.Final = "passed"
	}
	var verdicts []string
	prevCode, prevTurn := "", 0
	for i, t := range e.Turns {
		tv := turnView{
			Index: t.Index, User: clip(t.User, maxTextChars), Reasoning: clip(t.Reasoning, maxTextChars),
			Answer: clip(t.Answer, maxTextChars), Response: clip(t.Response, maxTextChars),
			Verdict: t.Verdict, Label: verdictLabel(t.Verdict), Code: clip(t.Code, maxTextChars), Truncated: t.Truncated,
			UserKind: "Prompt",
		}
		if tv.Index == 0 {
			tv.Index = i + 1
		}
		if i > 0 {
			tv.UserKind = "Feedback"
		}
		if strings.TrimSpace(t.Code) != "" && prevCode != "" {
			tv.DiffFrom = prevTurn
			tv.Diff = FoldDiff(LineDiff(prevCode, t.Code), diffContext)
			tv.Changed = prevCode != t.Code
		}
		if strings.TrimSpace(t.Code) != "" {
			prevCode, prevTurn = t.Code, tv.Index
		}
		if t.Public != nil {
			tv.Passed, tv.Total = t.Public.Passed, t.Public.Total
			for _, tr := range t.Public.Tests {
				tv.Tests = append(tv.Tests, viewTest(tr))
			}
		}
		tv.Meta = turnMeta(t)
		verdicts = append(verdicts, string(t.Verdict))
		v.Turns = append(v.Turns, tv)
	}
	v.Verdicts = strings.Join(verdicts, " ")
	return v
}

// verdictLabel is the Fig. 3 category of a verdict, or "?" when unset.
func verdictLabel(v verdict.Verdict) string {
	if v == "" {
		return "?"
	}
	return strings.ToUpper(strings.ReplaceAll(string(v), "_", " "))
}

func viewTest(t judge.TestResult) testView {
	var detail []string
	for _, s := range []string{t.Error, t.AssertionError, t.Assertion, t.Message, t.Traceback, t.Stderr} {
		if s = strings.TrimSpace(s); s != "" && !containsString(detail, s) {
			detail = append(detail, s)
		}
	}
	if t.Truncated {
		detail = append(detail, "(output truncated)")
	}
	return testView{
		Index: t.Index, Verdict: t.Verdict,
		Input: clip(t.Input, maxFieldChars), Expected: clip(t.Expected, maxFieldChars), Actual: clip(t.Actual, maxFieldChars),
		Detail: clip(strings.Join(detail, "\n"), maxFieldChars),
	}
}

func containsString(ss []string, s string) bool {
	for _, x := range ss {
		if strings.Contains(x, s) {
			return true
		}
	}
	return false
}

// turnMeta summarises a model call: tokens, latency, finish reason.
func turnMeta(t episode.Turn) string {
	parts := []string{fmt.Sprintf("%d+%d tokens", t.PromptTokens, t.CompletionTokens)}
	if t.Latency > 0 {
		parts = append(parts, t.Latency.Round(1e6).String())
	}
	if t.FinishReason != "" {
		parts = append(parts, "finish "+t.FinishReason)
	}
	if t.Rule != "" {
		parts = append(parts, "extracted by "+t.Rule)
	}
	if t.Cached {
		parts = append(parts, "cached")
	}
	return strings.Join(parts, " · ")
}
