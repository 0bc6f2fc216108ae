# rlef assert-test runner.
#
# Runs assert-style tests (HumanEval's check(candidate), MBPP's assert
# lines) in a process of its own, beside the candidate's. The tests hold
# the expected values; the candidate never sees them. Every name the
# candidate's module defines is here a stand-in: calling one sends the
# arguments to the supervisor, which has the candidate's process make the
# call and sends back the return value as plain data (or the exception it
# raised). Comparisons, asserts and their messages happen here, in this
# process, on plain data only.
#
# Frames on descriptor 0 (a socket): a 4-byte little-endian length, then
# that many bytes, the first naming the message.
#
#   L <json>   {"functions": [names], "values": {name: marshal hex},
#              "modules": {name: module}, "refs": [names], "setup": text,
#              "starter": text, "entry": name}
#              -> O {} | E <json>
#              (the problem's setup code ran in the candidate's process,
#              after the solution, as it always did: what it made arrives
#              here as functions, values, modules and references. The
#              supervisor has already dropped modules outside its allowed
#              list and re-encoded the values. The setup's imports and
#              function definitions then run here too, so that the helpers
#              the tests call are this process's own, not the candidate's;
#              so do the imports, constants and complete helper
#              functions of the starter code (HumanEval's prompt), all but
#              the entry point.)
#   R <json>   run one test: {"code", "index"}
#              -> K <n:2><name><marshal args>   a call to make in the
#                 candidate (arguments that are not data as tagged
#                 references); the supervisor answers with
#                 A V<marshal> | A H<handle> | A E<json> | A T<text> |
#                 A Z (stop: the candidate was killed)
#              -> D <json>   the test's result: {"verdict", "assertion",
#                 "assertion_error", "error", "traceback"}

import builtins
import json
import marshal
import os
import struct
import sys

# Nothing the candidate could write may be imported here: it shares the
# per-run directories with this process. Nor is its working directory one
# of them (a module's own search, such as unittest's discovery, starts
# there).
sys.path[:] = [p for p in sys.path if p and not p.startswith(("/w", "/tmp", "/mnt", "/dev", "."))]
os.chdir("/")

_HEADER = struct.Struct("<I")


def _read_exact(n):
    chunks = []
    while n:
        b = os.read(0, min(n, 1 << 20))
        if not b:
            os._exit(0)
        chunks.append(b)
        n -= len(b)
    return b"".join(chunks)


def _recv():
    (n,) = _HEADER.unpack(_read_exact(4))
    msg = _read_exact(n)
    return msg[:1], msg[1:]


def _reply(kind, payload=b""):
    data = _HEADER.pack(len(payload) + 1) + kind + payload
    view = memoryview(data)
    while view:
        view = view[os.write(0, view):]


def _reply_json(kind, obj):
    _reply(kind, json.dumps(obj, ensure_ascii=False, default=str).encode("utf-8", "backslashreplace"))


_MAX_REPR = 2000
_TESTER_FILE = _read_exact.__code__.co_filename


def _clip(s, limit=None):
    limit = limit or _MAX_REPR
    if len(s) <= limit:
        return s
    half = limit // 2
    return s[:half] + "...(%d characters omitted)..." % (len(s) - 2 * half) + s[-half:]


def _repr(x):
    try:
        if type(x) in (list, tuple, dict, set, frozenset) and len(x) > 10000:
            import reprlib
            r = reprlib.Repr()
            r.maxlist = r.maxtuple = r.maxdict = r.maxset = r.maxfrozenset = 100
            r.maxstring = r.maxother = 200
            r.maxlevel = 4
            return _clip("%s (%d items)" % (r.repr(x), len(x)))
        return _clip(repr(x))
    except BaseException as e:
        return "<unrepresentable %s: %s>" % (type(x).__name__, type(e).__name__)


def _describe(e):
    import traceback
    tb = e.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename == _TESTER_FILE:
        tb = tb.tb_next
    try:
        last = "".join(traceback.format_exception_only(type(e), e)).strip()
    except BaseException:
        last = type(e).__name__
    try:
        text = "".join(traceback.format_exception(type(e), e, tb))
    except BaseException:
        text = last
    return _clip(last, 4 * _MAX_REPR), _clip(text, 8 * _MAX_REPR)


class Stopped(BaseException):
    """The candidate was killed (time or memory): the test is over."""


def _exportable_name(name):
    """A name of the candidate's module that may enter the tests'
    namespace: an identifier that is not a builtin nor one of ours (the
    problem's entry point excepted: the tests call it by its name)."""
    return (isinstance(name, str) and name.isidentifier() and not hasattr(builtins, name)
            and not name.startswith(("__", "_rlef")))


