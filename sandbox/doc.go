// Package sandbox runs untrusted Python 3 and C++17 programs in isolation,
// with limits, fast.
//
// A Pool keeps a fixed number of long-lived slots. Each slot is a Python
// "zygote" process started once in its own user, mount, PID, network, IPC
// and UTS namespaces, with a read-only view of the system (/usr, /lib, ...)
// and private tmpfs directories /w (the work directory) and /tmp. For every
// run the zygote forks a spare child ahead of time; the spare enters a fresh
// PID namespace (so the whole process tree dies with it), joins the run's
// memory cgroup, and waits. When a request arrives it sets rlimits, drops to
// an unprivileged uid with no capabilities, sets no_new_privs, installs a
// seccomp filter and runs the program: Python code directly in the
// pre-imported interpreter, anything else (a compiled C++ binary, the
// compiler itself) by exec. The supervisor enforces the wall-clock limit
// from outside, so nothing the program does to itself can stop the clock.
//
// Memory is limited and measured with cgroups (v1 or v2); the memory
// verdict comes from the cgroup OOM counter. Where no cgroup can be used,
// rlimits are the fallback. Compiled programs are cached by content, and
// compiler failures are cached too.
//
// The pool refuses to start without isolation unless Config.UnsafeNoIsolation
// is set.
package sandbox
