package sandbox

import (
	"encoding/binary"
	"fmt"

	seccomp "github.com/elastic/go-seccomp-bpf"
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// deniedSyscalls fail with EPERM inside the sandbox. The policy is a
// deny-list on purpose: allow-lists break language runtimes across kernel
// and library versions (code_contests #12, #31), while everything listed
// here is useless to a judged program and dangerous to the host.
var deniedSyscalls = []string{
	// Mounts and namespaces.
	"mount", "umount2", "pivot_root", "chroot", "open_tree", "move_mount",
	"fsopen", "fsconfig", "fsmount", "fspick", "mount_setattr", "unshare", "setns",
	// Looking into or controlling other processes.
	"ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "pidfd_getfd",
	"perf_event_open", "bpf", "userfaultfd",
	// io_uring sidesteps seccomp for the operations it performs.
	"io_uring_setup", "io_uring_enter", "io_uring_register",
	// Kernel keyrings.
	"add_key", "request_key", "keyctl",
	// Kernel modules, kexec, power, swap, accounting, logs.
	"init_module", "finit_module", "delete_module", "kexec_load", "kexec_file_load",
	"reboot", "swapon", "swapoff", "acct", "syslog", "vhangup", "quotactl", "quotactl_fd",
	// Clocks.
	"settimeofday", "clock_settime", "clock_adjtime", "adjtimex",
	// File handles bypass path-based checks.
	"open_by_handle_at", "name_to_handle_at",
	// Raw hardware access and legacy oddities.
	"iopl", "ioperm", "modify_ldt", "uselib", "lookup_dcookie", "fanotify_init",
}

// cloneNamespaceFlags are the clone(2) flags that create namespaces.
// CLONE_NEWTIME is left out: for clone(2) that bit lies in the exit-signal
// byte, and clone3 is refused anyway.
const cloneNamespaceFlags = unix.CLONE_NEWNS | unix.CLONE_NEWCGROUP | unix.CLONE_NEWUTS |
	unix.CLONE_NEWIPC | unix.CLONE_NEWUSER | unix.CLONE_NEWPID | unix.CLONE_NEWNET

// seccompFilter assembles the run-time filter and returns it as raw
// sock_filter bytes, ready for prctl(PR_SET_SECCOMP) in the zygote's child.
func seccompFilter() ([]byte, error) {
	policy := seccomp.Policy{
		DefaultAction: seccomp.ActionAllow,
		Syscalls: []seccomp.SyscallGroup{
			{Names: deniedSyscalls, Action: seccomp.ActionErrno},
			{
				NamesWithCondtions: []seccomp.NameWithConditions{{
					Name: "clone",
					Conditions: seccomp.ArgumentConditions{{
						Argument: 0, Operation: seccomp.BitsSet, Value: cloneNamespaceFlags,
					}},
				}},
				Action: seccomp.ActionErrno,
			},
			// clone3 passes its flags in memory, which seccomp cannot
			// inspect; ENOSYS makes glibc fall back to clone(2).
			{Names: []string{"clone3"}, Action: seccomp.ActionErrno | seccomp.Action(unix.ENOSYS)},
			// personality(2) only for querying and the default persona
			// (Python calls personality(0xffffffff) on some paths).
			{
				NamesWithCondtions: []seccomp.NameWithConditions{{
					Name: "personality",
					Conditions: seccomp.ArgumentConditions{
						{Argument: 0, Operation: seccomp.NotEqual, Value: 0},
						{Argument: 0, Operation: seccomp.NotEqual, Value: 0xffffffff},
					},
				}},
				Action: seccomp.ActionErrno,
			},
		},
	}
	insns, err := policy.Assemble()
	if err != nil {
		return nil, fmt.Errorf("assemble seccomp policy: %w", err)
	}
	raw, err := bpf.Assemble(insns)
	if err != nil {
		return nil, fmt.Errorf("assemble seccomp bpf: %w", err)
	}
	out := make([]byte, 0, 8*len(raw))
	for _, in := range raw {
		out = binary.LittleEndian.AppendUint16(out, in.Op)
		out = append(out, in.Jt, in.Jf)
		out = binary.LittleEndian.AppendUint32(out, in.K)
	}
	return out, nil
}
