package sandbox

import (
	"bytes"
	"container/list"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"
	"golang.org/x/sys/unix"

	"github.com/rlef/rlef/verdict"
)

// pchMount is where slots see the precompiled-header directory.
const pchMount = "/opt/rlef/pch"

// compiler compiles C++ inside the sandbox and caches the results by
// content: identical source compiles once, and failures are cached too.
// Binaries live in sealed memfds (passed to runs by descriptor) and on
// disk under CacheDir, so a later process reuses them.
type compiler struct {
	pool    *Pool
	cxx     string // "" when no compiler is installed
	flags   []string
	version string
	dir     string // on-disk cache
	pchDir  string // host directory holding bits/stdc++.h.gch
	limits  Limits

	group   singleflight.Group
	pch     singleflight.Group
	pchDone atomic.Bool

	// Background work (the precompiled header) stops when the pool closes.
	bgCtx     context.Context
	bgCancel  context.CancelFunc
	bgStarted atomic.Bool
	bg        sync.WaitGroup

	mu       sync.Mutex
	entries  map[string]*list.Element // key -> *cacheEntry
	order    *list.List               // front = most recently used
	bytes    int64
	maxBytes int64
	stats    CompileStats
}

// CompileStats counts compile-cache activity.
type CompileStats struct {
	Compiles, MemoryHits, DiskHits int64
}

type cacheEntry struct {
	key    string
	exe    *os.File // nil when compilation failed
	result *Result  // the compiler's result (status ok or compile_error)
	size   int64
}

func newCompiler(p *Pool, cfg Config) (*compiler, error) {
	c := &compiler{pool: p, flags: cfg.CXXFlags, limits: cfg.CompileLimits,
		entries: map[string]*list.Element{}, order: list.New(), maxBytes: 512 << 20}
	c.bgCtx, c.bgCancel = context.WithCancel(context.Background())
	cxx, err := resolveExecutable(cfg.CXX)
	if err != nil {
		p.log.Warn("no C++ compiler; C++ programs will be refused", "cxx", cfg.CXX, "err", err)
		return c, nil
	}
	out, err := exec.Command(cxx, "--version").Output()
	if err != nil {
		return nil, fmt.Errorf("%s --version: %w", cxx, err)
	}
	c.cxx = cxx
	c.version = strings.SplitN(string(out), "\n", 2)[0]
	sum := sha256.Sum256([]byte(c.version + "\x00" + strings.Join(c.flags, "\x00")))
	tag := hex.EncodeToString(sum[:8])
	c.dir = filepath.Join(cfg.CacheDir, "cxx", tag)
	c.pchDir = filepath.Join(cfg.CacheDir, "pch", tag)
	if err := os.MkdirAll(filepath.Join(c.pchDir, "bits"), 0o755); err != nil {
		return nil, fmt.Errorf("compile cache: %w", err)
	}
	if err := os.MkdirAll(c.dir, 0o755); err != nil {
		return nil, fmt.Errorf("compile cache: %w", err)
	}
	return c, nil
}

// binds makes the precompiled header visible in slots.
func (c *compiler) binds() []bindMount {
	if c.cxx == "" || c.pool.mode == isoNone {
		return nil
	}
	return []bindMount{{Src: c.pchDir, Dst: pchMount}}
}

// readOnlyPaths are host paths the compiler needs inside slots (it may
// live outside /usr).
func (c *compiler) readOnlyPaths() []string {
	if c.cxx == "" || strings.HasPrefix(c.cxx, "/usr/") {
		return nil
	}
	return []string{filepath.Dir(c.cxx)}
}

// Stats returns compile-cache counters.
func (p *Pool) CompileStats() CompileStats {
	p.compiler.mu.Lock()
	defer p.compiler.mu.Unlock()
	return p.compiler.stats
}

func (c *compiler) close() {
	c.bgCancel()
	c.bg.Wait()
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, el := range c.entries {
		if e := el.Value.(*cacheEntry); e.exe != nil {
			e.exe.Close()
		}
	}
	c.entries = map[string]*list.Element{}
	c.order.Init()
}

