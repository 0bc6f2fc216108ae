package llm

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rlef/rlef/llm/llmtest"
)

// testClient returns a client for srv that sleeps no time between retries
// and records the delays it was asked to wait.
type testClient struct {
	*OpenAI
	mu     sync.Mutex
	delays []time.Duration
}

func newTestClient(t testing.TB, srv *llmtest.Server, cfg Config) *testClient {
	t.Helper()
	cfg.BaseURL = srv.URL
	if cfg.Model == "" {
		cfg.Model = "test-model"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	tc := &testClient{OpenAI: c}
	c.sleep = func(ctx context.Context, d time.Duration) error {
		tc.mu.Lock()
		tc.delays = append(tc.delays, d)
		tc.mu.Unlock()
		return ctx.Err()
	}
	return tc
}

func profile(t testing.TB, name string) *Profile {
	t.Helper()
	p, err := LookupProfile(name)
	if err != nil {
		t.Fatal(err)
	}
	return &p
}

func user(s string) []Message { return []Message{{Role: RoleUser, Content: s}} }

func TestChatRequestAndResponse(t *testing.T) {
	t.Setenv("OPENAI_API_KEY", "sk-test-0123456789")
	srv := llmtest.New(llmtest.WithAPIKey("sk-test-0123456789"))
	defer srv.Close()
	srv.Enqueue(llmtest.Reply{
		Choices:      []llmtest.Choice{{Text: "one"}, {Text: "two", FinishReason: "length"}},
		PromptTokens: 11, CompletionTokens: 22,
	})
	c := newTestClient(t, srv, Config{Model: "m1"})
	resp, err := c.Generate(context.Background(), Request{
		Messages: []Message{{Role: RoleSystem, Content: "sys"}, {Role: RoleUser, Content: "hi"}},
		N:        2, Seed: Int64(7), Temperature: Float64(0.5), TopP: Float64(0.9), MaxTokens: 100,
		Stop: []string{"END"}, Extra: map[string]any{"top_k": 20},
	})
	if err != nil {
		t.Fatal(err)
	}
	got := srv.Requests()[0]
	if got.Path != "/v1/chat/completions" || got.Model != "m1" || got.N != 2 || *got.Seed != 7 ||
		*got.Temperature != 0.5 || *got.TopP != 0.9 || got.MaxTokens != 100 || got.Stop[0] != "END" ||
		got.Fields["top_k"] != 20.0 || len(got.Messages) != 2 || got.Messages[0].Role != "system" {
		t.Errorf("server saw %+v", got)
	}
	if got.Header.Get("Authorization") != "Bearer sk-test-0123456789" {
		t.Errorf("authorization header not sent")
	}
	if len(resp.Choices) != 2 || resp.Choices[0].Text != "one" || resp.Choices[1].Answer != "two" ||
		resp.Choices[1].FinishReason != "length" || !resp.Choices[1].Truncated || resp.Choices[0].Truncated {
		t.Errorf("choices %+v", resp.Choices)
	}
	if resp.Usage.PromptTokens != 11 || resp.Usage.CompletionTokens != 22 || resp.ServerModel != "m1" ||
		resp.Attempts != 1 || resp.Latency <= 0 || resp.Cached || resp.ID == "" {
		t.Errorf("response %+v", resp)
	}
}

func TestProfileDefaultsReachTheServer(t *testing.T) {
	srv := llmtest.New()
	defer srv.Close()
	c := newTestClient(t, srv, Config{Profile: profile(t, "deepseek-r1")})
	_, err := c.Generate(context.Background(), Request{Messages: []Message{
		{Role: RoleSystem, Content: "Be terse."},
		{Role: RoleUser, Content: "Solve it."},
		{Role: RoleAssistant, Content: "<think>secret plan</think>\n```python\nprint(1)\n```", Reasoning: "more secrets"},
		{Role: RoleUser, Content: "Your code failed."},
	}})
	if err != nil {
		t.Fatal(err)
	}
	got := srv.Requests()[0]
	if *got.Temperature != 0.6 || *got.TopP != 0.95 || got.MaxTokens != 32768 {
		t.Errorf("sampling %v %v %d", *got.Temperature, *got.TopP, got.MaxTokens)
	}
	want := []llmtest.Message{
		{Role: "user", Content: "Be terse.\n\nSolve it."},
		{Role: "assistant", Content: "```python\nprint(1)\n```"},
		{Role: "user", Content: "Your code failed."},
	}
	if fmt.Sprint(got.Messages) != fmt.Sprint(want) {
		t.Errorf("messages sent\n%q\nwant\n%q", got.Messages, want)
	}
	if strings.Contains(string(got.Body), "secret") {
		t.Errorf("reasoning sent back: %s", got.Body)
	}
}

func TestReasoningSeparation(t *testing.T) {
	srv := llmtest.New()
	defer srv.Close()
	c := newTestClient(t, srv, Config{Profile: profile(t, "deepseek-r1")})
	tests := []struct {
		name              string
		reply             llmtest.Reply
		stream            bool
		answer, reasoning string
		truncated         bool
	}{
		{name: "reasoning_content field", reply: llmtest.Reply{Text: "\n\nfinal", Reasoning: "plan"}, answer: "final", reasoning: "plan"},
		{name: "reasoning_content streamed", reply: llmtest.Reply{Text: "final", Reasoning: "a long plan"}, stream: true, answer: "final", reasoning: "a long plan"},
		{name: "think tags in content", reply: llmtest.Reply{Text: "<think>\nplan ```python\nbad\n```\n</think>\n\n```python\ngood\n```"}, answer: "```python\ngood\n```", reasoning: "plan ```python\nbad\n```"},
		{name: "forced think prefix", reply: llmtest.Reply{Text: "plan\n</think>\nfinal"}, answer: "final", reasoning: "plan"},
		{name: "unterminated think", reply: llmtest.Reply{Text: "<think>\nstill going ```python\nx = 1", FinishReason: "length"}, answer: "", reasoning: "still going ```python\nx = 1", truncated: true},
		{name: "cut in forced think", reply: llmtest.Reply{Text: "still going", FinishReason: "length"}, answer: "", reasoning: "still going", truncated: true},
		{name: "server split, cut while reasoning", reply: llmtest.Reply{Reasoning: "still going", FinishReason: "length"}, stream: true, answer: "", reasoning: "still going", truncated: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv.Enqueue(tt.reply)
			resp, err := c.Generate(context.Background(), Request{Messages: user("q"), Stream: tt.stream})
			if err != nil {
				t.Fatal(err)
			}
			ch := resp.Choices[0]
			if ch.Answer != tt.answer || ch.Reasoning != tt.reasoning || ch.Truncated != tt.truncated {
				t.Errorf("answer %q reasoning %q truncated %v; want %q %q %v", ch.Answer, ch.Reasoning, ch.Truncated, tt.answer, tt.reasoning, tt.truncated)
			}
		})
	}
}

