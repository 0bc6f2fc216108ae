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
