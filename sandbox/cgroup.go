package sandbox

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// cgroupTree is the cgroup hierarchy one pool owns: a directory per
// controller (v1) or one directory (v2), removed when the pool closes.
//
// Layout. The zygote of slot i lives in slot i's pids and cpu cgroups, so
// the process limit and the one-CPU quota cover the zygote and its runs
// without moving anything per run. Runs alone live in slot i's memory
// cgroup, which the spare joins before the request arrives, so memory is
// measured and limited for the program only.
type cgroupTree struct {
	version string // "v1" or "v2"
	// v1: one root per controller; v2: roots["unified"].
	roots map[string]string
}

var v1Controllers = []string{"memory", "pids", "cpu"}

// newCgroupTree creates this pool's cgroup root, or explains why cgroups
// cannot be used (the pool then falls back to rlimits).
func newCgroupTree(name string) (*cgroupTree, error) {
	mounts, err := readCgroupMounts()
	if err != nil {
		return nil, err
	}
	own, err := readOwnCgroups()
	if err != nil {
		return nil, err
	}
	if _, ok := mounts["memory"]; ok {
		t := &cgroupTree{version: "v1", roots: map[string]string{}}
		for _, c := range v1Controllers {
			m, ok := mounts[c]
			if !ok {
				return nil, fmt.Errorf("cgroup v1 controller %q is not mounted", c)
			}
			rel, ok := own[c]
			if !ok {
				return nil, fmt.Errorf("cannot find this process's %s cgroup in /proc/self/cgroup", c)
			}
			dir := filepath.Join(m.dir, strings.TrimPrefix(rel, m.root), name)
			if err := os.Mkdir(dir, 0o755); err != nil {
				t.remove()
				return nil, fmt.Errorf("create cgroup %s: %w", dir, err)
			}
			t.roots[c] = dir
		}
		return t, nil
	}
	m, ok := mounts["unified"]
	if !ok {
		return nil, errors.New("no cgroup v1 memory controller and no cgroup v2 mount")
	}
	ctrls, err := os.ReadFile(filepath.Join(m.dir, "cgroup.controllers"))
	if err != nil {
		return nil, fmt.Errorf("read cgroup v2 controllers: %w", err)
	}
	for _, c := range v1Controllers {
		if !bytes.Contains(ctrls, []byte(c)) {
			return nil, fmt.Errorf("cgroup v2 controller %q is not available (cgroup.controllers: %q)", c, strings.TrimSpace(string(ctrls)))
		}
	}
	// A v2 cgroup that delegates controllers to children may not hold
	// processes itself, so the pool's tree hangs off the hierarchy root,
	// which needs root privileges.
	dir := filepath.Join(m.dir, name)
	if err := writeFile(filepath.Join(m.dir, "cgroup.subtree_control"), "+memory +pids +cpu"); err != nil {
		return nil, fmt.Errorf("enable cgroup v2 controllers: %w", err)
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create cgroup %s: %w", dir, err)
	}
	t := &cgroupTree{version: "v2", roots: map[string]string{"unified": dir}}
	if err := writeFile(filepath.Join(dir, "cgroup.subtree_control"), "+memory +pids +cpu"); err != nil {
		t.remove()
		return nil, fmt.Errorf("enable cgroup v2 controllers in %s: %w", dir, err)
	}
	return t, nil
}

// remove deletes the tree; every process must have left it.
func (t *cgroupTree) remove() {
	for _, dir := range t.roots {
		removeCgroupDir(dir)
	}
}