func TestStreaming(t *testing.T) {
	srv := llmtest.New(llmtest.WithChunkSize(2))
	defer srv.Close()
	c := newTestClient(t, srv, Config{})
	text := "```python\nprint('héllo')\n```"
	srv.Enqueue(llmtest.Reply{Choices: []llmtest.Choice{{Text: text}, {Text: "second", FinishReason: "length"}}, PromptTokens: 3, CompletionTokens: 9})
	resp, err := c.Generate(context.Background(), Request{Messages: user("q"), N: 2, Stream: true})
	if err != nil {
		t.Fatal(err)
	}
	req := srv.Requests()[0]
	if !req.Stream || !req.IncludeUsage {
		t.Errorf("stream %v include_usage %v", req.Stream, req.IncludeUsage)
	}
	if len(resp.Choices) != 2 || resp.Choices[0].Text != text || resp.Choices[1].Text != "second" ||
		resp.Choices[0].FinishReason != "stop" || resp.Choices[1].FinishReason != "length" {
		t.Errorf("choices %+v", resp.Choices)
	}
	if resp.Usage.PromptTokens != 3 || resp.Usage.CompletionTokens != 9 || resp.ID == "" {
		t.Errorf("usage %+v id %q", resp.Usage, resp.ID)
	}

	// Completions endpoint.
	srv.Enqueue(llmtest.Reply{Text: "abc def"})
	resp, err = c.Generate(context.Background(), Request{API: APICompletion, Prompt: "p", Stream: true})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Choices[0].Text != "abc def" || srv.Requests()[1].Path != "/v1/completions" {
		t.Errorf("completion stream: %+v", resp.Choices)
	}
}

