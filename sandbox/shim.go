package sandbox

import (
	"bytes"
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
)

//go:embed shim/shim.c
var shimSource []byte

// shimFlags build a static binary with no C library (raw system calls).
var shimFlags = []string{"-x", "c", "-O2", "-static", "-nostdlib", "-fno-stack-protector", "-fno-builtin",
	"-fno-pie", "-no-pie", "-fno-asynchronous-unwind-tables", "-Wl,--build-id=none"}

// buildShim compiles the exec shim (once per compiler and source, cached
// under cacheDir) and returns it in a sealed memfd. Without it, native
// programs start from a forked interpreter instead: correct, slower.
func buildShim(ctx context.Context, cc, version, cacheDir string) (*os.File, error) {
	if runtime.GOARCH != "amd64" {
		return nil, fmt.Errorf("the exec shim is written for amd64, not %s", runtime.GOARCH)
	}
	sum := sha256.Sum256(append(append([]byte(version+"\x00"), shimSource...), []byte(fmt.Sprint(shimFlags))...))
	path := filepath.Join(cacheDir, "shim", hex.EncodeToString(sum[:12]))
	if _, err := os.Stat(path); err != nil {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, err
		}
		src := path + ".c"
		if err := os.WriteFile(src, shimSource, 0o644); err != nil {
			return nil, err
		}
		defer os.Remove(src)
		tmp := path + ".tmp"
		var stderr bytes.Buffer
		cmd := exec.CommandContext(ctx, cc, append(append([]string{}, shimFlags...), "-o", tmp, src)...)
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil {
			return nil, fmt.Errorf("compile exec shim: %v: %s", err, stderr.String())
		}
		if err := os.Rename(tmp, path); err != nil {
			return nil, err
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return sealedMemfd("shim", data)
}
