package sandbox

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

//go:embed zygote.py
var zygoteSource string

// isoMode is how a pool isolates programs.
type isoMode string

const (
	isoRoot   isoMode = "root"   // mount/pid/net/ipc/uts/cgroup namespaces as root; programs run as a distinct unprivileged host uid per slot
	isoUserNS isoMode = "userns" // all namespaces through an unprivileged user namespace
	isoNone   isoMode = "none"   // --unsafe-no-isolation: limits only
)

const (
	sandboxWork = "/w"
	sandboxTmp  = "/tmp"
	sandboxMnt  = "/mnt"
	// slotUIDBase+i is the host uid and gid programs of slot i run as in
	// root mode: no file on the host belongs to them. In userns mode only
	// one uid exists, so programs stay uid 0 of the namespace but hold no
	// capabilities.
	slotUIDBase = 2_000_000_000
	// nobodyUID runs programs in --unsafe-no-isolation mode when rlef is
	// root.
	nobodyUID = 65534
)

// The zygote's descriptors (see keepDescriptors and zygote.py).
const (
	zygoteCtrlFD    = 3
	zygoteStdinFD   = 4
	zygoteStdoutFD  = 5
	zygoteStderrFD  = 6
	zygoteShimFD    = 7
	zygoteRunJoinFD = 8 // and up
)

// bindMount is a host path visible read-only (unless RW) inside slots.
type bindMount struct {
	Src    string `json:"src"`
	Dst    string `json:"dst"`
	RW     bool   `json:"rw,omitempty"`
	Follow bool   `json:"follow,omitempty"` // bind the symlink's target instead of copying the link
}

// slotSpec is everything needed to start a slot.
type slotSpec struct {
	index    int
	mode     isoMode
	python   string
	preload  []string
	binds    []bindMount
	etc      map[string]string
	seccomp  []byte
	workSize int64
	inodes   int
	cgroups  *cgroupTree       // nil: rlimit fallback
	shim     *os.File          // exec shim (sealed memfd); nil: native programs start from a forked interpreter
	pch      func() *pchHolder // the precompiled-header holder, or nil (root mode only)
	log      *slog.Logger
}

// zygoteConfig is passed to zygote.py in RLEF_ZYGOTE.
type zygoteConfig struct {
	CtrlFD         int          `json:"ctrl_fd"`
	ShimFD         int          `json:"shim_fd"`
	StdioFDs       [3]int       `json:"stdio_fds"`
	RunJoinFDs     []int        `json:"run_join_fds,omitempty"`
	WorkDir        string       `json:"work_dir"`
	Scratch        []scratchDir `json:"scratch"`
	PIDNamespace   bool         `json:"pid_namespace"`
	RlimitFallback bool         `json:"rlimit_fallback"`
	Preload        []string     `json:"preload"`
	Trace          bool         `json:"trace,omitempty"`
}

// slot is one long-lived sandbox: a zygote process in its own namespaces.
// A slot runs one request at a time.
type slot struct {
	spec    *slotSpec
	cmd     *exec.Cmd
	ctrl    *net.UnixConn
	stdin   *os.File
	stdout  *os.File
	stderr  *os.File
	cg      *slotCgroup
	dir     string // host directory: mount point of the slot root, or the work dirs without isolation
	workDir string // the per-run directories as programs see them
	tmpDir  string
	mntDir  string
	output  *tailBuffer // the zygote's own stdout/stderr, for diagnostics
	pchGen  int         // the precompiled header generation the slot sees

	events chan zygoteEvent
	dead   chan struct{}
	// ready: a "ready" event came after the last request.
	ready bool

	mu      sync.Mutex
	deadErr error
	runs    int
}

func memfd(name string) (*os.File, error) {
	fd, err := unix.MemfdCreate("rlef-"+name, unix.MFD_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("memfd_create %s: %w", name, err)
	}
	return os.NewFile(uintptr(fd), "memfd:"+name), nil
}

