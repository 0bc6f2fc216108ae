package dataset

import "github.com/rlef/rlef/verdict"

// GradedSample is a program with the verdict an official harness gave it.
// Agreement tests run such programs through rlef's judge and compare.
type GradedSample struct {
	// ProblemID is the id of the problem in the accompanying Set.
	ProblemID string `json:"problem_id"`
	// Index is the sample's position among the problem's samples.
	Index int `json:"index"`
	// Language is "python" (all current sources).
	Language string `json:"language"`
	Code     string `json:"code"`
	// Passed is the official pass/fail.
	Passed bool `json:"passed"`
	// Verdict maps the official outcome onto rlef's vocabulary as closely
	// as the source allows (sources lump some outcomes together: CodeRL's
	// -1 covers runtime errors and timeouts, told apart only by Detail).
	Verdict verdict.Verdict `json:"verdict"`
	// Detail is the source's own outcome record: LiveCodeBench's metadata
	// JSON, CodeRL's error_type.
	Detail string `json:"detail,omitempty"`
}

// GradedSet is a problem set with official verdicts for sample programs.
type GradedSet struct {
	Set     *Set           `json:"set"`
	Samples []GradedSample `json:"samples"`
	// Unmatched lists ids of problems that have samples but could not be
	// given tests (and so are not in Set).
	Unmatched []string `json:"unmatched,omitempty"`
}
