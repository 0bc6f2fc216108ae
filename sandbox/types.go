package sandbox

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/rlef/rlef/verdict"
)

// Language is a programming language the sandbox can run.
type Language string

const (
	Python Language = "python"
	CPP    Language = "cpp"
)

// ParseLanguage accepts the usual spellings ("python", "python3", "py",
// "cpp", "c++", "cxx").
func ParseLanguage(s string) (Language, error) {
	switch s {
	case "python", "python3", "py":
		return Python, nil
	case "cpp", "c++", "cxx", "cc", "cpp17":
		return CPP, nil
	}
	return "", fmt.Errorf("%w: unknown language %q (supported: python, cpp)", ErrInvalid, s)
}

// Limits bound one execution.
type Limits struct {
	// WallTime is the wall-clock limit, enforced by the supervisor.
	WallTime time.Duration `json:"wall_time"`
	// CPUTime is the CPU-time limit; zero means the same as WallTime.
	CPUTime time.Duration `json:"cpu_time"`
	// Memory is the memory limit in bytes.
	Memory int64 `json:"memory"`
	// Processes bounds processes and threads alive at once.
	Processes int `json:"processes"`
	// Output bounds each of stdout and stderr, and the size of any file the
	// program writes, in bytes.
	Output int64 `json:"output"`
}

// MaxCollect is the most files one run may collect: each comes back as a
// descriptor in one control message.
const MaxCollect = 64

// DefaultLimits are the limits of `rlef exec` when none are given.
func DefaultLimits() Limits {
	return Limits{WallTime: 2 * time.Second, Memory: 256 << 20, Processes: 128, Output: 16 << 20}
}

// DefaultCompileLimits bound the C++ compiler.
func DefaultCompileLimits() Limits {
	return Limits{WallTime: 20 * time.Second, Memory: 2 << 30, Processes: 64, Output: 256 << 20}
}

// cpu returns the effective CPU-time limit.
func (l Limits) cpu() time.Duration {
	if l.CPUTime > 0 {
		return l.CPUTime
	}
	return l.WallTime
}

// Validate checks l against the pool's maxima.
func (l Limits) Validate(max Limits) error {
	check := func(name string, v, lo, hi int64, unit func(int64) string) error {
		if v < lo {
			return fmt.Errorf("%w: %s limit %s is too small (minimum %s)", ErrInvalid, name, unit(v), unit(lo))
		}
		if hi > 0 && v > hi {
			return fmt.Errorf("%w: %s limit %s exceeds the maximum %s", ErrInvalid, name, unit(v), unit(hi))
		}
		return nil
	}
	dur := func(v int64) string { return time.Duration(v).String() }
	if err := check("wall-time", int64(l.WallTime), int64(10*time.Millisecond), int64(max.WallTime), dur); err != nil {
		return err
	}
	if l.CPUTime != 0 {
		if err := check("cpu-time", int64(l.CPUTime), int64(10*time.Millisecond), int64(max.cpu()), dur); err != nil {
			return err
		}
	}
	if err := check("memory", l.Memory, 8<<20, max.Memory, FormatBytes); err != nil {
		return err
	}
	if err := check("process", int64(l.Processes), 1, int64(max.Processes), func(v int64) string { return fmt.Sprint(v) }); err != nil {
		return err
	}
	return check("output", l.Output, 1<<10, max.Output, FormatBytes)
}

// Input is what one run of a prepared program gets.
type Input struct {
	// Stdin is the program's standard input; nil means empty (EOF at once).
	Stdin []byte
	// Args are extra command-line arguments.
	Args []string
	// Files are written into the work directory before the program starts.
	// Names are relative to the work directory (or absolute below /w or
	// /tmp, interpreted inside the sandbox).
	Files map[string][]byte
	// Collect names files to return after the run (regular files only,
	// never following symbolic links), at most MaxCollect.
	Collect []string
	// Limits bound the run.
	Limits Limits
}

// Result is the outcome of one execution.
type Result struct {
	// Status is one of ok, runtime_error, time_limit, memory_limit,
	// output_limit, compile_error.
	Status          verdict.Verdict
	ExitCode        int
	Signal          int
	Stdout          []byte
	Stderr          []byte
	StdoutTruncated bool
	StderrTruncated bool
	CPUTime         time.Duration
	WallTime        time.Duration
	// Memory is the peak memory in bytes (cgroup peak, or max RSS without
	// cgroups).
	Memory int64
	// Files holds the collected files that existed.
	Files map[string][]byte
	// Message explains a limit or compile verdict in words.
	Message string
	// CompileLimit is, for a compile_error one of the compiler's limits
	// caused, that limit's verdict (time_limit, memory_limit or
	// output_limit); empty otherwise.
	CompileLimit verdict.Verdict
}

// Program is source code ready to run: Python as is, C++ compiled.
type Program struct {
	Language Language
	source   string
	exe      *os.File // sealed read-only memfd holding the binary; nil for Python
	// Compile is the compiler's result for compiled languages (status ok or
	// compile_error); nil for Python.
	Compile *Result
	// Cached reports that the compile result came from the cache.
	Cached bool
}

// OK reports whether the program can be run (it compiled, or needs no
// compilation).
func (p *Program) OK() bool { return p.Compile == nil || p.Compile.Status == verdict.OK }

// Close releases the compiled binary. Programs must be closed.
func (p *Program) Close() error {
	if p.exe == nil {
		return nil
	}
	err := p.exe.Close()
	p.exe = nil
	return err
}

// ErrInvalid marks a request the sandbox refuses (bad language, limits or
// file names). Test with errors.Is.
var ErrInvalid = errors.New("invalid request")

// ErrClosed is returned after Pool.Close.
var ErrClosed = errors.New("sandbox pool closed")

// FormatBytes prints a byte count the way limits are written (256MiB).
func FormatBytes(n int64) string {
	switch {
	case n >= 1<<40 && n%(1<<40) == 0:
		return fmt.Sprintf("%dTiB", n>>40)
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%dGiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%dMiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%dKiB", n>>10)
	}
	return fmt.Sprintf("%dB", n)
}
