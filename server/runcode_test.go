package server

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// sfResponse decodes a /run_code response strictly enough to check it.
type sfResponse struct {
	Status          string            `json:"status"`
	Message         string            `json:"message"`
	CompileResult   *CommandRunResult `json:"compile_result"`
	RunResult       *CommandRunResult `json:"run_result"`
	ExecutorPodName *string           `json:"executor_pod_name"`
	Files           map[string]string `json:"files"`
}

func runCode(t *testing.T, url string, req map[string]any) sfResponse {
	t.Helper()
	code, body := post(t, url+"/run_code", req)
	if code != http.StatusOK {
		t.Fatalf("HTTP %d: %s", code, body)
	}
	keys := mustJSON[map[string]json.RawMessage](t, body)
	for _, k := range []string{"status", "message", "compile_result", "run_result", "executor_pod_name", "files"} {
		if _, ok := keys[k]; !ok {
			t.Errorf("response lacks key %q: %s", k, body)
		}
	}
	return mustJSON[sfResponse](t, body)
}

func TestRunCodeOutcomes(t *testing.T) {
	_, ts := newTestServer(t, nil)
	tests := []struct {
		name string
		req  map[string]any
		// want: top-level status, run status, return code (nil: none),
		// stdout (nil: not checked), stderr substring, rlef verdict.
		status, runStatus string
		rc                *int
		stdout            *string
		stderrHas         string
		verdict           string
	}{
		{name: "verl stdio", req: map[string]any{"compile_timeout": 10, "run_timeout": 10,
			"code": "import sys\nprint(sum(map(int, sys.stdin.read().split())))", "stdin": "2 40\n",
			"memory_limit_MB": 1024, "language": "python", "files": map[string]any{}, "fetch_files": []string{}},
			status: "Success", runStatus: "Finished", rc: ptr(0), stdout: ptr("42\n"), verdict: "ok"},
		{name: "stdin null is empty", req: map[string]any{"code": "import sys\nprint(repr(sys.stdin.read()))", "stdin": nil, "language": "python"},
			status: "Success", runStatus: "Finished", rc: ptr(0), stdout: ptr("''\n"), verdict: "ok"},
		{name: "exit code", req: map[string]any{"code": "raise SystemExit(3)", "language": "python"},
			status: "Failed", runStatus: "Finished", rc: ptr(3), verdict: "runtime_error"},
		{name: "exception", req: map[string]any{"code": "1/0", "language": "python"},
			status: "Failed", runStatus: "Finished", rc: ptr(1), stderrHas: "ZeroDivisionError", verdict: "runtime_error"},
		{name: "signal", req: map[string]any{"code": "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)", "language": "python"},
			status: "Failed", runStatus: "Finished", rc: ptr(-9), verdict: "runtime_error"},
		{name: "time limit", req: map[string]any{"code": "while True: pass", "run_timeout": 0.5, "language": "python"},
			status: "Failed", runStatus: "TimeLimitExceeded", verdict: "time_limit"},
		{name: "memory limit", req: map[string]any{"code": "x = bytearray(400 << 20)\nprint(len(x))", "memory_limit_MB": 64, "language": "python"},
			status: "Failed", runStatus: "Finished", verdict: "memory_limit"},
		{name: "invalid utf-8", req: map[string]any{"code": "import sys\nsys.stdout.buffer.write(b'a\\xffb')", "language": "python"},
			status: "Success", runStatus: "Finished", rc: ptr(0), stdout: ptr("a\uFFFDb"), verdict: "ok"},
		{name: "empty program", req: map[string]any{"code": "", "language": "python"},
			status: "Success", runStatus: "Finished", rc: ptr(0), stdout: ptr(""), verdict: "ok"},
		{name: "numeric strings and args", req: map[string]any{"code": "print('ok')", "run_timeout": "5", "memory_limit_MB": "256", "args": []string{"-q"}, "language": "python"},
			status: "Success", runStatus: "Finished", rc: ptr(0), stdout: ptr("ok\n"), verdict: "ok"},
		{name: "cpp", req: map[string]any{"code": "#include <cstdio>\nint main(){int a,b;scanf(\"%d %d\",&a,&b);printf(\"%d\\n\",a*b);}", "stdin": "6 7", "language": "cpp"},
			status: "Success", runStatus: "Finished", rc: ptr(0), stdout: ptr("42\n"), verdict: "ok"},
		{name: "cpp runtime error", req: map[string]any{"code": "int main(){ return 5; }", "language": "cpp"},
			status: "Failed", runStatus: "Finished", rc: ptr(5), verdict: "runtime_error"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := runCode(t, ts.URL, tc.req)
			if r.Status != tc.status {
				t.Errorf("status %q, want %q (message %q)", r.Status, tc.status, r.Message)
			}
			rr := r.RunResult
			if rr == nil {
				t.Fatalf("no run_result: %+v", r)
			}
			if rr.Status != tc.runStatus || rr.Verdict != tc.verdict {
				t.Errorf("run status %q verdict %q, want %q %q", rr.Status, rr.Verdict, tc.runStatus, tc.verdict)
			}
			switch {
			case tc.runStatus == "TimeLimitExceeded" && rr.ReturnCode != nil:
				t.Errorf("return code %d on a time limit, want null", *rr.ReturnCode)
			case tc.rc != nil && (rr.ReturnCode == nil || *rr.ReturnCode != *tc.rc):
				t.Errorf("return code %v, want %d", deref(rr.ReturnCode), *tc.rc)
			case tc.status == "Failed" && tc.runStatus == "Finished" && (rr.ReturnCode == nil || *rr.ReturnCode == 0):
				t.Errorf("Failed with return code %v, want non-zero", deref(rr.ReturnCode))
			}
			if tc.stdout != nil && (rr.Stdout == nil || *rr.Stdout != *tc.stdout) {
				t.Errorf("stdout %q, want %q", deref(rr.Stdout), *tc.stdout)
			}
			if tc.stderrHas != "" && (rr.Stderr == nil || !strings.Contains(*rr.Stderr, tc.stderrHas)) {
				t.Errorf("stderr %q lacks %q", deref(rr.Stderr), tc.stderrHas)
			}
			if rr.ExecutionTime == nil || *rr.ExecutionTime <= 0 {
				t.Errorf("execution_time %v", rr.ExecutionTime)
			}
			if (tc.req["language"] == "cpp") != (r.CompileResult != nil) {
				t.Errorf("compile_result %+v for %s", r.CompileResult, tc.req["language"])
			}
		})
	}
}

