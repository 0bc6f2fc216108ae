package dataset

import (
	"fmt"
	"strconv"
	"strings"
)

// LoadEvalPlus reads an EvalPlus release file: HumanEvalPlus*.jsonl(.gz)
// (name "humaneval+") or MbppPlus.jsonl(.gz) (name "mbpp+").
//
// Problems are ModeFunction. Public tests are base_input (suite "base"),
// Private tests plus_input (suite "plus"); a sample passes only if it
// passes both (PassNeedsPublic). Each Test.Input is the exact JSON text of
// one argument list from the file, so Infinity/NaN tokens and integers
// beyond 64 bits survive. Expected outputs come from running the reference
// solution (ExpectedFromReference): prompt + canonical_solution for
// HumanEval+, canonical_solution for MBPP+. Statement and StarterCode are
// the prompt for both (EvalPlus appends a "completion" to the prompt).
// Atol comes from the row.
// Version is the md5 of the uncompressed jsonl, the hash EvalPlus writes
// into its eval_results.json.
//
// MBPP+ rows also get Judging.ArgsAdapter where EvalPlus converts the stored
// lists back to tuples/sets/complex numbers before calling, and
// Judging.Oracle where EvalPlus compares outputs specially.
func LoadEvalPlus(path, name string) (*Set, error) {
	mbpp := strings.HasPrefix(name, "mbpp")
	src, err := openSource(path)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	set := &Set{Name: name, PublicSuite: "base", PrivateSuite: "plus", PassNeedsPublic: true}
	b := newSetBuilder(path, set)
	err = src.eachLine(func(n int, line []byte) error {
		p, err := decodeEvalPlusRow(line, mbpp)
		if err != nil {
			return fmt.Errorf("%s:%d: %w", path, n, err)
		}
		return b.add(p, n)
	})
	if err != nil {
		return nil, err
	}
	_, md5Hex, err := src.finish()
	if err != nil {
		return nil, err
	}
	set.Version = md5Hex
	return b.finish()
}

// decodeEvalPlusRow converts one EvalPlus JSONL row.
func decodeEvalPlusRow(line []byte, mbpp bool) (*Problem, error) {
	// Depth 0 is the row, 1 its fields, 2 the argument lists: only their
	// raw text is needed.
	v, err := parsePyJSONShallow(line, 2)
	if err != nil {
		return nil, err
	}
	if v.Kind != jObject {
		return nil, fmt.Errorf("row is a JSON %s, want an object", v.Kind)
	}
	id, err := v.stringField("task_id")
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(id) == "" {
		return nil, fmt.Errorf("empty task_id")
	}
	wrap := func(err error) error { return fmt.Errorf("task %s: %w", id, err) }
	prompt, err := v.stringField("prompt")
	if err != nil {
		return nil, wrap(err)
	}
	entry, err := v.stringField("entry_point")
	if err != nil {
		return nil, wrap(err)
	}
	if strings.TrimSpace(entry) == "" {
		return nil, wrap(fmt.Errorf("empty entry_point"))
	}
	canonical, err := v.stringField("canonical_solution")
	if err != nil {
		return nil, wrap(err)
	}
	base, err := argLists(&v, "base_input", false)
	if err != nil {
		return nil, wrap(err)
	}
	plus, err := argLists(&v, "plus_input", true)
	if err != nil {
		return nil, wrap(err)
	}
	atol := 0.0
	if a, ok := v.field("atol"); ok && a.Kind != jNull {
		if atol, err = a.float(); err != nil {
			return nil, wrap(fmt.Errorf("atol: %w", err))
		}
	}
	p := &Problem{
		ID:                    id,
		Statement:             prompt,
		Mode:                  ModeFunction,
		EntryPoint:            entry,
		Public:                base,
		Private:               plus,
		Atol:                  atol,
		ExpectedFromReference: true,
		Judging:               Judging{Grader: GraderEvalPlus},
		Meta:                  map[string]string{MetaPublicSource: PublicFromDataset},
	}
	if contract, _ := v.optStringField("contract"); contract != "" {
		p.Meta[MetaContract] = contract
	}
	// A "completion" sample is appended to the prompt, as EvalPlus does for
	// both datasets (the MBPP+ prompt is a docstring with one example
	// assert, which is valid Python).
	p.StarterCode = prompt
	if mbpp {
		mbppPlusSpecifics(p, &v, canonical)
	} else {
		p.Solutions = []Solution{{Language: "python", Code: prompt + canonical}}
		if entry == "find_zero" {
			p.Judging.Oracle = OraclePoly
		}
	}
	return p, nil
}

// mbppPlusSpecifics adds what MBPP+ has of its own: a reference that is a
// whole program, the example assertion, the argument adapter and the
// oracle.
func mbppPlusSpecifics(p *Problem, v *jValue, canonical string) {
	p.Solutions = []Solution{{Language: "python", Code: canonical}}
	if assertion, _ := v.optStringField("assertion"); assertion != "" {
		p.Meta[MetaAssertion] = assertion
	}
	if n, err := strconv.Atoi(strings.TrimPrefix(p.ID, "Mbpp/")); err == nil {
		p.Judging.ArgsAdapter = mbppPlusArgsAdapter(n)
	}
	p.Judging.Oracle = mbppPlusOracle(p.EntryPoint)
}

// argLists returns one Test per argument list in field key, which must be
// an array of arrays. An empty object ({}), which MBPP+ uses for Mbpp/793,
// means no tests when allowEmptyObject is set.
func argLists(v *jValue, key string, allowEmptyObject bool) ([]Test, error) {
	f, ok := v.field(key)
	if !ok {
		return nil, fmt.Errorf("missing field %q", key)
	}
	if f.Kind == jObject && len(f.Keys) == 0 && allowEmptyObject {
		return nil, nil
	}
	if f.Kind != jArray {
		return nil, fmt.Errorf("field %q is a %s, want an array of argument lists", key, f.Kind)
	}
	tests := make([]Test, len(f.Items))
	for i, item := range f.Items {
		if item.Kind != jArray {
			return nil, fmt.Errorf("%s[%d] is a %s, want an argument list", key, i, item.Kind)
		}
		tests[i] = Test{Input: string(item.Raw)}
	}
	return tests, nil
}
