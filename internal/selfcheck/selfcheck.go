// Package selfcheck verifies an installation end to end without a model
// server or network: what isolation the host gives, that the isolation
// holds against a few hostile programs, that every built-in problem's
// reference solutions pass and its known-incorrect ones fail, and that the
// RLEF multi-turn protocol runs (a scripted policy answers wrongly, reads
// the feedback and fixes its code).
package selfcheck

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/rlef/rlef/dataset"
	"github.com/rlef/rlef/episode"
	"github.com/rlef/rlef/judge"
	"github.com/rlef/rlef/sandbox"
	"github.com/rlef/rlef/verdict"
)

// Check is one verified fact.
type Check struct {
	Group  string `json:"group"`
	Name   string `json:"name"`
	OK     bool   `json:"ok"`
	Detail string `json:"detail,omitempty"`
}

// Report is the outcome of a self-check.
type Report struct {
	Isolation sandbox.Isolation `json:"isolation"`
	Checks    []Check           `json:"checks"`
	Elapsed   time.Duration     `json:"elapsed_ns"`
}

// OK reports whether every check passed.
func (r *Report) OK() bool {
	for _, c := range r.Checks {
		if !c.OK {
			return false
		}
	}
	return len(r.Checks) > 0
}

// Failed returns the failed checks.
func (r *Report) Failed() []Check {
	var out []Check
	for _, c := range r.Checks {
		if !c.OK {
			out = append(out, c)
		}
	}
	return out
}

type recorder struct {
	mu     sync.Mutex
	checks []Check
	log    io.Writer
}

func (r *recorder) add(group, name string, ok bool, detail string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.checks = append(r.checks, Check{Group: group, Name: name, OK: ok, Detail: detail})
	if r.log != nil {
		mark := "ok  "
		if !ok {
			mark = "FAIL"
		}
		line := fmt.Sprintf("%s %-10s %s", mark, group, name)
		if detail != "" && !ok {
			line += ": " + detail
		}
		fmt.Fprintln(r.log, line)
	}
}

// Run performs the self-check on a started pool. Progress lines go to log
// (nil for none).
func Run(ctx context.Context, pool *sandbox.Pool, log io.Writer) (*Report, error) {
	start := time.Now()
	rec := &recorder{log: log}
	rep := &Report{Isolation: pool.Isolation()}
	if err := isolationChecks(ctx, pool, rec); err != nil {
		return nil, err
	}
	set, err := dataset.LoadBuiltin()
	if err != nil {
		return nil, fmt.Errorf("built-in benchmark: %w", err)
	}
	j, err := judge.New(pool, judge.Options{})
	if err != nil {
		return nil, err
	}
	if err := solutionChecks(ctx, j, set, rec); err != nil {
		return nil, err
	}
	if err := episodeChecks(ctx, j, set, rec); err != nil {
		return nil, err
	}
	rep.Checks = rec.checks
	rep.Elapsed = time.Since(start)
	return rep, nil
}

// isolationChecks runs programs that try to leave the sandbox.
func isolationChecks(ctx context.Context, pool *sandbox.Pool, rec *recorder) error {
	lim := sandbox.DefaultLimits()
	lim.WallTime = 20 * time.Second
	short := lim
	short.WallTime = 2 * time.Second
	isolated := pool.Isolation().Mode != "none"
	probes := []struct {
		name   string
		code   string
		limits sandbox.Limits
		want   func(*sandbox.Result) (bool, string)
		needs  bool // meaningful only with isolation
	}{
		{"hello world runs", "print('hello')", lim, func(r *sandbox.Result) (bool, string) {
			return r.Status == verdict.OK && string(r.Stdout) == "hello\n", string(r.Stdout) + string(r.Stderr)
		}, false},
		{"no network", "import socket\ns = socket.socket()\ns.settimeout(2)\ntry:\n    s.connect(('1.1.1.1', 53))\n    print('reachable')\nexcept OSError:\n    print('unreachable')",
			lim, stdoutIs("unreachable"), true},
		{"host files invisible", "import os\nprint(os.path.exists('/etc/shadow') or os.path.exists('/root') or os.path.exists('/home'))",
			lim, stdoutIs("False"), true},
		{"system read-only", "try:\n    open('/usr/bin/rlef-probe', 'w')\n    print('writable')\nexcept OSError:\n    print('read-only')",
			lim, stdoutIs("read-only"), true},
		{"mount denied", "import ctypes\nlibc = ctypes.CDLL(None, use_errno=True)\nprint(libc.mount(b'none', b'/tmp', b'tmpfs', 0, None), ctypes.get_errno())",
			lim, stdoutIs("-1 1"), true},
		{"memory limit enforced", "x = bytearray(4 << 30)", lim, statusIs(verdict.MemoryLimit), false},
		{"time limit enforced", "while True:\n    pass", short, statusIs(verdict.TimeLimit), false},
		{"fork bomb contained", "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass", short, statusIs(verdict.TimeLimit), false},
		{"output limit enforced", "while True:\n    print('x' * 4096)", lim, statusIs(verdict.OutputLimit), false},
	}
	for _, p := range probes {
		if p.needs && !isolated {
			rec.add("isolation", p.name+" (skipped: no isolation)", true, "")
			continue
		}
		r, err := pool.Exec(ctx, sandbox.Python, p.code, sandbox.Input{Limits: p.limits})
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			rec.add("isolation", p.name, false, err.Error())
			continue
		}
		ok, detail := p.want(r)
		rec.add("isolation", p.name, ok, detail)
	}
	cpp := "#include <cstdio>\nint main(){ int a, b; if (scanf(\"%d %d\", &a, &b) == 2) printf(\"%d\\n\", a + b); }\n"
	r, err := pool.Exec(ctx, sandbox.CPP, cpp, sandbox.Input{Stdin: []byte("2 3\n"), Limits: lim})
	switch {
	case err != nil:
		rec.add("isolation", "C++ compiles and runs", false, err.Error())
	default:
		rec.add("isolation", "C++ compiles and runs", r.Status == verdict.OK && string(r.Stdout) == "5\n", r.Message+" "+string(r.Stderr))
	}
	return ctx.Err()
}

