package server

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/rlef/rlef/dataset"
)

// ErrUnknownProblem marks a label or problem reference that names no
// served problem.
var ErrUnknownProblem = errors.New("unknown problem")

// ResolveLabel finds the problem a label names. A label is one of:
//
//   - "BENCHMARK/ID": a problem of a served benchmark, e.g.
//     "humaneval+/HumanEval/0" or "codecontests/1575_A" (benchmark
//     aliases work: "humanevalplus/HumanEval/0");
//   - "ID": a problem id of a served benchmark, e.g. "HumanEval/0" or
//     "builtin/lanterns" (the built-in benchmark's ids carry its name);
//     when several served benchmarks hold the id, the first one listed
//     wins;
//   - an inline problem, as a JSON object or a string holding one, with
//     stdin/stdout tests in either of two shapes:
//     {"inputs": ["1 2\n", ...], "outputs": ["3\n", ...]} (the
//     verl/PRIME "input_output" shape) or
//     {"tests": [{"input": "1 2\n", "output": "3\n"}, ...]}, plus
//     optionally "checker" (tokens, lines or exact; default tokens),
//     "time_limit" (seconds), "memory_limit" (MiB), "statement" (needed
//     only for episodes) and "id". Every inline test is private.
//
// It returns the set the problem belongs to (a one-problem set named
// "inline" for inline problems).
func (s *Server) ResolveLabel(label json.RawMessage) (*dataset.Set, *dataset.Problem, error) {
	v := json.RawMessage(strings.TrimSpace(string(label)))
	if len(v) > 0 && v[0] == '{' {
		return inlineProblem(v)
	}
	str, ok := decodeString(v)
	if !ok {
		return nil, nil, fmt.Errorf("label must be a string or a JSON object, got %.80s", v)
	}
	if t := strings.TrimSpace(str); strings.HasPrefix(t, "{") {
		return inlineProblem(json.RawMessage(t))
	}
	return s.lookupProblem(str)
}

// lookupProblem resolves "BENCHMARK/ID" or "ID" against the served sets.
func (s *Server) lookupProblem(ref string) (*dataset.Set, *dataset.Problem, error) {
	if ref == "" {
		return nil, nil, fmt.Errorf("%w: empty label", ErrUnknownProblem)
	}
	if bench, id, ok := strings.Cut(ref, "/"); ok {
		for _, set := range s.cfg.Sets {
			if sameBenchmark(set.Name, bench) {
				if p, ok := set.Lookup(id); ok {
					return set, p, nil
				}
			}
		}
	}
	for _, set := range s.cfg.Sets {
		if p, ok := set.Lookup(ref); ok {
			return set, p, nil
		}
	}
	var names []string
	for _, set := range s.cfg.Sets {
		names = append(names, set.Name)
	}
	return nil, nil, fmt.Errorf("%w %q (served benchmarks: %s)", ErrUnknownProblem, ref, strings.Join(names, ", "))
}

// sameBenchmark compares a served set's name with a name from a label,
// which may be an alias.
func sameBenchmark(setName, name string) bool {
	if strings.EqualFold(setName, name) {
		return true
	}
	for _, b := range dataset.Benchmarks() {
		if b.Name != setName {
			continue
		}
		for _, a := range b.Aliases {
			if strings.EqualFold(a, name) {
				return true
			}
		}
	}
	return false
}

// inlineLabel is the JSON of an inline problem.
type inlineLabel struct {
	ID      string   `json:"id"`
	Inputs  []string `json:"inputs"`
	Outputs []string `json:"outputs"`
	Tests   []struct {
		Input  string `json:"input"`
		Output string `json:"output"`
	} `json:"tests"`
	Checker     string  `json:"checker"`
	TimeLimit   float64 `json:"time_limit"`
	MemoryLimit float64 `json:"memory_limit"`
	Statement   string  `json:"statement"`
	FnName      *string `json:"fn_name"`
}

func inlineProblem(raw json.RawMessage) (*dataset.Set, *dataset.Problem, error) {
	var l inlineLabel
	if err := json.Unmarshal(raw, &l); err != nil {
		return nil, nil, fmt.Errorf("inline label: %w", err)
	}
	if l.FnName != nil && *l.FnName != "" {
		return nil, nil, errors.New("inline label: fn_name (call-based) tests are not supported; serve the benchmark and name the problem instead")
	}
	if len(l.Inputs) != len(l.Outputs) {
		return nil, nil, fmt.Errorf("inline label: %d inputs but %d outputs", len(l.Inputs), len(l.Outputs))
	}
	p := &dataset.Problem{ID: l.ID, Benchmark: "inline", Mode: dataset.ModeStdio, Statement: l.Statement,
		Checker: dataset.CheckTokens}
	for i := range l.Inputs {
		p.Private = append(p.Private, dataset.Test{Input: l.Inputs[i], Output: l.Outputs[i]})
	}
	for _, t := range l.Tests {
		p.Private = append(p.Private, dataset.Test{Input: t.Input, Output: t.Output})
	}
	switch c := dataset.Checker(l.Checker); c {
	case "":
	case dataset.CheckTokens, dataset.CheckLines, dataset.CheckExact:
		p.Checker = c
	default:
		return nil, nil, fmt.Errorf("inline label: unknown checker %q (known: tokens, lines, exact)", l.Checker)
	}
	if l.TimeLimit < 0 || l.TimeLimit > 600 || l.MemoryLimit < 0 || l.MemoryLimit > 1<<20 {
		return nil, nil, errors.New("inline label: time_limit must be 0-600 s and memory_limit 0-1048576 MiB")
	}
	p.TimeLimit = time.Duration(l.TimeLimit * float64(time.Second))
	p.MemoryLimit = int64(l.MemoryLimit * (1 << 20))
	if p.ID == "" {
		sum := sha256.Sum256(raw)
		p.ID = "inline/" + hex.EncodeToString(sum[:6])
	}
	if err := p.Validate(); err != nil {
		return nil, nil, fmt.Errorf("inline label: %w", err)
	}
	set := &dataset.Set{Name: "inline", Version: "inline", PublicSuite: "public", PrivateSuite: "private",
		Problems: []*dataset.Problem{p}}
	if err := set.BuildIndex(); err != nil {
		return nil, nil, err
	}
	return set, p, nil
}