// removeCgroupDir removes a cgroup directory and its children (rmdir only:
// cgroupfs directories cannot be emptied with unlink). Processes still
// inside get a short grace period to finish exiting.
func removeCgroupDir(dir string) {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.IsDir() {
			removeCgroupDir(filepath.Join(dir, e.Name()))
		}
	}
	for i := 0; i < 50; i++ {
		if err := unix.Rmdir(dir); err == nil || errors.Is(err, unix.ENOENT) {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// slotCgroup holds the open control files of one slot.
type slotCgroup struct {
	v2   bool
	dirs []string // deepest first, for removal
	// joinSlot are cgroup.procs files the zygote writes "0" to once.
	joinSlot []*os.File
	// joinRun is the memory cgroup.procs file each spare writes "0" to.
	joinRun *os.File

	memLimit, memswLimit, memUsage, memPeak, oomEvents, pidsMax *os.File

	curMemory    int64
	curProcesses int
	lastOOM      int64
	baseline     int64
}

func (t *cgroupTree) newSlot(i int) (_ *slotCgroup, err error) {
	s := &slotCgroup{v2: t.version == "v2"}
	defer func() {
		if err != nil {
			s.close()
		}
	}()
	name := fmt.Sprintf("slot%d", i)
	if s.v2 {
		slot := filepath.Join(t.roots["unified"], name)
		zyg, run := filepath.Join(slot, "zygote"), filepath.Join(slot, "run")
		if err := os.Mkdir(slot, 0o755); err != nil {
			return nil, err
		}
		s.dirs = append(s.dirs, slot)
		if err := writeFile(filepath.Join(slot, "cpu.max"), "100000 100000"); err != nil {
			return nil, err
		}
		if err := writeFile(filepath.Join(slot, "cgroup.subtree_control"), "+memory"); err != nil {
			return nil, err
		}
		for _, d := range []string{zyg, run} {
			if err := os.Mkdir(d, 0o755); err != nil {
				return nil, err
			}
			s.dirs = append([]string{d}, s.dirs...)
		}
		_ = writeFile(filepath.Join(run, "memory.swap.max"), "0")
		if err := writeFile(filepath.Join(run, "memory.oom.group"), "1"); err != nil {
			return nil, err
		}
		files := []struct {
			f    **os.File
			path string
			flag int
		}{
			{&s.joinRun, filepath.Join(run, "cgroup.procs"), os.O_WRONLY},
			{&s.memLimit, filepath.Join(run, "memory.max"), os.O_WRONLY},
			{&s.memUsage, filepath.Join(run, "memory.current"), os.O_RDONLY},
			{&s.memPeak, filepath.Join(run, "memory.peak"), os.O_RDWR},
			{&s.oomEvents, filepath.Join(run, "memory.events"), os.O_RDONLY},
			{&s.pidsMax, filepath.Join(slot, "pids.max"), os.O_WRONLY},
		}
		for _, f := range files {
			if *f.f, err = os.OpenFile(f.path, f.flag, 0); err != nil {
				return nil, err
			}
		}
		zp, err := os.OpenFile(filepath.Join(zyg, "cgroup.procs"), os.O_WRONLY, 0)
		if err != nil {
			return nil, err
		}
		s.joinSlot = append(s.joinSlot, zp)
	} else {
		mem := filepath.Join(t.roots["memory"], name)
		pids := filepath.Join(t.roots["pids"], name)
		cpu := filepath.Join(t.roots["cpu"], name)
		for _, d := range []string{mem, pids, cpu} {
			if err := os.Mkdir(d, 0o755); err != nil {
				return nil, err
			}
			s.dirs = append(s.dirs, d)
		}
		if err := writeFile(filepath.Join(cpu, "cpu.cfs_period_us"), "100000"); err != nil {
			return nil, err
		}
		if err := writeFile(filepath.Join(cpu, "cpu.cfs_quota_us"), "100000"); err != nil {
			return nil, err
		}
		files := []struct {
			f    **os.File
			path string
			flag int
		}{
			{&s.joinRun, filepath.Join(mem, "cgroup.procs"), os.O_WRONLY},
			{&s.memLimit, filepath.Join(mem, "memory.limit_in_bytes"), os.O_WRONLY},
			{&s.memUsage, filepath.Join(mem, "memory.usage_in_bytes"), os.O_RDONLY},
			{&s.memPeak, filepath.Join(mem, "memory.max_usage_in_bytes"), os.O_RDWR},
			{&s.oomEvents, filepath.Join(mem, "memory.oom_control"), os.O_RDONLY},
			{&s.pidsMax, filepath.Join(pids, "pids.max"), os.O_WRONLY},
		}
		for _, f := range files {
			if *f.f, err = os.OpenFile(f.path, f.flag, 0); err != nil {
				return nil, err
			}
		}
		// Swap accounting exists only on some kernels.
		if f, err := os.OpenFile(filepath.Join(mem, "memory.memsw.limit_in_bytes"), os.O_WRONLY, 0); err == nil {
			s.memswLimit = f
		}
		for _, d := range []string{pids, cpu} {
			f, err := os.OpenFile(filepath.Join(d, "cgroup.procs"), os.O_WRONLY, 0)
			if err != nil {
				return nil, err
			}
			s.joinSlot = append(s.joinSlot, f)
		}
	}
	if s.lastOOM, err = s.oomCount(); err != nil {
		return nil, err
	}
	return s, nil
}

// configure sets the run's memory limit and the slot's process limit,
// writing only what changed since the last run.
func (s *slotCgroup) configure(memory int64, processes int) error {
	if memory != s.curMemory {
		if err := s.setMemory(memory); err != nil {
			return fmt.Errorf("set memory limit: %w", err)
		}
		s.curMemory = memory
	}
	if processes != s.curProcesses {
		// +1: the zygote itself counts against the slot's limit.
		if err := pwriteString(s.pidsMax, strconv.Itoa(processes+1)); err != nil {
			return fmt.Errorf("set process limit: %w", err)
		}
		s.curProcesses = processes
	}
	return nil
}

func (s *slotCgroup) setMemory(limit int64) error {
	v := strconv.FormatInt(limit, 10)
	if s.v2 {
		return pwriteString(s.memLimit, v)
	}
	if s.memswLimit == nil {
		return pwriteString(s.memLimit, v)
	}
	// memory+swap must stay >= memory: order the writes by direction (a
	// fresh cgroup starts unlimited, curMemory 0).
	if s.curMemory > 0 && limit > s.curMemory {
		if err := pwriteString(s.memswLimit, v); err != nil {
			return err
		}
		return pwriteString(s.memLimit, v)
	}
	if err := pwriteString(s.memLimit, v); err != nil {
		return err
	}
	return pwriteString(s.memswLimit, v)
}

// begin resets the peak-memory counter just before a run starts and
// records the usage already charged (the waiting spare's own pages and
// cached files), which the reported peak leaves out.
func (s *slotCgroup) begin() error {
	if err := pwriteString(s.memPeak, "0"); err != nil && !s.v2 {
		return fmt.Errorf("reset memory peak: %w", err)
	}
	u, err := preadInt(s.memUsage)
	if err != nil {
		return fmt.Errorf("read memory usage: %w", err)
	}
	s.baseline = u
	return nil
}

// finish returns the run's peak memory above the baseline and whether the
// kernel's OOM killer acted during the run.
func (s *slotCgroup) finish() (peak int64, oomKilled bool, err error) {
	p, err := preadInt(s.memPeak)
	if err != nil {
		return 0, false, fmt.Errorf("read memory peak: %w", err)
	}
	n, err := s.oomCount()
	if err != nil {
		return 0, false, err
	}
	oomKilled = n > s.lastOOM
	s.lastOOM = n
	if p -= s.baseline; p < 0 {
		p = 0
	}
	return p, oomKilled, nil
}

// oomCount reads the cumulative OOM-kill counter ("oom_kill N" in both
// memory.oom_control (v1) and memory.events (v2)).
func (s *slotCgroup) oomCount() (int64, error) {
	var buf [512]byte
	n, err := s.oomEvents.ReadAt(buf[:], 0)
	if err != nil && n == 0 {
		return 0, fmt.Errorf("read oom counter: %w", err)
	}
	sc := bufio.NewScanner(bytes.NewReader(buf[:n]))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "oom_kill "); ok {
			return strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		}
	}
	return 0, errors.New("no oom_kill counter in memory cgroup (kernel too old?)")
}

