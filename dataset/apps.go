package dataset

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// APPS (hendrycks/apps, HF codeparrot/apps) and TACO (HF BAAI/TACO) share
// one problem layout: a question, a JSON test object {"inputs": [...],
// "outputs": [...], "fn_name"?}, a JSON list of reference programs and an
// optional starter code.
//
// Mapping:
//   - with fn_name the problem is call-based: ModeFunction (ModeClassMethod
//     when the starter code defines class Solution, as APPS's harness then
//     calls Solution().fn_name), each Input the JSON argument list and each
//     Output the expected value as JSON (Judging.Grader APPS selects APPS's
//     lenient list comparison);
//   - otherwise ModeStdio with the tokens checker; inputs/outputs given as
//     lists of lines are joined with newlines. APPS's harness runs such
//     programs wrapped in a function, recorded as Judging.Grader.
//
// Neither source separates public tests. For stdio problems the statement's
// examples are matched against the tests (PublicFromStatement); otherwise
// the first test is public (PublicFirstTest). PassNeedsPublic is set: a
// sample must pass every test, APPS's "strict accuracy".

// appsRecord is one problem before conversion.
type appsRecord struct {
	id, question, starter, inputOutput, solutions string
	meta                                          map[string]string
	timeLimit                                     time.Duration
	memoryLimit                                   int64
}

// problem converts the record; ok is false when it has no tests.
func (r *appsRecord) problem() (p *Problem, ok bool, err error) {
	p = &Problem{ID: r.id, Statement: r.question, StarterCode: r.starter, TimeLimit: r.timeLimit, MemoryLimit: r.memoryLimit, Meta: r.meta}
	if p.Meta == nil {
		p.Meta = map[string]string{}
	}
	if p.Solutions, err = appsSolutions(r.solutions); err != nil {
		return nil, false, err
	}
	tests, err := p.appsTests(r)
	if err != nil || len(tests) == 0 {
		return nil, false, err
	}
	if p.Mode == ModeStdio {
		p.Public, p.Private = MatchExamples(ExtractExamples(r.question), tests)
	} else {
		p.Private = tests
	}
	if len(p.Public) > 0 {
		p.Meta[MetaPublicSource] = PublicFromStatement
	} else {
		p.Public, p.Private = p.Private[:1], p.Private[1:]
		p.Meta[MetaPublicSource] = PublicFirstTest
	}
	return p, true, nil
}

// appsSolutions decodes the solutions field, a JSON list of programs.
func appsSolutions(field string) ([]Solution, error) {
	if strings.TrimSpace(field) == "" {
		return nil, nil
	}
	v, err := parsePyJSON([]byte(field))
	if err != nil {
		return nil, fmt.Errorf("solutions: %w", err)
	}
	if v.Kind != jArray {
		return nil, nil
	}
	var out []Solution
	for i, it := range v.Items {
		if it.Kind != jString {
			return nil, fmt.Errorf("solutions[%d] is a %s, want a string", i, it.Kind)
		}
		out = append(out, Solution{Language: "python", Code: it.Str})
	}
	return out, nil
}

// appsTests decodes the input_output field and sets the problem's mode
// from it: call-based (fn_name given) or stdin/stdout.
func (p *Problem) appsTests(r *appsRecord) ([]Test, error) {
	if strings.TrimSpace(r.inputOutput) == "" {
		return nil, nil
	}
	io, err := parsePyJSON([]byte(r.inputOutput))
	if err != nil {
		return nil, fmt.Errorf("input_output: %w", err)
	}
	if io.Kind != jObject {
		return nil, fmt.Errorf("input_output is a JSON %s, want an object", io.Kind)
	}
	ins, hasIn := io.field("inputs")
	outs, hasOut := io.field("outputs")
	if !hasIn || !hasOut || ins.Kind != jArray || outs.Kind != jArray {
		return nil, errors.New("input_output needs arrays \"inputs\" and \"outputs\"")
	}
	if len(ins.Items) != len(outs.Items) {
		return nil, fmt.Errorf("input_output: %d inputs but %d outputs", len(ins.Items), len(outs.Items))
	}
	if len(ins.Items) == 0 {
		return nil, nil
	}
	p.Judging.Grader = GraderAPPS
	fn, _ := io.optStringField("fn_name")
	if fn == "" {
		p.Mode = ModeStdio
		p.Checker = CheckTokens
		return appsStdioTests(ins.Items, outs.Items)
	}
	p.EntryPoint = fn
	p.Mode = ModeFunction
	if strings.Contains(r.starter, "class Solution") {
		p.Mode = ModeClassMethod
	}
	var tests []Test
	for i := range ins.Items {
		in := string(ins.Items[i].Raw)
		if ins.Items[i].Kind != jArray {
			in = "[" + in + "]"
		}
		tests = append(tests, Test{Input: in, Output: string(outs.Items[i].Raw)})
	}
	return tests, nil
}

