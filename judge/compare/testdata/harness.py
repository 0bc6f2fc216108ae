# rlef's former in-process judge harness (until the trust rewrite), kept as
# test data: its comparison functions are the behavioural reference that
# package compare is checked against. It is not run by the judge.
#
# rlef judge harness.
#
# Runs ONE solution on MANY tests inside one sandboxed Python process and
# reports a result line per test. The Go side (package judge) writes the
# solution to solution.py, the tests and settings to job.json and, when the
# expected values come from a reference solution, their pickle to
# expected.pkl; it runs this file as the sandbox's main program and reads the
# result lines from stdout.
#
# Modes (job["mode"]):
#   call    the solution defines job["entry"]; each test calls it with the
#           test's JSON argument list and compares the return value
#   method  LeetCode style: Solution().entry(*args) (a module-level function
#           of that name when the solution has no Solution class)
#   assert  each test is Python code run after the solution and job["setup"];
#           it passes when it raises nothing
#   stdio   a stdin/stdout program run the way LiveCodeBench ("lcb") or APPS
#           ("apps") run it: wrapped in a function, stdin mocked, stdout
#           captured; the captured text is reported and compared in Go
#
# Comparison profiles (job["profile"]) for call/method:
#   evalplus  EvalPlus's rules: exact equality, special oracles, and float
#             tolerance (numpy.allclose semantics, rtol 1e-7) when the problem
#             has an atol or the expected value is float-shaped
#   lcb       LiveCodeBench: a returned tuple becomes a list, then ==
#   apps      APPS: tuple becomes list; == or == expected[0]; int dict keys
#   plain     a returned tuple becomes a list, then the evalplus rules
#             without special oracles
#
# Time: each test gets a CPU-time limit (ITIMER_PROF) and a wall-clock
# backstop (ITIMER_REAL); each suite has a CPU budget after which its
# remaining tests are time_limit. The sandbox's own limit is the last resort.
# The solution's stdout and stderr are discarded (also at the descriptor
# level); results go to a private duplicate of the original stdout.
#
# Result lines are JSON objects carrying the job's nonce:
#   {"ev":"start"} once, then {"ev":"load",...} if the solution cannot be
#   loaded, {"ev":"test",...} per test, {"ev":"skip",...} for the rest of a
#   suite whose budget ran out, and {"ev":"done"} at the end.

import builtins
import io
import json
import os
import signal
import sys
import time

_NONCE = ""
_OUT = -1


def _emit(obj):
    obj["n"] = _NONCE
    data = (json.dumps(obj, ensure_ascii=False, separators=(",", ":"), default=str) + "\n").encode("utf-8", "backslashreplace")
    view = memoryview(data)
    while view:
        n = os.write(_OUT, view)
        view = view[n:]


# The file name this code was compiled under: frames from it are the
# harness's own, and hidden from tracebacks.
_HARNESS_FILE = _emit.__code__.co_filename


class _TimeLimit(BaseException):
    """Raised by the timers. A BaseException so that `except Exception`
    in the solution does not swallow it."""


# The armed limits: CPU seconds for the test, the wall-clock period, and
# the CPU and wall readings when the period started.
_ARMED = [0.0, 0.0, 0.0, 0.0, 0.0]


def _on_timer(signum, frame):
    if signum == signal.SIGALRM and _ARMED[1]:
        # The wall clock ran out before the CPU limit. If the program kept
        # computing (at least a tenth of a CPU over the period) it was only
        # starved by a loaded machine: give it another period. The CPU
        # timer still bounds it. A program that sleeps or blocks gets no
        # more time.
        limit, period, cpu_start, cpu_then, _ = _ARMED
        cpu_now = time.process_time()
        if cpu_now - cpu_then >= 0.1 * period and cpu_now - cpu_start < limit:
            _ARMED[3] = cpu_now
            signal.setitimer(signal.ITIMER_REAL, period, 0.05)
            return
    raise _TimeLimit()


def _arm(cpu, wall):
    # The interval (last argument) re-raises every 50 ms in case the
    # solution swallows the first exception with a bare except.
    now = time.process_time()
    _ARMED[:] = [cpu, max(wall, 0.001), now, now, 0.0]
    signal.setitimer(signal.ITIMER_PROF, max(cpu, 0.001), 0.05)
    signal.setitimer(signal.ITIMER_REAL, max(wall, 0.001), 0.05)


def _disarm():
    signal.setitimer(signal.ITIMER_PROF, 0)
    signal.setitimer(signal.ITIMER_REAL, 0)
    _ARMED[1] = 0.0


class _Sink(io.TextIOBase):
    """Where the solution's prints go: nowhere."""

    def writable(self):
        return True

    def write(self, s):
        return len(s)


class _NoInput(io.StringIO):
    """EvalPlus's stdin: reading fails."""

    def read(self, *args, **kwargs):
        raise IOError

    def readline(self, *args, **kwargs):
        raise IOError

    def readlines(self, *args, **kwargs):
        raise IOError

    def readable(self, *args, **kwargs):
        return False


# ------------------------------------------------------------ formatting

_MAX_REPR = 2000


def _clip(s, limit=None):
    limit = limit or _MAX_REPR
    if len(s) <= limit:
        return s
    half = limit // 2
    return s[:half] + "...(%d characters omitted)..." % (len(s) - 2 * half) + s[-half:]