func (c *compiler) key(source string) string {
	h := sha256.New()
	for _, part := range append([]string{c.version, c.cxx}, c.flags...) {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	h.Write([]byte(source))
	return hex.EncodeToString(h.Sum(nil))
}

func (c *compiler) compile(ctx context.Context, source string) (*Program, error) {
	if c.cxx == "" {
		return nil, fmt.Errorf("%w: no C++ compiler installed (looked for %s)", ErrInvalid, c.pool.cfg.CXX)
	}
	key := c.key(source)
	if prog, ok, err := c.lookup(key, true); ok || err != nil {
		return prog, err
	}
	built := false
	_, err, _ := c.group.Do(key, func() (any, error) {
		if _, ok, _ := c.peek(key); ok {
			return nil, nil
		}
		if e, err := c.loadDisk(key); err == nil {
			c.insert(e, true)
			return nil, nil
		}
		e, err := c.build(ctx, key, source)
		if err != nil {
			return nil, err
		}
		c.insert(e, false)
		c.saveDisk(e)
		built = true
		return nil, nil
	})
	if err != nil {
		return nil, err
	}
	prog, ok, err := c.lookup(key, !built)
	if !ok && err == nil {
		// Evicted between insertion and lookup (tiny cache); compile again.
		return c.compile(ctx, source)
	}
	if prog != nil && built {
		prog.Cached = false
	}
	return prog, err
}

// lookup returns a Program for a cached key (a fresh descriptor of the
// shared binary).
func (c *compiler) lookup(key string, countHit bool) (*Program, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[key]
	if !ok {
		return nil, false, nil
	}
	c.order.MoveToFront(el)
	if countHit {
		c.stats.MemoryHits++
	}
	e := el.Value.(*cacheEntry)
	res := *e.result
	prog := &Program{Language: CPP, Compile: &res, Cached: true}
	if e.exe != nil {
		fd, err := unix.FcntlInt(e.exe.Fd(), unix.F_DUPFD_CLOEXEC, 0)
		if err != nil {
			return nil, false, fmt.Errorf("dup cached binary: %w", err)
		}
		prog.exe = os.NewFile(uintptr(fd), "program")
	}
	return prog, true, nil
}

func (c *compiler) peek(key string) (*cacheEntry, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[key]
	if !ok {
		return nil, false, nil
	}
	return el.Value.(*cacheEntry), true, nil
}

func (c *compiler) insert(e *cacheEntry, fromDisk bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if fromDisk {
		c.stats.DiskHits++
	} else {
		c.stats.Compiles++
	}
	c.entries[e.key] = c.order.PushFront(e)
	c.bytes += e.size
	for c.bytes > c.maxBytes && c.order.Len() > 1 {
		old := c.order.Remove(c.order.Back()).(*cacheEntry)
		delete(c.entries, old.key)
		c.bytes -= old.size
		if old.exe != nil {
			old.exe.Close() // programs hold their own descriptors
		}
	}
}

// build compiles in a sandbox slot with the compile limits.
func (c *compiler) build(ctx context.Context, key, source string) (*cacheEntry, error) {
	// The precompiled header is built once in the background; until it
	// exists, programs compile without it (slower, same result).
	usesPCH := strings.Contains(source, "bits/stdc++.h") && c.pchReady()
	r, err := c.pool.runJob(ctx, func(s *slot) *job {
		src := path.Join(s.workDir, "main.cpp")
		bin := path.Join(s.workDir, "main")
		argv := append([]string{c.cxx}, c.flags...)
		if usesPCH {
			dir := pchMount
			if c.pool.mode == isoNone {
				dir = c.pchDir
			}
			argv = append(argv, "-Winvalid-pch", "-I", dir)
		}
		argv = append(argv, "-o", bin, src)
		return &job{
			kind: "exec", argv: argv, env: programEnv(s.workDir, s.tmpDir),
			files:   map[string][]byte{src: []byte(source)},
			collect: []string{bin},
			limits:  c.limits,
		}
	}, nil)
	if err != nil {
		return nil, fmt.Errorf("compile: %w", err)
	}
	res := &Result{Status: verdict.OK, ExitCode: r.ExitCode, Stdout: r.Stdout, Stderr: r.Stderr,
		CPUTime: r.CPUTime, WallTime: r.WallTime, Memory: r.Memory}
	e := &cacheEntry{key: key, result: res}
	var bin []byte
	for _, data := range r.Files {
		bin = data
	}
	switch {
	case r.Status == verdict.TimeLimit:
		res.Status, res.Message = verdict.CompileError, "compilation exceeded the time limit ("+c.limits.WallTime.String()+")"
	case r.Status == verdict.MemoryLimit:
		res.Status, res.Message = verdict.CompileError, "compilation exceeded the memory limit ("+FormatBytes(c.limits.Memory)+")"
	case r.Status == verdict.OutputLimit:
		res.Status, res.Message = verdict.CompileError, "compiler output or binary exceeded "+FormatBytes(c.limits.Output)
	case r.Status != verdict.OK:
		res.Status, res.Message = verdict.CompileError, "compilation failed ("+r.Message+")"
	case len(bin) == 0:
		res.Status, res.Message = verdict.CompileError, "compiler produced no program"
	}
	if res.Status != verdict.OK {
		return e, nil
	}
	if e.exe, err = sealedMemfd("program", bin); err != nil {
		return nil, err
	}
	e.size = int64(len(bin))
	return e, nil
}

// sealedMemfd stores data in a memfd that nobody can modify, reopened
// read-only so that it can be executed.
func sealedMemfd(name string, data []byte) (*os.File, error) {
	fd, err := unix.MemfdCreate("rlef-"+name, unix.MFD_CLOEXEC|unix.MFD_ALLOW_SEALING)
	if err != nil {
		return nil, fmt.Errorf("memfd_create: %w", err)
	}
	f := os.NewFile(uintptr(fd), name)
	defer f.Close()
	if _, err := f.Write(data); err != nil {
		return nil, fmt.Errorf("write %s: %w", name, err)
	}
	if _, err := unix.FcntlInt(uintptr(fd), unix.F_ADD_SEALS, unix.F_SEAL_SEAL|unix.F_SEAL_SHRINK|unix.F_SEAL_GROW|unix.F_SEAL_WRITE); err != nil {
		return nil, fmt.Errorf("seal %s: %w", name, err)
	}
	// exec refuses a file that is open for writing anywhere (ETXTBSY).
	ro, err := os.OpenFile(fmt.Sprintf("/proc/self/fd/%d", fd), os.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("reopen %s read-only: %w", name, err)
	}
	return ro, nil
}

type diskResult struct {
	Status   verdict.Verdict `json:"status"`
	ExitCode int             `json:"exit_code"`
	Stderr   string          `json:"stderr"`
	Stdout   string          `json:"stdout"`
	Message  string          `json:"message"`
	CPUMs    int64           `json:"cpu_ms"`
	WallMs   int64           `json:"wall_ms"`
	Memory   int64           `json:"memory"`
}

func (c *compiler) diskPath(key, ext string) string {
	return filepath.Join(c.dir, key[:2], key+ext)
}

func (c *compiler) loadDisk(key string) (*cacheEntry, error) {
	meta, err := os.ReadFile(c.diskPath(key, ".json"))
	if err != nil {
		return nil, err
	}
	var d diskResult
	if err := json.Unmarshal(meta, &d); err != nil {
		return nil, err
	}
	res := &Result{Status: d.Status, ExitCode: d.ExitCode, Stdout: []byte(d.Stdout), Stderr: []byte(d.Stderr),
		Message: d.Message, CPUTime: time.Duration(d.CPUMs) * time.Millisecond,
		WallTime: time.Duration(d.WallMs) * time.Millisecond, Memory: d.Memory}
	e := &cacheEntry{key: key, result: res}
	if d.Status == verdict.OK {
		bin, err := os.ReadFile(c.diskPath(key, ".bin"))
		if err != nil {
			return nil, err
		}
		if e.exe, err = sealedMemfd("program", bin); err != nil {
			return nil, err
		}
		e.size = int64(len(bin))
	}
	return e, nil
}

// saveDisk writes the entry atomically (binary first, then the result
// that makes it visible). Failures only cost a later recompilation.
func (c *compiler) saveDisk(e *cacheEntry) {
	dir := filepath.Dir(c.diskPath(e.key, ""))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return
	}
	if e.exe != nil {
		bin := make([]byte, e.size)
		if _, err := e.exe.ReadAt(bin, 0); err != nil {
			return
		}
		if writeAtomic(c.diskPath(e.key, ".bin"), bin) != nil {
			return
		}
	}
	r := e.result
	meta, err := json.Marshal(diskResult{Status: r.Status, ExitCode: r.ExitCode, Stderr: string(r.Stderr),
		Stdout: string(r.Stdout), Message: r.Message, CPUMs: r.CPUTime.Milliseconds(),
		WallMs: r.WallTime.Milliseconds(), Memory: r.Memory})
	if err != nil {
		return
	}
	_ = writeAtomic(c.diskPath(e.key, ".json"), meta)
}

