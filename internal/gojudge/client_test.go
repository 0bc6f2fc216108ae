package gojudge

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

// exchange is one request the fake go-judge expects and its answer.
type exchange struct {
	method, path string
	body         string // expected request JSON; "" means no body
	code         int    // 0 means 200
	answer       string
}

// fakeJudge serves a script of exchanges in order and fails the test on any
// request that differs from the script.
type fakeJudge struct {
	t      *testing.T
	mu     sync.Mutex
	script []exchange
	served int
}

func newFakeJudge(t *testing.T, script ...exchange) *Client {
	t.Helper()
	f := &fakeJudge{t: t, script: script}
	srv := httptest.NewServer(f)
	t.Cleanup(func() {
		srv.Close()
		if f.served != len(f.script) {
			t.Errorf("fake go-judge served %d of %d expected requests", f.served, len(f.script))
		}
	})
	return New(srv.URL+"/", srv.Client())
}

func (f *fakeJudge) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	body, err := io.ReadAll(r.Body)
	if err != nil {
		f.t.Errorf("read request body: %v", err)
	}
	if f.served >= len(f.script) {
		f.t.Errorf("unexpected request %s %s %s", r.Method, r.URL.Path, body)
		http.Error(w, "unexpected", http.StatusTeapot)
		return
	}
	want := f.script[f.served]
	f.served++
	if r.Method != want.method || r.URL.EscapedPath() != want.path {
		f.t.Errorf("request %d: got %s %s, want %s %s", f.served, r.Method, r.URL.EscapedPath(), want.method, want.path)
	}
	f.checkBody(want.body, body, r.Header.Get("Content-Type"))
	code := want.code
	if code == 0 {
		code = http.StatusOK
	}
	w.WriteHeader(code)
	io.WriteString(w, want.answer)
}

// checkBody compares the request JSON with the expected JSON value: the
// same fields, with the same names and values, and nothing else.
func (f *fakeJudge) checkBody(want string, got []byte, contentType string) {
	if want == "" {
		if len(got) != 0 {
			f.t.Errorf("request %d: unexpected body %s", f.served, got)
		}
		return
	}
	if contentType != "application/json" {
		f.t.Errorf("request %d: Content-Type %q, want application/json", f.served, contentType)
	}
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		f.t.Errorf("request %d: body is not JSON: %v\n%s", f.served, err, got)
		return
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		f.t.Fatalf("bad expected JSON in test: %v", err)
	}
	if !reflect.DeepEqual(g, w) {
		f.t.Errorf("request %d body:\n got %s\nwant %s", f.served, got, want)
	}
}

const (
	pySource  = "import sys; print(sys.stdin.readline().strip())"
	cppSource = "#include <iostream>\nint main() { std::string s; std::getline(std::cin, s); std::cout << s << '\\n'; }\n"
)

// limitsJSON is DefaultLimits as the request fields go-judge reads.
const limitsJSON = `"cpuLimit":10000000000,"clockLimit":10000000000,"memoryLimit":268435456,"procLimit":50`

func filesJSON(stdin string) string {
	b, _ := json.Marshal(stdin)
	return `"files":[{"content":` + string(b) + `},{"name":"stdout","max":1048576},{"name":"stderr","max":1048576}]`
}

func pythonRequest(stdin string) string {
	src, _ := json.Marshal(pySource)
	return `{"cmd":[{"args":["/usr/bin/python3","main.py"],"env":["PATH=/usr/bin:/bin"],` + filesJSON(stdin) + `,` +
		limitsJSON + `,"copyIn":{"main.py":{"content":` + string(src) + `}}}]}`
}