// socketPair returns the supervisor's end as a connection and the child's
// end as a file to pass on.
func socketPair(name string) (*net.UnixConn, *os.File, error) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_SEQPACKET|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("socketpair %s: %w", name, err)
	}
	parent := os.NewFile(uintptr(fds[0]), name)
	child := os.NewFile(uintptr(fds[1]), name)
	c, err := net.FileConn(parent)
	parent.Close()
	if err != nil {
		child.Close()
		return nil, nil, fmt.Errorf("socket %s: %w", name, err)
	}
	return c.(*net.UnixConn), child, nil
}

// startSlot starts a slot (the sandbox init, which becomes the zygote) and
// waits until it is ready to run programs.
func startSlot(ctx context.Context, spec *slotSpec) (_ *slot, err error) {
	s := &slot{spec: spec, events: make(chan zygoteEvent, 4), dead: make(chan struct{}), output: &tailBuffer{max: 16 << 10}}
	var childFiles []*os.File
	defer func() {
		for _, f := range childFiles {
			f.Close()
		}
		if err != nil {
			s.destroy()
		}
	}()
	var childCtrl *os.File
	if s.ctrl, childCtrl, err = socketPair("ctrl"); err != nil {
		return nil, err
	}
	childFiles = append(childFiles, childCtrl)
	for _, m := range []struct {
		f    **os.File
		name string
	}{{&s.stdin, "stdin"}, {&s.stdout, "stdout"}, {&s.stderr, "stderr"}} {
		if *m.f, err = memfd(m.name); err != nil {
			return nil, err
		}
	}
	if spec.cgroups != nil {
		if s.cg, err = spec.cgroups.newSlot(spec.index); err != nil {
			return nil, fmt.Errorf("slot %d cgroups: %w", spec.index, err)
		}
	}
	if s.dir, err = os.MkdirTemp("", fmt.Sprintf("rlef-slot%d-", spec.index)); err != nil {
		return nil, err
	}
	cfg, files, err := s.initConfig(childCtrl)
	if err != nil {
		return nil, err
	}
	if err := s.startInit(files); err != nil {
		return nil, err
	}
	msg, err := json.Marshal(cfg)
	if err != nil {
		return nil, err
	}
	if _, err := s.ctrl.Write(msg); err != nil {
		return nil, fmt.Errorf("slot %d: send init instructions: %w", spec.index, err)
	}
	return s, s.awaitFirstReady(ctx)
}

