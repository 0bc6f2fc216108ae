package sandbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// The supervisor–zygote protocol.
//
// One SOCK_SEQPACKET control socket joins the supervisor (Go) and a slot;
// descriptors travel with messages as SCM_RIGHTS. The zygote's events and
// the supervisor's control messages are JSON objects; run requests are
// binary (request.go), parsed once by whoever runs them.
//
//	supervisor -> init    initConfig, once: the sandbox init's
//	                      instructions (see init_linux.go)
//	init -> supervisor    {"ev":"fatal","error":...} if a setup step
//	                      failed; otherwise the init executes the zygote
//	                      and says nothing more
//	zygote -> supervisor  {"ev":"ready"} when it can take a request: at
//	                      start and after every request. When Python runs
//	                      are expected it has just forked a spare, and the
//	                      message carries the spare's socket and the
//	                      rlimits the spare applies ("spare_limits")
//	supervisor -> spare   a Python run (opSpareRun), sent once the spare
//	                      reported ready on that socket; so the run's CPU
//	                      clock, started then, counts none of the spare's
//	                      preparation
//	supervisor -> zygote  opDirectRun: the notice that the spare got a run
//	                      (the zygote watches it from then on)
//	                      opZygoteRun: a native program
//	                      {"op":"session",...}  several Python processes
//	                                            with their own descriptors
//	                                            (sessionRequest)
//	                      {"op":"spare","limits":[...]}  kill the waiting
//	                                            spare, fork one with these
//	                                            rlimits, say ready again
//	                      {"op":"kill"}         kill the request's processes
//	                      {"op":"done"}         the run's counters are read
//	                      {"op":"shutdown"}
//	zygote -> supervisor  {"ev":"exit",...} per request (zygoteEvent):
//	                      wait4 status and rusage of each process, and what
//	                      the zygote's own code observed before any of the
//	                      program's code ran (setup_error, exec_error,
//	                      pre_cpu); collected files as descriptors. The
//	                      next "ready" waits for "done": a spare forked
//	                      earlier would join the run's cgroup while the
//	                      supervisor reads it.
//	                      {"ev":"fatal",...} the slot is unusable
//
// Nothing in these messages comes from the program under test. A spare
// reports on its own socket (to the supervisor, or to the zygote for a
// session's processes) only before the program's code runs, and closes it
// first: 'R' when ready, 'S' when set up (with the CPU time it spent
// since), or 'E' when its setup failed (spareReport). The exec shim
// reports on a close-on-exec pipe; exit status and rusage come from
// wait4. The supervisor takes the run's CPU time and memory from the
// run's cgroup and its output from memfds it owns, after every process of
// the run is gone.

// zygoteEvent is a message from a slot on the control socket.
type zygoteEvent struct {
	Ev string `json:"ev"`
	ID int    `json:"id"`
	// Started: the request's processes got past the sandbox's own setup.
	Started bool `json:"started"`
	// PreCPU is the CPU time (seconds) the spares spent in the run's
	// cgroup after "ready" and before the program's code ran.
	PreCPU float64 `json:"pre_cpu"`
	// SetupCPU is all the CPU time the spares spent before the program's
	// code ran, warm-up included (for the rusage fallback).
	SetupCPU float64 `json:"setup_cpu"`
	// Utime and Stime add up every process of the request (wait4 of all
	// of them); used only where no cgroup counts CPU time.
	Utime     float64    `json:"utime"`
	Stime     float64    `json:"stime"`
	Killed    bool       `json:"killed"`
	Procs     []procExit `json:"procs"`
	Collected []string   `json:"collected"`
	// SetupError and ExecError report failures of the sandbox's own code
	// before the program ran: infrastructure failures.
	SetupError string `json:"setup_error"`
	ExecError  string `json:"exec_error"`
	Error      string `json:"error"`
	Python     string `json:"python"`
	// SpareLimits come with a "ready" that carries a spare's socket: the
	// rlimits the spare applied.
	SpareLimits []int64 `json:"spare_limits"`
	fds         []*os.File
}

// procExit is one process's wait4 result.
type procExit struct {
	Wstatus  int   `json:"wstatus"`
	MaxRSSKB int64 `json:"maxrss_kb"`
}

func (e *zygoteEvent) closeFiles() {
	for _, f := range e.fds {
		f.Close()
	}
	e.fds = nil
}

// decodeEvent parses one control message and the descriptors sent with it.
func decodeEvent(msg, oob []byte) (zygoteEvent, error) {
	var ev zygoteEvent
	ev.fds = parseRights(oob)
	if err := json.Unmarshal(msg, &ev); err != nil {
		return ev, fmt.Errorf("bad control message: %w", err)
	}
	switch ev.Ev {
	case "ready", "exit", "fatal":
	default:
		return ev, fmt.Errorf("unknown control message %q", ev.Ev)
	}
	if len(ev.Collected) > len(ev.fds) {
		return ev, fmt.Errorf("control message names %d collected files but carries %d descriptors", len(ev.Collected), len(ev.fds))
	}
	return ev, nil
}

func parseRights(oob []byte) []*os.File {
	msgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return nil
	}
	var files []*os.File
	for _, m := range msgs {
		fds, err := unix.ParseUnixRights(&m)
		if err != nil {
			continue
		}
		for _, fd := range fds {
			unix.CloseOnExec(fd)
			files = append(files, os.NewFile(uintptr(fd), "collected"))
		}
	}
	return files
}

// jobLimits are the rlimits a run's processes get: backstops, since the
// supervisor enforces time and the cgroup memory and processes.
type jobLimits struct {
	CPUSeconds int64
	FSize      int64
	Stack      int64
	Memory     int64
	NProc      int
	NoFile     int
}

// sessionRequest asks a slot to start several Python processes.
type sessionRequest struct {
	Op     string        `json:"op"`
	ID     int           `json:"id"`
	Limits [6]int64      `json:"limits"` // jobLimits.wire
	Procs  []sessionProc `json:"procs"`
}

// sessionProc is one process of a session: its program is compiled from
// Source (never read from a file another process could change), and its
// stdio are the request's descriptors FDs[0..2].
type sessionProc struct {
	Kind   string   `json:"kind"`
	Argv   []string `json:"argv"`
	Source string   `json:"source"`
	FDs    []int    `json:"fds"`
}

// errSlotProtocol marks a slot that broke the protocol.
var errSlotProtocol = errors.New("sandbox slot protocol violation")
