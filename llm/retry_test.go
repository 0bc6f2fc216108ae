package llm

import (
	"net/http"
	"testing"
	"time"
)

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"1", time.Second, true},
		{" 120 ", 2 * time.Minute, true},
		{"0.5", 500 * time.Millisecond, true},
		{"0", 0, true},
		{"Sat, 01 Mar 2025 12:00:07 GMT", 7 * time.Second, true},
		{"Saturday, 01-Mar-25 12:00:03 GMT", 3 * time.Second, true}, // RFC 850
		{"Sat Mar  1 12:00:02 2025", 2 * time.Second, true},         // ANSI C
		{"Sat, 01 Mar 2025 11:00:00 GMT", 0, true},                  // in the past
		{"", 0, false},
		{"-1", 0, false},
		{"soon", 0, false},
		{"1e99", 0, false},
		{"12abc", 0, false},
	}
	for _, tt := range tests {
		got, ok := ParseRetryAfter(tt.in, now)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ParseRetryAfter(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestRetryAfterHeader(t *testing.T) {
	now := time.Now()
	h := http.Header{}
	h.Set("Retry-After", "3")
	if d, ok := retryAfter(h, now); !ok || d != 3*time.Second {
		t.Errorf("Retry-After: got %v %v", d, ok)
	}
	h.Set("retry-after-ms", "250")
	if d, ok := retryAfter(h, now); !ok || d != 250*time.Millisecond {
		t.Errorf("retry-after-ms wins: got %v %v", d, ok)
	}
	if _, ok := retryAfter(http.Header{}, now); ok {
		t.Error("no header: ok")
	}
}

func FuzzParseRetryAfter(f *testing.F) {
	for _, s := range []string{"1", "0.25", "Sat, 01 Mar 2025 12:00:07 GMT", "", "-3", "1e308", "NaN", "Inf"} {
		f.Add(s)
	}
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, v string) {
		d, ok := ParseRetryAfter(v, now)
		if d < 0 {
			t.Errorf("ParseRetryAfter(%q) = %v < 0", v, d)
		}
		if !ok && d != 0 {
			t.Errorf("ParseRetryAfter(%q) = %v with ok=false", v, d)
		}
	})
}

func TestBackoff(t *testing.T) {
	p := RetryPolicy{BaseDelay: 100 * time.Millisecond, MaxDelay: time.Second, MaxRetryAfter: 10 * time.Second}.withDefaults()
	lo := func() float64 { return 0 }
	hi := func() float64 { return 0.999999 }
	tests := []struct {
		retry      int
		retryAfter time.Duration
		jitter     func() float64
		want       time.Duration
	}{
		{1, 0, lo, 50 * time.Millisecond},
		{1, 0, hi, 100 * time.Millisecond},
		{2, 0, lo, 100 * time.Millisecond},
		{3, 0, hi, 400 * time.Millisecond},
		{10, 0, hi, time.Second}, // capped
		{60, 0, lo, 500 * time.Millisecond},
		{1, 3 * time.Second, lo, 3 * time.Second}, // Retry-After is a floor
	}
	for _, tt := range tests {
		d, ok := p.backoff(tt.retry, tt.retryAfter, tt.jitter)
		// allow rounding of the jittered half
		if !ok || d < tt.want-time.Millisecond || d > tt.want {
			t.Errorf("backoff(%d, %v) = %v, %v; want %v", tt.retry, tt.retryAfter, d, ok, tt.want)
		}
	}
	if _, ok := p.backoff(1, 11*time.Second, lo); ok {
		t.Error("Retry-After above MaxRetryAfter accepted")
	}
}
