package sandbox

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/rlef/rlef/verdict"
)

// A Session runs one or more Python processes in one slot, each talking
// to the supervisor over its own socket (its descriptor 0), for as many
// exchanges as the caller wants: the judge sends a test and reads the
// answer, test after test, while the processes keep their state. Frames
// are a 4-byte little-endian length and that many bytes; the sandbox does
// not look inside them.
//
// Limits are enforced from outside, per exchange: the CPU time of every
// process of the session (read from the run cgroup, so a detached
// grandchild counts too) and the wall clock. A process cannot stop or
// disable either; when one runs out the whole session is killed. A
// session's processes have descriptors 0, 1 (a capture of stray output)
// and 2 (stderr), and nothing else.

// SessionSpec describes a session.
type SessionSpec struct {
	Procs []SessionProc
	// Limits: Memory and Processes bound the session as they bound a run;
	// Output bounds each process's captured stdout and stderr and each
	// reply; WallTime, when not zero, bounds the session from start to
	// Close (exchanges have their own limits either way).
	Limits Limits
}

// SessionProc is one process of a session.
type SessionProc struct {
	// Source is the Python program, compiled from this text (never read
	// from a file another process could change).
	Source string
	// Name is its file name in tracebacks (default /w/main.py).
	Name string
	Args []string
}

// StepLimits bound one exchange.
type StepLimits struct {
	// CPU bounds the CPU time the session's processes use during the
	// exchange.
	CPU time.Duration
	// WallFactor sets the wall-clock backstop: CPU × WallFactor + 1 s
	// (default 2). The backstop is extended while the processes keep
	// computing (a loaded machine starves them; they are not slow) and
	// never for processes that sleep or block.
	WallFactor float64
}

// StepError is an exchange that produced no reply. The session is over
// (killed, or its process ended); Close tells how the processes ended.
type StepError struct {
	// Verdict is time_limit, output_limit (a reply over the limit) or
	// runtime_error (the process closed its socket or ended, or broke the
	// framing).
	Verdict verdict.Verdict
	Reason  string
}

func (e *StepError) Error() string { return fmt.Sprintf("%s: %s", e.Verdict, e.Reason) }

// StepResult measures one exchange.
type StepResult struct {
	CPU  time.Duration
	Wall time.Duration
}

// SessionResult is how a session's processes ended.
type SessionResult struct {
	Procs []ProcResult
	// Memory is the session's peak memory; OOMKilled reports that the
	// memory limit killed a process.
	Memory    int64
	OOMKilled bool
	// CPUTime and WallTime cover the whole session.
	CPUTime  time.Duration
	WallTime time.Duration
}

// ProcResult is one process's end.
type ProcResult struct {
	ExitCode int
	Signal   int
	Stdout   []byte
	Stderr   []byte
}

// Session is an open session. It must be used from one goroutine.
type Session struct {
	pool  *Pool
	slot  *slot
	conns []*Conn
	meter *meter
	lim   Limits
	start time.Time
	// dead: the session's processes were killed or the slot failed.
	dead    bool
	closed  bool
	cleanup func()
}

// Conn is the supervisor's end of one process's socket.
type Conn struct {
	s      *Session
	fd     int
	stdout *os.File
	stderr *os.File
}

// StartSession starts a session on an idle slot, which it holds until
// Close.
func (p *Pool) StartSession(ctx context.Context, spec SessionSpec) (*Session, error) {
	if p.closed.Load() {
		return nil, ErrClosed
	}
	if len(spec.Procs) == 0 {
		return nil, fmt.Errorf("%w: a session needs a process", ErrInvalid)
	}
	lim := spec.Limits
	if lim.WallTime == 0 {
		lim.WallTime = p.cfg.Max.WallTime // only for validation
	}
	if err := lim.Validate(p.cfg.Max); err != nil {
		return nil, err
	}
	s, err := p.acquire(ctx)
	if err != nil {
		return nil, err
	}
	sess := &Session{pool: p, slot: s, lim: spec.Limits}
	if err := sess.begin(ctx, spec); err != nil {
		sess.closeConns()
		p.releaseSlot(s, &InfraError{Err: err})
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, &InfraError{Err: err}
	}
	return sess, nil
}

