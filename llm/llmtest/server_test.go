package llmtest

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

func post(t *testing.T, url, body string, header ...string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func decode(t *testing.T, res *http.Response) map[string]any {
	t.Helper()
	defer res.Body.Close()
	var v map[string]any
	if err := json.NewDecoder(res.Body).Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

func TestChatNonStreaming(t *testing.T) {
	s := New()
	defer s.Close()
	s.Enqueue(Reply{Text: "answer", Reasoning: "why", PromptTokens: 7, CompletionTokens: 3})
	res := post(t, s.URL+"/chat/completions", `{"model":"m","messages":[{"role":"user","content":"hi"}],"n":2,"seed":5,"temperature":0,"stop":"X"}`, "X-Test", "yes")
	if res.StatusCode != 200 {
		t.Fatalf("status %d", res.StatusCode)
	}
	v := decode(t, res)
	choices := v["choices"].([]any)
	if len(choices) != 2 {
		t.Fatalf("%d choices, want 2", len(choices))
	}
	msg := choices[1].(map[string]any)["message"].(map[string]any)
	if msg["content"] != "answer" || msg["reasoning_content"] != "why" {
		t.Errorf("message %v", msg)
	}
	if u := v["usage"].(map[string]any); u["prompt_tokens"] != 7.0 || u["total_tokens"] != 10.0 {
		t.Errorf("usage %v", u)
	}
	reqs := s.Requests()
	if len(reqs) != 1 {
		t.Fatalf("%d requests recorded", len(reqs))
	}
	r := reqs[0]
	if r.Model != "m" || r.N != 2 || *r.Seed != 5 || *r.Temperature != 0 || r.Stop[0] != "X" || r.Header.Get("X-Test") != "yes" || r.LastUser() != "hi" || !r.Chat() {
		t.Errorf("recorded %+v", r)
	}
}

func TestCompletionAndValidation(t *testing.T) {
	s := New(WithResponder(Echo()), WithModels("base"))
	defer s.Close()
	v := decode(t, post(t, s.URL+"/completions", `{"model":"base","prompt":"abc","max_tokens":9}`))
	if got := v["choices"].([]any)[0].(map[string]any)["text"]; got != "abc" {
		t.Errorf("text %v", got)
	}
	if s.Requests()[0].MaxTokens != 9 {
		t.Errorf("max tokens not decoded")
	}
	for _, tc := range []struct {
		path, body string
		status     int
	}{
		{"/completions", `{"prompt":"x"}`, 400},
		{"/chat/completions", `{"model":"base","messages":[]}`, 400},
		{"/chat/completions", `{"model":"base"`, 400},
		{"/chat/completions", `{"model":"other","messages":[{"role":"user","content":"x"}]}`, 404},
		{"/nothing", `{}`, 404},
	} {
		res := post(t, s.URL+tc.path, tc.body)
		v := decode(t, res)
		if res.StatusCode != tc.status || v["error"] == nil {
			t.Errorf("%s %s: status %d body %v, want %d with error", tc.path, tc.body, res.StatusCode, v, tc.status)
		}
	}
	res, err := http.Get(s.URL + "/models")
	if err != nil {
		t.Fatal(err)
	}
	if data := decode(t, res)["data"].([]any); data[0].(map[string]any)["id"] != "base" {
		t.Errorf("models %v", data)
	}
}

func readSSE(t *testing.T, res *http.Response) (events []string, done bool, err error) {
	t.Helper()
	defer res.Body.Close()
	sc := bufio.NewScanner(res.Body)
	for sc.Scan() {
		line := sc.Text()
		if data, ok := strings.CutPrefix(line, "data: "); ok {
			if data == "[DONE]" {
				done = true
				continue
			}
			events = append(events, data)
		}
	}
	return events, done, sc.Err()
}

func TestStream(t *testing.T) {
	s := New(WithChunkSize(3))
	defer s.Close()
	s.Enqueue(Reply{Text: "héllo wörld", Reasoning: "think", FinishReason: "length"})
	res := post(t, s.URL+"/chat/completions", `{"model":"m","messages":[{"role":"user","content":"x"}],"stream":true,"stream_options":{"include_usage":true}}`)
	if ct := res.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("content type %q", ct)
	}
	events, done, err := readSSE(t, res)
	if err != nil || !done {
		t.Fatalf("done=%v err=%v", done, err)
	}
	var text, reasoning, finish strings.Builder
	sawUsage := false
	for _, e := range events {
		var c struct {
			Choices []struct {
				Delta struct {
					Content          string `json:"content"`
					ReasoningContent string `json:"reasoning_content"`
				} `json:"delta"`
				FinishReason *string `json:"finish_reason"`
			} `json:"choices"`
			Usage *usage `json:"usage"`
		}
		if err := json.Unmarshal([]byte(e), &c); err != nil {
			t.Fatal(err)
		}
		for _, ch := range c.Choices {
			text.WriteString(ch.Delta.Content)
			reasoning.WriteString(ch.Delta.ReasoningContent)
			if ch.FinishReason != nil {
				finish.WriteString(*ch.FinishReason)
			}
		}
		sawUsage = sawUsage || c.Usage != nil
	}
	if text.String() != "héllo wörld" || reasoning.String() != "think" || finish.String() != "length" || !sawUsage {
		t.Errorf("text %q reasoning %q finish %q usage %v", text.String(), reasoning.String(), finish.String(), sawUsage)
	}
}

func TestFaults(t *testing.T) {
	s := New(WithAPIKey("sk-secret"))
	defer s.Close()
	chat := `{"model":"m","messages":[{"role":"user","content":"x"}]}`
	auth := []string{"Authorization", "Bearer sk-secret"}

	res := post(t, s.URL+"/chat/completions", chat, "Authorization", "Bearer wrong")
	if v := decode(t, res); res.StatusCode != 401 || !strings.Contains(v["error"].(map[string]any)["message"].(string), "wrong") {
		t.Errorf("bad key: %d %v", res.StatusCode, v)
	}

	s.Enqueue(RateLimit("2"))
	res = post(t, s.URL+"/chat/completions", chat, auth...)
	decode(t, res)
	if res.StatusCode != 429 || res.Header.Get("Retry-After") != "2" {
		t.Errorf("rate limit: %d %q", res.StatusCode, res.Header.Get("Retry-After"))
	}

	s.Enqueue(Reply{Body: `{"choices": [`})
	res = post(t, s.URL+"/chat/completions", chat, auth...)
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || string(b) != `{"choices": [` {
		t.Errorf("raw body: %d %q", res.StatusCode, b)
	}

	s.Enqueue(Reply{Text: strings.Repeat("x", 1000), Fault: TruncateBody})
	res = post(t, s.URL+"/chat/completions", chat, auth...)
	if _, err := io.ReadAll(res.Body); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("truncated body read: %v", err)
	}
	res.Body.Close()

	s.Enqueue(Reply{Text: "abcdefghijklmnop", Fault: TruncateBody})
	res = post(t, s.URL+"/chat/completions", `{"model":"m","messages":[{"role":"user","content":"x"}],"stream":true}`, auth...)
	if _, done, _ := readSSE(t, res); done {
		t.Error("truncated stream sent [DONE]")
	}

	s.Enqueue(Reply{Fault: ResetConnection})
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/chat/completions", strings.NewReader(chat))
	req.Header.Set("Authorization", "Bearer sk-secret")
	if res, err := http.DefaultClient.Do(req); err == nil {
		res.Body.Close()
		t.Error("reset connection: got a response")
	}
}

func TestDelay(t *testing.T) {
	s := New()
	defer s.Close()
	s.Enqueue(Reply{Text: "x", Delay: 100 * time.Millisecond})
	start := time.Now()
	decode(t, post(t, s.URL+"/chat/completions", `{"model":"m","messages":[{"role":"user","content":"x"}]}`))
	if d := time.Since(start); d < 100*time.Millisecond {
		t.Errorf("answered after %v, want at least 100ms", d)
	}
}

func TestInFlight(t *testing.T) {
	const n = 5
	s := New(WithResponder(Barrier(n, nil)))
	defer s.Close()
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			decode(t, post(t, s.URL+"/chat/completions", `{"model":"m","messages":[{"role":"user","content":"x"}]}`))
		}()
	}
	wg.Wait()
	if got := s.MaxInFlight(); got != n {
		t.Errorf("max in flight %d, want %d", got, n)
	}
	if s.InFlight() != 0 || s.RequestCount() != n {
		t.Errorf("in flight %d, count %d", s.InFlight(), s.RequestCount())
	}
	s.Reset()
	if s.RequestCount() != 0 || s.MaxInFlight() != 0 {
		t.Error("Reset did not clear")
	}
}