func stdoutIs(want string) func(*sandbox.Result) (bool, string) {
	return func(r *sandbox.Result) (bool, string) {
		got := strings.TrimSpace(string(r.Stdout))
		return r.Status == verdict.OK && got == want, fmt.Sprintf("status %s, stdout %q, stderr %.200s", r.Status, got, r.Stderr)
	}
}

func statusIs(want verdict.Verdict) func(*sandbox.Result) (bool, string) {
	return func(r *sandbox.Result) (bool, string) {
		return r.Status == want, fmt.Sprintf("status %s (%s)", r.Status, r.Message)
	}
}

// solutionChecks judges every built-in problem's reference solutions
// (must pass everything) and known-incorrect ones (must fail something).
func solutionChecks(ctx context.Context, j *judge.Judge, set *dataset.Set, rec *recorder) error {
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(j.Pool().Slots() * 2)
	for _, p := range set.Problems {
		for i, s := range p.Solutions {
			g.Go(func() error {
				res, err := j.Judge(ctx, p, judge.Submission{Language: s.Language, Code: s.Code}, judge.PublicSuite(set), judge.PrivateSuite(set))
				name := fmt.Sprintf("%s reference %d (%s) passes", p.ID, i+1, s.Language)
				if err != nil {
					rec.add("judge", name, false, err.Error())
					return ctx.Err()
				}
				rec.add("judge", name, res.Passed(), describe(res))
				return nil
			})
		}
		for i, s := range p.Incorrect {
			g.Go(func() error {
				res, err := j.Judge(ctx, p, judge.Submission{Language: s.Language, Code: s.Code}, judge.PublicSuite(set), judge.PrivateSuite(set))
				name := fmt.Sprintf("%s incorrect %d (%s) fails", p.ID, i+1, s.Language)
				if err != nil {
					rec.add("judge", name, false, err.Error())
					return ctx.Err()
				}
				rec.add("judge", name, !res.Passed(), describe(res))
				return nil
			})
		}
	}
	return g.Wait()
}

func describe(res *judge.Result) string {
	var parts []string
	for _, s := range res.Suites {
		parts = append(parts, fmt.Sprintf("%s %s %d/%d", s.Name, s.Verdict, s.Passed, s.Total))
	}
	return strings.Join(parts, ", ")
}

// episodeChecks plays the RLEF protocol with a scripted policy: the
// known-incorrect solution first, the reference after feedback.
func episodeChecks(ctx context.Context, j *judge.Judge, set *dataset.Set, rec *recorder) error {
	env := &episode.Env{Set: set, Judge: j}
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(j.Pool().Slots() * 2)
	for _, p := range set.Problems {
		if len(p.Incorrect) == 0 || len(p.Solutions) == 0 || p.Incorrect[0].Language != "python" {
			continue
		}
		g.Go(func() error {
			name := p.ID + " episode: wrong, feedback, fixed"
			s := episode.NewSession(env, episode.Config{Turns: 3}, p, 0, 1)
			for _, code := range []string{p.Incorrect[0].Code, p.Solutions[0].Code} {
				if s.Done() {
					break
				}
				text := "```python\n" + code + "\n```"
				if _, err := s.Step(ctx, episode.Reply{Text: text, Answer: text}); err != nil {
					rec.add("episode", name, false, err.Error())
					return ctx.Err()
				}
			}
			e := s.Episode()
			// Either the feedback led to the fix, or the incorrect solution
			// passed the public tests, ending the episode at once with the
			// private tests failing it: both are the protocol working.
			fixed := len(e.Turns) == 2 && e.Turns[0].Feedback != "" && e.Passed && e.Reward == episode.RewardPass
			caught := len(e.Turns) == 1 && e.Turns[0].Verdict == verdict.Accepted && !e.Passed && e.Reward == episode.RewardFail
			rec.add("episode", name, fixed || caught, fmt.Sprintf("turns %d, passed %v, infra %q", len(e.Turns), e.Passed, e.Infra))
			return nil
		})
	}
	return g.Wait()
}
