package sandbox

import (
	"encoding/binary"
	"fmt"

	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// The seccomp filter every program runs under.
//
// The policy is a deny-list on purpose: allow-lists break language
// runtimes across kernel and library versions (code_contests #12, #31),
// while everything denied here is useless to a judged program and
// dangerous to the host or to the next run. Three rules come before the
// list and do not depend on it:
//
//   - a system call made through any entry but the native one (the i386
//     int 0x80 entry on x86-64, or 32-bit ARM on arm64) kills the process:
//     the numbers below mean nothing there;
//   - on x86-64, a system call with the x32 bit set kills the process;
//   - clone3 fails with ENOSYS, because its flags live in memory the
//     filter cannot read (glibc then falls back to clone).
//
// The filter is assembled here and installed by the sandbox init just
// before it executes the zygote; every process of a slot inherits it.

// seccompData offsets (struct seccomp_data).
const (
	seccompNrOffset   = 0
	seccompArchOffset = 4
	seccompArgsOffset = 16
)

// Filter return values.
const (
	retKill  = unix.SECCOMP_RET_KILL_PROCESS
	retAllow = unix.SECCOMP_RET_ALLOW
	retEPERM = unix.SECCOMP_RET_ERRNO | uint32(unix.EPERM)
	retNoSys = unix.SECCOMP_RET_ERRNO | uint32(unix.ENOSYS)
)

// x32SyscallBit marks x32 system calls on x86-64.
const x32SyscallBit = 0x40000000

// cloneNamespaceFlags are the clone(2) flags that create namespaces.
// CLONE_NEWTIME is left out: for clone(2) that bit lies in the exit-signal
// byte, and clone3 is refused anyway.
const cloneNamespaceFlags = unix.CLONE_NEWNS | unix.CLONE_NEWCGROUP | unix.CLONE_NEWUTS |
	unix.CLONE_NEWIPC | unix.CLONE_NEWUSER | unix.CLONE_NEWPID | unix.CLONE_NEWNET

// deniedSyscalls fail with EPERM on every architecture.
var deniedSyscalls = []uint32{
	// Mounts and namespaces.
	unix.SYS_MOUNT, unix.SYS_UMOUNT2, unix.SYS_PIVOT_ROOT, unix.SYS_CHROOT, unix.SYS_OPEN_TREE,
	unix.SYS_MOVE_MOUNT, unix.SYS_FSOPEN, unix.SYS_FSCONFIG, unix.SYS_FSMOUNT, unix.SYS_FSPICK,
	unix.SYS_MOUNT_SETATTR, unix.SYS_UNSHARE, unix.SYS_SETNS,
	// Looking into or controlling other processes.
	unix.SYS_PTRACE, unix.SYS_PROCESS_VM_READV, unix.SYS_PROCESS_VM_WRITEV, unix.SYS_KCMP,
	unix.SYS_PIDFD_GETFD, unix.SYS_PERF_EVENT_OPEN, unix.SYS_BPF, unix.SYS_USERFAULTFD,
	// io_uring sidesteps seccomp for the operations it performs.
	unix.SYS_IO_URING_SETUP, unix.SYS_IO_URING_ENTER, unix.SYS_IO_URING_REGISTER,
	// Kernel keyrings.
	unix.SYS_ADD_KEY, unix.SYS_REQUEST_KEY, unix.SYS_KEYCTL,
	// Kernel modules, kexec, power, swap, accounting, logs.
	unix.SYS_INIT_MODULE, unix.SYS_FINIT_MODULE, unix.SYS_DELETE_MODULE, unix.SYS_KEXEC_LOAD,
	unix.SYS_KEXEC_FILE_LOAD, unix.SYS_REBOOT, unix.SYS_SWAPON, unix.SYS_SWAPOFF, unix.SYS_ACCT,
	unix.SYS_SYSLOG, unix.SYS_VHANGUP, unix.SYS_QUOTACTL, unix.SYS_QUOTACTL_FD,
	// Clocks.
	unix.SYS_SETTIMEOFDAY, unix.SYS_CLOCK_SETTIME, unix.SYS_CLOCK_ADJTIME, unix.SYS_ADJTIMEX,
	// File handles bypass path-based checks.
	unix.SYS_OPEN_BY_HANDLE_AT, unix.SYS_NAME_TO_HANDLE_AT,
	// Legacy oddities.
	unix.SYS_LOOKUP_DCOOKIE, unix.SYS_FANOTIFY_INIT,
	// System V IPC objects outlive the process that makes them, so one
	// run could leave state (and charged memory) for the next. Nothing
	// is created; POSIX shared memory lives in /tmp and message queues
	// are limited to zero bytes.
	unix.SYS_SHMGET, unix.SYS_SEMGET, unix.SYS_MSGGET,
}

// seccompFilter assembles the filter for the native architecture and
// returns it as raw sock_filter bytes, ready for prctl(PR_SET_SECCOMP).
func seccompFilter() ([]byte, error) {
	raw, err := bpf.Assemble(seccompProgram(nativeAudit, append(append([]uint32{}, deniedSyscalls...), archDeniedSyscalls...)))
	if err != nil {
		return nil, fmt.Errorf("assemble seccomp filter: %w", err)
	}
	if len(raw) > unix.BPF_MAXINSNS {
		return nil, fmt.Errorf("seccomp filter has %d instructions, more than the kernel's %d", len(raw), unix.BPF_MAXINSNS)
	}
	out := make([]byte, 0, 8*len(raw))
	for _, in := range raw {
		out = binary.NativeEndian.AppendUint16(out, in.Op)
		out = append(out, in.Jt, in.Jf)
		out = binary.NativeEndian.AppendUint32(out, in.K)
	}
	return out, nil
}

// seccompProgram is the filter as instructions: architecture check,
// x32 check, the deny-list, then the calls with argument conditions.
func seccompProgram(arch uint32, denied []uint32) []bpf.Instruction {
	prog := []bpf.Instruction{
		bpf.LoadAbsolute{Off: seccompArchOffset, Size: 4},
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: arch, SkipTrue: 1},
		bpf.RetConstant{Val: retKill},
		bpf.LoadAbsolute{Off: seccompNrOffset, Size: 4},
		bpf.JumpIf{Cond: bpf.JumpGreaterOrEqual, Val: x32SyscallBit, SkipFalse: 1},
		bpf.RetConstant{Val: retKill},
	}
	// One comparison per denied number, each jumping to a shared EPERM at
	// the end of the list.
	n := len(denied)
	for i, nr := range denied {
		prog = append(prog, bpf.JumpIf{Cond: bpf.JumpEqual, Val: nr, SkipTrue: uint8(n - i)})
	}
	prog = append(prog, bpf.Jump{Skip: 1}, bpf.RetConstant{Val: retEPERM})
	prog = append(prog,
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: unix.SYS_CLONE3, SkipFalse: 1},
		bpf.RetConstant{Val: retNoSys},
		// clone: the flags are the first argument (its low word holds
		// every namespace flag).
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: unix.SYS_CLONE, SkipFalse: 4},
		bpf.LoadAbsolute{Off: seccompArgsOffset + lowWord, Size: 4},
		bpf.JumpIf{Cond: bpf.JumpBitsSet, Val: cloneNamespaceFlags, SkipFalse: 1},
		bpf.RetConstant{Val: retEPERM},
		bpf.RetConstant{Val: retAllow},
		// personality(2) only for querying (0xffffffff) and the default
		// persona (Python calls personality(0xffffffff) on some paths).
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: unix.SYS_PERSONALITY, SkipFalse: 5},
		bpf.LoadAbsolute{Off: seccompArgsOffset + lowWord, Size: 4},
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: 0, SkipTrue: 2},
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: 0xffffffff, SkipTrue: 1},
		bpf.RetConstant{Val: retEPERM},
		bpf.RetConstant{Val: retAllow},
		bpf.RetConstant{Val: retAllow},
	)
	return prog
}
