package dataset

// MBPP+ stores every argument as JSON, so tuples, sets and complex numbers
// arrive as lists and strings. EvalPlus converts them back per task before
// calling the function (evalplus/data/mbpp.py, mbpp_deserialize_inputs).
// The table below records which tasks need which conversion (see
// ArgsAdapter).

// mbppPlusArgsAdapter returns the adapter for MBPP+ task number n, or "".
func mbppPlusArgsAdapter(n int) ArgsAdapter {
	switch n {
	case 2, 116, 132, 143, 222, 261, 273, 394, 399, 421, 424, 429, 470, 560, 579, 596, 616, 630, 726, 740, 744, 809:
		return AdaptEachArgTuple
	case 63, 64, 70, 94, 120, 237, 272, 299, 400, 409, 417, 438, 473, 614, 780:
		return AdaptEachArgInnerTuples
	case 75, 413, 444, 753:
		return AdaptFirstArgInnerTuples
	case 106, 750:
		return AdaptSecondArgTuple
	case 115:
		return AdaptOnlyArgListOfSets
	case 124:
		return AdaptFloatComplex
	case 250, 405, 446, 617, 720, 763, 808:
		return AdaptFirstArgTupleOf2
	case 259, 401, 445:
		return AdaptEachArgTupleOfTuples
	case 278:
		return AdaptOnlyArgTupleOfTuples
	case 307:
		return AdaptFirstArgTupleOf3
	case 722:
		return AdaptDictValuesTuples
	case 252:
		return AdaptComplex
	case 580, 615, 791:
		return AdaptDeepTuples
	}
	return AdaptNone
}

// mbppPlusOracle returns the special comparison EvalPlus applies to an
// MBPP+ entry point (evalplus/eval/__init__.py, _special_oracle.py), or "".
func mbppPlusOracle(entryPoint string) Oracle {
	switch entryPoint {
	case "are_equivalent":
		return OracleAlways
	case "sum_div":
		return OracleZeroOK
	case "surface_Area":
		return OracleSurfaceArea
	case "digit_distance_nums":
		return OracleDigitDistance
	case "similar_elements", "find_char_long", "common_in_nested_lists", "extract_singly",
		"larg_nnum", "intersection_array", "find_dissimilar", "Diff":
		return OracleSetEq
	case "check_str", "text_match_three", "text_starta_endb":
		return OracleNotNone
	}
	return OracleNone
}