def _importable(module):
    """A module name the candidate exported that may be imported here: no
    part of it private or a __main__ (importing unittest.__main__ runs test
    discovery). The supervisor lets only well-known modules through."""
    return isinstance(module, str) and all(p.isidentifier() and not p.startswith("_") for p in module.split("."))


def _run_setup_definitions(setup, ns):
    """Run the setup's imports and function definitions in the tests'
    namespace, where they replace the candidate's stand-ins of the same
    names: a helper the tests call to check a result (close(a, b)) must
    not run in the candidate's process. What else the setup makes (data,
    objects of the candidate's classes) stays in the candidate's process,
    reached by reference."""
    if not setup:
        return
    import ast
    tree = ast.parse(setup, "<setup>")
    keep = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef)
    tree.body = [node for node in tree.body if isinstance(node, keep)]
    exec(compile(tree, "<setup>", "exec", dont_inherit=True), ns)


def _run_starter_helpers(starter, entry, ns):
    """Define the starter code's complete helper functions (and its
    imports and constants) in the tests' namespace: HumanEval's prompt
    gives poly, encode_cyclic or encode_shift whole, and its tests call them to check
    the candidate. The official harness runs prompt and completion in one
    module, so a completion could redefine the helper and make the check
    vacuous; here the tests always call the problem's own. The entry point
    and stubs (a docstring or pass alone) stay the candidate's. Starter
    code that is not Python (a statement, a skeleton) gives nothing."""
    if not starter:
        return
    import ast
    try:
        tree = ast.parse(starter, "<starter>")
    except (SyntaxError, ValueError):
        return
    funcs = (ast.FunctionDef, ast.AsyncFunctionDef)
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom, ast.Assign, ast.AnnAssign)):
            pass
        elif not (isinstance(node, funcs) and node.name != entry and not _is_stub(node)):
            continue
        # Constants the helpers read (MOD = 10**9 + 7) come along; a
        # statement that cannot run here leaves the candidate's name.
        try:
            exec(compile(ast.Module(body=[node], type_ignores=[]), "<starter>", "exec", dont_inherit=True), ns)
        except Exception:
            if isinstance(node, funcs):
                raise


def _is_stub(func):
    """Whether a function's body is only a docstring, pass or ...."""
    import ast
    for stmt in func.body:
        if isinstance(stmt, ast.Pass):
            continue
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
            continue
        return False
    return True


# Exceptions that end an iteration rather than fail it: raised from the
# candidate inside the tests' map(), filter() or all(), they would quietly
# cut the test short. They cross as a RuntimeError, as PEP 479 turns them
# inside a generator.
_ITERATION_ENDS = ("StopIteration", "StopAsyncIteration")


def _candidate_exception(info):
    """The candidate's exception, as the builtin exception of the same name
    when there is one (so that tests expecting it still work)."""
    name = info.get("type", "")
    cls = getattr(builtins, name, None)
    if name in _ITERATION_ENDS:
        cls = RuntimeError
        info = dict(info, error="the candidate raised " + info.get("error", name))
    if not (isinstance(cls, type) and issubclass(cls, Exception)):
        cls = Exception
    msg = info.get("error", name)
    prefix = name + ": "
    if msg.startswith(prefix):
        msg = msg[len(prefix):]
    e = cls(msg)
    e.rlef_traceback = info.get("traceback", "")
    return e


_TAG = "\x00rlef-ref"
_BUILTIN_TYPES = {getattr(builtins, n): n for n in ("int", "float", "complex", "str", "bytes", "bool", "list",
                                                     "tuple", "dict", "set", "frozenset", "object", "type")}


class Remote(object):
    """Something that lives in the candidate's process (a global that is
    not data, or a value a call returned that is not data): it can only be
    passed back to the candidate."""

    def __init__(self, kind, key):
        self._ref = (_TAG, kind, key)

    def __repr__(self):
        return "<%s %s of the solution>" % self._ref[1:]


def _tagged(x):
    """x with Remote objects and builtin types as tagged references."""
    t = type(x)
    if t is Remote:
        return x._ref
    if t is type and x in _BUILTIN_TYPES:
        return (_TAG, "type", _BUILTIN_TYPES[x])
    if t is list or t is tuple:
        items = [_tagged(i) for i in x]
        return items if t is list else tuple(items)
    if t is dict:
        return {_tagged(k): _tagged(v) for k, v in x.items()}
    if t is set or t is frozenset:
        return t(_tagged(i) for i in x)
    return x


