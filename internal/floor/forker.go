package floor

import (
	_ "embed"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"os/exec"
)

//go:embed forker.py
var forkerSource string

// Forker is the sandbox's floor: a warm Python process (with the given
// modules imported) that compiles and runs a snippet in a child forked
// ahead of time, with no sandbox, limits or accounting (see forker.py).
// Use one per client; it is not safe for concurrent use.
type Forker struct {
	cmd *exec.Cmd
	in  *os.File // to the forker
	out *os.File // from the forker
}

// StartForker starts a forker for a Python snippet, importing preload
// first.
func StartForker(python, snippet string, preload ...string) (*Forker, error) {
	toR, toW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	fromR, fromW, err := os.Pipe()
	if err != nil {
		toR.Close()
		toW.Close()
		return nil, err
	}
	cmd := exec.Command(python, append([]string{"-s", "-c", forkerSource, snippet}, preload...)...)
	cmd.ExtraFiles = []*os.File{toR, fromW}
	cmd.Stderr = os.Stderr
	err = cmd.Start()
	toR.Close()
	fromW.Close()
	if err != nil {
		toW.Close()
		fromR.Close()
		return nil, fmt.Errorf("start the forker: %w", err)
	}
	return &Forker{cmd: cmd, in: toW, out: fromR}, nil
}

// Run runs the snippet once on stdin and returns its stdout.
func (f *Forker) Run(stdin []byte) ([]byte, error) {
	msg := binary.LittleEndian.AppendUint32(nil, uint32(len(stdin)))
	if _, err := f.in.Write(append(msg, stdin...)); err != nil {
		return nil, err
	}
	var hdr [4]byte
	if _, err := io.ReadFull(f.out, hdr[:]); err != nil {
		return nil, err
	}
	out := make([]byte, binary.LittleEndian.Uint32(hdr[:]))
	_, err := io.ReadFull(f.out, out)
	return out, err
}

// Close stops the forker.
func (f *Forker) Close() error {
	f.in.Close()
	f.out.Close()
	return f.cmd.Wait()
}
