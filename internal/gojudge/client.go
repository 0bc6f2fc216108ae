// Package gojudge is a client for the REST API of a running go-judge
// (github.com/criyle/go-judge), enough to run the programs rlef benchmarks
// through it side by side with rlef's own sandbox.
//
// It speaks go-judge's JSON as its server defines it (cmd/go-judge/model in
// v1.12.2): POST /run takes {"cmd": [...]} and answers with a JSON array of
// results; DELETE /file/{fileId} removes a file cached by copyOutCached.
// Times are nanoseconds and sizes are bytes on the wire. A run whose status
// is not "Accepted" is returned as a *StatusError; an HTTP answer other than
// 200 as an *HTTPError.
//
// go-judge is not a dependency: the client is written over net/http and
// encoding/json.
package gojudge

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// maxResponseBytes caps how much of one answer the client reads: two output
// collectors at their limit plus room for the JSON around them.
const maxResponseBytes = 64 << 20

// Client sends requests to one go-judge server. It is safe for concurrent use.
type Client struct {
	base string
	hc   *http.Client

	// Limits apply to every program the client compiles or runs. New sets
	// them to DefaultLimits.
	Limits Limits
	// Python is the interpreter inside go-judge's container (New sets
	// /usr/bin/python3); CXX and CXXFlags compile C++ (New sets
	// /usr/bin/g++ -std=c++17 -O2 -pipe, as rlef's sandbox does).
	Python   string
	CXX      string
	CXXFlags []string
}

// Limits are the resource limits of one go-judge command.
type Limits struct {
	CPU    time.Duration // cpuLimit: CPU time
	Clock  time.Duration // clockLimit: wall-clock time
	Memory int64         // memoryLimit, bytes
	Procs  int           // procLimit: processes and threads
	Output int64         // max of the stdout and stderr collectors, bytes
}

// DefaultLimits returns the limits the benchmarks use: 10 s of CPU and of
// wall clock, 256 MiB, 50 processes and 1 MiB per output stream.
func DefaultLimits() Limits {
	return Limits{
		CPU:    10 * time.Second,
		Clock:  10 * time.Second,
		Memory: 256 << 20,
		Procs:  50,
		Output: 1 << 20,
	}
}

// New returns a client for the go-judge listening at baseURL, such as
// "http://127.0.0.1:5050". A nil hc means a new http.Client without a
// timeout: deadlines come from the contexts passed to each call.
func New(baseURL string, hc *http.Client) *Client {
	if hc == nil {
		hc = &http.Client{}
	}
	return &Client{
		base:     strings.TrimRight(baseURL, "/"),
		hc:       hc,
		Limits:   DefaultLimits(),
		Python:   "/usr/bin/python3",
		CXX:      "/usr/bin/g++",
		CXXFlags: []string{"-std=c++17", "-O2", "-pipe"},
	}
}

// Cmd is one command of a /run request, with go-judge's field names.
type Cmd struct {
	Args          []string        `json:"args"`
	Env           []string        `json:"env,omitempty"`
	Files         []File          `json:"files"` // descriptors 0, 1, 2, ...
	CPULimit      uint64          `json:"cpuLimit"`
	ClockLimit    uint64          `json:"clockLimit"`
	MemoryLimit   uint64          `json:"memoryLimit"`
	ProcLimit     uint64          `json:"procLimit"`
	CopyIn        map[string]File `json:"copyIn,omitempty"`
	CopyOutCached []string        `json:"copyOutCached,omitempty"`
}

// File is a file of a command: memory content, a cached file, or an output
// collector. Set exactly one kind.
type File struct {
	Content *string `json:"content,omitempty"` // the bytes themselves
	FileID  string  `json:"fileId,omitempty"`  // a file cached in go-judge
	Name    string  `json:"name,omitempty"`    // collector: name in Result.Files
	Max     int64   `json:"max,omitempty"`     // collector: byte limit
}

