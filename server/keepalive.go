package server

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"sync"
	"time"
)

// keepAlive holds a slow response open. Once armed (the request was
// admitted, so no 504 can follow), it waits one interval; if the answer
// is not ready by then it commits status 200 and sends a space every
// interval until the answer is written. JSON allows leading whitespace,
// so the body still parses; clients whose time-out bounds each read
// (Python requests and urllib: verl's SandboxFusion client, OpenRLHF's
// older remote-reward client, rlef's shims) keep waiting for as long as
// the answer takes, however long the queue.
type keepAlive struct {
	w     http.ResponseWriter
	every time.Duration
	log   *slog.Logger

	// mu is held for every write, so that finish returns only when no
	// keep-alive write is under way.
	mu        sync.Mutex
	timer     *time.Timer // nil until armed
	committed bool        // status and headers are sent
	finished  bool
}

// newKeepAlive prepares a keep-alive for w; every <= 0 disables it.
func (s *Server) newKeepAlive(w http.ResponseWriter) *keepAlive {
	return &keepAlive{w: w, every: s.cfg.KeepAlive, log: s.log}
}

// arm starts the keep-alive; it is safe to call more than once.
func (k *keepAlive) arm() {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.timer != nil || k.finished || k.every <= 0 {
		return
	}
	k.timer = time.AfterFunc(k.every, k.tick)
}

// tick sends one space (committing status 200 first) and sets the next.
func (k *keepAlive) tick() {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.finished {
		return
	}
	if !k.committed {
		k.w.Header().Set("Content-Type", "application/json")
		k.w.WriteHeader(http.StatusOK)
		k.committed = true
	}
	_, err := k.w.Write([]byte{' '})
	if err == nil {
		err = http.NewResponseController(k.w).Flush()
	}
	if err != nil {
		k.log.Debug("keep-alive write", "err", err)
		return // the client is gone; the request's context ends too
	}
	k.timer.Reset(k.every)
}

// finish stops the keep-alive and reports whether it committed status
// 200 already. It may be called more than once.
func (k *keepAlive) finish() bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.finished = true
	if k.timer != nil {
		k.timer.Stop()
	}
	return k.committed
}

// write answers the request: as usual when nothing was sent yet, else
// (status 200 committed) the body alone. A committed response cannot
// change its status; callers only get here with a non-200 status when
// the client is gone.
func (k *keepAlive) write(status int, v any) {
	if !k.finish() {
		writeJSON(k.w, status, v)
		return
	}
	if status != http.StatusOK {
		k.log.Debug("answer after keep-alive", "status", status)
	}
	enc := json.NewEncoder(k.w)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		k.log.Debug("write response", "err", err)
	}
}
