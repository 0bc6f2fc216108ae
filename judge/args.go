package judge

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"

	"github.com/rlef/rlef/dataset"
	"github.com/rlef/rlef/pyvalue"
)

// valueLimits bound values decoded from the program under test (and from
// the dataset): a hostile answer cannot make the judge allocate without
// bound or recurse deeply.
var valueLimits = pyvalue.Limits{MaxBytes: 256 << 20, MaxDepth: 200, MaxValues: 50_000_000}

// callArgs decodes a test's arguments (a JSON array in Python's dialect)
// and applies the problem's argument conversions.
func callArgs(p *dataset.Problem, input string) (pyvalue.Tuple, error) {
	v, err := pyvalue.ParseJSON([]byte(input), valueLimits)
	if err != nil {
		return nil, fmt.Errorf("arguments: %w", err)
	}
	list, ok := v.(pyvalue.List)
	if !ok {
		list = pyvalue.List{v}
	}
	args := []pyvalue.Value(list)
	if args, err = adaptArgs(p.Judging.ArgsAdapter, args); err != nil {
		return nil, fmt.Errorf("arguments (%s): %w", p.Judging.ArgsAdapter, err)
	}
	if p.Judging.Grader == dataset.GraderAPPS {
		args = appsArgs(args)
	}
	return pyvalue.Tuple(args), nil
}

// errArgs reports arguments an adapter cannot convert.
var errArgs = errors.New("cannot convert")