func TestRunPython(t *testing.T) {
	tests := []struct {
		name    string
		stdin   string
		code    int
		answer  string
		want    Output
		wantErr error // *StatusError or *HTTPError compared by value; other errors by presence
	}{{
		name:   "accepted",
		stdin:  "hello\n",
		answer: `[{"status":"Accepted","exitStatus":0,"time":20354504,"memory":3145728,"runTime":70109532,"files":{"stderr":"","stdout":"hello\n"}}]`,
		want:   Output{Stdout: "hello\n", CPUTime: 20354504, WallTime: 70109532, Memory: 3145728},
	}, {
		name:   "empty stdin is sent as empty content",
		stdin:  "",
		answer: `[{"status":"Accepted","exitStatus":0,"time":1,"memory":2,"runTime":3,"files":{"stderr":"warn","stdout":"\n"}}]`,
		want:   Output{Stdout: "\n", Stderr: "warn", CPUTime: 1, WallTime: 3, Memory: 2},
	}, {
		name:    "nonzero exit",
		stdin:   "x",
		answer:  `[{"status":"Nonzero Exit Status","exitStatus":1,"time":1,"memory":1,"runTime":1,"files":{"stderr":"Traceback\nValueError\n","stdout":""}}]`,
		wantErr: &StatusError{Op: "run python", Status: StatusNonzeroExitStatus, ExitStatus: 1, Stderr: "Traceback\nValueError\n"},
	}, {
		name:    "time limit",
		stdin:   "x",
		answer:  `[{"status":"Time Limit Exceeded","exitStatus":9,"time":10000000000,"memory":1,"runTime":10000000000,"files":{"stderr":"","stdout":""}}]`,
		wantErr: &StatusError{Op: "run python", Status: StatusTimeLimitExceeded, ExitStatus: 9},
	}, {
		name:    "internal error with message",
		stdin:   "x",
		answer:  `[{"status":"Internal Error","exitStatus":0,"error":"execve: no such file or directory","time":0,"memory":0,"runTime":0}]`,
		wantErr: &StatusError{Op: "run python", Status: StatusInternalError, Message: "execve: no such file or directory"},
	}, {
		name:    "request rejected",
		stdin:   "x",
		code:    http.StatusBadRequest,
		answer:  `"no cmd provided"`,
		wantErr: &HTTPError{Code: 400, Message: "no cmd provided"},
	}, {
		name:    "server failure",
		stdin:   "x",
		code:    http.StatusInternalServerError,
		answer:  `"file does not exists with id: \"x\""`,
		wantErr: &HTTPError{Code: 500, Message: `file does not exists with id: "x"`},
	}, {
		name:    "server failure without JSON",
		stdin:   "x",
		code:    http.StatusBadGateway,
		answer:  "bad gateway\n",
		wantErr: &HTTPError{Code: 502, Message: "bad gateway"},
	}, {
		name:    "answer not JSON",
		stdin:   "x",
		answer:  `{`,
		wantErr: errors.New("decode"),
	}, {
		name:    "answer with no result",
		stdin:   "x",
		answer:  `[]`,
		wantErr: errors.New("no result"),
	}, {
		name:    "answer with no status",
		stdin:   "x",
		answer:  `[{"exitStatus":0}]`,
		wantErr: errors.New("no status"),
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newFakeJudge(t, exchange{method: "POST", path: "/run", body: pythonRequest(tt.stdin), code: tt.code, answer: tt.answer})
			got, err := c.RunPython(context.Background(), pySource, tt.stdin)
			checkErr(t, err, tt.wantErr)
			if got != tt.want {
				t.Errorf("output %+v, want %+v", got, tt.want)
			}
		})
	}
}

// checkErr checks err against want: typed errors must match by value
// through errors.As, any other want only requires an error that is neither.
func checkErr(t *testing.T, err, want error) {
	t.Helper()
	var se *StatusError
	var he *HTTPError
	switch w := want.(type) {
	case nil:
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
	case *StatusError:
		if !errors.As(err, &se) || !reflect.DeepEqual(se, w) {
			t.Fatalf("error %#v (%v), want %#v", se, err, w)
		}
	case *HTTPError:
		if !errors.As(err, &he) || *he != *w {
			t.Fatalf("error %#v (%v), want %#v", he, err, w)
		}
	default:
		if err == nil || errors.As(err, &se) || errors.As(err, &he) {
			t.Fatalf("error %v, want an answer error (%v)", err, w)
		}
	}
	if err != nil && !strings.HasPrefix(err.Error(), "gojudge: ") {
		t.Errorf("error %q does not say it comes from gojudge", err)
	}
}

func cppCompileRequest() string {
	src, _ := json.Marshal(cppSource)
	return `{"cmd":[{"args":["/usr/bin/g++","-std=c++17","-O2","-pipe","-o","main","main.cpp"],"env":["PATH=/usr/bin:/bin"],` +
		filesJSON("") + `,` + limitsJSON + `,"copyIn":{"main.cpp":{"content":` + string(src) + `}},"copyOutCached":["main"]}]}`
}

