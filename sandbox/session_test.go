package sandbox

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/rlef/rlef/verdict"
)

// frameLoop is a Python prelude: serve(handler) answers each request frame
// on descriptor 0 with handler(request bytes) -> reply bytes.
const frameLoop = `import os, socket, struct
_s = socket.socket(fileno=0)
def _read(n):
    b = b""
    while len(b) < n:
        c = _s.recv(n - len(b))
        if not c:
            raise SystemExit(0)
        b += c
    return b
def serve(handler):
    while True:
        n = struct.unpack("<I", _read(4))[0]
        out = handler(_read(n))
        _s.sendall(struct.pack("<I", len(out)) + out)
`

func sessionLimits() Limits {
	l := DefaultLimits()
	l.WallTime = 30 * time.Second
	return l
}

func startSession(t testing.TB, p *Pool, procs ...string) *Session {
	t.Helper()
	spec := SessionSpec{Limits: sessionLimits()}
	for _, src := range procs {
		spec.Procs = append(spec.Procs, SessionProc{Source: frameLoop + src})
	}
	s, err := p.StartSession(context.Background(), spec)
	if err != nil {
		t.Fatalf("StartSession: %v", err)
	}
	return s
}

func TestSessionExchanges(t *testing.T) {
	p := newTestPool(t, 1)
	ctx := context.Background()
	s := startSession(t, p, "serve(lambda b: b.upper())\n", "serve(lambda b: b[::-1])\n")
	step := StepLimits{CPU: time.Second}
	for i, tc := range []struct {
		conn      int
		in, reply string
	}{{0, "hello", "HELLO"}, {1, "hello", "olleh"}, {0, "", ""}, {1, "ab", "ba"}} {
		got, res, err := s.Conn(tc.conn).Exchange(ctx, []byte(tc.in), step)
		if err != nil {
			t.Fatalf("exchange %d: %v", i, err)
		}
		if string(got) != tc.reply {
			t.Errorf("exchange %d: got %q, want %q", i, got, tc.reply)
		}
		if res.Wall <= 0 || res.CPU < 0 {
			t.Errorf("exchange %d: measured %+v", i, res)
		}
	}
	r, err := s.Close()
	if err != nil {
		t.Fatal(err)
	}
	for i, pr := range r.Procs {
		if pr.ExitCode != 0 {
			t.Errorf("process %d exit %d, stderr %s", i, pr.ExitCode, pr.Stderr)
		}
	}
	// The slot serves the next run.
	if r, err := p.Exec(ctx, Python, "print('next')", Input{Limits: slowLimits()}); err != nil || string(r.Stdout) != "next\n" {
		t.Errorf("next run: %v %+v", err, r)
	}
}

