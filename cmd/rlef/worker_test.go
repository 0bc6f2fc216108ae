package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rlef/rlef/dist"
)

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startRlef starts a long-running rlef command, stopped with SIGTERM when
// the test ends.
func startRlef(t *testing.T, args ...string) *bytes.Buffer {
	t.Helper()
	cmd := rlef(context.Background(), args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			_ = cmd.Process.Kill()
			<-done
			t.Errorf("rlef %s did not stop on SIGTERM", args[0])
		}
		if t.Failed() {
			t.Logf("rlef %s:\n%s", args[0], out.String())
		}
	})
	return &out
}

// A cluster from the command line: rlef serve starts JetStream and only
// dispatches, a worker joins, /run_code and rlef judge run on it, and
// rlef status lists the worker.
func TestClusterCommands(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a cluster of processes")
	}
	nats, httpAddr := freeAddr(t), freeAddr(t)
	url := "nats://" + nats
	dir := t.TempDir()
	startRlef(t, "serve", "--nats-listen", nats, "--nats-store", filepath.Join(dir, "nats"), "--slots", "0", "--addr", httpAddr)
	waitUntil(t, 30*time.Second, "rlef serve", func() bool {
		resp, err := http.Get("http://" + httpAddr + "/v1/ping")
		if err == nil {
			resp.Body.Close()
		}
		return err == nil
	})
	startRlef(t, "worker", "--nats", url, "--slots", "1", "--name", "cli-worker", "--cache-dir", filepath.Join(dir, "cache"))

	resp, err := http.Post("http://"+httpAddr+"/run_code", "application/json",
		strings.NewReader(`{"code": "print(input()[::-1])", "language": "python", "stdin": "abc"}`))
	if err != nil {
		t.Fatal(err)
	}
	var rc struct {
		Status    string `json:"status"`
		RunResult struct {
			Stdout string `json:"stdout"`
		} `json:"run_result"`
	}
	err = json.NewDecoder(resp.Body).Decode(&rc)
	resp.Body.Close()
	if err != nil || rc.Status != "Success" || rc.RunResult.Stdout != "cba\n" {
		t.Fatalf("/run_code through the cluster: %+v %v", rc, err)
	}

	samples := filepath.Join(dir, "samples.jsonl")
	if err := os.WriteFile(samples, []byte(`{"task_id": "builtin/lanterns", "solution": "print(1)"}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	out, err := rlef(ctx, "judge", "--nats", url, "--slots", "0", "--benchmark", "builtin", "--samples", samples, "--no-progress").Output()
	if err != nil {
		t.Fatalf("rlef judge --nats: %v", err)
	}
	var row struct {
		TaskID string `json:"task_id"`
		Status string `json:"status"`
	}
	if err := json.Unmarshal(out, &row); err != nil || row.TaskID != "builtin/lanterns" || row.Status != "fail" {
		t.Errorf("judge row %s: %v", out, err)
	}

	out, err = rlef(ctx, "status", "--nats", url, "--json").Output()
	if err != nil {
		t.Fatalf("rlef status: %v", err)
	}
	var st dist.ClusterStatus
	if err := json.Unmarshal(out, &st); err != nil {
		t.Fatal(err)
	}
	if len(st.Workers) != 1 || !strings.HasPrefix(st.Workers[0].ID, "cli-worker-") || st.Workers[0].Slots != 1 {
		t.Errorf("status: %s", out)
	}
	if err := rlef(ctx, "status", "--nats", "nats://"+freeAddr(t)).Run(); err == nil {
		t.Error("rlef status succeeded without a server")
	}
}

func waitUntil(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
