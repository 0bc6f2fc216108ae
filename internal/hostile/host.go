package hostile

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// RequireSandbox skips a test whose sandbox could not start, or fails it
// when CI=true: in CI a missing sandbox is a failure, never a skip.
func RequireSandbox(t testing.TB, err error) {
	t.Helper()
	if err == nil {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("the sandbox cannot start and CI=true: %v", err)
	}
	t.Skipf("no sandbox: %v", err)
}

// HostStrings are texts that name this host and must never reach a
// program: the working directory, the test binary, the pool's cgroup
// names, this process's own cgroups, the machine id, the host name when
// it is distinctive, and the given paths (temporary and cache
// directories).
func HostStrings(extra ...string) []string {
	var out []string
	add := func(s string) {
		s = strings.TrimSpace(s)
		if len(s) >= 6 && s != "/" {
			out = append(out, s)
		}
	}
	for _, e := range extra {
		add(e)
	}
	if wd, err := os.Getwd(); err == nil {
		add(wd)
	}
	if exe, err := os.Executable(); err == nil {
		add(exe)
	}
	add(fmt.Sprintf("rlef-%d-", os.Getpid()))
	if b, err := os.ReadFile("/proc/self/cgroup"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if f := strings.SplitN(line, ":", 3); len(f) == 3 {
				add(f[2])
			}
		}
	}
	if b, err := os.ReadFile("/etc/machine-id"); err == nil {
		add(string(b))
	}
	if h, err := os.Hostname(); err == nil && h != "rlef" && h != "localhost" {
		add(h)
	}
	return out
}

// HostFiles is a snapshot of host files a program might try to change:
// system files, the test binary, and a canary at a fixed, guessable
// place in the host's temporary directory (which programs try to
// overwrite at the same path inside).
type HostFiles struct {
	sums map[string]string
}

// CanaryPath is where the canary lives on the host.
var CanaryPath = filepath.Join(os.TempDir(), "rlef-hostile-canary")

// canaryContent is the canary's fixed content: test binaries of several
// packages may run at once and share the one guessable path, so none of
// them rewrites or removes it while another is watching.
const canaryContent = "rlef hostile canary: a program that can change this escaped its sandbox\n"

