package server

import (
	"context"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestAuth(t *testing.T) {
	_, ts := newTestServer(t, func(c *Config) { c.Token = "s3cret" })
	run := `{"code": "print(1)", "language": "python"}`
	tests := []struct {
		name, method, path string
		header             http.Header
		want               int
	}{
		{"ping is open", "GET", "/v1/ping", nil, 200},
		{"no token", "POST", "/run_code", nil, 401},
		{"wrong token", "POST", "/run_code", http.Header{"Authorization": {"Bearer nope"}}, 401},
		{"prefix of the token", "POST", "/run_code", http.Header{"Authorization": {"Bearer s3cre"}}, 401},
		{"not bearer", "POST", "/run_code", http.Header{"Authorization": {"Basic s3cret"}}, 401},
		{"bearer", "POST", "/run_code", http.Header{"Authorization": {"Bearer s3cret"}}, 200},
		{"query token", "POST", "/run_code?token=s3cret", nil, 200},
		{"wrong query token", "POST", "/run_code?token=x", nil, 401},
		{"metrics need the token", "GET", "/metrics", nil, 401},
		{"episodes need the token", "GET", "/v1/episodes/abc", nil, 401},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var body any
			if tc.method == "POST" {
				body = run
			}
			code, out := do(t, tc.method, ts.URL+tc.path, body, tc.header)
			if code != tc.want {
				t.Errorf("HTTP %d, want %d: %s", code, tc.want, out)
			}
		})
	}
}

func TestPingAndRoutes(t *testing.T) {
	_, ts := newTestServer(t, nil)
	code, body := do(t, "GET", ts.URL+"/v1/ping", nil, nil)
	if code != 200 || strings.TrimSpace(string(body)) != `"pong"` {
		t.Errorf("ping: %d %s", code, body)
	}
	if code, _ := do(t, "GET", ts.URL+"/run_code", nil, nil); code != http.StatusMethodNotAllowed {
		t.Errorf("GET /run_code: %d, want 405", code)
	}
	code, body = post(t, ts.URL+"/run_jupyter", `{"cells": ["1+1"]}`)
	if j := mustJSON[map[string]any](t, body); code != 200 || j["status"] != "SandboxError" || j["message"] == "" {
		t.Errorf("run_jupyter: %d %s", code, body)
	}
	if code, _ := do(t, "GET", ts.URL+"/nowhere", nil, nil); code != http.StatusNotFound {
		t.Errorf("GET /nowhere: %d, want 404", code)
	}
}

func TestMetrics(t *testing.T) {
	_, ts := newTestServer(t, nil)
	runCode(t, ts.URL, map[string]any{"code": "print(1)", "language": "python"})
	runCode(t, ts.URL, map[string]any{"code": "x", "language": "java"})
	_, body := do(t, "GET", ts.URL+"/metrics", nil, nil)
	text := string(body)
	for _, want := range []string{
		`rlef_http_requests_total{code="200",handler="run_code"} 2`,
		`rlef_run_code_total{language="python",status="Success",verdict="ok"} 1`,
		`rlef_run_code_total{language="java",status="SandboxError",verdict="unsupported"} 1`,
		`rlef_http_request_duration_seconds_count{handler="run_code"} 2`,
		`rlef_queue_capacity{queue="run_code"} 2`,
		`rlef_queue_depth{queue="run_code"}`,
		`rlef_queue_wait_seconds_count{queue="run_code"} 1`,
		`rlef_queue_expected_wait_seconds{queue="run_code"}`,
		`rlef_queue_service_seconds{queue="run_code"}`,
		`rlef_queue_rejected_total{queue="judge",reason="busy"} 0`,
		`rlef_episodes_finished_kept 0`,
		`rlef_sandbox_slots 2`,
		`rlef_compile_cache_hits_total`,
		`rlef_http_in_flight_requests{handler="metrics"} 1`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

// Shutdown stops accepting connections but lets requests in flight run to
// completion.
func TestGracefulShutdown(t *testing.T) {
	pool, j, _ := testPool(t)
	s, err := New(Config{Pool: pool, Judge: j, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- s.Serve(ctx, ln, 30*time.Second) }()
	result := make(chan sfResponse, 1)
	go func() {
		result <- runCode(t, url, map[string]any{"code": "import time\ntime.sleep(1.5)\nprint('finished')", "language": "python"})
	}()
	time.Sleep(500 * time.Millisecond)
	cancel()
	time.Sleep(200 * time.Millisecond)
	if _, err := http.Get(url + "/v1/ping"); err == nil {
		t.Error("new connections still accepted after shutdown began")
	}
	r := <-result
	if r.Status != "Success" || deref(r.RunResult.Stdout) != "finished\n" {
		t.Errorf("request in flight: %+v", r)
	}
	if err := <-served; err != nil {
		t.Errorf("Serve: %v", err)
	}
}
