package dataset

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// ccLanguage names a CodeContests language enum value
// (deepmind/code_contests Problem.Solution.Language).
func ccLanguage(code int64) string {
	switch code {
	case 1:
		return "python2"
	case 2:
		return "cpp"
	case 3:
		return "python"
	case 4:
		return "java"
	}
	return "unknown"
}

// ccLanguageRank orders solutions so Solutions[0] is one the judge can run
// (Python 3, then C++).
func ccLanguageRank(lang string) int {
	switch lang {
	case "python":
		return 0
	case "cpp":
		return 1
	case "python2":
		return 2
	case "java":
		return 3
	}
	return 4
}

// ccRow is one CodeContests problem in the canonical schema, whatever file
// format it came from.
type ccRow struct {
	Name, Description           string
	Public, Private, Generated  []Test
	Solutions, Incorrect        []Solution
	Source, Difficulty          int64
	CFContestID, CFRating       int64
	CFIndex                     string
	CFTags                      []string
	TimeLimit                   time.Duration
	MemoryLimit                 int64
	InputFile, OutputFile       string
	HasSource, HasCF, HasRating bool
}

var ccNameIDRE = regexp.MustCompile(`^([0-9]+_[A-Za-z][A-Za-z0-9]*)\. `)

// ccID derives a problem id from a CodeContests name: "1575_A. Another
// Sorting Problem" becomes "1575_A"; names without that prefix are used
// whole.
func ccID(name string) string {
	if m := ccNameIDRE.FindStringSubmatch(name); m != nil {
		return m[1]
	}
	return strings.TrimSpace(name)
}

// problem converts the row.
func (r *ccRow) problem() *Problem {
	p := &Problem{
		ID:          ccID(r.Name),
		Statement:   r.Description,
		Mode:        ModeStdio,
		Checker:     CheckTokens,
		Public:      r.Public,
		Private:     r.Private,
		Generated:   r.Generated,
		TimeLimit:   r.TimeLimit,
		MemoryLimit: r.MemoryLimit,
		Solutions:   r.Solutions,
		Incorrect:   r.Incorrect,
		Meta:        map[string]string{MetaTitle: r.Name, MetaPublicSource: PublicFromDataset},
	}
	if r.HasSource {
		p.Meta[MetaCodeContestsSource] = strconv.FormatInt(r.Source, 10)
		p.Meta[MetaDifficulty] = strconv.FormatInt(r.Difficulty, 10)
	}
	if r.HasRating && r.CFRating > 0 {
		p.Meta[MetaCFRating] = strconv.FormatInt(r.CFRating, 10)
	}
	if len(r.CFTags) > 0 {
		js, _ := json.Marshal(r.CFTags)
		p.Meta[MetaCFTags] = string(js)
	}
	if r.HasCF && r.CFContestID > 0 && r.CFIndex != "" {
		p.Meta[MetaURL] = fmt.Sprintf("https://codeforces.com/problemset/problem/%d/%s", r.CFContestID, r.CFIndex)
	}
	if r.InputFile != "" {
		p.Judging.InputFile = r.InputFile
	}
	if r.OutputFile != "" {
		p.Judging.OutputFile = r.OutputFile
	}
	return p
}

// ccSolutions pairs language codes with programs, ordered by how easy they
// are to run.
func ccSolutions(langs []int64, codes []string, what string) ([]Solution, error) {
	if len(langs) != len(codes) {
		return nil, fmt.Errorf("%s: %d languages but %d programs", what, len(langs), len(codes))
	}
	out := make([]Solution, len(codes))
	for i, code := range codes {
		out[i] = Solution{Language: ccLanguage(langs[i]), Code: code}
	}
	sort.SliceStable(out, func(i, j int) bool {
		return ccLanguageRank(out[i].Language) < ccLanguageRank(out[j].Language)
	})
	return out, nil
}

// pairTests zips inputs and outputs.
func pairTests(inputs, outputs []string, what string) ([]Test, error) {
	if len(inputs) != len(outputs) {
		return nil, fmt.Errorf("%s: %d inputs but %d outputs", what, len(inputs), len(outputs))
	}
	if len(inputs) == 0 {
		return nil, nil
	}
	out := make([]Test, len(inputs))
	for i := range inputs {
		out[i] = Test{Input: inputs[i], Output: outputs[i]}
	}
	return out, nil
}

