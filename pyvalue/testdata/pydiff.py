"""Python side of pyvalue's differential tests (run with /usr/bin/python3,
CPython 3.11).

    pydiff.py corpus SEED N          values made here, as marshal bytes of
                                     every version, with repr, hashability,
                                     _repr/_clip and JSON forms
    pydiff.py pairs SEED N           pairs of values with a == b
    pydiff.py check < values         values made by Go (4-byte length, then
                                     marshal bytes, repeated): repr, ==
                                     with the next value, a re-dump
    pydiff.py json SEED N            JSON texts, some malformed, with what
                                     json.loads makes of them
    pydiff.py mutants SEED N         damaged marshal data, with what
                                     marshal.load makes of it
    pydiff.py allchars               repr of a str holding every code point
    pydiff.py seeds DIR              seed corpus files for the fuzz tests
                                     (DIR is testdata/fuzz)

Every output is JSON lines on stdout; bytes are base64.
"""

import base64
import importlib.util
import json
import marshal
import math
import os
import random
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def b64(b):
    return base64.b64encode(b).decode()


def load_harness():
    """rlef's former judge harness (judge/compare/testdata/harness.py), whose
    _repr and _clip are the reference."""
    path = os.path.join(HERE, "..", "..", "judge", "compare", "testdata", "harness.py")
    spec = importlib.util.spec_from_file_location("rlef_harness", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


# ------------------------------------------------------------ random values

SPECIAL_INTS = [0, 1, -1, 2, 255, 256, -5, -6, 1023, 1024, 1025, 2**15 - 1, 2**15, 2**30 - 1, 2**30,
                2**31 - 1, 2**31, -2**31, -2**31 - 1, 2**32, 2**53 - 1, 2**53, 2**53 + 1, -2**53 - 1,
                2**59, 2**60 - 1, 2**60, 2**62, 2**63 - 1, 2**63, -2**63, -2**63 - 1, 2**64 - 1, 2**64,
                10**18, 10**19, 10**30, -10**40, 3**200, -(7**500), 2**14284, 10**4299, -(10**4299 + 7)]

SPECIAL_FLOATS = [0.0, -0.0, 1.0, -1.0, 0.1, 0.5, 1.5, 2.0**53, 2.0**53 + 2, 2.0**63, 2.0**64, 1e15,
                  1e16, 9999999999999998.0, 1e16 + 2, 123456789012345680.0, 1e-4, 1e-5, 0.00012345,
                  1.2345e-05, 1e22, 1e23, 1e300, 1.7976931348623157e308, 5e-324, 2.2250738585072014e-308,
                  2.225073858507201e-308, float("inf"), float("-inf"), float("nan"), -float("nan"),
                  0.1 + 0.2, 1 / 3, 2 / 3, 100.0, 1e100, 123.456, -0.000001]

# Code points in interesting classes: controls, quotes, Latin-1, format
# characters, private use, unassigned in Unicode 14 but assigned in 15
# (Go's tables are 15), surrogates, astral, noncharacters.
CHAR_POOL = (["\x00", "\x07", "\t", "\n", "\r", "\x1f", "\x7f", "'", '"', "\\", " ", "a", "Z", "~",
              "\x80", "\x9f", "\xa0", "\xad", "\xff", "\u0100", "\u0378", "\u200b", "\u2028", "\u2029",
              "\u3000", "\ud7ff", "\ud800", "\udbff", "\udc00", "\udfff", "\ue000", "\uf8ff", "\ufeff",
              "\ufffd", "\ufffe", "\uffff", "\U00010000", "\U0001f600", "\U0001e030", "\U00011f00",
              "\U0001b132", "\U0001d2c0", "\U000e0001", "\U000e0100", "\U000f0000", "\U0010ffff",
              "\u0600", "\u061c", "\u1680", "\u180e", "\u0e00", "\u0ecf", "é", "ß", "中", "\u0301"])


def rand_char(r):
    k = r.random()
    if k < 0.4:
        return chr(r.randrange(0x20, 0x7f))
    if k < 0.7:
        return r.choice(CHAR_POOL)
    if k < 0.85:
        return chr(r.randrange(0x80, 0x10000))
    return chr(r.randrange(0x10000, 0x110000))


def rand_str(r):
    n = r.choice([0, 1, 1, 2, 3, 5, 8, 20, 60])
    return "".join(rand_char(r) for _ in range(n))


def rand_bytes(r):
    n = r.choice([0, 1, 2, 5, 20])
    pool = [0, 9, 10, 13, 31, 32, 34, 39, 92, 126, 127, 128, 255] + list(range(0x61, 0x7b))
    return bytes(r.choice(pool) if r.random() < 0.6 else r.randrange(256) for _ in range(n))


def rand_float(r):
    k = r.random()
    if k < 0.3:
        return r.choice(SPECIAL_FLOATS)
    if k < 0.55:
        return struct.unpack("<d", r.getrandbits(64).to_bytes(8, "little"))[0]
    if k < 0.75:
        return round(r.uniform(-1e6, 1e6), r.randrange(0, 8))
    if k < 0.9:
        return r.choice([1, -1]) * r.randrange(1, 10) * 10.0 ** r.randrange(-30, 30)
    return float(r.randrange(-2**60, 2**60))


def rand_int(r):
    k = r.random()
    if k < 0.5:
        return r.randrange(-20, 1100)
    if k < 0.8:
        return r.choice(SPECIAL_INTS) + r.choice([0, 0, 0, 1, -1])
    return r.randrange(-2**r.randrange(1, 300), 2**r.randrange(1, 300))


def rand_scalar(r):
    k = r.randrange(10)
    if k == 0:
        return r.choice([None, True, False, ...])
    if k in (1, 2):
        return rand_int(r)
    if k in (3, 4):
        return rand_float(r)
    if k == 5:
        return complex(rand_float(r), rand_float(r)) if r.random() < 0.7 else complex(0.0, rand_float(r))
    if k in (6, 7, 8):
        return rand_str(r)
    return rand_bytes(r)


def rand_hashable(r, depth):
    k = r.randrange(8)
    if k == 0 and depth < 3:
        return tuple(rand_hashable(r, depth + 1) for _ in range(r.randrange(4)))
    if k == 1 and depth < 3:
        return frozenset(rand_hashable(r, depth + 1) for _ in range(r.randrange(4)))
    return rand_scalar(r)


def rand_value(r, depth=0):
    if depth >= 4 or r.random() < 0.45:
        return rand_scalar(r)
    k = r.randrange(6)
    n = r.choice([0, 1, 2, 3, 4, 6, 12])
    if k in (0, 1):
        return [rand_value(r, depth + 1) for _ in range(n)]
    if k == 2:
        return tuple(rand_value(r, depth + 1) for _ in range(n))
    if k == 3:
        return {rand_hashable(r, depth + 1): rand_value(r, depth + 1) for _ in range(n)}
    if k == 4:
        return {rand_hashable(r, depth + 1) for _ in range(n)}
    return frozenset(rand_hashable(r, depth + 1) for _ in range(n))


def shared(r):
    """Values whose parts are shared objects, so versions 3 and 4 write
    references."""
    x = [rand_value(r, 2) for _ in range(3)]
    f = rand_float(r)
    s = rand_str(r) + "shared"
    t = (f, s, 10**20)
    return [x, x, t, t, (x, f, f, s, s), {s: t, "k": x}]


def curated():
    nest = 1
    for _ in range(50):
        nest = [nest]
    return [None, True, False, ..., 0, -1, 2**31 - 1, 2**31, -2**31, -2**31 - 1, 2**63, -2**63 - 1,
            10**100, -(10**100), 0.0, -0.0, float("nan"), float("inf"), -float("inf"), 1e16, 1e-5,
            complex(0, 0), complex(-0.0, 0), complex(0, -0.0), complex(1, float("nan")),
            complex(float("nan"), 1), complex(float("inf"), -float("inf")), 1j, -1j,
            "", "'", '"', "'\"", "a'b", 'a"b', "\\", "\x00\x7f\x80\xff", "\ud800", "\udfff\ud800",
            "\ud83d\ude00", "\U0001f600", "".join(CHAR_POOL), b"", b"'", b"'\"", b'"', bytes(range(256)),
            [], (), (1,), ((),), {}, set(), frozenset(), frozenset([frozenset()]), {1: {2: {3: []}}},
            {1: "a", 2.5: "b", (1, "x"): "c", None: "d", frozenset([1]): "e", b"k": "f", ...: "g"},
            {1, 2.5, "x", (1, 2), frozenset([3]), None, b"y", 1j}, nest,
            [1.0] * 12, list(range(30)), "x" * 5000, b"\x00" * 3000, 10**4300, -(10**4300), 10**4299 * 9,
            list(range(10001)), {i: str(i) for i in range(10002)}, set(range(10005)),
            tuple(float(i) / 7 for i in range(10003)), [[i, "s" * 300] for i in range(10004)],
            [[[[[i]]]] for i in range(10010)], frozenset(str(i) for i in range(10020)),
            {(i, "k"): [i] * 3 for i in range(10050)}, ["x" * 30000] * 3]


def harness_reprs(h, v):
    out = {}
    for limit in (2000, 100, 7, 1):
        h._MAX_REPR = limit
        out[str(limit)] = h._repr(v)
    h._MAX_REPR = 2000
    return out


def json_form(v):
    try:
        text = json.dumps(v, ensure_ascii=bool(len(repr(v)) % 2), allow_nan=True)
    except (TypeError, ValueError):
        return None
    return text


def cmd_corpus(seed, n):
    h = load_harness()
    r = random.Random(seed)
    values = curated() + [shared(r) for _ in range(20)] + [rand_value(r) for _ in range(n)]
    for v in values:
        rec = {"m": [b64(marshal.dumps(v, ver)) for ver in range(5)]}
        try:
            rec["r"] = repr(v)
        except ValueError:
            rec["r"] = None  # an int beyond 4300 digits
        rec["c"] = harness_reprs(h, v)
        try:
            hash(v)
            rec["h"] = True
        except TypeError:
            rec["h"] = False
        rec["t"] = type(v).__name__
        try:
            rec["n"] = len(v)
        except TypeError:
            rec["n"] = -1
        text = json_form(v)
        if text is not None:
            enc = text.encode("utf-8", "surrogatepass")
            rec["j"] = b64(enc)
            rec["jm"] = b64(marshal.dumps(json.loads(text), 2))
        print(json.dumps(rec))


def variants(r, v):
    """Values equal or nearly equal to v."""
    t = type(v)
    if t is bool:
        return [int(v), float(v), complex(v), not v]
    if t is int:
        out = [v + 1, -v]
        if -2**1000 < v < 2**1000:
            f = float(v)
            out += [f, complex(f), math.nextafter(f, math.inf)]
        if v in (0, 1):
            out.append(bool(v))
        return out
    if t is float:
        out = [math.nextafter(v, math.inf), -v, complex(v, 0), complex(v, -0.0), complex(v, 1e-300)]
        if math.isfinite(v) and v == int(v):
            out.append(int(v))
            out.append(int(v) + 1)
        return out
    if t is complex:
        return [v.real, complex(v.real, -v.imag), complex(v.real, v.imag)]
    if t is str:
        out = [v.encode("utf-8", "surrogatepass"), v + "x", v.upper()]
        if v:
            out.append(v[:-1])
        return out
    if t is bytes:
        return [v.decode("latin-1"), v + b"\x00", bytes(reversed(v))]
    if t in (list, tuple):
        out = [tuple(v) if t is list else list(v), t(v[:-1]), t(list(v) + [None])]
        if v:
            i = r.randrange(len(v))
            for w in variants(r, v[i])[:2]:
                c = list(v)
                c[i] = w
                out.append(t(c))
        return out
    if t is dict:
        items = list(v.items())
        out = [dict(reversed(items))]
        if items:
            k, val = items[r.randrange(len(items))]
            for w in variants(r, k)[:3]:
                try:
                    c = dict(v)
                    del c[k]
                    c[w] = val
                    out.append(c)
                except TypeError:
                    pass
            for w in variants(r, val)[:2]:
                c = dict(v)
                c[k] = w
                out.append(c)
        return out
    if t in (set, frozenset):
        out = [frozenset(v) if t is set else set(v), t(list(v)[:-1])]
        if v:
            e = next(iter(v))
            for w in variants(r, e)[:3]:
                try:
                    out.append(t((v - {e}) | {w}))
                except TypeError:
                    pass
        return out
    return [None, 0]


def cmd_pairs(seed, n):
    r = random.Random(seed)
    base = curated()[:60] + [rand_value(r) for _ in range(n)]
    for a0 in base:
        others = variants(r, a0) + [a0, rand_value(r)]
        for b in others:
            # Compare fresh copies: a and b share objects (NaNs among
            # them), and == and < take an identity shortcut.
            da, db = marshal.dumps(a0, 2), marshal.dumps(b, 2)
            a, b = marshal.loads(da), marshal.loads(db)
            eq = a == b
            rec = {"a": b64(da), "b": b64(db), "eq": eq}
            try:
                hash(a)
                rec["h"] = True
            except TypeError:
                rec["h"] = False
            try:
                rec["lt"] = a < b
            except TypeError:
                rec["lt"] = None
            print(json.dumps(rec))


def cmd_check():
    data = sys.stdin.buffer.read()
    values = []
    i = 0
    while i < len(data):
        n = int.from_bytes(data[i:i + 4], "little")
        values.append(data[i + 4:i + 4 + n])
        i += 4 + n
    loaded = [marshal.loads(b) for b in values]
    for k, v in enumerate(loaded):
        rec = {"d": b64(marshal.dumps(v, 2))}
        try:
            rec["r"] = repr(v)
        except ValueError:
            rec["r"] = None
        nxt = loaded[(k + 1) % len(loaded)]
        rec["eq"] = v == nxt
        try:
            hash(v)
            rec["h"] = True
        except TypeError:
            rec["h"] = False
        print(json.dumps(rec))


JSON_EDGE = ['', ' ', '1', '-0', '-0.0', '01', '1.', '.5', '1e5', '1E+5', '1e', '1e-', '-', '--1', '+1',
             '1.5e300', '1e400', '-1e400', '1e-400', '123456789012345678901234567890', '-9223372036854775809',
             'NaN', '-NaN', 'Infinity', '-Infinity', 'infinity', 'nan', 'true', 'True', 'null', 'nul',
             '"a"', '"\\u00e9"', '"\\ud800"', '"\\ud83d\\ude00"', '"\\ud83d\\u0041"', '"\\udc00\\ud800"',
             '"\\ud800\\ud800"', '"\\ud83d\\uZZZZ"', '"\\u12"', '"\\x41"', '"\\/"', '"a\tb"', '"a\x7fb"',
             '"\x1f"', '"', '"abc', '[]', '[1,]', '[,1]', '[1 2]', ' [ 1 , 2 ] ', '{}', '{"a":1}',
             '{"a":1,"a":2}', '{"a":1,"b":2,"a":3}', '{"a" 1}', '{a:1}', '{"a":1,}', '{1:2}', '[[[]]]',
             '{"a":[{"b":null}]}', '[1]x', '1 2', '\ufeff1', '[NaN, Infinity, -Infinity]', '"\\""',
             '"\\\\"', '"\\b\\f\\n\\r\\t"', '[-]', '[-Infinity1]', '[0.0e0]', '[1e01]', '0e', '[1.5E-3]',
             '"\xed\xa0\x80"', '" \u2028 "']


def mutate(r, text):
    if not text:
        return text
    i = r.randrange(len(text))
    k = r.randrange(4)
    if k == 0:
        return text[:i] + text[i + 1:]
    if k == 1:
        return text[:i] + r.choice('[]{}",:0-1eE.\\u NaInfty\x00') + text[i:]
    if k == 2:
        return text[:i] + text[i] * 2 + text[i + 1:]
    return text[:i] + r.choice('"[{0') + text[i + 1:]


def cmd_json(seed, n):
    r = random.Random(seed)
    texts = list(JSON_EDGE)
    for _ in range(n):
        v = rand_value(r)
        text = json_form(v)
        if text is None:
            continue
        texts.append(text)
        texts.append(mutate(r, text))
        texts.append(mutate(r, mutate(r, text)))
    for text in texts:
        raw = text.encode("utf-8", "surrogatepass")
        rec = {"j": b64(raw)}
        try:
            rec["m"] = b64(marshal.dumps(json.loads(raw.decode("utf-8", "surrogatepass")), 2))
        except (ValueError, RecursionError):
            rec["m"] = None
        print(json.dumps(rec))


def mutate_bytes(r, data):
    data = bytearray(data)
    for _ in range(r.choice([1, 1, 1, 2, 3])):
        if not data:
            break
        i = r.randrange(len(data))
        k = r.randrange(7)
        if k == 0:
            data[i] ^= 1 << r.randrange(8)
        elif k == 1:
            data[i] = r.choice(b"0NFTS.iIfgxylstr([{cu<>aAz)Z\x80\xdb\xa9\xf2\xe9\xff\x00\x01\x7f")
        elif k == 2:
            del data[i:]
        elif k == 3:
            del data[i]
        elif k == 4:
            data[i:i] = bytes([r.randrange(256)])
        elif k == 5:
            j = r.randrange(len(data))
            data[i:i] = data[j:j + r.randrange(1, 12)]
        else:
            data[i:i + 4] = r.choice([b"\xff\xff\xff\xff", b"\x00\x00\x00\x80", b"\x02\x00\x00\x00",
                                      b"r\x00\x00\x00\x00", b"r\x01\x00\x00\x00", b"\x00\x00"])
    return bytes(data)


def contains(v, pred, depth=0):
    if pred(v):
        return True
    if depth > 100:
        return True
    if isinstance(v, (list, tuple, set, frozenset)):
        return any(contains(e, pred, depth + 1) for e in v)
    if isinstance(v, dict):
        return any(contains(k, pred, depth + 1) or contains(e, pred, depth + 1) for k, e in v.items())
    return False


def cmd_mutants(seed, n):
    import io
    import resource
    resource.setrlimit(resource.RLIMIT_AS, (256 << 20, 256 << 20))
    r = random.Random(seed)
    for _ in range(n):
        v = shared(r) if r.random() < 0.2 else rand_value(r)
        data = mutate_bytes(r, marshal.dumps(v, r.randrange(5)))
        rec = {"in": b64(data)}
        f = io.BytesIO(data)
        try:
            w = marshal.load(f)
        except (ValueError, TypeError, EOFError, MemoryError, OverflowError) as e:
            rec["e"] = type(e).__name__
            print(json.dumps(rec))
            continue
        rec["used"] = f.tell()
        if contains(w, lambda x: x is StopIteration or type(x).__name__ == "code"):
            rec["e"] = "unsupported"
        else:
            try:
                rec["m"] = b64(marshal.dumps(w, 2))
            except ValueError:
                rec["e"] = "cycle"  # a self-containing value
        print(json.dumps(rec))


def cmd_allchars():
    s = "".join(chr(i) for i in range(0x110000))
    print(json.dumps({"r": b64(repr(s).encode("utf-8"))}))


def cmd_seeds(out):
    """Seed corpora for FuzzDecodeMarshal and FuzzParseJSON, written by
    CPython: marshal data of every version, and JSON texts."""
    r = random.Random(7)
    values = [v for v in curated() if len(marshal.dumps(v)) <= 2048]
    values += [shared(r) for _ in range(10)] + [rand_value(r) for _ in range(60)]
    write_seeds(os.path.join(out, "FuzzDecodeMarshal"),
                [marshal.dumps(v, ver) for v in values for ver in range(5)])
    texts = [t.encode("utf-8", "surrogatepass") for t in JSON_EDGE]
    texts += [json_form(v).encode("utf-8", "surrogatepass") for v in values if json_form(v) is not None]
    write_seeds(os.path.join(out, "FuzzParseJSON"), texts)


def write_seeds(d, inputs):
    os.makedirs(d, exist_ok=True)
    for k, data in enumerate(inputs):
        if len(data) > 1024:
            continue
        with open(os.path.join(d, "py%04d" % k), "w") as f:
            f.write("go test fuzz v1\n[]byte(%s)\n" % go_bytes(data))


def go_bytes(b):
    out = []
    for c in b:
        if c in (0x22, 0x5c):
            out.append("\\" + chr(c))
        elif 0x20 <= c < 0x7f:
            out.append(chr(c))
        else:
            out.append("\\x%02x" % c)
    return '"' + "".join(out) + '"'


def main():
    cmd = sys.argv[1]
    if cmd == "corpus":
        cmd_corpus(int(sys.argv[2]), int(sys.argv[3]))
    elif cmd == "pairs":
        cmd_pairs(int(sys.argv[2]), int(sys.argv[3]))
    elif cmd == "check":
        cmd_check()
    elif cmd == "json":
        cmd_json(int(sys.argv[2]), int(sys.argv[3]))
    elif cmd == "mutants":
        cmd_mutants(int(sys.argv[2]), int(sys.argv[3]))
    elif cmd == "allchars":
        cmd_allchars()
    elif cmd == "seeds":
        cmd_seeds(sys.argv[2])
    else:
        sys.exit("unknown command " + cmd)


if __name__ == "__main__":
    main()
