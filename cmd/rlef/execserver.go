package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/rlef/rlef/sandbox"
	"github.com/rlef/rlef/server"
)

// localOnlyFlags are `rlef exec` flags a server's /run_code cannot honour:
// its own limits and sandbox apply.
var localOnlyFlags = []string{"cpu-limit", "processes", "output-limit", "slots", "unsafe-no-isolation",
	"python", "cxx", "cache-dir", "compile-cache-memory", "compile-cache-disk"}

// serverOnlyFlags refuses local-only flags next to --server.
func serverOnlyFlags(cmd *cobra.Command) error {
	for _, name := range localOnlyFlags {
		if f := cmd.Flags().Lookup(name); f != nil && f.Changed {
			return fmt.Errorf("--%s cannot be used with --server: the server's own limits and sandbox apply", name)
		}
	}
	return nil
}

// execOnServer runs the program through a running rlef serve's /run_code
// and reports it as a local run would be. The bearer token, if the server
// wants one, comes from $RLEF_TOKEN.
func execOnServer(ctx context.Context, base string, req execRequest) (execOutput, error) {
	url := strings.TrimSuffix(base, "/")
	if !strings.HasSuffix(url, "/run_code") {
		url += "/run_code"
	}
	lang := "python"
	if req.lang == sandbox.CPP {
		lang = "cpp"
	}
	body, err := json.Marshal(map[string]any{
		"code": req.source, "language": lang, "stdin": string(req.input.Stdin),
		"run_timeout":     req.input.Limits.WallTime.Seconds(),
		"memory_limit_MB": req.input.Limits.Memory >> 20,
	})
	if err != nil {
		return execOutput{}, err
	}
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return execOutput{}, fmt.Errorf("--server: %w", err)
	}
	hr.Header.Set("Content-Type", "application/json")
	if tok := os.Getenv("RLEF_TOKEN"); tok != "" {
		hr.Header.Set("Authorization", "Bearer "+tok)
	}
	client := &http.Client{Timeout: req.input.Limits.WallTime + 5*time.Minute}
	resp, err := client.Do(hr)
	if err != nil {
		return execOutput{}, fmt.Errorf("--server: %w", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<30))
	if err != nil {
		return execOutput{}, fmt.Errorf("--server: read the answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return execOutput{}, fmt.Errorf("--server: %s: %s", resp.Status, bytes.TrimSpace(data))
	}
	var r server.RunCodeResponse
	if err := json.Unmarshal(data, &r); err != nil {
		return execOutput{}, fmt.Errorf("--server: decode the answer: %w", err)
	}
	return execFromResponse(&r)
}

// execFromResponse maps a /run_code answer onto `rlef exec`'s output.
func execFromResponse(r *server.RunCodeResponse) (execOutput, error) {
	if r.Status == "SandboxError" {
		return execOutput{}, fmt.Errorf("sandbox (on the server): %s", r.Message)
	}
	if c := r.CompileResult; c != nil && c.Verdict == "compile_error" {
		return fromCommand(c), nil
	}
	if r.RunResult == nil {
		return execOutput{}, fmt.Errorf("--server: an answer with no run result (status %s: %s)", r.Status, r.Message)
	}
	return fromCommand(r.RunResult), nil
}

func fromCommand(c *server.CommandRunResult) execOutput {
	out := execOutput{Status: c.Verdict, Signal: c.Signal, StdoutTruncated: c.StdoutTruncated, StderrTruncated: c.StderrTruncated, Message: c.Message,
		CPUMs: int64(c.CPUTime * 1000), WallMs: int64(c.WallTime * 1000), MemoryKB: c.MemoryBytes >> 10}
	switch {
	case c.ReturnCode != nil:
		out.ExitCode = *c.ReturnCode
	case c.Signal > 0:
		// A time limit has no return code in SandboxFusion's answer; a
		// local run reports the signal that ended it as -N.
		out.ExitCode = -c.Signal
	}
	if c.Stdout != nil {
		out.Stdout = *c.Stdout
	}
	if c.Stderr != nil {
		out.Stderr = *c.Stderr
	}
	return out
}