def _repr(x):
    try:
        if type(x) in (list, tuple, dict, set, frozenset) and len(x) > 10000:
            # repr would build the whole text only to cut most of it.
            import reprlib
            r = reprlib.Repr()
            r.maxlist = r.maxtuple = r.maxdict = r.maxset = r.maxfrozenset = 100
            r.maxstring = r.maxother = 200
            r.maxlevel = 4
            return _clip("%s (%d items)" % (r.repr(x), len(x)))
        return _clip(repr(x))
    except _TimeLimit:
        raise
    except BaseException as e:  # a broken __repr__
        return "<unrepresentable %s: %s>" % (type(x).__name__, type(e).__name__)


def _user_tb(tb):
    """Drop the harness's own frames from the top of a traceback."""
    while tb is not None and tb.tb_frame.f_code.co_filename == _HARNESS_FILE:
        tb = tb.tb_next
    return tb


def _describe(e):
    """(last line, traceback text) of an exception raised by user code."""
    import traceback
    try:
        last = "".join(traceback.format_exception_only(type(e), e)).strip()
    except BaseException:
        last = type(e).__name__
    try:
        text = "".join(traceback.format_exception(type(e), e, _user_tb(e.__traceback__)))
    except BaseException:
        text = last
    return _clip(last, 4 * _MAX_REPR), _clip(text, 8 * _MAX_REPR)


def _failing_line(e, filename):
    """The source line of the deepest frame of filename in e's traceback."""
    import linecache
    tb, line = e.__traceback__, ""
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == filename:
            line = linecache.getline(filename, tb.tb_lineno).strip()
        tb = tb.tb_next
    return line


def _remember_source(filename, src):
    import linecache
    linecache.cache[filename] = (len(src), None, src.splitlines(True), filename)


# ------------------------------------------------------------ comparisons


def _poly(xs, x):
    import math
    return sum([coeff * math.pow(x, i) for i, coeff in enumerate(xs)])


def _surface_area(base_edge, height):
    import math
    slant_height = math.sqrt((base_edge / 2) ** 2 + height ** 2)
    return round(base_edge ** 2 + 4 * (base_edge * slant_height) / 2)


def _digit_distance(num1, num2):
    a, b = str(num1), str(num2)
    width = max(len(a), len(b))
    a, b = a.zfill(width), b.zfill(width)
    return sum(abs(int(x) - int(y)) for x, y in zip(a, b))


def _is_floats(x):
    if isinstance(x, float):
        return True
    if isinstance(x, (list, tuple)) and x:
        return all(isinstance(i, float) for i in x)
    np = sys.modules.get("numpy")
    if np is not None and isinstance(x, np.ndarray):
        return x.dtype == np.float64 or x.dtype == np.float32
    return False


def _plain_number(v):
    t = type(v)
    return t is float or t is bool or (t is int and -(1 << 63) <= v < (1 << 63))


def _close(x, y, rtol, atol):
    x, y = float(x), float(y)
    if x - x == 0 and y - y == 0:  # both finite
        return abs(x - y) <= atol + rtol * abs(y)
    return x == y


def _allclose(a, b, rtol, atol):
    """numpy.allclose(a, b, rtol=rtol, atol=atol) without importing numpy
    for plain numbers and flat sequences of them; numpy otherwise."""
    if _plain_number(a) and _plain_number(b):
        return _close(a, b, rtol, atol)
    if type(a) in (list, tuple) and type(b) in (list, tuple) and len(a) == len(b) \
            and all(map(_plain_number, a)) and all(map(_plain_number, b)):
        return all(_close(x, y, rtol, atol) for x, y in zip(a, b))
    import numpy as np
    return np.allclose(a, b, rtol=rtol, atol=atol)


class _Mismatch(Exception):
    pass


def _check_evalplus(out, exp, args, state, oracle):
    """evalplus/eval/__init__.py unsafe_execute, one input: raises when the
    output is wrong. state["atol"] is the suite's tolerance, which EvalPlus
    raises to 1e-6 for good once a float-shaped expected value is seen."""
    atol = state["atol"]
    exact_match = out == exp
    if oracle == "always":
        exact_match = exact_match or True
    elif oracle == "zero_ok":
        exact_match = exact_match or out == 0
    elif oracle == "surface_area":
        exact_match = exact_match or abs(out - _surface_area(*args)) <= atol
    elif oracle == "digit_distance":
        exact_match = exact_match or out == _digit_distance(*args)
    elif oracle == "set_eq":
        exact_match = set(out) == set(exp)
    elif oracle == "not_none":
        if isinstance(out, bool):
            exact_match = out == exp
        else:
            exact_match = exp == (out is not None)
    elif oracle == "poly":
        if not abs(_poly(*args, out)) <= atol:
            raise _Mismatch()
        return
    if atol == 0 and _is_floats(exp):
        atol = state["atol"] = 1e-6
    if not exact_match and atol != 0:
        if type(out) != type(exp):
            raise _Mismatch()
        if isinstance(exp, (list, tuple)) and len(out) != len(exp):
            raise _Mismatch()
        if not _allclose(out, exp, 1e-07, atol):
            raise _Mismatch()
    elif not exact_match:
        raise _Mismatch()


def _check_lcb(out, exp):
    if isinstance(out, tuple):
        out = list(out)
    if not (out == exp):
        raise _Mismatch()


def _apps_expected(exp):
    # testing_util.py turns JSON's string dict keys back into ints.
    try:
        if isinstance(exp, dict):
            exp = [{int(k): v for k, v in exp.items()}]
    except BaseException:
        pass
    try:
        if isinstance(exp[0], dict):
            exp = [{int(k): v for k, v in exp[0].items()}]
    except BaseException:
        pass
    return exp


