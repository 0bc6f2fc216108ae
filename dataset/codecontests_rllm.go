package dataset

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// rllm (DeepCoder) converted the CodeContests test split into objects
// {"problem": description + limits trailer, "tests": {"inputs": [...],
// "outputs": [...]}} with public and private tests merged into one list and
// the names dropped. The trailer reads
//
//	Time Limit: {'seconds': 2, 'nanos': 0}
//	Memory Limit: 512000000 Bytes

var (
	rllmTimeRE   = regexp.MustCompile(`(?m)^Time Limit:\s*\{'seconds':\s*(\d+),\s*'nanos':\s*(\d+)\}\s*$`)
	rllmMemoryRE = regexp.MustCompile(`(?m)^Memory Limit:\s*(\d+)\s*Bytes\s*$`)
	rllmTrailRE  = regexp.MustCompile(`(?m)^Time Limit:`)
)

// isRLLMCodeContests reports whether v looks like an rllm CodeContests row.
func isRLLMCodeContests(v *jValue) bool {
	if v.Kind != jObject {
		return false
	}
	_, hasProblem := v.field("problem")
	tests, hasTests := v.field("tests")
	if !hasProblem || !hasTests || tests.Kind != jObject {
		return false
	}
	_, hasInputs := tests.field("inputs")
	return hasInputs
}

// LoadCodeContestsRLLM reads rllm's CodeContests conversion
// (rllm/data/test/code/code_contests.json, 165 problems in test-split
// order). Public tests are recovered by extracting the examples from each
// statement and matching them against the merged test list (whitespace
// normalised); the remaining tests are Private. Time and memory limits are
// parsed from the statement's trailer, which is then removed from the
// Statement. Problem ids are "cc_test_NNN" by position, since rllm dropped
// the names.
func LoadCodeContestsRLLM(path string) (*Set, error) {
	items, lines, sha, err := readJSONItems(path)
	if err != nil {
		return nil, err
	}
	if len(items) == 0 || !isRLLMCodeContests(&items[0]) {
		return nil, fmt.Errorf("%s: not rllm's CodeContests conversion (objects with \"problem\" and \"tests\")", path)
	}
	return loadCodeContestsRLLMItems(path, sha, items, lines)
}

func loadCodeContestsRLLMItems(path, sha string, items []jValue, lines []int) (*Set, error) {
	b := newSetBuilder(path, standardSet("codecontests", false))
	b.set.Version = fileVersion(sha)
	for i := range items {
		p, err := decodeCodeContestsRLLM(&items[i], i)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, lines[i], err)
		}
		if err := b.add(p, lines[i]); err != nil {
			return nil, err
		}
	}
	return b.finish()
}

// decodeCodeContestsRLLM converts one rllm row; index gives the id.
func decodeCodeContestsRLLM(v *jValue, index int) (*Problem, error) {
	if !isRLLMCodeContests(v) {
		return nil, fmt.Errorf("row is not an object with \"problem\" and \"tests\"")
	}
	text, err := v.stringField("problem")
	if err != nil {
		return nil, err
	}
	testsV, _ := v.field("tests")
	inputs, err := stringList(testsV, "inputs")
	if err != nil {
		return nil, fmt.Errorf("tests: %w", err)
	}
	outputs, err := stringList(testsV, "outputs")
	if err != nil {
		return nil, fmt.Errorf("tests: %w", err)
	}
	tests, err := pairTests(inputs, outputs, "tests")
	if err != nil {
		return nil, err
	}
	statement, limit, memory, err := splitRLLMTrailer(text)
	if err != nil {
		return nil, err
	}
	p := &Problem{
		ID:          fmt.Sprintf("cc_test_%03d", index),
		Statement:   statement,
		Mode:        ModeStdio,
		Checker:     CheckTokens,
		TimeLimit:   limit,
		MemoryLimit: memory,
		Meta:        map[string]string{},
	}
	p.Public, p.Private = MatchExamples(ExtractExamples(statement), tests)
	switch {
	case len(p.Public) > 0:
		p.Meta[MetaPublicSource] = PublicFromStatement
	case len(p.Private) > 0:
		// No example matched: feedback needs something, so use the first
		// test, as the statement examples are normally listed first.
		p.Public, p.Private = p.Private[:1], p.Private[1:]
		p.Meta[MetaPublicSource] = PublicFirstTest
	default:
		p.Meta[MetaPublicSource] = PublicNone
	}
	return p, nil
}

// splitRLLMTrailer separates the description from rllm's limits trailer.
func splitRLLMTrailer(text string) (statement string, limit time.Duration, memory int64, err error) {
	statement = text
	if loc := rllmTrailRE.FindStringIndex(text); loc != nil {
		statement = text[:loc[0]]
	}
	statement = strings.TrimSpace(statement)
	if m := rllmTimeRE.FindStringSubmatch(text); m != nil {
		secs, err1 := strconv.ParseInt(m[1], 10, 64)
		nanos, err2 := strconv.ParseInt(m[2], 10, 64)
		if err1 != nil || err2 != nil || secs > 1<<20 {
			return "", 0, 0, fmt.Errorf("bad time limit %q", m[0])
		}
		limit = time.Duration(secs)*time.Second + time.Duration(nanos)
	}
	if m := rllmMemoryRE.FindStringSubmatch(text); m != nil {
		if memory, err = strconv.ParseInt(m[1], 10, 64); err != nil {
			return "", 0, 0, fmt.Errorf("bad memory limit %q", m[0])
		}
	}
	return statement, limit, memory, nil
}
