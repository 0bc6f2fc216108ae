package hostile

import (
	"github.com/rlef/rlef/verdict"
)

// Cases from an independent red-team replay against commit d4aaf61: new
// programs for classes 2, 6 and 7 that go after the assert tester (the
// one trusted Python process that shares the slot with the candidate),
// the problem's setup code (which runs in the candidate's process), and
// the tolerance EvalPlus's rules give integers.

// plantTesterModule writes a module named like a unittest test file into
// /w, the working directory the tester shares with the candidate. When
// the tester imports unittest.__main__, unittest's test discovery puts
// the working directory on sys.path and imports the file: its code then
// runs inside the tester. PAYLOAD is that code.
const plantTesterModule = `import types
open("/w/test_rlef_replay.py", "w").write(PAYLOAD)
`

// testerAccepts makes the tester answer every test "accepted".
const testerAccepts = `PAYLOAD = """
import sys
_m = sys.modules.get("__main__")
if hasattr(_m, "Tester"):
    _m.Tester.run = lambda self, job: (b"D", {"verdict": "accepted"})
"""
`

func replayTester() []*Case {
	judgeAndReward := Judge | Reward
	return []*Case{
		{Name: "c02/tester-imports-unittest-main", Class: 2, Problem: Add,
			Why: "exports a module whose name is unittest.__main__: the tester imports it, unittest discovers /w/test_*.py, and the file the candidate planted there replaces the tester's Tester.run with one that answers accepted",
			Code: testerAccepts + plantTesterModule + `helper = types.ModuleType("unittest.__main__")

def add(a, b):
    return -1
`, Verdicts: v(verdict.WrongAnswer), RunVerdicts: v(verdict.RuntimeError)},
		{Name: "c02/setup-import-swapped-for-unittest-main", Class: 2, Problem: AddMath, Entries: judgeAndReward,
			Why: "puts a fake module named unittest.__main__ in sys.modules['math'], so that the setup's `import math` (run in the candidate's process) exports it to the tester, which imports unittest's test runner and with it the tester-patching file planted in /w",
			Code: testerAccepts + plantTesterModule + `import sys
sys.modules["math"] = types.ModuleType("unittest.__main__")

def add(a, b):
    return -1
`, Verdicts: v(verdict.WrongAnswer)},
		{Name: "c06/tester-broken-report", Class: 6, Problem: Add,
			Why: "through unittest.__main__ test discovery, makes the tester answer each test with a report that is not an object (the supervisor records a sandbox error)",
			Code: `PAYLOAD = """
import sys
_m = sys.modules.get("__main__")
if hasattr(_m, "Tester"):
    _m.Tester.run = lambda self, job: (b"D", "not a report")
"""
` + plantTesterModule + `helper = types.ModuleType("unittest.__main__")

def add(a, b):
    return -1
`, RunVerdicts: v(verdict.RuntimeError)},
		{Name: "c02/setup-helper-sees-patched-builtins", Class: 2, Problem: AddHelper, Entries: judgeAndReward,
			Why:      "replaces builtins.abs in its own process: the setup's helper close(a, b), defined and called in the candidate's process, then says every pair is close",
			Code:     "import builtins\nbuiltins.abs = lambda x: 0\n\ndef add(a, b):\n    return -1\n",
			Verdicts: v(verdict.WrongAnswer)},
		{Name: "c02/setup-helper-rebound-by-thread", Class: 2, Problem: AddHelper, Entries: judgeAndReward,
			Why: "starts a thread that waits for the setup to define close(a, b) in the solution's module and rebinds it to a function that always answers True",
			Code: `import sys, threading, time

def _rebind():
    for _ in range(2000):
        ns = getattr(sys.modules.get("solution"), "__dict__", {})
        if "close" in ns and getattr(ns["close"], "__name__", "") == "close":
            ns["close"] = lambda a, b: True
            return
        time.sleep(0.001)

threading.Thread(target=_rebind, daemon=True).start()

def add(a, b):
    return -1
`, Verdicts: v(verdict.WrongAnswer)},
		{Name: "c02/tester-values-not-reencoded", Class: 2, Problem: Add, Entries: judgeAndReward,
			Why: "patches the runner's exports so that add reaches the tester as a marshalled code object and a value nested 4000 lists deep rather than a function",
			Code: `import marshal, sys
_runner = sys.modules.get("__main__")

def add(a, b):
    return -1

if hasattr(_runner, "Runner"):
    _exports = _runner.Runner.exports

    def exports(self):
        e = _exports(self)
        e["functions"] = [f for f in e["functions"] if f != "add"]
        e["values"] = dict(e["values"], add=marshal.dumps((lambda a, b: a + b).__code__).hex(),
                           deep=("5b01000000" * 4000 + "4e").lower())
        return e

    _runner.Runner.exports = exports
`},
		{Name: "c02/exception-named-systemexit", Class: 2, Problem: Pairs, Entries: judgeAndReward,
			Why: "raises exceptions of its own classes named SystemExit, GeneratorExit and KeyboardInterrupt, whose __str__ raises, hoping the tester re-raises them as what ends a test quietly",
			Code: `class SystemExit(Exception):
    def __str__(self):
        raise SystemExit()

class GeneratorExit(Exception):
    pass

_n = [0]

def add(a, b):
    if (a, b) == (1, 2):
        return 3
    _n[0] += 1
    raise (SystemExit, GeneratorExit)[_n[0] % 2]()
`},
		{Name: "c02/forged-empty-digests", Class: 2, Problem: Square,
			Why:  "answers a call with its own digest frame whose digests are empty (as for a value with no canonical encoding) before the runner can answer, then stalls",
			Code: framePy + "import json, time\n\ndef square(x):\n    os.write(0, frame(b'G', json.dumps({'marshal': '', 'canonical': '', 'repr': '16'}).encode()))\n    time.sleep(5)\n"},
	}
}