// initConfig assembles the init's instructions and the files it inherits
// (as descriptors 3, 4, ... in order).
func (s *slot) initConfig(ctrl *os.File) (*initConfig, []*os.File, error) {
	spec := s.spec
	files := []*os.File{ctrl, s.stdin, s.stdout, s.stderr}
	fdOf := func(f *os.File) int {
		files = append(files, f)
		return 2 + len(files)
	}
	keep := map[int]int{zygoteCtrlFD: initCtrlFD, zygoteStdinFD: 4, zygoteStdoutFD: 5, zygoteStderrFD: 6}
	zc := zygoteConfig{CtrlFD: zygoteCtrlFD, StdioFDs: [3]int{zygoteStdinFD, zygoteStdoutFD, zygoteStderrFD},
		ShimFD: -1, Preload: spec.preload, Trace: os.Getenv("RLEF_SANDBOX_TRACE") == "1"}
	cfg := &initConfig{RunUID: -1, RunGID: -1, Seccomp: spec.seccomp}
	if spec.shim != nil {
		keep[zygoteShimFD] = fdOf(spec.shim)
		zc.ShimFD = zygoteShimFD
	}
	if s.cg != nil {
		for i, f := range s.cg.joinRun {
			keep[zygoteRunJoinFD+i] = fdOf(f)
			zc.RunJoinFDs = append(zc.RunJoinFDs, zygoteRunJoinFD+i)
		}
		for _, f := range s.cg.joinSlot {
			cfg.SlotJoin = append(cfg.SlotJoin, fdOf(f))
		}
		cfg.CgroupNS = spec.mode != isoNone
	} else {
		zc.RlimitFallback = true
	}
	owner := -1
	switch spec.mode {
	case isoRoot, isoUserNS:
		s.workDir, s.tmpDir, s.mntDir = sandboxWork, sandboxTmp, sandboxMnt
		zc.PIDNamespace = true
		cfg.DropCaps = true
		if spec.mode == isoRoot {
			// The zygote is confined to its namespaces; it and the programs
			// run as a host uid that owns nothing, one per slot.
			cfg.RunUID, cfg.RunGID = slotUIDBase+spec.index, slotUIDBase+spec.index
			owner = cfg.RunUID
		}
	case isoNone:
		if err := s.makeUnsafeDirs(cfg); err != nil {
			return nil, nil, err
		}
	}
	zc.WorkDir = s.workDir
	zc.Scratch = []scratchDir{
		{Path: s.workDir, Size: spec.workSize, Inodes: spec.inodes, Mode: 0o755, Owner: owner},
		{Path: s.tmpDir, Size: spec.workSize, Inodes: spec.inodes, Mode: 0o1777, Owner: owner},
		{Path: s.mntDir, Size: spec.workSize, Inodes: spec.inodes, Mode: 0o755, Owner: owner},
	}
	if spec.mode != isoNone {
		root := &rootSpec{Dir: s.dir, Binds: spec.binds, Files: spec.etc, Scratch: zc.Scratch, PCHNamespace: -1}
		if h := spec.pch(); h != nil {
			root.PCHNamespace, root.PCHDir = fdOf(h.ns), h.dir
			s.pchGen = h.gen
		}
		cfg.Root = root
	}
	zcJSON, err := json.Marshal(zc)
	if err != nil {
		return nil, nil, err
	}
	// -s: no user site-packages; -P: nothing unsafe on sys.path. The
	// environment is ours entirely, so PYTHONHASHSEED (see programEnv) can
	// pin str hashing and make set order, and so verdicts, reproducible.
	cfg.Argv = []string{spec.python, "-s", "-P", "-c", zygoteSource}
	cfg.Env = []string{"RLEF_ZYGOTE=" + string(zcJSON)}
	for k, v := range programEnv(s.workDir, s.tmpDir) {
		cfg.Env = append(cfg.Env, k+"="+v)
	}
	cfg.Keep = keep
	return cfg, files, nil
}

// makeUnsafeDirs creates the per-run directories on the host for the
// --unsafe-no-isolation mode.
func (s *slot) makeUnsafeDirs(cfg *initConfig) error {
	s.workDir, s.tmpDir, s.mntDir = filepath.Join(s.dir, "w"), filepath.Join(s.dir, "tmp"), filepath.Join(s.dir, "mnt")
	for _, d := range []string{s.workDir, s.tmpDir, s.mntDir} {
		if err := os.Mkdir(d, 0o755); err != nil {
			return err
		}
	}
	if os.Geteuid() != 0 {
		return nil
	}
	// Without isolation, still never run programs as host root.
	cfg.RunUID, cfg.RunGID = nobodyUID, nobodyUID
	for _, d := range []string{s.dir, s.workDir, s.tmpDir, s.mntDir} {
		if err := os.Chown(d, nobodyUID, nobodyUID); err != nil {
			return err
		}
	}
	return nil
}

// startInit starts rlef again as the slot's init in fresh namespaces.
func (s *slot) startInit(files []*os.File) error {
	spec := s.spec
	attr := &syscall.SysProcAttr{Setsid: true, Pdeathsig: syscall.SIGKILL}
	if spec.mode != isoNone {
		attr.Cloneflags = syscall.CLONE_NEWNS | syscall.CLONE_NEWPID |
			syscall.CLONE_NEWNET | syscall.CLONE_NEWIPC | syscall.CLONE_NEWUTS
		if spec.mode == isoUserNS {
			attr.Cloneflags |= syscall.CLONE_NEWUSER
			attr.UidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getuid(), Size: 1}}
			attr.GidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getgid(), Size: 1}}
		}
	}
	s.cmd = exec.Command("/proc/self/exe")
	s.cmd.Args = []string{"rlef-sandbox-init"}
	s.cmd.Env = []string{initEnv + "=" + initSlot}
	s.cmd.Dir = "/"
	s.cmd.ExtraFiles = files
	s.cmd.Stdout = s.output
	s.cmd.Stderr = s.output
	s.cmd.SysProcAttr = attr
	if err := s.cmd.Start(); err != nil {
		return fmt.Errorf("start slot %d: %w", spec.index, err)
	}
	go func() {
		err := s.cmd.Wait()
		if err == nil {
			err = errors.New("zygote exited")
		}
		s.markDead(fmt.Errorf("slot %d: %w: %s", spec.index, err, s.output.String()))
	}()
	go s.readEvents()
	return nil
}

