package sandbox

import "golang.org/x/sys/unix"

// nativeAudit is the AUDIT_ARCH value of the native system call entry.
const nativeAudit = unix.AUDIT_ARCH_X86_64

// lowWord is the offset of the low 32 bits of a 64-bit argument in
// struct seccomp_data (little-endian).
const lowWord = 0

// archDeniedSyscalls exist only on x86-64: raw port I/O, the local
// descriptor table, and uselib.
var archDeniedSyscalls = []uint32{unix.SYS_IOPL, unix.SYS_IOPERM, unix.SYS_MODIFY_LDT, unix.SYS_USELIB}
