package llmtest

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"
	"time"
)

// Server is a fake OpenAI-compatible server. Its methods are safe for
// concurrent use.
type Server struct {
	// URL is the API root to give a client, e.g. "http://127.0.0.1:PORT/v1".
	URL string

	srv       *httptest.Server
	models    []string
	apiKey    string
	chunkSize int
	responder Responder

	mu          sync.Mutex
	queue       []Reply
	requests    []*Request
	inflight    int
	maxInflight int
	seq         int
}

// Option configures a Server.
type Option func(*Server)

// WithResponder sets the function that answers requests when the queue is
// empty.
func WithResponder(f Responder) Option { return func(s *Server) { s.responder = f } }

// WithModels sets the models the server serves: /v1/models lists them and
// a request for another model gets 404, as from vLLM. Without it every
// model name is accepted and /v1/models lists "test-model".
func WithModels(names ...string) Option { return func(s *Server) { s.models = names } }

// WithAPIKey makes the server require "Authorization: Bearer KEY". A
// request with another key gets 401 whose message quotes the key it sent:
// a careless client would leak it into its error messages, which is what
// tests of key handling need to catch.
func WithAPIKey(key string) Option { return func(s *Server) { s.apiKey = key } }

// WithChunkSize sets how many characters (runes) each streamed delta
// carries (default 8).
func WithChunkSize(n int) Option { return func(s *Server) { s.chunkSize = max(n, 1) } }

// New starts a server. Close it when done.
func New(opts ...Option) *Server {
	s := &Server{chunkSize: 8}
	for _, o := range opts {
		o(s)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/models", s.handleModels)
	mux.HandleFunc("POST /v1/chat/completions", func(w http.ResponseWriter, r *http.Request) { s.handleGenerate(w, r, true) })
	mux.HandleFunc("POST /v1/completions", func(w http.ResponseWriter, r *http.Request) { s.handleGenerate(w, r, false) })
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no route for %s %s", r.Method, r.URL.Path), nil)
	})
	s.srv = httptest.NewServer(mux)
	s.URL = s.srv.URL + "/v1"
	return s
}

// Close shuts the server down, ending open connections.
func (s *Server) Close() {
	s.srv.CloseClientConnections()
	s.srv.Close()
}

// Enqueue appends replies to the queue; each request takes the next one.
func (s *Server) Enqueue(replies ...Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.queue = append(s.queue, replies...)
}

// Queued returns the number of replies still queued.
func (s *Server) Queued() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.queue)
}

// Requests returns the generation requests received so far, in arrival
// order (failed ones included).
func (s *Server) Requests() []*Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// RequestCount returns the number of generation requests received.
func (s *Server) RequestCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.requests)
}

// InFlight returns the number of generation requests being handled now.
func (s *Server) InFlight() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.inflight
}

// MaxInFlight returns the largest number of generation requests that were
// handled at the same time.
func (s *Server) MaxInFlight() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.maxInflight
}

// Reset empties the queue and the request log and zeroes the in-flight
// peak.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.queue, s.requests, s.maxInflight = nil, nil, s.inflight
}

func (s *Server) handleModels(w http.ResponseWriter, r *http.Request) {
	if !s.authorized(w, r) {
		return
	}
	names := s.models
	if len(names) == 0 {
		names = []string{"test-model"}
	}
	type model struct {
		ID      string `json:"id"`
		Object  string `json:"object"`
		Created int64  `json:"created"`
		OwnedBy string `json:"owned_by"`
	}
	list := struct {
		Object string  `json:"object"`
		Data   []model `json:"data"`
	}{Object: "list"}
	for _, n := range names {
		list.Data = append(list.Data, model{ID: n, Object: "model", OwnedBy: "llmtest"})
	}
	writeJSON(w, http.StatusOK, list)
}

func (s *Server) authorized(w http.ResponseWriter, r *http.Request) bool {
	if s.apiKey == "" {
		return true
	}
	got := r.Header.Get("Authorization")
	if got == "Bearer "+s.apiKey {
		return true
	}
	writeErrorTyped(w, http.StatusUnauthorized, "invalid_request_error", "invalid_api_key",
		fmt.Sprintf("Incorrect API key provided: %q.", got), nil)
	return false
}