func (s *slotCgroup) close() {
	for _, f := range append([]*os.File{s.joinRun, s.memLimit, s.memswLimit, s.memUsage, s.memPeak, s.oomEvents, s.pidsMax}, s.joinSlot...) {
		if f != nil {
			f.Close()
		}
	}
	for _, d := range s.dirs {
		removeCgroupDir(d)
	}
}

type cgroupMount struct{ dir, root string }

// readCgroupMounts maps controller names (and "unified" for cgroup2) to
// their mount point and the hierarchy path mounted there.
func readCgroupMounts() (map[string]cgroupMount, error) {
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return nil, fmt.Errorf("read mountinfo: %w", err)
	}
	return parseCgroupMounts(string(data)), nil
}

// parseCgroupMounts reads the cgroup mounts out of a mountinfo text.
func parseCgroupMounts(data string) map[string]cgroupMount {
	out := map[string]cgroupMount{}
	for _, line := range strings.Split(data, "\n") {
		pre, post, ok := strings.Cut(line, " - ")
		if !ok {
			continue
		}
		f, g := strings.Fields(pre), strings.Fields(post)
		if len(f) < 5 || len(g) < 3 {
			continue
		}
		m := cgroupMount{dir: unescapeMount(f[4]), root: unescapeMount(f[3])}
		switch g[0] {
		case "cgroup2":
			if _, seen := out["unified"]; !seen {
				out["unified"] = m
			}
		case "cgroup":
			for _, opt := range strings.Split(g[2], ",") {
				if _, seen := out[opt]; !seen {
					out[opt] = m
				}
			}
		}
	}
	return out
}

// unescapeMount undoes mountinfo's octal escapes (\040 for space).
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if v, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(v))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// readOwnCgroups maps controller names (and "unified") to this process's
// cgroup path.
func readOwnCgroups() (map[string]string, error) {
	data, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return nil, fmt.Errorf("read /proc/self/cgroup: %w", err)
	}
	return parseOwnCgroups(string(data)), nil
}

// parseOwnCgroups reads /proc/self/cgroup text.
func parseOwnCgroups(data string) map[string]string {
	out := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(data), "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 {
			continue
		}
		if parts[1] == "" {
			out["unified"] = parts[2]
			continue
		}
		for _, c := range strings.Split(parts[1], ",") {
			out[c] = parts[2]
		}
	}
	return out
}

func writeFile(path, v string) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	_, err = f.WriteString(v)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write %q to %s: %w", v, path, err)
	}
	return nil
}

func pwriteString(f *os.File, v string) error {
	_, err := f.WriteAt([]byte(v), 0)
	return err
}

func preadInt(f *os.File) (int64, error) {
	var buf [64]byte
	n, err := f.ReadAt(buf[:], 0)
	if n == 0 && err != nil {
		return 0, err
	}
	return strconv.ParseInt(strings.TrimSpace(string(buf[:n])), 10, 64)
}
