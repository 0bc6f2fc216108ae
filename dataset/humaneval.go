package dataset

import (
	"fmt"
	"strings"
)

// LoadHumanEval reads OpenAI's HumanEval.jsonl(.gz) (fields task_id,
// prompt, canonical_solution, entry_point, test).
//
// Problems are ModeAssert. The model completes the prompt, so Statement and
// StarterCode are the prompt and the reference solution is prompt +
// canonical_solution. HumanEval has no public/private split; the whole
// check() program (test + "check(<entry_point>)") is the single Private
// test, so the verdict is exactly the original harness's. For execution
// feedback, each top-level assert of check() that mentions the candidate is
// also exposed as a standalone Public test (see extractCheckAsserts);
// asserts inside loops (randomized tests in HumanEval/32, /38, /44, /50,
// /53) are not extracted, and HumanEval/32 has no public test at all. The
// public asserts are a subset of check(), so PassNeedsPublic is false.
func LoadHumanEval(path string) (*Set, error) {
	src, err := openSource(path)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	b := newSetBuilder(path, standardSet("humaneval", false))
	err = src.eachLine(func(n int, line []byte) error {
		p, err := decodeHumanEvalRow(line)
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

// decodeHumanEvalRow converts one JSONL row.
func decodeHumanEvalRow(line []byte) (*Problem, error) {
	v, err := parsePyJSON(line)
	if err != nil {
		return nil, err
	}
	if v.Kind != jObject {
		return nil, fmt.Errorf("row is a JSON %s, want an object", v.Kind)
	}
	var f struct{ id, prompt, entry, canonical, test string }
	for _, x := range []struct {
		key string
		dst *string
	}{{"task_id", &f.id}, {"prompt", &f.prompt}, {"entry_point", &f.entry}, {"canonical_solution", &f.canonical}, {"test", &f.test}} {
		if *x.dst, err = v.stringField(x.key); err != nil {
			return nil, err
		}
	}
	if strings.TrimSpace(f.id) == "" {
		return nil, fmt.Errorf("empty task_id")
	}
	if strings.TrimSpace(f.entry) == "" {
		return nil, fmt.Errorf("task %s: empty entry_point", f.id)
	}
	p := &Problem{
		ID:          f.id,
		Statement:   f.prompt,
		Mode:        ModeAssert,
		EntryPoint:  f.entry,
		StarterCode: f.prompt,
		Private:     []Test{{Code: strings.TrimRight(f.test, "\n") + "\n\n\ncheck(" + f.entry + ")\n"}},
		Solutions:   []Solution{{Language: "python", Code: f.prompt + f.canonical}},
		Meta:        map[string]string{MetaPublicSource: PublicFromCheck},
	}
	asserts, _ := extractCheckAsserts(f.test, f.entry)
	for _, a := range asserts {
		p.Public = append(p.Public, Test{Code: a})
	}
	if len(p.Public) == 0 {
		p.Meta[MetaPublicSource] = PublicNone
	}
	return p, nil
}
