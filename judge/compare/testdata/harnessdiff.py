"""Python side of package compare's differential tests (run with
/usr/bin/python3: CPython 3.11 with numpy).

    harnessdiff.py suites SEED N     random test suites judged by
                                     the comparison functions of rlef's former in-process harness
#                                     (testdata/harness.py, kept as the reference)
    harnessdiff.py rules SEED N      the same judged by EvalPlus's older
                                     releases' rules (written out below)
    harnessdiff.py reports SEED N    the harness's rendering of tests

Values cross as marshal version 2 (base64); output is JSON lines.
Comparisons are made on fresh copies of the values (marshal round trips),
as they are when they come from different processes: Python's == takes
an identity shortcut that would otherwise make shared NaNs equal.
"""

import base64
import importlib.util
import json
import marshal
import math
import os
import random
import sys
import traceback
import warnings

import numpy as np

warnings.simplefilter("ignore")  # numpy's RuntimeWarnings go to the harness's sink

HERE = os.path.dirname(os.path.abspath(__file__))


def load_harness():
    path = os.path.join(HERE, "harness.py")
    spec = importlib.util.spec_from_file_location("rlef_harness", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


H = load_harness()


def b64(v):
    return base64.b64encode(marshal.dumps(v, 2)).decode()


def fresh(v):
    return marshal.loads(marshal.dumps(v, 2))


# ------------------------------------------------------------ values

INF, NAN = float("inf"), float("nan")


def near_float(r, x):
    """x moved by about the tolerances EvalPlus uses."""
    if not math.isfinite(x):
        return r.choice([x, -x, NAN, 0.0, 1e308])
    d = r.choice([0, 1e-9, 5e-7, 9.99e-7, 1e-6, 1.0000001e-6, 2e-6, 5e-5, 9.9e-5, 1e-4, 1.1e-4, 1e-3, 0.5])
    k = r.random()
    if k < 0.1:
        return math.nextafter(x, INF)
    if k < 0.2:
        return x * (1 + r.choice([1e-7, 2e-7, 5e-8, 1e-6]))
    return x + r.choice([1, -1]) * d


def rand_number(r):
    k = r.randrange(12)
    if k == 0:
        return r.choice([True, False])
    if k in (1, 2):
        return r.randrange(-5, 50)
    if k == 3:
        return r.choice([2**53 + 1, 2**63 - 1, 2**63, 2**64 - 1, 2**64, -2**63, -2**63 - 1, 10**30, -(10**20)])
    if k == 4:
        return r.choice([0.0, -0.0, INF, -INF, NAN, 1e308, 5e-324, 2.0**53, 1e16])
    if k == 5:
        return complex(r.choice([0, 1.5, -2]), r.choice([0.0, 1.0, -0.5, INF]))
    return round(r.uniform(-100, 100), r.randrange(0, 9))


def rand_leaf(r):
    k = r.randrange(10)
    if k < 6:
        return rand_number(r)
    if k == 6:
        return r.choice(["", "a", "1.0", "abc", "x'y"])
    if k == 7:
        return r.choice([None, b"", b"ab"])
    if k == 8:
        return r.choice([{}, {"a": 1}, {1: 2.0}, set(), {1, 2}, frozenset([1.5])])
    return r.choice([[], (), [1.0], (2.5,)])


def rand_value(r, depth=0):
    k = r.random()
    if depth >= 3 or k < 0.4:
        return rand_leaf(r)
    n = r.choice([0, 1, 2, 3, 4])
    if k < 0.6:
        # Rectangular numeric arrays, what numpy is good at.
        inner = r.choice([0, 1, 2, 3])
        rows = [[rand_number(r) if r.random() < 0.7 else round(r.uniform(-10, 10), 3) for _ in range(inner)] for _ in range(n)]
        return rows if r.random() < 0.7 else tuple(tuple(x) for x in rows)
    if k < 0.85:
        return [rand_value(r, depth + 1) for _ in range(n)]
    return tuple(rand_value(r, depth + 1) for _ in range(n))


def variant(r, v):
    """A value close to v: equal, within or just beyond a tolerance, of
    another type, reshaped."""
    t = type(v)
    k = r.random()
    if t is float:
        if k < 0.6:
            return near_float(r, v)
        if k < 0.8 and math.isfinite(v) and v == int(v):
            return int(v)
        return r.choice([complex(v, 0), [v], (v,), str(v), None, True])
    if t is bool:
        return r.choice([int(v), float(v), not v, complex(v)])
    if t is int:
        if k < 0.5:
            return v + r.choice([0, 1, -1])
        if -2**1023 < v < 2**1023:
            return r.choice([float(v), near_float(r, float(v)), complex(v)])
        return float("inf")
    if t is complex:
        return complex(near_float(r, v.real), near_float(r, v.imag)) if k < 0.7 else v.real
    if t in (list, tuple):
        if k < 0.15:
            return (tuple if t is list else list)(v)
        if k < 0.25:
            return t(list(v)[:-1])
        if k < 0.3:
            return t(list(v) + [1.0])
        if k < 0.35:
            return [v]
        return t(variant(r, e) if r.random() < 0.5 else e for e in v)
    if t is str:
        return r.choice([v, v + "x", v.encode(), [v]])
    return r.choice([v, None, 0, [], ()])


# ------------------------------------------------------------ oracle cases

def oracle_case(r, oracle):
    """(args, exp, out) for an EvalPlus special oracle."""
    if oracle == "surface_area":
        b = r.choice([3, 4, 10, 100, 1, 2.5, 0.7, True, 0, -3, 10**400, "3", None, 1e200])
        h = r.choice([4, 5, 20, 50, 2, 1.2, False, 0, -1, 10**20, [1], 1e200])
        try:
            exp = H._surface_area(b, h)
        except BaseException:
            exp = 0
        out = r.choice([exp, exp + 1, exp - 1, float(exp) if isinstance(exp, int) and abs(exp) < 2**1000 else 0.0,
                        exp + 0.5 if isinstance(exp, int) and abs(exp) < 2**1000 else 1.5, "x", None, complex(exp if isinstance(exp, (int, float)) and abs(exp) < 2**1000 else 0, 0), 10**400, [exp], True])
        return [b, h], exp, out
    if oracle == "digit_distance":
        a = r.choice([1, 23, 123, 123456789, 12345, 0, -5, -123, True, 1.5, "12", "٣4", 10**30])
        b = r.choice([2, 56, 256, 987654321, 9, 0, -7, 99, False, "x", 7])
        try:
            exp = H._digit_distance(a, b)
        except BaseException:
            exp = 0
        out = r.choice([exp, exp + 1, float(exp), True, "1", None, 0])
        return [a, b], exp, out
    if oracle == "set_eq":
        exp = r.choice([[1, 2, 3], [1, 1, 2], [], ["a", "b"], [(1, 2)], "abc", [1.0, 2.0]])
        out = r.choice([[3, 2, 1], [1, 2], [2, 1, 1, 2], (1, 2, 3), {1, 2, 3}, "cba", [[1], 2], [{}], [1, 2, 3, 4],
                        5, None, {1: 0, 2: 0, 3: 0}, b"ab", ["b", "a"], [(1, 2)], [1.0, 2.0, NAN]])
        return [], exp, out
    if oracle == "not_none":
        exp = r.choice([True, False])
        out = r.choice([True, False, None, 0, 1, "", [], 0.0, "x"])
        return [], exp, out
    if oracle == "poly":
        xs = r.choice([[-10, -2], [-3, -6, -7, 7], [8, 3], [5, 10, -3, 1], [1, -20, 156, -864, 2667, -4392, 3744, -1440],
                       [1.5, -2.0], [0, 1], [2, 0, -1], [1e300, 1e300], "ab", [None, 1], [1j, 1],
                       [r.randrange(-20, 20) or 1 for _ in range(2 * r.randrange(1, 5))]])
        root = find_zero(xs)
        step = r.choice([0, 1e-12, 1e-9, 1e-7, 1e-6, 1e-5, 3e-5, 1e-4, 1e-3])
        out = r.choice([root, root + step, root - step, math.nextafter(root, INF), int(root), True, 1e200,
                        10**400, INF, NAN, "1", None, 1j, [1.0]])
        return [xs], root, out
    # always, zero_ok
    exp = rand_value(r)
    out = r.choice([exp, variant(r, exp), 0, 0.0, False, None, "0"])
    return [], exp, out


def find_zero(xs):
    """HumanEval/32's canonical bisection, or 0.0 when it cannot run."""
    try:
        begin, end = -1.0, 1.0
        while H._poly(xs, begin) * H._poly(xs, end) > 0:
            begin *= 2.0
            end *= 2.0
            if end > 1e10:
                return 0.5
        while end - begin > 1e-10:
            center = (begin + end) / 2.0
            if H._poly(xs, center) * H._poly(xs, begin) > 0:
                begin = center
            else:
                end = center
        return begin
    except BaseException:
        return 0.0


def boundary(r):
    """exp and out at the edge of atol + rtol * |exp|."""
    atol = r.choice([1e-6, 1e-4])
    y = r.choice([1.0, 0.1, 123.456, 1e6, 1e-9, -2.5, 1e15, 3.0])
    edge = y + (atol + 1e-07 * abs(y))
    out = r.choice([edge, math.nextafter(edge, INF), math.nextafter(edge, -INF), 2 * y - edge])
    if r.random() < 0.3:
        return atol, [y, y], [y, out]
    return atol, y, out


ORACLES = ["always", "zero_ok", "surface_area", "digit_distance", "set_eq", "not_none", "poly"]


def rand_suite(r):
    profile = r.choice(["evalplus", "evalplus", "evalplus", "plain", "lcb", "apps"])
    oracle = ""
    if profile == "evalplus" and r.random() < 0.35:
        oracle = r.choice(ORACLES)
    atol = r.choice([0, 0, 0, 1e-6, 1e-4, 0.5]) if oracle != "poly" else r.choice([1e-4, 1e-6])
    tests = []
    if profile in ("evalplus", "plain") and not oracle and r.random() < 0.15:
        atol, exp, out = boundary(r)
        return profile, oracle, atol, [([], exp, out)]
    for _ in range(r.choice([1, 2, 3, 5])):
        if oracle and oracle not in ("always", "zero_ok"):
            args, exp, out = oracle_case(r, oracle)
        else:
            exp = rand_value(r)
            if profile == "apps" and r.random() < 0.3:
                exp = r.choice([{"1": [1, 2], "02": "x"}, [{"3": 4}], {"a": 1}, [[1, 2], [3, 4]], [(1, 2)], [[[1, 2]]]])
            out = variant(r, exp) if r.random() < 0.8 else rand_value(r)
            if profile == "apps" and r.random() < 0.2:
                out = r.choice([{3: 4}, [(1, 2)], ((1, 2),), [[1, 2]], (1, 2)])
            args = [rand_leaf(r)]
        tests.append((args, exp, out))
    return profile, oracle, atol, tests


def last_line(e):
    return "".join(traceback.format_exception_only(type(e), e)).strip()


def in_numpy(e):
    tb = e.__traceback__
    while tb is not None:
        if "/numpy/" in tb.tb_frame.f_code.co_filename:
            return True
        tb = tb.tb_next
    return False


def judge_harness(profile, oracle, out, exp, args, state):
    """The harness's run_call comparison: (verdict, message, numpy)."""
    if profile == "apps":
        exp = H._apps_expected(exp)
    try:
        if profile == "evalplus":
            H._check_evalplus(out, exp, args, state, oracle)
        elif profile == "lcb":
            H._check_lcb(out, exp)
        elif profile == "apps":
            H._check_apps(out, exp)
        else:
            H._check_evalplus(list(out) if isinstance(out, tuple) else out, exp, args, state, "")
        return "accepted", "", False
    except H._Mismatch:
        return "wrong_answer", "AssertionError: %s != %s" % (H._repr(out), H._repr(exp)), False
    except BaseException as e:
        return "raised", last_line(e), in_numpy(e)


def emit_suite(profile, oracle, atol, tests, judge, extra=None):
    state = {"atol": float(atol)}
    rec = {"profile": profile, "oracle": oracle, "atol": float(atol), "tests": []}
    if extra:
        rec.update(extra)
    for args, exp, out in tests:
        args, exp, out = fresh(args), fresh(exp), fresh(out)
        verdict, msg, npy = judge(profile, oracle, out, exp, args, state)
        rec["tests"].append({"args": b64(args), "exp": b64(exp), "out": b64(out), "v": verdict, "m": msg,
                             "np": npy, "atol": state["atol"]})
    print(json.dumps(rec))


def cmd_suites(seed, n):
    r = random.Random(seed)
    for _ in range(n):
        profile, oracle, atol, tests = rand_suite(r)
        emit_suite(profile, oracle, atol, tests, judge_harness)
    for s in curated_suites():
        emit_suite(*s, judge_harness)


def curated_suites():
    deep = 1.0
    for _ in range(33):
        deep = [deep]
    ragged = [[1.0, 2.0], [3.0]]
    return [
        ("evalplus", "", 0, [([], 1, 1.0), ([], 0.5, 0.4), ([], 2, 3), ([], 2, 2.0000001)]),
        ("evalplus", "", 0, [([], [1.0, 2.0], [1.0, 2.0000001]), ([], 2, 2)]),
        ("evalplus", "", 0, [([], [], [1.0]), ([], [1.0], [])]),
        ("evalplus", "", 1e-6, [([], 2**53, 2**53 + 1), ([], 2**63, 2**64), ([], 2**64, 2**64 + 1)]),
        ("evalplus", "", 1e-6, [([], [2**63, -1], [2**63, -1.0]), ([], [2**63, 1.5], [2**63, 1.5000001])]),
        ("evalplus", "", 1e-6, [([], deep, deep), ([], ragged, [[1.0, 2.0], [3.0000001]])]),
        ("evalplus", "", 1e-6, [([], [[1.0, 2.0], [3.0, 4.0]], [[1.0], [3.0]]), ([], [1.0, 2.0], [[1.0, 2.0], [1.0, 2.0]])]),
        ("evalplus", "", 1e-6, [([], [complex(INF, 1)], [complex(INF, 1)]), ([], [1j, INF], [1j, INF]), ([], [INF], [INF])]),
        ("evalplus", "", 1e-6, [([], [NAN], [NAN]), ([], NAN, NAN), ([], "abc", "abd"), ([], None, None), ([], {"a": 1.0}, {"a": 1.0000001})]),
        ("evalplus", "", 1e-6, [([], (1.0, 2.0), [1.0, 2.0]), ([], [True, False], [1, 0]), ([], True, 1), ([], 1, True)]),
        ("plain", "", 0, [([], (1.0, 2.0), [1.0, 2.0000001]), ([], [1, 2], (1, 2))]),
        ("lcb", "", 0, [([], [1, 2], (1, 2)), ([], [1.0], [1.0000001]), ([], [[1, 2]], ([1, 2],))]),
        ("apps", "", 0, [([], [[1, 2]], [1, 2]), ([], [[1, 2]], [(1, 2)]), ([], {"1": 2}, {1: 2}), ([], {"x": 2}, {1: 2})]),
    ]


# ------------------------------------------------------------ older EvalPlus releases

def is_floats(x, empty):
    if isinstance(x, float):
        return True
    if isinstance(x, (list, tuple)) and (x or empty):
        return all(isinstance(i, float) for i in x)
    return False


def judge_release(rules):
    """EvalPlus's unsafe_execute comparison as the releases wrote it."""
    def judge(profile, oracle, out, exp, inp, state):
        atol = state["atol"]
        try:
            exact_match = out == exp
            if oracle in rules.get("without", []):
                oracle = ""
            if oracle == "always":
                exact_match = exact_match or True
            elif oracle == "zero_ok":
                exact_match = exact_match or out == 0
            elif oracle == "surface_area":
                exact_match = exact_match or abs(out - H._surface_area(*inp)) <= atol
            elif oracle == "digit_distance":
                exact_match = exact_match or out == H._digit_distance(*inp)
            elif oracle == "set_eq":
                exact_match = set(out) == set(exp)
            elif oracle == "not_none":
                if isinstance(out, bool) and not rules.get("notnone_ignores_bool"):
                    exact_match = out == exp
                else:
                    exact_match = exp == (out is not None)
            elif oracle == "poly":
                fz = rules.get("find_zero", "abs")
                if fz == "never":
                    raise AssertionError("never recorded")
                if fz == "abs":
                    assert abs(H._poly(*inp, out)) <= atol
                    return "accepted", "", False
                assert H._poly(*inp, out) <= atol
            if atol == 0 and is_floats(exp, rules.get("empty_is_floats")):
                atol = state["atol"] = 1e-6
            if not exact_match and atol != 0:
                fr = rules.get("float", "typed")
                if fr == "assert":
                    np.testing.assert_allclose(out, exp, atol=atol)
                elif fr == "allclose":
                    assert np.allclose(out, exp, rtol=1e-07, atol=atol)
                else:
                    assert type(out) == type(exp)
                    if isinstance(exp, (list, tuple)):
                        assert len(out) == len(exp)
                    assert np.allclose(out, exp, rtol=1e-07, atol=atol)
            else:
                assert exact_match
            return "accepted", "", False
        except AssertionError:
            return "wrong_answer", "", False
        except BaseException as e:
            return "raised", last_line(e), in_numpy(e)
    return judge


RELEASES = {
    "v0.3.1": {"find_zero": "never"},
    "v0.2.1": {"float": "assert", "empty_is_floats": True, "find_zero": "signed",
               "without": ["set_eq", "surface_area", "digit_distance"]},
    "v0.2.0": {"float": "assert", "empty_is_floats": True, "find_zero": "never", "notnone_ignores_bool": True,
               "without": ["set_eq", "surface_area", "digit_distance"]},
    "allclose": {"float": "allclose"},
}


def cmd_rules(seed, n):
    r = random.Random(seed)
    for _ in range(n):
        profile, oracle, atol, tests = rand_suite(r)
        if profile != "evalplus":
            continue
        name = r.choice(sorted(RELEASES))
        emit_suite(profile, oracle, atol, tests, judge_release(RELEASES[name]), {"release": name})
    for name in sorted(RELEASES):
        for s in curated_suites():
            if s[0] == "evalplus":
                emit_suite(*s, judge_release(RELEASES[name]), {"release": name})


# ------------------------------------------------------------ reports

def jsonable(r):
    k = r.randrange(6)
    if k == 0:
        return [r.randrange(-3, 30) for _ in range(r.randrange(4))]
    if k == 1:
        return "s" * r.randrange(0, 90) + "'\"\n"
    if k == 2:
        return {str(r.randrange(5)): [1.5, None, True]}
    if k == 3:
        return round(r.uniform(-1e6, 1e6), r.randrange(8))
    if k == 4:
        return [[1, 2], [3]] * r.randrange(1, 40)
    return r.choice([None, True, 0, 10**30, 1e16, 1e-05])


def cmd_reports(seed, n):
    r = random.Random(seed)
    for _ in range(n):
        profile = r.choice(["evalplus", "plain", "lcb", "apps"])
        oracle = "poly" if profile == "evalplus" and r.random() < 0.2 else ""
        atol = r.choice([1e-4, 1e-6, 0.0, 0.5])
        method = r.random() < 0.3
        limit = r.choice([2000, 2000, 40, 7])
        args = [jsonable(r) for _ in range(r.randrange(0, 4))]
        if profile == "apps" and r.random() < 0.4:
            args = [{"1": 2, "3": [4]}] + args
        if oracle == "poly" and not args:
            args = [[1, 2]]
        exp = jsonable(r)
        if profile == "apps" and r.random() < 0.4:
            exp = r.choice([{"1": 2}, [{"5": 6}], {"a": 1}])
        out = r.choice([jsonable(r), None, "nothing"])
        job = {"mode": "method" if method else "call", "profile": profile, "entry": "f_%d" % r.randrange(9),
               "oracle": oracle, "atol": atol}
        h = H.Harness(job)
        h.cls = object if method else None
        H._MAX_REPR = limit
        t = {"in": json.dumps(args)}
        ev = {"v": "wrong_answer"}
        shown = H._apps_expected(exp) if profile == "apps" else exp
        h.render(t, ev, H._NOTHING if out == "nothing" else out, shown)
        H._MAX_REPR = 2000
        rec = {"profile": profile, "oracle": oracle, "atol": atol, "method": method, "limit": limit,
               "entry": job["entry"], "args": b64(json.loads(t["in"])), "exp": b64(exp),
               "out": None if out == "nothing" else b64(out), "a": ev["a"], "e": ev["e"], "o": ev.get("o", "")}
        print(json.dumps(rec))


def main():
    cmd = sys.argv[1]
    if cmd == "suites":
        cmd_suites(int(sys.argv[2]), int(sys.argv[3]))
    elif cmd == "rules":
        cmd_rules(int(sys.argv[2]), int(sys.argv[3]))
    elif cmd == "reports":
        cmd_reports(int(sys.argv[2]), int(sys.argv[3]))
    else:
        sys.exit("unknown command " + cmd)


if __name__ == "__main__":
    main()
