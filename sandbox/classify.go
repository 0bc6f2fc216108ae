package sandbox

import (
	"bytes"
	"fmt"
	"syscall"

	"github.com/rlef/rlef/verdict"
)

// classify turns a slot's raw outcome into a Result. It reads only what
// the supervisor observed from outside the program: the wait4 status, the
// run cgroup's CPU time, OOM kills and peak memory, the supervisor's own
// clocks, and the bytes on stdout and stderr. The order matters: a program
// killed for time is a time-limit verdict whatever else it did; the memory
// verdict comes from the cgroup OOM counter (or Python's MemoryError
// traceback on stderr), never from guessing at a signal.
//
// A failure of the sandbox's own code before the program ran is an
// InfraError; everything after is a verdict about the program.
func classify(out *outcome, lim Limits, lang Language) (*Result, error) {
	ev := &out.ev
	switch {
	case ev.SetupError != "":
		return nil, &InfraError{Err: fmt.Errorf("sandbox setup failed: %s", ev.SetupError)}
	case ev.ExecError != "":
		return nil, &InfraError{Err: fmt.Errorf("sandbox could not start the program: %s", ev.ExecError)}
	case !ev.Started && !out.timedOut && !out.oomKilled:
		return nil, &InfraError{Err: fmt.Errorf("the sandbox's process died before the program started")}
	case len(ev.Procs) == 0:
		return nil, &InfraError{Err: fmt.Errorf("%w: exit event without a process", errSlotProtocol)}
	}
	r := &Result{
		Stdout:          out.stdout,
		Stderr:          out.stderr,
		StdoutTruncated: out.outTrunc[0],
		StderrTruncated: out.outTrunc[1],
		CPUTime:         out.cpu,
		WallTime:        out.wall,
		Memory:          out.memPeak,
		Files:           out.files,
	}
	ws := syscall.WaitStatus(ev.Procs[0].Wstatus)
	switch {
	case ws.Exited():
		r.ExitCode = ws.ExitStatus()
	case ws.Signaled():
		r.Signal = int(ws.Signal())
		r.ExitCode = -r.Signal
	}
	r.Status, r.Message = status(out, lim, lang, ws, r)
	return r, nil
}

// status decides the verdict of a run.
func status(out *outcome, lim Limits, lang Language, ws syscall.WaitStatus, r *Result) (verdict.Verdict, string) {
	sig := ws.Signaled()
	memHit := out.oomKilled || (lang == Python && r.ExitCode == 1 && endsWithMemoryError(r.Stderr))
	if !out.haveCgroup && out.memPeak > lim.Memory {
		// No cgroup: the address-space rlimit (set with headroom for the
		// interpreter's mappings) is only a backstop, so the verdict
		// compares peak RSS with the limit.
		memHit = true
	}
	switch {
	case out.timedOut && r.CPUTime >= lim.cpu():
		return verdict.TimeLimit, fmt.Sprintf("CPU-time limit of %s exceeded", lim.cpu())
	case out.timedOut:
		return verdict.TimeLimit, fmt.Sprintf("wall-clock limit of %s exceeded", lim.WallTime)
	case r.CPUTime >= lim.cpu() || (sig && ws.Signal() == syscall.SIGXCPU):
		return verdict.TimeLimit, fmt.Sprintf("CPU-time limit of %s exceeded", lim.cpu())
	case memHit:
		return verdict.MemoryLimit, fmt.Sprintf("memory limit of %s exceeded", FormatBytes(lim.Memory))
	case r.StdoutTruncated || r.StderrTruncated || (sig && ws.Signal() == syscall.SIGXFSZ):
		return verdict.OutputLimit, fmt.Sprintf("output limit of %s exceeded", FormatBytes(lim.Output))
	case sig:
		return verdict.RuntimeError, fmt.Sprintf("killed by signal %d (%s)", r.Signal, ws.Signal())
	case r.ExitCode != 0:
		return verdict.RuntimeError, fmt.Sprintf("exit code %d", r.ExitCode)
	}
	return verdict.OK, ""
}

// endsWithMemoryError reports whether a Python traceback on stderr ends
// with MemoryError: the interpreter's own report of an allocation that
// failed under the memory limit.
func endsWithMemoryError(stderr []byte) bool {
	tail := bytes.TrimRight(stderr, "\n")
	if i := bytes.LastIndexByte(tail, '\n'); i >= 0 {
		tail = tail[i+1:]
	}
	return bytes.Equal(tail, []byte("MemoryError")) || bytes.HasPrefix(tail, []byte("MemoryError:"))
}