func TestBaseProfileFewShot(t *testing.T) {
	srv := llmtest.New()
	defer srv.Close()
	c := newTestClient(t, srv, Config{Profile: profile(t, "base")})
	// The server ignores stop sequences: the client still cuts the reply.
	srv.Enqueue(llmtest.Reply{Text: " ```python\nprint(2)\n```\n||\n[USER] more"})
	example := []Message{{Role: RoleUser, Content: "ex problem"}, {Role: RoleAssistant, Content: "ex answer"}}
	resp, err := c.Generate(context.Background(), Request{
		Messages: []Message{{Role: RoleSystem, Content: "sys"}, {Role: RoleUser, Content: "problem"}},
		FewShot:  [][]Message{example},
	})
	if err != nil {
		t.Fatal(err)
	}
	req := srv.Requests()[0]
	wantPrompt := "[USER] ex problem\n||\n[ASSISTANT] ex answer\n||\n\n[USER] sys\n\nproblem\n||\n[ASSISTANT]"
	if req.Path != "/v1/completions" || req.Prompt != wantPrompt {
		t.Errorf("path %s prompt\n%q\nwant\n%q", req.Path, req.Prompt, wantPrompt)
	}
	if fmt.Sprint(req.Stop) != fmt.Sprint([]string{"\n||", "\n[USER]"}) || req.MaxTokens != 2048 || *req.Temperature != 0.2 {
		t.Errorf("stop %q max %d temp %v", req.Stop, req.MaxTokens, *req.Temperature)
	}
	if got := resp.Choices[0].Answer; got != "```python\nprint(2)\n```" {
		t.Errorf("answer %q", got)
	}
}

func TestCompletionWithChatTemplate(t *testing.T) {
	srv := llmtest.New()
	defer srv.Close()
	c := newTestClient(t, srv, Config{Profile: profile(t, "deepseek-r1")})
	srv.Enqueue(llmtest.Reply{Text: "plan\n</think>\n\nanswer"})
	resp, err := c.Generate(context.Background(), Request{API: APICompletion, Messages: user("q")})
	if err != nil {
		t.Fatal(err)
	}
	req := srv.Requests()[0]
	if req.Prompt != "<｜User｜>q<｜Assistant｜><think>\n" || req.Stop[0] != "<｜end▁of▁sentence｜>" {
		t.Errorf("prompt %q stop %q", req.Prompt, req.Stop)
	}
	if ch := resp.Choices[0]; ch.Answer != "answer" || ch.Reasoning != "plan" {
		t.Errorf("choice %+v", ch)
	}
}

func TestRetryAfterHonoured(t *testing.T) {
	srv := llmtest.New()
	defer srv.Close()
	c := newTestClient(t, srv, Config{})
	c.sleep = sleepCtx // real time: the test measures the wait
	srv.Enqueue(llmtest.RateLimit("1"), llmtest.Text("ok"))
	start := time.Now()
	resp, err := c.Generate(context.Background(), Request{Messages: user("q")})
	if err != nil {
		t.Fatal(err)
	}
	if waited := time.Since(start); waited < time.Second {
		t.Errorf("second attempt after %v, server asked for 1s", waited)
	}
	if resp.Attempts != 2 || resp.Choices[0].Text != "ok" || srv.RequestCount() != 2 {
		t.Errorf("attempts %d text %q requests %d", resp.Attempts, resp.Choices[0].Text, srv.RequestCount())
	}
}

func TestRetryAfterFloorsBackoff(t *testing.T) {
	srv := llmtest.New()
	defer srv.Close()
	c := newTestClient(t, srv, Config{Retry: RetryPolicy{BaseDelay: time.Millisecond}})
	date := time.Now().Add(30 * time.Second).UTC().Format(http.TimeFormat)
	srv.Enqueue(llmtest.RateLimit("7"), llmtest.Reply{Status: 503, RetryAfter: date},
		llmtest.Reply{Status: 500, Header: http.Header{"Retry-After-Ms": {"1500"}}}, llmtest.Text("ok"))
	resp, err := c.Generate(context.Background(), Request{Messages: user("q")})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Attempts != 4 || len(c.delays) != 3 {
		t.Fatalf("attempts %d delays %v", resp.Attempts, c.delays)
	}
	if c.delays[0] < 7*time.Second || c.delays[1] < 28*time.Second || c.delays[2] < 1500*time.Millisecond {
		t.Errorf("delays %v, want at least 7s, ~30s, 1.5s", c.delays)
	}
}

func TestRetriesTransientFailures(t *testing.T) {
	faults := map[string]llmtest.Reply{
		"500":              {Status: 500},
		"502":              {Status: 502},
		"503":              {Status: 503},
		"408":              {Status: 408},
		"409":              {Status: 409},
		"429 no header":    llmtest.RateLimit(""),
		"malformed json":   {Body: `{"id": "x", "choices": [`},
		"no choices":       {Body: `{"id": "x", "choices": []}`},
		"truncated body":   {Text: strings.Repeat("x", 500), Fault: llmtest.TruncateBody},
		"connection reset": {Fault: llmtest.ResetConnection},
	}
	for name, fault := range faults {
		for _, stream := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/stream=%v", name, stream), func(t *testing.T) {
				srv := llmtest.New()
				defer srv.Close()
				c := newTestClient(t, srv, Config{})
				srv.Enqueue(fault, llmtest.Text("ok"))
				resp, err := c.Generate(context.Background(), Request{Messages: user("q"), Stream: stream})
				if err != nil {
					t.Fatal(err)
				}
				if resp.Choices[0].Text != "ok" || resp.Attempts != 2 || len(c.delays) != 1 {
					t.Errorf("text %q attempts %d delays %v", resp.Choices[0].Text, resp.Attempts, c.delays)
				}
			})
		}
	}
}

