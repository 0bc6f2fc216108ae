package llmtest

import (
	"net/http"
	"strings"
	"sync"
	"time"
)

// DefaultText is the answer when neither the queue nor a Responder gives
// one.
const DefaultText = "```python\nprint(\"hello\")\n```"

// Fault is a way for a reply to go wrong on the wire.
type Fault int

// Faults.
const (
	// NoFault answers normally.
	NoFault Fault = iota
	// ResetConnection closes the TCP connection with a reset and no
	// response.
	ResetConnection
	// TruncateBody announces the full body but sends only half of it (a
	// stream: half of its events and no [DONE]) and drops the connection.
	TruncateBody
)

// Choice is one generated answer.
type Choice struct {
	Text string
	// Reasoning goes to message.reasoning_content (chat only).
	Reasoning string
	// FinishReason defaults to "stop".
	FinishReason string
}

// Reply scripts the answer to one request.
type Reply struct {
	// Text, Reasoning and FinishReason give the answer for every one of the
	// request's n choices, unless Choices is set.
	Text         string
	Reasoning    string
	FinishReason string
	// Choices gives each choice its own answer; if the request asks for
	// more, the last one repeats.
	Choices []Choice
	// PromptTokens and CompletionTokens set the usage; zero counts
	// white-space separated words.
	PromptTokens, CompletionTokens int

	// Status, when not 0 or 200, answers with that HTTP status and an
	// OpenAI-shaped error body carrying Error (default: the status text).
	Status int
	Error  string
	// RetryAfter, when set, is sent as the Retry-After header.
	RetryAfter string
	// Header holds further response headers.
	Header http.Header
	// Body, when set, is sent verbatim as the response body (status Status
	// or 200), e.g. malformed JSON.
	Body string
	// Delay holds the answer back; it ends early if the client goes away.
	Delay time.Duration
	// Fault breaks the connection (see Fault).
	Fault Fault
}

// Text returns a reply with the given answer text.
func Text(s string) Reply { return Reply{Text: s} }

// Status returns an error reply.
func Status(code int, message string) Reply { return Reply{Status: code, Error: message} }

// RateLimit returns a 429 reply with the given Retry-After value ("" for
// none).
func RateLimit(retryAfter string) Reply {
	return Reply{Status: http.StatusTooManyRequests, Error: "Rate limit reached", RetryAfter: retryAfter}
}

// Responder answers a request. It runs on the server's handler goroutine
// and may block (honour r.Context() to end with the client).
type Responder func(r *Request) Reply

// Echo answers with the last user message (or the prompt).
func Echo() Responder {
	return func(r *Request) Reply { return Reply{Text: r.LastUser()} }
}

// choices expands a reply into n choices.
func (rep Reply) choices(n int) []Choice {
	n = max(n, 1)
	out := make([]Choice, n)
	for i := range out {
		switch {
		case len(rep.Choices) == 0:
			out[i] = Choice{Text: rep.Text, Reasoning: rep.Reasoning, FinishReason: rep.FinishReason}
		case i < len(rep.Choices):
			out[i] = rep.Choices[i]
		default:
			out[i] = rep.Choices[len(rep.Choices)-1]
		}
		if out[i].FinishReason == "" {
			out[i].FinishReason = "stop"
		}
	}
	return out
}

func countWords(s string) int { return len(strings.Fields(s)) }

// Barrier holds every request until n requests have arrived (counting from
// the Responder's creation), then answers each with then (DefaultText when
// nil). A request whose client goes away stops waiting. Tests use it to
// prove that n requests really are in flight at once.
func Barrier(n int, then Responder) Responder {
	var (
		mu      sync.Mutex
		arrived int
		all     = make(chan struct{})
	)
	return func(r *Request) Reply {
		mu.Lock()
		arrived++
		if arrived == n {
			close(all)
		}
		mu.Unlock()
		select {
		case <-all:
		case <-r.Context().Done():
			return Reply{Status: 499, Error: "client went away"}
		}
		if then == nil {
			return Reply{Text: DefaultText}
		}
		return then(r)
	}
}
