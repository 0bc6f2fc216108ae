// Package dataset holds the Problem model shared by every rlef component and
// one loader per benchmark format (HumanEval, HumanEval+/MBPP+, MBPP,
// CodeContests, LiveCodeBench, APPS/TACO, the custom JSONL format and the
// built-in benchmark), plus download-and-cache of public benchmark files.
package dataset

import (
	"fmt"
	"time"
)

// Mode says how a problem's tests exercise a solution.
type Mode string

const (
	// ModeStdio: the program reads a test's Input on stdin and must print
	// its Output on stdout.
	ModeStdio Mode = "stdio"
	// ModeFunction: the solution defines EntryPoint; each test calls it with
	// the JSON-encoded positional arguments in Input and compares the return
	// value with Output (HumanEval+/MBPP+, LiveCodeBench functional, APPS
	// call-based).
	ModeFunction Mode = "function"
	// ModeClassMethod: LeetCode style; each test calls
	// Solution().EntryPoint(*args).
	ModeClassMethod Mode = "class_method"
	// ModeAssert: each test's Code is run after the solution (and Setup) and
	// passes when it raises nothing (original HumanEval check(), MBPP
	// assert lists).
	ModeAssert Mode = "assert"
)

// Valid reports whether m is a known mode.
func (m Mode) Valid() bool {
	switch m {
	case ModeStdio, ModeFunction, ModeClassMethod, ModeAssert:
		return true
	}
	return false
}

// Checker names how stdout is compared with the expected output in
// ModeStdio.
type Checker string

const (
	// CheckTokens: DeepMind code_contests rules; split on whitespace,
	// compare tokens case-insensitively, numbers as numbers with absolute or
	// relative tolerance 1e-5. The default for stdio problems.
	CheckTokens Checker = "tokens"
	// CheckLines: LiveCodeBench rules; compare line by line after stripping
	// each line, falling back to numeric (Decimal) comparison per token.
	CheckLines Checker = "lines"
	// CheckExact: byte-for-byte after removing trailing newlines (what verl
	// does with SandboxFusion output).
	CheckExact Checker = "exact"
)

// Test is one test case. Which fields are used depends on the problem Mode.
type Test struct {
	// Input is stdin (ModeStdio) or a JSON array of positional arguments in
	// Python's JSON dialect, which allows Infinity, NaN and integers of any
	// size (ModeFunction, ModeClassMethod). Kept as raw text so nothing is
	// lost in Go.
	Input string `json:"input,omitempty"`
	// Output is the expected stdout (ModeStdio) or the expected return value
	// as JSON (function modes). In function modes an empty Output together
	// with Problem.ExpectedFromReference means the expected value is what the
	// reference solution returns.
	Output string `json:"output,omitempty"`
	// Code is Python that raises on failure (ModeAssert), for example
	// "assert add(1, 2) == 3".
	Code string `json:"code,omitempty"`
}

// Solution is a program in a given language.
type Solution struct {
	Language string `json:"language"` // "python" or "cpp"
	Code     string `json:"code"`
}

// Problem is one benchmark task in a format-independent shape.
type Problem struct {
	// ID is unique within its benchmark, e.g. "HumanEval/0" or "1575_A".
	ID string `json:"id"`
	// Benchmark is the name of the set the problem came from.
	Benchmark string `json:"benchmark"`
	// Statement is the task text as shown to a model: a competitive
	// programming statement, or the function signature with docstring for
	// HumanEval-style tasks.
	Statement string `json:"statement"`
	// Mode says how tests exercise a solution.
	Mode Mode `json:"mode"`
	// EntryPoint is the function (or method) that tests call.
	EntryPoint string `json:"entry_point,omitempty"`
	// StarterCode is code a solution starts from or completes: the HumanEval
	// prompt, a LeetCode class skeleton, an APPS starter.
	StarterCode string `json:"starter_code,omitempty"`
	// Setup is Python run after the solution and before its tests (MBPP
	// test_setup_code and test_imports).
	Setup string `json:"setup,omitempty"`
	// Checker selects the stdout comparison for ModeStdio.
	Checker Checker `json:"checker,omitempty"`
	// Public tests drive execution feedback (statement examples, HumanEval+
	// base inputs).
	Public []Test `json:"public"`
	// Private tests decide the final verdict (hidden tests, HumanEval+ plus
	// inputs).
	Private []Test `json:"private"`
	// Generated tests (CodeContests) are judged together with Private.
	Generated []Test `json:"generated,omitempty"`
	// TimeLimit is the per-test limit; zero means the benchmark default.
	TimeLimit time.Duration `json:"time_limit,omitempty"`
	// MemoryLimit is in bytes; zero means the benchmark default.
	MemoryLimit int64 `json:"memory_limit,omitempty"`
	// Atol is the absolute tolerance for float return values (EvalPlus).
	Atol float64 `json:"atol,omitempty"`
	// ExpectedFromReference: function-mode tests without Output take their
	// expected value from running Solutions[0] (EvalPlus semantics).
	ExpectedFromReference bool `json:"expected_from_reference,omitempty"`
	// Solutions are known-correct programs (reference solutions).
	Solutions []Solution `json:"solutions,omitempty"`
	// Incorrect are known-incorrect programs where the source has them.
	Incorrect []Solution `json:"incorrect_solutions,omitempty"`
	// Judging says how the problem's source grades it.
	Judging Judging `json:"judging,omitzero"`
	// Meta holds source-specific extras for people (difficulty, contest
	// date, URL); nothing in it changes a verdict.
	Meta map[string]string `json:"meta,omitempty"`
}