def _apps_args(args):
    try:
        if isinstance(args[0], dict):
            args = [{int(k): v for k, v in args[0].items()}]
    except BaseException:
        pass
    return args


def _check_apps(out, exp):
    if isinstance(out, tuple):
        out = list(out)
    ok = out == exp
    if isinstance(exp, list) and exp:
        ok = ok or (out == exp[0])
    try:
        if isinstance(out[0], tuple):
            ok = ok or ([list(x) for x in out] == exp[0])
    except BaseException:
        pass
    if not (ok == True):  # noqa: E712 - testing_util counts only True
        raise _Mismatch()


# ------------------------------------------------------------ digests


class _Digest(object):
    """Stands in for a large expected value (over job["digest_min"] bytes
    pickled) in expected.pkl, so that it need not be shipped into every
    run. mkey hashes the value's marshal (format 2, which has no shared
    references): equal for structurally identical values of the exact
    builtin types. ckey, kept only for values that contain numbers, hashes
    an encoding in which numbers that compare equal (1 == 1.0 == True)
    coincide, so that == is decided exactly. Only used where EvalPlus would
    compare exactly (no tolerance, no set oracle)."""

    def __init__(self, mkey, ckey, text):
        self.mkey = mkey
        self.ckey = ckey
        self.text = text

    def __eq__(self, other):
        if isinstance(other, _Digest):
            return self.mkey == other.mkey
        if _marshal_digest(other) == self.mkey:
            return True
        if self.ckey is None:
            return False  # a value without numbers equals only its twin
        return _canonical_digest(other) == self.ckey

    def __ne__(self, other):
        return not self.__eq__(other)

    __hash__ = None

    def __repr__(self):
        return self.text


def _marshal_digest(x):
    import hashlib
    import marshal
    try:
        return hashlib.sha256(marshal.dumps(x, 2)).hexdigest()
    except (ValueError, TypeError, MemoryError, RecursionError):
        return None


def _number_free(x):
    """Whether x is made of str, bytes, None, lists and tuples only."""
    stack = [x]
    while stack:
        y = stack.pop()
        t = type(y)
        if t is list or t is tuple:
            stack.extend(y)
        elif t is not str and t is not bytes and y is not None:
            return False
    return True


class _NotCanonical(Exception):
    pass


def _canonical(x, h, depth=0):
    """Feed h an encoding of x such that encodings are equal exactly when
    the values are == : numbers by value whatever their type (1 == 1.0 ==
    True), lists and tuples as different kinds."""
    if depth > 200:
        raise _NotCanonical()
    t = type(x)
    if t is str:
        b = x.encode("utf-8", "surrogatepass")
        h.update(b"S%d:" % len(b))
        h.update(b)
    elif t is bytes:
        h.update(b"B%d:" % len(x))
        h.update(x)
    elif t is bool or t is int:
        h.update(b"I%d;" % int(x))
    elif t is float:
        if x != x:
            raise _NotCanonical()  # NaN equals nothing
        if x in (float("inf"), float("-inf")):
            h.update(b"F%r;" % x)
        elif x.is_integer():
            h.update(b"I%d;" % int(x))
        else:
            h.update(b"F" + x.hex().encode() + b";")
    elif x is None:
        h.update(b"Z")
    elif t is list or t is tuple:
        h.update(b"L%d:" % len(x) if t is list else b"T%d:" % len(x))
        for item in x:
            _canonical(item, h, depth + 1)
    else:
        raise _NotCanonical()


def _canonical_digest(x):
    import hashlib
    h = hashlib.sha256()
    try:
        _canonical(x, h)
    except (_NotCanonical, RecursionError, MemoryError):
        return None
    return h.hexdigest()


def _digest_outputs(outputs, job):
    """Replace large outputs by digests where comparing them can only be
    exact equality."""
    limit = int(job.get("digest_min", 0) or 0)
    if not limit or float(job.get("atol", 0) or 0) != 0:
        return outputs
    if job.get("oracle", "") not in ("", "zero_ok", "surface_area", "digit_distance", "always"):
        return outputs
    if any(_is_floats(o) for o in outputs):
        return outputs  # EvalPlus would switch to a tolerance comparison
    import hashlib
    import marshal
    out = list(outputs)
    for i, o in enumerate(out):
        if type(o) not in (str, bytes, list, tuple):
            continue
        try:
            data = marshal.dumps(o, 2)
        except (ValueError, TypeError, MemoryError, RecursionError):
            continue  # not plain builtin data: keep the value
        if len(data) < limit:
            continue
        mkey = hashlib.sha256(data).hexdigest()
        del data
        ckey = None
        if not _number_free(o):
            ckey = _canonical_digest(o)
            if ckey is None:
                continue  # NaN, or a type without an exact encoding
        out[i] = _Digest(mkey, ckey, _repr(o))
    return out


# ------------------------------------------------------------ preludes

LCB_PRELUDE = (
    "from string import *\nfrom re import *\nfrom datetime import *\nfrom collections import *\n"
    "from heapq import *\nfrom bisect import *\nfrom copy import *\nfrom math import *\n"
    "from random import *\nfrom statistics import *\nfrom itertools import *\nfrom functools import *\n"
    "from operator import *\nfrom io import *\nfrom sys import *\nfrom json import *\n"
    "from builtins import *\nfrom typing import *\nimport string\nimport re\nimport datetime\n"
    "import collections\nimport heapq\nimport bisect\nimport copy\nimport math\nimport random\n"
    "import statistics\nimport itertools\nimport functools\nimport operator\nimport io\nimport sys\n"
    "import json\nsys.setrecursionlimit(50000)\n"
)

