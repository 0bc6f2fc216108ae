package dataset

// Keys of Problem.Meta that loaders set and the judge or reports read.
// Values are always strings; structured values are JSON text.
const (
	// MetaSourceFile is the base name of the file a problem was read from.
	MetaSourceFile = "source_file"
	// MetaDifficulty is the source's difficulty label.
	MetaDifficulty = "difficulty"
	// MetaURL links to the original problem page.
	MetaURL = "url"
	// MetaPlatform is the contest site (LiveCodeBench: atcoder, leetcode,
	// codeforces).
	MetaPlatform = "platform"
	// MetaContestID and MetaContestDate identify the contest
	// (LiveCodeBench contest_date is ISO 8601, e.g. 2023-08-21T00:00:00).
	MetaContestID   = "contest_id"
	MetaContestDate = "contest_date"
	// MetaTitle is the problem title where the source has one.
	MetaTitle = "title"

	// MetaPublicSource says where the public tests came from:
	// PublicFromDataset, PublicFromStatement, PublicFromCheck or
	// PublicFirstTest.
	MetaPublicSource = "public_tests_source"

	// MetaStdioWrap, when set to StdioWrapFunction, says the source's
	// harness runs a stdio program wrapped inside a function body (APPS and
	// TACO testing_util wrap it in "def code():", LiveCodeBench in a
	// function as well). A program with a top-level "return" then compiles
	// and runs. A judge that wants the source's verdicts must do the same.
	MetaStdioWrap = "stdio_wrap"

	// MetaAPPSOutputs is set on APPS/TACO call-based problems: the expected
	// outputs are the source's raw values; APPS's harness also accepts a
	// return value equal to the first element when the expected value is a
	// list, and converts a returned tuple to a list before comparing.
	MetaAPPSOutputs = "apps_call_outputs"

	// MetaArgsAdapter is a Python expression that evaluates to a function
	// taking the decoded argument list of one test and returning the
	// arguments to call the entry point with. EvalPlus MBPP+ stores tuples,
	// sets and complex numbers as JSON lists and strings and converts them
	// back before calling; the same adapter must be applied when the
	// reference solution computes the expected outputs.
	MetaArgsAdapter = "args_adapter"
	// MetaEvalPlusOracle names a special output comparison EvalPlus uses
	// for this task instead of plain equality; see the EvalPlusOracle*
	// values.
	MetaEvalPlusOracle = "evalplus_oracle"
	// MetaContract holds EvalPlus's input-validity assertions (not run by
	// EvalPlus's evaluator; kept for reference).
	MetaContract = "contract"
	// MetaAssertion holds MBPP+'s original-style assert lines.
	MetaAssertion = "assertion"
	// MetaChallengeTests holds MBPP's challenge_test_list as a JSON array of
	// assert lines (not part of the standard score).
	MetaChallengeTests = "challenge_test_list"

	// MetaCodeContestsSource is the CodeContests source enum (2 = Codeforces).
	MetaCodeContestsSource = "cc_source"
	// MetaCFRating, MetaCFTags: Codeforces rating and tags (tags as a JSON
	// array).
	MetaCFRating = "cf_rating"
	MetaCFTags   = "cf_tags"
	// MetaInputFile / MetaOutputFile: CodeContests problems that read or
	// write named files instead of stdin/stdout.
	MetaInputFile  = "input_file"
	MetaOutputFile = "output_file"
)

// Values of MetaPublicSource.
const (
	// PublicFromDataset: the source separates public tests itself.
	PublicFromDataset = "dataset"
	// PublicFromStatement: the statement's examples were matched against
	// the source's (merged) test list.
	PublicFromStatement = "statement_examples"
	// PublicFromCheck: single asserts extracted from HumanEval's check().
	PublicFromCheck = "check_asserts"
	// PublicFirstTest: the source has no public tests and none could be
	// found in the statement, so the first test is used as the public one.
	PublicFirstTest = "first_test"
	// PublicNone: no public tests.
	PublicNone = "none"
)

// StdioWrapFunction is the value of MetaStdioWrap.
const StdioWrapFunction = "function"

// Values of MetaEvalPlusOracle (EvalPlus evalplus/eval/__init__.py).
const (
	// EvalPlusOraclePoly: HumanEval/32 find_zero; pass if
	// |poly(*args, out)| <= atol, ignoring the expected value.
	EvalPlusOraclePoly = "poly"
	// EvalPlusOracleSetEq: compare set(out) == set(expected).
	EvalPlusOracleSetEq = "set_eq"
	// EvalPlusOracleNotNone: expected is a bool; a bool output must equal
	// it, any other output passes if (out is not None) == expected.
	EvalPlusOracleNotNone = "not_none"
	// EvalPlusOracleAlways: Mbpp/164 are_equivalent; every output passes.
	EvalPlusOracleAlways = "always"
	// EvalPlusOracleZeroOK: Mbpp/295 sum_div; out == expected or out == 0.
	EvalPlusOracleZeroOK = "zero_ok"
	// EvalPlusOracleSurfaceArea: Mbpp/581 surface_Area; also accept
	// |out - round(b*b + 2*b*sqrt((b/2)^2 + h^2))| <= atol.
	EvalPlusOracleSurfaceArea = "surface_area"
	// EvalPlusOracleDigitDistance: Mbpp/558 digit_distance_nums; also
	// accept the digit distance computed after zero-padding both numbers
	// to the same length.
	EvalPlusOracleDigitDistance = "digit_distance"
)
