// Package sandbox runs untrusted Python 3 and C++17 programs in isolation,
// with limits, fast, and reports only what it observed from outside them.
//
// A Pool keeps a fixed number of long-lived slots. A slot starts as rlef
// itself, executed again in fresh mount, PID, network, IPC, UTS and cgroup
// namespaces (plus a user namespace when not root): the sandbox init
// (init_linux.go) joins the slot's cgroups, builds a root of read-only
// system directories, a synthetic /etc and /dev and private tmpfs /w, /tmp
// and /mnt, pivots into it, drops every privilege for good (an
// unprivileged uid that owns nothing on the host, no capabilities,
// no_new_privs), installs the seccomp filter (seccomp.go), keeps exactly
// the descriptors the zygote needs and executes it. The zygote (zygote.py),
// PID 1 of the slot, then only forks and runs programs: Python programs in
// a spare child forked and warmed ahead of time, native programs (compiled
// C++, the compiler) through a tiny static exec shim. After every request
// it kills and reaps whatever the run left behind and empties the per-run
// directories.
//
// The trust boundary. A result is computed only from what the supervisor
// observes from outside the program: the wait4 status, the run cgroup's
// CPU time, peak memory and OOM kills, the supervisor's own clocks, and
// the bytes the program wrote to stdout and stderr (memfds the supervisor
// owns) or, in a Session, sent on its socket. Nothing else the program
// writes is read as a result; it holds descriptors 0, 1 and 2 and nothing
// else. Limits are enforced from outside over its whole process tree: the
// wall clock and the CPU time (read from the cgroup) by the supervisor,
// memory and processes by the cgroup. What a program can cause is a
// verdict about the program; only a failure of the sandbox's own code
// before the program ran is an InfraError. No state crosses runs: the
// per-run directories are emptied, System V IPC objects cannot be made,
// and every process is killed.
//
// Three kinds of request: Run (one program, one input), Batch (one
// program, many inputs, a fresh process each, on one slot) and a Session
// (long-lived Python processes that exchange framed messages with the
// supervisor, each exchange under its own limits). The supervisor–zygote
// protocol is described in protocol.go.
//
// Compiled programs are cached by content, in memory and on disk, both
// bounded; failed compilations are cached and counted too.
//
// The pool refuses to start without isolation unless Config.UnsafeNoIsolation
// is set.
package sandbox
