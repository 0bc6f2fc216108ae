package report

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rlef/rlef/episode"
	"github.com/rlef/rlef/judge"
	"github.com/rlef/rlef/store"
	"github.com/rlef/rlef/verdict"
)

// Short verdict names for building episodes.
const (
	AC  = verdict.Accepted
	WA  = verdict.WrongAnswer
	RE  = verdict.RuntimeError
	TLE = verdict.TimeLimit
	MLE = verdict.MemoryLimit
	INV = verdict.Invalid
)

// turnSpec is one turn of a synthetic episode.
type turnSpec struct {
	v         verdict.Verdict
	code      string // "" for an invalid turn; otherwise defaulted
	truncated bool
}

// ep builds an episode of problem p: one turn per verdict, each with 100
// prompt tokens, 50 completion tokens and one second of latency; code
// "print(<problem>, <turn>)" unless codes gives it (same index).
func ep(p string, sample int, passed bool, vs ...verdict.Verdict) *episode.Episode {
	specs := make([]turnSpec, len(vs))
	for i, v := range vs {
		specs[i] = turnSpec{v: v}
		if v != INV {
			specs[i].code = fmt.Sprintf("def solve(x):\n    return x + %d  # %s sample %d\n\nprint(solve(int(input())))\n", i, p, sample)
		}
	}
	return epTurns(p, sample, passed, specs...)
}

// epTurns builds an episode from turn specs, with public-test results,
// feedback and final results filled in.
func epTurns(p string, sample int, passed bool, specs ...turnSpec) *episode.Episode {
	e := &episode.Episode{Problem: p, Sample: sample, Passed: passed, Reward: episode.RewardFail}
	if passed {
		e.Reward = episode.RewardPass
	}
	user := fmt.Sprintf("Solve problem %s.\nRead an integer x and print x + 1.\n\nExamples:\ninput 1, output 2", p)
	for i, s := range specs {
		t := episode.Turn{
			Index: i + 1, User: user, Verdict: s.v, Code: s.code, Truncated: s.truncated,
			PromptTokens: 100, CompletionTokens: 50, Latency: time.Second,
			Reasoning:    fmt.Sprintf("Thinking about %s, attempt %d.", p, i+1),
			FinishReason: "stop",
		}
		if s.truncated {
			t.FinishReason = "length"
		}
		if s.code != "" {
			t.Rule = "fenced"
			t.Answer = "Here is my solution:\n```python\n" + s.code + "```\n"
			t.Public = publicResult(s.v)
		} else {
			t.Answer = "I am not sure how to write this"
		}
		t.Response = "<think>" + t.Reasoning + "</think>" + t.Answer
		if i < len(specs)-1 {
			t.Feedback = fmt.Sprintf("Your code failed the public tests with %s. Give it another try.", s.v)
			user = t.Feedback
		}
		e.Turns = append(e.Turns, t)
	}
	if n := len(e.Turns); n > 0 {
		e.FinalCode = e.Turns[n-1].Code
		v := WA
		if passed {
			v = AC
		}
		e.Final = []judge.SuiteResult{{Name: "private", Verdict: v, Passed: 3, Total: 5}}
	}
	return e
}

// publicResult is a two-test public suite whose second test fails with v.
func publicResult(v verdict.Verdict) *judge.SuiteResult {
	r := &judge.SuiteResult{Name: "public", Verdict: v, Total: 2}
	r.Tests = append(r.Tests, judge.TestResult{Index: 0, Verdict: AC, Input: "1\n", Expected: "2\n", Actual: "2\n"})
	second := judge.TestResult{Index: 1, Verdict: v, Input: "41\n", Expected: "42\n"}
	switch v {
	case AC:
		second.Actual = "42\n"
	case WA:
		second.Actual = "43\n"
	case RE:
		second.Traceback = "Traceback (most recent call last):\n  File \"main.py\", line 4\nZeroDivisionError: division by zero"
		second.Error = "ZeroDivisionError: division by zero"
	case TLE:
		second.Message = "time limit of 2s exceeded"
	}
	r.Tests = append(r.Tests, second)
	for _, t := range r.Tests {
		if t.Verdict == AC {
			r.Passed++
		}
	}
	return r
}

func infraEp(p string, sample int, reason string) *episode.Episode {
	return &episode.Episode{Problem: p, Sample: sample, Infra: reason}
}

func ptr(x float64) *float64 { return &x }