// adaptArgs applies an MBPP+ conversion (see dataset.ArgsAdapter for each
// one written in Python).
func adaptArgs(a dataset.ArgsAdapter, args []pyvalue.Value) ([]pyvalue.Value, error) {
	each := func(f func(pyvalue.Value) (pyvalue.Value, error)) ([]pyvalue.Value, error) {
		out := make([]pyvalue.Value, len(args))
		for i, x := range args {
			var err error
			if out[i], err = f(x); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	need := func(n int) error {
		if len(args) < n {
			return fmt.Errorf("%w: %d arguments, need %d", errArgs, len(args), n)
		}
		return nil
	}
	switch a {
	case dataset.AdaptNone:
		return args, nil
	case dataset.AdaptEachArgTuple:
		return each(toTuple)
	case dataset.AdaptEachArgInnerTuples:
		return each(func(x pyvalue.Value) (pyvalue.Value, error) { return mapItems(x, toList, toTuple) })
	case dataset.AdaptEachArgTupleOfTuples:
		return each(func(x pyvalue.Value) (pyvalue.Value, error) { return mapItems(x, toTuple, toTuple) })
	case dataset.AdaptFirstArgInnerTuples:
		if err := need(2); err != nil {
			return nil, err
		}
		first, err := mapItems(args[0], toList, toTuple)
		return []pyvalue.Value{first, args[1]}, err
	case dataset.AdaptSecondArgTuple:
		if err := need(2); err != nil {
			return nil, err
		}
		second, err := toTuple(args[1])
		return []pyvalue.Value{args[0], second}, err
	case dataset.AdaptFirstArgTupleOf2, dataset.AdaptFirstArgTupleOf3:
		n := 2
		if a == dataset.AdaptFirstArgTupleOf3 {
			n = 3
		}
		if err := need(n); err != nil {
			return nil, err
		}
		first, err := toTuple(args[0])
		return append([]pyvalue.Value{first}, args[1:n]...), err
	case dataset.AdaptOnlyArgTupleOfTuples:
		if err := need(1); err != nil {
			return nil, err
		}
		only, err := mapItems(args[0], toTuple, func(x pyvalue.Value) (pyvalue.Value, error) {
			if _, isList := x.(pyvalue.List); isList {
				return toTuple(x)
			}
			return x, nil
		})
		return []pyvalue.Value{only}, err
	case dataset.AdaptOnlyArgListOfSets:
		if err := need(1); err != nil {
			return nil, err
		}
		only, err := mapItems(args[0], toList, setOrEmptyDict)
		return []pyvalue.Value{only}, err
	case dataset.AdaptFloatComplex:
		if err := need(2); err != nil {
			return nil, err
		}
		f, err := toFloat(args[0])
		if err != nil {
			return nil, err
		}
		c, err := toComplex(args[1])
		return []pyvalue.Value{f, c}, err
	case dataset.AdaptComplex:
		if err := need(1); err != nil {
			return nil, err
		}
		c, err := toComplex(args[0])
		return []pyvalue.Value{c}, err
	case dataset.AdaptDictValuesTuples:
		if err := need(1); err != nil {
			return nil, err
		}
		d, err := dictValuesToTuples(args[0])
		return append([]pyvalue.Value{d}, args[1:]...), err
	case dataset.AdaptDeepTuples:
		v, err := deepTuples(pyvalue.List(args), 0)
		if err != nil {
			return nil, err
		}
		return []pyvalue.Value(v.(pyvalue.Tuple)), nil
	}
	return nil, fmt.Errorf("unknown argument adapter %q", a)
}

// items iterates x as Python's iter() does for the builtin types.
func items(x pyvalue.Value) ([]pyvalue.Value, error) {
	switch v := x.(type) {
	case pyvalue.List:
		return v, nil
	case pyvalue.Tuple:
		return v, nil
	case pyvalue.Str:
		cps := pyvalue.StrCodePoints(v)
		out := make([]pyvalue.Value, len(cps))
		for i, c := range cps {
			out[i] = pyvalue.StrFromCodePoints([]rune{c})
		}
		return out, nil
	case pyvalue.Bytes:
		out := make([]pyvalue.Value, len(v))
		for i := 0; i < len(v); i++ {
			out[i] = pyvalue.IntOf(int64(v[i]))
		}
		return out, nil
	case *pyvalue.Dict:
		return v.Keys(), nil
	case *pyvalue.Set:
		return v.Elems(), nil
	case *pyvalue.FrozenSet:
		return v.Elems(), nil
	}
	return nil, fmt.Errorf("%w: '%s' object is not iterable", errArgs, pyvalue.TypeName(x))
}

func toTuple(x pyvalue.Value) (pyvalue.Value, error) {
	it, err := items(x)
	return pyvalue.Tuple(append([]pyvalue.Value(nil), it...)), err
}

func toList(x pyvalue.Value) (pyvalue.Value, error) {
	it, err := items(x)
	return pyvalue.List(append([]pyvalue.Value(nil), it...)), err
}

// mapItems is outer(f(y) for y in x), with outer a list or tuple maker.
func mapItems(x pyvalue.Value, outer, f func(pyvalue.Value) (pyvalue.Value, error)) (pyvalue.Value, error) {
	it, err := items(x)
	if err != nil {
		return nil, err
	}
	out := make([]pyvalue.Value, len(it))
	for i, y := range it {
		if out[i], err = f(y); err != nil {
			return nil, err
		}
	}
	return outer(pyvalue.List(out))
}

// setOrEmptyDict is `set(x) if isinstance(x, list) and x else {}`.
func setOrEmptyDict(x pyvalue.Value) (pyvalue.Value, error) {
	if l, ok := x.(pyvalue.List); ok && len(l) > 0 {
		return pyvalue.NewSet(l)
	}
	return pyvalue.NewDict(nil, nil)
}

func dictValuesToTuples(x pyvalue.Value) (pyvalue.Value, error) {
	d, ok := x.(*pyvalue.Dict)
	if !ok {
		return nil, fmt.Errorf("%w: '%s' object has no attribute 'items'", errArgs, pyvalue.TypeName(x))
	}
	keys, vals := d.Keys(), d.Values()
	out := make([]pyvalue.Value, len(vals))
	for i, v := range vals {
		var err error
		if out[i], err = toTuple(v); err != nil {
			return nil, err
		}
	}
	return pyvalue.NewDict(keys, out)
}

func deepTuples(x pyvalue.Value, depth int) (pyvalue.Value, error) {
	l, ok := x.(pyvalue.List)
	if !ok {
		return x, nil
	}
	if depth > 200 {
		return nil, fmt.Errorf("%w: nested too deeply", errArgs)
	}
	out := make(pyvalue.Tuple, len(l))
	for i, y := range l {
		var err error
		if out[i], err = deepTuples(y, depth+1); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// toFloat is Python's float() of a number or a string.
func toFloat(x pyvalue.Value) (pyvalue.Value, error) {
	switch v := x.(type) {
	case pyvalue.Float:
		return v, nil
	case pyvalue.Int:
		f, ok := v.Float64()
		if !ok {
			return nil, fmt.Errorf("%w: int too large to convert to float", errArgs)
		}
		return pyvalue.Float(f), nil
	case pyvalue.Bool:
		if v {
			return pyvalue.Float(1), nil
		}
		return pyvalue.Float(0), nil
	case pyvalue.Str:
		f, err := parsePyFloat(strings.TrimSpace(string(v)))
		return pyvalue.Float(f), err
	}
	return nil, fmt.Errorf("%w: float() argument must be a string or a real number, not '%s'", errArgs, pyvalue.TypeName(x))
}

// parsePyFloat parses a float literal as float() does (underscores between
// digits, inf, nan).
func parsePyFloat(s string) (float64, error) {
	switch strings.ToLower(strings.TrimLeft(s, "+-")) {
	case "inf", "infinity":
		if strings.HasPrefix(s, "-") {
			return math.Inf(-1), nil
		}
		return math.Inf(1), nil
	case "nan":
		return math.NaN(), nil
	}
	clean := strings.ReplaceAll(s, "_", "")
	if clean == "" || strings.ContainsAny(clean, "xXpP") {
		return 0, fmt.Errorf("%w: could not convert string to float: %q", errArgs, s)
	}
	f, err := strconv.ParseFloat(clean, 64)
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, fmt.Errorf("%w: could not convert string to float: %q", errArgs, s)
	}
	return f, nil
}

// toComplex is Python's complex() of a number or a string.
func toComplex(x pyvalue.Value) (pyvalue.Value, error) {
	switch v := x.(type) {
	case pyvalue.Complex:
		return v, nil
	case pyvalue.Str:
		return parsePyComplex(strings.TrimSpace(string(v)))
	}
	f, err := toFloat(x)
	if err != nil {
		return nil, fmt.Errorf("%w: complex() argument must be a string or a number, not '%s'", errArgs, pyvalue.TypeName(x))
	}
	return pyvalue.Complex(complex(float64(f.(pyvalue.Float)), 0)), nil
}

// parsePyComplex parses complex("1+2j"), complex("(-3+4j)"), complex("2j"),
// complex("1.5").
func parsePyComplex(s string) (pyvalue.Value, error) {
	bad := fmt.Errorf("%w: complex() arg is a malformed string: %q", errArgs, s)
	if strings.HasPrefix(s, "(") {
		if !strings.HasSuffix(s, ")") {
			return nil, bad
		}
		s = strings.TrimSpace(s[1 : len(s)-1])
	}
	if s == "" {
		return nil, bad
	}
	if !strings.HasSuffix(s, "j") && !strings.HasSuffix(s, "J") {
		f, err := parsePyFloat(s)
		if err != nil {
			return nil, bad
		}
		return pyvalue.Complex(complex(f, 0)), nil
	}
	body := s[:len(s)-1]
	// The imaginary part starts at the last sign that does not follow an
	// exponent marker (and is not the first character).
	split := -1
	for i := len(body) - 1; i > 0; i-- {
		if (body[i] == '+' || body[i] == '-') && body[i-1] != 'e' && body[i-1] != 'E' {
			split = i
			break
		}
	}
	re, im := "", body
	if split > 0 {
		re, im = body[:split], body[split:]
	}
	if im == "" || im == "+" || im == "-" {
		im += "1"
	}
	imag, err := parsePyFloat(im)
	if err != nil {
		return nil, bad
	}
	real := 0.0
	if re != "" {
		if real, err = parsePyFloat(re); err != nil {
			return nil, bad
		}
	}
	return pyvalue.Complex(complex(real, imag)), nil
}

// appsArgs is testing_util's conversion of a dict first argument's string
// keys to ints (left alone when a key is not an integer).
func appsArgs(args []pyvalue.Value) []pyvalue.Value {
	if len(args) == 0 {
		return args
	}
	d, ok := args[0].(*pyvalue.Dict)
	if !ok {
		return args
	}
	conv, ok := intKeys(d)
	if !ok {
		return args
	}
	return []pyvalue.Value{conv}
}

// intKeys is {int(k): v for k, v in d.items()}, or false when int() would
// raise on a key.
func intKeys(d *pyvalue.Dict) (*pyvalue.Dict, bool) {
	keys := d.Keys()
	out := make([]pyvalue.Value, len(keys))
	for i, k := range keys {
		n, ok := pyInt(k)
		if !ok {
			return nil, false
		}
		out[i] = n
	}
	nd, err := pyvalue.NewDict(out, d.Values())
	return nd, err == nil
}

// pyInt is int(x) for a str, int, bool or float key.
func pyInt(x pyvalue.Value) (pyvalue.Value, bool) {
	switch v := x.(type) {
	case pyvalue.Int:
		return v, true
	case pyvalue.Bool:
		if v {
			return pyvalue.IntOf(1), true
		}
		return pyvalue.IntOf(0), true
	case pyvalue.Float:
		f := float64(v)
		if math.IsInf(f, 0) || math.IsNaN(f) {
			return nil, false
		}
		b, _ := new(big.Float).SetFloat64(math.Trunc(f)).Int(nil)
		return pyvalue.IntOfBig(b), true
	case pyvalue.Str:
		s := strings.ReplaceAll(strings.TrimSpace(string(v)), "_", "")
		b, ok := new(big.Int).SetString(s, 10)
		if !ok {
			return nil, false
		}
		return pyvalue.IntOfBig(b), true
	}
	return nil, false
}
