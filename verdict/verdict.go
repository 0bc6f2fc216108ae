// Package verdict defines the one outcome vocabulary that every rlef
// component uses: the sandbox, the judge, the episode loop, the store and
// the HTTP server. Keeping it in a leaf package lets all of them share it
// without importing each other.
package verdict

// Verdict is the outcome of running a program, of one test, or of one
// model response.
type Verdict string

// Per-test and per-run outcomes.
const (
	// OK: a raw execution (no expected output) that exited normally with code 0.
	OK Verdict = "ok"
	// Accepted: the program's output matched the expected output.
	Accepted Verdict = "accepted"
	// WrongAnswer: the program ran to completion but its output was wrong.
	WrongAnswer Verdict = "wrong_answer"
	// RuntimeError: non-zero exit, uncaught exception or a fatal signal.
	RuntimeError Verdict = "runtime_error"
	// TimeLimit: the wall-clock or CPU-time limit was reached.
	TimeLimit Verdict = "time_limit"
	// MemoryLimit: the memory limit was reached (cgroup OOM kill or MemoryError).
	MemoryLimit Verdict = "memory_limit"
	// OutputLimit: stdout or stderr reached the output cap.
	OutputLimit Verdict = "output_limit"
	// CompileError: the program did not compile (or compilation timed out).
	CompileError Verdict = "compile_error"
	// Invalid: no code could be extracted from a model response.
	Invalid Verdict = "invalid"
	// SandboxError: an infrastructure fault. Never counted as a model failure.
	SandboxError Verdict = "sandbox_error"
)

// All lists every verdict, in a stable order, for tables and validation.
var All = []Verdict{OK, Accepted, WrongAnswer, RuntimeError, TimeLimit, MemoryLimit, OutputLimit, CompileError, Invalid, SandboxError}

// Valid reports whether v is one of the defined verdicts.
func (v Verdict) Valid() bool {
	for _, w := range All {
		if v == w {
			return true
		}
	}
	return false
}

// Passed reports whether v means the program did what was asked.
func (v Verdict) Passed() bool { return v == Accepted || v == OK }

// IsInfra reports whether v is an infrastructure fault rather than a
// property of the program under test.
func (v Verdict) IsInfra() bool { return v == SandboxError }