def _stand_in(name):
    encoded = name.encode()

    def call(*args, **kwargs):
        if kwargs:
            raise TypeError("keyword arguments cannot be passed to the candidate's %s" % name)
        try:
            payload = marshal.dumps(args, 2)
        except ValueError:
            try:
                payload = marshal.dumps(_tagged(args), 2)
            except ValueError:
                raise TypeError("arguments that are not plain data cannot be passed to the candidate's %s" % name)
        _reply(b"K", struct.pack("<H", len(encoded)) + encoded + payload)
        kind, body = _recv()
        if kind != b"A":
            os._exit(2)
        tag, rest = body[:1], body[1:]
        if tag == b"V":
            return marshal.loads(rest)
        if tag == b"H":
            return Remote("handle", int(rest))
        if tag == b"E":
            raise _candidate_exception(json.loads(rest))
        if tag == b"T":
            raise TypeError("%s returned %s" % (name, rest.decode("utf-8", "replace")))
        raise Stopped()

    call.__name__ = call.__qualname__ = name
    return call


# ------------------------------------------------------------ asserts


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


def _remember_source(filename, src):
    import linecache
    linecache.cache[filename] = (len(src), None, src.splitlines(True), filename)


def _compile_test(code, filename):
    import ast
    _remember_source(filename, code)
    tree = ast.parse(code, filename)
    try:
        tree = ast.fix_missing_locations(_rewrite_asserts(tree))
        return compile(tree, filename, "exec", dont_inherit=True)
    except BaseException:
        return compile(code, filename, "exec", dont_inherit=True)


def _failing_line(e, filename):
    import linecache
    tb, line = e.__traceback__, ""
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == filename:
            line = linecache.getline(filename, tb.tb_lineno).strip()
        tb = tb.tb_next
    return line


class Tester(object):
    def __init__(self):
        self.ns = None

    def load(self, job):
        """The tests' namespace: the candidate's exports, by the names its
        module gave them, except names the tests take from elsewhere: a
        candidate exporting abs, range or set must not change what those
        mean in the tests (the tests' own definitions come after these
        and win anyway)."""
        ns = {"__builtins__": builtins, "__name__": "__main__", "_rlef_neq": _rlef_neq}
        entry = job.get("entry") or ""

        def allowed(name):
            return name == entry or _exportable_name(name)

        for name in job.get("refs") or []:
            if allowed(name):
                ns[name] = Remote("name", name)
        for name, module in (job.get("modules") or {}).items():
            if not allowed(name) or not _importable(module):
                continue
            try:
                ns[name] = __import__(module, fromlist=["_"])
            except BaseException:
                pass
        for name, data in (job.get("values") or {}).items():
            if allowed(name):
                ns[name] = marshal.loads(bytes.fromhex(data))
        for name in job.get("functions") or []:
            if allowed(name):
                ns[name] = _stand_in(name)
        try:
            _run_setup_definitions(job.get("setup") or "", ns)
            _run_starter_helpers(job.get("starter") or "", job.get("entry") or "", ns)
        except BaseException as e:
            err, tb = _describe(e)
            return b"E", {"error": err, "traceback": tb}
        self.ns = ns
        return b"O", {}

    def run(self, job):
        filename = "<test %d>" % job.get("index", 0)
        ev = {"verdict": "accepted"}
        try:
            code = _compile_test(job["code"], filename)
            exec(code, dict(self.ns))
        except Stopped:
            ev["verdict"] = "stopped"
        except AssertionError as e:
            ev["verdict"] = "wrong_answer"
            ev["assertion"] = _failing_line(e, filename)
            ev["assertion_error"], ev["traceback"] = _describe(e)
            ev["error"] = ev["assertion_error"]
        except MemoryError as e:
            ev["verdict"] = "memory_limit"
            ev["error"], ev["traceback"] = _describe(e)
        except BaseException as e:
            ev["verdict"] = "runtime_error"
            ev["error"], ev["traceback"] = _describe(e)
            tb = getattr(e, "rlef_traceback", "")
            if tb:
                ev["traceback"] = _clip(tb, 8 * _MAX_REPR)
        return b"D", ev


def main():
    t = Tester()
    while True:
        kind, body = _recv()
        if kind == b"L":
            k, reply = t.load(json.loads(body))
        elif kind == b"R":
            k, reply = t.run(json.loads(body))
        else:
            os._exit(2)
        _reply_json(k, reply)


main()