// PrivateTests returns the tests that decide the final verdict: Private
// followed by Generated.
func (p *Problem) PrivateTests() []Test {
	out := make([]Test, 0, len(p.Private)+len(p.Generated))
	out = append(out, p.Private...)
	return append(out, p.Generated...)
}

// Validate checks the invariants every loader must establish.
func (p *Problem) Validate() error {
	if p.ID == "" {
		return fmt.Errorf("problem has no id")
	}
	if !p.Mode.Valid() {
		return fmt.Errorf("problem %s: unknown mode %q", p.ID, p.Mode)
	}
	if (p.Mode == ModeFunction || p.Mode == ModeClassMethod) && p.EntryPoint == "" {
		return fmt.Errorf("problem %s: mode %s needs an entry point", p.ID, p.Mode)
	}
	if len(p.Public)+len(p.Private)+len(p.Generated) == 0 {
		return fmt.Errorf("problem %s: no tests", p.ID)
	}
	if p.ExpectedFromReference && len(p.Solutions) == 0 {
		return fmt.Errorf("problem %s: expected outputs come from a reference solution but it has none", p.ID)
	}
	if err := p.Judging.Validate(); err != nil {
		return fmt.Errorf("problem %s: %w", p.ID, err)
	}
	return nil
}

// Set is a loaded benchmark.
type Set struct {
	// Name is the benchmark name as given to --benchmark.
	Name string `json:"name"`
	// Version identifies the data (a file hash or release tag) so results
	// record exactly what they were judged against.
	Version string `json:"version"`
	// PublicSuite and PrivateSuite name the two test suites in reports and
	// judge output: "public"/"private", or "base"/"plus" for EvalPlus sets.
	PublicSuite  string `json:"public_suite"`
	PrivateSuite string `json:"private_suite"`
	// PassNeedsPublic: a sample passes only if it passes the public suite as
	// well as the private one (EvalPlus: base and plus). Otherwise the
	// private suite alone decides (CodeContests as RLEF scores it).
	PassNeedsPublic bool `json:"pass_needs_public"`
	// Problems in file order.
	Problems []*Problem `json:"problems"`

	// index maps ids to problems; built by BuildIndex (every loader calls
	// it). Lookup falls back to a scan when it is missing or stale.
	index map[string]*Problem
}

// BuildIndex indexes the problems by id for Lookup. It fails on an empty
// or duplicate id. Call it again after changing Problems; Lookup stays
// correct without it, only slower.
func (s *Set) BuildIndex() error {
	index := make(map[string]*Problem, len(s.Problems))
	for i, p := range s.Problems {
		if p == nil || p.ID == "" {
			return fmt.Errorf("set %s: problem %d has no id", s.Name, i)
		}
		if _, dup := index[p.ID]; dup {
			return fmt.Errorf("set %s: duplicate problem id %q", s.Name, p.ID)
		}
		index[p.ID] = p
	}
	s.index = index
	return nil
}

// Lookup returns the problem with the given id. It is safe for concurrent
// use as long as nobody modifies the set.
func (s *Set) Lookup(id string) (*Problem, bool) {
	if s.index != nil && len(s.index) == len(s.Problems) {
		if p, ok := s.index[id]; ok && p.ID == id {
			return p, true
		}
	}
	for _, p := range s.Problems {
		if p != nil && p.ID == id {
			return p, true
		}
	}
	return nil, false
}

// Filter returns a new set, with the same name, version and suites, that
// holds the problems for which keep returns true (for example a
// LiveCodeBench contest-date window). The problems are shared, not copied.
func (s *Set) Filter(keep func(*Problem) bool) *Set {
	out := &Set{
		Name:            s.Name,
		Version:         s.Version,
		PublicSuite:     s.PublicSuite,
		PrivateSuite:    s.PrivateSuite,
		PassNeedsPublic: s.PassNeedsPublic,
	}
	for _, p := range s.Problems {
		if keep(p) {
			out.Problems = append(out.Problems, p)
		}
	}
	// Ids were unique in s, so they are unique here.
	_ = out.BuildIndex()
	return out
}
