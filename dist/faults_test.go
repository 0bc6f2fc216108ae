package dist

import (
	"strings"
	"testing"
	"time"

	"github.com/rlef/rlef/dataset"
	"github.com/rlef/rlef/judge"
	"github.com/rlef/rlef/sandbox"
	"github.com/rlef/rlef/verdict"
)

// testAckWait is the AckWait of the fault tests: how soon a dead
// worker's jobs go to another.
const testAckWait = 2 * time.Second

// The faults of a cluster of three worker processes on loopback: a worker
// whose sandbox fails, a worker killed with SIGKILL mid-job, more jobs
// than slots, and the JetStream server restarting. Through all of them
// every job is answered exactly once with its own output.
func TestFaults(t *testing.T) {
	needSandbox(t)
	ts := newTestServer(t)
	c, cl := ts.connect(t, Config{AckWait: testAckWait})
	startWorker(t, c, ts.url(), "w1", "")
	startWorker(t, c, ts.url(), "w2", "")
	broken := startWorker(t, c, ts.url(), "broken", "infra")

	t.Run("sandbox failure retried elsewhere", func(t *testing.T) {
		out := runJobs(t.Context(), cl, 12, 0)
		checkOutcomes(t, out)
		retried := 0
		for _, o := range out {
			if o.res == nil {
				continue
			}
			if len(o.res.Failures) > 0 {
				retried++
				if o.res.Attempt < 2 || o.res.Worker == "" || o.res.Worker[:6] == "broken" {
					t.Errorf("job %d: attempt %d on %s after %v", o.tag, o.res.Attempt, o.res.Worker, o.res.Failures)
				}
			}
			if o.res.Infra != "" {
				t.Errorf("job %d: infrastructure failure %s", o.tag, o.res.Infra)
			}
		}
		if retried == 0 {
			t.Error("no job went through the broken worker")
		}
		t.Logf("%d of %d jobs failed on the broken worker and were answered by another", retried, len(out))
	})
	broken.kill(t)

	t.Run("SIGKILL mid-job", func(t *testing.T) {
		victim := startWorker(t, c, ts.url(), "victim", "")
		ctx := t.Context()
		done := make(chan []outcome)
		go func() { done <- runJobs(ctx, cl, 8, 1500*time.Millisecond) }()
		waitFor(t, 30*time.Second, "the victim to hold a job", func() bool {
			w := workerInfo(t, c, "victim")
			return w != nil && w.Busy > 0
		})
		victim.kill(t)
		out := <-done
		checkOutcomes(t, out)
		moved := 0
		for _, o := range out {
			if o.res != nil && o.res.Attempt > 1 {
				moved++
			}
		}
		if moved == 0 {
			t.Error("no job was taken over from the killed worker")
		}
		for key, n := range resultCount(t, c, cl.ID()) {
			if n != 1 {
				t.Errorf("job %s recorded %d times", key, n)
			}
		}
		t.Logf("%d jobs held by the killed worker completed elsewhere", moved)
	})

	t.Run("more jobs than slots", func(t *testing.T) {
		// Two workers take two jobs each; 16 jobs wait their turn and are
		// all answered, none refused, none with a limit verdict.
		out := runJobs(t.Context(), cl, 16, 300*time.Millisecond)
		checkOutcomes(t, out)
	})

	t.Run("JetStream server restart", func(t *testing.T) {
		ctx := t.Context()
		done := make(chan []outcome)
		go func() { done <- runJobs(ctx, cl, 8, time.Second) }()
		waitFor(t, 30*time.Second, "jobs running", func() bool {
			st, err := Status(ctx, c)
			return err == nil && st.Running > 0
		})
		ts.stop()
		time.Sleep(time.Second)
		ts.start()
		out := <-done
		checkOutcomes(t, out)
		for key, n := range resultCount(t, c, cl.ID()) {
			if n != 1 {
				t.Errorf("job %s recorded %d times", key, n)
			}
		}
	})
}

// A job whose every attempt fails is answered with an infrastructure
// failure after three attempts on different workers, not retried forever.
func TestThreeFailuresAnswered(t *testing.T) {
	ts := newTestServer(t)
	c, cl := ts.connect(t, Config{AckWait: testAckWait})
	for _, name := range []string{"b1", "b2", "b3"} {
		startWorker(t, c, ts.url(), name, "infra")
	}
	ctx := t.Context()
	r, err := cl.submit(ctx, KindRun, ptr(runRequest(1, 0)))
	if err != nil {
		t.Fatal(err)
	}
	if !sandbox.IsInfra(r.error()) || r.Attempt != 3 || len(r.Failures) != 2 {
		t.Errorf("run: attempt %d, failures %v, error %v", r.Attempt, r.Failures, r.error())
	}
	workers := map[string]bool{r.Worker[:2]: true}
	for _, f := range r.Failures {
		workers[f[:2]] = true
	}
	if len(workers) != 3 {
		t.Errorf("attempts on %v, want three different workers", workers)
	}
	set, err := dataset.LoadBuiltin()
	if err != nil {
		t.Fatal(err)
	}
	p, _ := set.Lookup("builtin/lanterns")
	res, err := cl.Judge(ctx, p, judge.Submission{Code: "print(1)"})
	if err != nil {
		t.Fatal(err)
	}
	if !res.SandboxFailed() || res.Suites[0].Verdict != verdict.SandboxError || res.Suites[1].Verdict != verdict.SandboxError {
		t.Errorf("judge: %+v", res)
	}
	// Nothing is left to loop on.
	time.Sleep(2 * testAckWait)
	st, err := Status(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if st.Queued != 0 || st.Running != 0 {
		t.Errorf("%d queued and %d running after the answers", st.Queued, st.Running)
	}
	if st.Infra != 2 {
		t.Errorf("%d infrastructure failures answered, want 2", st.Infra)
	}
}

// A job that kills every worker it reaches is answered with an
// infrastructure failure after three deaths, by the next worker, without
// being run again.
func TestJobThatKillsWorkers(t *testing.T) {
	ts := newTestServer(t)
	c, cl := ts.connect(t, Config{AckWait: testAckWait})
	var dying []*workerProc
	for _, name := range []string{"d1", "d2", "d3"} {
		dying = append(dying, startWorker(t, c, ts.url(), name, "die"))
	}
	answer := make(chan outcome, 1)
	go func() {
		r, err := cl.submit(t.Context(), KindRun, ptr(runRequest(1, 0)))
		answer <- outcome{res: r, err: err}
	}()
	for _, w := range dying {
		select {
		case <-w.done:
		case <-time.After(60 * time.Second):
			t.Fatalf("worker %s is still alive", w.name)
		}
	}
	startWorker(t, c, ts.url(), "survivor", "infra")
	o := <-answer
	if o.err != nil {
		t.Fatal(o.err)
	}
	if !sandbox.IsInfra(o.res.error()) || o.res.Attempt != 3 || o.res.Worker[:8] != "survivor" ||
		!strings.Contains(o.res.Infra, "3 attempts ended without an answer") {
		t.Errorf("answer: %+v", o.res)
	}
	if w := workerInfo(t, c, "survivor"); w == nil || w.Failed != 0 {
		t.Errorf("the survivor ran the job: %+v", w)
	}
}
