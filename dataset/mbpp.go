package dataset

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// LoadMBPP reads Google's full MBPP file mbpp.jsonl (974 rows: text, code,
// task_id, test_setup_code, test_list, challenge_test_list).
//
// Problems are ModeAssert with one Test per assert line and Setup =
// test_setup_code (it builds objects from classes the solution defines, so
// it must run after the solution, which is where Setup runs). MBPP has no
// public tests; like the MBPP+ prompt, which shows the model one example
// assert, the first assert is the Public test and the remaining ones are
// Private. PassNeedsPublic is set, so a sample passes only if all asserts
// pass, which is MBPP's standard score. challenge_test_list is kept in
// MetaChallengeTests. EntryPoint is the function of the reference code that
// the first assert calls. IDs are "Mbpp/<task_id>" as in MBPP+.
func LoadMBPP(path string) (*Set, error) {
	src, err := openSource(path)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	b := newSetBuilder(path, standardSet("mbpp", true))
	err = src.eachLine(func(n int, line []byte) error {
		p, err := decodeMBPPRow(line, false)
		if err != nil {
			return fmt.Errorf("%s:%d: %w", path, n, err)
		}
		return b.add(p, n)
	})
	if err != nil {
		return nil, err
	}
	sha, _, err := src.finish()
	if err != nil {
		return nil, err
	}
	b.set.Version = fileVersion(sha)
	return b.finish()
}

// LoadMBPPSanitized reads sanitized-mbpp.json (a JSON array of 427
// objects: source_file, task_id, prompt, code, test_imports, test_list).
// Same mapping as LoadMBPP, with Setup = the test_imports lines.
func LoadMBPPSanitized(path string) (*Set, error) {
	src, err := openSource(path)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	data, err := src.readAll()
	if err != nil {
		return nil, err
	}
	root, err := parsePyJSON(data)
	if err != nil {
		return nil, jsonErrorAt(path, data, err)
	}
	if root.Kind != jArray {
		return nil, fmt.Errorf("%s: top level is a JSON %s, want an array", path, root.Kind)
	}
	b := newSetBuilder(path, standardSet("mbpp-sanitized", true))
	for _, item := range root.Items {
		n := lineAt(data, offsetIn(data, item.Raw))
		p, err := decodeMBPPRow(item.Raw, true)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, n, err)
		}
		if err := b.add(p, n); err != nil {
			return nil, err
		}
	}
	sha, _, err := src.finish()
	if err != nil {
		return nil, err
	}
	b.set.Version = fileVersion(sha)
	return b.finish()
}

// decodeMBPPRow converts one MBPP object (full or sanitized layout).
func decodeMBPPRow(raw []byte, sanitized bool) (*Problem, error) {
	v, err := parsePyJSON(raw)
	if err != nil {
		return nil, err
	}
	if v.Kind != jObject {
		return nil, fmt.Errorf("row is a JSON %s, want an object", v.Kind)
	}
	id, err := mbppTaskID(&v)
	if err != nil {
		return nil, err
	}
	wrap := func(err error) error { return fmt.Errorf("task %s: %w", id, err) }
	textKey := "text"
	if sanitized {
		textKey = "prompt"
	}
	text, err := v.stringField(textKey)
	if err != nil {
		return nil, wrap(err)
	}
	code, err := v.stringField("code")
	if err != nil {
		return nil, wrap(err)
	}
	tests, err := stringList(&v, "test_list")
	if err != nil {
		return nil, wrap(err)
	}
	if len(tests) == 0 {
		return nil, wrap(fmt.Errorf("test_list is empty"))
	}
	setup, err := mbppSetup(&v, sanitized)
	if err != nil {
		return nil, wrap(err)
	}
	entry := mbppEntryPoint(code, tests[0])
	if entry == "" {
		return nil, wrap(fmt.Errorf("cannot tell which function the first test calls"))
	}
	p := &Problem{
		ID:         id,
		Statement:  text,
		Mode:       ModeAssert,
		EntryPoint: entry,
		Setup:      normalizeNewlines(setup),
		Solutions:  []Solution{{Language: "python", Code: normalizeNewlines(code)}},
		Meta:       map[string]string{MetaPublicSource: PublicFirstTest},
	}
	for i, t := range tests {
		tc := Test{Code: normalizeNewlines(t)}
		if i == 0 {
			p.Public = append(p.Public, tc)
		} else {
			p.Private = append(p.Private, tc)
		}
	}
	if !sanitized {
		challenge, err := stringList(&v, "challenge_test_list")
		if err == nil && len(challenge) > 0 {
			js, _ := json.Marshal(challenge)
			p.Meta[MetaChallengeTests] = string(js)
		}
	}
	return p, nil
}