func cppRunRequest(id, stdin string) string {
	return `{"cmd":[{"args":["./main"],"env":["PATH=/usr/bin:/bin"],` + filesJSON(stdin) + `,` + limitsJSON +
		`,"copyIn":{"main":{"fileId":"` + id + `"}}}]}`
}

func TestCompileCPP(t *testing.T) {
	compile := exchange{method: "POST", path: "/run", body: cppCompileRequest()}
	answer := func(status string, exit int, stderr, fileIDs string) string {
		return `[{"status":"` + status + `","exitStatus":` + itoa(exit) +
			`,"time":300000000,"memory":30000000,"runTime":500000000,"files":{"stderr":` + jsonString(stderr) + `,"stdout":""}` +
			fileIDs + `}]`
	}
	del := func(id string, code int) exchange {
		return exchange{method: "DELETE", path: "/file/" + id, code: code}
	}
	tests := []struct {
		name    string
		script  []exchange
		wantID  string
		wantErr error
	}{{
		name:   "accepted",
		script: []exchange{with(compile, 200, answer("Accepted", 0, "", `,"fileIds":{"main":"5LWIZAA45JHX4Y4Z"}`))},
		wantID: "5LWIZAA45JHX4Y4Z",
	}, {
		name:    "compilation error",
		script:  []exchange{with(compile, 200, answer("Nonzero Exit Status", 1, "main.cpp:1:1: error: x", ""))},
		wantErr: &StatusError{Op: "compile c++", Status: StatusNonzeroExitStatus, ExitStatus: 1, Stderr: "main.cpp:1:1: error: x"},
	}, {
		name: "failure that left a cached file deletes it",
		script: []exchange{
			with(compile, 200, answer("Memory Limit Exceeded", 9, "", `,"fileIds":{"main":"LEFT"}`)),
			del("LEFT", 200),
		},
		wantErr: &StatusError{Op: "compile c++", Status: StatusMemoryLimitExceeded, ExitStatus: 9},
	}, {
		name:    "accepted without fileId",
		script:  []exchange{with(compile, 200, answer("Accepted", 0, "", ""))},
		wantErr: errors.New("no fileId"),
	}, {
		name:    "compiler missing",
		script:  []exchange{with(compile, 500, `"execve: no such file"`)},
		wantErr: &HTTPError{Code: 500, Message: "execve: no such file"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newFakeJudge(t, tt.script...)
			p, err := c.CompileCPP(context.Background(), cppSource)
			checkErr(t, err, tt.wantErr)
			if err == nil && p.FileID() != tt.wantID {
				t.Errorf("file id %q, want %q", p.FileID(), tt.wantID)
			}
		})
	}
}

func TestProgramRunAndDelete(t *testing.T) {
	const id = "5LWIZAA45JHX4Y4Z"
	ok := `[{"status":"Accepted","exitStatus":0,"time":1000000,"memory":1048576,"runTime":2000000,"files":{"stderr":"","stdout":"hello\n"}}]`
	tests := []struct {
		name       string
		run        exchange
		del        exchange
		wantOut    Output
		wantRunErr error
		wantDelErr error
	}{{
		name:    "accepted, deleted",
		run:     exchange{code: 200, answer: ok},
		del:     exchange{code: 200},
		wantOut: Output{Stdout: "hello\n", CPUTime: time.Millisecond, WallTime: 2 * time.Millisecond, Memory: 1 << 20},
	}, {
		name:       "signalled, file already gone",
		run:        exchange{code: 200, answer: `[{"status":"Signalled","exitStatus":11,"time":1,"memory":1,"runTime":1,"files":{"stderr":"","stdout":""}}]`},
		del:        exchange{code: 404},
		wantRunErr: &StatusError{Op: "run c++", Status: StatusSignalled, ExitStatus: 11},
		wantDelErr: &HTTPError{Code: 404},
	}, {
		name:       "cached file missing",
		run:        exchange{code: 500, answer: `"file does not exists with id: \"` + id + `\""`},
		del:        exchange{code: 404},
		wantRunErr: &HTTPError{Code: 500, Message: `file does not exists with id: "` + id + `"`},
		wantDelErr: &HTTPError{Code: 404},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newFakeJudge(t,
				exchange{method: "POST", path: "/run", body: cppRunRequest(id, "hello\n"), code: tt.run.code, answer: tt.run.answer},
				exchange{method: "DELETE", path: "/file/" + id, code: tt.del.code},
			)
			p := &Program{c: c, id: id}
			out, err := p.Run(context.Background(), "hello\n")
			checkErr(t, err, tt.wantRunErr)
			if out != tt.wantOut {
				t.Errorf("output %+v, want %+v", out, tt.wantOut)
			}
			checkErr(t, p.Delete(context.Background()), tt.wantDelErr)
		})
	}
}