// SnapshotHost writes the canary and records the files' checksums.
func SnapshotHost(t testing.TB) *HostFiles {
	t.Helper()
	if b, err := os.ReadFile(CanaryPath); err != nil || string(b) != canaryContent {
		if err := os.WriteFile(CanaryPath, []byte(canaryContent), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	paths := []string{CanaryPath, "/etc/passwd", "/etc/hostname", "/etc/hosts", "/usr/bin/python3"}
	if exe, err := os.Executable(); err == nil {
		paths = append(paths, exe)
	}
	h := &HostFiles{sums: map[string]string{}}
	for _, p := range paths {
		h.sums[p] = checksum(p)
	}
	return h
}

// Changed lists the host files that changed since the snapshot.
func (h *HostFiles) Changed() []string {
	var out []string
	for p, sum := range h.sums {
		if checksum(p) != sum {
			out = append(out, p)
		}
	}
	return out
}

func checksum(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "missing"
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// zygoteMark is in the command line of every slot's zygote (the first
// line of its source, passed with -c).
const zygoteMark = "rlef sandbox zygote"

// Zygotes returns the PIDs of this process's sandbox zygotes.
func Zygotes() []int {
	var out []int
	for _, pid := range children(os.Getpid()) {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		if err == nil && bytes.Contains(b, []byte(zygoteMark)) {
			out = append(out, pid)
		}
	}
	return out
}

// SlotsIdle waits until every slot of this process holds only its zygote
// and at most one spare with no children, and describes what is left
// when that does not happen within timeout: processes of a run that
// survived it.
func SlotsIdle(timeout time.Duration) string {
	deadline := time.Now().Add(timeout)
	for {
		problem := ""
		for _, z := range Zygotes() {
			kids := children(z)
			if len(kids) > 1 {
				problem = fmt.Sprintf("zygote %d has children %v, want at most the spare", z, kids)
				break
			}
			for _, k := range kids {
				if g := descendants(k); len(g) > 0 {
					problem = fmt.Sprintf("the spare %d of zygote %d has descendants %v", k, z, g)
				}
			}
		}
		if problem == "" || time.Now().After(deadline) {
			return problem
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// NoDescendants waits until this process has no descendants (every pool
// closed), and describes what is left after timeout.
func NoDescendants(timeout time.Duration) string {
	deadline := time.Now().Add(timeout)
	for {
		left := descendants(os.Getpid())
		if len(left) == 0 {
			return ""
		}
		if time.Now().After(deadline) {
			var desc []string
			for _, pid := range left {
				b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
				name := strings.SplitN(string(b), "\x00", 2)[0]
				desc = append(desc, fmt.Sprintf("%d (%s)", pid, name))
			}
			return "processes left: " + strings.Join(desc, ", ")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func children(pid int) []int {
	var out []int
	tasks, _ := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	for _, task := range tasks {
		b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/children", pid, task.Name()))
		for _, f := range strings.Fields(string(b)) {
			if n, err := strconv.Atoi(f); err == nil {
				out = append(out, n)
			}
		}
	}
	return out
}

func descendants(pid int) []int {
	var out []int
	queue := children(pid)
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		out = append(out, p)
		queue = append(queue, children(p)...)
	}
	return out
}

// LeftoverCgroups lists cgroup directories of this process's pools that
// are still there (a closed pool removes its tree).
func LeftoverCgroups() []string {
	b, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return nil
	}
	name := fmt.Sprintf("rlef-%d-", os.Getpid())
	seen := map[string]bool{}
	var out []string
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.SplitN(line, ":", 3)
		if len(f) != 3 {
			continue
		}
		var roots []string
		for _, c := range strings.Split(f[1], ",") {
			if c = strings.TrimPrefix(c, "name="); c != "" {
				roots = append(roots, filepath.Join("/sys/fs/cgroup", c, f[2]))
			}
		}
		if f[1] == "" {
			roots = append(roots, filepath.Join("/sys/fs/cgroup", f[2]), filepath.Join("/sys/fs/cgroup/unified", f[2]))
		}
		for _, root := range roots {
			matches, _ := filepath.Glob(filepath.Join(root, name+"*"))
			for _, m := range matches {
				if !seen[m] {
					seen[m] = true
					out = append(out, m)
				}
			}
		}
	}
	return out
}

// DirSize is the total size of the regular files under dir.
func DirSize(dir string) int64 {
	var n int64
	_ = filepath.WalkDir(dir, func(_ string, e fs.DirEntry, err error) error {
		if err == nil && e.Type().IsRegular() {
			if info, err := e.Info(); err == nil {
				n += info.Size()
			}
		}
		return nil
	})
	return n
}

// LogWatch collects log lines and counts the sandbox's reports of broken
// slots ("sandbox slot replaced"), which a program must never cause.
type LogWatch struct {
	mu    sync.Mutex
	lines []string
	buf   []byte
}

// Write implements io.Writer.
func (w *LogWatch) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			break
		}
		w.lines = append(w.lines, string(w.buf[:i]))
		w.buf = w.buf[i+1:]
	}
	return len(p), nil
}

// Mark returns the number of lines logged so far: a position for
// Replaced.
func (w *LogWatch) Mark() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.lines)
}

// Replaced returns the reports of replaced slots among the lines logged
// from position from (a Mark) to position to (a later Mark, or -1 for
// now).
func (w *LogWatch) Replaced(from, to int) []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	if to < 0 || to > len(w.lines) {
		to = len(w.lines)
	}
	var out []string
	for _, l := range w.lines[min(from, to):to] {
		if strings.Contains(l, "sandbox slot replaced") {
			out = append(out, l)
		}
	}
	return out
}
