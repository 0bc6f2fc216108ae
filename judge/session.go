package judge

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/rlef/rlef/sandbox"
	"github.com/rlef/rlef/verdict"
)

// runnerSource is the candidate's side of a session (see runner.py).
//
//go:embed runner.py
var runnerSource string

// testerSource runs assert tests in their own process (see tester.py).
//
//go:embed tester.py
var testerSource string

// procs of a session: the runner always, and the tester for assert tests.
var (
	runnerProc = sandbox.SessionProc{Source: runnerSource, Name: "/w/.rlef/runner.py"}
	testerProc = sandbox.SessionProc{Source: testerSource, Name: "/w/.rlef/tester.py"}
)

// loaded is a session whose runner has loaded the solution.
type loaded struct {
	sess Session
	// reply is the load's reply body (exports, in module mode).
	reply []byte
}

// loadFailure is a load that produced no loaded solution: the program's
// own failure (fail) or a sandbox failure (err).
type loadFailure struct {
	fail *TestResult
	err  error
}

// startLoaded starts a session with the given processes (the runner
// first), loads the solution into the runner and returns it. A program
// that fails to load gives a loadFailure with its verdict; a sandbox that
// fails every attempt gives one with an infrastructure error.
func (j *Judge) startLoaded(ctx context.Context, spec sandbox.SessionSpec, load []byte, limit time.Duration, res *Result) (*loaded, *loadFailure, error) {
	sess, err := j.startSession(ctx, spec, res)
	if err != nil {
		if ctx.Err() != nil || errors.Is(err, sandbox.ErrInvalid) {
			return nil, nil, err
		}
		return nil, &loadFailure{err: err}, nil
	}
	reply, _, err := sess.Conn(0).Exchange(ctx, load, j.step(limit))
	if err != nil {
		if ctx.Err() != nil {
			sess.Kill()
			sess.Close()
			return nil, nil, ctx.Err()
		}
		tr := j.ended(sess, err, 0)
		if tr.Verdict == verdict.TimeLimit {
			tr.Message = "loading the program took too long"
		}
		return nil, &loadFailure{fail: tr}, nil
	}
	switch {
	case len(reply) > 0 && reply[0] == replyOK:
		return &loaded{sess: sess, reply: reply[1:]}, nil, nil
	case len(reply) > 0 && reply[0] == replyRaised:
		var f failure
		_ = json.Unmarshal(reply[1:], &f)
		sess.Close()
		return nil, &loadFailure{fail: loadFailed(f)}, nil
	}
	sess.Kill()
	sess.Close()
	return nil, &loadFailure{fail: &TestResult{Verdict: verdict.RuntimeError, Message: "the program broke the judge's protocol while loading"}}, nil
}

// loadFailed turns the runner's report of a failed load into the outcome
// every test gets.
func loadFailed(f failure) *TestResult {
	tr := &TestResult{Verdict: verdictNamed(f.Verdict), Error: f.Error, Traceback: f.Traceback}
	switch tr.Verdict {
	case verdict.CompileError:
		tr.Message = "the program did not compile"
		if tr.Traceback == "" {
			tr.Traceback = f.Error
		}
	case verdict.MemoryLimit:
		tr.Message = "the program ran out of memory while loading"
	default:
		tr.Message = "the program failed while loading, before any test ran"
	}
	return tr
}

// startSession starts a session, trying again when the sandbox fails
// (never for anything the program did: no program has run yet). The
// session's cost is added to res when it closes.
func (j *Judge) startSession(ctx context.Context, spec sandbox.SessionSpec, res *Result) (Session, error) {
	var err error
	for attempt := 0; attempt <= j.opts.Retries; attempt++ {
		if attempt > 0 {
			time.Sleep(time.Duration(attempt) * 50 * time.Millisecond)
		}
		var sess Session
		if sess, err = j.sb.StartSession(ctx, spec); err == nil {
			return accounted{Session: sess, res: res}, nil
		}
		if ctx.Err() != nil || !sandbox.IsInfra(err) {
			return nil, err
		}
		j.opts.Logger.Warn("session failed to start for sandbox reasons", "attempt", attempt+1, "err", err)
	}
	return nil, err
}

// sessionSpec is the session of a problem's runs.
func (j *Judge) sessionSpec(pl *plan, procs ...sandbox.SessionProc) sandbox.SessionSpec {
	return sandbox.SessionSpec{Procs: procs, Limits: sandbox.Limits{
		Memory: min(pl.memory+64<<20, j.sb.MaxLimits().Memory), Processes: j.opts.Processes,
		Output: min(j.opts.OutputLimit, j.sb.MaxLimits().Output),
	}}
}

// step is the limits of one exchange with a CPU limit.
func (j *Judge) step(cpu time.Duration) sandbox.StepLimits {
	return sandbox.StepLimits{CPU: max(cpu, time.Millisecond), WallFactor: j.opts.WallFactor}
}

// ended turns an exchange that produced no reply into the test's outcome,
// closing the session: how the process ended is what the sandbox saw
// from outside (time, the memory cgroup, the exit status, stderr).
func (j *Judge) ended(sess Session, err error, proc int) *TestResult {
	var se *sandbox.StepError
	if !errors.As(err, &se) {
		sess.Kill()
		sess.Close()
		return &TestResult{Verdict: verdict.RuntimeError, Message: err.Error()}
	}
	tr := &TestResult{Verdict: se.Verdict, Message: se.Reason}
	if se.Verdict == verdict.TimeLimit {
		tr.Message = "took too long: " + se.Reason
	}
	res, cerr := sess.Close()
	if cerr != nil || se.Verdict != verdict.RuntimeError {
		return tr
	}
	if res.OOMKilled {
		tr.Verdict, tr.Message = verdict.MemoryLimit, "ran out of memory"
		return tr
	}
	if proc < len(res.Procs) {
		pr := res.Procs[proc]
		switch {
		case pr.Signal != 0:
			tr.Message = fmt.Sprintf("the process was killed by signal %d", pr.Signal)
		default:
			tr.Message = fmt.Sprintf("the process ended (exit code %d) during the test", pr.ExitCode)
		}
		if tb := pythonTraceback(string(pr.Stderr)); tb != "" {
			tr.Traceback, _ = clip(tb, j.opts.KeepOutput)
			tr.Error = lastLine(tb)
		}
	}
	return tr
}

// accounted adds a session's cost to a result when it closes.
type accounted struct {
	Session
	res *Result
}

func (a accounted) Close() (*sandbox.SessionResult, error) {
	r, err := a.Session.Close()
	if r != nil && a.res != nil {
		a.res.Runs++
		a.res.RunCPU += r.CPUTime
		a.res.RunWall += r.WallTime
	}
	return r, err
}
