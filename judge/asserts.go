package judge

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"github.com/rlef/rlef/dataset"
	"github.com/rlef/rlef/pyvalue"
	"github.com/rlef/rlef/verdict"
)

// assertRun judges one sample of an assert-style problem. The tests run in
// a tester process of their own; every name of the solution's module is a
// stand-in there, whose calls cross to the solution's process through the
// judge: the solution never sees a test or an expected value, and what it
// returns reaches the tester only as plain data, decoded and re-encoded
// here.
type assertRun struct {
	j     *Judge
	p     *dataset.Problem
	pl    *plan
	tl    *tally
	load  []byte
	limit time.Duration
	cur   *loaded
}

// The processes of an assert session.
const (
	procCandidate = 0
	procTester    = 1
)

// judgeAsserts judges assert-style problems.
func (j *Judge) judgeAsserts(ctx context.Context, p *dataset.Problem, pl *plan, code string, suites []resolvedSuite) (*Result, error) {
	ar := &assertRun{j: j, p: p, pl: pl, tl: newTally(suites), limit: max(pl.timeLimit, time.Second)}
	var err error
	if ar.load, err = jsonFrame(msgLoad, loadJob{Mode: "module", Source: code, Setup: p.Setup, ASLimit: max(pl.memory, 256<<20)}); err != nil {
		return nil, err
	}
	defer ar.close()
	for si, s := range suites {
		for k := range s.tests {
			if ar.tl.stopped(si) {
				break
			}
			tr, stop, err := ar.test(ctx, si, k)
			if err != nil {
				return nil, err
			}
			if stop {
				return ar.tl.result(), nil
			}
			ar.tl.record(si, k, tr)
		}
	}
	return ar.tl.result(), nil
}

// session returns the running tester and candidate, starting them when
// needed; stop reports that the rest of the run got its outcome.
func (ar *assertRun) session(ctx context.Context, si, k int) (*loaded, bool, error) {
	if ar.cur != nil {
		return ar.cur, false, nil
	}
	spec := ar.j.sessionSpec(ar.pl, runnerProc, testerProc)
	l, lf, err := ar.j.startLoaded(ctx, spec, ar.load, ar.limit, ar.tl.res)
	if err != nil {
		return nil, true, err
	}
	if lf == nil {
		lf = ar.loadTester(ctx, l)
	}
	if lf != nil {
		cr := &callRun{tl: ar.tl}
		cr.failRest(si, k, lf)
		return nil, true, nil
	}
	ar.cur = l
	return l, false, nil
}

// loadTester hands the tester the solution's exports (the problem's setup
// code ran in the solution's process, after the solution, and what it made
// is among them).
func (ar *assertRun) loadTester(ctx context.Context, l *loaded) *loadFailure {
	var ex exports
	if err := json.Unmarshal(l.reply, &ex); err != nil {
		l.sess.Kill()
		l.sess.Close()
		return &loadFailure{fail: &TestResult{Verdict: verdict.RuntimeError, Message: protocolBroken}}
	}
	ex = ex.sanitized()
	ex.Setup, ex.Starter, ex.Entry = ar.p.Setup, ar.p.StarterCode, ar.p.EntryPoint
	msg, err := jsonFrame(msgLoad, ex)
	if err != nil {
		return &loadFailure{err: err}
	}
	reply, _, err := l.sess.Conn(procTester).Exchange(ctx, msg, ar.j.step(ar.limit))
	if err != nil {
		return &loadFailure{fail: ar.j.ended(l.sess, err, procTester)}
	}
	if len(reply) > 0 && reply[0] == replyOK {
		return nil
	}
	var f failure
	if len(reply) > 0 {
		_ = json.Unmarshal(reply[1:], &f)
	}
	l.sess.Close()
	return &loadFailure{fail: &TestResult{Verdict: verdict.RuntimeError, Error: f.Error, Traceback: f.Traceback,
		Message: "the tests' setup failed"}}
}

