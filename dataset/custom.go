package dataset

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// LoadCustom reads a benchmark in rlef's own JSONL format (see
// docs/custom-format.md): one problem per line with fields mirroring
// Problem, and optionally a first line {"rlef_set": {...}} with set-level
// settings. Unknown fields are errors, so typos do not silently drop data.
func LoadCustom(path string) (*Set, error) {
	src, err := openSource(path)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	set := standardSet("custom", false)
	b := newSetBuilder(path, set)
	first := true
	err = src.eachLine(func(n int, line []byte) error {
		v, err := parsePyJSON(line)
		if err != nil {
			return fmt.Errorf("%s:%d: %w", path, n, err)
		}
		if hdr, ok := v.field("rlef_set"); ok {
			if !first {
				return fmt.Errorf("%s:%d: the rlef_set line must come first", path, n)
			}
			first = false
			if len(v.Keys) != 1 {
				return fmt.Errorf("%s:%d: the rlef_set line must hold only rlef_set", path, n)
			}
			if err := decodeSetHeader(hdr, set); err != nil {
				return fmt.Errorf("%s:%d: rlef_set: %w", path, n, err)
			}
			return nil
		}
		first = false
		p, err := decodeCustomProblem(&v)
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
	if set.Version == "" {
		set.Version = fileVersion(sha)
	}
	return b.finish()
}

// decodeSetHeader applies {"name", "version", "public_suite",
// "private_suite", "pass_needs_public"}.
func decodeSetHeader(v *jValue, set *Set) error {
	if v.Kind != jObject {
		return fmt.Errorf("is a JSON %s, want an object", v.Kind)
	}
	for i, key := range v.Keys {
		f := &v.Vals[i]
		var err error
		switch key {
		case "name":
			set.Name, err = asString(f, key)
		case "version":
			set.Version, err = asString(f, key)
		case "public_suite":
			set.PublicSuite, err = asString(f, key)
		case "private_suite":
			set.PrivateSuite, err = asString(f, key)
		case "pass_needs_public":
			set.PassNeedsPublic, err = asBool(f, key)
		default:
			err = fmt.Errorf("unknown field %q", key)
		}
		if err != nil {
			return err
		}
	}
	if set.Name == "" {
		return errors.New("empty name")
	}
	return nil
}

func asString(v *jValue, key string) (string, error) {
	if v.Kind != jString {
		return "", fmt.Errorf("field %q is a %s, want a string", key, v.Kind)
	}
	return v.Str, nil
}

func asBool(v *jValue, key string) (bool, error) {
	if v.Kind != jBool {
		return false, fmt.Errorf("field %q is a %s, want true or false", key, v.Kind)
	}
	return string(v.Raw) == "true", nil
}

// decodeCustomProblem converts one problem object.
func decodeCustomProblem(v *jValue) (*Problem, error) {
	if v.Kind != jObject {
		return nil, fmt.Errorf("row is a JSON %s, want an object", v.Kind)
	}
	// Decode the mode first: test decoding depends on it.
	mode, err := decodeCustomMode(v)
	if err != nil {
		return nil, err
	}
	p := &Problem{Mode: mode}
	for i, key := range v.Keys {
		if err := p.decodeCustomField(key, &v.Vals[i]); err != nil {
			if p.ID != "" {
				return nil, fmt.Errorf("problem %s: %w", p.ID, err)
			}
			return nil, err
		}
	}
	if p.ID == "" {
		return nil, errors.New(`missing or empty field "id"`)
	}
	return p, nil
}

// decodeCustomMode reads the required field "mode".
func decodeCustomMode(v *jValue) (Mode, error) {
	m, ok := v.field("mode")
	if !ok {
		return "", errors.New(`missing field "mode"`)
	}
	s, err := asString(m, "mode")
	if err != nil {
		return "", err
	}
	if mode := Mode(s); mode.Valid() {
		return mode, nil
	}
	return "", fmt.Errorf("unknown mode %q (want stdio, function, class_method or assert)", s)
}

// decodeCustomField sets the problem's field key from f (p.Mode is set).
func (p *Problem) decodeCustomField(key string, f *jValue) error {
	var err error
	switch key {
	case "id":
		p.ID, err = asString(f, key)
	case "benchmark":
		p.Benchmark, err = asString(f, key)
	case "statement":
		p.Statement, err = asString(f, key)
	case "mode":
	case "entry_point":
		p.EntryPoint, err = asString(f, key)
	case "starter_code":
		p.StarterCode, err = asString(f, key)
	case "setup":
		p.Setup, err = asString(f, key)
	case "checker":
		var s string
		s, err = asString(f, key)
		p.Checker = Checker(s)
		if err == nil && s != "" && p.Checker != CheckTokens && p.Checker != CheckLines && p.Checker != CheckExact {
			err = fmt.Errorf("unknown checker %q (want tokens, lines or exact)", s)
		}
	case "public":
		p.Public, err = decodeCustomTests(f, p.Mode, key)
	case "private":
		p.Private, err = decodeCustomTests(f, p.Mode, key)
	case "generated":
		p.Generated, err = decodeCustomTests(f, p.Mode, key)
	case "time_limit":
		p.TimeLimit, err = decodeTimeLimit(f)
	case "memory_limit":
		p.MemoryLimit, err = decodeMemoryLimit(f)
	case "atol":
		p.Atol, err = f.float()
		if err == nil && (p.Atol < 0 || math.IsNaN(p.Atol)) {
			err = fmt.Errorf("atol must be >= 0")
		}
	case "expected_from_reference":
		p.ExpectedFromReference, err = asBool(f, key)
	case "solutions":
		p.Solutions, err = decodeCustomSolutions(f, key)
	case "incorrect_solutions":
		p.Incorrect, err = decodeCustomSolutions(f, key)
	case "meta":
		p.Meta, err = decodeCustomMeta(f)
	case "judging":
		p.Judging, err = decodeCustomJudging(f)
	default:
		err = fmt.Errorf("unknown field %q", key)
	}
	return err
}

// decodeCustomTests reads an array of {input, output, code}. In function
// modes input and output may be given either as JSON text in a string or
// as the JSON value itself.
func decodeCustomTests(v *jValue, mode Mode, key string) ([]Test, error) {
	if v.Kind == jNull {
		return nil, nil
	}
	if v.Kind != jArray {
		return nil, fmt.Errorf("field %q is a %s, want an array of tests", key, v.Kind)
	}
	var out []Test
	for i := range v.Items {
		it := &v.Items[i]
		if it.Kind != jObject {
			return nil, fmt.Errorf("%s[%d] is a %s, want an object", key, i, it.Kind)
		}
		var t Test
		for j, k := range it.Keys {
			f := &it.Vals[j]
			var err error
			switch k {
			case "input":
				t.Input, err = customTestValue(f, mode, true)
			case "output":
				t.Output, err = customTestValue(f, mode, false)
			case "code":
				t.Code, err = asString(f, k)
			default:
				err = fmt.Errorf("unknown field %q", k)
			}
			if err != nil {
				return nil, fmt.Errorf("%s[%d].%s: %w", key, i, k, err)
			}
		}
		if mode == ModeAssert && t.Code == "" {
			return nil, fmt.Errorf("%s[%d]: assert-mode tests need \"code\"", key, i)
		}
		out = append(out, t)
	}
	return out, nil
}

// customTestValue returns a test input or output as stored in Test.
func customTestValue(v *jValue, mode Mode, isInput bool) (string, error) {
	functional := mode == ModeFunction || mode == ModeClassMethod
	if !functional {
		return asString(v, map[bool]string{true: "input", false: "output"}[isInput])
	}
	raw := string(v.Raw)
	if v.Kind == jString {
		raw = v.Str
		parsed, err := parsePyJSON([]byte(raw))
		if err != nil {
			return "", fmt.Errorf("a string here is JSON text (write the value itself, or e.g. \"\\\"abc\\\"\" for the string abc): %w", err)
		}
		if isInput && parsed.Kind != jArray {
			return "", fmt.Errorf("arguments must be a JSON array, got a %s", parsed.Kind)
		}
		return raw, nil
	}
	if isInput && v.Kind != jArray {
		return "", fmt.Errorf("arguments must be a JSON array, got a %s", v.Kind)
	}
	return raw, nil
}

func decodeCustomSolutions(v *jValue, key string) ([]Solution, error) {
	if v.Kind == jNull {
		return nil, nil
	}
	if v.Kind != jArray {
		return nil, fmt.Errorf("field %q is a %s, want an array", key, v.Kind)
	}
	var out []Solution
	for i := range v.Items {
		it := &v.Items[i]
		if it.Kind != jObject {
			return nil, fmt.Errorf("%s[%d] is a %s, want {\"language\", \"code\"}", key, i, it.Kind)
		}
		var s Solution
		for j, k := range it.Keys {
			var err error
			switch k {
			case "language":
				s.Language, err = asString(&it.Vals[j], k)
			case "code":
				s.Code, err = asString(&it.Vals[j], k)
			default:
				err = fmt.Errorf("unknown field %q", k)
			}
			if err != nil {
				return nil, fmt.Errorf("%s[%d]: %w", key, i, err)
			}
		}
		if s.Language == "" {
			s.Language = "python"
		}
		out = append(out, s)
	}
	return out, nil
}

func decodeCustomMeta(v *jValue) (map[string]string, error) {
	if v.Kind == jNull {
		return nil, nil
	}
	if v.Kind != jObject {
		return nil, fmt.Errorf("field \"meta\" is a %s, want an object of strings", v.Kind)
	}
	out := make(map[string]string, len(v.Keys))
	for i, k := range v.Keys {
		if v.Vals[i].Kind == jString {
			out[k] = v.Vals[i].Str
		} else {
			out[k] = string(v.Vals[i].Raw)
		}
	}
	return out, nil
}

// decodeTimeLimit accepts a Go duration string ("2s", "1500ms") or a
// number of seconds.
func decodeTimeLimit(v *jValue) (time.Duration, error) {
	switch v.Kind {
	case jNull:
		return 0, nil
	case jString:
		d, err := time.ParseDuration(strings.TrimSpace(v.Str))
		if err != nil {
			return 0, fmt.Errorf("time_limit: %w", err)
		}
		if d < 0 {
			return 0, errors.New("time_limit is negative")
		}
		return d, nil
	case jNumber:
		f, err := v.float()
		if err != nil || f < 0 || math.IsNaN(f) || math.IsInf(f, 0) || f > 1e6 {
			return 0, fmt.Errorf("time_limit %s is not a valid number of seconds", v.Raw)
		}
		return time.Duration(f * float64(time.Second)), nil
	}
	return 0, fmt.Errorf("time_limit is a %s, want a duration string or seconds", v.Kind)
}

// decodeMemoryLimit accepts bytes as a number or a string with a unit.
func decodeMemoryLimit(v *jValue) (int64, error) {
	switch v.Kind {
	case jNull:
		return 0, nil
	case jString:
		n, err := ParseMemory(v.Str)
		if err != nil {
			return 0, fmt.Errorf("memory_limit: %w", err)
		}
		return n, nil
	case jNumber:
		n, err := strconv.ParseInt(string(v.Raw), 10, 64)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("memory_limit %s is not a byte count", v.Raw)
		}
		return n, nil
	}
	return 0, fmt.Errorf("memory_limit is a %s, want bytes or a string like \"256MiB\"", v.Kind)
}

var memoryRE = regexp.MustCompile(`^\s*([0-9]+(?:\.[0-9]+)?)\s*([A-Za-z]*)\s*$`)

// memoryUnit returns the multiplier of a (lower-case) memory unit.
func memoryUnit(u string) (float64, bool) {
	switch u {
	case "", "b":
		return 1, true
	case "k", "kib":
		return 1 << 10, true
	case "kb":
		return 1e3, true
	case "m", "mib":
		return 1 << 20, true
	case "mb":
		return 1e6, true
	case "g", "gib":
		return 1 << 30, true
	case "gb":
		return 1e9, true
	case "t", "tib":
		return 1 << 40, true
	case "tb":
		return 1e12, true
	}
	return 0, false
}

// ParseMemory parses a memory size: a byte count, or a number with a unit.
// Binary units are KiB, MiB, GiB, TiB and the bare K, M, G, T; decimal ones
// are KB, MB, GB, TB. Units are case-insensitive: "256MiB", "1g", "512 MB".
func ParseMemory(s string) (int64, error) {
	m := memoryRE.FindStringSubmatch(s)
	if m == nil {
		return 0, fmt.Errorf("invalid memory size %q", s)
	}
	unit, ok := memoryUnit(strings.ToLower(m[2]))
	if !ok {
		return 0, fmt.Errorf("invalid memory unit %q in %q (known: B, K, KiB, KB, M, MiB, MB, G, GiB, GB, T, TiB, TB)", m[2], s)
	}
	f, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		return 0, fmt.Errorf("invalid memory size %q", s)
	}
	bytes := f * unit
	if bytes > math.MaxInt64/2 {
		return 0, fmt.Errorf("memory size %q is too large", s)
	}
	return int64(bytes), nil
}

// decodeCustomJudging reads the "judging" object: grader, args_adapter,
// oracle, input_file, output_file.
func decodeCustomJudging(v *jValue) (Judging, error) {
	var j Judging
	if v.Kind != jObject {
		return j, fmt.Errorf("judging: want an object, got %s", v.Kind)
	}
	dec := json.NewDecoder(bytes.NewReader(v.Raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&j); err != nil {
		return j, fmt.Errorf("judging: %w", err)
	}
	if err := j.Validate(); err != nil {
		return j, fmt.Errorf("judging: %w", err)
	}
	return j, nil
}
