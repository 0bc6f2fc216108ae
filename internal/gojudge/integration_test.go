//go:build gojudge

package gojudge

// TestRealGoJudge runs against a real go-judge named by RLEF_GOJUDGE_URL.
// It is built only with -tags gojudge: go-judge is not part of rlef's
// suite (nor installed in CI), and without the tag the test does not
// exist rather than skip.
//
// To build go-judge v1.12.2 (commit 955585f050286993ead2b2dd11c107d529b6b508)
// from source outside the repository, as root, with the Go module proxy:
//
//	mkdir -p /work/notes/gojudge-build/src && cd /work/notes/gojudge-build
//	git -C "$GOJUDGE_CHECKOUT" archive v1.12.2 | tar -x -C src
//	echo v1.12.2 > src/cmd/go-judge/version/version.txt # what its go:generate would write
//	cd src && GOFLAGS=-mod=mod CGO_ENABLED=0 go build -trimpath -o ../go-judge ./cmd/go-judge
//
// where $GOJUDGE_CHECKOUT is a clone of github.com/criyle/go-judge (here the
// mirror /work/.mirror/criyle+go-judge/repo). The first build downloads its
// modules through the proxy: about 7 minutes on the 2-core VM.
//
// Start it as root with its defaults (parallelism = number of CPUs, files
// kept in /dev/shm/go-judge with no timeout, debug log), then run the test:
//
//	cd /work/notes/gojudge-build
//	setsid nohup ./go-judge -http-addr 127.0.0.1:5050 >go-judge.log 2>&1 </dev/null &
//	curl -s 127.0.0.1:5050/version
//	RLEF_GOJUDGE_URL=http://127.0.0.1:5050 go test -tags gojudge -run TestRealGoJudge -v ./internal/gojudge

import (
	"context"
	"errors"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"
)

func TestRealGoJudge(t *testing.T) {
	base := os.Getenv("RLEF_GOJUDGE_URL")
	if base == "" {
		t.Fatal("RLEF_GOJUDGE_URL is unset; set it to a running go-judge, e.g. http://127.0.0.1:5050")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c := New(base, nil)

	t.Run("python", func(t *testing.T) {
		out, err := c.RunPython(ctx, pySource, "hello\n")
		if err != nil {
			t.Fatal(err)
		}
		if out.Stdout != "hello\n" {
			t.Errorf("stdout %q, want %q", out.Stdout, "hello\n")
		}
		if out.CPUTime <= 0 || out.WallTime <= 0 || out.Memory <= 0 {
			t.Errorf("usage not reported: %+v", out)
		}
	})

	t.Run("python exit status", func(t *testing.T) {
		_, err := c.RunPython(ctx, "import sys\nsys.stderr.write('bad input\\n')\nsys.exit(3)\n", "")
		var se *StatusError
		if !errors.As(err, &se) || se.Status != StatusNonzeroExitStatus || se.ExitStatus != 3 || se.Stderr != "bad input\n" {
			t.Fatalf("error %v, want Nonzero Exit Status 3 with stderr", err)
		}
	})

	t.Run("c++ compile once, run many, delete", func(t *testing.T) {
		p, err := c.CompileCPP(ctx, cppSource)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range []string{"hello", "world", ""} {
			out, err := p.Run(ctx, line+"\n")
			if err != nil {
				t.Fatal(err)
			}
			if out.Stdout != line+"\n" {
				t.Errorf("stdout %q, want %q", out.Stdout, line+"\n")
			}
		}
		if err := p.Delete(ctx); err != nil {
			t.Fatal(err)
		}
		var he *HTTPError
		if err := p.Delete(ctx); !errors.As(err, &he) || he.Code != http.StatusNotFound {
			t.Errorf("second delete: %v, want HTTP 404", err)
		}
		if _, err := p.Run(ctx, "hello\n"); !errors.As(err, &he) || he.Code != http.StatusInternalServerError {
			t.Errorf("run after delete: %v, want HTTP 500", err)
		}
	})

	t.Run("c++ compilation error", func(t *testing.T) {
		_, err := c.CompileCPP(ctx, "int main() { return x; }\n")
		var se *StatusError
		if !errors.As(err, &se) || se.Status != StatusNonzeroExitStatus || !strings.Contains(se.Stderr, "was not declared") {
			t.Fatalf("error %v, want a compilation error naming x", err)
		}
	})
}
