package sandbox

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// Python runs in a pre-forked interpreter; these programs must behave
// exactly as under a cold `python3 main.py` with the same environment:
// output, tracebacks, exit codes, buffering, __name__, argv, atexit,
// threads, warnings, hashing.
func TestZygoteMatchesColdStart(t *testing.T) {
	p := newTestPool(t, 1)
	programs := map[string]string{
		"names":      "import sys, __main__\nprint(__name__, __main__.__file__, sys.argv, sys.path[0])\nprint(__file__)\n",
		"traceback":  "def f(x):\n    return 1 / x\n\nprint('before')\nf(0)\n",
		"exit code":  "import sys\nprint('x')\nsys.exit(3)\n",
		"exit msg":   "raise SystemExit('bye')\n",
		"exit none":  "import sys\nsys.exit()\n",
		"syntax":     "def f(:\n    pass\n",
		"indent":     "if True:\nprint(1)\n",
		"no newline": "print('partial', end='')\n",
		"os exit":    "import os\nprint('lost in the buffer')\nos._exit(5)\n",
		"atexit":     "import atexit\natexit.register(lambda: print('bye from atexit'))\nprint('main')\n",
		"thread":     "import threading, time\ndef w():\n    time.sleep(0.2)\n    print('thread done')\nthreading.Thread(target=w).start()\nprint('main done')\n",
		"warning":    "import warnings\nwarnings.warn('careful')\nprint('ok')\n",
		"hash":       "print(hash('rlef'), list({'a', 'b', 'c', 'd'}))\n",
		"unicode":    "print('héllo ✓')\n",
		"recursion":  "import sys\nprint(sys.getrecursionlimit())\ndef f(n): return f(n + 1)\nf(0)\n",
		"eof":        "print(input())\n",
		"stdin":      "import sys\nprint(sys.stdin.isatty(), sys.stdout.isatty(), sys.stdout.encoding, sys.stdin.encoding)\n",
		"keyboard":   "raise KeyboardInterrupt\n",
		"flush err":  "import sys\nsys.stdout.write('a' * 10000)\nsys.stderr.write('err\\n')\n",
	}
	ctx := context.Background()
	for name, code := range programs {
		t.Run(name, func(t *testing.T) {
			r, err := p.Exec(ctx, Python, code, Input{Limits: slowLimits()})
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			main := filepath.Join(dir, "main.py")
			os.WriteFile(main, []byte(code), 0o644)
			cmd := exec.Command(p.cfg.Python, "-s", main)
			cmd.Dir = dir
			for k, v := range programEnv(dir, dir) {
				cmd.Env = append(cmd.Env, k+"="+v)
			}
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			code := 0
			if err := cmd.Run(); err != nil {
				var ee *exec.ExitError
				if !errors.As(err, &ee) {
					t.Fatal(err)
				}
				code = ee.ExitCode()
				if ws := ee.ProcessState.Sys().(syscall.WaitStatus); ws.Signaled() {
					code = -int(ws.Signal())
				}
			}
			norm := func(b []byte) string { return strings.ReplaceAll(string(b), dir, "/w") }
			if got, want := norm(r.Stdout), norm(stdout.Bytes()); got != want {
				t.Errorf("stdout\n got: %q\nwant: %q", got, want)
			}
			if got, want := norm(r.Stderr), norm(stderr.Bytes()); got != want {
				t.Errorf("stderr\n got: %q\nwant: %q", got, want)
			}
			if r.ExitCode != code {
				t.Errorf("exit code %d, want %d", r.ExitCode, code)
			}
		})
	}
}
