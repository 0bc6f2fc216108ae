package judge

import (
	"context"
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/rlef/rlef/dataset"
	"github.com/rlef/rlef/internal/shareddata"
	"github.com/rlef/rlef/internal/testenv"
	"github.com/rlef/rlef/verdict"
)

// lcbTruncate is LiveCodeBench's truncatefn: strings over 300 characters
// keep their first and last 150.
func lcbTruncate(s string) string {
	r := []rune(s)
	if len(r) <= 300 {
		return s
	}
	return string(r[:150]) + "...(truncated) ..." + string(r[len(r)-150:])
}

// pythonStr renders JSON argument lists as LiveCodeBench's metadata does:
// truncatefn(str(args)). It asks the local Python (data only, no code
// under test runs here).
func pythonStr(t *testing.T, inputs []string) []string {
	t.Helper()
	python, err := exec.LookPath("python3")
	if err != nil {
		testenv.Missing(t, "no python3 to render LiveCodeBench metadata: %v", err)
	}
	in, _ := json.Marshal(inputs)
	script := `
import json, sys
def truncatefn(s, length=300):
    s = s if isinstance(s, str) else str(s)
    return s if len(s) <= length else s[: length // 2] + "...(truncated) ..." + s[-length // 2 :]
print(json.dumps([truncatefn(json.loads(x)) for x in json.loads(sys.stdin.read())]))
`
	cmd := exec.Command(python, "-c", script)
	cmd.Stdin = strings.NewReader(string(in))
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python: %v", err)
	}
	var res []string
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatal(err)
	}
	return res
}

// TestLiveCodeBenchAgreement checks rlef against the official LiveCodeBench
// verdicts of o1-mini's 880 programs, on the public tests (the file has no
// private tests): every officially passing program passes them, and every
// officially failing program whose first failing test (recorded in the
// metadata) is a public test fails them. -short judges 24 programs.
func TestLiveCodeBenchAgreement(t *testing.T) {
	testJudge(t)
	// LiveCodeBench's own per-test limit is 6 s.
	j, err := New(sharedPool, Options{TimeLimit: 6 * time.Second, CacheDir: sharedDir, Logger: testLogger()})
	if err != nil {
		t.Fatal(err)
	}
	gs, err := dataset.LoadLCBSubmissions(
		shareddata.Path(t, "livecodebench", "O1-Mini-2024-09-12_N1.codegeneration_1_0.2_eval_all.json"),
		shareddata.Path(t, "livecodebench", "rllm_test_livecodebench_879.json"))
	if err != nil {
		t.Fatal(err)
	}
	// Which official failures happened on a public test.
	type meta struct {
		ErrorCode int    `json:"error_code"`
		Inputs    string `json:"inputs"`
	}
	var funcInputs []string
	for _, p := range gs.Set.Problems {
		if p.Mode != dataset.ModeStdio {
			for _, tc := range p.Public {
				funcInputs = append(funcInputs, tc.Input)
			}
		}
	}
	rendered := map[string]string{}
	for i, s := range pythonStr(t, funcInputs) {
		rendered[funcInputs[i]] = s
	}
	failsOnPublic := func(p *dataset.Problem, m meta) bool {
		for _, tc := range p.Public {
			r := lcbTruncate(tc.Input)
			if p.Mode != dataset.ModeStdio {
				r = rendered[tc.Input]
			}
			if r == m.Inputs {
				return true
			}
		}
		return false
	}
	var tasks []Task
	var samples []dataset.GradedSample
	for _, s := range testenv.ShortSample(gs.Samples, 24) {
		p, ok := gs.Set.Lookup(s.ProblemID)
		if !ok {
			continue
		}
		tasks = append(tasks, Task{Problem: p, Submission: Submission{Code: s.Code},
			Suites: []Suite{{Name: "public", Kind: Public, StopOnFailure: true}}})
		samples = append(samples, s)
	}
	start := time.Now()
	results := make([]*Result, len(tasks))
	err = j.Batch(context.Background(), tasks, 0, func(i int, r *Result, err error) error {
		if err != nil {
			t.Errorf("%s: %v", tasks[i].Problem.ID, err)
		}
		results[i] = r
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("judged %d programs in %s", len(tasks), time.Since(start).Round(time.Second))
	var passOK, passBad, failPublic, failPublicOK, failElsewhere, failElsewherePass, sameClass, timingOnly int
	for i, s := range samples {
		r := results[i]
		if r == nil {
			continue
		}
		got := r.Suites[0]
		p := tasks[i].Problem
		if s.Passed {
			if got.Verdict == verdict.TimeLimit {
				// This machine is slower than LiveCodeBench's: give the
				// program five times LiveCodeBench's 6 s before judging it.
				slow, err := New(sharedPool, Options{TimeLimit: 30 * time.Second, CacheDir: sharedDir, Logger: testLogger()})
				if err != nil {
					t.Fatal(err)
				}
				if r2, err := slow.Judge(context.Background(), p, tasks[i].Submission, tasks[i].Suites...); err == nil {
					t.Logf("%s: time_limit at 6 s CPU here; with 30 s: %s (test CPU %v)", s.ProblemID, r2.Suites[0].Verdict, r2.Suites[0].CPUTime)
					r, got = r2, r2.Suites[0]
				}
			}
			if got.Verdict == verdict.Accepted {
				passOK++
			} else {
				passBad++
				t.Errorf("%s (%s): officially passes, rlef %s on public test %d: %s", s.ProblemID, p.Mode, got.Verdict, got.FirstFailure.Index, describe(r))
			}
			continue
		}
		var m meta
		_ = json.Unmarshal([]byte(s.Detail), &m)
		if m.ErrorCode == -5 {
			continue // LiveCodeBench's own runner failed
		}
		if failsOnPublic(p, m) {
			failPublic++
			if got.Verdict.Passed() {
				if s.Verdict == verdict.TimeLimit {
					// LiveCodeBench limits wall-clock time (6 s, 16
					// programs at once); rlef limits CPU time. A program
					// near the limit can time out there and not here.
					timingOnly++
					t.Logf("%s (%s): officially a time-out on a public test; here it passes in %v of CPU (limit 6 s)", s.ProblemID, p.Mode, got.CPUTime)
				} else {
					t.Errorf("%s (%s): officially fails (%s) on a public test, rlef passes it", s.ProblemID, p.Mode, s.Verdict)
				}
			} else {
				failPublicOK++
				if got.Verdict == s.Verdict {
					sameClass++
				} else {
					// Known: programs that read open(0) at module level
					// bind the real open and block on LiveCodeBench's
					// real stdin until its timeout; the sandbox's stdin
					// is empty, so they fail at once instead.
					t.Logf("%s: both fail; LiveCodeBench %s, rlef %s (%s)", s.ProblemID, s.Verdict, got.Verdict, firstNonEmpty(got.FirstFailure.Error, got.FirstFailure.Message))
				}
			}
		} else {
			failElsewhere++
			if got.Verdict == verdict.Accepted {
				failElsewherePass++
			}
		}
	}
	t.Logf("officially passing: %d pass the public tests here, %d do not", passOK, passBad)
	t.Logf("officially failing on a public test: %d, failed here: %d (same verdict class: %d); official time-outs that pass here: %d", failPublic, failPublicOK, sameClass, timingOnly)
	if timingOnly > 3 {
		t.Errorf("%d official time-outs pass here: more than timing noise", timingOnly)
	}
	t.Logf("officially failing on a private test: %d, of which %d pass the public tests here", failElsewhere, failElsewherePass)
}
