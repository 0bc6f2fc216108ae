package sandbox

import (
	"bytes"
	"container/list"
	"context"
	"crypto/sha256"
	"encoding/hex"
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

	// holder keeps the precompiled header for root-mode slots; nil
	// until the header exists.
	holderMu sync.Mutex
	holder   *pchHolder

	mu       sync.Mutex
	entries  map[string]*list.Element // key -> *cacheEntry
	order    *list.List               // front = most recently used
	bytes    int64
	maxBytes int64
	disk     *diskCache
	stats    CompileStats
}

// Compile-cache bounds.
const (
	// DefaultCompileCacheMemory bounds compiled programs (and failures'
	// diagnostics) kept in memory.
	DefaultCompileCacheMemory = 256 << 20
	// DefaultCompileCacheDisk bounds the compile cache on disk.
	DefaultCompileCacheDisk = 1 << 30
	// maxDiagnostics is how much of the compiler's output a result keeps
	// (and reports); the rest is cut, with a note.
	maxDiagnostics = 64 << 10
	// entryOverhead is what an entry costs besides its binary and
	// diagnostics, so that many tiny failures still fill the cache.
	entryOverhead = 4 << 10
)

// CompileStats counts compile-cache activity.
type CompileStats struct {
	Compiles, MemoryHits, DiskHits int64
	// Failures counts compilations that ended in compile_error.
	Failures int64
	// MemoryBytes and DiskBytes are what the caches hold now.
	MemoryBytes, DiskBytes int64
}

type cacheEntry struct {
	key    string
	exe    *os.File // nil when compilation failed, or after eviction
	result *Result  // the compiler's result (status ok or compile_error)
	// size is what the entry costs the cache: binary, kept diagnostics
	// and a fixed overhead.
	size int64
	// cacheable is false for outcomes that may depend on load.
	cacheable bool
}

func newCompiler(p *Pool, cfg Config) (*compiler, error) {
	c := &compiler{pool: p, flags: cfg.CXXFlags, limits: cfg.CompileLimits,
		entries: map[string]*list.Element{}, order: list.New(), maxBytes: cfg.CompileCacheMemory}
	c.bgCtx, c.bgCancel = context.WithCancel(context.Background())
	if cfg.PythonOnly {
		return c, nil
	}
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
	if c.disk, err = openDiskCache(c.dir, cfg.CompileCacheDisk); err != nil {
		return nil, fmt.Errorf("compile cache: %w", err)
	}
	if p.mode == isoRoot && c.pchExists() {
		c.startHolder()
	}
	return c, nil
}

// pchSource returns the current precompiled-header holder (root mode).
func (c *compiler) pchSource() *pchHolder {
	c.holderMu.Lock()
	defer c.holderMu.Unlock()
	return c.holder
}

// startHolder puts the header on a private tmpfs for root-mode slots.
func (c *compiler) startHolder() {
	c.holderMu.Lock()
	defer c.holderMu.Unlock()
	gen := 1
	if c.holder != nil {
		return
	}
	h, err := startPCHHolder(c.gchPath(), gen)
	if err != nil {
		c.pool.log.Warn("precompiled header unavailable in the sandbox", "err", err)
		return
	}
	c.holder = h
}

// stale reports whether a slot started before the precompiled header was
// available to it.
func (c *compiler) stale(s *slot) bool {
	if c.pool.mode != isoRoot {
		return false
	}
	h := c.pchSource()
	return h != nil && s.pchGen != h.gen
}

// slotHasPCH reports whether a compilation in s can use the precompiled
// header.
func (c *compiler) slotHasPCH(s *slot) bool {
	if c.pool.mode == isoRoot {
		return s.pchGen > 0
	}
	return c.pchReady()
}

