package llm

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestErrorMessage(t *testing.T) {
	tests := []struct{ body, msg, typ, code string }{
		{`{"error":{"message":"m","type":"t","code":"c"}}`, "m", "t", "c"},
		{`{"error":{"message":"m","code":400}}`, "m", "", "400"},
		{`{"error":"tgi says no","error_type":"validation"}`, "tgi says no", "", ""},
		{`{"object":"error","message":"old vllm","code":400}`, "old vllm", "", ""},
		{`{"detail":"Not Found"}`, "Not Found", "", ""},
		{`{"detail":[{"loc":["body"],"msg":"field required"}]}`, `[{"loc":["body"],"msg":"field required"}]`, "", ""},
		{`<html>502 Bad Gateway</html>`, "<html>502 Bad Gateway</html>", "", ""},
		{`{"error":null}`, `{"error":null}`, "", ""},
		{``, "", "", ""},
	}
	for _, tt := range tests {
		msg, typ, code := errorMessage([]byte(tt.body))
		if msg != tt.msg || typ != tt.typ || code != tt.code {
			t.Errorf("errorMessage(%s) = %q %q %q, want %q %q %q", tt.body, msg, typ, code, tt.msg, tt.typ, tt.code)
		}
	}
}

func TestNewAPIErrorBounds(t *testing.T) {
	res := &http.Response{
		StatusCode: 503,
		Header:     http.Header{"Retry-After": {"2"}},
		Body:       io.NopCloser(strings.NewReader(strings.Repeat("é", 100000))),
	}
	e := newAPIError(res, time.Now())
	if e.RetryAfter != 2*time.Second || !e.Retryable() || !e.Overload() {
		t.Errorf("%+v", e)
	}
	if len(e.Message) > maxErrorMessage+len("…") || !utf8.ValidString(e.Message) {
		t.Errorf("message of %d bytes", len(e.Message))
	}
	if !strings.HasPrefix(e.Error(), "server returned 503 Service Unavailable: ") {
		t.Errorf("Error() = %.60q", e.Error())
	}
}

func TestRetryableClassification(t *testing.T) {
	for code, want := range map[int]bool{400: false, 401: false, 403: false, 404: false, 422: false, 408: true, 409: true, 429: true, 500: true, 502: true, 503: true, 504: true} {
		if got := (&APIError{StatusCode: code}).Retryable(); got != want {
			t.Errorf("%d retryable = %v", code, got)
		}
	}
	if !retryable(errors.New("read: connection reset by peer")) || !retryable(io.ErrUnexpectedEOF) || !retryable(errStreamIncomplete) {
		t.Error("transport errors must be retryable")
	}
	if !retryable(fmt.Errorf("attempt timed out: %w", errors.New("context deadline exceeded"))) {
		t.Error("timeouts must be retryable")
	}
}

func TestSecretNeverPrints(t *testing.T) {
	k := secret("sk-abcdefgh")
	for _, s := range []string{fmt.Sprint(k), fmt.Sprintf("%v %+v %#v %s %q", k, k, k, k, k)} {
		if strings.Contains(s, "abcdefgh") {
			t.Errorf("secret printed: %s", s)
		}
	}
	err := k.redactErr(&APIError{StatusCode: 401, Message: "bad key sk-abcdefgh"})
	var ae *APIError
	if strings.Contains(err.Error(), "abcdefgh") || !errors.As(err, &ae) || strings.Contains(ae.Message, "abcdefgh") {
		t.Errorf("redactErr: %v", err)
	}
}

// FuzzErrorMessage feeds arbitrary error bodies: no panic, bounded and
// valid output for valid input.
func FuzzErrorMessage(f *testing.F) {
	for _, s := range []string{`{"error":{"message":"m"}}`, `{"error":"x"}`, `{"detail":[1,2]}`, `{"message":5}`, `[]`, `"s"`, `{`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		msg, _, _ := errorMessage(body)
		if len(msg) > len(body) {
			// jsonText re-encodes non-strings compactly: never longer.
			t.Errorf("message %q longer than body %q", msg, body)
		}
		if utf8.Valid(body) && !utf8.ValidString(msg) {
			t.Errorf("message %q not valid UTF-8", msg)
		}
	})
}
