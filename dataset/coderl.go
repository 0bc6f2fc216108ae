package dataset

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"

	"github.com/rlef/rlef/verdict"
)

// LoadCodeRLGraded reads the graded programs that salesforce/CodeRL ships
// next to APPS problems (gen_solutions.json in each problem directory: a
// list of {code, result, error_type}, graded by APPS's testing_util).
// dir is an APPS split directory or one problem directory; ProblemID is
// the problem directory name, as in LoadAPPSDir. result True means all
// tests passed, False a wrong answer, -1 a runtime error or timeout
// (error_type "timeoutexception"), -2 a compile (syntax) error.
// Directories without gen_solutions.json contribute nothing.
func LoadCodeRLGraded(dir string) ([]GradedSample, error) {
	dirs, err := appsProblemDirs(dir)
	if err != nil {
		return nil, err
	}
	var out []GradedSample
	for _, pd := range dirs {
		path := filepath.Join(pd, "gen_solutions.json")
		data, err := os.ReadFile(path)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if !isUTF8(data) {
			return nil, fmt.Errorf("%s: text is not valid UTF-8", path)
		}
		root, err := parsePyJSON(data)
		if err != nil {
			return nil, jsonErrorAt(path, data, err)
		}
		if root.Kind != jArray {
			return nil, fmt.Errorf("%s: top level is a JSON %s, want an array", path, root.Kind)
		}
		for i := range root.Items {
			s, err := decodeCodeRLSample(&root.Items[i])
			if err != nil {
				return nil, fmt.Errorf("%s:%d: %w", path, lineAt(data, offsetIn(data, root.Items[i].Raw)), err)
			}
			s.ProblemID = filepath.Base(pd)
			s.Index = i
			out = append(out, s)
		}
	}
	return out, nil
}

// decodeCodeRLSample converts one {code, result, error_type} object.
func decodeCodeRLSample(v *jValue) (GradedSample, error) {
	s := GradedSample{Language: "python"}
	if v.Kind != jObject {
		return s, fmt.Errorf("sample is a JSON %s, want an object", v.Kind)
	}
	var err error
	if s.Code, err = v.stringField("code"); err != nil {
		return s, err
	}
	s.Detail, _ = v.optStringField("error_type")
	res, ok := v.field("result")
	if !ok {
		return s, errors.New(`missing field "result"`)
	}
	switch res.Kind {
	case jBool:
		s.Passed = string(res.Raw) == "true"
		s.Verdict = verdict.WrongAnswer
		if s.Passed {
			s.Verdict = verdict.Accepted
		}
	case jNumber:
		n, err := strconv.Atoi(string(res.Raw))
		if err != nil {
			return s, fmt.Errorf("result %s is not an integer", res.Raw)
		}
		switch n {
		case -1:
			s.Verdict = verdict.RuntimeError
			if s.Detail == "timeoutexception" {
				s.Verdict = verdict.TimeLimit
			}
		case -2:
			s.Verdict = verdict.CompileError
		default:
			return s, fmt.Errorf("unknown result %d", n)
		}
	default:
		return s, fmt.Errorf("result is a JSON %s, want true, false, -1 or -2", res.Kind)
	}
	return s, nil
}