func TestTruncatedStreamRetried(t *testing.T) {
	srv := llmtest.New(llmtest.WithChunkSize(1))
	defer srv.Close()
	c := newTestClient(t, srv, Config{})
	srv.Enqueue(llmtest.Reply{Text: "abcdefghijkl", Fault: llmtest.TruncateBody}, llmtest.Text("whole"))
	resp, err := c.Generate(context.Background(), Request{Messages: user("q"), Stream: true})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Choices[0].Text != "whole" || resp.Attempts != 2 {
		t.Errorf("text %q attempts %d", resp.Choices[0].Text, resp.Attempts)
	}
}

func TestFailFast(t *testing.T) {
	tests := []struct {
		name   string
		reply  llmtest.Reply
		status int
		msg    string
	}{
		{"400 openai shape", llmtest.Status(400, "max_tokens is too large"), 400, "max_tokens is too large"},
		{"401", llmtest.Status(401, "bad key"), 401, "bad key"},
		{"404", llmtest.Status(404, "The model `x` does not exist."), 404, "does not exist"},
		{"422", llmtest.Status(422, "unprocessable"), 422, "unprocessable"},
		{"TGI shape", llmtest.Reply{Status: 400, Body: `{"error":"Input validation error: inputs too long","error_type":"validation"}`}, 400, "inputs too long"},
		{"vLLM old shape", llmtest.Reply{Status: 400, Body: `{"object":"error","message":"context length exceeded","code":400}`}, 400, "context length exceeded"},
		{"FastAPI shape", llmtest.Reply{Status: 404, Body: `{"detail":"Not Found"}`}, 404, "Not Found"},
		{"plain text", llmtest.Reply{Status: 400, Body: `bad request body`}, 400, "bad request body"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := llmtest.New()
			defer srv.Close()
			c := newTestClient(t, srv, Config{})
			srv.Enqueue(tt.reply, llmtest.Text("must not be reached"))
			_, err := c.Generate(context.Background(), Request{Messages: user("q")})
			var ae *APIError
			if !errors.As(err, &ae) || ae.StatusCode != tt.status {
				t.Fatalf("err %v, want APIError %d", err, tt.status)
			}
			if !strings.Contains(err.Error(), tt.msg) || !strings.Contains(err.Error(), "test-model") {
				t.Errorf("error %q lacks the server message %q or the model", err, tt.msg)
			}
			if srv.RequestCount() != 1 || len(c.delays) != 0 {
				t.Errorf("%d requests, delays %v: a client error was retried", srv.RequestCount(), c.delays)
			}
		})
	}
	// A real 404 from the fake for an unknown model.
	srv := llmtest.New(llmtest.WithModels("served"))
	defer srv.Close()
	c := newTestClient(t, srv, Config{Model: "other"})
	if _, err := c.Generate(context.Background(), Request{Messages: user("q")}); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("unknown model: %v", err)
	}
}

func TestAPIKeyNeverLeaks(t *testing.T) {
	const key = "sk-live-DO-NOT-LEAK-4f9a8b7c6d"
	t.Setenv("RLEF_TEST_KEY", key)
	srv := llmtest.New(llmtest.WithAPIKey("sk-the-right-one")) // its 401 quotes the key it got
	defer srv.Close()
	var logs strings.Builder
	c := newTestClient(t, srv, Config{APIKeyEnv: "RLEF_TEST_KEY", Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})

	_, err := c.Generate(context.Background(), Request{Messages: user("q")})
	if err == nil {
		t.Fatal("401 not reported")
	}
	if got := srv.Requests()[0].Header.Get("Authorization"); got != "Bearer "+key {
		t.Fatalf("key not sent: %q", got)
	}
	var ae *APIError
	if !errors.As(err, &ae) || ae.StatusCode != 401 {
		t.Fatalf("err %v, want a 401 APIError", err)
	}
	for what, s := range map[string]string{
		"error":      err.Error(),
		"error %+v":  fmt.Sprintf("%+v", err),
		"APIError":   ae.Error() + ae.Message,
		"client %v":  fmt.Sprintf("%v", c.OpenAI),
		"client %+v": fmt.Sprintf("%+v", c.OpenAI),
		"client %#v": fmt.Sprintf("%#v", c.OpenAI),
		"logs":       logs.String(),
		"profile":    fmt.Sprintf("%+v", c.Profile()),
	} {
		if strings.Contains(s, key) || strings.Contains(s, key[8:]) {
			t.Errorf("%s leaks the key: %s", what, s)
		}
	}
	if !strings.Contains(err.Error(), "[REDACTED]") {
		t.Errorf("error %q: expected the server's quote of the key to be redacted", err)
	}
}

