package sandbox

import (
	"path"
	"strings"
	"testing"
)

func FuzzDecodeEvent(f *testing.F) {
	for _, s := range []string{
		`{"ev":"ready","pid":1,"python":"3.11.2"}`,
		`{"ev":"exit","wstatus":256,"utime":0.01,"stime":0,"maxrss_kb":9000,"killed":false,"collected":[],"pre_cpu":0.002}`,
		`{"ev":"exit","collected":["/w/main"]}`,
		`{"ev":"fatal","error":"x"}`, `{}`, `[]`, `{"ev":1}`, ``,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, msg []byte) {
		ev, err := decodeEvent(msg, nil)
		if err == nil && len(ev.Collected) > len(ev.fds) {
			t.Fatalf("accepted %d collected names without descriptors", len(ev.Collected))
		}
		if err == nil && ev.Ev != "ready" && ev.Ev != "exit" && ev.Ev != "fatal" {
			t.Fatalf("accepted unknown event %q", ev.Ev)
		}
	})
}

// Every file name the sandbox accepts lands inside the work directory or
// /tmp of the sandbox, whatever its spelling.
func FuzzFileNames(f *testing.F) {
	for _, s := range []string{"a.txt", "../x", "/w/../etc/x", "/tmp/a", "a/./b/../c", "//w//x", "/w", ".", "..", "a\x00b", "/wx/y", "/tmpx"} {
		f.Add(s)
	}
	slots := []*slot{{workDir: sandboxWork, tmpDir: sandboxTmp}, {workDir: "/var/rlef/w", tmpDir: "/var/rlef/tmp"}}
	f.Fuzz(func(t *testing.T, name string) {
		if err := validateFiles(Input{Files: map[string][]byte{name: nil}}); err != nil {
			return
		}
		for _, s := range slots {
			p := s.sandboxPath(name)
			if p != path.Clean(p) {
				t.Fatalf("%q maps to unclean path %q", name, p)
			}
			if !strings.HasPrefix(p, s.workDir+"/") && !strings.HasPrefix(p, s.tmpDir+"/") {
				t.Fatalf("%q maps to %q, outside %s and %s", name, p, s.workDir, s.tmpDir)
			}
		}
	})
}
