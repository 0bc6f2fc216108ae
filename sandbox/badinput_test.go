package sandbox

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/rlef/rlef/verdict"
)

// Bad requests get a clear error (never a hang, never a dead pool), and
// odd but valid ones a correct verdict.
func TestBadInput(t *testing.T) {
	p := newTestPool(t, 1)
	ctx := context.Background()
	ok := DefaultLimits()
	for _, c := range []struct {
		name string
		lang Language
		code string
		lim  Limits
		want string // substring of the error
	}{
		{"unknown language", "cobol", "DISPLAY 'HI'.", ok, "unknown language"},
		{"empty code", Python, "", ok, "empty program"},
		{"zero time limit", Python, "print(1)", Limits{Memory: ok.Memory, Processes: 1, Output: ok.Output}, "wall-time limit 0s is too small"},
		{"absurd time limit", Python, "print(1)", Limits{WallTime: 1000 * time.Hour, Memory: ok.Memory, Processes: 1, Output: ok.Output}, "exceeds the maximum"},
		{"zero memory", Python, "print(1)", Limits{WallTime: time.Second, Processes: 1, Output: ok.Output}, "memory limit 0B is too small"},
		{"absurd memory", Python, "print(1)", Limits{WallTime: time.Second, Memory: 1 << 50, Processes: 1, Output: ok.Output}, "exceeds the maximum"},
		{"no processes", Python, "print(1)", Limits{WallTime: time.Second, Memory: ok.Memory, Output: ok.Output}, "process limit 0 is too small"},
		{"tiny output", Python, "print(1)", Limits{WallTime: time.Second, Memory: ok.Memory, Processes: 1, Output: 1}, "output limit 1B is too small"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := p.Exec(ctx, c.lang, c.code, Input{Limits: c.lim})
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("err = %v, want ErrInvalid mentioning %q", err, c.want)
			}
		})
	}
	// The pool still serves.
	r, err := p.Exec(ctx, Python, "import sys\nsys.stdout.buffer.write(bytes(range(256)))", Input{Limits: slowLimits()})
	if err != nil || r.Status != verdict.OK || len(r.Stdout) != 256 || r.Stdout[255] != 255 {
		t.Errorf("binary output: %v %+v", err, r)
	}
	// Lone surrogates go out as raw bytes, as with `python3 file` under
	// LANG=C.UTF-8 (stdout's errors handler is surrogateescape there too).
	r, err = p.Exec(ctx, Python, "print('\\udcff')", Input{Limits: slowLimits()})
	if err != nil || r.Status != verdict.OK || string(r.Stdout) != "\xff\n" {
		t.Errorf("unencodable output: %v %+v", err, r)
	}
}

// The precompiled bits/stdc++.h is used when present: GCC reports no
// invalid-PCH warning and the program compiles.
func TestPrecompiledHeader(t *testing.T) {
	if testing.Short() {
		t.Skip("building the header takes seconds")
	}
	p := newTestPool(t, 1)
	ctx := context.Background()
	if err := p.BuildPCH(ctx); err != nil {
		t.Fatal(err)
	}
	prog, err := p.Compile(ctx, CPP, "#include <bits/stdc++.h>\nint main(){ std::vector<int> v{3,1,2}; std::sort(v.begin(), v.end()); std::cout << v[0] << v[2] << std::endl; }\n")
	if err != nil || !prog.OK() {
		t.Fatalf("%v %+v", err, prog.Compile)
	}
	defer prog.Close()
	r, err := p.Run(ctx, prog, Input{Limits: slowLimits()})
	if err != nil || string(r.Stdout) != "13\n" {
		t.Fatalf("%v %+v", err, r)
	}
	if strings.Contains(string(prog.Compile.Stderr), "pch") {
		t.Errorf("compiler complains about the precompiled header: %s", prog.Compile.Stderr)
	}
}
