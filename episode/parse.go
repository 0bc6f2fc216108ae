package episode

import (
	"context"
	_ "embed"
	"fmt"
	"time"

	"github.com/rlef/rlef/sandbox"
	"github.com/rlef/rlef/verdict"
)

//go:embed longest_parseable.py
var longestParseableScript string

// SandboxParser implements the LongestParseable rule with Python's own
// parser, run in the sandbox (the text is untrusted, and only CPython
// parses Python exactly).
func SandboxParser(pool *sandbox.Pool) func(ctx context.Context, text string) (string, error) {
	return func(ctx context.Context, text string) (string, error) {
		lim := sandbox.DefaultLimits()
		lim.WallTime = 20 * time.Second
		lim.Memory = 512 << 20
		r, err := pool.Exec(ctx, sandbox.Python, longestParseableScript, sandbox.Input{Stdin: []byte(text), Limits: lim})
		if err != nil {
			return "", fmt.Errorf("longest parseable: %w", err)
		}
		if r.Status != verdict.OK {
			return "", fmt.Errorf("longest parseable: %s: %s", r.Status, r.Stderr)
		}
		return string(r.Stdout), nil
	}
}
