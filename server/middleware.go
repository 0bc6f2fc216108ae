package server

import (
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"
	"time"
)

// auth requires the configured token, compared in constant time (hashes
// of equal length are compared, so the token's length does not leak
// either). Clients that cannot send headers (verl's SandboxFusion client,
// OpenRLHF's remote reward client) may pass it as ?token=... in the URL
// they are configured with.
func (s *Server) auth(next http.Handler) http.Handler {
	if s.cfg.Token == "" {
		return next
	}
	want := sha256.Sum256([]byte(s.cfg.Token))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok {
			got = r.URL.Query().Get("token")
		}
		sum := sha256.Sum256([]byte(got))
		if got == "" || subtle.ConstantTimeCompare(sum[:], want[:]) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="rlef"`)
			writeDetail(w, http.StatusUnauthorized, "missing or wrong bearer token")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// statusWriter records the status code and size of a response.
type statusWriter struct {
	http.ResponseWriter
	code  int
	bytes int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// instrument counts requests, measures latency and in-flight requests per
// handler, and logs every request at debug level.
func (s *Server) instrument(name string, next http.Handler) http.Handler {
	inFlight := s.m.inFlight.WithLabelValues(name)
	latency := s.m.latency.WithLabelValues(name)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		inFlight.Inc()
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			inFlight.Dec()
			d := time.Since(start)
			if sw.code == 0 {
				sw.code = http.StatusOK
			}
			latency.Observe(d.Seconds())
			s.m.requests.WithLabelValues(name, strconv.Itoa(sw.code)).Inc()
			s.log.Debug("request", "method", r.Method, "path", r.URL.Path, "handler", name,
				"status", sw.code, "bytes", sw.bytes, "duration", d, "remote", r.RemoteAddr)
		}()
		next.ServeHTTP(sw, r)
	})
}

// recoverPanics turns a handler panic into SandboxFusion's (FastAPI's)
// 500 shape {"detail", "traceback"}.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil || v == http.ErrAbortHandler {
				if v != nil {
					panic(v)
				}
				return
			}
			stack := string(debug.Stack())
			s.log.Error("handler panic", "path", r.URL.Path, "panic", v, "stack", stack)
			writeJSON(w, http.StatusInternalServerError, map[string]string{
				"detail": fmt.Sprint(v), "traceback": stack,
			})
		}()
		next.ServeHTTP(w, r)
	})
}
