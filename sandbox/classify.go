package sandbox

import (
	"fmt"
	"syscall"
	"time"

	"github.com/rlef/rlef/verdict"
)

// classify turns a slot's raw outcome into a Result. The order matters:
// a program killed for time is a time-limit verdict whatever else it did;
// the memory verdict comes from the cgroup OOM counter (or Python's own
// MemoryError), never from guessing at a signal.
func classify(out *outcome, lim Limits) (*Result, error) {
	ev := &out.ev
	if ev.SetupError != "" {
		return nil, fmt.Errorf("sandbox setup failed: %s", ev.SetupError)
	}
	if ev.ExecError != "" {
		return nil, fmt.Errorf("sandbox could not start the program: %s", ev.ExecError)
	}
	ws := syscall.WaitStatus(ev.Wstatus)
	cpu := time.Duration((ev.Utime + ev.Stime - ev.PreCPU) * float64(time.Second))
	if cpu < 0 {
		cpu = 0
	}
	r := &Result{
		Stdout:          out.stdout,
		Stderr:          out.stderr,
		StdoutTruncated: out.outTrunc[0],
		StderrTruncated: out.outTrunc[1],
		CPUTime:         cpu,
		WallTime:        out.wall,
		Memory:          out.memPeak,
		Files:           out.files,
	}
	switch {
	case ws.Exited():
		r.ExitCode = ws.ExitStatus()
	case ws.Signaled():
		r.Signal = int(ws.Signal())
		r.ExitCode = -r.Signal
	}
	sig := ws.Signaled()
	memHit := out.oomKilled || ev.MemoryError
	if !out.haveCgroup && out.memPeak > lim.Memory {
		// No cgroup: the address-space rlimit (set with headroom for the
		// interpreter's mappings) is only a backstop, so the verdict
		// compares peak RSS with the limit.
		memHit = true
	}
	switch {
	case out.timedOut:
		r.Status = verdict.TimeLimit
		r.Message = fmt.Sprintf("wall-clock limit of %s exceeded", lim.WallTime)
	case cpu >= lim.cpu() || (sig && ws.Signal() == syscall.SIGXCPU):
		r.Status = verdict.TimeLimit
		r.Message = fmt.Sprintf("CPU-time limit of %s exceeded", lim.cpu())
	case memHit:
		r.Status = verdict.MemoryLimit
		r.Message = fmt.Sprintf("memory limit of %s exceeded", FormatBytes(lim.Memory))
	case r.StdoutTruncated || r.StderrTruncated || (sig && ws.Signal() == syscall.SIGXFSZ):
		r.Status = verdict.OutputLimit
		r.Message = fmt.Sprintf("output limit of %s exceeded", FormatBytes(lim.Output))
	case sig:
		r.Status = verdict.RuntimeError
		r.Message = fmt.Sprintf("killed by signal %d (%s)", r.Signal, ws.Signal())
	case r.ExitCode != 0:
		r.Status = verdict.RuntimeError
		r.Message = fmt.Sprintf("exit code %d", r.ExitCode)
	default:
		r.Status = verdict.OK
	}
	return r, nil
}
