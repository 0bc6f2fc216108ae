package dataset

import "fmt"

// Judging says how a problem's source grades it: whose grader the judge
// replicates, and the grader's per-problem directives. Loaders fill it;
// the zero value grades stdio programs as programs and compares return
// values plainly.
type Judging struct {
	// Grader is the grader whose behaviour the judge replicates.
	Grader Grader `json:"grader,omitempty"`
	// ArgsAdapter converts a test's decoded arguments before the call, as
	// EvalPlus does for MBPP+ (whose files store tuples, sets and complex
	// numbers as JSON lists and strings).
	ArgsAdapter ArgsAdapter `json:"args_adapter,omitempty"`
	// Oracle replaces plain equality for some EvalPlus tasks.
	Oracle Oracle `json:"oracle,omitempty"`
	// InputFile and OutputFile name the files a program reads its input
	// from and writes its output to, where the problem uses files instead
	// of stdin and stdout (a few CodeContests problems).
	InputFile  string `json:"input_file,omitempty"`
	OutputFile string `json:"output_file,omitempty"`
}

// Grader names a benchmark's official grader.
type Grader string

const (
	// GraderPlain: stdio programs run as programs; a returned tuple
	// becomes a list and return values are compared as EvalPlus does,
	// without its special oracles.
	GraderPlain Grader = ""
	// GraderEvalPlus: EvalPlus's comparison of return values (HumanEval+,
	// MBPP+): exact equality, special oracles, float tolerance.
	GraderEvalPlus Grader = "evalplus"
	// GraderLiveCodeBench: LiveCodeBench's harness: stdio programs run
	// wrapped in a function with stdin mocked and its import prelude;
	// return values compared after a tuple becomes a list.
	GraderLiveCodeBench Grader = "livecodebench"
	// GraderAPPS: APPS/TACO testing_util: stdio programs wrapped in
	// "def code():" with stdin mocked, its import prelude, and its lenient
	// comparison of return values.
	GraderAPPS Grader = "apps"
)

// Valid reports whether g is a known grader.
func (g Grader) Valid() bool {
	switch g {
	case GraderPlain, GraderEvalPlus, GraderLiveCodeBench, GraderAPPS:
		return true
	}
	return false
}

// WrapsStdio reports whether the grader runs stdio programs wrapped in a
// function (a top-level "return" then compiles and runs).
func (g Grader) WrapsStdio() bool { return g == GraderLiveCodeBench || g == GraderAPPS }

// ArgsAdapter names a conversion of a test's decoded argument list.
type ArgsAdapter string

// The MBPP+ argument conversions (evalplus/data/mbpp.py,
// mbpp_deserialize_inputs), as Python would write them.
const (
	AdaptNone ArgsAdapter = ""
	// [tuple(a) for a in args]
	AdaptEachArgTuple ArgsAdapter = "each_arg_tuple"
	// [[tuple(x) for x in a] for a in args]
	AdaptEachArgInnerTuples ArgsAdapter = "each_arg_inner_tuples"
	// [[tuple(x) for x in args[0]], args[1]]
	AdaptFirstArgInnerTuples ArgsAdapter = "first_arg_inner_tuples"
	// [args[0], tuple(args[1])]
	AdaptSecondArgTuple ArgsAdapter = "second_arg_tuple"
	// [tuple(args[0]), args[1]]
	AdaptFirstArgTupleOf2 ArgsAdapter = "first_arg_tuple_of_2"
	// [tuple(args[0]), args[1], args[2]]
	AdaptFirstArgTupleOf3 ArgsAdapter = "first_arg_tuple_of_3"
	// [tuple(tuple(x) for x in a) for a in args]
	AdaptEachArgTupleOfTuples ArgsAdapter = "each_arg_tuple_of_tuples"
	// [tuple(tuple(x) if isinstance(x, list) else x for x in args[0])]
	AdaptOnlyArgTupleOfTuples ArgsAdapter = "only_arg_tuple_of_tuples"
	// [[set(x) if isinstance(x, list) and x else {} for x in args[0]]]
	// (an empty list becomes an empty dict, as EvalPlus does)
	AdaptOnlyArgListOfSets ArgsAdapter = "only_arg_list_of_sets"
	// [float(args[0]), complex(args[1])]
	AdaptFloatComplex ArgsAdapter = "float_complex"
	// [complex(args[0])]
	AdaptComplex ArgsAdapter = "complex"
	// [{k: tuple(v) for k, v in args[0].items()}] + args[1:]
	AdaptDictValuesTuples ArgsAdapter = "dict_values_tuples"
	// every list at any depth becomes a tuple (the argument list too)
	AdaptDeepTuples ArgsAdapter = "deep_tuples"
)

var knownAdapters = map[ArgsAdapter]bool{
	AdaptNone: true, AdaptEachArgTuple: true, AdaptEachArgInnerTuples: true, AdaptFirstArgInnerTuples: true,
	AdaptSecondArgTuple: true, AdaptFirstArgTupleOf2: true, AdaptFirstArgTupleOf3: true,
	AdaptEachArgTupleOfTuples: true, AdaptOnlyArgTupleOfTuples: true, AdaptOnlyArgListOfSets: true,
	AdaptFloatComplex: true, AdaptComplex: true, AdaptDictValuesTuples: true, AdaptDeepTuples: true,
}

// Valid reports whether a is a known adapter.
func (a ArgsAdapter) Valid() bool { return knownAdapters[a] }

// Oracle names a special output comparison EvalPlus uses for a task
// (evalplus/eval/__init__.py, _special_oracle.py).
type Oracle string

const (
	OracleNone Oracle = ""
	// OraclePoly: HumanEval/32 find_zero; pass if |poly(*args, out)| <=
	// atol, ignoring the expected value.
	OraclePoly Oracle = "poly"
	// OracleSetEq: compare set(out) == set(expected).
	OracleSetEq Oracle = "set_eq"
	// OracleNotNone: expected is a bool; a bool output must equal it, any
	// other output passes if (out is not None) == expected.
	OracleNotNone Oracle = "not_none"
	// OracleAlways: Mbpp/164 are_equivalent; every output passes.
	OracleAlways Oracle = "always"
	// OracleZeroOK: Mbpp/295 sum_div; out == expected or out == 0.
	OracleZeroOK Oracle = "zero_ok"
	// OracleSurfaceArea: Mbpp/581 surface_Area; also accept
	// |out - round(b*b + 2*b*sqrt((b/2)^2 + h^2))| <= atol.
	OracleSurfaceArea Oracle = "surface_area"
	// OracleDigitDistance: Mbpp/558 digit_distance_nums; also accept the
	// digit distance computed after zero-padding both numbers to the same
	// length.
	OracleDigitDistance Oracle = "digit_distance"
)

// Valid reports whether o is a known oracle.
func (o Oracle) Valid() bool {
	switch o {
	case OracleNone, OraclePoly, OracleSetEq, OracleNotNone, OracleAlways, OracleZeroOK, OracleSurfaceArea, OracleDigitDistance:
		return true
	}
	return false
}

// Validate checks the directives.
func (j Judging) Validate() error {
	switch {
	case !j.Grader.Valid():
		return fmt.Errorf("unknown grader %q (known: evalplus, livecodebench, apps, or none)", j.Grader)
	case !j.ArgsAdapter.Valid():
		return fmt.Errorf("unknown argument adapter %q", j.ArgsAdapter)
	case !j.Oracle.Valid():
		return fmt.Errorf("unknown oracle %q", j.Oracle)
	}
	return nil
}