func (s *Server) handleGenerate(w http.ResponseWriter, r *http.Request, chat bool) {
	id := s.enter()
	defer s.leave()
	req, ok := s.accept(w, r, chat)
	if !ok {
		return
	}
	rep := s.next(req)
	if rep.Delay > 0 {
		t := time.NewTimer(rep.Delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	if writeScripted(w, rep) {
		return
	}
	g := generation{
		id:      id,
		chat:    chat,
		model:   req.Model,
		created: time.Now().Unix(),
		choices: rep.choices(req.N),
		usage:   rep.usage(req, chat),
	}
	if req.Stream {
		s.writeStream(w, g, req.IncludeUsage, rep.Fault == TruncateBody)
		return
	}
	b, _ := json.Marshal(g.body())
	writeRaw(w, http.StatusOK, b, rep.Fault == TruncateBody)
}

// enter counts a request in flight and returns its sequence number.
func (s *Server) enter() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.inflight++
	s.maxInflight = max(s.maxInflight, s.inflight)
	s.seq++
	return s.seq
}

func (s *Server) leave() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.inflight--
}

// accept records the request and checks its key, body and model,
// answering the error itself when one is wrong.
func (s *Server) accept(w http.ResponseWriter, r *http.Request, chat bool) (*Request, bool) {
	body, err := io.ReadAll(r.Body)
	req := &Request{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Body: body, ctx: r.Context()}
	s.mu.Lock()
	s.requests = append(s.requests, req)
	s.mu.Unlock()
	if err != nil {
		return nil, false // client went away
	}
	if !s.authorized(w, r) {
		return nil, false
	}
	if err := req.decode(chat); err != nil {
		writeError(w, http.StatusBadRequest, err.Error(), nil)
		return nil, false
	}
	if len(s.models) > 0 && !slices.Contains(s.models, req.Model) {
		writeErrorTyped(w, http.StatusNotFound, "NotFoundError", "model_not_found",
			fmt.Sprintf("The model `%s` does not exist.", req.Model), nil)
		return nil, false
	}
	return req, true
}

// writeScripted writes the reply's headers and, when the reply scripts
// one, its fault, raw body or error status; false leaves the generation
// to be written.
func writeScripted(w http.ResponseWriter, rep Reply) bool {
	for k, vs := range rep.Header {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	if rep.RetryAfter != "" {
		w.Header().Set("Retry-After", rep.RetryAfter)
	}
	switch {
	case rep.Fault == ResetConnection:
		resetConnection(w)
		return true
	case rep.Body != "":
		status := rep.Status
		if status == 0 {
			status = http.StatusOK
		}
		writeRaw(w, status, []byte(rep.Body), rep.Fault == TruncateBody)
		return true
	case rep.Status != 0 && rep.Status != http.StatusOK:
		msg := rep.Error
		if msg == "" {
			msg = http.StatusText(rep.Status)
		}
		writeError(w, rep.Status, msg, nil)
		return true
	}
	return false
}

// next pops the queue or asks the responder.
func (s *Server) next(req *Request) Reply {
	s.mu.Lock()
	if len(s.queue) > 0 {
		rep := s.queue[0]
		s.queue = s.queue[1:]
		s.mu.Unlock()
		return rep
	}
	s.mu.Unlock()
	if s.responder != nil {
		return s.responder(req)
	}
	return Reply{Text: DefaultText}
}

func (rep Reply) usage(req *Request, chat bool) usage {
	u := usage{PromptTokens: rep.PromptTokens, CompletionTokens: rep.CompletionTokens}
	if u.PromptTokens == 0 {
		if chat {
			for _, m := range req.Messages {
				u.PromptTokens += countWords(m.Content)
			}
		} else {
			u.PromptTokens = countWords(req.Prompt)
		}
	}
	if u.CompletionTokens == 0 {
		for _, c := range rep.choices(req.N) {
			u.CompletionTokens += countWords(c.Text)
			if chat {
				u.CompletionTokens += countWords(c.Reasoning)
			}
		}
	}
	u.TotalTokens = u.PromptTokens + u.CompletionTokens
	return u
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	writeRaw(w, status, b, false)
}

// writeRaw writes a JSON body; truncate sends half of it under the full
// Content-Length and drops the connection.
func writeRaw(w http.ResponseWriter, status int, body []byte, truncate bool) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	if !truncate {
		_, _ = w.Write(body)
		return
	}
	_, _ = w.Write(body[:len(body)/2])
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
	panic(http.ErrAbortHandler) // net/http drops the connection quietly
}

func writeError(w http.ResponseWriter, status int, msg string, h http.Header) {
	writeErrorTyped(w, status, "invalid_request_error", nil, msg, h)
}

func writeErrorTyped(w http.ResponseWriter, status int, typ string, code any, msg string, h http.Header) {
	for k, vs := range h {
		w.Header()[k] = vs
	}
	type apiErr struct {
		Message string `json:"message"`
		Type    string `json:"type"`
		Param   any    `json:"param"`
		Code    any    `json:"code"`
	}
	writeJSON(w, status, struct {
		Error apiErr `json:"error"`
	}{apiErr{Message: msg, Type: typ, Code: code}})
}

// resetConnection closes the client's connection with a TCP reset.
func resetConnection(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}