func writeAtomic(name string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(name), ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), name)
}

// pchReady reports whether the precompiled bits/stdc++.h exists, and
// starts building it in the background if not.
func (c *compiler) pchReady() bool {
	if c.pchDone.Load() {
		return true
	}
	if _, err := os.Stat(c.gchPath()); err == nil {
		c.pchDone.Store(true)
		return true
	}
	if c.bgStarted.CompareAndSwap(false, true) {
		c.bg.Add(1)
		go func() {
			defer c.bg.Done()
			if err := c.BuildPCH(c.bgCtx); err != nil && c.bgCtx.Err() == nil {
				c.pool.log.Warn("precompiled header unavailable; compiling without it", "err", err)
			}
		}()
	}
	return false
}

func (c *compiler) gchPath() string { return filepath.Join(c.pchDir, "bits", "stdc++.h.gch") }

// BuildPCH builds bits/stdc++.h.gch with exactly the compile flags, once
// per compiler version and flag set (a few seconds of CPU). The header is
// the toolchain's own, so it is compiled directly on the host. Pools build
// it in the background on first use; call this to have it ready at once.
func (p *Pool) BuildPCH(ctx context.Context) error {
	if p.compiler.cxx == "" {
		return errors.New("no C++ compiler")
	}
	return p.compiler.BuildPCH(ctx)
}

