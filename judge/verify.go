package judge

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/rlef/rlef/dataset"
	"github.com/rlef/rlef/verdict"
)

// Prepare does the per-problem work that judging p needs once: computing
// the expected outputs from its reference solution (when the problem takes
// them from one). Judging calls it implicitly; call it to pay the cost
// ahead of time.
func (j *Judge) Prepare(ctx context.Context, p *dataset.Problem) error {
	if !p.ExpectedFromReference || (p.Mode != dataset.ModeFunction && p.Mode != dataset.ModeClassMethod) {
		return nil
	}
	_, err := j.reference(ctx, p, j.plan(p, "python"))
	return err
}

// VerifyOptions configures Verify.
type VerifyOptions struct {
	// Repeat judges every solution this many times (default 2); verdicts
	// that differ between repeats mark the problem flaky.
	Repeat int
	// MaxSolutions bounds the reference and the incorrect solutions tried
	// per problem, each (0: all).
	MaxSolutions int
	// Workers as for Batch.
	Workers int
	// Progress, if set, is called after each judgement.
	Progress func(done, total int)
}

// VerifyIssue is one finding of Verify.
type VerifyIssue struct {
	ProblemID string `json:"problem_id"`
	// Solution names the program: "reference 0", "incorrect 2".
	Solution string `json:"solution"`
	// Verdicts per repeat, as "public/private" suite verdicts.
	Verdicts []string `json:"verdicts"`
	Detail   string   `json:"detail,omitempty"`
}

// VerifyReport is what Verify found.
type VerifyReport struct {
	Problems  int `json:"problems"`
	Solutions int `json:"solutions"`
	// Broken: a reference solution does not pass its problem's tests.
	Broken []VerifyIssue `json:"broken"`
	// Flaky: a solution's verdicts differ between repeats.
	Flaky []VerifyIssue `json:"flaky"`
	// Weak: a known-incorrect solution passes every test.
	Weak []VerifyIssue `json:"weak"`
	// SandboxErrors: judgements the sandbox could not complete.
	SandboxErrors []VerifyIssue `json:"sandbox_errors"`
}

// Verify judges every known solution of every problem of set (reference
// solutions and, where the source has them, known-incorrect ones) Repeat
// times on all of its tests, and reports broken, flaky and weak problems.
func (j *Judge) Verify(ctx context.Context, set *dataset.Set, o VerifyOptions) (*VerifyReport, error) {
	if o.Repeat <= 0 {
		o.Repeat = 2
	}
	type sol struct {
		p         *dataset.Problem
		name      string
		s         dataset.Solution
		incorrect bool
	}
	var sols []sol
	for _, p := range set.Problems {
		for i, s := range p.Solutions {
			if o.MaxSolutions > 0 && i >= o.MaxSolutions {
				break
			}
			sols = append(sols, sol{p, fmt.Sprintf("reference %d", i), s, false})
		}
		for i, s := range p.Incorrect {
			if o.MaxSolutions > 0 && i >= o.MaxSolutions {
				break
			}
			sols = append(sols, sol{p, fmt.Sprintf("incorrect %d", i), s, true})
		}
	}
	pub := PublicSuite(set)
	pub.StopOnFailure = true
	suites := []Suite{pub, PrivateSuite(set)}
	var tasks []Task
	for rep := 0; rep < o.Repeat; rep++ {
		for _, s := range sols {
			tasks = append(tasks, Task{Problem: s.p, Submission: Submission{Language: s.s.Language, Code: s.s.Code}, Suites: suites})
		}
	}
	verdicts := make([][]string, len(sols))
	details := make([]string, len(sols))
	passed := make([][]bool, len(sols))
	infra := make([]bool, len(sols))
	for i := range sols {
		verdicts[i] = make([]string, o.Repeat)
		passed[i] = make([]bool, o.Repeat)
	}
	done := 0
	err := j.Batch(ctx, tasks, o.Workers, func(i int, r *Result, err error) error {
		si, rep := i%len(sols), i/len(sols)
		done++
		if o.Progress != nil {
			o.Progress(done, len(tasks))
		}
		if err != nil {
			verdicts[si][rep] = "error"
			details[si] = err.Error()
			return nil
		}
		var vs []string
		for _, s := range r.Suites {
			vs = append(vs, string(s.Verdict))
			if s.Verdict == verdict.SandboxError {
				infra[si] = true
			}
			if s.FirstFailure != nil && details[si] == "" {
				details[si] = failureDetail(s.Name, s.FirstFailure)
			}
		}
		verdicts[si][rep] = strings.Join(vs, "/")
		passed[si][rep] = r.Passed()
		return nil
	})
	if err != nil {
		return nil, err
	}
	rep := &VerifyReport{Problems: len(set.Problems), Solutions: len(sols),
		Broken: []VerifyIssue{}, Flaky: []VerifyIssue{}, Weak: []VerifyIssue{}, SandboxErrors: []VerifyIssue{}}
	for i, s := range sols {
		issue := VerifyIssue{ProblemID: s.p.ID, Solution: s.name, Verdicts: verdicts[i], Detail: details[i]}
		if infra[i] {
			rep.SandboxErrors = append(rep.SandboxErrors, issue)
			continue
		}
		flaky := false
		for _, v := range verdicts[i][1:] {
			if v != verdicts[i][0] {
				flaky = true
			}
		}
		switch {
		case flaky:
			rep.Flaky = append(rep.Flaky, issue)
		case !s.incorrect && !passed[i][0]:
			rep.Broken = append(rep.Broken, issue)
		case s.incorrect && passed[i][0]:
			rep.Weak = append(rep.Weak, issue)
		}
	}
	for _, l := range [][]VerifyIssue{rep.Broken, rep.Flaky, rep.Weak, rep.SandboxErrors} {
		sort.SliceStable(l, func(a, b int) bool { return l[a].ProblemID < l[b].ProblemID })
	}
	return rep, nil
}

// failureDetail describes a failing test in one line.
func failureDetail(suite string, t *TestResult) string {
	why := firstNonEmpty(t.AssertionError, t.Error, t.Message)
	if why == "" && t.Verdict == verdict.WrongAnswer {
		why = fmt.Sprintf("expected %q, got %q", clipString(t.Expected, 80), clipString(t.Actual, 80))
	}
	return fmt.Sprintf("%s test %d: %s %s", suite, t.Index, t.Verdict, clipString(why, 300))
}