func TestAPIKeyNotInCacheKey(t *testing.T) {
	r := Request{API: APIChat, Model: "m", Messages: user("q"), Seed: Int64(1)}
	k1, _ := CacheKey("http://x/v1", r)
	t.Setenv("OPENAI_API_KEY", "sk-one-0000000000")
	k2, _ := CacheKey("http://x/v1", r)
	if k1 != k2 {
		t.Error("cache key depends on the environment")
	}
	srv := llmtest.New()
	defer srv.Close()
	mc := &MemoryCache{}
	t.Setenv("OPENAI_API_KEY", "sk-one-0000000000")
	c1 := newTestClient(t, srv, Config{Cache: mc})
	t.Setenv("OPENAI_API_KEY", "sk-two-1111111111")
	c2 := newTestClient(t, srv, Config{Cache: mc})
	ctx := context.Background()
	if _, err := c1.Generate(ctx, r); err != nil {
		t.Fatal(err)
	}
	resp, err := c2.Generate(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	if !resp.Cached || srv.RequestCount() != 1 {
		t.Errorf("a different key missed the cache: cached %v, %d requests", resp.Cached, srv.RequestCount())
	}
}

func TestRedactsServerEchoInRetriedErrors(t *testing.T) {
	const key = "sk-live-echo-0123456789abcdef"
	t.Setenv("RLEF_TEST_KEY", key)
	srv := llmtest.New()
	defer srv.Close()
	var logs strings.Builder
	c := newTestClient(t, srv, Config{APIKeyEnv: "RLEF_TEST_KEY", Retry: RetryPolicy{MaxAttempts: 2},
		Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	srv.Enqueue(llmtest.Status(500, "upstream got key "+key), llmtest.Status(502, "again "+key))
	_, err := c.Generate(context.Background(), Request{Messages: user("q")})
	if err == nil {
		t.Fatal("no error")
	}
	if strings.Contains(err.Error(), key) || strings.Contains(logs.String(), key) {
		t.Errorf("key leaked:\nerr: %v\nlogs: %s", err, logs.String())
	}
}

func TestAPIKeyEnv(t *testing.T) {
	if _, err := New(Config{BaseURL: "http://127.0.0.1:1/v1", APIKeyEnv: "RLEF_SURELY_UNSET_VAR"}); err == nil ||
		!strings.Contains(err.Error(), "RLEF_SURELY_UNSET_VAR") {
		t.Errorf("missing named key variable: %v", err)
	}
	// The default variable may be missing (local servers): no header then.
	t.Setenv("OPENAI_API_KEY", "")
	srv := llmtest.New()
	defer srv.Close()
	c := newTestClient(t, srv, Config{})
	if _, err := c.Generate(context.Background(), Request{Messages: user("q")}); err != nil {
		t.Fatal(err)
	}
	if h := srv.Requests()[0].Header.Get("Authorization"); h != "" {
		t.Errorf("authorization %q without a key", h)
	}
}

func TestLibraryEnvironmentIgnored(t *testing.T) {
	t.Setenv("OPENAI_BASE_URL", "http://127.0.0.1:1/v1")
	t.Setenv("OPENAI_ORG_ID", "org-should-not-be-sent")
	srv := llmtest.New()
	defer srv.Close()
	c := newTestClient(t, srv, Config{})
	if _, err := c.Generate(context.Background(), Request{Messages: user("q")}); err != nil {
		t.Fatal(err)
	}
	if h := srv.Requests()[0].Header.Get("OpenAI-Organization"); h != "" {
		t.Errorf("OPENAI_ORG_ID leaked into the request: %q", h)
	}
}

func TestCache(t *testing.T) {
	srv := llmtest.New(llmtest.WithResponder(func(r *llmtest.Request) llmtest.Reply {
		return llmtest.Text(fmt.Sprintf("<think>r</think>answer %d", len(r.Messages)))
	}))
	defer srv.Close()
	mc := &MemoryCache{}
	c := newTestClient(t, srv, Config{Cache: mc, Profile: profile(t, "deepseek-r1")})
	ctx := context.Background()
	seeded := Request{Messages: user("q"), Seed: Int64(42)}

	first, err := c.Generate(ctx, seeded)
	if err != nil {
		t.Fatal(err)
	}
	seeded.Stream = true // streaming does not change the answer
	second, err := c.Generate(ctx, seeded)
	if err != nil {
		t.Fatal(err)
	}
	if srv.RequestCount() != 1 {
		t.Fatalf("%d HTTP requests, want 1", srv.RequestCount())
	}
	if first.Cached || !second.Cached || second.Attempts != 0 {
		t.Errorf("cached flags: first %v second %v attempts %d", first.Cached, second.Cached, second.Attempts)
	}
	if second.Choices[0].Answer != "answer 1" || second.Choices[0].Reasoning != "r" {
		t.Errorf("cached choice %+v (reasoning must not double)", second.Choices[0])
	}
	// Mutating a returned response does not touch the cache.
	second.Choices[0].Text = "mutated"
	third, _ := c.Generate(ctx, seeded)
	if third.Choices[0].Text == "mutated" {
		t.Error("cache shares memory with callers")
	}

	for name, r := range map[string]Request{
		"other seed":         {Messages: user("q"), Seed: Int64(43)},
		"other messages":     {Messages: user("q2"), Seed: Int64(42)},
		"other temperature":  {Messages: user("q"), Seed: Int64(42), Temperature: Float64(0.1)},
		"other extra":        {Messages: user("q"), Seed: Int64(42), Extra: map[string]any{"top_k": 5}},
		"unseeded sampled":   {Messages: user("q")},
		"no cache requested": {Messages: user("q"), Seed: Int64(42), NoCache: true},
	} {
		before := srv.RequestCount()
		resp, err := c.Generate(ctx, r)
		if err != nil {
			t.Fatal(err)
		}
		if resp.Cached || srv.RequestCount() != before+1 {
			t.Errorf("%s: served from cache", name)
		}
	}
	// Greedy requests are cacheable without a seed.
	greedy := Request{Messages: user("g"), Temperature: Float64(0)}
	c.Generate(ctx, greedy)
	if resp, _ := c.Generate(ctx, greedy); !resp.Cached {
		t.Error("greedy request not cached")
	}
}

func TestCacheKeyCanonical(t *testing.T) {
	a := Request{API: APIChat, Model: "m", Messages: user("q"), Extra: map[string]any{"b": 1, "a": map[string]any{"y": 2, "x": 1}}}
	b := Request{API: APIChat, Model: "m", Messages: user("q"), Extra: map[string]any{"a": map[string]any{"x": 1, "y": 2}, "b": 1}, Stream: true}
	ka, _ := CacheKey("u", a)
	kb, _ := CacheKey("u", b)
	if ka != kb || len(ka) != 64 {
		t.Errorf("keys %s %s", ka, kb)
	}
	b.N = 1 // n=1 is the default
	if kb, _ = CacheKey("u", b); ka != kb {
		t.Error("n=0 and n=1 differ")
	}
	for name, mod := range map[string]func(*Request){
		"model":  func(r *Request) { r.Model = "m2" },
		"api":    func(r *Request) { r.API = APICompletion },
		"role":   func(r *Request) { r.Messages = []Message{{Role: RoleSystem, Content: "q"}} },
		"stop":   func(r *Request) { r.Stop = []string{"x"} },
		"max":    func(r *Request) { r.MaxTokens = 5 },
		"top_p":  func(r *Request) { r.TopP = Float64(0.5) },
		"prompt": func(r *Request) { r.Prompt = "p" },
	} {
		r := a
		mod(&r)
		if k, _ := CacheKey("u", r); k == ka {
			t.Errorf("%s does not change the key", name)
		}
	}
	if k, _ := CacheKey("other-url", a); k == ka {
		t.Error("base URL does not change the key")
	}
}

func TestConcurrencyNInFlight(t *testing.T) {
	const n = 8
	srv := llmtest.New(llmtest.WithResponder(llmtest.Barrier(n, nil)))
	defer srv.Close()
	c := newTestClient(t, srv, Config{Concurrency: n})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.Generate(ctx, Request{Messages: user("q")})
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if got := srv.MaxInFlight(); got != n {
		t.Errorf("server saw at most %d requests at once, want %d", got, n)
	}
}

func TestConcurrencyBounded(t *testing.T) {
	const limit, total = 3, 12
	srv := llmtest.New(llmtest.WithResponder(func(r *llmtest.Request) llmtest.Reply {
		return llmtest.Reply{Text: "x", Delay: 5 * time.Millisecond}
	}))
	defer srv.Close()
	c := newTestClient(t, srv, Config{Concurrency: limit})
	var wg sync.WaitGroup
	for range total {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := c.Generate(context.Background(), Request{Messages: user("q")}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if got := srv.MaxInFlight(); got > limit {
		t.Errorf("server saw %d in flight, limit %d", got, limit)
	}
}

func TestLimiterHalvesOn429(t *testing.T) {
	srv := llmtest.New()
	defer srv.Close()
	c := newTestClient(t, srv, Config{Concurrency: 8})
	srv.Enqueue(llmtest.RateLimit("0"), llmtest.Text("ok"))
	if _, err := c.Generate(context.Background(), Request{Messages: user("q")}); err != nil {
		t.Fatal(err)
	}
	if got := c.Limiter().Limit(); got != 4 {
		t.Errorf("limit after one 429 and one success: %d, want 4", got)
	}
	for range 100 {
		if _, err := c.Generate(context.Background(), Request{Messages: user("q")}); err != nil {
			t.Fatal(err)
		}
	}
	if got := c.Limiter().Limit(); got != 8 {
		t.Errorf("limit after 100 successes: %d, want back at 8", got)
	}
}

func TestGivesUp(t *testing.T) {
	srv := llmtest.New(llmtest.WithResponder(func(*llmtest.Request) llmtest.Reply { return llmtest.Status(500, "boom") }))
	defer srv.Close()
	c := newTestClient(t, srv, Config{Retry: RetryPolicy{MaxAttempts: 3, BaseDelay: 100 * time.Millisecond, MaxDelay: 150 * time.Millisecond}})
	_, err := c.Generate(context.Background(), Request{Messages: user("q")})
	if err == nil || !strings.Contains(err.Error(), "giving up after 3 attempts") || !strings.Contains(err.Error(), "boom") {
		t.Errorf("err %v", err)
	}
	if srv.RequestCount() != 3 || len(c.delays) != 2 {
		t.Errorf("%d requests, delays %v", srv.RequestCount(), c.delays)
	}
	// Backoff: first in [50ms,100ms], second capped at 150ms, in [75ms,150ms].
	if d := c.delays; d[0] < 50*time.Millisecond || d[0] > 100*time.Millisecond || d[1] < 75*time.Millisecond || d[1] > 150*time.Millisecond {
		t.Errorf("delays %v", d)
	}
}

func TestRetryAfterTooLong(t *testing.T) {
	srv := llmtest.New()
	defer srv.Close()
	c := newTestClient(t, srv, Config{Retry: RetryPolicy{MaxRetryAfter: time.Minute}})
	srv.Enqueue(llmtest.RateLimit("3600"))
	_, err := c.Generate(context.Background(), Request{Messages: user("q")})
	var ae *APIError
	if !errors.As(err, &ae) || ae.StatusCode != 429 || srv.RequestCount() != 1 {
		t.Errorf("err %v after %d requests", err, srv.RequestCount())
	}
}

func TestAttemptTimeout(t *testing.T) {
	srv := llmtest.New()
	defer srv.Close()
	c := newTestClient(t, srv, Config{Timeout: 100 * time.Millisecond})
	srv.Enqueue(llmtest.Reply{Text: "slow", Delay: time.Minute}, llmtest.Text("fast"))
	start := time.Now()
	resp, err := c.Generate(context.Background(), Request{Messages: user("q")})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Choices[0].Text != "fast" || resp.Attempts != 2 {
		t.Errorf("text %q attempts %d", resp.Choices[0].Text, resp.Attempts)
	}
	if time.Since(start) > 30*time.Second {
		t.Error("the timeout did not cut the slow attempt")
	}
	// Every attempt timing out ends in an error that says so.
	srv.Enqueue(llmtest.Reply{Delay: time.Minute}, llmtest.Reply{Delay: time.Minute})
	c.retry.MaxAttempts = 2
	_, err = c.Generate(context.Background(), Request{Messages: user("q")})
	if err == nil || !strings.Contains(err.Error(), "timed out") {
		t.Errorf("err %v", err)
	}
}

func TestContextCancelled(t *testing.T) {
	srv := llmtest.New()
	defer srv.Close()
	c := newTestClient(t, srv, Config{})
	srv.Enqueue(llmtest.Reply{Delay: time.Minute})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	_, err := c.Generate(ctx, Request{Messages: user("q")})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err %v, want context.Canceled", err)
	}
	if srv.RequestCount() != 1 {
		t.Errorf("%d requests after cancel", srv.RequestCount())
	}
	// Cancelled while waiting for a slot.
	c2 := newTestClient(t, srv, Config{Concurrency: 1})
	p, _ := c2.Limiter().Acquire(context.Background())
	defer p.Release(Success)
	ctx, cancel = context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := c2.Generate(ctx, Request{Messages: user("q")}); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err %v, want deadline exceeded", err)
	}
}

func TestRequestValidation(t *testing.T) {
	srv := llmtest.New()
	defer srv.Close()
	c := newTestClient(t, srv, Config{})
	ctx := context.Background()
	for name, r := range map[string]Request{
		"no messages":         {},
		"bad role":            {Messages: []Message{{Role: "tool", Content: "x"}}},
		"bad api":             {API: "edits", Messages: user("q")},
		"negative n":          {Messages: user("q"), N: -1},
		"completion no input": {API: APICompletion},
		"prompt and few-shot": {API: APICompletion, Prompt: "p", FewShot: [][]Message{user("x")}},
	} {
		if _, err := c.Generate(ctx, r); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if srv.RequestCount() != 0 {
		t.Errorf("invalid requests reached the server")
	}
	noModel, _ := New(Config{BaseURL: srv.URL})
	if _, err := noModel.Generate(ctx, Request{Messages: user("q")}); err == nil {
		t.Error("no model: no error")
	}
	if _, err := New(Config{}); err == nil {
		t.Error("no base URL: no error")
	}
}

// BenchmarkGenerate measures the client's overhead per request against
// the zero-latency fake (the fake's own work included).
func BenchmarkGenerate(b *testing.B) {
	for _, bc := range []struct {
		name   string
		stream bool
	}{{"chat", false}, {"chat-stream", true}} {
		b.Run(bc.name, func(b *testing.B) {
			srv := llmtest.New(llmtest.WithChunkSize(64))
			defer srv.Close()
			c := newTestClient(b, srv, Config{Concurrency: 1})
			req := Request{Messages: user("Provide a Python solution for the following problem."), Stream: bc.stream}
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.Generate(ctx, req); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	// The same exchange with bare net/http: the difference to "chat" is
	// the client's own overhead (library encoding and decoding, limiter,
	// profile, retries bookkeeping).
	b.Run("raw-http-baseline", func(b *testing.B) {
		srv := llmtest.New(llmtest.WithChunkSize(64))
		defer srv.Close()
		body := []byte(`{"model":"test-model","messages":[{"role":"user","content":"Provide a Python solution for the following problem."}]}`)
		hc := &http.Client{}
		b.ReportAllocs()
		for b.Loop() {
			res, err := hc.Post(srv.URL+"/chat/completions", "application/json", bytes.NewReader(body))
			if err != nil {
				b.Fatal(err)
			}
			var v map[string]any
			if err := json.NewDecoder(res.Body).Decode(&v); err != nil {
				b.Fatal(err)
			}
			res.Body.Close()
		}
	})
	b.Run("chat-parallel", func(b *testing.B) {
		srv := llmtest.New()
		defer srv.Close()
		c := newTestClient(b, srv, Config{Concurrency: 16})
		req := Request{Messages: user("q")}
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := c.Generate(context.Background(), req); err != nil {
					b.Error(err)
				}
			}
		})
	})
	b.Run("cache-hit", func(b *testing.B) {
		srv := llmtest.New()
		defer srv.Close()
		c := newTestClient(b, srv, Config{Cache: &MemoryCache{}})
		req := Request{Messages: user("q"), Seed: Int64(1)}
		c.Generate(context.Background(), req)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.Generate(context.Background(), req); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func TestModels(t *testing.T) {
	srv := llmtest.New(llmtest.WithModels("a", "b"), llmtest.WithAPIKey("sk-right-key-123"))
	defer srv.Close()
	t.Setenv("OPENAI_API_KEY", "sk-right-key-123")
	c := newTestClient(t, srv, Config{})
	names, err := c.Models(context.Background())
	if err != nil || fmt.Sprint(names) != "[a b]" {
		t.Errorf("Models = %v, %v", names, err)
	}
	t.Setenv("OPENAI_API_KEY", "sk-wrong-key-456")
	c = newTestClient(t, srv, Config{})
	_, err = c.Models(context.Background())
	var ae *APIError
	if !errors.As(err, &ae) || ae.StatusCode != 401 || strings.Contains(err.Error(), "sk-wrong-key-456") {
		t.Errorf("Models with a wrong key: %v", err)
	}
}
