package judge

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/rlef/rlef/internal/shareddata"
	"github.com/rlef/rlef/internal/testenv"
	"github.com/rlef/rlef/verdict"
)

// verdictFile is one published EvalPlus verdict file.
type verdictFile struct {
	name string
	Hash string                        `json:"hash"`
	Eval map[string][]evalplusOfficial `json:"eval"`
}

// publishedVerdicts reads every verdict file in the shared data (at least
// the Llama-3-8B-Instruct one must be there).
func publishedVerdicts(t *testing.T) []verdictFile {
	t.Helper()
	dir := filepath.Dir(shareddata.Path(t, "evalplus-verdicts", "llama3-8b-instruct-base.humaneval.samples_eval_results.json"))
	paths, err := filepath.Glob(filepath.Join(dir, "*_eval_results.json"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no verdict files in %s: %v", dir, err)
	}
	var files []verdictFile
	for _, p := range paths {
		raw, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var f verdictFile
		if err := json.Unmarshal(raw, &f); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		f.name = strings.TrimSuffix(filepath.Base(p), ".humaneval.samples_eval_results.json")
		files = append(files, f)
	}
	return files
}

// knownReproductionDifferences lists, per file and task, the suites where
// even the reproduction disagrees with a published verdict, and why the
// published verdict is at fault.
var knownReproductionDifferences = map[string]string{}

// TestEvalPlusReproduction: judged the way the image that produced them
// judged (--evalplus-version v0.2.2-image), every published verdict file's
// base and plus verdicts are reproduced. Identical samples across files
// are judged once. -short judges 8 problems of 3 files.
func TestEvalPlusReproduction(t *testing.T) {
	base := testJudge(t)
	j, err := NewWithSandbox(base.sb, Options{CacheDir: sharedDir, Logger: testLogger(),
		EvalPlus: EvalPlusLimits{Version: "v0.2.2-image"}})
	if err != nil {
		t.Fatal(err)
	}
	set := loadShared(t, "humaneval+", "v0.1.9", "evalplus", "HumanEvalPlus-v0.1.9.jsonl.gz")
	files := testenv.ShortSample(publishedVerdicts(t), 3)
	inSample := map[string]bool{}
	for _, p := range testenv.ShortSample(set.Problems, 8) {
		inSample[p.ID] = true
	}
	// One task per distinct (problem, solution).
	type key struct{ id, code string }
	var tasks []Task
	index := map[key]int{}
	for _, f := range files {
		if f.Hash != set.Version {
			t.Fatalf("%s: verdicts are for dataset %s, loaded %s", f.name, f.Hash, set.Version)
		}
		for id, rows := range f.Eval {
			k := key{id, rows[0].Solution}
			if _, seen := index[k]; seen {
				continue
			}
			p, ok := set.Lookup(id)
			if !ok {
				t.Fatalf("%s: unknown task %s", f.name, id)
			}
			if !inSample[id] {
				continue
			}
			pub := PublicSuite(set)
			pub.StopOnFailure = true
			index[k] = len(tasks)
			tasks = append(tasks, Task{Problem: p, Submission: Submission{Code: k.code}, Suites: []Suite{pub, PrivateSuite(set)}})
		}
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
	t.Logf("judged %d distinct samples of %d files", len(tasks), len(files))
	status := func(v verdict.Verdict) string {
		if v == verdict.Accepted {
			return "pass"
		}
		return "fail"
	}
	published := func(s string) string {
		if s == "pass" {
			return "pass"
		}
		return "fail"
	}
	// A time limit can be the machine's load (CI runs packages side by
	// side): a disagreement with one is judged again, once, alone.
	var again []int
	for _, f := range files {
		for id, rows := range f.Eval {
			i := index[key{id, rows[0].Solution}]
			r := results[i]
			if r == nil || !hasTimeLimit(r) {
				continue
			}
			if status(r.Suite("base").Verdict) != published(rows[0].BaseStatus) || status(r.Suite("plus").Verdict) != published(rows[0].PlusStatus) {
				again = append(again, i)
			}
		}
	}
	rejudge(t, j, tasks, results, again)
	for _, f := range files {
		agree, total := 0, 0
		ids := make([]string, 0, len(f.Eval))
		for id := range f.Eval {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		for _, id := range ids {
			want := f.Eval[id][0]
			i, judged := index[key{id, want.Solution}]
			if !judged || results[i] == nil {
				continue // not in the -short sample, or not judged (an error above)
			}
			r := results[i]
			total++
			b, p := status(r.Suite("base").Verdict), status(r.Suite("plus").Verdict)
			if b == published(want.BaseStatus) && p == published(want.PlusStatus) {
				agree++
				continue
			}
			msg := f.name + " " + id + ": rlef base=" + b + " plus=" + p + ", published base=" + want.BaseStatus + " plus=" + want.PlusStatus
			if why, ok := knownReproductionDifferences[f.name+" "+id]; ok {
				t.Logf("known: %s: %s", msg, why)
				continue
			}
			t.Errorf("unexplained: %s; %s", msg, describe(r))
		}
		t.Logf("%s: reproduced %d/%d", f.name, agree, total)
	}
}

// hasTimeLimit reports whether any suite of r ended in a time limit.
func hasTimeLimit(r *Result) bool {
	for _, s := range r.Suites {
		if s.Verdict == verdict.TimeLimit {
			return true
		}
	}
	return false
}

// rejudge judges the given tasks again, one at a time, and keeps the new
// results.
func rejudge(t *testing.T, j *Judge, tasks []Task, results []*Result, which []int) {
	t.Helper()
	done := map[int]bool{}
	for _, i := range which {
		if done[i] {
			continue
		}
		done[i] = true
		r, err := j.Judge(context.Background(), tasks[i].Problem, tasks[i].Submission, tasks[i].Suites...)
		if err != nil {
			t.Errorf("%s: judging again: %v", tasks[i].Problem.ID, err)
			continue
		}
		t.Logf("%s: judged again after a time limit: %v -> %v", tasks[i].Problem.ID, suiteVerdicts(results[i]), suiteVerdicts(r))
		results[i] = r
	}
}

func suiteVerdicts(r *Result) []verdict.Verdict {
	var out []verdict.Verdict
	for _, s := range r.Suites {
		out = append(out, s.Verdict)
	}
	return out
}