// awaitFirstReady waits for the zygote's first "ready".
func (s *slot) awaitFirstReady(ctx context.Context) error {
	timeout := time.NewTimer(60 * time.Second)
	defer timeout.Stop()
	select {
	case ev := <-s.events:
		if ev.Ev != "ready" {
			ev.closeFiles()
			return fmt.Errorf("slot %d: unexpected first event %q: %s", s.spec.index, ev.Ev, ev.Error)
		}
		s.ready = true
		s.spec.log.Debug("sandbox slot ready", "slot", s.spec.index, "mode", s.spec.mode, "python", ev.Python, "pid", s.cmd.Process.Pid)
		return nil
	case <-s.dead:
		return s.err()
	case <-timeout.C:
		return fmt.Errorf("slot %d: zygote did not become ready within 60s: %s", s.spec.index, s.output.String())
	case <-ctx.Done():
		return ctx.Err()
	}
}

// awaitReady waits, before a request, for the "ready" that follows the
// previous one.
func (s *slot) awaitReady(ctx context.Context) error {
	if s.ready {
		return nil
	}
	select {
	case ev := <-s.events:
		if ev.Ev != "ready" {
			ev.closeFiles()
			return fmt.Errorf("%w: slot %d: event %q while waiting for ready", errSlotProtocol, s.spec.index, ev.Ev)
		}
		s.ready = true
		return nil
	case <-s.dead:
		return s.err()
	case <-ctx.Done():
		return ctx.Err()
	}
}

// readEvents forwards control messages until the socket closes.
func (s *slot) readEvents() {
	buf := make([]byte, 1<<16)
	// Room for every descriptor a message may carry: collected files
	// (MaxCollect at most) or a spare's socket.
	oob := make([]byte, unix.CmsgSpace((MaxCollect+8)*4))
	for {
		n, oobn, _, _, err := s.ctrl.ReadMsgUnix(buf, oob)
		if err != nil || n == 0 {
			if err == nil {
				err = errors.New("control socket closed")
			}
			s.markDead(fmt.Errorf("slot %d: %w: %s", s.spec.index, err, s.output.String()))
			return
		}
		ev, err := decodeEvent(buf[:n], oob[:oobn])
		if err != nil {
			ev.closeFiles()
			s.markDead(fmt.Errorf("slot %d: %w", s.spec.index, err))
			return
		}
		if ev.Ev == "fatal" {
			ev.closeFiles()
			s.markDead(fmt.Errorf("slot %d: %s", s.spec.index, ev.Error))
			return
		}
		select {
		case s.events <- ev:
		case <-s.dead:
			ev.closeFiles()
			return
		}
	}
}

func (s *slot) markDead(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.deadErr != nil {
		return
	}
	s.deadErr = err
	close(s.dead)
}

func (s *slot) err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.deadErr
}

func (s *slot) alive() bool {
	select {
	case <-s.dead:
		return false
	default:
		return true
	}
}

func (s *slot) sendCtrl(op string) {
	_, _ = s.ctrl.Write([]byte(`{"op":"` + op + `"}`))
}

// destroy kills the zygote (and with it every process of the slot) and
// releases everything the slot holds.
func (s *slot) destroy() {
	if s.cmd != nil && s.cmd.Process != nil {
		_ = s.cmd.Process.Kill()
		select {
		case <-s.dead:
		case <-time.After(5 * time.Second):
		}
	}
	if s.ctrl != nil {
		s.ctrl.Close()
	}
	for _, f := range []*os.File{s.stdin, s.stdout, s.stderr} {
		if f != nil {
			f.Close()
		}
	}
	if s.cg != nil {
		s.cg.close()
	}
	if s.dir != "" {
		os.RemoveAll(s.dir)
	}
}

