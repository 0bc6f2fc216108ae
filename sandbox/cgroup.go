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
// Layout. Slot i has a cgroup of its own, which its zygote joins before
// it enters a cgroup namespace, and below it a "run" cgroup that every
// process of a run joins before the run starts:
//
//	slot i        the zygote; the process limit, the one-CPU quota and
//	              the CPU pinning cover the zygote and its runs together
//	slot i/run    the run alone: its memory limit and peak, its OOM
//	              kills and its CPU time, which the supervisor reads
//	              from outside to measure and limit the whole process
//	              tree of the run
//
// (cgroup v2 forbids processes in a cgroup whose controllers are
// delegated, so there the zygote lives in a sibling, slot i/zygote.)
// Because the zygote's namespace is rooted at the slot's own cgroup, a
// program sees "/run" in /proc/self/cgroup and nothing of the host.
type cgroupTree struct {
	version string // "v1" or "v2"
	// v1: one root per controller; v2: roots["unified"].
	roots map[string]string
	// cpus lists the CPUs slots are pinned to (one each, round robin);
	// nil when the cpuset controller cannot be used.
	cpus []int
	// notes explain optional features that are unavailable.
	notes []string
}

// v1Required are the v1 controllers a pool cannot do without; cpuset is
// optional (it pins slots to CPUs).
var v1Required = []string{"memory", "pids", "cpu", "cpuacct"}

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
		return newV1Tree(name, mounts, own)
	}
	return newV2Tree(name, mounts)
}

func newV1Tree(name string, mounts map[string]cgroupMount, own map[string]string) (*cgroupTree, error) {
	t := &cgroupTree{version: "v1", roots: map[string]string{}}
	dirFor := func(c string) (string, error) {
		m, ok := mounts[c]
		if !ok {
			return "", fmt.Errorf("cgroup v1 controller %q is not mounted", c)
		}
		rel, ok := own[c]
		if !ok {
			return "", fmt.Errorf("cannot find this process's %s cgroup in /proc/self/cgroup", c)
		}
		return filepath.Join(m.dir, strings.TrimPrefix(rel, m.root), name), nil
	}
	for _, c := range v1Required {
		dir, err := dirFor(c)
		if err != nil {
			t.remove()
			return nil, err
		}
		if err := t.addRoot(c, dir); err != nil {
			t.remove()
			return nil, err
		}
	}
	if dir, err := dirFor("cpuset"); err != nil {
		t.notes = append(t.notes, "slots are not pinned to CPUs: "+err.Error())
	} else if err := t.addCpusetRoot(dir); err != nil {
		t.notes = append(t.notes, "slots are not pinned to CPUs: "+err.Error())
	}
	return t, nil
}

// addRoot creates a controller's root directory (once per hierarchy: cpu
// and cpuacct are often mounted together).
func (t *cgroupTree) addRoot(controller, dir string) error {
	for _, existing := range t.roots {
		if existing == dir {
			t.roots[controller] = dir
			return nil
		}
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		return fmt.Errorf("create cgroup %s: %w", dir, err)
	}
	t.roots[controller] = dir
	return nil
}

// addCpusetRoot creates the v1 cpuset root, which (unlike other
// controllers) starts with no CPUs and no memory nodes of its own.
func (t *cgroupTree) addCpusetRoot(dir string) error {
	parent := filepath.Dir(dir)
	cpus, err := os.ReadFile(filepath.Join(parent, "cpuset.cpus"))
	if err != nil {
		return err
	}
	mems, err := os.ReadFile(filepath.Join(parent, "cpuset.mems"))
	if err != nil {
		return err
	}
	list, err := parseCPUList(strings.TrimSpace(string(cpus)))
	if err != nil || len(list) == 0 {
		return fmt.Errorf("cpuset.cpus %q: %v", cpus, err)
	}
	if err := t.addRoot("cpuset", dir); err != nil {
		return err
	}
	for file, v := range map[string][]byte{"cpuset.cpus": cpus, "cpuset.mems": mems} {
		if err := writeFile(filepath.Join(dir, file), strings.TrimSpace(string(v))); err != nil {
			delete(t.roots, "cpuset")
			removeCgroupDir(dir)
			return err
		}
	}
	t.cpus = list
	return nil
}

