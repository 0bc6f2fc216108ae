package dataset

import (
	"bytes"
	"compress/zlib"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
)

// maxLCBTestsBytes bounds the decompressed private tests of one problem
// (the largest real ones are tens of MiB).
const maxLCBTestsBytes = 1 << 30

// LoadLiveCodeBench reads LiveCodeBench code_generation_lite JSONL files
// (test.jsonl, test2.jsonl, ...; fields question_title, question_content,
// platform, question_id, contest_id, contest_date, starter_code, difficulty,
// public_test_cases, private_test_cases, metadata), concatenated in the
// order given.
//
// public_test_cases is a JSON string of [{input, output, testtype}];
// private_test_cases is either the same or base64(zlib(pickle(json
// string))). stdin problems become ModeStdio with the "lines" checker
// (LiveCodeBench's comparison) and MetaStdioWrap; functional (LeetCode)
// problems become ModeClassMethod with EntryPoint = metadata.func_name and
// each Input the newline-separated JSON arguments turned into one JSON
// array. LiveCodeBench grades on public and private tests together, so
// PassNeedsPublic is set.
func LoadLiveCodeBench(paths ...string) (*Set, error) {
	if len(paths) == 0 {
		return nil, errors.New("livecodebench: no files given")
	}
	set := standardSet("livecodebench", true)
	b := newSetBuilder(paths[0], set)
	var shas []string
	for _, path := range paths {
		b.file = path
		src, err := openSource(path)
		if err != nil {
			return nil, err
		}
		err = src.eachLine(func(n int, line []byte) error {
			p, err := decodeLCBRow(line)
			if err != nil {
				return fmt.Errorf("%s:%d: %w", path, n, err)
			}
			return b.add(p, n)
		})
		if err == nil {
			var sha string
			sha, _, err = src.finish()
			shas = append(shas, sha)
		}
		src.Close()
		if err != nil {
			return nil, err
		}
	}
	set.Version = combinedVersion(shas)
	return b.finish()
}

// combinedVersion identifies data spread over several files.
func combinedVersion(shas []string) string {
	if len(shas) == 1 {
		return fileVersion(shas[0])
	}
	h := sha256.New()
	for _, s := range shas {
		io.WriteString(h, s+"\n")
	}
	return fileVersion(hex.EncodeToString(h.Sum(nil)))
}

// decodeLCBRow converts one code_generation_lite row.
func decodeLCBRow(line []byte) (*Problem, error) {
	v, err := parsePyJSON(line)
	if err != nil {
		return nil, err
	}
	if v.Kind != jObject {
		return nil, fmt.Errorf("row is a JSON %s, want an object", v.Kind)
	}
	id, err := v.stringField("question_id")
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(id) == "" {
		return nil, errors.New("empty question_id")
	}
	wrap := func(err error) error { return fmt.Errorf("question %s: %w", id, err) }
	content, err := v.stringField("question_content")
	if err != nil {
		return nil, wrap(err)
	}
	starter, err := v.optStringField("starter_code")
	if err != nil {
		return nil, wrap(err)
	}
	pubText, err := v.stringField("public_test_cases")
	if err != nil {
		return nil, wrap(err)
	}
	privText, err := v.optStringField("private_test_cases")
	if err != nil {
		return nil, wrap(err)
	}
	funcName := ""
	if metaText, _ := v.optStringField("metadata"); strings.TrimSpace(metaText) != "" {
		mv, err := parsePyJSON([]byte(metaText))
		if err != nil {
			return nil, wrap(fmt.Errorf("metadata: %w", err))
		}
		funcName, _ = mv.optStringField("func_name")
	}
	public, err := decodeLCBTests([]byte(pubText))
	if err != nil {
		return nil, wrap(fmt.Errorf("public_test_cases: %w", err))
	}
	privJSON, err := decodeLCBPrivate(privText)
	if err != nil {
		return nil, wrap(fmt.Errorf("private_test_cases: %w", err))
	}
	private, err := decodeLCBTests(privJSON)
	if err != nil {
		return nil, wrap(fmt.Errorf("private_test_cases: %w", err))
	}
	p := &Problem{
		ID:          id,
		Statement:   content,
		StarterCode: starter,
		Meta:        map[string]string{MetaPublicSource: PublicFromDataset},
	}
	for key, meta := range map[string]string{"question_title": MetaTitle, "platform": MetaPlatform, "contest_id": MetaContestID, "contest_date": MetaContestDate, "difficulty": MetaDifficulty} {
		if s, _ := v.optStringField(key); s != "" {
			p.Meta[meta] = s
		}
	}
	if err := p.setLCBTests(public, private, funcName); err != nil {
		return nil, wrap(err)
	}
	return p, nil
}

// lcbTest is one LiveCodeBench test before conversion.
type lcbTest struct {
	input, output, testtype string
}

