package sandbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The sandbox init.
//
// A slot starts as rlef itself, executed again (/proc/self/exe) in fresh
// namespaces with RLEF_SANDBOX_INIT=slot in its environment, the way
// go-sandbox and runc start containers. Package initialisation notices the
// variable and runs containerInit instead of the program: it reads its
// instructions from the control socket, joins the slot's cgroups, enters a
// cgroup namespace, builds the slot's root file system and pivots into it,
// drops every privilege, installs the seccomp filter, leaves exactly the
// descriptors the zygote needs, and executes the Python zygote. Each step
// is one function below, called in order; a failing step is reported on
// the control socket.
//
// Everything here runs on one locked OS thread, which is the thread that
// finally calls execve: per-thread state (capabilities, securebits,
// no_new_privs, the seccomp filter, the mount namespace) is set on it.

const initEnv = "RLEF_SANDBOX_INIT"

// Values of initEnv.
const (
	initSlot      = "slot"
	initPCHHolder = "pch-holder"
)

func init() {
	switch os.Getenv(initEnv) {
	case "":
		return
	case initSlot:
		runtime.LockOSThread()
		err := containerInit()
		reportInitFailure(err)
		os.Exit(111)
	case initPCHHolder:
		runtime.LockOSThread()
		err := holdPCH()
		fmt.Fprintln(os.Stderr, "rlef pch holder:", err)
		os.Exit(111)
	}
}

// Descriptors of the sandbox init, in order of exec.Cmd.ExtraFiles.
const (
	initCtrlFD = 3 // the control socket (SOCK_SEQPACKET)
)

// initConfig is the sandbox init's instructions: the first message on the
// control socket.
type initConfig struct {
	// Root describes the slot's file system; nil means none is built (the
	// --unsafe-no-isolation mode).
	Root *rootSpec `json:"root,omitempty"`
	// CgroupNS enters a new cgroup namespace after joining the slot's
	// cgroups.
	CgroupNS bool `json:"cgroup_ns"`
	// RunUID and RunGID are the ids everything in the slot runs as; -1
	// keeps the current ones.
	RunUID int `json:"run_uid"`
	RunGID int `json:"run_gid"`
	// DropCaps removes every capability for good (securebits included),
	// which matters where the slot stays uid 0 (user namespace mode).
	DropCaps bool `json:"drop_caps"`
	// Seccomp is the filter (raw sock_filter array).
	Seccomp []byte `json:"seccomp"`
	// SlotJoin are descriptors of cgroup.procs files to write "0" to.
	SlotJoin []int `json:"slot_join"`
	// Keep maps the zygote's descriptor numbers to the init's: exactly
	// these survive the exec.
	Keep map[int]int `json:"keep"`
	// Argv and Env are the zygote's.
	Argv []string `json:"argv"`
	Env  []string `json:"env"`
}

// rootSpec describes a slot's root file system.
type rootSpec struct {
	// Dir is the host directory the new root is mounted on.
	Dir   string            `json:"dir"`
	Binds []bindMount       `json:"binds"`
	Files map[string]string `json:"files"`
	// Scratch are the per-run writable directories (/w, /tmp, /mnt).
	Scratch []scratchDir `json:"scratch"`
	// PCHNamespace is the descriptor of the precompiled-header holder's
	// mount namespace, and PCHDir the directory in it that holds the
	// header; -1 when there is none.
	PCHNamespace int    `json:"pch_ns"`
	PCHDir       string `json:"pch_dir,omitempty"`
}

// scratchDir is a private tmpfs for one of the per-run directories.
type scratchDir struct {
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	Inodes int    `json:"inodes"`
	Mode   uint32 `json:"mode"`
	// Owner owns the directory (uid and gid); -1 leaves it to the init.
	Owner int `json:"owner"`
}

// initFailure is what a failed init reports on the control socket.
type initFailure struct {
	Ev    string `json:"ev"`
	Error string `json:"error"`
}

