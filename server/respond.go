package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
)

// writeJSON writes v with the given status. HTML characters are not
// escaped: program output travels as is (apart from invalid UTF-8, which
// becomes U+FFFD).
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		slog.Debug("write response", "err", err)
	}
}

// writeDetail writes FastAPI's error shape {"detail": msg}.
func writeDetail(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"detail": msg})
}

// writeValidation writes a 422 with FastAPI's {"detail": [...]} shape.
func writeValidation(w http.ResponseWriter, ve *ValidationError) {
	errs := make([]FieldError, len(ve.Errors))
	for i, e := range ve.Errors {
		// The input is echoed raw; keep the response valid UTF-8.
		e.Input = json.RawMessage(strings.ToValidUTF8(string(e.Input), "\uFFFD"))
		if len(e.Input) == 0 {
			e.Input = jsonNull
		}
		errs[i] = e
	}
	writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"detail": errs})
}

// errBodyTooLarge reports a request body over the server's limit.
var errBodyTooLarge = errors.New("request body too large")

// readBody reads a request body of at most limit bytes.
func readBody(w http.ResponseWriter, r *http.Request, limit int64) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, fmt.Errorf("%w (limit %d bytes)", errBodyTooLarge, limit)
		}
		return nil, fmt.Errorf("read request body: %w", err)
	}
	return body, nil
}

// writeBodyError answers a failed readBody.
func writeBodyError(w http.ResponseWriter, err error) {
	if errors.Is(err, errBodyTooLarge) {
		writeDetail(w, http.StatusRequestEntityTooLarge, err.Error())
		return
	}
	writeDetail(w, http.StatusBadRequest, err.Error())
}

// writeBusy answers a request the admission queue could not start in
// time: 504, which verl's SandboxFusion client retries (with 1 s and 2 s
// pauses) and OpenRLHF's remote-reward client retries too.
func writeBusy(w http.ResponseWriter, err error, retryAfter int) {
	w.Header().Set("Retry-After", strconv.Itoa(retryAfter))
	writeDetail(w, http.StatusGatewayTimeout, err.Error())
}

// decodeBody reads the request body and decodes it with dec, answering
// the client itself (413/400 for the body, 422 for schema errors, 400
// otherwise) when it cannot; ok reports whether the handler goes on.
func decodeBody[T any](s *Server, w http.ResponseWriter, r *http.Request, dec func([]byte) (T, error)) (v T, ok bool) {
	body, err := readBody(w, r, s.cfg.MaxBody)
	if err != nil {
		writeBodyError(w, err)
		return v, false
	}
	v, err = dec(body)
	if err != nil {
		if ve, isVal := asValidation(err); isVal {
			writeValidation(w, ve)
		} else {
			writeDetail(w, http.StatusBadRequest, err.Error())
		}
		return v, false
	}
	return v, true
}
