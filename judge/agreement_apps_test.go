package judge

import (
	"context"
	"testing"

	"github.com/rlef/rlef/dataset"
	"github.com/rlef/rlef/internal/shareddata"
	"github.com/rlef/rlef/verdict"
)

// knownAPPSDisagreements explains CodeRL-graded APPS programs on which
// rlef's verdict differs from the one APPS's harness gave.
var knownAPPSDisagreements = map[string]string{}

// TestAPPSAgreement judges the 83 programs CodeRL graded with APPS's
// testing_util against the same tests: pass/fail must agree (it does, 83 of
// 83). The failure class is compared and logged, not required: APPS runs
// every test and CodeRL reports an error class if any test errs, while
// rlef reports the first failing test (a wrong answer on test 1 before an
// IndexError on test 3 is a wrong answer here); and APPS calls any
// exception while loading a call-based solution a compile error (-2),
// where rlef says runtime_error.
func TestAPPSAgreement(t *testing.T) {
	j := testJudge(t)
	dir := shareddata.Path(t, "apps", "coderl", "APPS", "train")
	set, err := dataset.LoadAPPSDir(dir, "apps")
	if err != nil {
		t.Fatal(err)
	}
	graded, err := dataset.LoadCodeRLGraded(dir)
	if err != nil {
		t.Fatal(err)
	}
	if testing.Short() {
		graded = oneOfEachOutcome(graded)
		t.Logf("-short: %d programs, one of each problem and official outcome but time-outs", len(graded))
	}
	var tasks []Task
	var samples []dataset.GradedSample
	for _, g := range graded {
		p, ok := set.Lookup(g.ProblemID)
		if !ok {
			t.Fatalf("no problem %s", g.ProblemID)
		}
		pub := PublicSuite(set)
		pub.StopOnFailure = true
		tasks = append(tasks, Task{Problem: p, Submission: Submission{Code: g.Code}, Suites: []Suite{pub, PrivateSuite(set)}})
		samples = append(samples, g)
	}
	results := make([]*Result, len(tasks))
	if err := j.Batch(context.Background(), tasks, 0, func(i int, r *Result, err error) error {
		if err != nil {
			t.Errorf("%s: %v", tasks[i].Problem.ID, err)
		}
		results[i] = r
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	agree, classAgree, classTotal := 0, 0, 0
	for i, g := range samples {
		r := results[i]
		if r == nil {
			continue
		}
		key := g.ProblemID + "#" + itoa(g.Index)
		// The first failing suite's verdict.
		got := verdict.Accepted
		for _, s := range r.Suites {
			if s.Verdict != verdict.Accepted {
				got = s.Verdict
				break
			}
		}
		passed := got == verdict.Accepted
		if passed != g.Passed {
			if why, ok := knownAPPSDisagreements[key]; ok {
				t.Logf("known disagreement %s: %s", key, why)
			} else {
				t.Errorf("%s: CodeRL %s (%s), rlef %s: %s", key, g.Verdict, g.Detail, got, describe(r))
			}
			continue
		}
		agree++
		if g.Passed {
			continue
		}
		// -1 lumps runtime errors and time-outs; -2 is a compile error.
		classTotal++
		want := map[verdict.Verdict]bool{g.Verdict: true}
		if g.Verdict == verdict.RuntimeError || g.Verdict == verdict.TimeLimit {
			want = map[verdict.Verdict]bool{verdict.RuntimeError: true, verdict.TimeLimit: true, verdict.MemoryLimit: true}
		}
		if want[got] {
			classAgree++
		} else {
			t.Logf("%s: both fail; CodeRL %s (%s), rlef %s", key, g.Verdict, g.Detail, got)
		}
	}
	t.Logf("pass/fail agreement with CodeRL's APPS grading: %d/%d; failure class: %d/%d", agree, len(samples), classAgree, classTotal)
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

// oneOfEachOutcome keeps the first sample of each problem and official
// verdict: the representative subset -short judges. Time-outs are left
// out: each costs the full 10 s limit (other tests cover time limits).
func oneOfEachOutcome(samples []dataset.GradedSample) []dataset.GradedSample {
	type key struct {
		problem string
		v       verdict.Verdict
	}
	seen := map[key]bool{}
	var out []dataset.GradedSample
	for _, s := range samples {
		if k := (key{s.ProblemID, s.Verdict}); !seen[k] && s.Verdict != verdict.TimeLimit {
			seen[k] = true
			out = append(out, s)
		}
	}
	return out
}
