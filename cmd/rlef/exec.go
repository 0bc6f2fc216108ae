package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/rlef/rlef/sandbox"
)

// execOutput is the JSON object `rlef exec` prints (a contract: see
// docs/architecture.md).
type execOutput struct {
	Status          string `json:"status"`
	ExitCode        int    `json:"exit_code"`
	Signal          int    `json:"signal"`
	Stdout          string `json:"stdout"`
	Stderr          string `json:"stderr"`
	StdoutTruncated bool   `json:"stdout_truncated"`
	StderrTruncated bool   `json:"stderr_truncated"`
	CPUMs           int64  `json:"cpu_ms"`
	WallMs          int64  `json:"wall_ms"`
	MemoryKB        int64  `json:"memory_kb"`
	Message         string `json:"message,omitempty"`
}

// execFlags are the options of `rlef exec`.
type execFlags struct {
	sf                  sandboxFlags
	lang, stdinFile     string
	timeLimit, cpuLimit time.Duration
	memLimit, outLimit  string
	processes           int
}

func newExecCmd() *cobra.Command {
	var f execFlags
	cmd := &cobra.Command{
		Use:   "exec [flags] FILE",
		Short: "Run one program in the sandbox and print its outcome as JSON",
		Long: `Run one Python or C++ program in the sandbox and print one JSON object:
{"status","exit_code","signal","stdout","stderr","stdout_truncated","cpu_ms","wall_ms","memory_kb"}.
status is ok, runtime_error, time_limit, memory_limit, output_limit or compile_error.
The exit status is 0 whenever the program ran, whatever its status, and non-zero
on a usage or sandbox error.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runExec(cmd, &f, args[0])
		},
	}
	def := sandbox.DefaultLimits()
	fs := cmd.Flags()
	fs.StringVar(&f.lang, "lang", "", "language: python or cpp (default: from the file name)")
	fs.StringVar(&f.stdinFile, "stdin", "", "file to use as standard input (- for this process's stdin; default: empty)")
	fs.DurationVar(&f.timeLimit, "time-limit", def.WallTime, "wall-clock limit")
	fs.DurationVar(&f.cpuLimit, "cpu-limit", 0, "CPU-time limit (default: the time limit)")
	fs.StringVar(&f.memLimit, "memory-limit", sandbox.FormatBytes(def.Memory), "memory limit")
	fs.StringVar(&f.outLimit, "output-limit", sandbox.FormatBytes(def.Output), "limit on stdout, on stderr and on any file written")
	fs.IntVar(&f.processes, "processes", def.Processes, "limit on processes and threads")
	f.sf.register(fs, 1)
	return cmd
}

func runExec(cmd *cobra.Command, f *execFlags, file string) error {
	src, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	lang := f.lang
	if lang == "" {
		if lang = languageFromName(file); lang == "" {
			return fmt.Errorf("cannot tell the language of %s from its name; pass --lang python or --lang cpp", file)
		}
	}
	l, err := sandbox.ParseLanguage(lang)
	if err != nil {
		return err
	}
	lim, err := f.limits()
	if err != nil {
		return err
	}
	stdin, err := readStdin(cmd, f.stdinFile)
	if err != nil {
		return err
	}
	ctx := cmd.Context()
	pool, err := f.sf.open(ctx)
	if err != nil {
		return err
	}
	defer pool.Close()
	r, err := pool.Exec(ctx, l, string(src), sandbox.Input{Stdin: stdin, Limits: lim})
	if err != nil {
		if errors.Is(err, sandbox.ErrInvalid) {
			return err
		}
		return fmt.Errorf("sandbox: %w", err)
	}
	enc := json.NewEncoder(cmd.OutOrStdout())
	enc.SetEscapeHTML(false)
	return enc.Encode(execOutput{
		Status: string(r.Status), ExitCode: r.ExitCode, Signal: r.Signal,
		// Invalid UTF-8 becomes U+FFFD in JSON (encoding/json does it).
		Stdout: string(r.Stdout), Stderr: string(r.Stderr),
		StdoutTruncated: r.StdoutTruncated, StderrTruncated: r.StderrTruncated,
		CPUMs: r.CPUTime.Milliseconds(), WallMs: r.WallTime.Milliseconds(), MemoryKB: r.Memory >> 10,
		Message: r.Message,
	})
}

// limits are the run's limits, checked against the sandbox's maxima.
func (f *execFlags) limits() (sandbox.Limits, error) {
	lim := sandbox.Limits{WallTime: f.timeLimit, CPUTime: f.cpuLimit, Processes: f.processes}
	var err error
	if lim.Memory, err = sandbox.ParseBytes(f.memLimit); err != nil {
		return lim, fmt.Errorf("--memory-limit: %w", err)
	}
	if lim.Output, err = sandbox.ParseBytes(f.outLimit); err != nil {
		return lim, fmt.Errorf("--output-limit: %w", err)
	}
	return lim, lim.Validate(sandbox.DefaultMaxLimits())
}

// readStdin reads --stdin: nothing, this process's stdin (-) or a file.
func readStdin(cmd *cobra.Command, name string) ([]byte, error) {
	switch name {
	case "":
		return nil, nil
	case "-":
		return io.ReadAll(cmd.InOrStdin())
	}
	return os.ReadFile(name)
}

func languageFromName(name string) string {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".py":
		return "python"
	case ".cpp", ".cc", ".cxx", ".c++":
		return "cpp"
	}
	return ""
}
