package loadgen

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
)

// payload is a /run_code request exactly as verl's SandboxFusion client
// builds it (field order included).
type payload struct {
	CompileTimeout float64  `json:"compile_timeout"`
	RunTimeout     float64  `json:"run_timeout"`
	Code           string   `json:"code"`
	Stdin          *string  `json:"stdin"`
	MemoryLimitMB  int      `json:"memory_limit_MB"`
	Language       string   `json:"language"`
	Files          struct{} `json:"files"`
	FetchFiles     []string `json:"fetch_files"`
}

// response is the part of a /run_code response the checks read.
type response struct {
	Status        *string           `json:"status"`
	Message       *string           `json:"message"`
	CompileResult *commandResult    `json:"compile_result"`
	RunResult     *commandResult    `json:"run_result"`
	Files         map[string]string `json:"files"`
}

type commandResult struct {
	Status        string   `json:"status"`
	ExecutionTime *float64 `json:"execution_time"`
	ReturnCode    *int     `json:"return_code"`
	Stdout        *string  `json:"stdout"`
	Stderr        *string  `json:"stderr"`
}

// workload is one kind of request and the only response that is right for
// it.
type workload struct {
	name   string
	weight float64
	// make returns a request and its check.
	make func(rng *rand.Rand) (payload, func(*response) error)
}

const pySum = "import sys\n\ndef main():\n    a, b = map(int, sys.stdin.read().split())\n    print(a + b)\n\nmain()\n"

const pyWrong = "import sys\na, b = map(int, sys.stdin.read().split())\nprint(a - b)\n"

const pyRaise = "import sys\nraise ValueError('bad input: ' + sys.stdin.read().strip())\n"

const pyLoop = "while True:\n    pass\n"

// pyFnWrapper is a call-based problem wrapped the way verl wraps fn_name
// problems: a preamble of imports, the solution, and a driver that reads
// one JSON argument per stdin line, calls the function and prints the
// result.
const pyFnWrapper = `import sys
import json
import math
import collections
import itertools
import functools
import heapq
import bisect
import re
import string
from typing import *

def add_pair(a, b):
    return a + b

def _driver():
    raw = sys.stdin.read()
    args = [json.loads(line) for line in raw.split("\n")] if raw.strip() else []
    try:
        result = add_pair(*args)
    except Exception as e:
        sys.stderr.write("error: %r\n" % (e,))
        return
    if isinstance(result, (dict, list, tuple, bool)) or result is None:
        print(json.dumps(result))
    else:
        print(str(result))

if __name__ == "__main__":
    _driver()
`

const cppSum = "#include <cstdio>\nint main() {\n  long long a, b;\n  if (scanf(\"%lld %lld\", &a, &b) != 2) return 1;\n  printf(\"%lld\\n\", a + b);\n  return 0;\n}\n"

const cppBroken = "#include <cstdio>\nint main() {\n  printf(\"%d\\n\", undefined_name);\n}\n"

func verl(code, lang string, stdin *string, runTimeout float64) payload {
	return payload{CompileTimeout: runTimeout, RunTimeout: runTimeout, Code: code, Stdin: stdin,
		MemoryLimitMB: 1024, Language: lang, FetchFiles: []string{}}
}

func twoInts(rng *rand.Rand) (int, int, *string) {
	a, b := rng.IntN(2_000_000)-1_000_000, rng.IntN(2_000_000)-1_000_000
	in := fmt.Sprintf("%d %d\n", a, b)
	return a, b, &in
}