// job is one execution inside a slot.
type job struct {
	kind    string // "python": run argv[0] in the zygote's interpreter; "exec": execve
	lang    Language
	argv    []string
	env     map[string]string
	files   map[string][]byte // absolute paths inside the sandbox
	exe     *os.File          // binary to execute instead of argv[0]
	stdin   []byte
	limits  Limits
	collect []string // absolute paths inside the sandbox
}

// killGrace bounds how long a killed run may take to disappear. Tearing
// down hundreds of processes with gigabytes of touched memory takes
// seconds on a busy virtual machine; after this the slot is discarded.
const killGrace = 30 * time.Second

// maxInlineRequest is the largest request sent as one socket message;
// larger ones travel in a memfd.
const maxInlineRequest = 48 << 10

// stackLimit lets deep (legitimate) recursion use nearly all memory while
// runaway recursion still ends in a stack overflow (SIGSEGV, a runtime
// error) rather than in the memory cgroup's OOM killer.
func stackLimit(memory int64) int64 {
	return max(8<<20, memory-16<<20)
}

// rlimits are a run's backstop rlimits.
func rlimits(lim Limits) jobLimits {
	return jobLimits{
		CPUSeconds: int64((lim.cpu()+time.Second-1)/time.Second) + 1,
		FSize:      lim.Output,
		Stack:      stackLimit(lim.Memory),
		// Without cgroups the address-space rlimit stands in for the
		// memory limit; it needs headroom for the interpreter's
		// mappings, and the verdict then compares peak RSS instead.
		Memory: lim.Memory + 512<<20,
		NProc:  lim.Processes + 2,
		NoFile: 4096,
	}
}

// outcome is what a slot reports about one request, before
// classification: only what the supervisor observed from outside.
type outcome struct {
	ev         zygoteEvent
	timedOut   bool // killed for the wall-clock or CPU limit
	wall       time.Duration
	cpu        time.Duration
	stdout     []byte
	stderr     []byte
	outTrunc   [2]bool
	memPeak    int64
	oomKilled  bool
	haveCgroup bool
	files      map[string][]byte
}

// meter measures a request's CPU time from the run cgroup, which counts
// every process of the run whatever it did to itself, and enforces the
// CPU limit with it.
type meter struct {
	s    *slot
	base time.Duration
}

func (s *slot) startMeter() (*meter, error) {
	m := &meter{s: s}
	if s.cg == nil {
		return m, nil
	}
	var err error
	m.base, err = s.cg.cpuTime()
	return m, err
}

// used returns the CPU time the run has used so far (the spares'
// preparation after "ready" included, a fraction of a millisecond), or
// -1 without a cgroup.
func (m *meter) used() time.Duration {
	if m.s.cg == nil {
		return -1
	}
	t, err := m.s.cg.cpuTime()
	if err != nil {
		return -1
	}
	return t - m.base
}

// limiter watches a request's wall clock and CPU time from outside.
type limiter struct {
	m        *meter
	cpuLimit time.Duration
	wall     *time.Timer
	cpuCheck *time.Timer
}

func newLimiter(m *meter, lim Limits) *limiter {
	l := &limiter{m: m, cpuLimit: lim.cpu(), wall: time.NewTimer(lim.WallTime)}
	// The run cannot use more CPU than wall-clock time on its one CPU:
	// nothing to check before the CPU limit has passed on the clock.
	l.cpuCheck = time.NewTimer(l.cpuLimit)
	return l
}

func (l *limiter) stop() {
	l.wall.Stop()
	l.cpuCheck.Stop()
}

// overCPU checks the CPU time when the check timer fires; it re-arms the
// timer for the time left.
func (l *limiter) overCPU() bool {
	used := l.m.used()
	if used < 0 {
		return false // no cgroup: RLIMIT_CPU and the wall clock stand in
	}
	if used >= l.cpuLimit {
		return true
	}
	l.cpuCheck.Reset(max(l.cpuLimit-used, 10*time.Millisecond))
	return false
}

