package sandbox

import (
	"encoding/binary"
	"testing"

	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

// seccompCall is a system call as the filter sees it.
type seccompCall struct {
	name string
	arch uint32
	nr   uint32
	arg0 uint32
	want uint32
}

// runFilter evaluates the exact bytes the sandbox init installs on one
// call. The kernel reads struct seccomp_data in native byte order; the
// Go BPF machine reads words big-endian, so the words are laid out
// big-endian here to make it read the same values.
func runFilter(t *testing.T, filter []byte, c seccompCall) uint32 {
	t.Helper()
	raw := make([]bpf.RawInstruction, len(filter)/8)
	for i := range raw {
		b := filter[8*i:]
		raw[i] = bpf.RawInstruction{Op: binary.NativeEndian.Uint16(b), Jt: b[2], Jf: b[3], K: binary.NativeEndian.Uint32(b[4:])}
	}
	insns, ok := bpf.Disassemble(raw)
	if !ok {
		t.Fatalf("the installed filter does not disassemble")
	}
	vm, err := bpf.NewVM(insns)
	if err != nil {
		t.Fatalf("filter rejected by the BPF machine: %v", err)
	}
	data := make([]byte, 64)
	binary.BigEndian.PutUint32(data[seccompNrOffset:], c.nr)
	binary.BigEndian.PutUint32(data[seccompArchOffset:], c.arch)
	binary.BigEndian.PutUint32(data[seccompArgsOffset+lowWord:], c.arg0)
	ret, err := vm.Run(data)
	if err != nil {
		t.Fatalf("%s: %v", c.name, err)
	}
	return uint32(ret)
}

// TestSeccompFilterEveryArchitecture evaluates the installed filter for
// calls through every entry a process could use. This kernel disables the
// i386 entry (int 0x80), which would hide a filter that lets it through;
// stock kernels enable it. A call through any entry but the native one
// must kill the process, whatever its number.
func TestSeccompFilterEveryArchitecture(t *testing.T) {
	filter, err := seccompFilter()
	if err != nil {
		t.Fatal(err)
	}
	foreign := []uint32{unix.AUDIT_ARCH_I386, unix.AUDIT_ARCH_ARM, unix.AUDIT_ARCH_X86_64, unix.AUDIT_ARCH_AARCH64,
		unix.AUDIT_ARCH_MIPS, unix.AUDIT_ARCH_PPC64LE, unix.AUDIT_ARCH_S390X, unix.AUDIT_ARCH_RISCV64, 0}
	for _, arch := range foreign {
		if arch == nativeAudit {
			continue
		}
		// 0 (read on x86-64), 11 (execve on i386), 21 (mount on i386),
		// 165 (mount on x86-64), and any other number.
		for _, nr := range []uint32{0, 1, 11, 21, 26, 165, 0xffff} {
			if got := runFilter(t, filter, seccompCall{arch: arch, nr: nr}); got != retKill {
				t.Errorf("arch %#x call %d: filter returns %#x, want kill", arch, nr, got)
			}
		}
	}
	calls := []seccompCall{
		{"read", nativeAudit, unix.SYS_READ, 0, retAllow},
		{"write", nativeAudit, unix.SYS_WRITE, 0, retAllow},
		{"execve", nativeAudit, unix.SYS_EXECVE, 0, retAllow},
		{"mount", nativeAudit, unix.SYS_MOUNT, 0, retEPERM},
		{"unshare", nativeAudit, unix.SYS_UNSHARE, 0, retEPERM},
		{"ptrace", nativeAudit, unix.SYS_PTRACE, 0, retEPERM},
		{"io_uring_setup", nativeAudit, unix.SYS_IO_URING_SETUP, 0, retEPERM},
		{"shmget", nativeAudit, unix.SYS_SHMGET, 0, retEPERM},
		{"semget", nativeAudit, unix.SYS_SEMGET, 0, retEPERM},
		{"msgget", nativeAudit, unix.SYS_MSGGET, 0, retEPERM},
		{"clone (thread)", nativeAudit, unix.SYS_CLONE, unix.CLONE_VM | unix.CLONE_THREAD, retAllow},
		{"clone (new user namespace)", nativeAudit, unix.SYS_CLONE, unix.CLONE_NEWUSER, retEPERM},
		{"clone (new pid namespace)", nativeAudit, unix.SYS_CLONE, unix.CLONE_NEWPID | 17, retEPERM},
		{"clone3", nativeAudit, unix.SYS_CLONE3, 0, retNoSys},
		{"personality query", nativeAudit, unix.SYS_PERSONALITY, 0xffffffff, retAllow},
		{"personality default", nativeAudit, unix.SYS_PERSONALITY, 0, retAllow},
		{"personality read-implies-exec", nativeAudit, unix.SYS_PERSONALITY, 0x0400000, retEPERM},
	}
	if nativeAudit == unix.AUDIT_ARCH_X86_64 {
		calls = append(calls,
			seccompCall{"x32 read", nativeAudit, x32SyscallBit | unix.SYS_READ, 0, retKill},
			seccompCall{"x32 mount", nativeAudit, x32SyscallBit | unix.SYS_MOUNT, 0, retKill},
		)
	}
	for _, nr := range archDeniedSyscalls {
		calls = append(calls, seccompCall{"architecture-specific", nativeAudit, nr, 0, retEPERM})
	}
	for _, c := range calls {
		if got := runFilter(t, filter, c); got != c.want {
			t.Errorf("%s: filter returns %#x, want %#x", c.name, got, c.want)
		}
	}
}