APPS_PRELUDE = (
    "import sys\nimport time\nimport itertools\n"
    "from itertools import accumulate, product, permutations, combinations\nimport collections\n"
    "from collections import Counter, OrderedDict, deque, defaultdict, ChainMap\n"
    "from functools import lru_cache\nimport math\n"
    "from math import sqrt, sin, cos, tan, ceil, fabs, floor, gcd, exp, log, log2\nimport fractions\n"
    "from typing import List, Tuple\nimport random\nimport heapq\nfrom heapq import *\n"
)


class _LazyNumpy(object):
    """`np` for the APPS prelude without paying for `import numpy` unless a
    solution uses it."""

    def __getattr__(self, name):
        import numpy
        return getattr(numpy, name)


def _lcb_wrap(src):
    """LiveCodeBench's make_function(clean_if_name(code)) on the AST, so
    line numbers stay those of the solution."""
    import ast
    tree = ast.parse(src, "solution.py")
    if tree.body and isinstance(tree.body[-1], ast.If):
        try:
            main = ast.unparse(tree.body[-1].test).strip() == "__name__ == '__main__'"
        except BaseException:
            main = False
        if main:
            last = tree.body.pop()
            tree.body.extend(last.body)
    imports = [s for s in tree.body if isinstance(s, (ast.Import, ast.ImportFrom))]
    rest = [s for s in tree.body if not isinstance(s, (ast.Import, ast.ImportFrom))] or [ast.Pass()]
    fn = ast.FunctionDef(
        name="wrapped_function",
        args=ast.arguments(posonlyargs=[], args=[], vararg=None, kwonlyargs=[], kw_defaults=[], kwarg=None, defaults=[]),
        body=rest, decorator_list=[], returns=None, type_comment=None,
        lineno=1, col_offset=0, end_lineno=max([getattr(s, "end_lineno", 1) or 1 for s in rest] + [1]), end_col_offset=0)
    module = ast.Module(body=imports + [fn], type_ignores=[])
    ast.fix_missing_locations(module)
    return compile(module, "solution.py", "exec", dont_inherit=True), "wrapped_function"


def _apps_wrap(src):
    """APPS testing_util's text transformation: every line that does not
    start with import/from goes into `def code():`."""
    marked = []
    for line in src.split("\n"):
        if not line.startswith("from ") and not line.startswith("import "):
            marked.append("\t" + line + "\n")
        else:
            marked.append(line + "\n")
    out, started = [], False
    for line in marked:
        if line.startswith("\t") and not started:
            out.append("stdin = sys.stdin\nstdout = sys.stdout\ndef code():\n")
            out.append(line)
            started = True
        elif started and (line.startswith("from ") or line.startswith("import ")):
            out.append("\t" + line)
        else:
            out.append(line)
    text = "".join(out)
    _remember_source("solution.py", text)
    return compile(text, "solution.py", "exec", dont_inherit=True), "code"


def _rewrite_asserts(tree):
    """`assert a == b` (no message) becomes `assert (l := a) == (r := b),
    _rlef_neq(l, r)`, so a failure says which values differed, as unittest's
    assertEqual does. Evaluation order and results are unchanged."""
    import ast

    class T(ast.NodeTransformer):
        count = 0

        def visit_Assert(self, node):
            t = node.test
            if node.msg is None and isinstance(t, ast.Compare) and len(t.ops) == 1 and isinstance(t.ops[0], ast.Eq):
                T.count += 1
                left, right = "_rlef_l%d" % T.count, "_rlef_r%d" % T.count
                test = ast.Compare(
                    left=ast.NamedExpr(target=ast.Name(left, ast.Store()), value=t.left),
                    ops=[ast.Eq()],
                    comparators=[ast.NamedExpr(target=ast.Name(right, ast.Store()), value=t.comparators[0])])
                msg = ast.Call(func=ast.Name("_rlef_neq", ast.Load()),
                               args=[ast.Name(left, ast.Load()), ast.Name(right, ast.Load())], keywords=[])
                return ast.copy_location(ast.Assert(test=ast.copy_location(test, t), msg=msg), node)
            return node

    return T().visit(tree)


def _rlef_neq(a, b):
    return "%s != %s" % (_repr(a), _repr(b))


def _compile_test(code, filename):
    import ast
    _remember_source(filename, code)
    tree = ast.parse(code, filename)  # a SyntaxError here is the test's own
    try:
        tree = ast.fix_missing_locations(_rewrite_asserts(tree))
        return compile(tree, filename, "exec", dont_inherit=True)
    except BaseException:
        return compile(code, filename, "exec", dont_inherit=True)


# ------------------------------------------------------------ running