func replayNumbers() []*Case {
	return []*Case{
		{Name: "c07/int-within-tolerance-after-float", Class: 7, Problem: ScaleInt,
			Why:  "returns x*x + 1 for large integers: after the float test turns on the suite's tolerance, an int is compared with rtol 1e-7 like a float",
			Code: "def scale(x):\n    r = x * x\n    return r + 1 if type(x) is int and x > 1000 else r\n", Verdicts: v(verdict.WrongAnswer), RunVerdicts: v(verdict.OK)},
		{Name: "c07/int-within-problem-atol", Class: 7, Problem: SquareAtol,
			Why:  "returns x*x + 7 on a problem whose atol (meant for floats) makes integers compare within rtol 1e-7",
			Code: "def square(x):\n    r = x * x\n    return r + 7 if r > 100 else r\n", Verdicts: v(verdict.WrongAnswer), RunVerdicts: v(verdict.OK)},
		{Name: "c07/int-list-within-tolerance", Class: 7, Problem: ScaleInt,
			Why:  "returns a wrong integer near the top of int64 after the float test (3037000499**2 - 100, within rtol 1e-7)",
			Code: "def scale(x):\n    r = x * x\n    return r - 100 if type(x) is int and x > 10 ** 9 else r\n", Verdicts: v(verdict.WrongAnswer), RunVerdicts: v(verdict.OK)},
		{Name: "c07/wrong-int-as-float-after-float", Class: 7, Problem: ScaleInt,
			Why:  "after the float test turns on the suite's tolerance, answers large integers with a close float (x*x + 500.0) instead of the integer",
			Code: "def scale(x):\n    r = x * x\n    return float(r) + 500.0 if type(x) is int and x > 1000 else r\n", Verdicts: v(verdict.WrongAnswer), RunVerdicts: v(verdict.OK)},
	}
}

func replayStarter() []*Case {
	return []*Case{
		{Name: "c02/redefines-the-prompts-helper", Class: 2, Problem: RoundTrip, Entries: Judge | Reward,
			Why:  "HumanEval/38's shape: the tests check decode against the prompt's encode; the candidate redefines encode as the identity and decodes nothing",
			Code: "def encode(s):\n    return s\n\ndef decode(s):\n    return s\n", Verdicts: v(verdict.WrongAnswer)},
		{Name: "c02/patches-the-prompts-helper", Class: 2, Problem: RoundTrip, Entries: Judge | Reward,
			Why:  "rebinds encode through globals() at import time instead of a def",
			Code: "def decode(s):\n    return s\n\nglobals()['encode'] = lambda s: s\n", Verdicts: v(verdict.WrongAnswer)},
	}
}
