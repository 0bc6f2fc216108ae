package sandbox

import (
	"context"
	"testing"
	"time"
)

func TestDebugTiming(t *testing.T) {
	p := newTestPool(t, 1)
	prog, err := p.Compile(context.Background(), CPP, trivialCPP)
	if err != nil || !prog.OK() {
		t.Fatal(err)
	}
	for i := 0; i < 12; i++ {
		t0 := time.Now()
		s := <-p.idle
		p.idle <- s
		out, err := s.run(context.Background(), &job{kind: "exec", exe: prog.exe, argv: []string{"/w/main"}, env: programEnv("/w", "/tmp"), stdin: []byte("hello\n"), limits: DefaultLimits()})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("marks %v zyg %d total %v wall %v faults pre %d post %d cpu %.1fms pre %.1fms out %q", out.ev.Marks, out.ev.ZygoteFlt, time.Since(t0), out.wall, out.ev.PreMinFlt, out.ev.MinFlt-out.ev.PreMinFlt, (out.ev.Utime+out.ev.Stime-out.ev.PreCPU)*1000, out.ev.PreCPU*1000, out.stdout)
		time.Sleep(50 * time.Millisecond)
	}
}
