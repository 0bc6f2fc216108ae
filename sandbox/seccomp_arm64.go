package sandbox

import "golang.org/x/sys/unix"

// nativeAudit is the AUDIT_ARCH value of the native system call entry.
const nativeAudit = unix.AUDIT_ARCH_AARCH64

// lowWord is the offset of the low 32 bits of a 64-bit argument in
// struct seccomp_data (little-endian).
const lowWord = 0

// archDeniedSyscalls: arm64 has no calls beyond the common list worth
// denying.
var archDeniedSyscalls []uint32
