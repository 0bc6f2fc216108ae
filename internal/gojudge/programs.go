package gojudge

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"
)

// containerPath is the PATH given to programs in go-judge's container.
const containerPath = "PATH=/usr/bin:/bin"

// cleanupTimeout bounds the deletion of cached files left by a failed
// compilation, which runs even when the caller's context is done.
const cleanupTimeout = 5 * time.Second

// Output is what a program go-judge accepted produced, and what it used.
type Output struct {
	Stdout   string
	Stderr   string
	CPUTime  time.Duration
	WallTime time.Duration
	Memory   int64 // peak, bytes
}

// RunPython runs source as main.py with c.Python, feeding it stdin.
func (c *Client) RunPython(ctx context.Context, source, stdin string) (Output, error) {
	cmd := c.command([]string{c.Python, "main.py"}, stdin)
	cmd.CopyIn = map[string]File{"main.py": Content(source)}
	return c.runAccepted(ctx, "run python", cmd)
}

// Program is a C++ program compiled by go-judge and kept in its file
// store. Delete it when done: go-judge keeps it until then.
type Program struct {
	c  *Client
	id string
}

// CompileCPP compiles source as main.cpp with c.CXX and c.CXXFlags and
// keeps the binary in go-judge's file store. A compilation error is a
// *StatusError whose Stderr holds the compiler's diagnostics.
func (c *Client) CompileCPP(ctx context.Context, source string) (*Program, error) {
	args := append([]string{c.CXX}, c.CXXFlags...)
	args = append(args, "-o", "main", "main.cpp")
	cmd := c.command(args, "")
	cmd.CopyIn = map[string]File{"main.cpp": Content(source)}
	cmd.CopyOutCached = []string{"main"}
	res, err := c.Run(ctx, cmd)
	if err != nil {
		return nil, err
	}
	if err := accepted("compile c++", res); err != nil {
		return nil, errors.Join(err, c.discard(ctx, res.FileIDs))
	}
	id := res.FileIDs["main"]
	if id == "" {
		err := errors.New("gojudge: compile c++: go-judge accepted the compilation but returned no fileId for main")
		return nil, errors.Join(err, c.discard(ctx, res.FileIDs))
	}
	return &Program{c: c, id: id}, nil
}

// FileID is the id of the binary in go-judge's file store.
func (p *Program) FileID() string { return p.id }

// Run runs the compiled program, feeding it stdin.
func (p *Program) Run(ctx context.Context, stdin string) (Output, error) {
	cmd := p.c.command([]string{"./main"}, stdin)
	cmd.CopyIn = map[string]File{"main": Cached(p.id)}
	return p.c.runAccepted(ctx, "run c++", cmd)
}

// Delete removes the binary from go-judge's file store.
func (p *Program) Delete(ctx context.Context) error {
	return p.c.DeleteFile(ctx, p.id)
}

// command returns a command running args with stdin, collecting stdout and
// stderr, under c.Limits.
func (c *Client) command(args []string, stdin string) Cmd {
	l := c.Limits
	return Cmd{
		Args:        args,
		Env:         []string{containerPath},
		Files:       []File{Content(stdin), Collector("stdout", l.Output), Collector("stderr", l.Output)},
		CPULimit:    uint64(l.CPU),
		ClockLimit:  uint64(l.Clock),
		MemoryLimit: uint64(l.Memory),
		ProcLimit:   uint64(l.Procs),
	}
}

func (c *Client) runAccepted(ctx context.Context, op string, cmd Cmd) (Output, error) {
	res, err := c.Run(ctx, cmd)
	if err != nil {
		return Output{}, err
	}
	if err := accepted(op, res); err != nil {
		return Output{}, err
	}
	return Output{
		Stdout:   res.Files["stdout"],
		Stderr:   res.Files["stderr"],
		CPUTime:  time.Duration(res.Time),
		WallTime: time.Duration(res.RunTime),
		Memory:   int64(res.Memory),
	}, nil
}

// discard deletes cached files a failed request left behind, even if ctx
// is done, and reports the deletions that failed.
func (c *Client) discard(ctx context.Context, ids map[string]string) error {
	if len(ids) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cleanupTimeout)
	defer cancel()
	var errs []error
	for _, name := range slices.Sorted(maps.Keys(ids)) {
		if err := c.DeleteFile(ctx, ids[name]); err != nil {
			errs = append(errs, fmt.Errorf("clean up %s: %w", name, err))
		}
	}
	return errors.Join(errs...)
}