func deref[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

func TestRunCodeCompile(t *testing.T) {
	_, ts := newTestServer(t, nil)
	// A unique program, so the first compilation is not a cache hit.
	src := "#include <cstdio>\nint main(){ puts(\"" + time.Now().Format(time.RFC3339Nano) + "\"); }\n"
	first := runCode(t, ts.URL, map[string]any{"code": src, "language": "cpp"})
	second := runCode(t, ts.URL, map[string]any{"code": src, "language": "cpp"})
	for i, r := range []sfResponse{first, second} {
		c := r.CompileResult
		if r.Status != "Success" || c == nil || c.Status != "Finished" || c.ReturnCode == nil || *c.ReturnCode != 0 || c.Cached == nil {
			t.Fatalf("run %d: %+v compile %+v", i, r, c)
		}
	}
	if *first.CompileResult.Cached || !*second.CompileResult.Cached {
		t.Errorf("cached: first %v, second %v; want false, true", *first.CompileResult.Cached, *second.CompileResult.Cached)
	}

	bad := runCode(t, ts.URL, map[string]any{"code": "int main() { return }", "language": "cpp"})
	c := bad.CompileResult
	if bad.Status != "Failed" || c == nil || c.Status != "Finished" || c.ReturnCode == nil || *c.ReturnCode == 0 ||
		bad.RunResult != nil || c.Verdict != "compile_error" || !strings.Contains(deref(c.Stderr).(string), "error") {
		t.Errorf("compile error: %+v compile %+v", bad, c)
	}
}

func TestRunCodeFiles(t *testing.T) {
	_, ts := newTestServer(t, nil)
	b64 := base64.StdEncoding.EncodeToString
	r := runCode(t, ts.URL, map[string]any{
		"code":        "data = open('in.txt').read()\nopen('out.txt', 'w').write(data.upper())\nopen('/tmp/t.bin', 'wb').write(bytes([0, 255]))",
		"language":    "python",
		"files":       map[string]any{"in.txt": b64([]byte("hello")), "skip.txt": nil, "x_IGNORE_THIS_FILE": "!!!"},
		"fetch_files": []string{"out.txt", "/tmp/t.bin", "missing.txt"},
	})
	if r.Status != "Success" {
		t.Fatalf("%+v stderr %q", r, deref(r.RunResult.Stderr))
	}
	want := map[string]string{"out.txt": b64([]byte("HELLO")), "/tmp/t.bin": b64([]byte{0, 255})}
	if len(r.Files) != len(want) || r.Files["out.txt"] != want["out.txt"] || r.Files["/tmp/t.bin"] != want["/tmp/t.bin"] {
		t.Errorf("files %v, want %v", r.Files, want)
	}

	for name, req := range map[string]map[string]any{
		"unsupported":  {"code": "console.log(1)", "language": "nodejs"},
		"another lang": {"code": "fn main(){}", "language": "rust"},
	} {
		t.Run(name, func(t *testing.T) {
			r := runCode(t, ts.URL, req)
			if r.Status != "SandboxError" || r.Message == "" {
				t.Errorf("%+v, want SandboxError with a message", r)
			}
		})
	}
}

// fileRun is a /run_code response with rlef's per-file errors.
type fileRun struct {
	sfResponse
	FileErrors map[string]string `json:"file_errors"`
}

// A file rlef will not place fails that file only: the run goes ahead,
// and the file's error is said once, in file_errors and the message.
func TestRunCodeFileRefusedAlone(t *testing.T) {
	_, ts := newTestServer(t, nil)
	b64 := base64.StdEncoding.EncodeToString
	code, body := post(t, ts.URL+"/run_code", map[string]any{
		"code":     "import os\nprint(open('ok.txt').read(), os.path.exists('/etc/evil'))",
		"language": "python",
		"files": map[string]any{"ok.txt": b64([]byte("fine")), "/etc/evil": b64([]byte("x")), "../up": b64([]byte("x")),
			"bad.txt": "***", "main.py": b64([]byte("print('hijack')"))},
		"fetch_files": []string{"/proc/self/environ", "ok.txt"},
	})
	if code != 200 {
		t.Fatalf("HTTP %d: %s", code, body)
	}
	r := mustJSON[fileRun](t, body)
	if r.Status != "Success" || deref(r.RunResult.Stdout) != "fine False\n" {
		t.Fatalf("run: %+v stdout %q stderr %q", r, deref(r.RunResult.Stdout), deref(r.RunResult.Stderr))
	}
	if r.Files["ok.txt"] != b64([]byte("fine")) || len(r.Files) != 1 {
		t.Errorf("files %v", r.Files)
	}
	want := map[string]string{
		"/etc/evil":          "outside",
		"../up":              "leaves the working directory",
		"bad.txt":            "not base64",
		"main.py":            "program itself",
		"/proc/self/environ": "not fetched",
	}
	if len(r.FileErrors) != len(want) {
		t.Errorf("file_errors %v", r.FileErrors)
	}
	for name, has := range want {
		msg := r.FileErrors[name]
		if !strings.Contains(msg, has) && !(has == "outside" && strings.Contains(msg, "only below")) {
			t.Errorf("file_errors[%q] = %q, want it to mention %q", name, msg, has)
		}
		if strings.Count(r.Message, msg) != 1 {
			t.Errorf("message %q does not say %q once", r.Message, msg)
		}
	}
	if strings.Contains(r.Message, "invalid request: invalid request") {
		t.Errorf("doubled prefix: %q", r.Message)
	}
}

func TestSandboxPath(t *testing.T) {
	tests := []struct {
		name, want string
	}{
		{"a.txt", "/w/a.txt"},
		{"dir1/dir2/dir3/secret_flag", "/w/dir1/dir2/dir3/secret_flag"},
		{"./x/../y", "/w/y"},
		{"/w/out.txt", "/w/out.txt"},
		{"/tmp/t.bin", "/tmp/t.bin"},
		{"/mnt/b", "/mnt/b"},
		{"/mnt//c/./d", "/mnt/c/d"},
		{"/mnt", ""},
		{"/w", ""},
		{"/mntx/a", ""},
		{"/etc/passwd", ""},
		{"/w/../etc/passwd", ""},
		{"../x", ""},
		{"..", ""},
		{".", ""},
		{"", ""},
		{"a\x00b", ""},
		{strings.Repeat("a", 1025), ""},
		{"main.py", ""},
		{"/w/main.py", ""},
		{"sub/main.py", "/w/sub/main.py"},
	}
	for _, tc := range tests {
		got, err := SandboxPath(tc.name)
		if got != tc.want || (err != nil) != (tc.want == "") {
			t.Errorf("SandboxPath(%.40q) = %q, %v; want %q", tc.name, got, err, tc.want)
		}
		var re *RefusedPathError
		if err != nil && (!errors.As(err, &re) || re.Reason == "" || strings.Contains(re.Reason, "refused")) {
			t.Errorf("SandboxPath(%.40q): error %v", tc.name, err)
		}
	}
}

func TestRunCodeValidation(t *testing.T) {
	_, ts := newTestServer(t, func(c *Config) { c.MaxBody = 1 << 20 })
	tests := []struct {
		name string
		body string
		code int
		loc  []any // of the first error
	}{
		{"missing code", `{"language": "python"}`, 422, []any{"body", "code"}},
		{"missing language", `{"code": "pass"}`, 422, []any{"body", "language"}},
		{"unknown language", `{"code": "pass", "language": "cobol"}`, 422, []any{"body", "language"}},
		{"code not a string", `{"code": 5, "language": "python"}`, 422, []any{"body", "code"}},
		{"stdin not a string", `{"code": "pass", "stdin": [1], "language": "python"}`, 422, []any{"body", "stdin"}},
		{"memory not an int", `{"code": "pass", "memory_limit_MB": 1.5, "language": "python"}`, 422, []any{"body", "memory_limit_MB"}},
		{"timeout not a number", `{"code": "pass", "run_timeout": "soon", "language": "python"}`, 422, []any{"body", "run_timeout"}},
		{"files not a dict", `{"code": "pass", "files": [], "language": "python"}`, 422, []any{"body", "files"}},
		{"fetch_files item", `{"code": "pass", "fetch_files": [1], "language": "python"}`, 422, []any{"body", "fetch_files", 0.0}},
		{"not json", `{"code": `, 422, nil},
		{"not an object", `[1, 2]`, 422, []any{"body"}},
		{"too large", `{"code": "` + strings.Repeat("x", 2<<20) + `", "language": "python"}`, 413, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, body := post(t, ts.URL+"/run_code", tc.body)
			if code != tc.code {
				t.Fatalf("HTTP %d, want %d: %.300s", code, tc.code, body)
			}
			if code != 422 {
				return
			}
			var resp struct {
				Detail []struct {
					Type string `json:"type"`
					Loc  []any  `json:"loc"`
					Msg  string `json:"msg"`
				} `json:"detail"`
			}
			if err := json.Unmarshal(body, &resp); err != nil || len(resp.Detail) == 0 {
				t.Fatalf("not FastAPI's shape: %s", body)
			}
			if d := resp.Detail[0]; d.Type == "" || d.Msg == "" || tc.loc != nil && !slices.Equal(d.Loc, tc.loc) {
				t.Errorf("detail %+v, want loc %v", d, tc.loc)
			}
		})
	}
}