// run executes one job. It returns an error only when the slot could not
// produce an outcome (the caller then discards the slot).
func (s *slot) run(ctx context.Context, j *job) (*outcome, error) {
	if err := s.awaitReady(ctx); err != nil {
		return nil, err
	}
	s.runs++
	if err := s.prepare(j.stdin, j.limits); err != nil {
		return nil, err
	}
	msg, fds, cleanup, err := s.encode(j)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	m, err := s.startMeter()
	if err != nil {
		return nil, fmt.Errorf("slot %d: read CPU time: %w", s.spec.index, err)
	}
	start := time.Now()
	s.ready = false
	if _, _, err := s.ctrl.WriteMsgUnix(msg, unix.UnixRights(fds...), nil); err != nil {
		return nil, fmt.Errorf("slot %d: send request: %w", s.spec.index, err)
	}
	out, err := s.wait(ctx, m, j.limits, start)
	if err != nil {
		return nil, err
	}
	return out, s.finish(j.stdin, j.limits, out, s.stdout, s.stderr)
}

// wait waits for a request's exit event, enforcing its limits from
// outside: nothing the program does (SIGSTOP, sleeping, blocking, work in
// a detached grandchild) can stop the clocks.
func (s *slot) wait(ctx context.Context, m *meter, lim Limits, start time.Time) (*outcome, error) {
	l := newLimiter(m, lim)
	defer l.stop()
	var out outcome
	var grace <-chan time.Time
	kill := func() {
		if grace == nil {
			out.timedOut = true
			s.sendCtrl("kill")
			grace = time.After(killGrace)
		}
	}
	for {
		select {
		case ev := <-s.events:
			out.wall = time.Since(start)
			if ev.Ev != "exit" || ev.ID != s.runs {
				ev.closeFiles()
				return nil, fmt.Errorf("%w: slot %d: unexpected event %q for request %d (expected %d)", errSlotProtocol, s.spec.index, ev.Ev, ev.ID, s.runs)
			}
			out.ev = ev
			out.cpu = s.runCPU(m, &ev)
			return &out, nil
		case <-l.wall.C:
			kill()
		case <-l.cpuCheck.C:
			if l.overCPU() {
				kill()
			}
		case <-ctx.Done():
			s.sendCtrl("kill")
			select {
			case ev := <-s.events:
				ev.closeFiles()
			case <-time.After(killGrace):
				return nil, fmt.Errorf("slot %d: request did not stop after cancellation", s.spec.index)
			case <-s.dead:
			}
			return nil, ctx.Err()
		case <-grace:
			return nil, fmt.Errorf("slot %d: request did not die within %s of SIGKILL; zygote output: %q", s.spec.index, killGrace, s.output.String())
		case <-s.dead:
			return nil, s.err()
		}
	}
}

// runCPU is the request's CPU time: from the run cgroup, less what the
// sandbox's own spares spent before the program ran; without cgroups,
// the rusage of every reaped process.
func (s *slot) runCPU(m *meter, ev *zygoteEvent) time.Duration {
	pre := time.Duration(ev.PreCPU * float64(time.Second))
	if used := m.used(); used >= 0 {
		return max(used-pre, 0)
	}
	setup := time.Duration(ev.SetupCPU * float64(time.Second))
	return max(time.Duration((ev.Utime+ev.Stime)*float64(time.Second))-setup, 0)
}

// prepare loads stdin and empties the output files and cgroup counters.
func (s *slot) prepare(stdin []byte, lim Limits) error {
	for _, f := range []*os.File{s.stdin, s.stdout, s.stderr} {
		if err := f.Truncate(0); err != nil {
			return fmt.Errorf("slot %d: reset %s: %w", s.spec.index, f.Name(), err)
		}
	}
	if len(stdin) > 0 {
		if _, err := s.stdin.WriteAt(stdin, 0); err != nil {
			return fmt.Errorf("slot %d: write stdin: %w", s.spec.index, err)
		}
	}
	if s.cg != nil {
		if err := s.cg.configure(lim.Memory, lim.Processes); err != nil {
			return fmt.Errorf("slot %d: %w", s.spec.index, err)
		}
		if err := s.cg.begin(); err != nil {
			return fmt.Errorf("slot %d: %w", s.spec.index, err)
		}
	}
	return nil
}