class Harness(object):
    def __init__(self, job):
        self.job = job
        self.mode = job["mode"]
        self.profile = job.get("profile", "plain")
        self.entry = job.get("entry", "")
        self.oracle = job.get("oracle", "")
        self.reference = bool(job.get("reference"))
        self.wall_factor = float(job.get("wall_factor", 2.0))
        self.max_stdout = int(job.get("max_stdout", 1 << 24))
        self.adapter = None
        if job.get("adapter"):
            self.adapter = eval(job["adapter"], {"__builtins__": builtins})
        self.expected = None
        self.ns = None
        self.fn = None
        self.cls = None
        self.outputs = []

    # -- loading

    def load(self):
        """Execute the solution. Returns None or a load-failure event."""
        with open("solution.py", "rb") as f:
            src = f.read().decode("utf-8", "surrogateescape")
        self.src = src
        if self.job.get("expected"):
            import pickle
            with open(self.job["expected"], "rb") as f:
                self.expected = pickle.load(f)
            # Out of the solution's reach (it runs in this process, in this
            # directory).
            os.unlink(self.job["expected"])
        wrap = self.job.get("wrap", "")
        name = "solution"
        try:
            if self.mode == "stdio":
                if wrap == "apps":
                    code, self.entry = _apps_wrap(src)
                else:
                    code, self.entry = _lcb_wrap(src)
            else:
                _remember_source("solution.py", src)
                code = compile(src, "solution.py", "exec", dont_inherit=True)
        except (SyntaxError, ValueError) as e:
            last, text = _describe(e)
            return {"ev": "load", "v": "compile_error", "x": last, "tb": text}
        module = type(sys)(name)
        ns = module.__dict__
        ns["__builtins__"] = builtins
        if self.mode == "assert":
            ns["_rlef_neq"] = _rlef_neq
        self.ns = ns
        prelude = self.job.get("prelude", "")
        limit = float(self.job.get("load_limit", 10.0))
        saved = sys.stdin, sys.stdout, sys.stderr
        # The stdin the solution sees while it loads; wrapped stdio programs
        # that bind it by name get LiveCodeBench's/APPS's mocks through it.
        self.orig_stdin = _NoInput() if self.profile == "evalplus" else io.StringIO("")
        sys.stdin, sys.stdout, sys.stderr = self.orig_stdin, _Sink(), _Sink()
        sys.modules[name] = module
        try:
            _arm(limit, limit * self.wall_factor + 1)
            try:
                if prelude == "lcb":
                    exec(LCB_PRELUDE, ns)
                elif prelude == "apps":
                    ns["np"] = _LazyNumpy()
                    exec(APPS_PRELUDE, ns)
                exec(code, ns)
                if self.job.get("setup"):
                    _remember_source("<setup>", self.job["setup"])
                    exec(compile(self.job["setup"], "<setup>", "exec", dont_inherit=True), ns)
            finally:
                _disarm()
        except _TimeLimit:
            return {"ev": "load", "v": "time_limit", "x": "loading the solution took too long"}
        except MemoryError as e:
            last, text = _describe(e)
            return {"ev": "load", "v": "memory_limit", "x": last, "tb": text}
        except SyntaxError as e:  # compile() or exec() inside the solution
            last, text = _describe(e)
            return {"ev": "load", "v": "runtime_error", "x": last, "tb": text}
        except BaseException as e:
            last, text = _describe(e)
            return {"ev": "load", "v": "runtime_error", "x": last, "tb": text}
        finally:
            sys.stdin, sys.stdout, sys.stderr = saved
        if self.mode in ("call", "method", "stdio"):
            if self.mode == "method" and isinstance(ns.get("Solution"), type):
                self.cls = ns["Solution"]
                if not hasattr(self.cls, self.entry):
                    return {"ev": "load", "v": "runtime_error",
                            "x": "AttributeError: type object 'Solution' has no attribute %r" % self.entry}
            elif self.entry in ns:
                self.fn = ns[self.entry]
            else:
                return {"ev": "load", "v": "runtime_error",
                        "x": "NameError: name %r is not defined" % self.entry}
        return None

    # -- one test

    def args_of(self, t):
        args = json.loads(t.get("in", ""))
        if not isinstance(args, list):
            args = [args]
        if self.adapter is not None:
            args = list(self.adapter(args))
        if self.profile == "apps":
            args = _apps_args(args)
        return args

    def expected_of(self, t):
        if "x" in t:
            return self.expected[t["x"]]
        return json.loads(t["out"])

    def call_text(self, args):
        target = ("Solution().%s" % self.entry) if self.cls is not None else self.entry
        return "%s(%s)" % (target, ", ".join(_repr(a) for a in args))

    def run_call(self, t, limit, ev, state):
        args = self.args_of(t)
        sys.stdin, sys.stdout, sys.stderr = _NoInput(), _Sink(), _Sink()
        c0, w0 = time.process_time(), time.perf_counter()
        try:
            _arm(limit, limit * self.wall_factor + 1)
            try:
                fn = getattr(self.cls(), self.entry) if self.cls is not None else self.fn
                out = fn(*args)
            finally:
                _disarm()
        finally:
            ev["c"], ev["w"] = time.process_time() - c0, time.perf_counter() - w0
            sys.stdin, sys.stdout, sys.stderr = sys.__stdin__, sys.__stdout__, sys.__stderr__
        if self.reference:
            if self.oracle == "not_none":
                out = out is not None
            self.outputs.append(out)
            ev["v"] = "accepted"
            return
        exp = self.expected_of(t)
        if self.profile == "apps":
            exp = _apps_expected(exp)
        compare_limit = max(limit, 1.0)
        _arm(compare_limit, compare_limit * self.wall_factor + 1)
        try:
            try:
                if self.profile == "evalplus":
                    _check_evalplus(out, exp, args, state, self.oracle)
                elif self.profile == "lcb":
                    _check_lcb(out, exp)
                elif self.profile == "apps":
                    _check_apps(out, exp)
                else:
                    _check_evalplus(list(out) if isinstance(out, tuple) else out, exp, args, state, "")
                ev["v"] = "accepted"
            except _Mismatch:
                ev["v"] = "wrong_answer"
            except (_TimeLimit, MemoryError):
                raise
            except BaseException as e:
                # EvalPlus counts any failure of the comparison as a failed
                # test; LiveCodeBench as a runtime error.
                ev["v"] = "runtime_error" if self.profile == "lcb" else "wrong_answer"
                ev["x"], _ = _describe(e)
            if ev["v"] != "accepted" or t.get("render"):
                self.render(t, ev, out, exp)
        finally:
            _disarm()

    def render(self, t, ev, out, exp):
        call = self.call_text(self.args_of(t))
        er = _repr(exp)
        ev["e"] = er
        if out is not _NOTHING:
            ev["o"] = _repr(out)
        if self.oracle == "poly":
            ev["a"] = "assert abs(poly(%s, %s)) <= %r" % (_repr(self.args_of(t)[0]), call, self.job.get("atol", 0))
        else:
            ev["a"] = "assert %s == %s" % (call, er)
        if ev["v"] == "wrong_answer" and out is not _NOTHING and "x" not in ev:
            ev["m"] = "AssertionError: %s != %s" % (ev["o"], er)

    def run_assert(self, t, k, limit, ev):
        filename = "<test %d>" % t.get("i", k)
        code = _compile_test(t["code"], filename)
        ns = dict(self.ns)
        sys.stdin, sys.stdout, sys.stderr = _NoInput(), _Sink(), _Sink()
        c0, w0 = time.process_time(), time.perf_counter()
        try:
            _arm(limit, limit * self.wall_factor + 1)
            try:
                exec(code, ns)
            finally:
                _disarm()
        except AssertionError as e:
            ev["v"] = "wrong_answer"
            ev["a"] = _failing_line(e, filename)
            ev["m"], ev["tb"] = _describe(e)
            ev["x"] = ev["m"]
        finally:
            ev["c"], ev["w"] = time.process_time() - c0, time.perf_counter() - w0
            sys.stdin, sys.stdout, sys.stderr = sys.__stdin__, sys.__stdout__, sys.__stderr__
        ev.setdefault("v", "accepted")

    def run_stdio(self, t, limit, ev):
        # testing_util's call_method stacks five mock.patch decorators. The
        # innermost ones are entered first, so readline, readlines and read
        # are patched on the stdin that was current BEFORE sys.stdin is
        # replaced by StringIO(inputs): the program sees an ordinary
        # StringIO as sys.stdin, and only names bound to the original
        # stdin (`from sys import stdin` at module level, the prelude's
        # `from sys import *`, APPS's `stdin = sys.stdin`) get the mocks,
        # whose readline drops the newline and whose read returns the
        # whole input.
        data = t.get("in", "")
        lines = iter(data.split("\n"))
        orig = self.orig_stdin
        orig.readline = lambda *a: next(lines)
        orig.readlines = lambda *a: data.split("\n")
        orig.read = lambda *a: data
        captured = io.StringIO()
        saved_open = builtins.open
        sys.stdin, sys.stdout, sys.stderr = io.StringIO(data), captured, _Sink()
        builtins.open = lambda *a, **kw: io.StringIO(data)
        c0, w0 = time.process_time(), time.perf_counter()
        try:
            _arm(limit, limit * self.wall_factor + 1)
            try:
                try:
                    self.fn()
                except SystemExit:
                    pass
            finally:
                _disarm()
        finally:
            ev["c"], ev["w"] = time.process_time() - c0, time.perf_counter() - w0
            builtins.open = saved_open
            for name in ("readline", "readlines", "read"):
                orig.__dict__.pop(name, None)
            sys.stdin, sys.stdout, sys.stderr = sys.__stdin__, sys.__stdout__, sys.__stderr__
            out = captured.getvalue()
            if len(out) > self.max_stdout:
                ev["v"] = "output_limit"
                out = out[:self.max_stdout]
            ev["so"] = out
        ev.setdefault("v", "ok")

    def run_test(self, si, k, t, state):
        ev = {"ev": "test", "s": si, "k": k}
        limit = float(t.get("t", 10.0))
        try:
            if self.mode == "assert":
                self.run_assert(t, k, limit, ev)
            elif self.mode == "stdio":
                self.run_stdio(t, limit, ev)
            else:
                self.run_call(t, limit, ev, state)
        except _TimeLimit:
            ev["v"] = "time_limit"
            ev.pop("so", None)
        except MemoryError as e:
            ev["v"] = "memory_limit"
            ev["x"], ev["tb"] = _describe(e)
        except RecursionError as e:
            ev["v"] = "runtime_error"
            ev["x"], ev["tb"] = _describe(e)
        except BaseException as e:
            ev["v"] = "runtime_error"
            ev["x"], ev["tb"] = _describe(e)
        if ev["v"] in ("runtime_error", "time_limit", "memory_limit") and self.mode in ("call", "method") \
                and not self.reference and "a" not in ev:
            try:
                self.render(t, ev, _NOTHING, self.expected_of(t) if self.profile != "apps" else _apps_expected(self.expected_of(t)))
            except BaseException:
                pass
        if self.reference and ev["v"] != "accepted":
            self.outputs.append(None)
        return ev

    def run(self):
        for si, suite in enumerate(self.job["suites"]):
            state = {"atol": float(self.job.get("atol", 0) or 0)}
            budget = float(suite.get("budget", 0) or 0)
            stop = bool(suite.get("stop"))
            spent = 0.0
            tests = suite.get("tests") or []
            for k, t in enumerate(tests):
                if budget and spent >= budget:
                    _emit({"ev": "skip", "s": si, "k": k, "v": "time_limit",
                           "x": "the suite's time budget of %.1f s was used up" % budget})
                    break
                if t.get("skip"):
                    continue
                if budget:
                    t["t"] = max(0.001, min(float(t.get("t", 10.0)), budget - spent))
                ev = self.run_test(si, k, t, state)
                spent += ev.get("c", 0.0)
                _emit(ev)
                if stop and ev["v"] not in ("accepted", "ok"):
                    break