// binds makes the precompiled header visible in user-namespace slots,
// which cannot enter the holder's mount namespace (root-mode slots get it
// from the holder, with no host path in sight).
func (c *compiler) binds() []bindMount {
	if c.cxx == "" || c.pool.mode != isoUserNS {
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
	st := p.compiler.stats
	st.MemoryBytes = p.compiler.bytes
	if p.compiler.disk != nil {
		st.DiskBytes = p.compiler.disk.size()
	}
	return st
}

func (c *compiler) close() {
	c.bgCancel()
	c.bg.Wait()
	c.holderMu.Lock()
	if c.holder != nil {
		c.holder.close()
		c.holder = nil
	}
	c.holderMu.Unlock()
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
	if prog, ok, err := c.lookup(key); ok || err != nil {
		return prog, err
	}
	built := false
	v, err, _ := c.group.Do(key, func() (any, error) {
		if e, ok := c.peek(key); ok {
			return e, nil
		}
		if e, err := c.loadDisk(key); err == nil {
			c.insert(e, true)
			return e, nil
		}
		e, err := c.build(ctx, key, source)
		if err != nil {
			return nil, err
		}
		built = true
		c.insert(e, false)
		if e.cacheable {
			c.saveDisk(e)
		}
		return e, nil
	})
	if err != nil {
		return nil, err
	}
	prog, ok, err := c.programFor(v.(*cacheEntry), !built)
	if !ok && err == nil {
		// Evicted at once (a tiny cache); compile again.
		return c.compile(ctx, source)
	}
	return prog, err
}

// lookup returns a Program for a cached key, counting a hit.
func (c *compiler) lookup(key string) (*Program, bool, error) {
	c.mu.Lock()
	el, ok := c.entries[key]
	if ok {
		c.order.MoveToFront(el)
		c.stats.MemoryHits++
	}
	c.mu.Unlock()
	if !ok {
		return nil, false, nil
	}
	return c.programFor(el.Value.(*cacheEntry), true)
}

// programFor returns a Program holding a fresh descriptor of an entry's
// binary; ok is false when the entry was evicted meanwhile.
func (c *compiler) programFor(e *cacheEntry, cached bool) (*Program, bool, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	res := *e.result
	prog := &Program{Language: CPP, Compile: &res, Cached: cached}
	if res.Status != verdict.OK {
		return prog, true, nil
	}
	if e.exe == nil {
		return nil, false, nil
	}
	fd, err := unix.FcntlInt(e.exe.Fd(), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		return nil, false, fmt.Errorf("dup cached binary: %w", err)
	}
	prog.exe = os.NewFile(uintptr(fd), "program")
	return prog, true, nil
}

func (c *compiler) peek(key string) (*cacheEntry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[key]
	if !ok {
		return nil, false
	}
	return el.Value.(*cacheEntry), true
}

// insert counts a compilation and keeps its entry when it may be cached,
// evicting the least recently used entries beyond the memory bound.
func (c *compiler) insert(e *cacheEntry, fromDisk bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case fromDisk:
		c.stats.DiskHits++
	default:
		c.stats.Compiles++
		if e.result.Status != verdict.OK {
			c.stats.Failures++
		}
	}
	if !e.cacheable {
		return
	}
	c.entries[e.key] = c.order.PushFront(e)
	c.bytes += e.size
	for c.bytes > c.maxBytes && c.order.Len() > 0 {
		old := c.order.Remove(c.order.Back()).(*cacheEntry)
		delete(c.entries, old.key)
		c.bytes -= old.size
		if old.exe != nil {
			old.exe.Close() // programs hold their own descriptors
			old.exe = nil
		}
	}
}

// build compiles in a sandbox slot with the compile limits.
func (c *compiler) build(ctx context.Context, key, source string) (*cacheEntry, error) {
	r, err := c.pool.runJob(ctx, func(s *slot) *job {
		src := path.Join(s.workDir, "main.cpp")
		bin := path.Join(s.workDir, "main")
		argv := append([]string{c.cxx}, c.flags...)
		// The precompiled header is built once in the background; until a
		// slot sees it, programs compile without it (slower, same result).
		if strings.Contains(source, "bits/stdc++.h") && c.slotHasPCH(s) {
			dir := pchMount
			if c.pool.mode == isoNone {
				dir = c.pchDir
			}
			argv = append(argv, "-Winvalid-pch", "-I", dir)
		}
		argv = append(argv, "-o", bin, src)
		return &job{
			kind: "exec", lang: CPP, argv: argv, env: programEnv(s.workDir, s.tmpDir),
			files:   map[string][]byte{src: []byte(source)},
			collect: []string{bin},
			limits:  c.limits,
		}
	}, nil)
	if err != nil {
		return nil, fmt.Errorf("compile: %w", err)
	}
	return c.entryFor(key, r)
}

