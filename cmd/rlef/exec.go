package main

import (
	"context"
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

// execOutput is the JSON object `rlef exec` prints (DESIGN.md contract).
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

// execRequest is one `rlef exec` run.
type execRequest struct {
	lang   sandbox.Language
	source string
	input  sandbox.Input
}

func newExecCmd() *cobra.Command {
	var (
		sf                  sandboxFlags
		lang, stdinFile     string
		timeLimit, cpuLimit time.Duration
		memLimit, outLimit  string
		processes           int
		serverURL           string
	)
	cmd := &cobra.Command{
		Use:   "exec [flags] FILE",
		Short: "Run one program in the sandbox and print its outcome as JSON",
		Long: `Run one Python or C++ program in the sandbox and print one JSON object:
{"status","exit_code","signal","stdout","stderr","stdout_truncated","cpu_ms","wall_ms","memory_kb"}.
status is ok, runtime_error, time_limit, memory_limit, output_limit or compile_error.
The exit status is 0 whenever the program ran, whatever its status, and non-zero
on a usage or sandbox error.

A single run starts a sandbox of one slot that preloads nothing (and, for
Python, no compiler); with --server it goes to a running rlef serve instead.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			req, err := readExecRequest(cmd, args[0], lang, stdinFile)
			if err != nil {
				return err
			}
			req.input.Limits = sandbox.Limits{WallTime: timeLimit, CPUTime: cpuLimit, Processes: processes}
			if req.input.Limits.Memory, err = sandbox.ParseBytes(memLimit); err != nil {
				return fmt.Errorf("--memory-limit: %w", err)
			}
			if req.input.Limits.Output, err = sandbox.ParseBytes(outLimit); err != nil {
				return fmt.Errorf("--output-limit: %w", err)
			}
			if err := req.input.Limits.Validate(sandbox.DefaultMaxLimits()); err != nil {
				return err
			}
			var out execOutput
			if serverURL != "" {
				if err := serverOnlyFlags(cmd); err != nil {
					return err
				}
				out, err = execOnServer(cmd.Context(), serverURL, req)
			} else {
				out, err = execLocally(cmd.Context(), &sf, req)
			}
			if err != nil {
				return err
			}
			enc := json.NewEncoder(cmd.OutOrStdout())
			enc.SetEscapeHTML(false)
			return enc.Encode(out)
		},
	}
	def := sandbox.DefaultLimits()
	fs := cmd.Flags()
	fs.StringVar(&lang, "lang", "", "language: python or cpp (default: from the file name)")
	fs.StringVar(&stdinFile, "stdin", "", "file to use as standard input (- for this process's stdin; default: empty)")
	fs.DurationVar(&timeLimit, "time-limit", def.WallTime, "wall-clock limit")
	fs.DurationVar(&cpuLimit, "cpu-limit", 0, "CPU-time limit (default: the time limit)")
	fs.StringVar(&memLimit, "memory-limit", sandbox.FormatBytes(def.Memory), "memory limit")
	fs.StringVar(&outLimit, "output-limit", sandbox.FormatBytes(def.Output), "limit on stdout, on stderr and on any file written")
	fs.IntVar(&processes, "processes", def.Processes, "limit on processes and threads")
	fs.StringVar(&serverURL, "server", "", "run on a running rlef serve (its base URL, e.g. http://127.0.0.1:8080) instead of starting a sandbox")
	sf.register(fs, 1)
	return cmd
}

// readExecRequest reads the program, its language and its stdin.
func readExecRequest(cmd *cobra.Command, file, lang, stdinFile string) (execRequest, error) {
	src, err := os.ReadFile(file)
	if err != nil {
		return execRequest{}, err
	}
	if lang == "" {
		if lang = languageFromName(file); lang == "" {
			return execRequest{}, fmt.Errorf("cannot tell the language of %s from its name; pass --lang python or --lang cpp", file)
		}
	}
	l, err := sandbox.ParseLanguage(lang)
	if err != nil {
		return execRequest{}, err
	}
	req := execRequest{lang: l, source: string(src)}
	switch stdinFile {
	case "":
	case "-":
		req.input.Stdin, err = io.ReadAll(cmd.InOrStdin())
	default:
		req.input.Stdin, err = os.ReadFile(stdinFile)
	}
	return req, err
}

// execLocally runs the program in a sandbox of its own, started for this
// one run: one slot, no preloaded modules, and no C++ compiler for Python.
func execLocally(ctx context.Context, sf *sandboxFlags, req execRequest) (execOutput, error) {
	pool, err := sf.openWith(ctx, func(c *sandbox.Config) {
		c.Slots, c.Preload = 1, []string{}
		c.PythonOnly = req.lang == sandbox.Python
	})
	if err != nil {
		return execOutput{}, err
	}
	defer pool.Close()
	r, err := pool.Exec(ctx, req.lang, req.source, req.input)
	if err != nil {
		if errors.Is(err, sandbox.ErrInvalid) {
			return execOutput{}, err
		}
		return execOutput{}, fmt.Errorf("sandbox: %w", err)
	}
	return execOutput{
		Status: string(r.Status), ExitCode: r.ExitCode, Signal: r.Signal,
		// Invalid UTF-8 becomes U+FFFD in JSON (encoding/json does it).
		Stdout: string(r.Stdout), Stderr: string(r.Stderr),
		StdoutTruncated: r.StdoutTruncated, StderrTruncated: r.StderrTruncated,
		CPUMs: r.CPUTime.Milliseconds(), WallMs: r.WallTime.Milliseconds(), MemoryKB: r.Memory >> 10,
		Message: r.Message,
	}, nil
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