// test runs one assert test: the tester runs its code, and each call it
// makes to the solution is relayed, within the test's time limit.
func (ar *assertRun) test(ctx context.Context, si, k int) (*TestResult, bool, error) {
	l, stop, err := ar.session(ctx, si, k)
	if stop || err != nil {
		return nil, true, err
	}
	t := ar.tl.suites[si].tests[k]
	left := ar.pl.timeLimit
	tr := &TestResult{}
	msg, err := jsonFrame(msgRun, map[string]any{"code": t.Code, "index": ar.tl.suites[si].indices[k]})
	if err != nil {
		return nil, true, err
	}
	for {
		reply, res, err := l.sess.Conn(procTester).Exchange(ctx, msg, ar.j.step(left))
		tr.CPUTime += res.CPU
		tr.WallTime += res.Wall
		left -= res.CPU
		if err != nil {
			return ar.died(ctx, tr, err, procTester)
		}
		if len(reply) == 0 || (reply[0] != replyCallOut && reply[0] != replyDone) {
			return ar.broken(tr), false, nil
		}
		if reply[0] == replyDone {
			ar.done(tr, reply[1:])
			return tr, false, nil
		}
		name, args, err := splitCall(reply[1:])
		if err != nil {
			return ar.broken(tr), false, nil
		}
		creply, cres, err := l.sess.Conn(procCandidate).Exchange(ctx, callFrame(name, args), ar.j.step(left))
		tr.CPUTime += cres.CPU
		tr.WallTime += cres.Wall
		left -= cres.CPU
		if err != nil {
			return ar.died(ctx, tr, err, procCandidate)
		}
		if msg = answer(creply); msg == nil {
			return ar.broken(tr), false, nil
		}
	}
}

// answer turns the candidate's reply into the tester's answer, letting
// only plain data through: a value is decoded and encoded again here.
// nil means the reply is not one the runner sends.
func answer(reply []byte) []byte {
	if len(reply) == 0 {
		return nil
	}
	switch reply[0] {
	case replyValue:
		v, err := pyvalue.DecodeMarshal(reply[1:], valueLimits)
		if err != nil {
			return frame(msgAnswer, append([]byte{replyNotData}, "not plain data ("+err.Error()+")"...))
		}
		clean, err := pyvalue.EncodeMarshal(v)
		if err != nil {
			return frame(msgAnswer, append([]byte{replyNotData}, "not plain data ("+err.Error()+")"...))
		}
		return frame(msgAnswer, append([]byte{replyValue}, clean...))
	case replyHandle:
		if _, err := strconv.ParseUint(string(reply[1:]), 10, 31); err != nil {
			return nil
		}
		return frame(msgAnswer, append([]byte{replyHandle}, reply[1:]...))
	case replyNotData:
		text, _ := clip(string(reply[1:]), 2000)
		return frame(msgAnswer, append([]byte{replyNotData}, text...))
	case replyRaised:
		var f failure
		if json.Unmarshal(reply[1:], &f) != nil {
			return nil
		}
		clean, _ := json.Marshal(failure{Type: f.Type, Error: f.Error, Traceback: f.Traceback})
		return frame(msgAnswer, append([]byte{replyRaised}, clean...))
	}
	return nil
}

// done reads the tester's result.
func (ar *assertRun) done(tr *TestResult, body []byte) {
	var o testOutcome
	if err := json.Unmarshal(body, &o); err != nil {
		// The tester shares its slot with the candidate: a report it
		// cannot make is the run's failure, never the sandbox's.
		tr.Verdict, tr.Message = verdict.RuntimeError, "the tester's report cannot be read: "+err.Error()
		return
	}
	tr.Verdict = verdict.Accepted
	if o.Verdict != "accepted" {
		tr.Verdict = verdictNamed(o.Verdict)
	}
	tr.Assertion, tr.AssertionError, tr.Error = o.Assertion, o.AssertionError, o.Error
	tr.Traceback, _ = clip(o.Traceback, ar.j.opts.KeepOutput)
	switch tr.Verdict {
	case verdict.MemoryLimit:
		tr.Message = "ran out of memory"
	case verdict.WrongAnswer:
		tr.Message = "an assertion failed"
	}
}

// died handles a process that ended (or was killed) during a test.
func (ar *assertRun) died(ctx context.Context, tr *TestResult, err error, proc int) (*TestResult, bool, error) {
	if ctx.Err() != nil {
		return nil, true, ctx.Err()
	}
	got := ar.j.ended(ar.cur.sess, err, proc)
	ar.cur = nil
	got.CPUTime, got.WallTime = tr.CPUTime, tr.WallTime
	if proc == procTester && got.Verdict == verdict.RuntimeError {
		got.Message = "the test's process ended: " + got.Message + " (the solution may have killed it)"
	}
	return got, false, nil
}

// broken ends a session whose processes broke the protocol.
func (ar *assertRun) broken(tr *TestResult) *TestResult {
	ar.cur.sess.Kill()
	ar.cur.sess.Close()
	ar.cur = nil
	tr.Verdict, tr.Message = verdict.RuntimeError, protocolBroken
	return tr
}

func (ar *assertRun) close() {
	if ar.cur != nil {
		ar.cur.sess.Close()
		ar.cur = nil
	}
}
