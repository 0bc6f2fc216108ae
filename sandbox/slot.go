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
	isoRoot   isoMode = "root"   // mount/pid/net/ipc/uts namespaces as root; programs run as a distinct unprivileged host uid per slot
	isoUserNS isoMode = "userns" // all namespaces through an unprivileged user namespace
	isoNone   isoMode = "none"   // --unsafe-no-isolation: limits only
)

const (
	sandboxWork = "/w"
	sandboxTmp  = "/tmp"
	// slotUIDBase+i is the host uid and gid programs of slot i run as in
	// root mode: no file on the host belongs to them. In userns mode only
	// one uid exists, so programs stay uid 0 of the namespace but hold no
	// capabilities.
	slotUIDBase = 2_000_000_000
	// nobodyUID runs programs in --unsafe-no-isolation mode when rlef is
	// root.
	nobodyUID = 65534
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
	tmpSize  int64
	inodes   int
	cgroups  *cgroupTree // nil: rlimit fallback
	shim     *os.File    // exec shim (sealed memfd); nil: native programs start from a forked interpreter
	log      *slog.Logger
}

// zygoteConfig is passed to zygote.py in RLEF_ZYGOTE.
type zygoteConfig struct {
	CtrlFD         int            `json:"ctrl_fd"`
	ShimFD         int            `json:"shim_fd"`
	StdioFDs       [3]int         `json:"stdio_fds"`
	MemcgFD        int            `json:"memcg_fd"`
	JoinFDs        []int          `json:"join_fds,omitempty"`
	WorkDir        string         `json:"work_dir"`
	TmpDir         string         `json:"tmp_dir"`
	RunUID         int            `json:"run_uid"`
	RunGID         int            `json:"run_gid"`
	PIDNamespace   bool           `json:"pid_namespace"`
	DropCaps       bool           `json:"drop_caps"`
	Seccomp        string         `json:"seccomp,omitempty"`
	RlimitFallback bool           `json:"rlimit_fallback"`
	Preload        []string       `json:"preload"`
	RootSetup      *rootSetupSpec `json:"root_setup,omitempty"`
	Trace          bool           `json:"trace,omitempty"`
}

type rootSetupSpec struct {
	Root     string            `json:"root"`
	Binds    []bindMount       `json:"binds"`
	Files    map[string]string `json:"files"`
	WorkSize int64             `json:"work_size"`
	TmpSize  int64             `json:"tmp_size"`
	Inodes   int               `json:"inodes"`
}

// zygoteEvent is a message from the zygote on the control socket.
type zygoteEvent struct {
	Ev          string   `json:"ev"`
	ID          int      `json:"id"`
	Wstatus     int      `json:"wstatus"`
	Utime       float64  `json:"utime"`
	Stime       float64  `json:"stime"`
	MaxRSSKB    int64    `json:"maxrss_kb"`
	Killed      bool     `json:"killed"`
	Collected   []string `json:"collected"`
	PreCPU      float64  `json:"pre_cpu"`
	MemoryError bool     `json:"memory_error"`
	SetupError  string   `json:"setup_error"`
	ExecError   string   `json:"exec_error"`
	Error       string   `json:"error"`
	Python      string   `json:"python"`
	fds         []*os.File
}

func (e *zygoteEvent) closeFiles() {
	for _, f := range e.fds {
		f.Close()
	}
	e.fds = nil
}