func TestDeleteFileEscapesID(t *testing.T) {
	c := newFakeJudge(t, exchange{method: "DELETE", path: "/file/a%2Fb%20c"})
	if err := c.DeleteFile(context.Background(), "a/b c"); err != nil {
		t.Fatal(err)
	}
}

func TestLimitsAreSent(t *testing.T) {
	want := `{"cmd":[{"args":["/opt/py","main.py"],"env":["PATH=/usr/bin:/bin"],` +
		`"files":[{"content":""},{"name":"stdout","max":4096},{"name":"stderr","max":4096}],` +
		`"cpuLimit":1000000000,"clockLimit":3000000000,"memoryLimit":67108864,"procLimit":4,` +
		`"copyIn":{"main.py":{"content":"pass"}}}]}`
	c := newFakeJudge(t, exchange{method: "POST", path: "/run", body: want,
		answer: `[{"status":"Accepted","exitStatus":0,"time":1,"memory":1,"runTime":1,"files":{"stderr":"","stdout":""}}]`})
	c.Python = "/opt/py"
	c.Limits = Limits{CPU: time.Second, Clock: 3 * time.Second, Memory: 64 << 20, Procs: 4, Output: 4096}
	if _, err := c.RunPython(context.Background(), "pass", ""); err != nil {
		t.Fatal(err)
	}
}

func TestContextAndURLErrors(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	c := newFakeJudge(t) // no request may reach it
	if _, err := c.RunPython(ctx, pySource, ""); !errors.Is(err, context.Canceled) {
		t.Errorf("RunPython with a cancelled context: %v, want context.Canceled", err)
	}
	if err := c.DeleteFile(ctx, "x"); !errors.Is(err, context.Canceled) {
		t.Errorf("DeleteFile with a cancelled context: %v, want context.Canceled", err)
	}
	bad := New("http://bad host:5050", nil)
	if _, err := bad.RunPython(context.Background(), pySource, ""); err == nil {
		t.Error("RunPython against an invalid URL succeeded")
	}
}

func TestStatusErrorMessage(t *testing.T) {
	tests := []struct {
		err  *StatusError
		want string
	}{
		{&StatusError{Op: "run python", Status: StatusNonzeroExitStatus, ExitStatus: 2, Stderr: "boom\n"}, "gojudge: run python: Nonzero Exit Status (2)\nstderr:\nboom"},
		{&StatusError{Op: "run c++", Status: StatusTimeLimitExceeded, ExitStatus: 9}, "gojudge: run c++: Time Limit Exceeded"},
		{&StatusError{Op: "compile c++", Status: StatusInternalError, Message: "no g++"}, "gojudge: compile c++: Internal Error: no g++"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("%#v.Error() = %q, want %q", tt.err, got, tt.want)
		}
	}
}

func FuzzDecodeResults(f *testing.F) {
	f.Add([]byte(`[{"status":"Accepted","exitStatus":0,"time":1,"memory":2,"runTime":3,"files":{"stdout":"hi"},"fileIds":{"a":"B"}}]`))
	f.Add([]byte(`[{"status":"File Error","fileError":[{"name":"a","type":"CopyOutOpen","message":"m"}]}]`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`"no cmd provided"`))
	f.Add([]byte(`[{"status":1}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := decodeResults(data)
		if err == nil && res.Status == "" {
			t.Errorf("decodeResults(%q) accepted a result without status", data)
		}
		_ = errorMessage(data)
	})
}

func with(e exchange, code int, answer string) exchange {
	e.code, e.answer = code, answer
	return e
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