_NOTHING = object()


# ------------------------------------------------------------ native stdio


class Native(object):
    """Runs a stdin/stdout Python program once per test, each run a child
    forked from this process with the test's input as its descriptor 0 and
    files as 1 and 2, set up as `python3 /w/main.py` would have it: a fresh
    __main__, fresh sys.std* objects, the default signal dispositions, its
    own process group, and rlimits for CPU time, address space (the limit
    + 32 MiB, as DeepMind's code_contests tester sets it) and file size.
    The child never sees an expected output; the Go side compares. One
    sandbox run thus serves many tests: the sandbox's per-run cost, which
    dwarfs a small program's, is paid once."""

    def __init__(self, job):
        self.job = job
        self.wall_factor = float(job.get("wall_factor", 2.0))
        self.as_limit = int(job.get("as_limit", 0) or 0)
        self.fsize = int(job.get("max_stdout", 1 << 24))
        self.keep = int(job.get("keep_stderr", 1 << 16))

    def load(self):
        with open("solution.py", "rb") as f:
            src = f.read()
        os.unlink("solution.py")
        try:
            self.code = compile(src, "/w/main.py", "exec", dont_inherit=True)
        except (SyntaxError, ValueError) as e:
            import traceback
            text = "".join(traceback.format_exception_only(type(e), e))
            return {"ev": "load", "v": "compile_error", "x": text.strip(), "tb": text}
        return None

    def child(self, fds):
        """In the forked child: become the program. Never returns."""
        code = 1
        try:
            os.setpgid(0, 0)
            for sig in (signal.SIGPROF, signal.SIGALRM):
                signal.setitimer(signal.ITIMER_PROF if sig == signal.SIGPROF else signal.ITIMER_REAL, 0)
                signal.signal(sig, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.default_int_handler)
            for i, fd in enumerate(fds):
                os.dup2(fd, i)
            for name in os.listdir("/proc/self/fd"):
                fd = int(name)
                if fd > 2:
                    try:
                        os.close(fd)
                    except OSError:
                        pass
            import resource
            cpu = int(self.cur_limit) + 1
            resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
            resource.setrlimit(resource.RLIMIT_FSIZE, (self.fsize, self.fsize))
            if self.as_limit:
                resource.setrlimit(resource.RLIMIT_AS, (self.as_limit, self.as_limit))
            sys.stdin = sys.__stdin__ = io.TextIOWrapper(io.open(0, "rb", closefd=False), encoding="utf-8", errors="strict", newline="\n")
            sys.stdout = sys.__stdout__ = io.TextIOWrapper(io.open(1, "wb", closefd=False), encoding="utf-8", errors="strict", newline="\n")
            sys.stderr = sys.__stderr__ = io.TextIOWrapper(io.open(2, "wb", closefd=False), encoding="utf-8", errors="backslashreplace", newline="\n", line_buffering=True)
            sys.argv = ["/w/main.py"]
            main = type(sys)("__main__")
            main.__builtins__ = builtins
            main.__file__ = "/w/main.py"
            main.__cached__ = None
            sys.modules["__main__"] = main
            sys.setrecursionlimit(1000)
            self.job = None
            code = 0
            try:
                exec(self.code, main.__dict__)
            except SystemExit as e:
                c = e.code
                if c is None:
                    code = 0
                elif isinstance(c, int):
                    code = c & 0xFF
                else:
                    try:
                        sys.stderr.write(str(c) + "\n")
                    except BaseException:
                        pass
                    code = 1
            except BaseException as e:
                code = 1
                tb = e.__traceback__
                while tb is not None and tb.tb_frame.f_code.co_filename == _HARNESS_FILE:
                    tb = tb.tb_next
                try:
                    sys.excepthook(type(e), e, tb)
                except BaseException:
                    pass
            threading = sys.modules.get("threading")
            if threading is not None:
                try:
                    threading._shutdown()
                except BaseException:
                    pass
            import atexit
            try:
                atexit._run_exitfuncs()
            except BaseException:
                pass
            for stream in (sys.stdout, sys.stderr):
                try:
                    stream.flush()
                except BaseException:
                    if code == 0:
                        code = 120
        finally:
            os._exit(code)

    def run_one(self, t, ev):
        import resource
        import select
        limit = float(t.get("t", 10.0))
        self.cur_limit = limit
        data = t.get("in", "").encode("utf-8", "surrogateescape")
        paths = ("/tmp/.rlef_in", "/tmp/.rlef_out", "/tmp/.rlef_err")
        with open(paths[0], "wb") as f:
            f.write(data)
        fds = [os.open(paths[0], os.O_RDONLY)]
        for p in paths[1:]:
            fds.append(os.open(p, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600))
        import gc
        gc.collect()
        gc.freeze()  # keep the child's collector off the pages it shares with us
        w0 = time.perf_counter()
        pid = os.fork()
        if pid == 0:
            self.child(fds)
        for fd in fds:
            os.close(fd)
        pidfd = os.pidfd_open(pid)
        period = limit * self.wall_factor + 1
        deadline, killed = w0 + period, False
        poller = select.poll()
        poller.register(pidfd, select.POLLIN)
        cpu_then = 0.0
        while True:
            left = deadline - time.perf_counter()
            if left <= 0:
                cpu_now = _child_cpu(pid)
                if cpu_now is not None and cpu_now - cpu_then >= 0.1 * period and cpu_now < limit:
                    # Still computing, only starved by a loaded machine.
                    cpu_then, deadline = cpu_now, time.perf_counter() + period
                    continue
                try:
                    os.killpg(pid, signal.SIGKILL)
                except OSError:
                    pass
                killed = True
                break
            if poller.poll(min(left, 0.5) * 1000):
                break
        _, status, ru = os.wait4(pid, 0)
        os.close(pidfd)
        try:
            os.killpg(pid, signal.SIGKILL)  # whatever it left behind
        except OSError:
            pass
        ev["w"] = time.perf_counter() - w0
        ev["c"] = ru.ru_utime + ru.ru_stime
        ev["mem"] = ru.ru_maxrss * 1024
        with open(paths[1], "rb") as f:
            out = f.read()
        with open(paths[2], "rb") as f:
            err = f.read()
        ev["so"] = out.decode("utf-8", "replace")
        ev["se"] = _clip(err.decode("utf-8", "replace"), self.keep)
        if os.WIFSIGNALED(status):
            ev["sig"] = os.WTERMSIG(status)
        else:
            ev["code"] = os.WEXITSTATUS(status)
        last = err.rstrip().rsplit(b"\n", 1)[-1].strip()
        sig = ev.get("sig")
        if killed or ev["c"] >= limit or sig == signal.SIGXCPU:
            ev["v"], ev["so"] = "time_limit", ""
        elif last == b"MemoryError" or last.startswith(b"MemoryError:"):
            ev["v"] = "memory_limit"
        elif len(out) >= self.fsize or len(err) >= self.fsize or sig == signal.SIGXFSZ or b"[Errno 27] File too large" in last:
            ev["v"] = "output_limit"
        elif sig is not None or ev.get("code", 0) != 0:
            ev["v"] = "runtime_error"
        else:
            ev["v"] = "ok"

    def run(self):
        for si, suite in enumerate(self.job["suites"]):
            stop = bool(suite.get("stop"))
            for k, t in enumerate(suite.get("tests") or []):
                ev = {"ev": "test", "s": si, "k": k}
                self.run_one(t, ev)
                _emit(ev)
                if stop and ev["v"] != "ok":
                    break


