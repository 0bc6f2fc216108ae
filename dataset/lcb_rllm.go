package dataset

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"

	"github.com/rlef/rlef/verdict"
)

// rllmLCBRow is one row of rllm's LiveCodeBench test file.
type rllmLCBRow struct {
	problem, starter string
	tests            []lcbTest
}

// readRLLMLCB reads rllm's LiveCodeBench file (a JSON array of {problem,
// starter_code, tests: [{input, output, testtype}]}).
func readRLLMLCB(path string) (rows []rllmLCBRow, lines []int, sha string, err error) {
	items, lines, sha, err := readJSONItems(path)
	if err != nil {
		return nil, nil, "", err
	}
	for i := range items {
		row, err := decodeRLLMLCBRow(&items[i])
		if err != nil {
			return nil, nil, "", fmt.Errorf("%s:%d: %w", path, lines[i], err)
		}
		rows = append(rows, row)
	}
	return rows, lines, sha, nil
}

func decodeRLLMLCBRow(v *jValue) (rllmLCBRow, error) {
	var row rllmLCBRow
	if v.Kind != jObject {
		return row, fmt.Errorf("row is a JSON %s, want an object", v.Kind)
	}
	var err error
	if row.problem, err = v.stringField("problem"); err != nil {
		return row, err
	}
	if row.starter, err = v.optStringField("starter_code"); err != nil {
		return row, err
	}
	tv, ok := v.field("tests")
	if !ok {
		return row, fmt.Errorf("missing field %q", "tests")
	}
	if row.tests, err = decodeLCBTests(tv.Raw); err != nil {
		return row, fmt.Errorf("tests: %w", err)
	}
	return row, nil
}

// LoadLiveCodeBenchRLLM reads rllm's copy of LiveCodeBench
// (rllm/data/test/code/livecodebench.json: 879 problems with their public
// tests only). Problems get ids "lcb_NNN" by position (the file has no
// question ids) and no private tests; see LoadLiveCodeBench for the mode
// mapping. Use LoadLCBSubmissions to join them with official results.
func LoadLiveCodeBenchRLLM(path string) (*Set, error) {
	rows, lines, sha, err := readRLLMLCB(path)
	if err != nil {
		return nil, err
	}
	b := newSetBuilder(path, standardSet("livecodebench", true))
	b.set.Version = fileVersion(sha)
	for i, row := range rows {
		p := &Problem{
			ID:          fmt.Sprintf("lcb_%03d", i),
			Statement:   row.problem,
			StarterCode: row.starter,
			Meta:        map[string]string{MetaPublicSource: PublicFromDataset},
		}
		if err := p.setLCBTests(row.tests, nil, ""); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, lines[i], err)
		}
		if err := b.add(p, lines[i]); err != nil {
			return nil, err
		}
	}
	return b.finish()
}

// lcbSubmission is one problem of a LiveCodeBench submissions file.
type lcbSubmission struct {
	QuestionTitle   string   `json:"question_title"`
	QuestionContent string   `json:"question_content"`
	Platform        string   `json:"platform"`
	QuestionID      string   `json:"question_id"`
	ContestID       string   `json:"contest_id"`
	ContestDate     string   `json:"contest_date"`
	StarterCode     string   `json:"starter_code"`
	Difficulty      string   `json:"difficulty"`
	CodeList        []string `json:"code_list"`
	GradedList      []bool   `json:"graded_list"`
	Metadata        []string `json:"metadata"`
}

// LoadLCBSubmissions reads an official LiveCodeBench leaderboard file
// (LiveCodeBench/submissions, "*_eval_all.json": problems with code_list,
// graded_list and per-sample metadata) and joins it with rllm's
// LiveCodeBench file (rllmPath) on the question text to give every problem
// its public tests. The submissions file has no tests of its own and the
// official verdicts also used private tests, so a program can fail
// officially while passing every public test.
//
// The returned Set holds the joined problems (ids are question_ids); every
// sample of the file is returned, and problems with samples but no match
// in the rllm file are listed in Unmatched.
func LoadLCBSubmissions(submissionsPath, rllmPath string) (*GradedSet, error) {
	data, err := os.ReadFile(submissionsPath)
	if err != nil {
		return nil, err
	}
	var subs []lcbSubmission
	if err := json.Unmarshal(data, &subs); err != nil {
		return nil, fmt.Errorf("%s: %w", submissionsPath, err)
	}
	rows, _, sha, err := readRLLMLCB(rllmPath)
	if err != nil {
		return nil, err
	}
	byText := make(map[string]rllmLCBRow, len(rows))
	for _, r := range rows {
		byText[r.problem] = r
	}
	b := newSetBuilder(submissionsPath, standardSet("livecodebench", true))
	b.set.Version = fileVersion(sha)
	out := &GradedSet{Set: b.set}
	for i, s := range subs {
		where := fmt.Sprintf("%s: problem %d (%s)", submissionsPath, i, s.QuestionID)
		if s.QuestionID == "" {
			return nil, fmt.Errorf("%s: no question_id", where)
		}
		if len(s.CodeList) != len(s.GradedList) {
			return nil, fmt.Errorf("%s: %d programs but %d grades", where, len(s.CodeList), len(s.GradedList))
		}
		for j, code := range s.CodeList {
			sample := GradedSample{ProblemID: s.QuestionID, Index: j, Language: "python", Code: code, Passed: s.GradedList[j]}
			if j < len(s.Metadata) {
				sample.Detail = s.Metadata[j]
			}
			sample.Verdict = lcbVerdict(sample.Passed, sample.Detail)
			out.Samples = append(out.Samples, sample)
		}
		row, ok := byText[s.QuestionContent]
		if !ok {
			out.Unmatched = append(out.Unmatched, s.QuestionID)
			continue
		}
		p := &Problem{
			ID:          s.QuestionID,
			Statement:   s.QuestionContent,
			StarterCode: s.StarterCode,
			Meta: map[string]string{
				MetaPublicSource: PublicFromDataset,
				MetaTitle:        s.QuestionTitle,
				MetaPlatform:     s.Platform,
				MetaContestID:    s.ContestID,
				MetaContestDate:  s.ContestDate,
				MetaDifficulty:   s.Difficulty,
			},
		}
		if err := p.setLCBTests(row.tests, nil, ""); err != nil {
			return nil, fmt.Errorf("%s: %w", where, err)
		}
		if err := b.addAt(p, where); err != nil {
			return nil, err
		}
	}
	if _, err := b.finish(); err != nil {
		return nil, err
	}
	return out, nil
}

// lcbVerdict maps LiveCodeBench's outcome (graded flag plus the metadata
// error_code: -1 compile error, -2 wrong answer, -3 time limit, -4 runtime
// error, -5 test runner error) onto rlef's verdicts.
func lcbVerdict(passed bool, metadata string) verdict.Verdict {
	if passed {
		return verdict.Accepted
	}
	var m struct {
		ErrorCode json.Number `json:"error_code"`
	}
	_ = json.Unmarshal([]byte(metadata), &m)
	code, _ := strconv.Atoi(m.ErrorCode.String())
	switch code {
	case -1:
		return verdict.CompileError
	case -3:
		return verdict.TimeLimit
	case -4:
		return verdict.RuntimeError
	case -5:
		return verdict.SandboxError
	}
	return verdict.WrongAnswer
}
