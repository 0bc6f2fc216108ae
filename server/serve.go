package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// DefaultAddr is where `rlef serve` listens: loopback only.
const DefaultAddr = "127.0.0.1:8080"

// Serve answers requests on ln until ctx is done, then shuts down
// gracefully: it stops accepting connections and waits up to grace for
// requests in flight to finish (their programs run to completion; request
// contexts are not cancelled by the shutdown). It returns nil after a
// clean shutdown.
func (s *Server) Serve(ctx context.Context, ln net.Listener, grace time.Duration) error {
	hs := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		// Request bodies are bounded by MaxBody; a slow client gets a
		// minute to send one.
		ReadTimeout: time.Minute,
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	s.log.Info("shutting down; finishing requests in flight", "grace", grace)
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), grace)
	defer cancel()
	err := hs.Shutdown(sctx)
	if serr := <-errc; serr != nil && !errors.Is(serr, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", serr)
	}
	if err != nil {
		hs.Close()
		return fmt.Errorf("shutdown after %s: %w", grace, err)
	}
	return nil
}