func reportInitFailure(err error) {
	msg, _ := json.Marshal(initFailure{Ev: "fatal", Error: "sandbox init: " + err.Error()})
	_ = unix.Sendmsg(initCtrlFD, msg, nil, nil, 0)
}

func containerInit() error {
	cfg, err := readInitConfig()
	if err != nil {
		return err
	}
	if err := joinCgroups(cfg.SlotJoin); err != nil {
		return err
	}
	if cfg.CgroupNS {
		if err := unix.Unshare(unix.CLONE_NEWCGROUP); err != nil {
			return fmt.Errorf("enter a cgroup namespace: %w", err)
		}
	}
	if cfg.Root != nil {
		if err := buildRoot(cfg.Root); err != nil {
			return err
		}
		if err := unix.Sethostname([]byte("rlef")); err != nil {
			return fmt.Errorf("sethostname: %w", err)
		}
	}
	if err := dropPrivileges(cfg); err != nil {
		return err
	}
	if err := keepDescriptors(cfg.Keep); err != nil {
		return err
	}
	if err := restrict(cfg.Seccomp); err != nil {
		return err
	}
	err = unix.Exec(cfg.Argv[0], cfg.Argv, cfg.Env)
	return fmt.Errorf("execute the zygote %s: %w", cfg.Argv[0], err)
}

func readInitConfig() (*initConfig, error) {
	buf := make([]byte, 1<<20)
	n, _, _, _, err := unix.Recvmsg(initCtrlFD, buf, nil, 0)
	if err != nil {
		return nil, fmt.Errorf("read instructions: %w", err)
	}
	var cfg initConfig
	if err := json.Unmarshal(buf[:n], &cfg); err != nil {
		return nil, fmt.Errorf("decode instructions: %w", err)
	}
	if len(cfg.Argv) == 0 {
		return nil, errors.New("no zygote command")
	}
	return &cfg, nil
}

// joinCgroups moves the init (and so the zygote and everything it starts)
// into the slot's cgroups, before the cgroup namespace is entered, so
// that the namespace is rooted there.
func joinCgroups(fds []int) error {
	for _, fd := range fds {
		if _, err := unix.Write(fd, []byte("0")); err != nil {
			return fmt.Errorf("join slot cgroup: %w", err)
		}
		unix.Close(fd)
	}
	return nil
}

