package dataset

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/rlef/rlef/internal/testenv"
)

const python = "/usr/bin/python3"

// needPython skips the test when python3 is not installed (and fails it
// under CI).
func needPython(t *testing.T) {
	t.Helper()
	if _, err := os.Stat(python); err != nil {
		testenv.Missing(t, "python3 not installed at %s", python)
	}
}

// execProgramsScript runs each {name, program} in a fresh namespace and
// prints a JSON object mapping names of failing programs to their error.
const execProgramsScript = `
import json, sys, io, contextlib, traceback
failures = {}
for job in json.load(sys.stdin):
    ns = {"__name__": "__rlef_test__"}
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            exec(compile(job["program"], job["name"], "exec"), ns)
    except BaseException as e:
        failures[job["name"]] = "%s: %s" % (type(e).__name__, e)
print(json.dumps(failures))
`

// pyJob is one program for execPrograms.
type pyJob struct {
	Name    string `json:"name"`
	Program string `json:"program"`
}

// execPrograms runs jobs in one Python process and returns the failures.
func execPrograms(t *testing.T, jobs []pyJob) map[string]string {
	t.Helper()
	needPython(t)
	in, err := json.Marshal(jobs)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, python, "-c", execProgramsScript)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python: %v\n%s", err, stderr.String())
	}
	failures := map[string]string{}
	if err := json.Unmarshal(out, &failures); err != nil {
		t.Fatalf("python output %q: %v", out, err)
	}
	return failures
}

// writeFile writes content under t.TempDir() and returns the path.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// gzipBytes compresses data.
func gzipBytes(t *testing.T, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	if _, err := zw.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// testCount sums tests over a set.
func testCount(s *Set) (public, private, generated int) {
	for _, p := range s.Problems {
		public += len(p.Public)
		private += len(p.Private)
		generated += len(p.Generated)
	}
	return
}