// LoadCodeContests reads CodeContests problems in the canonical schema
// (name, description, public_tests/private_tests/generated_tests as
// {input: [...], output: [...]}, solutions/incorrect_solutions as
// {language: [...], solution: [...]}, time_limit {seconds, nanos},
// memory_limit_bytes, ...) from a published parquet file, a JSON file (one
// object or an array) or a JSONL file. It also recognises rllm's converted
// test file (objects with "problem" and "tests") and hands it to
// LoadCodeContestsRLLM.
//
// Problems are ModeStdio with the tokens checker. Private alone decides the
// verdict (PassNeedsPublic false), with generated tests judged together
// with it, as RLEF scores CodeContests. Problems without any test are
// skipped (the train split has some). Names are not unique across sources
// in the train split; a repeated id gets "~<row>" appended.
func LoadCodeContests(path string) (*Set, error) {
	if strings.EqualFold(filepath.Ext(path), ".parquet") {
		return loadCodeContestsParquet(path)
	}
	items, lines, sha, err := readJSONItems(path)
	if err != nil {
		return nil, err
	}
	if len(items) > 0 && isRLLMCodeContests(&items[0]) {
		return loadCodeContestsRLLMItems(path, sha, items, lines)
	}
	b := newSetBuilder(path, standardSet("codecontests", false))
	b.set.Version = fileVersion(sha)
	skipped := 0
	for i := range items {
		row, err := decodeCodeContestsJSON(&items[i])
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, lines[i], err)
		}
		if err := addCodeContestsRow(b, row, fmt.Sprintf("%s:%d", path, lines[i]), i, &skipped); err != nil {
			return nil, err
		}
	}
	logSkipped(path, skipped)
	return b.finish()
}

// isJSONL tells a JSONL file from a pretty-printed single object: JSONL
// has a second top-level value after the first line.
func isJSONL(data []byte) bool {
	first, rest, ok := bytes.Cut(data, []byte{'\n'})
	if !ok {
		return false
	}
	if _, err := parsePyJSON(first); err != nil {
		return false
	}
	return len(bytes.TrimSpace(rest)) > 0
}

// readJSONItems reads a JSON document (one value, or an array of values)
// or a JSONL file and returns the values with the line each starts on,
// plus the file's sha256.
func readJSONItems(path string) (items []jValue, lines []int, sha string, err error) {
	src, err := openSource(path)
	if err != nil {
		return nil, nil, "", err
	}
	defer src.Close()
	data, err := src.readAll()
	if err != nil {
		return nil, nil, "", err
	}
	if sha, _, err = src.finish(); err != nil {
		return nil, nil, "", err
	}
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) > 0 && (trimmed[0] == '[' || (trimmed[0] == '{' && !isJSONL(trimmed))) {
		root, err := parsePyJSON(data)
		if err != nil {
			return nil, nil, "", jsonErrorAt(path, data, err)
		}
		if root.Kind == jArray {
			items = root.Items
		} else {
			items = []jValue{root}
		}
		for _, it := range items {
			lines = append(lines, lineAt(data, offsetIn(data, it.Raw)))
		}
		return items, lines, sha, nil
	}
	n := 0
	for _, line := range bytes.Split(data, []byte{'\n'}) {
		n++
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		v, err := parsePyJSON(line)
		if err != nil {
			return nil, nil, "", fmt.Errorf("%s:%d: %w", path, n, err)
		}
		items = append(items, v)
		lines = append(lines, n)
	}
	return items, lines, sha, nil
}

func logSkipped(path string, skipped int) {
	if skipped > 0 {
		slog.Warn("skipped CodeContests problems without any test", "file", path, "count", skipped)
	}
}

// addCodeContestsRow adds one row, skipping test-less problems and making
// repeated ids unique.
func addCodeContestsRow(b *setBuilder, row *ccRow, where string, index int, skipped *int) error {
	p := row.problem()
	if len(p.Public)+len(p.Private)+len(p.Generated) == 0 {
		*skipped++
		return nil
	}
	if p.ID == "" {
		return fmt.Errorf("%s: problem has no name", where)
	}
	if _, dup := b.seen[p.ID]; dup {
		p.ID = fmt.Sprintf("%s~%d", p.ID, index)
	}
	return b.addAt(p, where)
}