// buildRoot builds the slot's file system view and pivots into it.
func buildRoot(spec *rootSpec) error {
	if spec.PCHNamespace >= 0 {
		if err := enterPCHNamespace(spec.PCHNamespace); err != nil {
			return err
		}
	}
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		return fmt.Errorf("make mounts private: %w", err)
	}
	root := spec.Dir
	if err := unix.Mount("rlef", root, "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, "size=4m,nr_inodes=4096,mode=0755"); err != nil {
		return fmt.Errorf("mount the root tmpfs: %w", err)
	}
	steps := []func() error{
		func() error { return bindAll(root, spec.Binds) },
		func() error { return writeRootFiles(root, spec.Files) },
		func() error { return makeDev(root) },
		func() error { return mountProc(root) },
		func() error { return bindPCH(root, spec) },
		func() error { return mountScratch(root, spec.Scratch) },
		func() error { return pivot(root) },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

// enterPCHNamespace moves this thread into a private copy of the holder's
// mount namespace, where the precompiled header sits on a tmpfs of its
// own: bound from there, it shows no host path in /proc/self/mountinfo.
func enterPCHNamespace(fd int) error {
	if err := unix.Unshare(unix.CLONE_FS); err != nil {
		return fmt.Errorf("unshare fs: %w", err)
	}
	if err := unix.Setns(fd, unix.CLONE_NEWNS); err != nil {
		return fmt.Errorf("enter the header's mount namespace: %w", err)
	}
	unix.Close(fd)
	if err := unix.Unshare(unix.CLONE_NEWNS); err != nil {
		return fmt.Errorf("new mount namespace: %w", err)
	}
	return nil
}

func bindAll(root string, binds []bindMount) error {
	for _, b := range binds {
		dst := root + b.Dst
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		fi, err := os.Lstat(b.Src)
		if err != nil {
			return fmt.Errorf("bind %s: %w", b.Src, err)
		}
		if fi.Mode()&os.ModeSymlink != 0 && !b.Follow {
			target, err := os.Readlink(b.Src)
			if err != nil {
				return err
			}
			if err := os.Symlink(target, dst); err != nil {
				return err
			}
			continue
		}
		if err := bindOne(b.Src, dst, !b.RW); err != nil {
			return err
		}
	}
	return nil
}

// bindOne bind-mounts src on dst (creating the mount point), read-only
// unless rw.
func bindOne(src, dst string, readOnly bool) error {
	st, err := os.Stat(src)
	if err != nil {
		return fmt.Errorf("bind %s: %w", src, err)
	}
	if st.IsDir() {
		err = os.MkdirAll(dst, 0o755)
	} else {
		var f *os.File
		if f, err = os.OpenFile(dst, os.O_CREATE|os.O_WRONLY, 0o644); err == nil {
			err = f.Close()
		}
	}
	if err != nil {
		return fmt.Errorf("mount point %s: %w", dst, err)
	}
	if err := unix.Mount(src, dst, "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
		return fmt.Errorf("bind %s: %w", src, err)
	}
	if readOnly {
		return makeReadOnly(dst)
	}
	return nil
}

// makeReadOnly makes a mount read-only, nosuid and nodev, recursively;
// older kernels get a remount of the top mount.
func makeReadOnly(target string) error {
	attr := unix.MountAttr{Attr_set: unix.MOUNT_ATTR_RDONLY | unix.MOUNT_ATTR_NOSUID | unix.MOUNT_ATTR_NODEV}
	if err := unix.MountSetattr(unix.AT_FDCWD, target, unix.AT_RECURSIVE, &attr); err == nil {
		return nil
	}
	flags := uintptr(unix.MS_REMOUNT | unix.MS_BIND | unix.MS_RDONLY | unix.MS_NOSUID | unix.MS_NODEV)
	if err := unix.Mount("", target, "", flags, ""); err != nil {
		return fmt.Errorf("make %s read-only: %w", target, err)
	}
	return nil
}

func writeRootFiles(root string, files map[string]string) error {
	for name, content := range files {
		p := root + name
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// makeDev builds a minimal /dev: the harmless character devices, bound
// from the host, and the usual links.
func makeDev(root string) error {
	dev := root + "/dev"
	if err := os.MkdirAll(dev, 0o755); err != nil {
		return err
	}
	for _, name := range []string{"null", "zero", "full", "random", "urandom"} {
		if err := bindOne("/dev/"+name, dev+"/"+name, false); err != nil {
			return err
		}
	}
	links := [][2]string{{"fd", "/proc/self/fd"}, {"stdin", "/proc/self/fd/0"}, {"stdout", "/proc/self/fd/1"},
		{"stderr", "/proc/self/fd/2"}, {"shm", "/tmp"}}
	for _, l := range links {
		if err := os.Symlink(l[1], dev+"/"+l[0]); err != nil {
			return err
		}
	}
	return nil
}

// mountProc mounts the slot's own procfs, which shows only the slot's
// processes, and of those only the ones of the same user.
func mountProc(root string) error {
	p := root + "/proc"
	if err := os.MkdirAll(p, 0o755); err != nil {
		return err
	}
	flags := uintptr(unix.MS_NOSUID | unix.MS_NODEV | unix.MS_NOEXEC)
	if err := unix.Mount("proc", p, "proc", flags, "hidepid=invisible"); err != nil {
		if err := unix.Mount("proc", p, "proc", flags, "hidepid=2"); err != nil {
			return fmt.Errorf("mount proc: %w", err)
		}
	}
	return nil
}

// bindPCH makes the precompiled header visible at pchMount.
func bindPCH(root string, spec *rootSpec) error {
	if spec.PCHNamespace < 0 {
		return nil
	}
	return bindOne(spec.PCHDir, root+pchMount, true)
}

func mountScratch(root string, dirs []scratchDir) error {
	for _, d := range dirs {
		p := root + d.Path
		if err := os.MkdirAll(p, 0o755); err != nil {
			return err
		}
		opts := fmt.Sprintf("size=%d,nr_inodes=%d,mode=%04o", d.Size, d.Inodes, d.Mode)
		if d.Owner >= 0 {
			opts += fmt.Sprintf(",uid=%d,gid=%d", d.Owner, d.Owner)
		}
		if err := unix.Mount("rlef", p, "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, opts); err != nil {
			return fmt.Errorf("mount %s: %w", d.Path, err)
		}
	}
	return nil
}

// pivot makes root the root directory and detaches the host's.
func pivot(root string) error {
	if err := unix.Chdir(root); err != nil {
		return err
	}
	if err := unix.PivotRoot(".", "."); err != nil {
		return fmt.Errorf("pivot_root: %w", err)
	}
	if err := unix.Unmount(".", unix.MNT_DETACH); err != nil {
		return fmt.Errorf("detach the host root: %w", err)
	}
	if err := unix.Chdir("/"); err != nil {
		return err
	}
	flags := uintptr(unix.MS_REMOUNT | unix.MS_BIND | unix.MS_RDONLY | unix.MS_NOSUID | unix.MS_NODEV)
	if err := unix.Mount("", "/", "", flags, ""); err != nil {
		return fmt.Errorf("make the root read-only: %w", err)
	}
	return nil
}

// Securebits: SECBIT_NOROOT, SECBIT_NO_SETUID_FIXUP and SECBIT_KEEP_CAPS
// locked, with their lock bits: uid 0 gains no capabilities at exec (user
// namespace mode, where the slot stays uid 0 of its namespace), for good.
const securebitsNoRoot = 0x01 | 0x02 | 0x04 | 0x08 | 0x20

// dropPrivileges leaves the thread without any privilege: no capability
// in any set (the bounding set emptied while it still can be), the slot's
// unprivileged ids, no supplementary groups.
func dropPrivileges(cfg *initConfig) error {
	if cfg.DropCaps {
		for c := 0; c <= lastCap(); c++ {
			if err := unix.Prctl(unix.PR_CAPBSET_DROP, uintptr(c), 0, 0, 0); err != nil && !errors.Is(err, unix.EINVAL) {
				return fmt.Errorf("drop capability %d from the bounding set: %w", c, err)
			}
		}
		if err := unix.Prctl(unix.PR_SET_SECUREBITS, securebitsNoRoot, 0, 0, 0); err != nil {
			return fmt.Errorf("securebits: %w", err)
		}
	}
	if cfg.RunUID >= 0 {
		// This thread's credentials only (golang.org/x/sys/unix makes the
		// raw system calls; package syscall would change every thread of
		// the runtime, one signal each): it is the thread that executes
		// the zygote, and the exec ends every other.
		if err := unix.Setgroups(nil); err != nil {
			return fmt.Errorf("setgroups: %w", err)
		}
		if err := unix.Setresgid(cfg.RunGID, cfg.RunGID, cfg.RunGID); err != nil {
			return fmt.Errorf("setresgid %d: %w", cfg.RunGID, err)
		}
		if err := unix.Setresuid(cfg.RunUID, cfg.RunUID, cfg.RunUID); err != nil {
			return fmt.Errorf("setresuid %d: %w", cfg.RunUID, err)
		}
	}
	if cfg.DropCaps {
		hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
		var data [2]unix.CapUserData
		if _, _, e := unix.RawSyscall(unix.SYS_CAPSET, uintptr(unsafe.Pointer(&hdr)), uintptr(unsafe.Pointer(&data[0])), 0); e != 0 {
			return fmt.Errorf("capset: %w", e)
		}
		if err := unix.Prctl(unix.PR_CAP_AMBIENT, unix.PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0); err != nil && !errors.Is(err, unix.EINVAL) {
			return fmt.Errorf("clear ambient capabilities: %w", err)
		}
	}
	return nil
}

// lastCap is the highest capability number the kernel knows.
func lastCap() int {
	b, err := os.ReadFile("/proc/sys/kernel/cap_last_cap")
	if err != nil {
		return 63
	}
	var n int
	if _, err := fmt.Sscanf(strings.TrimSpace(string(b)), "%d", &n); err != nil {
		return 63
	}
	return n
}

// keepDescriptors arranges the zygote's descriptors (zygote number ->
// init number) and marks every other descriptor close-on-exec, so that
// nothing but what the zygote needs crosses the exec.
func keepDescriptors(keep map[int]int) error {
	const scratch = 1000
	moved := map[int]int{}
	for dst, src := range keep {
		fd, err := unix.FcntlInt(uintptr(src), unix.F_DUPFD_CLOEXEC, scratch)
		if err != nil {
			return fmt.Errorf("duplicate descriptor %d: %w", src, err)
		}
		moved[dst] = fd
	}
	for dst, fd := range moved {
		if err := unix.Dup3(fd, dst, 0); err != nil {
			return fmt.Errorf("place descriptor %d: %w", dst, err)
		}
	}
	// Everything else from 3 up is closed on exec: close_range over the
	// gaps between the kept descriptors.
	from := uint(3)
	for fd := uint(3); fd <= scratch; fd++ {
		if _, ok := keep[int(fd)]; ok || fd == scratch {
			if fd > from {
				if err := unix.CloseRange(from, fd-1, unix.CLOSE_RANGE_CLOEXEC); err != nil {
					return fmt.Errorf("close descriptors: %w", err)
				}
			}
			from = fd + 1
		}
	}
	return unix.CloseRange(scratch, ^uint(0), unix.CLOSE_RANGE_CLOEXEC)
}

// restrict sets no_new_privs and installs the seccomp filter on this
// thread; the exec that follows carries both into the zygote.
func restrict(filter []byte) error {
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		return fmt.Errorf("no_new_privs: %w", err)
	}
	if len(filter) == 0 {
		return errors.New("no seccomp filter")
	}
	prog := unix.SockFprog{Len: uint16(len(filter) / 8), Filter: (*unix.SockFilter)(unsafe.Pointer(&filter[0]))}
	if err := unix.Prctl(unix.PR_SET_SECCOMP, unix.SECCOMP_MODE_FILTER, uintptr(unsafe.Pointer(&prog)), 0, 0); err != nil {
		return fmt.Errorf("install seccomp filter: %w", err)
	}
	runtime.KeepAlive(filter)
	return nil
}

// holdPCH is the precompiled-header holder: a process in a mount
// namespace of its own where the header sits on a private tmpfs, so that
// slots can bind it without showing a host path. It copies the header
// (descriptor 3) to the tmpfs mounted on its first argument's directory,
// says so on descriptor 4, and lives until descriptor 5 (a pipe whose
// other end the pool holds) reaches end of file.
func holdPCH() error {
	dir := os.Getenv("RLEF_PCH_DIR")
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		return fmt.Errorf("make mounts private: %w", err)
	}
	if err := unix.Mount("rlef-pch", dir, "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, "mode=0755"); err != nil {
		return fmt.Errorf("mount the header tmpfs: %w", err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "bits"), 0o755); err != nil {
		return err
	}
	src := os.NewFile(3, "gch")
	dst, err := os.Create(filepath.Join(dir, "bits", "stdc++.h.gch"))
	if err != nil {
		return err
	}
	if _, err := dst.ReadFrom(src); err != nil {
		return fmt.Errorf("copy the header: %w", err)
	}
	if err := dst.Close(); err != nil {
		return err
	}
	if _, err := unix.Write(4, []byte("ok")); err != nil {
		return err
	}
	var b [1]byte
	for {
		n, err := unix.Read(5, b[:])
		if n == 0 || (err != nil && !errors.Is(err, unix.EINTR)) {
			os.Exit(0)
		}
	}
}