// workloads is the load test's mix: mostly verl-style Python stdin/stdout
// cases, some call-based (wrapped) Python, some C++, and a few failing
// programs of every kind.
func workloads() []workload {
	return []workload{
		{"python_stdio", 80, func(rng *rand.Rand) (payload, func(*response) error) {
			a, b, in := twoInts(rng)
			return verl(pySum, "python", in, 10), expectOutput(strconv.Itoa(a+b) + "\n")
		}},
		{"python_fn_name", 8, func(rng *rand.Rand) (payload, func(*response) error) {
			a, b := rng.IntN(1000), rng.IntN(1000)
			in := fmt.Sprintf("%d\n%d", a, b)
			return verl(pyFnWrapper, "python", &in, 10), expectOutput(strconv.Itoa(a+b) + "\n")
		}},
		{"cpp_stdio", 5, func(rng *rand.Rand) (payload, func(*response) error) {
			a, b, in := twoInts(rng)
			check := expectOutput(strconv.Itoa(a+b) + "\n")
			return verl(cppSum, "cpp", in, 10), func(r *response) error {
				if err := expectCompiled(r); err != nil {
					return err
				}
				return check(r)
			}
		}},
		{"python_wrong_answer", 2, func(rng *rand.Rand) (payload, func(*response) error) {
			a, b, in := twoInts(rng)
			return verl(pyWrong, "python", in, 10), expectOutput(strconv.Itoa(a-b) + "\n")
		}},
		{"python_runtime_error", 3, func(rng *rand.Rand) (payload, func(*response) error) {
			_, b, in := twoInts(rng)
			return verl(pyRaise, "python", in, 10), expectRuntimeError("ValueError: bad input", strconv.Itoa(b))
		}},
		{"cpp_compile_error", 1.5, func(rng *rand.Rand) (payload, func(*response) error) {
			return verl(cppBroken, "cpp", nil, 10), expectCompileError
		}},
		{"python_timeout", 0.5, func(rng *rand.Rand) (payload, func(*response) error) {
			return verl(pyLoop, "python", nil, 0.5), expectTimeout
		}},
	}
}

// pick draws a workload by weight.
func pick(ws []workload, rng *rand.Rand) workload {
	total := 0.0
	for _, w := range ws {
		total += w.weight
	}
	x := rng.Float64() * total
	for _, w := range ws {
		if x < w.weight {
			return w
		}
		x -= w.weight
	}
	return ws[len(ws)-1]
}

func expectStatus(r *response, want string) error {
	if r.Status == nil || *r.Status != want {
		got := "<missing>"
		if r.Status != nil {
			got = *r.Status
		}
		msg := ""
		if r.Message != nil {
			msg = *r.Message
		}
		return fmt.Errorf("status %s, want %s (message %q)", got, want, msg)
	}
	return nil
}

func expectOutput(stdout string) func(*response) error {
	return func(r *response) error {
		if err := expectStatus(r, "Success"); err != nil {
			return err
		}
		rr := r.RunResult
		if rr == nil || rr.Status != "Finished" || rr.ReturnCode == nil || *rr.ReturnCode != 0 {
			return fmt.Errorf("run_result %+v, want Finished with return code 0", rr)
		}
		if rr.Stdout == nil || *rr.Stdout != stdout {
			return fmt.Errorf("stdout %v, want %q", strp(rr.Stdout), stdout)
		}
		return nil
	}
}

func expectCompiled(r *response) error {
	c := r.CompileResult
	if c == nil || c.Status != "Finished" || c.ReturnCode == nil || *c.ReturnCode != 0 {
		return fmt.Errorf("compile_result %+v, want Finished with return code 0", c)
	}
	return nil
}

func expectRuntimeError(stderrHas ...string) func(*response) error {
	return func(r *response) error {
		if err := expectStatus(r, "Failed"); err != nil {
			return err
		}
		rr := r.RunResult
		if rr == nil || rr.Status != "Finished" || rr.ReturnCode == nil || *rr.ReturnCode != 1 {
			return fmt.Errorf("run_result %+v, want Finished with return code 1", rr)
		}
		for _, s := range stderrHas {
			if rr.Stderr == nil || !strings.Contains(*rr.Stderr, s) {
				return fmt.Errorf("stderr %v lacks %q", strp(rr.Stderr), s)
			}
		}
		return nil
	}
}

func expectCompileError(r *response) error {
	if err := expectStatus(r, "Failed"); err != nil {
		return err
	}
	c := r.CompileResult
	if c == nil || c.Status != "Finished" || c.ReturnCode == nil || *c.ReturnCode == 0 {
		return fmt.Errorf("compile_result %+v, want Finished with a non-zero return code", c)
	}
	if r.RunResult != nil {
		return errors.New("run_result after a compile error, want null")
	}
	return nil
}

func expectTimeout(r *response) error {
	if err := expectStatus(r, "Failed"); err != nil {
		return err
	}
	rr := r.RunResult
	if rr == nil || rr.Status != "TimeLimitExceeded" || rr.ReturnCode != nil {
		return fmt.Errorf("run_result %+v, want TimeLimitExceeded with no return code", rr)
	}
	return nil
}

func strp(s *string) string {
	if s == nil {
		return "<null>"
	}
	return strconv.Quote(*s)
}
