package judge

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/rlef/rlef/dataset"
	"github.com/rlef/rlef/sandbox"
	"github.com/rlef/rlef/verdict"
)

// ErrUnsupported marks a submission the judge cannot run for a problem (a
// C++ program for a function-call problem, an unknown language). Test with
// errors.Is.
var ErrUnsupported = errors.New("unsupported submission")

// Judge runs submissions against problems. It is safe for concurrent use;
// many samples may be judged at once, and they share the pool's slots.
type Judge struct {
	sb       Sandbox
	pool     *sandbox.Pool // nil when the sandbox is not a pool
	opts     Options
	refs     *refCache
	prepared preparedCache
}

// New returns a judge that runs programs in pool.
func New(pool *sandbox.Pool, opts Options) (*Judge, error) {
	if pool == nil {
		return nil, errors.New("judge: no sandbox pool")
	}
	j, err := NewWithSandbox(PoolSandbox{pool}, opts)
	if err != nil {
		return nil, err
	}
	j.pool = pool
	return j, nil
}

// NewWithSandbox returns a judge that runs programs in sb.
func NewWithSandbox(sb Sandbox, opts Options) (*Judge, error) {
	if sb == nil {
		return nil, errors.New("judge: no sandbox")
	}
	if err := opts.fill(); err != nil {
		return nil, err
	}
	return &Judge{sb: sb, opts: opts, refs: newRefCache(opts.CacheDir, opts.Logger)}, nil
}

// Options returns the judge's options with defaults filled in.
func (j *Judge) Options() Options { return j.opts }

// Pool returns the sandbox pool the judge runs programs in (nil when the
// judge was made with NewWithSandbox from something else).
func (j *Judge) Pool() *sandbox.Pool { return j.pool }

// Judge runs sub against the given suites of p; with no suites, the public
// tests (all run) and the private tests (stopping at the first failure),
// named "public" and "private". The error is non-nil only when there is no
// verdict to give: an invalid problem or submission, or a cancelled
// context. Sandbox failures are reported as sandbox_error verdicts.
func (j *Judge) Judge(ctx context.Context, p *dataset.Problem, sub Submission, suites ...Suite) (*Result, error) {
	if p == nil {
		return nil, errors.New("judge: nil problem")
	}
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("judge %s: %w", p.ID, err)
	}
	if len(suites) == 0 {
		suites = []Suite{PublicSuite(nil), PrivateSuite(nil)}
	}
	lang := sandbox.Python
	if sub.Language != "" {
		var err error
		if lang, err = sandbox.ParseLanguage(strings.ToLower(sub.Language)); err != nil {
			return nil, fmt.Errorf("judge %s: %w: %v", p.ID, ErrUnsupported, err)
		}
	}
	resolved, err := resolveSuites(p, suites)
	if err != nil {
		return nil, fmt.Errorf("judge %s: %w", p.ID, err)
	}
	code := sub.Code
	if strings.TrimSpace(code) == "" {
		// An empty program is a program that does nothing; the sandbox
		// refuses empty source, so give it one newline.
		code = "\n"
	}
	pl := j.plan(p, lang)
	if pl.runner != runPrograms && lang != sandbox.Python {
		return nil, fmt.Errorf("judge %s: %w: mode %s needs a Python solution, got %s", p.ID, ErrUnsupported, p.Mode, lang)
	}
	var res *Result
	switch pl.runner {
	case runPrograms:
		res, err = j.judgePrograms(ctx, p, pl, lang, code, resolved)
	case runCalls:
		res, err = j.judgeCalls(ctx, p, pl, code, resolved)
	case runAsserts:
		res, err = j.judgeAsserts(ctx, p, pl, code, resolved)
	}
	if err != nil {
		return nil, fmt.Errorf("judge %s: %w", p.ID, err)
	}
	res.ProblemID = p.ID
	return res, nil
}

// resolvedSuite is a suite with its tests looked up.
type resolvedSuite struct {
	Suite
	tests   []dataset.Test
	indices []int // position of each test in its kind's list
}

func resolveSuites(p *dataset.Problem, suites []Suite) ([]resolvedSuite, error) {
	private := p.PrivateTests()
	out := make([]resolvedSuite, len(suites))
	seen := map[string]bool{}
	for i, s := range suites {
		if s.Name == "" {
			s.Name = s.Kind.String()
		}
		if seen[s.Name] {
			return nil, fmt.Errorf("two suites named %q", s.Name)
		}
		seen[s.Name] = true
		all := p.Public
		if s.Kind == Private {
			all = private
		}
		r := resolvedSuite{Suite: s}
		if s.Indices == nil {
			r.tests = all
			r.indices = make([]int, len(all))
			for k := range all {
				r.indices[k] = k
			}
		} else {
			for _, k := range s.Indices {
				if k < 0 || k >= len(all) {
					return nil, fmt.Errorf("suite %s: test %d out of range (%d %s tests)", s.Name, k, len(all), s.Kind)
				}
				r.tests = append(r.tests, all[k])
				r.indices = append(r.indices, k)
			}
		}
		out[i] = r
	}
	return out, nil
}

// finishSuite fills a suite result's counts, verdict and first failure
// from its test results, which must be in run order; with stop, results
// after the first failure are dropped.
func finishSuite(name string, total int, stop bool, tests []TestResult) SuiteResult {
	sr := SuiteResult{Name: name, Total: total, Verdict: verdict.Accepted}
	first := -1
	for i := range tests {
		if !tests[i].Verdict.Passed() {
			first = i
			break
		}
	}
	if stop && first >= 0 {
		tests = tests[:first+1]
	}
	sr.Tests = tests
	for i := range sr.Tests {
		t := &sr.Tests[i]
		if t.Verdict.Passed() {
			sr.Passed++
		}
		sr.CPUTime += t.CPUTime
		sr.WallTime += t.WallTime
	}
	if first >= 0 {
		sr.FirstFailure = &sr.Tests[first]
		sr.Verdict = sr.FirstFailure.Verdict
	} else if len(sr.Tests) < total {
		// Not every test ran and none failed: only possible when tests
		// could not be run at all.
		sr.Verdict = verdict.SandboxError
	}
	return sr
}