// mbppTaskID reads task_id, a number or a string, as "Mbpp/N".
func mbppTaskID(v *jValue) (string, error) {
	idv, ok := v.field("task_id")
	if !ok {
		return "", fmt.Errorf("missing field %q", "task_id")
	}
	var id string
	switch idv.Kind {
	case jNumber:
		n, err := strconv.ParseInt(string(idv.Raw), 10, 64)
		if err != nil {
			return "", fmt.Errorf("task_id %s is not an integer", idv.Raw)
		}
		id = "Mbpp/" + strconv.FormatInt(n, 10)
	case jString:
		id = idv.Str
		if _, err := strconv.Atoi(id); err == nil {
			id = "Mbpp/" + id
		}
	default:
		return "", fmt.Errorf("task_id is a %s", idv.Kind)
	}
	if strings.TrimSpace(id) == "" {
		return "", fmt.Errorf("empty task_id")
	}
	return id, nil
}

// mbppSetup is the code the tests need first: test_setup_code in the full
// layout, the test_imports in the sanitized one.
func mbppSetup(v *jValue, sanitized bool) (string, error) {
	if !sanitized {
		return v.optStringField("test_setup_code")
	}
	imports, err := stringList(v, "test_imports")
	if err != nil {
		return "", err
	}
	return strings.Join(imports, "\n"), nil
}

var (
	pyTopDefRE = regexp.MustCompile(`(?m)^(?:def|class)[ \t]+([A-Za-z_][A-Za-z_0-9]*)`)
	pyAnyDefRE = regexp.MustCompile(`(?m)^[ \t]*def[ \t]+([A-Za-z_][A-Za-z_0-9]*)[ \t]*\(`)
	pyCallRE   = regexp.MustCompile(`([A-Za-z_][A-Za-z_0-9]*)\s*\(`)
)

// mbppEntryPoint returns the top-level function (or class) defined in code
// that the assert calls first (by position in the assert), falling back to
// nested definitions.
func mbppEntryPoint(code, assert string) string {
	for _, re := range []*regexp.Regexp{pyTopDefRE, pyAnyDefRE} {
		defined := map[string]bool{}
		for _, m := range re.FindAllStringSubmatch(code, -1) {
			defined[m[1]] = true
		}
		for _, m := range pyCallRE.FindAllStringSubmatch(assert, -1) {
			if defined[m[1]] {
				return m[1]
			}
		}
	}
	return ""
}

// stringList returns a required array-of-strings field.
func stringList(v *jValue, key string) ([]string, error) {
	f, ok := v.field(key)
	if !ok {
		return nil, fmt.Errorf("missing field %q", key)
	}
	if f.Kind == jNull {
		return nil, nil
	}
	if f.Kind != jArray {
		return nil, fmt.Errorf("field %q is a %s, want an array of strings", key, f.Kind)
	}
	out := make([]string, len(f.Items))
	for i, it := range f.Items {
		if it.Kind != jString {
			return nil, fmt.Errorf("%s[%d] is a %s, want a string", key, i, it.Kind)
		}
		out[i] = it.Str
	}
	return out, nil
}

// normalizeNewlines turns CRLF and lone CR (common in mbpp.jsonl code;
// Python reads both as line ends) into LF.
func normalizeNewlines(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
}

// offsetIn returns the offset of sub (a sub-slice of data) in data.
func offsetIn(data, sub []byte) int {
	if len(sub) == 0 || len(data) == 0 {
		return 0
	}
	off := cap(data) - cap(sub)
	if off < 0 || off > len(data) {
		return 0
	}
	return off
}

// jsonErrorAt adds file and line to a parse error of a whole-file JSON
// document.
func jsonErrorAt(path string, data []byte, err error) error {
	if se, ok := err.(*jsonSyntaxError); ok {
		return fmt.Errorf("%s:%d: %w", path, lineAt(data, se.Offset), err)
	}
	return fmt.Errorf("%s: %w", path, err)
}