// decodeCodeContestsJSON converts one canonical-schema JSON object.
func decodeCodeContestsJSON(v *jValue) (*ccRow, error) {
	if v.Kind != jObject {
		return nil, fmt.Errorf("problem is a JSON %s, want an object", v.Kind)
	}
	r := &ccRow{}
	var err error
	if r.Name, err = v.stringField("name"); err != nil {
		return nil, err
	}
	wrap := func(err error) error { return fmt.Errorf("problem %q: %w", r.Name, err) }
	if r.Description, err = v.stringField("description"); err != nil {
		return nil, wrap(err)
	}
	for _, s := range []struct {
		key string
		dst *[]Test
	}{{"public_tests", &r.Public}, {"private_tests", &r.Private}, {"generated_tests", &r.Generated}} {
		f, ok := v.field(s.key)
		if !ok || f.Kind == jNull {
			continue
		}
		in, err := stringList(f, "input")
		if err != nil {
			return nil, wrap(fmt.Errorf("%s: %w", s.key, err))
		}
		out, err := stringList(f, "output")
		if err != nil {
			return nil, wrap(fmt.Errorf("%s: %w", s.key, err))
		}
		if *s.dst, err = pairTests(in, out, s.key); err != nil {
			return nil, wrap(err)
		}
	}
	for _, s := range []struct {
		key string
		dst *[]Solution
	}{{"solutions", &r.Solutions}, {"incorrect_solutions", &r.Incorrect}} {
		f, ok := v.field(s.key)
		if !ok || f.Kind == jNull {
			continue
		}
		langs, err := intList(f, "language")
		if err != nil {
			return nil, wrap(fmt.Errorf("%s: %w", s.key, err))
		}
		codes, err := stringList(f, "solution")
		if err != nil {
			return nil, wrap(fmt.Errorf("%s: %w", s.key, err))
		}
		if *s.dst, err = ccSolutions(langs, codes, s.key); err != nil {
			return nil, wrap(err)
		}
	}
	if tl, ok := v.field("time_limit"); ok && tl.Kind == jObject {
		secs, _ := optInt(tl, "seconds")
		nanos, _ := optInt(tl, "nanos")
		r.TimeLimit = time.Duration(secs)*time.Second + time.Duration(nanos)
	}
	if r.MemoryLimit, err = optInt(v, "memory_limit_bytes"); err != nil {
		return nil, wrap(err)
	}
	if _, ok := v.field("source"); ok {
		r.HasSource = true
		r.Source, _ = optInt(v, "source")
		r.Difficulty, _ = optInt(v, "difficulty")
	}
	if _, ok := v.field("cf_contest_id"); ok {
		r.HasCF = true
		r.CFContestID, _ = optInt(v, "cf_contest_id")
		r.CFIndex, _ = v.optStringField("cf_index")
	}
	if _, ok := v.field("cf_rating"); ok {
		r.HasRating = true
		r.CFRating, _ = optInt(v, "cf_rating")
	}
	r.CFTags, _ = stringList(v, "cf_tags")
	r.InputFile, _ = v.optStringField("input_file")
	r.OutputFile, _ = v.optStringField("output_file")
	return r, nil
}

// intList returns a required array-of-integers field.
func intList(v *jValue, key string) ([]int64, error) {
	f, ok := v.field(key)
	if !ok {
		return nil, fmt.Errorf("missing field %q", key)
	}
	if f.Kind == jNull {
		return nil, nil
	}
	if f.Kind != jArray {
		return nil, fmt.Errorf("field %q is a %s, want an array of integers", key, f.Kind)
	}
	out := make([]int64, len(f.Items))
	for i, it := range f.Items {
		n, err := strconv.ParseInt(string(it.Raw), 10, 64)
		if it.Kind != jNumber || err != nil {
			return nil, fmt.Errorf("%s[%d] is not an integer", key, i)
		}
		out[i] = n
	}
	return out, nil
}

// optInt returns an integer field, 0 when absent or null.
func optInt(v *jValue, key string) (int64, error) {
	f, ok := v.field(key)
	if !ok || f.Kind == jNull {
		return 0, nil
	}
	if f.Kind != jNumber {
		return 0, fmt.Errorf("field %q is a %s, want an integer", key, f.Kind)
	}
	n, err := strconv.ParseInt(string(f.Raw), 10, 64)
	if err != nil {
		fl, ferr := strconv.ParseFloat(string(f.Raw), 64)
		if ferr != nil || fl != float64(int64(fl)) {
			return 0, fmt.Errorf("field %q: %s is not an integer", key, f.Raw)
		}
		n = int64(fl)
	}
	return n, nil
}