// Content returns a File holding s.
func Content(s string) File { return File{Content: &s} }

// Cached returns a File that refers to the cached file id.
func Cached(id string) File { return File{FileID: id} }

// Collector returns a File that collects up to max bytes under name.
func Collector(name string, max int64) File { return File{Name: name, Max: max} }

type request struct {
	Cmd []Cmd `json:"cmd"`
}

// Result is go-judge's answer for one command.
type Result struct {
	Status     Status            `json:"status"`
	ExitStatus int               `json:"exitStatus"`
	Error      string            `json:"error,omitempty"`
	Time       uint64            `json:"time"`    // CPU time, ns
	Memory     uint64            `json:"memory"`  // peak, bytes
	RunTime    uint64            `json:"runTime"` // wall time, ns
	Files      map[string]string `json:"files,omitempty"`
	FileIDs    map[string]string `json:"fileIds,omitempty"`
	FileError  []FileError       `json:"fileError,omitempty"`
}

// FileError is go-judge's report of a file it could not copy in or out.
type FileError struct {
	Name    string `json:"name"`
	Type    string `json:"type"`
	Message string `json:"message,omitempty"`
}

// Run sends one command to POST /run and returns its result, whatever its
// status: only a failed exchange is an error.
func (c *Client) Run(ctx context.Context, cmd Cmd) (Result, error) {
	body, err := json.Marshal(request{Cmd: []Cmd{cmd}})
	if err != nil {
		return Result{}, fmt.Errorf("gojudge: encode run request: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/run", bytes.NewReader(body))
	if err != nil {
		return Result{}, fmt.Errorf("gojudge: run: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	data, err := c.do(req)
	if err != nil {
		return Result{}, fmt.Errorf("gojudge: run %s: %w", argv0(cmd), err)
	}
	res, err := decodeResults(data)
	if err != nil {
		return Result{}, fmt.Errorf("gojudge: run %s: %w", argv0(cmd), err)
	}
	return res, nil
}

// DeleteFile removes a cached file. Deleting a file go-judge does not hold
// is an *HTTPError with code 404.
func (c *Client) DeleteFile(ctx context.Context, id string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodDelete, c.base+"/file/"+url.PathEscape(id), nil)
	if err != nil {
		return fmt.Errorf("gojudge: delete file %q: %w", id, err)
	}
	if _, err := c.do(req); err != nil {
		return fmt.Errorf("gojudge: delete file %q: %w", id, err)
	}
	return nil
}

// do sends req and returns the body of a 200 answer. The body is read to
// its end so that the connection can be reused.
func (c *Client) do(req *http.Request) ([]byte, error) {
	resp, err := c.hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, &HTTPError{Code: resp.StatusCode, Message: errorMessage(data)}
	}
	if len(data) > maxResponseBytes {
		return nil, fmt.Errorf("answer longer than %d bytes", maxResponseBytes)
	}
	return data, nil
}

// decodeResults parses the answer to a one-command /run request.
func decodeResults(data []byte) (Result, error) {
	var results []Result
	if err := json.Unmarshal(data, &results); err != nil {
		return Result{}, fmt.Errorf("decode answer: %w", err)
	}
	if len(results) != 1 {
		return Result{}, fmt.Errorf("answer has %d results, want 1", len(results))
	}
	if results[0].Status == "" {
		return Result{}, fmt.Errorf("answer has no status")
	}
	return results[0], nil
}

// errorMessage extracts go-judge's message from an error answer: a JSON
// string for /run, or nothing at all.
func errorMessage(data []byte) string {
	var s string
	if json.Unmarshal(data, &s) == nil {
		return s
	}
	const maxLen = 512
	if len(data) > maxLen {
		data = data[:maxLen]
	}
	return strings.TrimSpace(string(data))
}

func argv0(cmd Cmd) string {
	if len(cmd.Args) == 0 {
		return "(no args)"
	}
	return cmd.Args[0]
}