// decodeLCBTests parses a JSON array of {input, output, testtype}.
func decodeLCBTests(data []byte) ([]lcbTest, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, nil
	}
	v, err := parsePyJSON(data)
	if err != nil {
		return nil, err
	}
	if v.Kind != jArray {
		return nil, fmt.Errorf("tests are a JSON %s, want an array", v.Kind)
	}
	out := make([]lcbTest, len(v.Items))
	for i := range v.Items {
		it := &v.Items[i]
		var t lcbTest
		if t.input, err = it.stringField("input"); err != nil {
			return nil, fmt.Errorf("test %d: %w", i, err)
		}
		if t.output, err = it.stringField("output"); err != nil {
			return nil, fmt.Errorf("test %d: %w", i, err)
		}
		if t.testtype, err = it.stringField("testtype"); err != nil {
			return nil, fmt.Errorf("test %d: %w", i, err)
		}
		out[i] = t
	}
	return out, nil
}

// decodeLCBPrivate returns the JSON text of private_test_cases, which is
// either JSON already or base64(zlib(pickle(str))).
func decodeLCBPrivate(text string) ([]byte, error) {
	t := strings.TrimSpace(text)
	if t == "" || t[0] == '[' {
		return []byte(t), nil
	}
	compressed, err := base64.StdEncoding.DecodeString(t)
	if err != nil {
		return nil, fmt.Errorf("neither JSON nor base64: %w", err)
	}
	zr, err := zlib.NewReader(bytes.NewReader(compressed))
	if err != nil {
		return nil, fmt.Errorf("zlib: %w", err)
	}
	defer zr.Close()
	pickled, err := io.ReadAll(io.LimitReader(zr, maxLCBTestsBytes+1))
	if err != nil {
		return nil, fmt.Errorf("zlib: %w", err)
	}
	if len(pickled) > maxLCBTestsBytes {
		return nil, fmt.Errorf("decompressed tests exceed %d bytes", maxLCBTestsBytes)
	}
	s, err := unpickleString(pickled)
	if err != nil {
		return nil, err
	}
	return []byte(s), nil
}

var lcbMethodRE = regexp.MustCompile(`def\s+([A-Za-z_][A-Za-z_0-9]*)\s*\(\s*self\b`)

// setLCBTests converts tests and sets the mode. funcName may be empty for
// functional problems; the starter code's first method is used then.
func (p *Problem) setLCBTests(public, private []lcbTest, funcName string) error {
	kinds := map[string]bool{}
	for _, t := range append(append([]lcbTest(nil), public...), private...) {
		kinds[t.testtype] = true
	}
	if len(kinds) > 1 {
		return errors.New("mixes stdin and functional tests")
	}
	convert := func(ts []lcbTest) ([]Test, error) {
		out := make([]Test, 0, len(ts))
		for i, t := range ts {
			switch t.testtype {
			case "stdin":
				out = append(out, Test{Input: t.input, Output: t.output})
			case "functional":
				args, err := lcbArgs(t.input)
				if err != nil {
					return nil, fmt.Errorf("test %d: %w", i, err)
				}
				expected := strings.TrimSpace(t.output)
				if _, err := parsePyJSON([]byte(expected)); err != nil {
					return nil, fmt.Errorf("test %d: output: %w", i, err)
				}
				out = append(out, Test{Input: args, Output: expected})
			default:
				return nil, fmt.Errorf("test %d: unknown testtype %q", i, t.testtype)
			}
		}
		return out, nil
	}
	var err error
	if p.Public, err = convert(public); err != nil {
		return fmt.Errorf("public: %w", err)
	}
	if p.Private, err = convert(private); err != nil {
		return fmt.Errorf("private: %w", err)
	}
	p.Judging.Grader = GraderLiveCodeBench
	switch {
	case kinds["functional"]:
		p.Mode = ModeClassMethod
		p.EntryPoint = funcName
		if p.EntryPoint == "" {
			if m := lcbMethodRE.FindStringSubmatch(p.StarterCode); m != nil {
				p.EntryPoint = m[1]
			}
		}
		if p.EntryPoint == "" {
			return errors.New("functional tests but no func_name in metadata or starter code")
		}
	default:
		p.Mode = ModeStdio
		p.Checker = CheckLines
	}
	return nil
}

// lcbArgs turns LiveCodeBench's newline-separated JSON arguments into one
// JSON array, keeping each argument's text.
func lcbArgs(input string) (string, error) {
	var args []string
	for i, line := range strings.Split(input, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if _, err := parsePyJSON([]byte(line)); err != nil {
			return "", fmt.Errorf("argument %d: %w", i+1, err)
		}
		args = append(args, line)
	}
	return "[" + strings.Join(args, ", ") + "]", nil
}
