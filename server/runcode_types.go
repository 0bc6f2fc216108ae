package server

import "slices"

// SandboxFusion's run statuses (RunStatus) and command statuses
// (CommandRunStatus). rlef never adds values to either.
const (
	StatusSuccess      = "Success"
	StatusFailed       = "Failed"
	StatusSandboxError = "SandboxError"

	CommandFinished          = "Finished"
	CommandError             = "Error"
	CommandTimeLimitExceeded = "TimeLimitExceeded"
)

// SandboxFusionLanguages is SandboxFusion's language Literal. Values outside
// it are schema errors (422); values inside it that rlef does not run
// answer 200 with status SandboxError.
var SandboxFusionLanguages = []string{
	"python", "cpp", "nodejs", "go", "go_test", "java", "php", "csharp", "bash", "typescript", "sql",
	"rust", "cuda", "lua", "R", "perl", "D_ut", "ruby", "scala", "julia", "pytest", "junit",
	"kotlin_script", "jest", "verilog", "python_gpu", "lean", "swift", "racket",
}

func isSandboxFusionLanguage(s string) bool { return slices.Contains(SandboxFusionLanguages, s) }

// RunCodeRequest is SandboxFusion's RunCodeRequest.
type RunCodeRequest struct {
	// CompileTimeout and RunTimeout are wall-clock seconds (default 10).
	CompileTimeout float64 `json:"compile_timeout"`
	RunTimeout     float64 `json:"run_timeout"`
	// MemoryLimitMB is the memory limit; -1 (the default) or any value
	// below 1 means the server's default, never unlimited.
	MemoryLimitMB int64  `json:"memory_limit_MB"`
	Code          string `json:"code"`
	// Stdin is nil for no input (EOF at once).
	Stdin    *string `json:"stdin"`
	Language string  `json:"language"`
	// Files maps a path (relative to the working directory /w, or
	// absolute below /w, /tmp or /mnt inside the sandbox: see FileRoots)
	// to base64 content; nil values and names containing IGNORE_THIS_FILE
	// are skipped. A file rlef cannot place fails alone (FileErrors).
	Files map[string]*string `json:"files"`
	// FetchFiles names files to return, base64, after the run (the same
	// paths as Files; a missing file is left out).
	FetchFiles []string `json:"fetch_files"`
	// Args is accepted for compatibility (SandboxFusion passes it to
	// pytest only) and ignored.
	Args []string `json:"args"`
}

// CommandRunResult is SandboxFusion's CommandRunResult plus rlef's
// additive fields (ignored by verl and the SandboxFusion SDK).
type CommandRunResult struct {
	Status        string   `json:"status"`
	ExecutionTime *float64 `json:"execution_time"`
	ReturnCode    *int     `json:"return_code"`
	Stdout        *string  `json:"stdout"`
	Stderr        *string  `json:"stderr"`

	// Verdict is rlef's verdict (ok, runtime_error, time_limit,
	// memory_limit, output_limit, compile_error, sandbox_error).
	Verdict         string  `json:"verdict"`
	CPUTime         float64 `json:"cpu_time"`
	WallTime        float64 `json:"wall_time"`
	MemoryBytes     int64   `json:"memory_bytes"`
	Signal          int     `json:"signal"`
	StdoutTruncated bool    `json:"stdout_truncated"`
	StderrTruncated bool    `json:"stderr_truncated"`
	// Cached is set on compile results: the compilation came from the
	// compile cache.
	Cached *bool `json:"cached,omitempty"`
	// Message explains the verdict in a sentence ("killed by signal 11
	// (segmentation fault)"), as rlef exec prints it.
	Message string `json:"message,omitempty"`
}

// RunCodeResponse is SandboxFusion's RunCodeResponse; every key of it is
// always present.
type RunCodeResponse struct {
	Status          string            `json:"status"`
	Message         string            `json:"message"`
	CompileResult   *CommandRunResult `json:"compile_result"`
	RunResult       *CommandRunResult `json:"run_result"`
	ExecutorPodName *string           `json:"executor_pod_name"`
	Files           map[string]string `json:"files"`

	// rlef's additions (ignored by SandboxFusion clients):

	// FileErrors says, by name as given, why a file of files or
	// fetch_files was not written or fetched (one sentence each; the
	// message repeats them). The run goes ahead without them.
	FileErrors map[string]string `json:"file_errors,omitempty"`
	// QueueWaitSeconds is how long the request waited for a sandbox slot
	// (never counted in the program's time limit).
	QueueWaitSeconds float64 `json:"queue_wait_seconds"`
}

// ParseRunStatus computes the top-level status the way SandboxFusion's
// parse_run_status does: any Error makes SandboxError (with that stderr
// as the message); else any time limit, or any non-zero return code,
// makes Failed; else Success.
func ParseRunStatus(compile, run *CommandRunResult) (status, message string) {
	var results []*CommandRunResult
	for _, r := range []*CommandRunResult{compile, run} {
		if r != nil {
			results = append(results, r)
		}
	}
	for _, r := range results {
		if r.Status == CommandError {
			msg := ""
			if r.Stderr != nil {
				msg = *r.Stderr
			}
			return StatusSandboxError, msg
		}
	}
	for _, r := range results {
		if r.Status == CommandTimeLimitExceeded {
			return StatusFailed, ""
		}
	}
	for _, r := range results {
		if r.ReturnCode != nil && *r.ReturnCode != 0 {
			return StatusFailed, ""
		}
	}
	return StatusSuccess, ""
}
