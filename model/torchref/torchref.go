// Package torchref holds the PyTorch counterparts of package model, run
// with Debian's python3-torch: reference.py computes outputs and
// gradients for the model's tests; bench.py trains and samples the same
// model for `rlef bench train`.
package torchref

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Python is Debian's interpreter, whose site packages hold python3-torch.
const Python = "/usr/bin/python3"

//go:embed reference.py
var referenceScript string

//go:embed bench.py
var benchScript string

// Scripts.
const (
	Reference = "reference.py"
	Bench     = "bench.py"
)

// ErrNoTorch: PyTorch cannot be imported.
var ErrNoTorch = errors.New("PyTorch is not available (install python3-torch)")

// Available reports whether PyTorch imports, with the reason when not.
func Available(ctx context.Context) error {
	out, err := exec.CommandContext(ctx, Python, "-c", "import torch").CombinedOutput()
	if err != nil {
		return fmt.Errorf("%w: %s -c 'import torch': %v %s", ErrNoTorch, Python, err, strings.TrimSpace(string(out)))
	}
	return nil
}

// Run runs a script with in as its JSON input and decodes its JSON output
// into out.
func Run(ctx context.Context, script string, in, out any) error {
	src := map[string]string{Reference: referenceScript, Bench: benchScript}[script]
	if src == "" {
		return fmt.Errorf("torchref: unknown script %q", script)
	}
	dir, err := os.MkdirTemp("", "rlef-torch-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	data, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("torchref: %w", err)
	}
	paths := [3]string{filepath.Join(dir, script), filepath.Join(dir, "in.json"), filepath.Join(dir, "out.json")}
	if err := os.WriteFile(paths[0], []byte(src), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(paths[1], data, 0o644); err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, Python, paths[:]...)
	if msg, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("torchref: %s: %v\n%s", script, err, msg)
	}
	data, err = os.ReadFile(paths[2])
	if err != nil {
		return fmt.Errorf("torchref: %s wrote no output: %w", script, err)
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("torchref: %s output: %w", script, err)
	}
	return nil
}