// The CPU limit of an exchange covers every process of the session: a
// detached grandchild that computes while the process itself sleeps is
// stopped, and the step is a time-out.
func TestSessionStepLimitsCoverTheTree(t *testing.T) {
	p := newTestPool(t, 1)
	ctx := context.Background()
	cases := map[string]string{
		"busy loop": "serve(lambda b: (lambda: [0 for _ in iter(int, 1)])())\n",
		"detached grandchild": `import time
def h(b):
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            while True: pass
        os._exit(0)
    time.sleep(20)
    return b
serve(h)
`,
		"itimers disabled": `import signal, time
def h(b):
    signal.setitimer(signal.ITIMER_PROF, 0)
    signal.setitimer(signal.ITIMER_REAL, 0)
    signal.signal(signal.SIGALRM, signal.SIG_IGN)
    while True: pass
serve(h)
`,
		"sleeps": "import time\nserve(lambda b: time.sleep(30) or b)\n",
	}
	for name, src := range cases {
		t.Run(name, func(t *testing.T) {
			s := startSession(t, p, src)
			start := time.Now()
			_, res, err := s.Conn(0).Exchange(ctx, []byte("x"), StepLimits{CPU: 500 * time.Millisecond, WallFactor: 2})
			var se *StepError
			if !errors.As(err, &se) || se.Verdict != verdict.TimeLimit {
				t.Fatalf("err = %v, want a time limit", err)
			}
			if el := time.Since(start); el > 6*time.Second {
				t.Errorf("took %v to stop", el)
			}
			if name != "sleeps" && res.CPU < 400*time.Millisecond {
				t.Errorf("step CPU %v: the tree's CPU time was not counted", res.CPU)
			}
			if _, err := s.Close(); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// A session's process holds descriptors 0, 1 and 2 only, and its reply
// channel is its own: what it writes elsewhere is not a reply.
func TestSessionDescriptors(t *testing.T) {
	p := newTestPool(t, 1)
	ctx := context.Background()
	s := startSession(t, p, `import sys
print("stray output")
os.write(1, b"more stray output")
serve(lambda b: repr(sorted(int(f) for f in os.listdir("/proc/self/fd"))).encode())
`)
	got, _, err := s.Conn(0).Exchange(ctx, nil, StepLimits{CPU: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	// listdir holds one descriptor of its own while it reads.
	if string(got) != "[0, 1, 2, 3]" {
		t.Errorf("open descriptors %s, want [0, 1, 2, 3]", got)
	}
	r, err := s.Close()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(r.Procs[0].Stdout), "stray output") {
		t.Errorf("stdout capture %q", r.Procs[0].Stdout)
	}
}

// A process that ends, or breaks the framing, ends the exchange with a
// runtime error, and Close reports its exit.
func TestSessionProcessEnds(t *testing.T) {
	p := newTestPool(t, 1)
	ctx := context.Background()
	for name, src := range map[string]string{
		"exits":     "serve(lambda b: os._exit(3))\n",
		"raises":    "serve(lambda b: 1 / 0)\n",
		"oversized": "serve(lambda b: b'x' * (17 << 20))\n",
	} {
		t.Run(name, func(t *testing.T) {
			s := startSession(t, p, src)
			_, _, err := s.Conn(0).Exchange(ctx, []byte("x"), StepLimits{CPU: 5 * time.Second})
			var se *StepError
			if !errors.As(err, &se) {
				t.Fatalf("err = %v, want a StepError", err)
			}
			want := verdict.RuntimeError
			if name == "oversized" {
				want = verdict.OutputLimit
			}
			if se.Verdict != want {
				t.Errorf("verdict %s, want %s", se.Verdict, want)
			}
			r, err := s.Close()
			if err != nil {
				t.Fatal(err)
			}
			if name == "exits" && r.Procs[0].ExitCode != 3 {
				t.Errorf("exit code %d, want 3", r.Procs[0].ExitCode)
			}
			if name == "raises" && !strings.Contains(string(r.Procs[0].Stderr), "ZeroDivisionError") {
				t.Errorf("stderr %q", r.Procs[0].Stderr)
			}
		})
	}
}

// A session's first program kills every process it can reach as soon as
// it starts: its siblings are all set up by then, so what dies is the
// programs' doing, never a sandbox failure, and the slot keeps serving.
func TestSessionProgramKillsSiblings(t *testing.T) {
	p := newTestPool(t, 1)
	for i := 0; i < 10; i++ {
		s := startSession(t, p, "import signal\nos.kill(-1, signal.SIGKILL)\n", "serve(lambda b: b)\n", "serve(lambda b: b)\n")
		res, err := s.Close()
		if err != nil {
			t.Fatalf("round %d: %v", i, err)
		}
		if len(res.Procs) != 3 {
			t.Fatalf("round %d: %d processes reported", i, len(res.Procs))
		}
	}
	if n := p.stats.replaced.Load(); n != 0 {
		t.Errorf("%d slots replaced", n)
	}
	r, err := p.Exec(context.Background(), Python, "print('ok')", Input{Limits: DefaultLimits()})
	if err != nil || string(r.Stdout) != "ok\n" {
		t.Fatalf("after: %v %+v", err, r)
	}
}
