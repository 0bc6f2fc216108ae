package sandbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"
)

// DefaultPreload lists the modules each zygote imports once, so programs
// that use them start without importing. Chosen from what competitive
// programming and HumanEval/MBPP solutions import most, and what verl's
// function-call wrapper imports.
var DefaultPreload = []string{
	"abc", "array", "bisect", "collections", "copy", "dataclasses", "datetime",
	"decimal", "fractions", "functools", "hashlib", "heapq", "io", "itertools",
	"json", "math", "operator", "random", "re", "statistics", "string", "sys",
	"typing", "unittest",
}

// DefaultPython and DefaultCXX are Config's default interpreter and
// compiler.
const (
	DefaultPython = "/usr/bin/python3"
	DefaultCXX    = "/usr/bin/g++"
)

// DefaultCXXFlags are Config's default compiler flags.
func DefaultCXXFlags() []string { return []string{"-std=c++17", "-O2", "-pipe"} }

// Config configures a Pool. The zero value works: defaults are filled in.
type Config struct {
	// Slots is the number of programs that run at once; default: the
	// number of CPUs. Each slot is limited to one CPU, so more slots than
	// CPUs would make wall-clock verdicts depend on load.
	Slots int
	// Python is the interpreter for Python programs (default
	// /usr/bin/python3, Debian's, with python3-numpy).
	Python string
	// CXX is the C++ compiler (default /usr/bin/g++) and CXXFlags its
	// flags (default -std=c++17 -O2 -pipe).
	CXX      string
	CXXFlags []string
	// PythonOnly starts no C++ compiler, exec shim or precompiled header:
	// a pool for Python runs alone starts sooner (C++ programs are then
	// refused).
	PythonOnly bool
	// Preload is the list of modules each zygote imports (default
	// DefaultPreload).
	Preload []string
	// CacheDir holds compiled programs and the precompiled bits/stdc++.h
	// (default $XDG_CACHE_HOME/rlef, else ~/.cache/rlef).
	CacheDir string
	// Max bounds every request's limits (the server's maxima).
	Max Limits
	// CompileLimits bound the compiler (default DefaultCompileLimits).
	CompileLimits Limits
	// WorkDirSize is the size of each slot's /w, /tmp and /mnt (default
	// 1GiB each; pages count against the run's memory limit).
	WorkDirSize int64
	// CompileCacheMemory bounds the compiled programs kept in memory and
	// CompileCacheDisk those kept on disk under CacheDir (defaults
	// DefaultCompileCacheMemory and DefaultCompileCacheDisk). Failed
	// compilations count with the size of their kept diagnostics.
	CompileCacheMemory int64
	CompileCacheDisk   int64
	// ReadOnly lists extra host paths made visible, read-only, in slots.
	ReadOnly []string
	// UnsafeNoIsolation runs programs with limits but without namespaces
	// when isolation is unavailable. Never use it for untrusted code.
	UnsafeNoIsolation bool
	// Logger receives diagnostics (default slog.Default()).
	Logger *slog.Logger

	probe func() Isolation // tests replace the host probe
}

// DefaultMaxLimits are the largest limits a request may ask for.
func DefaultMaxLimits() Limits {
	return Limits{WallTime: 10 * time.Minute, Memory: 16 << 30, Processes: 4096, Output: 1 << 30}
}