func (s *slot) encode(j *job) (msg []byte, fds []int, cleanup func(), err error) {
	r := runRequest{Op: "run", ID: s.runs, Kind: j.kind, Argv: j.argv, Env: j.env, Collect: j.collect, Limits: rlimits(j.limits)}
	if len(j.files) > 0 {
		r.Files = make(map[string]string, len(j.files))
		for name, data := range j.files {
			r.Files[name] = base64.StdEncoding.EncodeToString(data)
		}
	}
	if j.exe != nil {
		idx := len(fds)
		fds = append(fds, int(j.exe.Fd()))
		r.ExeFD = &idx
	}
	if msg, err = json.Marshal(r); err != nil {
		return nil, nil, func() {}, err
	}
	return s.inline(msg, fds)
}

// inline returns msg as it is when it fits one message, else a message
// that names a memfd holding it.
func (s *slot) inline(msg []byte, fds []int) ([]byte, []int, func(), error) {
	if len(msg) <= maxInlineRequest {
		return msg, fds, func() {}, nil
	}
	payload, err := memfd("request")
	if err != nil {
		return nil, nil, func() {}, err
	}
	if _, err := payload.Write(msg); err != nil {
		payload.Close()
		return nil, nil, func() {}, fmt.Errorf("write request payload: %w", err)
	}
	idx := len(fds)
	fds = append(fds, int(payload.Fd()))
	msg = []byte(fmt.Sprintf(`{"op":"run","id":%d,"payload_fd":%d}`, s.runs, idx))
	return msg, fds, func() { payload.Close() }, nil
}

// finish gathers output, cgroup counters and collected files.
func (s *slot) finish(stdin []byte, lim Limits, out *outcome, stdout, stderr *os.File) error {
	defer out.ev.closeFiles()
	var err error
	if out.stdout, out.outTrunc[0], err = readCapped(stdout, lim.Output); err != nil {
		return fmt.Errorf("slot %d: read stdout: %w", s.spec.index, err)
	}
	if out.stderr, out.outTrunc[1], err = readCapped(stderr, lim.Output); err != nil {
		return fmt.Errorf("slot %d: read stderr: %w", s.spec.index, err)
	}
	if s.cg != nil {
		out.haveCgroup = true
		if out.memPeak, out.oomKilled, err = s.cg.finish(); err != nil {
			return fmt.Errorf("slot %d: %w", s.spec.index, err)
		}
	} else if len(out.ev.Procs) > 0 {
		out.memPeak = out.ev.Procs[0].MaxRSSKB << 10
	}
	if len(out.ev.Collected) > 0 {
		out.files = map[string][]byte{}
		for i, name := range out.ev.Collected {
			data, _, err := readCapped(out.ev.fds[i], lim.Output)
			if err != nil {
				return fmt.Errorf("slot %d: read collected %s: %w", s.spec.index, name, err)
			}
			out.files[name] = data
		}
	}
	// Large stdin would otherwise stay in memory until the next run.
	if len(stdin) > 1<<20 {
		_ = s.stdin.Truncate(0)
	}
	return nil
}

// readCapped reads a whole file, at most limit bytes; truncated reports
// that the file reached the limit.
func readCapped(f *os.File, limit int64) (data []byte, truncated bool, err error) {
	st, err := f.Stat()
	if err != nil {
		return nil, false, err
	}
	n := st.Size()
	if n >= limit {
		truncated = true
		n = limit
	}
	data = make([]byte, n)
	m, err := f.ReadAt(data, 0)
	if err != nil && m < len(data) && !errors.Is(err, os.ErrClosed) {
		if m == 0 && n > 0 {
			return nil, false, err
		}
	}
	return data[:m], truncated, nil
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
	max int
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf.Write(p)
	if over := t.buf.Len() - t.max; over > 0 {
		t.buf.Next(over)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.TrimSpace(t.buf.String())
}