func TestRunLimitsCapped(t *testing.T) {
	pool, j, _ := testPool(t)
	s, err := New(Config{Pool: pool, Judge: j, Logger: quietLogger(),
		Run: RunLimits{DefaultMemory: 512 << 20, MaxMemory: 1 << 30, MaxRunTimeout: 20 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	tests := []struct {
		mb      int64
		timeout float64
		memory  int64
		wall    time.Duration
	}{
		{-1, 10, 512 << 20, 10 * time.Second},
		{0, 1e9, 512 << 20, 20 * time.Second},
		{100, 0.001, 100 << 20, 10 * time.Millisecond},
		{1 << 40, 20, 1 << 30, 20 * time.Second},
		{1, 1, 8 << 20, time.Second},
	}
	for _, tc := range tests {
		in, _, err := s.runInput(&RunCodeRequest{MemoryLimitMB: tc.mb, RunTimeout: tc.timeout})
		if err != nil {
			t.Fatal(err)
		}
		if in.Limits.Memory != tc.memory || in.Limits.WallTime != tc.wall {
			t.Errorf("memory_limit_MB %d, run_timeout %g: memory %d wall %s, want %d %s",
				tc.mb, tc.timeout, in.Limits.Memory, in.Limits.WallTime, tc.memory, tc.wall)
		}
	}
}

func TestParseRunStatus(t *testing.T) {
	fin := func(rc int) *CommandRunResult { return &CommandRunResult{Status: CommandFinished, ReturnCode: &rc} }
	errMsg := "boom"
	tests := []struct {
		name         string
		compile, run *CommandRunResult
		status, msg  string
	}{
		{"python ok", nil, fin(0), StatusSuccess, ""},
		{"python exit 1", nil, fin(1), StatusFailed, ""},
		{"negative code", nil, fin(-9), StatusFailed, ""},
		{"run time limit", nil, &CommandRunResult{Status: CommandTimeLimitExceeded}, StatusFailed, ""},
		{"compile time limit", &CommandRunResult{Status: CommandTimeLimitExceeded}, nil, StatusFailed, ""},
		{"compile error", fin(1), nil, StatusFailed, ""},
		{"cpp ok", fin(0), fin(0), StatusSuccess, ""},
		{"error wins", fin(0), &CommandRunResult{Status: CommandError, Stderr: &errMsg}, StatusSandboxError, "boom"},
		{"nothing", nil, nil, StatusSuccess, ""},
	}
	for _, tc := range tests {
		status, msg := ParseRunStatus(tc.compile, tc.run)
		if status != tc.status || msg != tc.msg {
			t.Errorf("%s: %q %q, want %q %q", tc.name, status, msg, tc.status, tc.msg)
		}
	}
}

func TestText(t *testing.T) {
	for in, want := range map[string]string{"ok": "ok", "a\xffb": "a\uFFFDb", "\xff\xfe": "\uFFFD\uFFFD", "é": "é", "\xe2\x82": "\uFFFD\uFFFD"} {
		if got := text([]byte(in)); got != want {
			t.Errorf("text(%q) = %q, want %q", in, got, want)
		}
	}
}

// SandboxFusion's own API tests (sandbox/tests/runners/test_python.py,
// test_cpp.py, datasets/test_utils.py at 469de08), sent as they send
// them, with their assertions; and the run_timeout and working-directory
// behaviour SandboxFusion has.
//
// Two cases depend on the sandbox (not on the server): "fetch_files at
// /mnt" needs the sandbox to accept files below /mnt, and "cpp files in
// the working directory" needs C++ to run in /w.
func TestSandboxFusionSemantics(t *testing.T) {
	_, ts := newTestServer(t, nil)
	b64 := base64.StdEncoding.EncodeToString
	unb64 := func(s string) string {
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return "<" + err.Error() + ">"
		}
		return string(b)
	}
	tests := []struct {
		name  string
		req   map[string]any
		check func(r fileRun) string // "" when right
	}{
		{"test_python_print", map[string]any{"language": "python", "code": "print(123)", "run_timeout": 5},
			func(r fileRun) string {
				return want(r.Status == "Success" && strings.TrimSpace(deref(r.RunResult.Stdout).(string)) == "123")
			}},
		{"test_python_timeout", map[string]any{"language": "python", "code": "import time; time.sleep(0.2)", "run_timeout": 0.1},
			func(r fileRun) string {
				return want(r.Status == "Failed" && r.RunResult.Status == "TimeLimitExceeded")
			}},
		{"test_python_file_read", map[string]any{"language": "python", "code": `print(open("dir1/dir2/dir3/secret_flag").read())`,
			"run_timeout": 5, "files": map[string]any{"dir1/dir2/dir3/secret_flag": "ImhlbGxvLCB0aGlzIGlzIGEgdGVzdCI="}},
			func(r fileRun) string {
				return want(r.Status == "Success" && r.RunResult.Status == "Finished" &&
					strings.Contains(deref(r.RunResult.Stdout).(string), "hello, this is a test"))
			}},
		{"test_python_stdin", map[string]any{"language": "python", "code": "print(int(input()))", "run_timeout": 5, "stdin": "65535"},
			func(r fileRun) string {
				return want(r.Status == "Success" && deref(r.RunResult.Stdout) == "65535\n")
			}},
		{"test_compatibility_with_null_asset", map[string]any{"language": "python", "code": "print(123)", "files": map[string]any{"a.txt": nil}},
			func(r fileRun) string { return want(deref(r.RunResult.Stdout) == "123\n" && len(r.FileErrors) == 0) }},
		{"fetch_files at /mnt (test_python_fetch_files; needs the sandbox to accept /mnt)", map[string]any{"language": "python",
			"code": `open("a.txt", "w").write("secret"); open("/mnt/b", "w").write("sauce");`, "run_timeout": 5,
			"fetch_files": []string{"a.txt", "/mnt/b"}},
			func(r fileRun) string {
				return want(r.Status == "Success" && r.RunResult.Status == "Finished" &&
					unb64(r.Files["a.txt"]) == "secret" && unb64(r.Files["/mnt/b"]) == "sauce")
			}},
		{"run_timeout 0 is a time limit", map[string]any{"language": "python", "code": "print(1)", "run_timeout": 0},
			func(r fileRun) string {
				return want(r.Status == "Failed" && r.RunResult.Status == "TimeLimitExceeded" && r.RunResult.ReturnCode == nil &&
					r.RunResult.Verdict == "time_limit")
			}},
		{"negative run_timeout is a time limit", map[string]any{"language": "cpp", "code": "int main(){}", "run_timeout": -1},
			func(r fileRun) string {
				return want(r.Status == "Failed" && r.CompileResult != nil && r.CompileResult.Status == "Finished" &&
					r.RunResult.Status == "TimeLimitExceeded")
			}},
		{"compile_timeout 0 is a compile time limit", map[string]any{"language": "cpp", "code": "int main(){}", "compile_timeout": 0},
			func(r fileRun) string {
				return want(r.Status == "Failed" && r.CompileResult.Status == "TimeLimitExceeded" && r.RunResult == nil)
			}},
		{"cpp files in the working directory (needs C++ to run in /w)", map[string]any{"language": "cpp",
			"code":  "#include <fstream>\n#include <string>\nint main(){std::ifstream in(\"in.txt\"); std::string s; in >> s; std::ofstream(\"out.txt\") << s << s; std::ofstream(\"/w/abs.txt\") << 1;}",
			"files": map[string]any{"in.txt": b64([]byte("ab"))}, "fetch_files": []string{"out.txt", "abs.txt"}},
			func(r fileRun) string {
				return want(r.Status == "Success" && unb64(r.Files["out.txt"]) == "abab" && unb64(r.Files["abs.txt"]) == "1")
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, body := post(t, ts.URL+"/run_code", tc.req)
			if code != http.StatusOK {
				t.Fatalf("HTTP %d: %s", code, body)
			}
			r := mustJSON[fileRun](t, body)
			if r.RunResult == nil && r.CompileResult == nil {
				t.Fatalf("no result: %s", body)
			}
			if msg := tc.check(r); msg != "" {
				t.Errorf("%s: %s", msg, body)
			}
		})
	}
}

func want(ok bool) string {
	if ok {
		return ""
	}
	return "unexpected response"
}
