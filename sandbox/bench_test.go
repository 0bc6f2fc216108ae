package sandbox

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"testing"
	"time"
)

const trivialPython = "import sys\nprint(sys.stdin.readline().strip())\n"
const trivialCPP = "#include <cstdio>\nint main(){char b[64]; if(scanf(\"%63s\", b)==1) puts(b); return 0;}\n"

func benchRun(b *testing.B, p *Pool, prog *Program) {
	in := Input{Stdin: []byte("hello\n"), Limits: DefaultLimits()}
	ctx := context.Background()
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t := time.Now()
		r, err := p.Run(ctx, prog, in)
		if err != nil {
			b.Fatal(err)
		}
		if string(r.Stdout) != "hello\n" {
			b.Fatalf("stdout %q status %s stderr %s", r.Stdout, r.Status, r.Stderr)
		}
		lat = append(lat, time.Since(t))
	}
	reportLatency(b, lat)
}

func reportLatency(b *testing.B, lat []time.Duration) {
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "ms-p50")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "ms-p99")
}

func BenchmarkSandboxPython(b *testing.B) {
	p := newTestPool(b, 1)
	prog, _ := p.Compile(context.Background(), Python, trivialPython)
	benchRun(b, p, prog)
}

func BenchmarkSandboxCPP(b *testing.B) {
	p := newTestPool(b, 1)
	prog, err := p.Compile(context.Background(), CPP, trivialCPP)
	if err != nil || !prog.OK() {
		b.Fatalf("compile: %v %+v", err, prog.Compile)
	}
	defer prog.Close()
	benchRun(b, p, prog)
}

func benchBare(b *testing.B, name string, args ...string) {
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t := time.Now()
		cmd := exec.Command(name, args...)
		cmd.Stdin = stringsReader("hello\n")
		out, err := cmd.Output()
		if err != nil || string(out) != "hello\n" {
			b.Fatalf("%v %q", err, out)
		}
		lat = append(lat, time.Since(t))
	}
	reportLatency(b, lat)
}

func BenchmarkBarePython(b *testing.B) {
	dir := b.TempDir()
	f := filepath.Join(dir, "main.py")
	os.WriteFile(f, []byte(trivialPython), 0o644)
	benchBare(b, "/usr/bin/python3", f)
}

func BenchmarkBareCPP(b *testing.B) {
	dir := b.TempDir()
	src := filepath.Join(dir, "main.cpp")
	os.WriteFile(src, []byte(trivialCPP), 0o644)
	bin := filepath.Join(dir, "main")
	if out, err := exec.Command("g++", "-std=c++17", "-O2", "-o", bin, src).CombinedOutput(); err != nil {
		b.Fatalf("%v %s", err, out)
	}
	benchBare(b, bin)
}

// BenchmarkSessionExchange is one call across a session's boundary (a
// frame to a process and its reply), as the judge makes for each
// function-call and assert test: HumanEval+ makes 124,253 of them.
func BenchmarkSessionExchange(b *testing.B) {
	p := newTestPool(b, 1)
	s := startSession(b, p, "serve(lambda b: b)\n")
	defer s.Close()
	ctx := context.Background()
	step := StepLimits{CPU: time.Second}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, err := s.Conn(0).Exchange(ctx, []byte("x"), step); err != nil {
			b.Fatal(err)
		}
	}
}