func (c *Config) fill() error {
	if c.Slots <= 0 {
		c.Slots = runtime.NumCPU()
	}
	if c.Python == "" {
		c.Python = DefaultPython
	}
	if c.CXX == "" {
		c.CXX = DefaultCXX
	}
	if c.CXXFlags == nil {
		c.CXXFlags = DefaultCXXFlags()
	}
	if c.Preload == nil {
		c.Preload = DefaultPreload
	}
	if c.CacheDir == "" {
		base, err := os.UserCacheDir()
		if err != nil {
			base = os.TempDir()
		}
		c.CacheDir = filepath.Join(base, "rlef")
	}
	if c.Max == (Limits{}) {
		c.Max = DefaultMaxLimits()
	}
	if c.CompileLimits == (Limits{}) {
		c.CompileLimits = DefaultCompileLimits()
	}
	if c.WorkDirSize <= 0 {
		c.WorkDirSize = 1 << 30
	}
	if c.CompileCacheMemory <= 0 {
		c.CompileCacheMemory = DefaultCompileCacheMemory
	}
	if c.CompileCacheDisk <= 0 {
		c.CompileCacheDisk = DefaultCompileCacheDisk
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	var err error
	if c.Python, err = resolveExecutable(c.Python); err != nil {
		return fmt.Errorf("python interpreter: %w", err)
	}
	return nil
}

func resolveExecutable(p string) (string, error) {
	full, err := exec.LookPath(p)
	if err != nil {
		return "", err
	}
	return filepath.Abs(full)
}

// Pool runs programs in a fixed set of isolated slots.
type Pool struct {
	cfg      Config
	iso      Isolation
	mode     isoMode
	cgroups  *cgroupTree
	specs    []*slotSpec
	idle     chan *slot
	compiler *compiler
	shim     *os.File
	log      *slog.Logger

	closed  atomic.Bool
	closeMu sync.Mutex
	wg      sync.WaitGroup // slot replacements in flight
	stats   poolStats
}

type poolStats struct {
	runs, replaced atomic.Int64
}

// NewPool starts cfg.Slots slots. It fails, saying why, when programs
// cannot be isolated and cfg.UnsafeNoIsolation is not set.
func NewPool(ctx context.Context, cfg Config) (*Pool, error) {
	if err := cfg.fill(); err != nil {
		return nil, err
	}
	p := &Pool{cfg: cfg, log: cfg.Logger, idle: make(chan *slot, cfg.Slots)}
	if err := p.chooseMode(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(cfg.CacheDir, 0o755); err != nil {
		return nil, fmt.Errorf("cache dir: %w", err)
	}
	specs, err := p.prepare(ctx)
	if err != nil {
		p.release()
		return nil, err
	}
	p.specs = specs
	slots, err := startSlots(ctx, specs)
	if err != nil {
		p.release()
		if p.mode != isoNone {
			return nil, fmt.Errorf("cannot start isolated sandbox (%s mode): %w; pass --unsafe-no-isolation to run without isolation (dangerous)", p.mode, err)
		}
		return nil, err
	}
	for _, s := range slots {
		p.idle <- s
	}
	return p, nil
}

// chooseMode picks the isolation mode and describes it.
func (p *Pool) chooseMode() error {
	probe := Probe()
	if p.cfg.probe != nil {
		probe = p.cfg.probe()
	}
	switch {
	case p.cfg.UnsafeNoIsolation:
		p.mode = isoNone
	case probe.Mode == string(isoRoot) || probe.Mode == string(isoUserNS):
		p.mode = isoMode(probe.Mode)
	default:
		return fmt.Errorf("cannot isolate untrusted programs: %s; run as root, enable unprivileged user namespaces, or pass --unsafe-no-isolation to run them without isolation (dangerous)", strings.Join(probe.Problems, "; "))
	}
	p.iso = Isolation{Mode: string(p.mode), Seccomp: true, NoNewPrivs: true}
	var cgErr error
	p.cgroups, cgErr = newCgroupTree(fmt.Sprintf("rlef-%d-%d", os.Getpid(), time.Now().UnixNano()%1e6))
	if p.cgroups != nil {
		p.iso.Cgroup = p.cgroups.version
		p.iso.Notes = append(p.iso.Notes, p.cgroups.notes...)
	} else {
		p.iso.Cgroup = "none"
		p.iso.Notes = append(p.iso.Notes, "no cgroups ("+cgErr.Error()+"): memory and process limits fall back to rlimits, the memory verdict to peak RSS, and CPU time is measured per process")
	}
	if p.mode != isoNone {
		p.iso.Namespaces = namespacesFor(p.mode, p.cgroups != nil)
		p.iso.ReadOnlyRoot = true
	} else {
		p.iso.Notes = append(p.iso.Notes, "NO ISOLATION: programs see the host file system and network (--unsafe-no-isolation)")
	}
	return nil
}

// prepare builds what every slot shares: the seccomp filter, the file
// system view, the compiler and its exec shim.
func (p *Pool) prepare(ctx context.Context) ([]*slotSpec, error) {
	filter, err := seccompFilter()
	if err != nil {
		return nil, err
	}
	if p.compiler, err = newCompiler(p, p.cfg); err != nil {
		return nil, err
	}
	binds, err := systemBinds(p.cfg.Python, append(append([]string{}, p.cfg.ReadOnly...), p.compiler.readOnlyPaths()...))
	if err != nil {
		return nil, err
	}
	binds = append(binds, p.compiler.binds()...)
	if p.compiler.cxx != "" {
		if p.shim, err = buildShim(ctx, p.compiler.cxx, p.compiler.version, p.cfg.CacheDir); err != nil {
			p.log.Warn("no exec shim; native programs start from a forked interpreter", "err", err)
		}
	}
	var specs []*slotSpec
	for i := 0; i < p.cfg.Slots; i++ {
		specs = append(specs, &slotSpec{
			index: i, mode: p.mode, python: p.cfg.Python, preload: p.cfg.Preload,
			binds: binds, etc: sandboxEtc(), seccomp: filter,
			workSize: p.cfg.WorkDirSize, inodes: 65536,
			cgroups: p.cgroups, shim: p.shim, log: p.log, pch: p.compiler.pchSource,
		})
	}
	return specs, nil
}

// startSlots starts every slot at once.
func startSlots(ctx context.Context, specs []*slotSpec) ([]*slot, error) {
	g, gctx := errgroup.WithContext(ctx)
	slots := make([]*slot, len(specs))
	for i, spec := range specs {
		g.Go(func() error {
			s, err := startSlot(gctx, spec)
			slots[i] = s
			return err
		})
	}
	if err := g.Wait(); err != nil {
		for _, s := range slots {
			if s != nil {
				s.destroy()
			}
		}
		return nil, err
	}
	return slots, nil
}

// release frees what a pool that failed to start holds.
func (p *Pool) release() {
	if p.compiler != nil {
		p.compiler.close()
	}
	if p.shim != nil {
		p.shim.Close()
	}
	if p.cgroups != nil {
		p.cgroups.remove()
	}
}

// Isolation reports how this pool isolates programs.
func (p *Pool) Isolation() Isolation { return p.iso }

// Slots returns the number of programs that can run at once.
func (p *Pool) Slots() int { return p.cfg.Slots }

// Python returns the interpreter Python programs run with.
func (p *Pool) Python() string { return p.cfg.Python }

// Preload returns the modules each slot's interpreter imports once.
func (p *Pool) Preload() []string { return append([]string(nil), p.cfg.Preload...) }

// MaxLimits returns the largest limits a request may ask for.
func (p *Pool) MaxLimits() Limits { return p.cfg.Max }

// Close stops every slot. Runs in progress are killed.
func (p *Pool) Close() error {
	p.closeMu.Lock()
	defer p.closeMu.Unlock()
	if p.closed.Swap(true) {
		return nil
	}
	p.wg.Wait()
	for i := 0; i < p.cfg.Slots; i++ {
		s := <-p.idle
		s.sendCtrl("shutdown")
		s.destroy()
	}
	p.release()
	return nil
}

// Compile prepares source code for running. For C++ it compiles (or takes
// the cached result); a compilation failure is reported in
// Program.Compile with status compile_error, not as an error.
func (p *Pool) Compile(ctx context.Context, lang Language, source string) (*Program, error) {
	if p.closed.Load() {
		return nil, ErrClosed
	}
	if source == "" {
		return nil, fmt.Errorf("%w: empty program", ErrInvalid)
	}
	switch lang {
	case Python:
		return &Program{Language: Python, source: source}, nil
	case CPP:
		return p.compiler.compile(ctx, source)
	}
	return nil, fmt.Errorf("%w: unknown language %q (supported: python, cpp)", ErrInvalid, lang)
}

// Exec compiles (if needed) and runs a program once. A compile failure is
// a Result with status compile_error.
func (p *Pool) Exec(ctx context.Context, lang Language, source string, in Input) (*Result, error) {
	prog, err := p.Compile(ctx, lang, source)
	if err != nil {
		return nil, err
	}
	defer prog.Close()
	if !prog.OK() {
		r := *prog.Compile
		return &r, nil
	}
	return p.Run(ctx, prog, in)
}

// Run runs a prepared program once. The error is non-nil only when there
// is no outcome to report: an invalid request, cancellation, or a sandbox
// failure (see IsInfra); everything the program did is in the Result.
func (p *Pool) Run(ctx context.Context, prog *Program, in Input) (*Result, error) {
	if err := p.checkRun(prog, in); err != nil {
		return nil, err
	}
	return p.runJob(ctx, jobFor(prog, in), in.Collect)
}

// Batch runs a prepared program once per input, one run after another on
// one slot: each run a fresh process with its own limits, exactly as Run
// would run it, without waiting for a slot between runs. each sees every
// result in order; returning false stops the batch. Batch returns how
// many inputs ran; the error is non-nil only as Run's would be (the run
// of inputs[n] then has no result).
func (p *Pool) Batch(ctx context.Context, prog *Program, inputs []Input, each func(i int, r *Result) bool) (n int, err error) {
	for _, in := range inputs {
		if err := p.checkRun(prog, in); err != nil {
			return 0, err
		}
	}
	if len(inputs) == 0 {
		return 0, nil
	}
	s, err := p.acquire(ctx)
	if err != nil {
		return 0, err
	}
	defer func() { p.releaseSlot(s, err) }()
	for i, in := range inputs {
		r, err := p.runOn(ctx, s, jobFor(prog, in)(s), in.Collect)
		if err != nil {
			return i, err
		}
		if !each(i, r) {
			return i + 1, nil
		}
	}
	return len(inputs), nil
}

// checkRun validates a run request.
func (p *Pool) checkRun(prog *Program, in Input) error {
	switch {
	case p.closed.Load():
		return ErrClosed
	case !prog.OK():
		return fmt.Errorf("%w: program did not compile", ErrInvalid)
	case prog.Language == CPP && prog.exe == nil:
		return fmt.Errorf("%w: program is closed", ErrInvalid)
	}
	if err := in.Limits.Validate(p.cfg.Max); err != nil {
		return err
	}
	return validateFiles(in)
}

// jobFor describes running prog on in, for whichever slot runs it.
func jobFor(prog *Program, in Input) func(*slot) *job {
	return func(s *slot) *job {
		j := &job{lang: prog.Language, stdin: in.Stdin, limits: in.Limits, files: map[string][]byte{}}
		for name, data := range in.Files {
			j.files[s.sandboxPath(name)] = data
		}
		for _, name := range in.Collect {
			j.collect = append(j.collect, s.sandboxPath(name))
		}
		switch prog.Language {
		case Python:
			main := path.Join(s.workDir, "main.py")
			j.kind, j.argv = "python", append([]string{main}, in.Args...)
			j.source = []byte(prog.source)
		case CPP:
			j.kind, j.exe, j.env = "exec", prog.exe, programEnv(s.workDir, s.tmpDir)
			j.argv = append([]string{path.Join(s.workDir, "main")}, in.Args...)
		}
		return j
	}
}

// runJob runs a job on an idle slot and classifies the outcome.
func (p *Pool) runJob(ctx context.Context, build func(*slot) *job, collectNames []string) (*Result, error) {
	s, err := p.acquire(ctx)
	if err != nil {
		return nil, err
	}
	r, err := p.runOn(ctx, s, build(s), collectNames)
	p.releaseSlot(s, err)
	return r, err
}

// acquire takes an idle slot.
func (p *Pool) acquire(ctx context.Context) (*slot, error) {
	select {
	case s := <-p.idle:
		return s, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// releaseSlot gives a slot back, or replaces it when it broke (or when it
// predates the precompiled header).
func (p *Pool) releaseSlot(s *slot, err error) {
	switch {
	case !s.alive() || (err != nil && IsInfra(err)):
		p.replace(s)
	case p.compiler.stale(s):
		p.recycle(s)
	default:
		p.idle <- s
	}
}

// runOn runs one job on a slot the caller holds.
func (p *Pool) runOn(ctx context.Context, s *slot, j *job, collectNames []string) (*Result, error) {
	out, err := s.run(ctx, j)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, &InfraError{Err: err}
	}
	p.stats.runs.Add(1)
	r, err := classify(out, j.limits, j.lang)
	if err != nil {
		return nil, err
	}
	if collectNames != nil {
		// Report collected files under the names the caller used.
		named := make(map[string][]byte, len(r.Files))
		for _, name := range collectNames {
			if data, ok := r.Files[s.sandboxPath(name)]; ok {
				named[name] = data
			}
		}
		r.Files = named
	}
	return r, nil
}

// recycle replaces a healthy slot that is out of date.
func (p *Pool) recycle(s *slot) {
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		s.sendCtrl("shutdown")
		p.restart(s)
	}()
}

// replace discards a broken slot and starts a new one in the background.
func (p *Pool) replace(s *slot) {
	p.stats.replaced.Add(1)
	p.log.Warn("sandbox slot replaced", "slot", s.spec.index, "runs", s.runs, "err", s.err())
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		p.restart(s)
	}()
}

// restart destroys a slot and starts its successor.
func (p *Pool) restart(s *slot) {
	s.destroy()
	for attempt := 0; ; attempt++ {
		ns, err := startSlot(context.Background(), s.spec)
		if err == nil {
			p.idle <- ns
			return
		}
		p.log.Error("sandbox slot restart failed", "slot", s.spec.index, "attempt", attempt, "err", err)
		if attempt >= 5 {
			// Keep the pool size: a slot that cannot start would
			// otherwise shrink the pool forever. Give the failure
			// back through a dead slot that fails every run.
			dead := &slot{spec: s.spec, dead: make(chan struct{}), events: make(chan zygoteEvent)}
			dead.markDead(err)
			p.idle <- dead
			return
		}
		time.Sleep(time.Duration(attempt+1) * 200 * time.Millisecond)
	}
}

// InfraError is a sandbox failure: no verdict about the program exists.
type InfraError struct{ Err error }

func (e *InfraError) Error() string { return "sandbox error: " + e.Err.Error() }
func (e *InfraError) Unwrap() error { return e.Err }

// IsInfra reports whether err is a sandbox (infrastructure) failure.
func IsInfra(err error) bool {
	var ie *InfraError
	return errors.As(err, &ie)
}

// scratchDirs are the per-run writable directories as programs see them.
var scratchDirs = []string{sandboxWork, sandboxTmp, sandboxMnt}

// sandboxPath maps a user-supplied file name to the path inside the
// sandbox (relative names live in the work directory).
func (s *slot) sandboxPath(name string) string {
	clean := path.Clean(name)
	for i, dir := range scratchDirs {
		if clean == dir || strings.HasPrefix(clean, dir+"/") {
			return []string{s.workDir, s.tmpDir, s.mntDir}[i] + strings.TrimPrefix(clean, dir)
		}
	}
	return path.Join(s.workDir, clean)
}

// FileError is a file name the sandbox refuses: one outside the per-run
// directories, or one that leaves them. It wraps ErrInvalid.
type FileError struct {
	Name   string
	Reason string
}

func (e *FileError) Error() string { return fmt.Sprintf("file %q: %s", e.Name, e.Reason) }
func (e *FileError) Unwrap() error { return ErrInvalid }

// CheckFileName reports whether a program's file may be written or
// collected under name: relative names live in /w; absolute names must
// lie below /w, /tmp or /mnt.
func CheckFileName(name string) error {
	if name == "" || strings.ContainsRune(name, 0) || len(name) > 1024 {
		return &FileError{Name: name, Reason: "not a usable file name"}
	}
	clean := path.Clean(name)
	if path.IsAbs(clean) {
		for _, dir := range scratchDirs {
			if strings.HasPrefix(clean, dir+"/") {
				return nil
			}
		}
		return &FileError{Name: name, Reason: "outside " + strings.Join(scratchDirs, ", ") + ", the only directories a program may write"}
	}
	if clean == "." || clean == ".." || strings.HasPrefix(clean, "../") {
		return &FileError{Name: name, Reason: "leaves the work directory"}
	}
	return nil
}

// validateFiles refuses names that would leave the per-run directories.
func validateFiles(in Input) error {
	for name := range in.Files {
		if err := CheckFileName(name); err != nil {
			return err
		}
		if clean := path.Clean(name); clean == "main.py" || clean == sandboxWork+"/main.py" {
			return &FileError{Name: name, Reason: "reserved for the program"}
		}
	}
	if len(in.Collect) > MaxCollect {
		return fmt.Errorf("%w: %d files to collect, at most %d", ErrInvalid, len(in.Collect), MaxCollect)
	}
	for _, name := range in.Collect {
		if err := CheckFileName(name); err != nil {
			return err
		}
	}
	return nil
}

// programEnv is the environment every program starts with.
func programEnv(work, tmp string) map[string]string {
	return map[string]string{
		"PATH":                    "/usr/local/bin:/usr/bin:/bin",
		"LANG":                    "C.UTF-8",
		"HOME":                    work,
		"TMPDIR":                  tmp,
		"PYTHONHASHSEED":          "0",
		"PYTHONDONTWRITEBYTECODE": "1",
		"OPENBLAS_NUM_THREADS":    "1",
		"OMP_NUM_THREADS":         "1",
	}
}

// systemBinds lists the host paths slots see read-only: the system
// directories, the interpreter's prefix when it lives elsewhere, and
// extra paths.
func systemBinds(python string, extra []string) ([]bindMount, error) {
	var binds []bindMount
	for _, p := range []string{"/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc/ld.so.cache", "/etc/alternatives"} {
		if _, err := os.Lstat(p); err == nil {
			binds = append(binds, bindMount{Src: p, Dst: p})
		}
	}
	// A python outside /usr (pyenv, conda) needs its own prefix.
	real, err := filepath.EvalSymlinks(python)
	if err != nil {
		return nil, fmt.Errorf("python interpreter: %w", err)
	}
	prefix := filepath.Dir(filepath.Dir(real))
	covered := func(p string) bool {
		for _, b := range binds {
			if p == b.Src || strings.HasPrefix(p, b.Src+"/") {
				return true
			}
		}
		return false
	}
	for _, p := range append([]string{prefix}, extra...) {
		if p == "" || covered(p) {
			continue
		}
		if _, err := os.Stat(p); err != nil {
			return nil, fmt.Errorf("read-only path %s: %w", p, err)
		}
		binds = append(binds, bindMount{Src: p, Dst: p, Follow: true})
	}
	return binds, nil
}

// sandboxEtc is the synthetic /etc: no host content leaks into slots.
func sandboxEtc() map[string]string {
	return map[string]string{
		"/etc/passwd":   "root:x:0:0:root:/root:/usr/sbin/nologin\nsandbox:x:1000:1000:sandbox:/w:/usr/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n",
		"/etc/group":    "root:x:0:\nsandbox:x:1000:\nnogroup:x:65534:\n",
		"/etc/hosts":    "127.0.0.1\tlocalhost\n::1\tlocalhost\n",
		"/etc/hostname": "rlef\n",
	}
}
