package sandbox

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// pchHolder keeps the precompiled bits/stdc++.h (about 100 MB) on a tmpfs
// of its own, in a mount namespace of its own, for root-mode slots. A slot
// init enters a copy of that namespace and binds the header from there,
// so the header costs memory once per pool and the slot's mount table
// names no host path (a bind from the cache directory would show it, and
// with it the user's home). The holder is rlef itself, executed again
// (see holdPCH); it dies with the pool, and its tmpfs with it.
type pchHolder struct {
	// gen tells slots that saw this holder from older ones.
	gen int
	// ns is the holder's mount namespace; dir is the directory in it
	// that holds bits/stdc++.h.gch.
	ns  *os.File
	dir string
	// mountPoint is the host directory the tmpfs is mounted on (in the
	// holder's namespace only).
	mountPoint string
	cmd        *exec.Cmd
	lifeline   *os.File
}

// startPCHHolder starts a holder for the header at gch.
func startPCHHolder(gch string, gen int) (h *pchHolder, err error) {
	src, err := os.Open(gch)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	dir, err := os.MkdirTemp("", "rlef-pch-")
	if err != nil {
		return nil, err
	}
	h = &pchHolder{gen: gen, dir: dir, mountPoint: dir}
	defer func() {
		if err != nil {
			h.close()
		}
	}()
	readyR, readyW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	defer readyR.Close()
	lifeR, lifeW, err := os.Pipe()
	if err != nil {
		readyW.Close()
		return nil, err
	}
	h.lifeline = lifeW
	h.cmd = exec.Command("/proc/self/exe")
	h.cmd.Args = []string{"rlef-pch-holder"}
	h.cmd.Env = []string{initEnv + "=" + initPCHHolder, "RLEF_PCH_DIR=" + dir}
	h.cmd.ExtraFiles = []*os.File{src, readyW, lifeR}
	h.cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWNS, Setsid: true, Pdeathsig: syscall.SIGKILL}
	var out tailBuffer
	out.max = 4 << 10
	h.cmd.Stdout, h.cmd.Stderr = &out, &out
	err = h.cmd.Start()
	readyW.Close()
	lifeR.Close()
	if err != nil {
		return nil, fmt.Errorf("start the precompiled-header holder: %w", err)
	}
	if err := awaitHolder(readyR, &out); err != nil {
		return nil, err
	}
	if h.ns, err = os.Open(fmt.Sprintf("/proc/%d/ns/mnt", h.cmd.Process.Pid)); err != nil {
		return nil, fmt.Errorf("open the holder's mount namespace: %w", err)
	}
	return h, nil
}

// awaitHolder waits for the holder's "ok".
func awaitHolder(ready *os.File, out *tailBuffer) error {
	_ = ready.SetReadDeadline(time.Now().Add(60 * time.Second))
	buf := make([]byte, 2)
	if n, err := ready.Read(buf); n != 2 || err != nil {
		if err == nil {
			err = errors.New("no answer")
		}
		return fmt.Errorf("precompiled-header holder failed: %v: %s", err, out.String())
	}
	return nil
}

// close stops the holder; its tmpfs goes with its mount namespace.
func (h *pchHolder) close() {
	if h.ns != nil {
		h.ns.Close()
	}
	if h.lifeline != nil {
		h.lifeline.Close()
	}
	if h.cmd != nil && h.cmd.Process != nil {
		_ = h.cmd.Process.Kill()
		_ = h.cmd.Wait()
	}
	os.Remove(h.mountPoint)
}