// entryFor turns the compiler's run into a cache entry.
func (c *compiler) entryFor(key string, r *Result) (*cacheEntry, error) {
	res := &Result{Status: verdict.OK, ExitCode: r.ExitCode, Stdout: clipDiagnostics(r.Stdout), Stderr: clipDiagnostics(r.Stderr),
		CPUTime: r.CPUTime, WallTime: r.WallTime, Memory: r.Memory}
	e := &cacheEntry{key: key, result: res, cacheable: true}
	var bin []byte
	for _, data := range r.Files {
		bin = data
	}
	switch {
	case r.Status == verdict.TimeLimit:
		// A time-out may be the machine's load, not the program's doing:
		// never remembered.
		res.Status, res.Message = verdict.CompileError, "compilation exceeded the time limit ("+c.limits.WallTime.String()+")"
		res.CompileLimit = r.Status
		e.cacheable = false
	case r.Status == verdict.MemoryLimit:
		res.Status, res.Message = verdict.CompileError, "compilation exceeded the memory limit ("+FormatBytes(c.limits.Memory)+")"
		res.CompileLimit = r.Status
	case r.Status == verdict.OutputLimit:
		res.Status, res.Message = verdict.CompileError, "compiler output or binary exceeded "+FormatBytes(c.limits.Output)
		res.CompileLimit = r.Status
	case r.Status != verdict.OK:
		res.Status, res.Message = verdict.CompileError, "compilation failed ("+r.Message+")"
	case len(bin) == 0:
		res.Status, res.Message = verdict.CompileError, "compiler produced no program"
	}
	e.size = entryOverhead + int64(len(res.Stdout)+len(res.Stderr))
	if res.Status != verdict.OK {
		return e, nil
	}
	var err error
	if e.exe, err = sealedMemfd("program", bin); err != nil {
		return nil, err
	}
	e.size += int64(len(bin))
	return e, nil
}

// clipDiagnostics keeps the start of the compiler's output, where the
// first errors are, and says how much was cut.
func clipDiagnostics(b []byte) []byte {
	if len(b) <= maxDiagnostics {
		return b
	}
	out := append([]byte{}, b[:maxDiagnostics]...)
	return append(out, fmt.Sprintf("\n[... %d more bytes of compiler output cut]\n", len(b)-maxDiagnostics)...)
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

// loadDisk reads an entry from the disk cache.
func (c *compiler) loadDisk(key string) (*cacheEntry, error) {
	res, bin, err := c.disk.load(key)
	if err != nil {
		return nil, err
	}
	e := &cacheEntry{key: key, result: res, cacheable: true, size: entryOverhead + int64(len(res.Stdout)+len(res.Stderr))}
	if bin != nil {
		if e.exe, err = sealedMemfd("program", bin); err != nil {
			return nil, err
		}
		e.size += int64(len(bin))
	}
	return e, nil
}

// saveDisk writes an entry to the disk cache.
func (c *compiler) saveDisk(e *cacheEntry) {
	var bin []byte
	if e.exe != nil {
		st, err := e.exe.Stat()
		if err != nil {
			return
		}
		bin = make([]byte, st.Size())
		if _, err := e.exe.ReadAt(bin, 0); err != nil {
			return
		}
	}
	c.disk.save(e.key, e.result, bin)
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

func (c *compiler) pchExists() bool {
	_, err := os.Stat(c.gchPath())
	return err == nil
}

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
		if c.pool.mode == isoRoot {
			c.startHolder()
		}
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
