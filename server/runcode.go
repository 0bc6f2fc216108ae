package server

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rlef/rlef/dist"
	"github.com/rlef/rlef/sandbox"
	"github.com/rlef/rlef/verdict"
)

func (s *Server) handleRunCode(w http.ResponseWriter, r *http.Request) {
	req, ok := decodeBody(s, w, r, DecodeRunCode)
	if !ok {
		return
	}
	ka := s.newKeepAlive(w)
	defer ka.finish() // before a panic's 500 is written
	resp, err := s.runCode(r.Context(), req, ka.arm)
	switch {
	case isBusy(err):
		ka.finish()
		writeBusy(w, err, s.runQ.retryAfter())
	case err != nil:
		// Only cancellation gets here: the client is gone.
		ka.write(http.StatusServiceUnavailable, map[string]string{"detail": err.Error()})
	default:
		ka.write(http.StatusOK, resp)
	}
}

// handleRunJupyter answers SandboxFusion's /run_jupyter with its response
// shape and status SandboxError: rlef has no notebook runner.
func (s *Server) handleRunJupyter(w http.ResponseWriter, r *http.Request) {
	if _, err := readBody(w, r, s.cfg.MaxBody); err != nil {
		writeBodyError(w, err)
		return
	}
	var pod *string
	if s.cfg.PodName != "" {
		pod = &s.cfg.PodName
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"status": StatusSandboxError, "message": "run_jupyter is not supported by rlef; use /run_code",
		"driver": nil, "cells": []any{}, "executor_pod_name": pod, "files": map[string]string{},
	})
}

// RunCode executes one SandboxFusion request. The error is non-nil only
// when there is no response to give: the admission queue refused the job
// on arrival (ErrQueueFull, ErrQueueBusy: answer 504) or ctx was
// cancelled. Everything else, sandbox failures included, is a response.
// Time limits count the program's own time, never its wait in the queue
// (reported as queue_wait_seconds).
func (s *Server) RunCode(ctx context.Context, req *RunCodeRequest) (*RunCodeResponse, error) {
	return s.runCode(ctx, req, nil)
}

// runCode is RunCode; admitted is called once the request is admitted.
func (s *Server) runCode(ctx context.Context, req *RunCodeRequest, admitted func()) (*RunCodeResponse, error) {
	resp := &RunCodeResponse{Files: map[string]string{}}
	if s.cfg.PodName != "" {
		pod := s.cfg.PodName
		resp.ExecutorPodName = &pod
	}
	lang, ok := runnable(req.Language)
	if !ok {
		resp.Status = StatusSandboxError
		resp.Message = fmt.Sprintf("language %s is not supported by rlef (supported: python, cpp)", req.Language)
		s.m.runs.WithLabelValues(req.Language, resp.Status, "unsupported").Inc()
		return resp, nil
	}
	in, files, err := s.runInput(req)
	if err != nil {
		resp.Status, resp.Message = StatusSandboxError, err.Error()
		s.m.runs.WithLabelValues(req.Language, resp.Status, string(verdict.SandboxError)).Inc()
		return resp, nil
	}
	resp.FileErrors = files.errors
	var v string
	if lang == sandbox.Python && req.RunTimeout <= 0 {
		// No time to run (SandboxFusion answers a time limit too).
		v = s.noTime(req, in, files, resp)
	} else {
		t, err := s.runQ.acquire(ctx, true, admitted)
		if err != nil {
			return nil, err
		}
		v, err = s.execute(ctx, req, lang, in, files, resp)
		t.release()
		if err != nil {
			return nil, err
		}
		resp.QueueWaitSeconds = t.Waited.Seconds()
	}
	resp.Status, resp.Message = ParseRunStatus(resp.CompileResult, resp.RunResult)
	switch {
	case resp.Status == StatusSandboxError && resp.Message == "":
		resp.Message = "sandbox error"
	case resp.Status != StatusSandboxError && len(files.errors) > 0:
		resp.Message = files.message()
	}
	s.m.runs.WithLabelValues(req.Language, resp.Status, v).Inc()
	return resp, nil
}

// noTime answers a request whose run_timeout leaves no time to run: a
// time limit, with any input file that was asked back returned as is.
func (s *Server) noTime(req *RunCodeRequest, in sandbox.Input, files *requestFiles, resp *RunCodeResponse) string {
	resp.RunResult = &CommandRunResult{Status: CommandTimeLimitExceeded, ExecutionTime: ptr(0.0),
		Stdout: ptr(""), Stderr: ptr(""), Verdict: string(verdict.TimeLimit)}
	for path, data := range in.Files {
		for _, name := range files.fetch[path] {
			resp.Files[name] = base64.StdEncoding.EncodeToString(data)
		}
	}
	return string(verdict.TimeLimit)
}

// runnable maps a SandboxFusion language to one rlef runs.
func runnable(lang string) (sandbox.Language, bool) {
	switch lang {
	case "python":
		return sandbox.Python, true
	case "cpp":
		return sandbox.CPP, true
	}
	return "", false
}

