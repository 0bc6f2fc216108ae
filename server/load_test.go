package server

import (
	"context"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rlef/rlef/server/loadgen"
)

// TestLoadVerlClients is the load test: 64 verl-style clients for 60 s
// against /run_code on loopback, with verl's payloads and retry policy.
// No response may be lost or wrong; 504s are allowed (verl retries them)
// and counted. It takes over a minute, so it runs only with
// RLEF_LOAD_TEST=1 (RLEF_LOAD_DURATION, RLEF_LOAD_CLIENTS and
// RLEF_LOAD_QUEUE_WAIT override the defaults; a short queue wait makes the
// server answer 504 under load, which exercises verl's retries):
//
//	RLEF_LOAD_TEST=1 go test ./server -run TestLoadVerlClients -v
func TestLoadVerlClients(t *testing.T) {
	if os.Getenv("RLEF_LOAD_TEST") == "" || testing.Short() {
		t.Skip("load test: set RLEF_LOAD_TEST=1 (takes 60+ s)")
	}
	duration := time.Minute
	if d, err := time.ParseDuration(os.Getenv("RLEF_LOAD_DURATION")); err == nil {
		duration = d
	}
	clients := 64
	if n, err := strconv.Atoi(os.Getenv("RLEF_LOAD_CLIENTS")); err == nil && n > 0 {
		clients = n
	}
	var queue QueueConfig
	if d, err := time.ParseDuration(os.Getenv("RLEF_LOAD_QUEUE_WAIT")); err == nil {
		queue.MaxWait = d
	}
	pool, j, _ := testPool(t)
	s, err := New(Config{Pool: pool, Judge: j, RunQueue: queue, Logger: quietLogger()})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- s.Serve(ctx, ln, time.Minute) }()
	defer func() {
		cancel()
		if err := <-served; err != nil {
			t.Errorf("Serve: %v", err)
		}
	}()
	rep, err := loadgen.Run(context.Background(), loadgen.Config{
		URL: "http://" + ln.Addr().String() + "/run_code", Clients: clients, Duration: duration, Seed: 1,
	})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	rep.Format(&b)
	t.Logf("isolation %s, %d slots\n%s", pool.Isolation().Mode, pool.Slots(), b.String())
	if rep.Lost != 0 || rep.Wrong != 0 {
		t.Errorf("%d lost and %d wrong responses", rep.Lost, rep.Wrong)
	}
	if rep.OK == 0 || rep.OK+rep.GaveUp != rep.Requests-rep.Lost-rep.Wrong {
		t.Errorf("accounting: %+v", rep)
	}
	for _, kind := range []string{"python_stdio", "python_fn_name", "cpp_stdio", "python_runtime_error", "cpp_compile_error"} {
		if rep.ByKind[kind] == 0 {
			t.Errorf("no %s request was made", kind)
		}
	}
}