// begin sends the session request.
func (sess *Session) begin(ctx context.Context, spec SessionSpec) error {
	s := sess.slot
	if err := s.awaitReady(ctx); err != nil {
		return err
	}
	s.runs++
	s.dropSpare() // sessions start their processes from fresh spares
	if err := s.prepare(nil, spec.Limits); err != nil {
		return err
	}
	// The session's CPU time is limited per exchange, from outside; the
	// RLIMIT_CPU backstop only bounds a whole session.
	backstop := spec.Limits
	backstop.CPUTime = sess.pool.cfg.Max.cpu()
	req := sessionRequest{Op: "session", ID: s.runs, Limits: rlimits(backstop).wire()}
	var fds []int
	for _, proc := range spec.Procs {
		c, child, err := newConn(sess)
		if err != nil {
			return err
		}
		sess.conns = append(sess.conns, c)
		defer unix.Close(child)
		name := proc.Name
		if name == "" {
			name = path.Join(s.workDir, "main.py")
		}
		req.Procs = append(req.Procs, sessionProc{Kind: "python", Argv: append([]string{name}, proc.Args...),
			Source: proc.Source, FDs: []int{len(fds), len(fds) + 1, len(fds) + 2}})
		fds = append(fds, child, int(c.stdout.Fd()), int(c.stderr.Fd()))
	}
	msg, err := json.Marshal(req)
	if err != nil {
		return err
	}
	msg, fds, cleanup, err := s.inline(msg, fds)
	if err != nil {
		return err
	}
	sess.cleanup = cleanup
	if sess.meter, err = s.startMeter(); err != nil {
		return fmt.Errorf("slot %d: read CPU time: %w", s.spec.index, err)
	}
	sess.start = time.Now()
	s.ready = false
	if _, _, err := s.ctrl.WriteMsgUnix(msg, unix.UnixRights(fds...), nil); err != nil {
		return fmt.Errorf("slot %d: send session: %w", s.spec.index, err)
	}
	return nil
}

// newConn makes a process's socket and output captures; child is the
// process's end of the socket.
func newConn(sess *Session) (*Conn, int, error) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, -1, fmt.Errorf("socketpair: %w", err)
	}
	if err := unix.SetNonblock(fds[0], true); err != nil {
		unix.Close(fds[0])
		unix.Close(fds[1])
		return nil, -1, err
	}
	c := &Conn{s: sess, fd: fds[0]}
	if c.stdout, err = memfd("session-stdout"); err == nil {
		c.stderr, err = memfd("session-stderr")
	}
	if err != nil {
		c.close()
		unix.Close(fds[1])
		return nil, -1, err
	}
	return c, fds[1], nil
}

// Conn returns the connection to process i.
func (sess *Session) Conn(i int) *Conn { return sess.conns[i] }

// Exchange sends one frame to the process and waits for one frame back,
// within the step's limits. A *StepError means the session is over.
func (c *Conn) Exchange(ctx context.Context, req []byte, lim StepLimits) ([]byte, StepResult, error) {
	sess := c.s
	if sess.dead || sess.closed {
		return nil, StepResult{}, &StepError{Verdict: verdict.RuntimeError, Reason: "the session is over"}
	}
	if lim.WallFactor < 1 {
		lim.WallFactor = 2
	}
	w := newWatch(sess, lim)
	frame := binary.LittleEndian.AppendUint32(make([]byte, 0, 4+len(req)), uint32(len(req)))
	frame = append(frame, req...)
	err := c.writeAll(ctx, frame, w)
	var reply []byte
	if err == nil {
		reply, err = c.readFrame(ctx, w)
	}
	res := StepResult{CPU: w.cpuUsed(), Wall: time.Since(w.start)}
	var se *StepError
	if errors.As(err, &se) && se.Verdict != verdict.RuntimeError {
		sess.kill()
	}
	if err != nil {
		if se == nil && ctx.Err() == nil {
			err = &StepError{Verdict: verdict.RuntimeError, Reason: err.Error()}
		}
		sess.dead = true
	}
	return reply, res, err
}

// watch times one exchange.
type watch struct {
	sess      *Session
	lim       StepLimits
	start     time.Time
	cpuBase   time.Duration
	period    time.Duration
	backstop  time.Time // wall-clock deadline, extended while computing
	cpuAtStop time.Duration
	// sessionEnd is the session's own wall-clock deadline.
	sessionEnd time.Time
}