// execute compiles (C++) and runs the program, filling resp's results. It
// returns the verdict for the metrics.
func (s *Server) execute(ctx context.Context, req *RunCodeRequest, lang sandbox.Language, in sandbox.Input, files *requestFiles, resp *RunCodeResponse) (string, error) {
	code := req.Code
	if strings.TrimSpace(code) == "" {
		// SandboxFusion runs an empty file; the sandbox refuses empty
		// source, and a lone newline is the same program.
		code += "\n"
	}
	if lang == sandbox.CPP && req.CompileTimeout <= 0 {
		resp.CompileResult = &CommandRunResult{Status: CommandTimeLimitExceeded, ExecutionTime: ptr(0.0),
			Stdout: ptr(""), Stderr: ptr(""), Verdict: string(verdict.CompileError)}
		return string(verdict.CompileError), nil
	}
	ex, err := s.program(ctx, lang, code, in, req.RunTimeout <= 0)
	if ex != nil && ex.Compile != nil {
		resp.CompileResult = compileResult(ex, seconds(req.CompileTimeout, math.MaxInt64))
		if resp.CompileResult.Status != CommandFinished || ex.Compile.Status != verdict.OK {
			return string(verdict.CompileError), nil
		}
	}
	if err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		resp.RunResult = errorResult(err)
		return string(verdict.SandboxError), nil
	}
	if req.RunTimeout <= 0 {
		return s.noTime(req, in, files, resp), nil
	}
	res := ex.Run
	if res == nil {
		resp.RunResult = errorResult(errors.New("sandbox error: no run result"))
		return string(verdict.SandboxError), nil
	}
	resp.RunResult = runResult(res)
	for path, data := range res.Files {
		for _, name := range files.fetch[path] {
			resp.Files[name] = base64.StdEncoding.EncodeToString(data)
		}
	}
	return string(res.Status), nil
}

// program compiles (C++) and, unless compileOnly, runs a program: on the
// cluster when dispatching, else on the local pool. A failed run returns
// the compilation with the error.
func (s *Server) program(ctx context.Context, lang sandbox.Language, code string, in sandbox.Input, compileOnly bool) (*dist.Execution, error) {
	if s.cfg.Dispatch != nil {
		return s.cfg.Dispatch.Execute(ctx, dist.RunRequest{Language: lang, Code: code, Input: in, CompileOnly: compileOnly})
	}
	prog, err := s.compile(ctx, lang, code)
	if err != nil {
		return nil, err
	}
	defer prog.Close()
	ex := &dist.Execution{Cached: prog.Cached}
	if prog.Compile != nil {
		c := *prog.Compile
		ex.Compile = &c
	}
	if !prog.OK() || compileOnly {
		return ex, nil
	}
	if ex.Run, err = s.run(ctx, prog, in); err != nil {
		return ex, err
	}
	return ex, nil
}

// compile prepares the program, trying once more after a sandbox failure
// (a broken slot is replaced in the background).
func (s *Server) compile(ctx context.Context, lang sandbox.Language, code string) (*sandbox.Program, error) {
	prog, err := s.cfg.Pool.Compile(ctx, lang, code)
	if err != nil && sandbox.IsInfra(err) && ctx.Err() == nil {
		prog, err = s.cfg.Pool.Compile(ctx, lang, code)
	}
	return prog, err
}

// run runs the program, trying once more after a sandbox failure.
func (s *Server) run(ctx context.Context, prog *sandbox.Program, in sandbox.Input) (*sandbox.Result, error) {
	res, err := s.cfg.Pool.Run(ctx, prog, in)
	if err != nil && sandbox.IsInfra(err) && ctx.Err() == nil {
		res, err = s.cfg.Pool.Run(ctx, prog, in)
	}
	return res, err
}

// runInput turns the request's stdin, limits and files into a sandbox
// input. A file rlef cannot place fails that file only (files.errors);
// the error is a SandboxError response.
func (s *Server) runInput(req *RunCodeRequest) (sandbox.Input, *requestFiles, error) {
	lim := s.cfg.Run
	in := sandbox.Input{
		Limits: sandbox.Limits{
			WallTime:  max(seconds(req.RunTimeout, lim.MaxRunTimeout), 10*time.Millisecond),
			Memory:    s.memory(req.MemoryLimitMB),
			Processes: lim.Processes,
			Output:    lim.Output,
		},
	}
	if req.Stdin != nil {
		in.Stdin = []byte(*req.Stdin)
	}
	files := placeFiles(req.Files, req.FetchFiles)
	in.Files, in.Collect = files.write, files.collect
	if err := in.Limits.Validate(s.cfg.maxLimits()); err != nil {
		return in, files, fmt.Errorf("limits: %w", err)
	}
	return in, files, nil
}

