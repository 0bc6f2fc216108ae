package judge

import (
	"strings"
	"testing"
)

func TestParseHarnessOutput(t *testing.T) {
	in := strings.Join([]string{
		`{"ev":"start","py":"3.11.2","n":"N"}`,
		`{"ev":"test","s":0,"k":0,"v":"accepted","c":0.1,"w":0.2,"n":"N"}`,
		`{"ev":"test","s":0,"k":1,"v":"accepted","c":0.1,"w":0.2,"n":"forged"}`, // wrong nonce
		`{"ev":"test","s":0,"k":1,"v":"great","c":0.1,"w":0.2,"n":"N"}`,         // unknown verdict
		`{"ev":"test","s":-1,"k":1,"v":"accepted","n":"N"}`,                     // negative suite
		`not json at all`,
		`{"ev":"test","s":0,"k":1,"v":"wrong_answer","o":"0.4","e":"0.5","a":"assert f(3.5) == 0.5","m":"AssertionError: 0.4 != 0.5","n":"N"}`,
		`{"ev":"skip","s":1,"k":3,"v":"time_limit","x":"budget","n":"N"}`,
		`{"ev":"unpicklable","i":4,"x":"PicklingError: no","n":"N"}`,
		`{"ev":"done","n":"N"}`,
		`{"ev":"test","s":0,"k":2`, // truncated last line
	}, "\n")
	out := parseHarnessOutput([]byte(in), "N")
	if !out.started || !out.done || out.load != nil || out.fatal != "" {
		t.Fatalf("flags: %+v", out)
	}
	if len(out.tests) != 2 || out.tests[1].K != 1 || *out.tests[1].O != "0.4" || out.tests[1].M != "AssertionError: 0.4 != 0.5" {
		t.Fatalf("tests: %+v", out.tests)
	}
	if len(out.skips) != 1 || out.skips[0].S != 1 || out.skips[0].K != 3 {
		t.Fatalf("skips: %+v", out.skips)
	}
	if out.unpicklable[4] == "" {
		t.Fatalf("unpicklable: %+v", out.unpicklable)
	}
}

func FuzzParseHarnessOutput(f *testing.F) {
	f.Add([]byte(`{"ev":"start","n":"N"}` + "\n" + `{"ev":"test","s":0,"k":0,"v":"accepted","c":1,"w":1,"n":"N"}` + "\n" + `{"ev":"done","n":"N"}`))
	f.Add([]byte(`{"ev":"load","v":"compile_error","x":"SyntaxError","n":"N"}`))
	f.Add([]byte("{\"ev\":\"fatal\",\"tb\":\"x\",\"n\":\"N\"}\n\n{"))
	f.Fuzz(func(t *testing.T, data []byte) {
		out := parseHarnessOutput(data, "N")
		for _, ev := range out.tests {
			if ev.N != "N" || ev.S < 0 || ev.K < 0 || ev.C < 0 || ev.W < 0 {
				t.Fatalf("accepted a bad event: %+v", ev)
			}
			if _, ok := harnessVerdicts[ev.V]; !ok {
				t.Fatalf("accepted verdict %q", ev.V)
			}
		}
		if out.load != nil {
			if _, ok := harnessVerdicts[out.load.V]; !ok {
				t.Fatalf("accepted load verdict %q", out.load.V)
			}
		}
	})
}