// appsStdioTests pairs the texts of stdin/stdout tests.
func appsStdioTests(ins, outs []jValue) ([]Test, error) {
	var tests []Test
	for i := range ins {
		in, err := appsText(&ins[i])
		if err != nil {
			return nil, fmt.Errorf("inputs[%d]: %w", i, err)
		}
		out, err := appsText(&outs[i])
		if err != nil {
			return nil, fmt.Errorf("outputs[%d]: %w", i, err)
		}
		tests = append(tests, Test{Input: in, Output: out})
	}
	return tests, nil
}

// appsText returns a stdio test text given as a string or a list of lines.
func appsText(v *jValue) (string, error) {
	switch v.Kind {
	case jString:
		return v.Str, nil
	case jArray:
		lines := make([]string, len(v.Items))
		for i, it := range v.Items {
			if it.Kind != jString {
				lines[i] = string(it.Raw)
				continue
			}
			lines[i] = it.Str
		}
		return strings.Join(lines, "\n"), nil
	case jNumber:
		return string(v.Raw), nil
	}
	return "", fmt.Errorf("is a JSON %s, want a string", v.Kind)
}

// LoadAPPSDir reads the original APPS per-problem directory layout: dir is
// a split directory holding one directory per problem (0000, 0001, ...,
// each with question.txt, input_output.json, solutions.json, optional
// starter_code.py and metadata.json), or one such problem directory. Ids
// are the problem directory names. Problems without tests are skipped.
func LoadAPPSDir(dir, name string) (*Set, error) {
	problemDirs, err := appsProblemDirs(dir)
	if err != nil {
		return nil, err
	}
	b := newSetBuilder(dir, standardSet(name, true))
	skipped := 0
	for _, pd := range problemDirs {
		rec, err := readAPPSProblemDir(pd)
		if err != nil {
			return nil, err
		}
		p, ok, err := rec.problem()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", filepath.Join(pd, "input_output.json"), err)
		}
		if !ok {
			skipped++
			continue
		}
		p.Meta[MetaSourceFile] = filepath.Base(pd)
		if err := b.addAt(p, pd); err != nil {
			return nil, err
		}
	}
	if skipped > 0 {
		slog.Warn("skipped APPS problems without tests", "dir", dir, "count", skipped)
	}
	b.set.Version = "dir:" + filepath.Base(dir)
	return b.finish()
}

// appsProblemDirs lists problem directories, sorted.
func appsProblemDirs(dir string) ([]string, error) {
	if _, err := os.Stat(filepath.Join(dir, "question.txt")); err == nil {
		return []string{dir}, nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		if _, err := os.Stat(filepath.Join(dir, e.Name(), "question.txt")); err == nil {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no APPS problem directories (with question.txt) found", dir)
	}
	sort.Strings(out)
	return out, nil
}

// readAPPSProblemDir reads one problem directory.
func readAPPSProblemDir(pd string) (*appsRecord, error) {
	read := func(name string, required bool) (string, error) {
		data, err := os.ReadFile(filepath.Join(pd, name))
		if errors.Is(err, fs.ErrNotExist) && !required {
			return "", nil
		}
		if err != nil {
			return "", err
		}
		if !isUTF8(data) {
			return "", fmt.Errorf("%s: text is not valid UTF-8", filepath.Join(pd, name))
		}
		return string(data), nil
	}
	rec := &appsRecord{id: filepath.Base(pd), meta: map[string]string{}}
	var err error
	if rec.question, err = read("question.txt", true); err != nil {
		return nil, err
	}
	if rec.inputOutput, err = read("input_output.json", false); err != nil {
		return nil, err
	}
	if rec.solutions, err = read("solutions.json", false); err != nil {
		return nil, err
	}
	if rec.starter, err = read("starter_code.py", false); err != nil {
		return nil, err
	}
	metaText, err := read("metadata.json", false)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(metaText) != "" {
		mv, err := parsePyJSON([]byte(metaText))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", filepath.Join(pd, "metadata.json"), err)
		}
		if d, _ := mv.optStringField("difficulty"); d != "" {
			rec.meta[MetaDifficulty] = d
		}
		if u, _ := mv.optStringField("url"); u != "" {
			rec.meta[MetaURL] = u
		}
	}
	return rec, nil
}