func newWatch(sess *Session, lim StepLimits) *watch {
	w := &watch{sess: sess, lim: lim, start: time.Now()}
	w.cpuBase = max(sess.meter.used(), 0)
	w.period = time.Duration(float64(lim.CPU)*lim.WallFactor) + time.Second
	w.backstop = w.start.Add(w.period)
	if sess.lim.WallTime > 0 {
		w.sessionEnd = sess.start.Add(sess.lim.WallTime)
	}
	return w
}

func (w *watch) cpuUsed() time.Duration {
	u := w.sess.meter.used()
	if u < 0 {
		return 0
	}
	return u - w.cpuBase
}

// next returns how long to wait before the limits need another look, or a
// StepError when they ran out.
func (w *watch) next() (time.Duration, error) {
	now := time.Now()
	if !w.sessionEnd.IsZero() && !now.Before(w.sessionEnd) {
		return 0, &StepError{Verdict: verdict.TimeLimit, Reason: fmt.Sprintf("the session's wall-clock limit of %s ran out", w.sess.lim.WallTime)}
	}
	used := w.cpuUsed()
	if w.sess.meter.used() >= 0 && used >= w.lim.CPU {
		return 0, &StepError{Verdict: verdict.TimeLimit, Reason: fmt.Sprintf("CPU-time limit of %s exceeded", w.lim.CPU)}
	}
	if !now.Before(w.backstop) {
		// Still computing (a tenth of a CPU over the period) and under the
		// CPU limit: only starved by a loaded machine.
		if w.sess.meter.used() >= 0 && used-w.cpuAtStop >= w.period/10 && used < w.lim.CPU {
			w.cpuAtStop, w.backstop = used, now.Add(w.period)
		} else {
			return 0, &StepError{Verdict: verdict.TimeLimit, Reason: fmt.Sprintf("wall-clock limit of %s exceeded", w.period)}
		}
	}
	wait := w.backstop.Sub(now)
	if !w.sessionEnd.IsZero() {
		wait = min(wait, w.sessionEnd.Sub(now))
	}
	if w.sess.meter.used() >= 0 {
		// CPU time cannot pass faster than wall-clock time on one CPU.
		wait = min(wait, max(w.lim.CPU-used, time.Millisecond))
	}
	return max(wait, time.Millisecond), nil
}

// poll waits until fd is ready for events, the limits run out or ctx ends.
func (c *Conn) poll(ctx context.Context, events int16, w *watch) error {
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		wait, err := w.next()
		if err != nil {
			return err
		}
		// Wake at least every 100 ms to notice cancellation.
		ms := int(min(wait, 100*time.Millisecond) / time.Millisecond)
		fds := []unix.PollFd{{Fd: int32(c.fd), Events: events}}
		n, err := unix.Poll(fds, max(ms, 1))
		if err != nil && !errors.Is(err, unix.EINTR) {
			return err
		}
		if n > 0 {
			return nil
		}
	}
}

func (c *Conn) writeAll(ctx context.Context, b []byte, w *watch) error {
	for len(b) > 0 {
		n, err := unix.Write(c.fd, b)
		switch {
		case err == nil:
			b = b[n:]
		case errors.Is(err, unix.EAGAIN):
			if err := c.poll(ctx, unix.POLLOUT, w); err != nil {
				return err
			}
		case errors.Is(err, unix.EINTR):
		default:
			return &StepError{Verdict: verdict.RuntimeError, Reason: "the process no longer reads its requests (" + err.Error() + ")"}
		}
	}
	return nil
}

// readFrame reads one length-prefixed reply.
func (c *Conn) readFrame(ctx context.Context, w *watch) ([]byte, error) {
	var hdr [4]byte
	if err := c.readFull(ctx, hdr[:], w); err != nil {
		return nil, err
	}
	n := binary.LittleEndian.Uint32(hdr[:])
	if int64(n) > c.s.lim.Output {
		return nil, &StepError{Verdict: verdict.OutputLimit, Reason: fmt.Sprintf("a reply of %s is over the output limit of %s", FormatBytes(int64(n)), FormatBytes(c.s.lim.Output))}
	}
	body := make([]byte, n)
	if err := c.readFull(ctx, body, w); err != nil {
		return nil, err
	}
	return body, nil
}