def _child_cpu(pid):
    """CPU seconds a running child has used, from /proc, or None."""
    try:
        with open("/proc/%d/stat" % pid, "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def main():
    global _NONCE, _OUT, _MAX_REPR
    # Results go to a private copy of stdout; descriptors 1 and 2 go to
    # /dev/null so that nothing the solution writes, even from C, can
    # interleave with them.
    _OUT = os.dup(1)
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.dup2(null, 2)
    os.close(null)
    sys.stdout = _Sink()
    sys.stderr = _Sink()
    sys.__stdout__ = sys.stdout
    sys.__stderr__ = sys.stderr
    sys.stdin = sys.__stdin__ = io.StringIO("")
    with open("job.json", "rb") as f:
        job = json.loads(f.read())
    os.unlink("job.json")
    _NONCE = job.get("nonce", "")
    _MAX_REPR = int(job.get("max_repr", _MAX_REPR))
    signal.signal(signal.SIGPROF, _on_timer)
    signal.signal(signal.SIGALRM, _on_timer)
    if job.get("mode") == "native":
        _emit({"ev": "start", "py": sys.version.split()[0]})
        n = Native(job)
        failed = n.load()
        if failed is None:
            n.run()
        else:
            _emit(failed)
        _emit({"ev": "done"})
        return
    if job.get("as_limit"):
        import resource
        lim = int(job["as_limit"])
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard == resource.RLIM_INFINITY or lim <= hard:
            resource.setrlimit(resource.RLIMIT_AS, (lim, hard))
    _emit({"ev": "start", "py": sys.version.split()[0]})
    h = Harness(job)
    failed = h.load()
    if failed is not None:
        _emit(failed)
        _emit({"ev": "done"})
        return
    h.run()
    if h.reference:
        import pickle
        h.outputs = _digest_outputs(h.outputs, job)
        try:
            data = pickle.dumps(h.outputs, protocol=pickle.HIGHEST_PROTOCOL)
        except BaseException:
            # One unpicklable output spoils the list: keep the others.
            outs = []
            for i, o in enumerate(h.outputs):
                try:
                    pickle.dumps(o)
                    outs.append(o)
                except BaseException as e:
                    outs.append(None)
                    _emit({"ev": "unpicklable", "i": i, "x": "%s: %s" % (type(e).__name__, e)})
            data = pickle.dumps(outs, protocol=pickle.HIGHEST_PROTOCOL)
        with open("expected.pkl", "wb") as f:
            f.write(data)
    _emit({"ev": "done"})


if __name__ == "__main__":
    try:
        main()
    except BaseException as e:
        if _OUT >= 0:
            import traceback
            try:
                _emit({"ev": "fatal", "tb": traceback.format_exc()})
            except BaseException:
                pass
        os._exit(3)
    # Skip interpreter teardown: the solution may have left threads or
    # atexit handlers behind, and nothing after "done" matters.
    os._exit(0)
