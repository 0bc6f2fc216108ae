package judge

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/rlef/rlef/sandbox"
	"github.com/rlef/rlef/verdict"
)

// Compiling harness.py costs a fresh sandboxed interpreter about 35 ms of
// CPU, mostly page faults; loading it as marshalled bytecode costs about
// 10. The bytecode is made once per Judge, by the sandbox's own
// interpreter (marshal's format is specific to the Python version), and
// then each run's main program is a small loader.

// bytecodeMaker compiles harness.py into marshalled code inside the
// sandbox.
const bytecodeMaker = `import marshal
with open("harness.py", "rb") as f:
    code = compile(f.read(), "harness.py", "exec", dont_inherit=True, optimize=2)
with open("harness.bin", "wb") as f:
    f.write(marshal.dumps(code))
`

// bytecodeLoader is the main program of a harness run: it executes the
// bytecode in the __main__ module's own namespace, so the harness's
// classes pickle as __main__ members, as they do when it runs as a file.
const bytecodeLoader = `import marshal, os
with open("harness.bin", "rb") as _f:
    _code = marshal.loads(_f.read())
os.unlink("harness.bin")
del _f
exec(_code, globals())
`

// harnessProgram returns the main program and extra files of a harness
// run: the bytecode loader when the bytecode could be made, else the
// source itself.
type harnessProgram struct {
	once     sync.Once
	bytecode []byte
}

func (j *Judge) harnessFiles(ctx context.Context) (main string, files map[string][]byte) {
	hp := &j.harness
	hp.once.Do(func() {
		bc, err := j.makeBytecode(ctx)
		if err != nil {
			j.opts.Logger.Warn("cannot precompile the judge harness; running it from source", "err", err)
			return
		}
		hp.bytecode = bc
	})
	if hp.bytecode == nil {
		return harnessSource, nil
	}
	return bytecodeLoader, map[string][]byte{"harness.bin": hp.bytecode}
}

func (j *Judge) makeBytecode(ctx context.Context) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	r, err := j.pool.Exec(ctx, sandbox.Python, bytecodeMaker, sandbox.Input{
		Files:   map[string][]byte{"harness.py": []byte(harnessSource)},
		Collect: []string{"harness.bin"},
		Limits:  sandbox.Limits{WallTime: 30 * time.Second, Memory: 512 << 20, Processes: 8, Output: 16 << 20},
	})
	if err != nil {
		return nil, err
	}
	if r.Status != verdict.OK || len(r.Files["harness.bin"]) == 0 {
		return nil, errors.New("compiling the harness failed: " + string(r.Stderr) + r.Message)
	}
	return r.Files["harness.bin"], nil
}