func (c *Conn) readFull(ctx context.Context, b []byte, w *watch) error {
	for len(b) > 0 {
		n, err := unix.Read(c.fd, b)
		switch {
		case err == nil && n == 0:
			return &StepError{Verdict: verdict.RuntimeError, Reason: "the process ended or closed its connection"}
		case err == nil:
			b = b[n:]
		case errors.Is(err, unix.EAGAIN):
			if err := c.poll(ctx, unix.POLLIN, w); err != nil {
				return err
			}
		case errors.Is(err, unix.EINTR):
		default:
			return &StepError{Verdict: verdict.RuntimeError, Reason: err.Error()}
		}
	}
	return nil
}

// kill ends every process of the session.
func (sess *Session) kill() {
	if !sess.dead {
		sess.slot.sendCtrl("kill")
		sess.dead = true
	}
}

// Kill ends the session's processes at once; Close still reports them.
func (sess *Session) Kill() { sess.kill() }

// Close ends the session (the processes see end of file on their sockets
// and should exit; those that do not within a second are killed), gives
// the slot back and reports how the processes ended.
func (sess *Session) Close() (*SessionResult, error) {
	if sess.closed {
		return nil, errors.New("session already closed")
	}
	sess.closed = true
	defer sess.cleanup()
	s := sess.slot
	for _, c := range sess.conns {
		unix.Close(c.fd)
		c.fd = -1
	}
	ev, err := sess.awaitExit()
	if err != nil {
		sess.closeConns()
		sess.pool.releaseSlot(s, &InfraError{Err: err})
		return nil, &InfraError{Err: err}
	}
	res, err := sess.result(ev)
	sess.closeConns()
	sess.pool.stats.runs.Add(1)
	sess.pool.releaseSlot(s, err)
	return res, err
}

// awaitExit waits for the session's exit event, killing processes that
// linger.
func (sess *Session) awaitExit() (*zygoteEvent, error) {
	s := sess.slot
	linger := time.NewTimer(time.Second)
	defer linger.Stop()
	var grace <-chan time.Time
	for {
		select {
		case ev := <-s.events:
			if ev.Ev != "exit" || ev.ID != s.runs {
				ev.closeFiles()
				return nil, fmt.Errorf("%w: slot %d: unexpected event %q", errSlotProtocol, s.spec.index, ev.Ev)
			}
			s.exitSeen()
			return &ev, nil
		case <-linger.C:
			sess.kill()
			grace = time.After(killGrace)
		case <-grace:
			return nil, fmt.Errorf("slot %d: session did not end within %s of SIGKILL", s.spec.index, killGrace)
		case <-s.dead:
			return nil, s.err()
		}
	}
}

// result assembles the session's result from the exit event, the cgroup
// and the output captures.
func (sess *Session) result(ev *zygoteEvent) (*SessionResult, error) {
	defer ev.closeFiles()
	s := sess.slot
	switch {
	case ev.SetupError != "":
		return nil, &InfraError{Err: fmt.Errorf("sandbox setup failed: %s", ev.SetupError)}
	case !ev.Started && !sess.dead:
		return nil, &InfraError{Err: errors.New("a session process died before its program started")}
	}
	res := &SessionResult{WallTime: time.Since(sess.start), CPUTime: s.runCPU(sess.meter, ev)}
	if s.cg != nil {
		var err error
		if res.Memory, res.OOMKilled, err = s.cg.finish(); err != nil {
			return nil, &InfraError{Err: err}
		}
	}
	s.sendDone()
	for i, c := range sess.conns {
		var pr ProcResult
		if i < len(ev.Procs) {
			ws := syscall.WaitStatus(ev.Procs[i].Wstatus)
			pr.ExitCode = ws.ExitStatus()
			if ws.Signaled() {
				pr.Signal, pr.ExitCode = int(ws.Signal()), -int(ws.Signal())
			}
		}
		pr.Stdout, _, _ = readCapped(c.stdout, sess.lim.Output)
		pr.Stderr, _, _ = readCapped(c.stderr, sess.lim.Output)
		res.Procs = append(res.Procs, pr)
	}
	return res, nil
}

func (sess *Session) closeConns() {
	for _, c := range sess.conns {
		c.close()
	}
}

func (c *Conn) close() {
	if c.fd >= 0 {
		unix.Close(c.fd)
		c.fd = -1
	}
	for _, f := range []*os.File{c.stdout, c.stderr} {
		if f != nil {
			f.Close()
		}
	}
}