// memory maps memory_limit_MB to bytes: the server default for -1 (or any
// value below 1: never unlimited), capped at the server maximum, and at
// least the sandbox minimum of 8 MiB.
func (s *Server) memory(mb int64) int64 {
	lim := s.cfg.Run
	if mb <= 0 {
		return lim.DefaultMemory
	}
	if mb > lim.MaxMemory>>20 {
		return lim.MaxMemory
	}
	return max(mb<<20, 8<<20)
}

// seconds converts a timeout in seconds to a duration capped at limit.
func seconds(v float64, limit time.Duration) time.Duration {
	if math.IsNaN(v) || v <= 0 {
		return 0
	}
	if v >= limit.Seconds() {
		return limit
	}
	return time.Duration(v * float64(time.Second))
}

// decodeBase64 accepts standard base64, padded or not, ignoring line
// breaks (as Python's base64.b64decode does with MIME-wrapped text).
func decodeBase64(s string) ([]byte, error) {
	s = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == ' ' || r == '\t' {
			return -1
		}
		return r
	}, s)
	data, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		if raw, rawErr := base64.RawStdEncoding.DecodeString(strings.TrimRight(s, "=")); rawErr == nil {
			return raw, nil
		}
		return nil, err
	}
	return data, nil
}

// compileResult maps a C++ compilation. A compilation stopped by the
// compiler's time limit, or slower than the request's compile_timeout, is
// TimeLimitExceeded (verl: compile_timeout, -4); a failed one is Finished
// with the compiler's non-zero exit code (verl: compile_error, -4).
func compileResult(ex *dist.Execution, timeout time.Duration) *CommandRunResult {
	c, cached := ex.Compile, ex.Cached
	r := &CommandRunResult{
		Status: CommandFinished, Verdict: string(c.Status),
		ExecutionTime: ptr(c.WallTime.Seconds()), CPUTime: c.CPUTime.Seconds(), WallTime: c.WallTime.Seconds(),
		MemoryBytes: c.Memory, Stdout: ptr(text(c.Stdout)), Stderr: ptr(text(c.Stderr)), Cached: &cached,
		Message: c.Message,
	}
	timedOut := c.CompileLimit == verdict.TimeLimit || (timeout > 0 && c.WallTime > timeout)
	switch {
	case timedOut:
		r.Status, r.Verdict = CommandTimeLimitExceeded, string(verdict.CompileError)
	case c.Status == verdict.OK:
		r.ReturnCode = ptr(0)
	default:
		rc := c.ExitCode
		if rc == 0 {
			rc = 1
		}
		r.ReturnCode = &rc
		if *r.Stderr == "" {
			r.Stderr = ptr(c.Message)
		}
	}
	return r
}

// runResult maps a run (see sandbox-anchors.md §3(b)): time limits are
// TimeLimitExceeded with no return code; everything else that ran is
// Finished with the exit code (−signal when killed), and a limit verdict
// without a non-zero code gets −9 (memory) or −25 (SIGXFSZ, output), so
// that the top-level status is Failed.
func runResult(res *sandbox.Result) *CommandRunResult {
	r := &CommandRunResult{
		Status: CommandFinished, Verdict: string(res.Status),
		ExecutionTime: ptr(res.WallTime.Seconds()), CPUTime: res.CPUTime.Seconds(), WallTime: res.WallTime.Seconds(),
		MemoryBytes: res.Memory, Signal: res.Signal,
		Stdout: ptr(text(res.Stdout)), Stderr: ptr(text(res.Stderr)),
		StdoutTruncated: res.StdoutTruncated, StderrTruncated: res.StderrTruncated,
		Message: res.Message,
	}
	rc := res.ExitCode
	switch res.Status {
	case verdict.TimeLimit:
		r.Status = CommandTimeLimitExceeded
		return r
	case verdict.MemoryLimit:
		if rc == 0 {
			rc = -9
		}
	case verdict.OutputLimit:
		if rc == 0 {
			rc = -25
		}
	case verdict.RuntimeError:
		if rc == 0 {
			rc = 1
		}
	}
	r.ReturnCode = &rc
	return r
}

// errorResult is a sandbox failure: status Error with the message as
// stderr, which parse_run_status turns into SandboxError. (An invalid
// request's message starts with "invalid request" already.)
func errorResult(err error) *CommandRunResult {
	msg := err.Error()
	return &CommandRunResult{Status: CommandError, Stderr: &msg, Verdict: string(verdict.SandboxError)}
}

// text decodes program output as UTF-8, each invalid byte becoming U+FFFD
// (SandboxFusion instead replaces the whole stream with "[DecodeError]").
func text(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	var sb strings.Builder
	sb.Grow(len(b) + 16)
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if r == utf8.RuneError && size == 1 {
			sb.WriteRune(utf8.RuneError)
		} else {
			sb.Write(b[:size])
		}
		b = b[size:]
	}
	return sb.String()
}

func ptr[T any](v T) *T { return &v }
