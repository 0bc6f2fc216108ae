package llm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/rlef/rlef/internal/textclip"
)

// APIError is an HTTP error status from the model server.
type APIError struct {
	StatusCode int
	// Message is the server's error message (redacted of the API key).
	Message string
	// Type and Code are the OpenAI error fields, when present.
	Type, Code string
	// RetryAfter is the delay the server asked for (Retry-After or
	// retry-after-ms), zero if none.
	RetryAfter time.Duration
}

func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "server returned %d", e.StatusCode)
	if t := http.StatusText(e.StatusCode); t != "" {
		b.WriteString(" " + t)
	}
	if e.Message != "" {
		b.WriteString(": " + e.Message)
	}
	return b.String()
}

// Retryable reports whether the status is worth another attempt: 408,
// 409, 429 and 5xx.
func (e *APIError) Retryable() bool {
	switch e.StatusCode {
	case http.StatusRequestTimeout, http.StatusConflict, http.StatusTooManyRequests:
		return true
	}
	return e.StatusCode >= 500
}

// Overload reports whether the server said it is overloaded (429, 503):
// the concurrency limiter backs off.
func (e *APIError) Overload() bool {
	return e.StatusCode == http.StatusTooManyRequests || e.StatusCode == http.StatusServiceUnavailable
}

// maxErrorBody bounds how much of an error body is read and quoted.
const (
	maxErrorBody    = 64 << 10
	maxErrorMessage = 1000
)

// newAPIError builds an APIError from an error response. The body may be
// OpenAI's {"error": {...}}, a bare {"error": "..."} (TGI), {"message":
// ...} (older vLLM), {"detail": ...} (FastAPI) or plain text.
func newAPIError(res *http.Response, now time.Time) *APIError {
	body, _ := io.ReadAll(io.LimitReader(res.Body, maxErrorBody))
	e := &APIError{StatusCode: res.StatusCode}
	if d, ok := retryAfter(res.Header, now); ok {
		e.RetryAfter = d
	}
	e.Message, e.Type, e.Code = errorMessage(body)
	if len(e.Message) > maxErrorMessage {
		e.Message = textclip.Head(e.Message, maxErrorMessage) + "…"
	}
	return e
}

func errorMessage(body []byte) (msg, typ, code string) {
	var v struct {
		Error   json.RawMessage `json:"error"`
		Message json.RawMessage `json:"message"`
		Detail  json.RawMessage `json:"detail"`
	}
	if json.Unmarshal(body, &v) != nil {
		return strings.TrimSpace(string(body)), "", ""
	}
	if len(v.Error) > 0 {
		var obj struct {
			Message string          `json:"message"`
			Type    string          `json:"type"`
			Code    json.RawMessage `json:"code"`
		}
		if json.Unmarshal(v.Error, &obj) == nil && obj.Message != "" {
			return obj.Message, obj.Type, jsonText(obj.Code)
		}
		if s := jsonText(v.Error); s != "" {
			return s, "", ""
		}
	}
	for _, raw := range []json.RawMessage{v.Message, v.Detail} {
		if s := jsonText(raw); s != "" {
			return s, "", ""
		}
	}
	return strings.TrimSpace(string(body)), "", ""
}

// jsonText renders a JSON value as text: a string without quotes, anything
// else compactly.
func jsonText(raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(raw)
}

// errStreamIncomplete reports a stream that ended before every choice had
// a finish reason (no [DONE], connection dropped).
var errStreamIncomplete = errors.New("stream ended before the reply was complete")

// retryable reports whether err (from one attempt, whose parent context is
// still live) is worth another attempt. Everything that is not a clear
// client error is: timeouts, connection errors, truncated or malformed
// bodies, and retryable statuses.
func retryable(err error) bool {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Retryable()
	}
	return !errors.Is(err, context.Canceled)
}

// secret holds an API key. It never prints itself.
type secret string

func (secret) String() string               { return "[REDACTED]" }
func (secret) GoString() string             { return "[REDACTED]" }
func (secret) MarshalText() ([]byte, error) { return []byte("[REDACTED]"), nil }

// redact removes the key from s.
func (k secret) redact(s string) string {
	if len(k) < 4 { // too short to search for without mangling text
		return s
	}
	return strings.ReplaceAll(s, string(k), "[REDACTED]")
}

// redactedError wraps an error whose message had the key removed; it keeps
// the chain for errors.Is/As.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// redactErr returns err with the key removed from its message (and from an
// APIError's Message).
func (k secret) redactErr(err error) error {
	if err == nil || k == "" {
		return err
	}
	var ae *APIError
	if errors.As(err, &ae) {
		ae.Message = k.redact(ae.Message)
	}
	msg := err.Error()
	if r := k.redact(msg); r != msg {
		return &redactedError{msg: r, err: err}
	}
	return err
}
