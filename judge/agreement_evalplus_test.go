package judge

import (
	"context"
	"encoding/json"
	"os"
	"sort"
	"testing"
	"time"

	"github.com/rlef/rlef/dataset"
	"github.com/rlef/rlef/internal/shareddata"
	"github.com/rlef/rlef/internal/testenv"
	"github.com/rlef/rlef/verdict"
)

// loadShared loads a benchmark from the shared data directory.
func loadShared(t *testing.T, name, version string, elem ...string) *dataset.Set {
	t.Helper()
	path := shareddata.Path(t, elem...)
	set, err := dataset.Load(context.Background(), name, dataset.LoadOptions{Path: path, Version: version})
	if err != nil {
		t.Fatalf("load %s: %v", name, err)
	}
	return set
}

// judgeSet judges one submission per problem with the set's suites (both
// stopping at the first failure, as a final verdict does) and returns the
// results by problem id.
func judgeSet(t *testing.T, j *Judge, set *dataset.Set, code func(p *dataset.Problem) (string, bool)) map[string]*Result {
	t.Helper()
	var tasks []Task
	for _, p := range set.Problems {
		c, ok := code(p)
		if !ok {
			continue
		}
		pub := PublicSuite(set)
		pub.StopOnFailure = true
		tasks = append(tasks, Task{Problem: p, Submission: Submission{Code: c}, Suites: []Suite{pub, PrivateSuite(set)}})
	}
	out := map[string]*Result{}
	start := time.Now()
	type slow struct {
		id   string
		wall time.Duration
	}
	var slowest []slow
	err := j.Batch(context.Background(), tasks, 0, func(i int, r *Result, err error) error {
		if err != nil {
			t.Errorf("%s: %v", tasks[i].Problem.ID, err)
			return nil
		}
		out[tasks[i].Problem.ID] = r
		slowest = append(slowest, slow{tasks[i].Problem.ID, r.RunWall})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Slice(slowest, func(a, b int) bool { return slowest[a].wall > slowest[b].wall })
	if len(slowest) > 3 {
		slowest = slowest[:3]
	}
	t.Logf("%s: judged %d programs in %s; slowest runs: %v", set.Name, len(tasks), time.Since(start).Round(time.Millisecond), slowest)
	return out
}

func reference(p *dataset.Problem) (string, bool) {
	if len(p.Solutions) == 0 {
		return "", false
	}
	return p.Solutions[0].Code, true
}

// describe summarizes a failing result for a test log.
func describe(r *Result) string {
	b, _ := json.Marshal(r.Suites)
	s := string(b)
	if len(s) > 1500 {
		s = s[:1500] + "…"
	}
	return s
}

// TestReferencesPass: every reference solution of HumanEval, HumanEval+,
// MBPP and MBPP+ passes all of its tests (-short: 10 problems of each).
func TestReferencesPass(t *testing.T) {
	j := testJudge(t)
	for _, c := range []struct {
		name, version string
		path          []string
	}{
		{"humaneval+", "", []string{"evalplus", "HumanEvalPlus.jsonl.gz"}},
		{"mbpp+", "", []string{"evalplus", "MbppPlus.jsonl.gz"}},
		{"humaneval", "", []string{"humaneval", "HumanEval.jsonl.gz"}},
		{"mbpp", "", []string{"mbpp", "mbpp.jsonl"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			set := loadShared(t, c.name, c.version, c.path...)
			set.Problems = testenv.ShortSample(set.Problems, 10) // Lookup scans a shortened set
			results := judgeSet(t, j, set, reference)
			var failed []string
			for id, r := range results {
				if !r.Passed() {
					failed = append(failed, id)
					t.Errorf("%s: reference fails: %s", id, describe(r))
				}
			}
			if len(results) != len(set.Problems) {
				t.Errorf("judged %d of %d problems", len(results), len(set.Problems))
			}
			sort.Strings(failed)
			t.Logf("%d/%d references pass; failing: %v", len(results)-len(failed), len(results), failed)
		})
	}
}

// TestDeterminism judges the HumanEval+ references three times: no verdict
// may change between rounds (the machine running the tests is loaded; the
// limits are on CPU time for that reason). -short judges 10 of them.
func TestDeterminism(t *testing.T) {
	j := testJudge(t)
	set := loadShared(t, "humaneval+", "", "evalplus", "HumanEvalPlus.jsonl.gz")
	set.Problems = testenv.ShortSample(set.Problems, 10)
	var first map[string]string
	for round := 0; round < 3; round++ {
		results := judgeSet(t, j, set, reference)
		got := map[string]string{}
		for id, r := range results {
			got[id] = string(r.Suites[0].Verdict) + "/" + string(r.Suites[1].Verdict)
		}
		if first == nil {
			first = got
			continue
		}
		flips := 0
		for id, v := range got {
			if first[id] != v {
				flips++
				t.Errorf("round %d: %s flipped from %s to %s", round+1, id, first[id], v)
			}
		}
		t.Logf("round %d: %d flips", round+1, flips)
	}
}

// evalplusOfficial is one row of an EvalPlus *_eval_results.json.
type evalplusOfficial struct {
	TaskID     string `json:"task_id"`
	Solution   string `json:"solution"`
	BaseStatus string `json:"base_status"`
	PlusStatus string `json:"plus_status"`
}

// knownEvalPlusDisagreements explains every Llama-3-8B-Instruct sample on
// which rlef's verdict differs from the official EvalPlus one. The reasons
// were established by reading the sample, the tests and EvalPlus's code.
var knownEvalPlusDisagreements = map[string]string{
	// The sample computes (x - min) / (max - min); the reference computes
	// (x - min) * (1 / (max - min)). Their outputs are bit-identical on
	// every base input and on plus inputs 0-4, and first differ on plus
	// input 5, [0.1, 0.5, 0.9, 0.3, 0.7], by one ulp (0.7499999999999999
	// against 0.75). EvalPlus's rule for float-shaped expected values (atol
	// raised to 1e-6, rtol 1e-7) accepts that, and so does rlef by
	// default; the published run failed there because the EvalPlus v0.2.2
	// image pairs that code with NumPy >= 1.25, where the tolerance call
	// fails and the comparison falls back to exact equality (see
	// docs/evalplus-grading.md). --evalplus-version v0.2.2-image
	// reproduces it: TestEvalPlusReproduction.
	"HumanEval/21": "the published run compared floats exactly (v0.2.2 image, NumPy >= 1.25): plus input 5 differs by 1 ulp, within EvalPlus's 1e-6 tolerance",
}

// TestEvalPlusAgreement: the Llama-3-8B-Instruct HumanEval+ samples get the
// official EvalPlus base and plus verdicts (judged against HumanEval+
// v0.1.9) in at least 99% of cases, and every disagreement is explained in
// knownEvalPlusDisagreements. -short judges 16 of the samples.
func TestEvalPlusAgreement(t *testing.T) {
	j := testJudge(t)
	set := loadShared(t, "humaneval+", "v0.1.9", "evalplus", "HumanEvalPlus-v0.1.9.jsonl.gz")
	set.Problems = testenv.ShortSample(set.Problems, 16)
	raw, err := os.ReadFile(shareddata.Path(t, "evalplus-verdicts", "llama3-8b-instruct-base.humaneval.samples_eval_results.json"))
	if err != nil {
		t.Fatal(err)
	}
	var official struct {
		Hash string                        `json:"hash"`
		Eval map[string][]evalplusOfficial `json:"eval"`
	}
	if err := json.Unmarshal(raw, &official); err != nil {
		t.Fatal(err)
	}
	if official.Hash != set.Version {
		t.Fatalf("verdicts are for dataset %s, loaded %s", official.Hash, set.Version)
	}
	results := judgeSet(t, j, set, func(p *dataset.Problem) (string, bool) {
		rows := official.Eval[p.ID]
		if len(rows) == 0 {
			return "", false
		}
		return rows[0].Solution, true
	})
	status := func(v verdict.Verdict) string {
		if v == verdict.Accepted {
			return "pass"
		}
		return "fail"
	}
	total, agree := 0, 0
	ids := make([]string, 0, len(results))
	for id := range results {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		r := results[id]
		want := official.Eval[id][0]
		base, plus := status(r.Suite("base").Verdict), status(r.Suite("plus").Verdict)
		wantPlus := want.PlusStatus
		if wantPlus != "pass" {
			wantPlus = "fail"
		}
		wantBase := want.BaseStatus
		if wantBase != "pass" {
			wantBase = "fail"
		}
		total++
		if base == wantBase && plus == wantPlus {
			agree++
			if why, ok := knownEvalPlusDisagreements[id]; ok {
				t.Errorf("%s agrees now but is listed as a disagreement (%s)", id, why)
			}
			continue
		}
		why, known := knownEvalPlusDisagreements[id]
		msg := id + ": rlef base=" + base + " plus=" + plus + ", EvalPlus base=" + want.BaseStatus + " plus=" + want.PlusStatus
		if !known {
			t.Errorf("unexplained disagreement %s; %s", msg, describe(r))
		} else {
			t.Logf("known disagreement %s: %s", msg, why)
		}
	}
	rate := float64(agree) / float64(total)
	t.Logf("agreement with EvalPlus: %d/%d = %.2f%%", agree, total, 100*rate)
	// Under -short every disagreement must still be a known one (above);
	// the rate is a statement about the whole file.
	if total != len(set.Problems) || (!testing.Short() && rate < 0.99) {
		t.Errorf("agreement %d/%d is below 99%%", agree, total)
	}
}