// slot is one long-lived sandbox: a zygote process in its own namespaces.
// A slot runs one program at a time.
type slot struct {
	spec    *slotSpec
	cmd     *exec.Cmd
	ctrl    *net.UnixConn
	stdin   *os.File
	stdout  *os.File
	stderr  *os.File
	cg      *slotCgroup
	dir     string // host directory: mount point of the slot root, or the work dirs without isolation
	workDir string // the work directory as programs see it
	tmpDir  string
	output  *tailBuffer // the zygote's own stdout/stderr, for diagnostics

	events chan zygoteEvent
	dead   chan struct{}

	mu      sync.Mutex
	deadErr error
	killed  bool
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

// startSlot starts a zygote and waits until it is ready to run programs.
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
	cfg := zygoteConfig{
		CtrlFD: 3, StdioFDs: [3]int{4, 5, 6}, MemcgFD: -1, ShimFD: -1,
		RunUID: -1, RunGID: -1,
		Seccomp: fmt.Sprintf("%x", spec.seccomp),
		Preload: spec.preload,
		Trace:   os.Getenv("RLEF_SANDBOX_TRACE") == "1",
	}
	files := []*os.File{childCtrl, s.stdin, s.stdout, s.stderr}
	if spec.shim != nil {
		files = append(files, spec.shim)
		cfg.ShimFD = 2 + len(files)
	}
	if s.cg != nil {
		files = append(files, s.cg.joinRun)
		cfg.MemcgFD = 2 + len(files)
		for _, f := range s.cg.joinSlot {
			files = append(files, f)
			cfg.JoinFDs = append(cfg.JoinFDs, 2+len(files))
		}
	} else {
		cfg.RlimitFallback = true
	}
	attr := &syscall.SysProcAttr{Setsid: true}
	switch spec.mode {
	case isoRoot, isoUserNS:
		s.workDir, s.tmpDir = sandboxWork, sandboxTmp
		cfg.PIDNamespace, cfg.DropCaps = true, true
		cfg.RootSetup = &rootSetupSpec{Root: s.dir, Binds: spec.binds, Files: spec.etc,
			WorkSize: spec.workSize, TmpSize: spec.tmpSize, Inodes: spec.inodes}
		attr.Cloneflags = syscall.CLONE_NEWNS | syscall.CLONE_NEWPID |
			syscall.CLONE_NEWNET | syscall.CLONE_NEWIPC | syscall.CLONE_NEWUTS
		if spec.mode == isoRoot {
			// The zygote is root confined to its namespaces; programs run
			// as a host uid that owns nothing, one per slot.
			cfg.RunUID, cfg.RunGID = slotUIDBase+spec.index, slotUIDBase+spec.index
		} else {
			attr.Cloneflags |= syscall.CLONE_NEWUSER
			attr.UidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getuid(), Size: 1}}
			attr.GidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getgid(), Size: 1}}
		}
	case isoNone:
		s.workDir, s.tmpDir = filepath.Join(s.dir, "w"), filepath.Join(s.dir, "tmp")
		for _, d := range []string{s.workDir, s.tmpDir} {
			if err := os.Mkdir(d, 0o755); err != nil {
				return nil, err
			}
		}
		if os.Geteuid() == 0 {
			// Without isolation, still never run programs as host root.
			cfg.RunUID, cfg.RunGID = nobodyUID, nobodyUID
			for _, d := range []string{s.dir, s.workDir, s.tmpDir} {
				if err := os.Chown(d, nobodyUID, nobodyUID); err != nil {
					return nil, err
				}
			}
		}
	}
	cfg.WorkDir, cfg.TmpDir = s.workDir, s.tmpDir
	cfgJSON, err := json.Marshal(cfg)
	if err != nil {
		return nil, err
	}
	// -s: no user site-packages; -P: nothing unsafe on sys.path. The
	// environment is ours entirely, so PYTHONHASHSEED (see programEnv) can
	// pin str hashing and make set order, and so verdicts, reproducible.
	s.cmd = exec.Command(spec.python, "-s", "-P", "-c", zygoteSource)
	// The zygote's environment is exactly the programs' (Python programs
	// run in the zygote's interpreter and inherit it untouched).
	s.cmd.Env = []string{"RLEF_ZYGOTE=" + string(cfgJSON)}
	for k, v := range programEnv(s.workDir, s.tmpDir) {
		s.cmd.Env = append(s.cmd.Env, k+"="+v)
	}
	s.cmd.Dir = "/"
	s.cmd.ExtraFiles = files
	s.cmd.Stdout = s.output
	s.cmd.Stderr = s.output
	s.cmd.SysProcAttr = attr
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start slot %d: %w", spec.index, err)
	}
	go func() {
		err := s.cmd.Wait()
		if err == nil {
			err = errors.New("zygote exited")
		}
		s.markDead(fmt.Errorf("slot %d: %w: %s", spec.index, err, s.output.String()))
	}()
	go s.readEvents()
	timeout := time.NewTimer(60 * time.Second)
	defer timeout.Stop()
	select {
	case ev := <-s.events:
		if ev.Ev != "ready" {
			return nil, fmt.Errorf("slot %d: unexpected first event %q: %s", spec.index, ev.Ev, ev.Error)
		}
		spec.log.Debug("sandbox slot ready", "slot", spec.index, "mode", spec.mode, "python", ev.Python, "pid", s.cmd.Process.Pid)
		return s, nil
	case <-s.dead:
		return nil, s.err()
	case <-timeout.C:
		return nil, fmt.Errorf("slot %d: zygote did not become ready within 60s: %s", spec.index, s.output.String())
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// readEvents forwards control messages until the socket closes.
func (s *slot) readEvents() {
	buf := make([]byte, 1<<16)
	oob := make([]byte, unix.CmsgSpace(8*4))
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
			s.markDead(fmt.Errorf("slot %d: zygote failed: %s", s.spec.index, ev.Error))
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

// decodeEvent parses one control message and the descriptors sent with it.
func decodeEvent(msg, oob []byte) (zygoteEvent, error) {
	var ev zygoteEvent
	ev.fds = parseRights(oob)
	if err := json.Unmarshal(msg, &ev); err != nil {
		return ev, fmt.Errorf("bad control message: %w", err)
	}
	switch ev.Ev {
	case "ready", "exit", "fatal":
	default:
		return ev, fmt.Errorf("unknown control message %q", ev.Ev)
	}
	if len(ev.Collected) > len(ev.fds) {
		return ev, fmt.Errorf("control message names %d collected files but carries %d descriptors", len(ev.Collected), len(ev.fds))
	}
	return ev, nil
}

func parseRights(oob []byte) []*os.File {
	msgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return nil
	}
	var files []*os.File
	for _, m := range msgs {
		fds, err := unix.ParseUnixRights(&m)
		if err != nil {
			continue
		}
		for _, fd := range fds {
			unix.CloseOnExec(fd)
			files = append(files, os.NewFile(uintptr(fd), "collected"))
		}
	}
	return files
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
	argv    []string
	env     map[string]string
	files   map[string][]byte // absolute paths inside the sandbox
	exe     *os.File          // binary to execute instead of argv[0]
	stdin   []byte
	limits  Limits
	collect []string // absolute paths inside the sandbox
}

type jobLimits struct {
	CPUSeconds int64 `json:"cpu_s"`
	FSize      int64 `json:"fsize"`
	Stack      int64 `json:"stack"`
	Memory     int64 `json:"memory"`
	NProc      int   `json:"nproc"`
	NoFile     int   `json:"nofile"`
}

type runRequest struct {
	Op      string            `json:"op"`
	ID      int               `json:"id"`
	Kind    string            `json:"kind"`
	Argv    []string          `json:"argv"`
	Env     map[string]string `json:"env"`
	Files   map[string]string `json:"files,omitempty"`
	Limits  jobLimits         `json:"limits"`
	ExeFD   *int              `json:"exe_fd,omitempty"`
	Collect []string          `json:"collect,omitempty"`
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

// outcome is what a slot reports about one job, before classification.
type outcome struct {
	ev         zygoteEvent
	timedOut   bool
	wall       time.Duration
	stdout     []byte
	stderr     []byte
	outTrunc   [2]bool
	memPeak    int64
	oomKilled  bool
	haveCgroup bool
	files      map[string][]byte
}

// run executes one job. It returns an error only when the slot could not
// produce an outcome (the caller then discards the slot).
func (s *slot) run(ctx context.Context, j *job) (*outcome, error) {
	s.runs++
	if err := s.prepare(j); err != nil {
		return nil, err
	}
	msg, fds, cleanup, err := s.encode(j)
	if err != nil {
		return nil, err
	}
	defer cleanup()
	start := time.Now()
	if _, _, err := s.ctrl.WriteMsgUnix(msg, unix.UnixRights(fds...), nil); err != nil {
		return nil, fmt.Errorf("slot %d: send request: %w", s.spec.index, err)
	}
	timer := time.NewTimer(j.limits.WallTime)
	defer timer.Stop()
	var out outcome
	var grace <-chan time.Time
	for {
		select {
		case ev := <-s.events:
			out.wall = time.Since(start)
			if ev.Ev != "exit" || ev.ID != s.runs {
				ev.closeFiles()
				return nil, fmt.Errorf("slot %d: unexpected event %q for run %d (expected run %d)", s.spec.index, ev.Ev, ev.ID, s.runs)
			}
			out.ev = ev
			return &out, s.finish(j, &out)
		case <-timer.C:
			// The clock runs outside the sandbox; nothing the program
			// does (SIGSTOP, sleeping, blocking) can stop it.
			out.timedOut = true
			s.sendCtrl("kill")
			grace = time.After(killGrace)
		case <-ctx.Done():
			s.sendCtrl("kill")
			select {
			case ev := <-s.events:
				ev.closeFiles()
			case <-time.After(killGrace):
				return nil, fmt.Errorf("slot %d: run did not stop after cancellation", s.spec.index)
			case <-s.dead:
			}
			return nil, ctx.Err()
		case <-grace:
			return nil, fmt.Errorf("slot %d: run did not die within %s of SIGKILL; zygote output: %q", s.spec.index, killGrace, s.output.String())
		case <-s.dead:
			return nil, s.err()
		}
	}
}

// prepare loads stdin and empties the output files and cgroup counters.
func (s *slot) prepare(j *job) error {
	for _, f := range []*os.File{s.stdin, s.stdout, s.stderr} {
		if err := f.Truncate(0); err != nil {
			return fmt.Errorf("slot %d: reset %s: %w", s.spec.index, f.Name(), err)
		}
	}
	if len(j.stdin) > 0 {
		if _, err := s.stdin.WriteAt(j.stdin, 0); err != nil {
			return fmt.Errorf("slot %d: write stdin: %w", s.spec.index, err)
		}
	}
	if s.cg != nil {
		if err := s.cg.configure(j.limits.Memory, j.limits.Processes); err != nil {
			return fmt.Errorf("slot %d: %w", s.spec.index, err)
		}
		if err := s.cg.begin(); err != nil {
			return fmt.Errorf("slot %d: %w", s.spec.index, err)
		}
	}
	return nil
}

func (s *slot) encode(j *job) (msg []byte, fds []int, cleanup func(), err error) {
	cleanup = func() {}
	lim := j.limits
	r := runRequest{
		Op: "run", ID: s.runs, Kind: j.kind, Argv: j.argv, Env: j.env, Collect: j.collect,
		Limits: jobLimits{
			CPUSeconds: int64((lim.cpu()+time.Second-1)/time.Second) + 1,
			FSize:      lim.Output,
			Stack:      stackLimit(lim.Memory),
			// Without cgroups the address-space rlimit stands in for the
			// memory limit; it needs headroom for the interpreter's
			// mappings, and the verdict then compares peak RSS instead.
			Memory: lim.Memory + 512<<20,
			NProc:  lim.Processes + 2,
			NoFile: 4096,
		},
	}
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
	msg, err = json.Marshal(r)
	if err != nil {
		return nil, nil, cleanup, err
	}
	if len(msg) > maxInlineRequest {
		payload, err := memfd("request")
		if err != nil {
			return nil, nil, cleanup, err
		}
		if _, err := payload.Write(msg); err != nil {
			payload.Close()
			return nil, nil, cleanup, fmt.Errorf("write request payload: %w", err)
		}
		idx := len(fds)
		fds = append(fds, int(payload.Fd()))
		msg = []byte(fmt.Sprintf(`{"op":"run","id":%d,"payload_fd":%d}`, s.runs, idx))
		cleanup = func() { payload.Close() }
	}
	return msg, fds, cleanup, nil
}

// finish gathers output, cgroup counters and collected files.
func (s *slot) finish(j *job, out *outcome) error {
	defer out.ev.closeFiles()
	var err error
	if out.stdout, out.outTrunc[0], err = readCapped(s.stdout, j.limits.Output); err != nil {
		return fmt.Errorf("slot %d: read stdout: %w", s.spec.index, err)
	}
	if out.stderr, out.outTrunc[1], err = readCapped(s.stderr, j.limits.Output); err != nil {
		return fmt.Errorf("slot %d: read stderr: %w", s.spec.index, err)
	}
	if s.cg != nil {
		out.haveCgroup = true
		if out.memPeak, out.oomKilled, err = s.cg.finish(); err != nil {
			return fmt.Errorf("slot %d: %w", s.spec.index, err)
		}
	} else {
		out.memPeak = out.ev.MaxRSSKB << 10
	}
	if len(out.ev.Collected) > 0 {
		out.files = map[string][]byte{}
		for i, name := range out.ev.Collected {
			if i >= len(out.ev.fds) {
				break
			}
			data, _, err := readCapped(out.ev.fds[i], j.limits.Output)
			if err != nil {
				return fmt.Errorf("slot %d: read collected %s: %w", s.spec.index, name, err)
			}
			out.files[name] = data
		}
	}
	// Large stdin would otherwise stay in memory until the next run.
	if len(j.stdin) > 1<<20 {
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
