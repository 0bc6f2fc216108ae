package llm

import (
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// RetryPolicy says how often and how long to retry.
type RetryPolicy struct {
	// MaxAttempts bounds the HTTP attempts per Generate call (default 6).
	MaxAttempts int
	// BaseDelay is the first backoff delay (default 500ms); it doubles per
	// retry up to MaxDelay (default 30s). The delay used is drawn uniformly
	// from [d/2, d] ("equal jitter").
	BaseDelay, MaxDelay time.Duration
	// MaxRetryAfter is the longest server-requested delay honoured (default
	// 2m); a longer Retry-After ends the retries with the server's error.
	MaxRetryAfter time.Duration
}

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = 6
	}
	if p.BaseDelay <= 0 {
		p.BaseDelay = 500 * time.Millisecond
	}
	if p.MaxDelay <= 0 {
		p.MaxDelay = 30 * time.Second
	}
	if p.MaxDelay < p.BaseDelay {
		p.MaxDelay = p.BaseDelay
	}
	if p.MaxRetryAfter <= 0 {
		p.MaxRetryAfter = 2 * time.Minute
	}
	return p
}

// backoff returns the delay before retry number retry (1 for the first
// retry). It never returns less than retryAfter; ok is false when
// retryAfter exceeds MaxRetryAfter. jitter returns a value in [0, 1).
func (p RetryPolicy) backoff(retry int, retryAfter time.Duration, jitter func() float64) (d time.Duration, ok bool) {
	if retryAfter > p.MaxRetryAfter {
		return 0, false
	}
	d = p.BaseDelay
	for i := 1; i < retry && d < p.MaxDelay; i++ {
		d *= 2
	}
	d = min(d, p.MaxDelay)
	d = d/2 + time.Duration(jitter()*float64(d/2))
	return max(d, retryAfter), true
}

func defaultJitter() float64 { return rand.Float64() }

// retryAfter reads the server's requested delay: retry-after-ms
// (milliseconds, as OpenAI sends), else Retry-After (seconds or an HTTP
// date, RFC 9110 §10.2.3).
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	if v := h.Get("Retry-After-Ms"); v != "" {
		if ms, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil && ms >= 0 && ms < 1e12 {
			return time.Duration(ms * float64(time.Millisecond)), true
		}
	}
	return ParseRetryAfter(h.Get("Retry-After"), now)
}

// ParseRetryAfter parses a Retry-After value: a non-negative number of
// seconds or an HTTP date (a date in the past gives 0). ok is false for an
// empty or malformed value.
func ParseRetryAfter(v string, now time.Time) (d time.Duration, ok bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if v[0] >= '0' && v[0] <= '9' {
		secs, err := strconv.ParseFloat(v, 64)
		if err != nil || secs < 0 || secs > 1e9 {
			return 0, false
		}
		return time.Duration(secs * float64(time.Second)), true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return max(t.Sub(now), 0), true
}
