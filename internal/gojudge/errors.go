package gojudge

import (
	"fmt"
	"strings"
)

// Status is the status of a go-judge run, as go-judge spells it.
type Status string

// The statuses go-judge reports (envexec/run_status.go in v1.12.2).
const (
	StatusAccepted            Status = "Accepted"
	StatusMemoryLimitExceeded Status = "Memory Limit Exceeded"
	StatusTimeLimitExceeded   Status = "Time Limit Exceeded"
	StatusOutputLimitExceeded Status = "Output Limit Exceeded"
	StatusFileError           Status = "File Error"
	StatusNonzeroExitStatus   Status = "Nonzero Exit Status"
	StatusSignalled           Status = "Signalled"
	StatusDangerousSyscall    Status = "Dangerous Syscall"
	StatusInternalError       Status = "Internal Error"
)

// StatusError is a run go-judge completed with a status other than
// Accepted: the program failed, or go-judge could not run it.
type StatusError struct {
	Op         string // what was run: "run python", "compile c++", "run c++"
	Status     Status
	ExitStatus int
	Message    string // go-judge's error field, if any
	Stderr     string // what the program wrote to stderr, up to the limit
}

func (e *StatusError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "gojudge: %s: %s", e.Op, e.Status)
	if e.Status == StatusNonzeroExitStatus || e.Status == StatusSignalled {
		fmt.Fprintf(&b, " (%d)", e.ExitStatus)
	}
	if e.Message != "" {
		fmt.Fprintf(&b, ": %s", e.Message)
	}
	if s := strings.TrimSpace(e.Stderr); s != "" {
		const maxLen = 2000
		if len(s) > maxLen {
			s = s[:maxLen] + "..."
		}
		fmt.Fprintf(&b, "\nstderr:\n%s", s)
	}
	return b.String()
}

// HTTPError is an answer from go-judge with an HTTP status other than 200:
// 400 for a request it rejects, 404 for an unknown file, 500 when it fails.
type HTTPError struct {
	Code    int
	Message string // go-judge's message, if it sent one
}

func (e *HTTPError) Error() string {
	if e.Message == "" {
		return fmt.Sprintf("HTTP %d", e.Code)
	}
	return fmt.Sprintf("HTTP %d: %s", e.Code, e.Message)
}

// accepted returns nil if go-judge accepted the run, and otherwise a
// *StatusError for op.
func accepted(op string, res Result) error {
	if res.Status == StatusAccepted {
		return nil
	}
	return &StatusError{
		Op:         op,
		Status:     res.Status,
		ExitStatus: res.ExitStatus,
		Message:    res.Error,
		Stderr:     res.Files["stderr"],
	}
}
