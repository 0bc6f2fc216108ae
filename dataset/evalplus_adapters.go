package dataset

// MBPP+ stores every argument as JSON, so tuples, sets and complex numbers
// arrive as lists and strings. EvalPlus converts them back per task before
// calling the function (evalplus/data/mbpp.py, mbpp_deserialize_inputs).
// The table below records which tasks need which conversion; the
// conversions are written here as Python expressions of a one-argument
// function over the decoded argument list, stored in MetaArgsAdapter.

const (
	// every argument becomes a tuple
	adaptEachArgTuple = "lambda args: [tuple(a) for a in args]"
	// every argument is a list of lists; the inner lists become tuples
	adaptEachArgInnerTuples = "lambda args: [[tuple(x) for x in a] for a in args]"
	// the first argument is a list of lists whose items become tuples;
	// the second is kept (EvalPlus keeps exactly two arguments)
	adaptFirstArgInnerTuples = "lambda args: [[tuple(x) for x in args[0]], args[1]]"
	// the second argument becomes a tuple
	adaptSecondArgTuple = "lambda args: [args[0], tuple(args[1])]"
	// the first argument becomes a tuple; exactly two arguments are kept
	adaptFirstArgTupleOf2 = "lambda args: [tuple(args[0]), args[1]]"
	// the first argument becomes a tuple; exactly three arguments are kept
	adaptFirstArgTupleOf3 = "lambda args: [tuple(args[0]), args[1], args[2]]"
	// every argument becomes a tuple of tuples
	adaptEachArgTupleOfTuples = "lambda args: [tuple(tuple(x) for x in a) for a in args]"
	// the only argument becomes a tuple whose list items become tuples
	adaptOnlyArgTupleOfTuples = "lambda args: [tuple(tuple(x) if isinstance(x, list) else x for x in args[0])]"
	// the only argument is a list of lists; non-empty lists become sets
	// and empty ones become {} (an empty dict, as EvalPlus does)
	adaptOnlyArgListOfSets = "lambda args: [[set(x) if isinstance(x, list) and x else {} for x in args[0]]]"
	// (float, complex) from two strings
	adaptFloatComplex = "lambda args: [float(args[0]), complex(args[1])]"
	// a complex number from one string
	adaptComplex = "lambda args: [complex(args[0])]"
	// the dict argument's values become tuples
	adaptDictValuesTuples = "lambda args: [{k: tuple(v) for k, v in args[0].items()}] + list(args[1:])"
	// every list at any depth becomes a tuple (the argument list too)
	adaptDeepTuples = "(lambda deep: lambda args: deep(deep, args))(lambda deep, x: tuple(deep(deep, y) for y in x) if isinstance(x, list) else x)"
)

// mbppPlusArgsAdapter returns the adapter for MBPP+ task number n, or "".
func mbppPlusArgsAdapter(n int) string {
	switch n {
	case 2, 116, 132, 143, 222, 261, 273, 394, 399, 421, 424, 429, 470, 560, 579, 596, 616, 630, 726, 740, 744, 809:
		return adaptEachArgTuple
	case 63, 64, 70, 94, 120, 237, 272, 299, 400, 409, 417, 438, 473, 614, 780:
		return adaptEachArgInnerTuples
	case 75, 413, 444, 753:
		return adaptFirstArgInnerTuples
	case 106, 750:
		return adaptSecondArgTuple
	case 115:
		return adaptOnlyArgListOfSets
	case 124:
		return adaptFloatComplex
	case 250, 405, 446, 617, 720, 763, 808:
		return adaptFirstArgTupleOf2
	case 259, 401, 445:
		return adaptEachArgTupleOfTuples
	case 278:
		return adaptOnlyArgTupleOfTuples
	case 307:
		return adaptFirstArgTupleOf3
	case 722:
		return adaptDictValuesTuples
	case 252:
		return adaptComplex
	case 580, 615, 791:
		return adaptDeepTuples
	}
	return ""
}

// mbppPlusOracle returns the special comparison EvalPlus applies to an
// MBPP+ entry point (evalplus/eval/__init__.py, _special_oracle.py), or "".
func mbppPlusOracle(entryPoint string) string {
	switch entryPoint {
	case "are_equivalent":
		return EvalPlusOracleAlways
	case "sum_div":
		return EvalPlusOracleZeroOK
	case "surface_Area":
		return EvalPlusOracleSurfaceArea
	case "digit_distance_nums":
		return EvalPlusOracleDigitDistance
	case "similar_elements", "find_char_long", "common_in_nested_lists", "extract_singly",
		"larg_nnum", "intersection_array", "find_dissimilar", "Diff":
		return EvalPlusOracleSetEq
	case "check_str", "text_match_three", "text_starta_endb":
		return EvalPlusOracleNotNone
	}
	return ""
}