func (c *compiler) BuildPCH(ctx context.Context) error {
	gch := c.gchPath()
	if _, err := os.Stat(gch); err == nil {
		return nil
	}
	_, err, _ := c.pch.Do("pch", func() (any, error) {
		if _, err := os.Stat(gch); err == nil {
			return nil, nil
		}
		header, err := c.findHeader(ctx, "bits/stdc++.h")
		if err != nil {
			return nil, err
		}
		tmp := gch + ".tmp"
		args := append(append([]string{}, c.flags...), "-x", "c++-header", header, "-o", tmp)
		cmd := exec.CommandContext(ctx, c.cxx, args...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		start := time.Now()
		if err := cmd.Run(); err != nil {
			os.Remove(tmp)
			return nil, fmt.Errorf("build precompiled header: %w: %s", err, stderr.String())
		}
		c.pool.log.Info("built precompiled bits/stdc++.h", "path", gch, "took", time.Since(start).Round(time.Millisecond))
		if err := os.Rename(tmp, gch); err != nil {
			return nil, err
		}
		c.pchDone.Store(true)
		return nil, nil
	})
	return err
}

// findHeader asks the compiler where a system header lives.
func (c *compiler) findHeader(ctx context.Context, name string) (string, error) {
	args := append(append([]string{}, c.flags...), "-H", "-fsyntax-only", "-x", "c++", "-")
	cmd := exec.CommandContext(ctx, c.cxx, args...)
	cmd.Stdin = strings.NewReader("#include <" + name + ">\n")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("locate %s: %w: %s", name, err, stderr.String())
	}
	for _, line := range strings.Split(stderr.String(), "\n") {
		if p, ok := strings.CutPrefix(line, ". "); ok && strings.HasSuffix(p, name) {
			return p, nil
		}
	}
	return "", errors.New("compiler did not report where " + name + " is")
}