func newV2Tree(name string, mounts map[string]cgroupMount) (*cgroupTree, error) {
	m, ok := mounts["unified"]
	if !ok {
		return nil, errors.New("no cgroup v1 memory controller and no cgroup v2 mount")
	}
	ctrls, err := os.ReadFile(filepath.Join(m.dir, "cgroup.controllers"))
	if err != nil {
		return nil, fmt.Errorf("read cgroup v2 controllers: %w", err)
	}
	for _, c := range []string{"memory", "pids", "cpu"} {
		if !bytes.Contains(ctrls, []byte(c)) {
			return nil, fmt.Errorf("cgroup v2 controller %q is not available (cgroup.controllers: %q)", c, strings.TrimSpace(string(ctrls)))
		}
	}
	enable := "+memory +pids +cpu"
	cpuset := bytes.Contains(ctrls, []byte("cpuset"))
	if cpuset {
		enable += " +cpuset"
	}
	// A v2 cgroup that delegates controllers to children may not hold
	// processes itself, so the pool's tree hangs off the hierarchy root,
	// which needs root privileges.
	dir := filepath.Join(m.dir, name)
	if err := writeFile(filepath.Join(m.dir, "cgroup.subtree_control"), enable); err != nil {
		return nil, fmt.Errorf("enable cgroup v2 controllers: %w", err)
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create cgroup %s: %w", dir, err)
	}
	t := &cgroupTree{version: "v2", roots: map[string]string{"unified": dir}}
	if err := writeFile(filepath.Join(dir, "cgroup.subtree_control"), enable); err != nil {
		t.remove()
		return nil, fmt.Errorf("enable cgroup v2 controllers in %s: %w", dir, err)
	}
	if cpuset {
		eff, err := os.ReadFile(filepath.Join(dir, "cpuset.cpus.effective"))
		if err == nil {
			t.cpus, err = parseCPUList(strings.TrimSpace(string(eff)))
		}
		if err != nil || len(t.cpus) == 0 {
			t.cpus = nil
			t.notes = append(t.notes, fmt.Sprintf("slots are not pinned to CPUs: cpuset.cpus.effective unreadable (%v)", err))
		}
	} else {
		t.notes = append(t.notes, "slots are not pinned to CPUs: the cpuset controller is not available")
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
	// cpu is the CPU the slot is pinned to, or -1.
	cpu int
	// joinSlot are cgroup.procs files the sandbox init writes "0" to once,
	// before it enters its cgroup namespace.
	joinSlot []*os.File
	// joinRun are the run cgroups' cgroup.procs files every process that
	// starts a run writes "0" to.
	joinRun []*os.File

	memLimit, memswLimit, memUsage, memPeak, oomEvents, pidsMax, cpuUsage *os.File

	curMemory    int64
	curProcesses int
	lastOOM      int64
	baseline     int64
}

// slotFiles are the control files a slot opens: pointers to fill, paths
// and open flags.
type slotFile struct {
	f    **os.File
	path string
	flag int
}

func (t *cgroupTree) newSlot(i int) (_ *slotCgroup, err error) {
	s := &slotCgroup{v2: t.version == "v2", cpu: -1}
	defer func() {
		if err != nil {
			s.close()
		}
	}()
	if len(t.cpus) > 0 {
		s.cpu = t.cpus[i%len(t.cpus)]
	}
	name := fmt.Sprintf("slot%d", i)
	if s.v2 {
		err = s.setupV2(filepath.Join(t.roots["unified"], name))
	} else {
		err = s.setupV1(t, name)
	}
	if err != nil {
		return nil, err
	}
	if s.lastOOM, err = s.oomCount(); err != nil {
		return nil, err
	}
	return s, nil
}

// mkdir creates a cgroup directory and remembers it for removal.
func (s *slotCgroup) mkdir(dir string) error {
	if err := os.Mkdir(dir, 0o755); err != nil {
		return err
	}
	s.dirs = append([]string{dir}, s.dirs...)
	return nil
}

func (s *slotCgroup) setupV2(slot string) error {
	zyg, run := filepath.Join(slot, "zygote"), filepath.Join(slot, "run")
	if err := s.mkdir(slot); err != nil {
		return err
	}
	if err := writeFile(filepath.Join(slot, "cpu.max"), "100000 100000"); err != nil {
		return err
	}
	if s.cpu >= 0 {
		if err := writeFile(filepath.Join(slot, "cpuset.cpus"), strconv.Itoa(s.cpu)); err != nil {
			return err
		}
	}
	if err := writeFile(filepath.Join(slot, "cgroup.subtree_control"), "+memory"); err != nil {
		return err
	}
	for _, d := range []string{zyg, run} {
		if err := s.mkdir(d); err != nil {
			return err
		}
	}
	_ = writeFile(filepath.Join(run, "memory.swap.max"), "0")
	if err := writeFile(filepath.Join(run, "memory.oom.group"), "1"); err != nil {
		return err
	}
	var joinRun, joinZygote *os.File
	files := []slotFile{
		{&joinRun, filepath.Join(run, "cgroup.procs"), os.O_WRONLY},
		{&joinZygote, filepath.Join(zyg, "cgroup.procs"), os.O_WRONLY},
		{&s.memLimit, filepath.Join(run, "memory.max"), os.O_WRONLY},
		{&s.memUsage, filepath.Join(run, "memory.current"), os.O_RDONLY},
		{&s.memPeak, filepath.Join(run, "memory.peak"), os.O_RDWR},
		{&s.oomEvents, filepath.Join(run, "memory.events"), os.O_RDONLY},
		{&s.cpuUsage, filepath.Join(run, "cpu.stat"), os.O_RDONLY},
		{&s.pidsMax, filepath.Join(slot, "pids.max"), os.O_WRONLY},
	}
	if err := openSlotFiles(files); err != nil {
		return err
	}
	s.joinRun = []*os.File{joinRun}
	s.joinSlot = []*os.File{joinZygote}
	return nil
}

func (s *slotCgroup) setupV1(t *cgroupTree, name string) error {
	// One slot directory per hierarchy (cpu and cpuacct may share one).
	slotDir := map[string]string{}
	for _, c := range []string{"memory", "pids", "cpu", "cpuacct", "cpuset"} {
		root, ok := t.roots[c]
		if !ok {
			continue
		}
		dir := filepath.Join(root, name)
		if _, made := slotDirOf(slotDir, dir); !made {
			if err := s.mkdir(dir); err != nil {
				return err
			}
		}
		slotDir[c] = dir
	}
	if err := writeFile(filepath.Join(slotDir["cpu"], "cpu.cfs_period_us"), "100000"); err != nil {
		return err
	}
	if err := writeFile(filepath.Join(slotDir["cpu"], "cpu.cfs_quota_us"), "100000"); err != nil {
		return err
	}
	if dir, ok := slotDir["cpuset"]; ok && s.cpu >= 0 {
		mems, err := os.ReadFile(filepath.Join(t.roots["cpuset"], "cpuset.mems"))
		if err != nil {
			return err
		}
		if err := writeFile(filepath.Join(dir, "cpuset.cpus"), strconv.Itoa(s.cpu)); err != nil {
			return err
		}
		if err := writeFile(filepath.Join(dir, "cpuset.mems"), strings.TrimSpace(string(mems))); err != nil {
			return err
		}
	}
	memRun, cpuRun := filepath.Join(slotDir["memory"], "run"), filepath.Join(slotDir["cpuacct"], "run")
	for _, d := range []string{memRun, cpuRun} {
		if _, err := os.Stat(d); err == nil {
			continue // cpuacct shares the memory hierarchy (unusual, but possible)
		}
		if err := s.mkdir(d); err != nil {
			return err
		}
	}
	var joinMem, joinCPU *os.File
	files := []slotFile{
		{&joinMem, filepath.Join(memRun, "cgroup.procs"), os.O_WRONLY},
		{&s.memLimit, filepath.Join(memRun, "memory.limit_in_bytes"), os.O_WRONLY},
		{&s.memUsage, filepath.Join(memRun, "memory.usage_in_bytes"), os.O_RDONLY},
		{&s.memPeak, filepath.Join(memRun, "memory.max_usage_in_bytes"), os.O_RDWR},
		{&s.oomEvents, filepath.Join(memRun, "memory.oom_control"), os.O_RDONLY},
		{&s.pidsMax, filepath.Join(slotDir["pids"], "pids.max"), os.O_WRONLY},
		{&s.cpuUsage, filepath.Join(cpuRun, "cpuacct.usage"), os.O_RDONLY},
	}
	if cpuRun != memRun {
		files = append(files, slotFile{&joinCPU, filepath.Join(cpuRun, "cgroup.procs"), os.O_WRONLY})
	}
	if err := openSlotFiles(files); err != nil {
		return err
	}
	s.joinRun = []*os.File{joinMem}
	if joinCPU != nil {
		s.joinRun = append(s.joinRun, joinCPU)
	}
	// Swap accounting exists only on some kernels.
	if f, err := os.OpenFile(filepath.Join(memRun, "memory.memsw.limit_in_bytes"), os.O_WRONLY, 0); err == nil {
		s.memswLimit = f
	}
	seen := map[string]bool{}
	for _, c := range []string{"memory", "pids", "cpu", "cpuacct", "cpuset"} {
		dir, ok := slotDir[c]
		if !ok || seen[dir] {
			continue
		}
		seen[dir] = true
		f, err := os.OpenFile(filepath.Join(dir, "cgroup.procs"), os.O_WRONLY, 0)
		if err != nil {
			return err
		}
		s.joinSlot = append(s.joinSlot, f)
	}
	return nil
}

// slotDirOf reports whether dir was already made for another controller
// of the same hierarchy.
func slotDirOf(made map[string]string, dir string) (string, bool) {
	for _, d := range made {
		if d == dir {
			return d, true
		}
	}
	return "", false
}

func openSlotFiles(files []slotFile) error {
	for _, f := range files {
		var err error
		if *f.f, err = os.OpenFile(f.path, f.flag, 0); err != nil {
			return err
		}
	}
	return nil
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
		// +2: the zygote and the waiting spare count against the slot's
		// limit too.
		if err := pwriteString(s.pidsMax, strconv.Itoa(processes+2)); err != nil {
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
	oomKilled, err = s.oomSince()
	if err != nil {
		return 0, false, err
	}
	if p -= s.baseline; p < 0 {
		p = 0
	}
	return p, oomKilled, nil
}

// oomSince reports whether the OOM killer acted since the last call.
func (s *slotCgroup) oomSince() (bool, error) {
	n, err := s.oomCount()
	if err != nil {
		return false, err
	}
	killed := n > s.lastOOM
	s.lastOOM = n
	return killed, nil
}

// cpuTime returns the run cgroup's cumulative CPU time: every process of
// every run, counted by the kernel whatever the processes did to
// themselves.
func (s *slotCgroup) cpuTime() (time.Duration, error) {
	if !s.v2 {
		ns, err := preadInt(s.cpuUsage)
		return time.Duration(ns), err
	}
	var buf [1024]byte
	n, err := s.cpuUsage.ReadAt(buf[:], 0)
	if n == 0 && err != nil {
		return 0, fmt.Errorf("read cpu.stat: %w", err)
	}
	v, ok := statField(buf[:n], "usage_usec")
	if !ok {
		return 0, errors.New("no usage_usec in cpu.stat")
	}
	return time.Duration(v) * time.Microsecond, nil
}

// oomCount reads the cumulative OOM-kill counter ("oom_kill N" in both
// memory.oom_control (v1) and memory.events (v2)).
func (s *slotCgroup) oomCount() (int64, error) {
	var buf [512]byte
	n, err := s.oomEvents.ReadAt(buf[:], 0)
	if err != nil && n == 0 {
		return 0, fmt.Errorf("read oom counter: %w", err)
	}
	v, ok := statField(buf[:n], "oom_kill")
	if !ok {
		return 0, errors.New("no oom_kill counter in memory cgroup (kernel too old?)")
	}
	return v, nil
}

// statField finds "name value" in a cgroup key-value file.
func statField(data []byte, name string) (int64, bool) {
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), name+" "); ok {
			n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			return n, err == nil
		}
	}
	return 0, false
}

func (s *slotCgroup) close() {
	files := []*os.File{s.memLimit, s.memswLimit, s.memUsage, s.memPeak, s.oomEvents, s.pidsMax, s.cpuUsage}
	files = append(append(files, s.joinSlot...), s.joinRun...)
	for _, f := range files {
		if f != nil {
			f.Close()
		}
	}
	for _, d := range s.dirs {
		removeCgroupDir(d)
	}
}

// parseCPUList reads a kernel CPU list ("0-3,8,10-11").
func parseCPUList(s string) ([]int, error) {
	var out []int
	for _, part := range strings.Split(s, ",") {
		if part == "" {
			continue
		}
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.Atoi(lo)
		if err != nil {
			return nil, fmt.Errorf("bad CPU list %q", s)
		}
		b := a
		if isRange {
			if b, err = strconv.Atoi(hi); err != nil || b < a {
				return nil, fmt.Errorf("bad CPU list %q", s)
			}
		}
		for c := a; c <= b; c++ {
			out = append(out, c)
		}
	}
	return out, nil
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