// LoadAPPSRows reads APPS or TACO problems as rows: a HuggingFace JSONL
// file (APPS: problem_id, question, solutions, input_output, difficulty,
// url, starter_code; TACO: the same minus problem_id, plus time_limit,
// memory_limit, source, tags, ...) or TACO's parquet file. name is "apps"
// or "taco". Ids are problem_id zero-padded to four digits (APPS), or the
// row index (TACO, matching the idx of TACO's output_spj.jsonl).
func LoadAPPSRows(path, name string) (*Set, error) {
	b := newSetBuilder(path, standardSet(name, true))
	skipped := 0
	add := func(rec *appsRecord, where string) error {
		p, ok, err := rec.problem()
		if err != nil {
			return fmt.Errorf("%s: problem %s: %w", where, rec.id, err)
		}
		if !ok {
			skipped++
			return nil
		}
		return b.addAt(p, where)
	}
	if strings.EqualFold(filepath.Ext(path), ".parquet") {
		sha, err := fileSHA256(path)
		if err != nil {
			return nil, err
		}
		b.set.Version = fileVersion(sha)
		t, err := openParquet(path)
		if err != nil {
			return nil, err
		}
		defer t.Close()
		if !t.has("question") || !t.has("input_output") {
			return nil, fmt.Errorf("%s: not an APPS/TACO parquet file: needs columns question and input_output", path)
		}
		err = t.each(func(i int, r pqRow) error {
			rec := appsRecordFromColumns(i, func(k string) string { s, _ := r.str(k); return s })
			return add(rec, fmt.Sprintf("%s: row %d", path, i))
		})
		if err != nil {
			return nil, err
		}
	} else {
		src, err := openSource(path)
		if err != nil {
			return nil, err
		}
		defer src.Close()
		index := 0
		err = src.eachLine(func(n int, line []byte) error {
			v, err := parsePyJSON(line)
			if err != nil {
				return fmt.Errorf("%s:%d: %w", path, n, err)
			}
			if v.Kind != jObject {
				return fmt.Errorf("%s:%d: row is a JSON %s, want an object", path, n, v.Kind)
			}
			rec, err := appsRecordFromJSON(&v, index)
			index++
			if err != nil {
				return fmt.Errorf("%s:%d: %w", path, n, err)
			}
			return add(rec, fmt.Sprintf("%s:%d", path, n))
		})
		if err != nil {
			return nil, err
		}
		sha, _, err := src.finish()
		if err != nil {
			return nil, err
		}
		b.set.Version = fileVersion(sha)
	}
	if skipped > 0 {
		slog.Warn("skipped problems without tests", "file", path, "count", skipped)
	}
	return b.finish()
}

// appsRecordFromJSON reads one HF row.
func appsRecordFromJSON(v *jValue, index int) (*appsRecord, error) {
	get := func(key string) string {
		f, ok := v.field(key)
		if !ok || f.Kind == jNull {
			return ""
		}
		if f.Kind == jString {
			return f.Str
		}
		return string(f.Raw)
	}
	if _, ok := v.field("question"); !ok {
		return nil, errors.New(`missing field "question"`)
	}
	return appsRecordFromColumns(index, get), nil
}

var (
	tacoTimeRE   = regexp.MustCompile(`^\s*([0-9]+(?:\.[0-9]+)?)\s*(seconds?|s|sec)?\s*$`)
	tacoMemoryRE = regexp.MustCompile(`(?i)^\s*([0-9]+(?:\.[0-9]+)?)\s*(megabytes?|mb|mib)\s*$`)
)

// appsRecordFromColumns builds a record from named string columns.
func appsRecordFromColumns(index int, get func(string) string) *appsRecord {
	rec := &appsRecord{
		question:    get("question"),
		starter:     get("starter_code"),
		inputOutput: get("input_output"),
		solutions:   get("solutions"),
		meta:        map[string]string{},
	}
	if pid := strings.TrimSpace(get("problem_id")); pid != "" {
		if n, err := strconv.Atoi(pid); err == nil {
			rec.id = fmt.Sprintf("%04d", n)
		} else {
			rec.id = pid
		}
	} else {
		rec.id = strconv.Itoa(index)
	}
	for col, key := range map[string]string{"difficulty": MetaDifficulty, "url": MetaURL, "name": MetaTitle, "source": "source", "tags": "tags", "skill_types": "skill_types", "date": MetaContestDate} {
		if s := get(col); s != "" && s != "None" {
			rec.meta[key] = s
		}
	}
	if m := tacoTimeRE.FindStringSubmatch(get("time_limit")); m != nil {
		if f, err := strconv.ParseFloat(m[1], 64); err == nil && f > 0 && f < 1e6 {
			rec.timeLimit = time.Duration(f * float64(time.Second))
		}
	}
	if m := tacoMemoryRE.FindStringSubmatch(get("memory_limit")); m != nil {
		if f, err := strconv.ParseFloat(m[1], 64); err == nil && f > 0 && f < 1e9 {
			rec.memoryLimit = int64(f * (1 << 20))
		}
	}
	return rec
}

// isUTF8 reports whether data is valid UTF-8.
func isUTF8(data []byte) bool { return firstInvalidUTF8(data) == len(data) }