// baseInfo is a finished run's description.
func baseInfo(model string, problems []string, samples, turns int) *store.RunInfo {
	return &store.RunInfo{
		Benchmark: "codecontests", DataVersion: "sha256:0123456789abcdef", Problems: problems,
		Model: model, BaseURL: "http://127.0.0.1:9/v1", API: "chat", Profile: "llama3",
		Temperature: ptr(0.2), TopP: ptr(0.95), MaxTokens: 2048,
		Turns: turns, Samples: samples, Feedback: "rlef", Extraction: "fenced", Seed: 1,
		Language: "python", Version: "test",
		CreatedAt: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC), FinishedAt: time.Date(2025, 1, 2, 4, 4, 5, 0, time.UTC),
	}
}

// writeRun creates a run directory holding info (nil for none) and eps.
func writeRun(t testing.TB, info *store.RunInfo, eps []*episode.Episode) string {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	st, err := store.OpenRun(ctx, dir, true)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if info != nil {
		if err := st.SetRunInfo(ctx, info); err != nil {
			t.Fatal(err)
		}
	}
	for _, e := range eps {
		if err := st.PutEpisode(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func loadRun(t testing.TB, dir string) *Run {
	t.Helper()
	r, err := Load(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// smallEpisodes is the hand-computed run of the metric tests (turn limit
// 3, four samples of two problems):
//
//	p1: [WA AC] pass, [AC] fail, [INV(truncated) TLE AC] pass, [WA WA RE] fail
//	p2: [WA WA WA] fail (same code every turn), [RE AC] pass, [AC] pass, infra
func smallEpisodes() []*episode.Episode {
	stuck := "print(int(input()) + 2)\n"
	e13 := ep("p1", 3, false, WA, WA, RE)
	e13.Turns[1].Code = e13.Turns[0].Code
	return []*episode.Episode{
		ep("p1", 0, true, WA, AC),
		ep("p1", 1, false, AC),
		epTurns("p1", 2, true, turnSpec{v: INV, truncated: true}, turnSpec{v: TLE, code: "while True: pass\n"}, turnSpec{v: AC, code: "print(int(input()) + 1)\n"}),
		e13,
		epTurns("p2", 0, false, turnSpec{v: WA, code: stuck}, turnSpec{v: WA, code: stuck}, turnSpec{v: WA, code: stuck}),
		ep("p2", 1, true, RE, AC),
		ep("p2", 2, true, AC),
		infraEp("p2", 3, "sandbox: cgroup setup failed: permission denied\nmore detail"),
	}
}

// syntheticEpisodes builds a realistic run of a model on problems
// "cc/000".."cc/NNN": an untuned model mostly repeats its code and rarely
// fixes an error, a tuned one rewrites it and often does. Outcomes are
// deterministic in (problem, sample).
func syntheticEpisodes(problems, samples, turns int, tuned bool) []*episode.Episode {
	var out []*episode.Episode
	for p := range problems {
		name := fmt.Sprintf("cc/%03d", p)
		for s := range samples {
			h := (p*7919 + s*104729 + 17) % 1000
			if !tuned && p == 1 && s == 0 {
				out = append(out, infraEp(name, s, "model server: 503 Service Unavailable"))
				continue
			}
			difficulty := p * 1000 / problems // harder problems later
			var specs []turnSpec
			passed := false
			code := fmt.Sprintf("n = int(input())\nprint(n * %d)\n", p+s)
			for t := range turns {
				r := (h + t*331) % 1000
				var v verdict.Verdict
				switch {
				case t == 0 && r < 600-difficulty/2:
					v = AC
				case t > 0 && tuned && r < 550-difficulty/3:
					v = AC
				case t > 0 && !tuned && r < 120:
					v = AC
				case r%10 == 0 && !tuned:
					v = INV
				case r%7 == 0:
					v = TLE
				case r%5 == 0:
					v = RE
				case r%23 == 0:
					v = MLE
				default:
					v = WA
				}
				spec := turnSpec{v: v, truncated: v == INV && r%20 == 0}
				if v != INV {
					if t > 0 {
						if tuned {
							code = fmt.Sprintf("import sys\n\ndef main():\n    data = sys.stdin.read().split()\n    n = int(data[0])\n    total = 0\n    for i in range(n):\n        total += i * %d\n    print(total)\n\nmain()\n", t+p)
						} else if r%3 == 0 {
							code = strings.Replace(code, "print(", "print( ", 1)
						}
					}
					spec.code = code
				}
				specs = append(specs, spec)
				if v == AC {
					passed = (h+t)%10 != 0 // a few public passes fail the private tests
					break
				}
			}
			out = append(out, epTurns(name, s, passed, specs...))
		}
	}
	return out
}

func problemNames(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("cc/%03d", i)
	}
	return out
}

const verdictSandbox = verdict.SandboxError
