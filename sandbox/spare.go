package sandbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// The supervisor's side of a slot's spare. With Python runs coming, every
// "ready" from the zygote carries the socket of a freshly forked spare;
// the supervisor waits on it for the spare's own "ready" report, sends the
// run request straight to the spare (one parse, no hop through the
// zygote), tells the zygote which processes to watch, and after the run
// reads the report the spare made just before the program's code ran.

// spareReadyTimeout bounds a spare's preparation.
const spareReadyTimeout = 30 * time.Second

// takeReady records a "ready" event and the spare socket it may carry.
func (s *slot) takeReady(ev zygoteEvent) error {
	s.ready = true
	s.dropSpare()
	if len(ev.SpareLimits) == 0 {
		ev.closeFiles()
		return nil
	}
	if len(ev.fds) != 1 || len(ev.SpareLimits) != 6 {
		ev.closeFiles()
		return fmt.Errorf("%w: slot %d: ready with %d descriptors and %d limits", errSlotProtocol, s.spec.index, len(ev.fds), len(ev.SpareLimits))
	}
	f := ev.fds[0]
	c, err := net.FileConn(f)
	f.Close()
	if err != nil {
		return fmt.Errorf("slot %d: spare socket: %w", s.spec.index, err)
	}
	uc, ok := c.(*net.UnixConn)
	if !ok {
		c.Close()
		return fmt.Errorf("%w: slot %d: spare socket is not a unix socket", errSlotProtocol, s.spec.index)
	}
	s.spare = uc
	copy(s.spareLimits[:], ev.SpareLimits)
	s.spareIdle = false
	return nil
}

// dropSpare forgets the spare; the zygote kills it on the next request.
func (s *slot) dropSpare() {
	if s.spare != nil {
		s.spare.Close()
		s.spare = nil
	}
	s.spareIdle = false
}

// readySpare makes sure a spare with these rlimits is waiting: one is
// asked for when the slot has none or one with other limits, and one
// that died while waiting is replaced once.
func (s *slot) readySpare(ctx context.Context, limits [6]int64) error {
	for attempt := 0; ; attempt++ {
		if s.spare == nil || s.spareLimits != limits {
			if err := s.askSpare(ctx, limits); err != nil {
				return err
			}
		}
		if s.spareIdle {
			return nil
		}
		rep, err := s.readSpareReport(ctx, spareReadyTimeout)
		if err == nil && rep.kind == reportReady {
			s.spareIdle = true
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		s.dropSpare()
		if attempt > 0 {
			if err == nil {
				err = fmt.Errorf("spare failed: %s", rep.err)
			}
			return fmt.Errorf("slot %d: no spare: %w", s.spec.index, err)
		}
	}
}

// askSpare asks the zygote for a spare with the given rlimits and waits
// for the "ready" that brings it.
func (s *slot) askSpare(ctx context.Context, limits [6]int64) error {
	s.dropSpare()
	msg, err := json.Marshal(map[string]any{"op": "spare", "limits": limits})
	if err != nil {
		return err
	}
	if _, err := s.ctrl.Write(msg); err != nil {
		return fmt.Errorf("slot %d: ask for a spare: %w", s.spec.index, err)
	}
	s.ready = false
	if err := s.awaitReady(ctx); err != nil {
		return err
	}
	if s.spare == nil {
		return fmt.Errorf("%w: slot %d: no spare came with ready", errSlotProtocol, s.spec.index)
	}
	return nil
}

// readSpareReport reads one report from the spare, waiting at most
// timeout.
func (s *slot) readSpareReport(ctx context.Context, timeout time.Duration) (spareReport, error) {
	if err := s.spare.SetReadDeadline(time.Now().Add(timeout)); err != nil {
		return spareReport{}, err
	}
	stop := context.AfterFunc(ctx, func() { s.spare.SetReadDeadline(time.Now()) })
	defer stop()
	buf := make([]byte, 4096)
	n, err := s.spare.Read(buf)
	switch {
	case err != nil && errors.Is(err, os.ErrDeadlineExceeded) && ctx.Err() != nil:
		return spareReport{}, ctx.Err()
	case err != nil && (errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, io.EOF)):
		return spareReport{}, errNoReport
	case err != nil:
		return spareReport{}, err
	}
	// A zero-length read is the spare's end of the socket closing.
	return decodeSpareReport(buf[:n])
}

// pendingSpareReport reads the report the spare left on its socket, if any,
// without waiting.
func (s *slot) pendingSpareReport() (spareReport, error) {
	rc, err := s.spare.SyscallConn()
	if err != nil {
		return spareReport{}, err
	}
	buf := make([]byte, 4096)
	var n int
	var rerr error
	if err := rc.Read(func(fd uintptr) bool {
		n, _, rerr = unix.Recvfrom(int(fd), buf, unix.MSG_DONTWAIT)
		return true
	}); err != nil {
		return spareReport{}, err
	}
	if errors.Is(rerr, unix.EAGAIN) {
		return spareReport{}, errNoReport
	}
	if rerr != nil {
		return spareReport{}, rerr
	}
	return decodeSpareReport(buf[:n])
}

// sendDirect sends a Python run to the spare, then tells the zygote,
// which watches the spare from then on and reports the run's end.
func (s *slot) sendDirect(msg []byte, fds []int, collect []string) error {
	if _, _, err := s.spare.WriteMsgUnix(msg, unix.UnixRights(fds...), nil); err != nil {
		return fmt.Errorf("to the spare: %w", err)
	}
	s.spareIdle = false
	notice := wireRequest{op: opDirectRun, kind: kindPython, exeFD: -1, id: uint32(s.runs), collect: collect}
	if _, err := s.ctrl.Write(notice.encode()); err != nil {
		return fmt.Errorf("to the zygote: %w", err)
	}
	return nil
}

// takeStartReport completes a direct run's exit event with what the spare
// reported before the program's code ran, and closes the spare's socket.
func (s *slot) takeStartReport(ev *zygoteEvent) {
	rep, err := s.pendingSpareReport()
	s.dropSpare()
	switch {
	case err == nil && rep.kind == reportStarted:
		ev.Started, ev.PreCPU = true, rep.a
	case err == nil && rep.kind == reportError:
		ev.Started, ev.SetupError = false, rep.err
	case err == nil:
		ev.Started, ev.SetupError = false, fmt.Sprintf("unexpected spare report %q", rep.kind)
	case errors.Is(err, errNoReport):
		// Died (or was killed for a limit) before its setup was done:
		// classify decides which.
		ev.Started = false
	default:
		ev.Started, ev.SetupError = false, "spare report: "+err.Error()
	}
}
