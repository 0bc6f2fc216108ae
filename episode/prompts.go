package episode

import (
	"strings"

	"github.com/rlef/rlef/dataset"
)

// Family selects the prompt and feedback templates. The paper gives
// templates for CodeContests (stdio), HumanEval+ and MBPP+ (§1.3 of the
// research notes, App. C.4/C.5); other benchmarks use the closest one.
type Family string

const (
	// FamilyCodeContests: competitive programming, stdin/stdout.
	FamilyCodeContests Family = "codecontests"
	// FamilyHumanEval: complete a function from its signature and
	// docstring; tests are listed one by one, successes included.
	FamilyHumanEval Family = "humaneval"
	// FamilyMBPP: write a function from a one-line description and its
	// example asserts.
	FamilyMBPP Family = "mbpp"
	// FamilyLeetCode: a statement plus a class Solution starter
	// (LiveCodeBench functional problems). Not in the paper: it uses the
	// CodeContests wording with the starter code appended.
	FamilyLeetCode Family = "leetcode"
)

// codeInstruction ends the CodeContests and MBPP+ prompts and feedback.
const codeInstruction = "Your code should be enclosed in triple backticks like so: ```python YOUR CODE HERE ```. Use the backticks for your code only."

// FamilyOf picks the templates for a problem of the named benchmark.
func FamilyOf(benchmark string, p *dataset.Problem) Family {
	b := strings.ToLower(benchmark)
	switch {
	case strings.HasPrefix(b, "mbpp"):
		return FamilyMBPP
	case strings.HasPrefix(b, "humaneval"):
		return FamilyHumanEval
	}
	switch p.Mode {
	case dataset.ModeStdio:
		return FamilyCodeContests
	case dataset.ModeClassMethod:
		return FamilyLeetCode
	}
	if p.StarterCode != "" {
		return FamilyHumanEval
	}
	return FamilyMBPP
}

// InitialPrompt renders the first user message and, for HumanEval-style
// problems, the assistant prefill: the paper gives the problem prompt
// again at the start of each response, for the model to complete.
func InitialPrompt(f Family, p *dataset.Problem) (user, prefill string) {
	switch f {
	case FamilyHumanEval:
		prompt := p.StarterCode
		if prompt == "" {
			prompt = p.Statement
		}
		return "Write a solution to the following problem and make sure that it passes the tests:\n" + prompt,
			"```python\n" + prompt
	case FamilyMBPP:
		text, tests := mbppParts(p)
		return "Provide a Python solution for the following problem: " + text + "\n" +
			"Your code should pass these tests:\n\n" + tests + "\n\n" + codeInstruction, ""
	case FamilyLeetCode:
		user = "Provide a Python solution for the following competitive programming question: " + strings.TrimSpace(p.Statement) + ".\n\n"
		if p.StarterCode != "" {
			user += "Use the following starter code:\n```python\n" + strings.TrimRight(p.StarterCode, "\n") + "\n```\n\n"
		}
		return user + codeInstruction, ""
	default:
		return "Provide a Python solution for the following competitive programming question: " + p.Statement + ".\n\n" + codeInstruction, ""
	}
}

// mbppParts splits an MBPP-style problem into its description and the
// assert lines to show. MBPP+ statements are EvalPlus's docstring prompts
// (description plus one example assert); MBPP statements are the plain
// description with the tests in Public.
func mbppParts(p *dataset.Problem) (text, tests string) {
	var desc, asserts []string
	for _, line := range strings.Split(p.Statement, "\n") {
		t := strings.TrimSpace(line)
		switch {
		case t == `"""` || t == `'''` || t == "":
		case strings.HasPrefix(t, "assert "):
			asserts = append(asserts, t)
		default:
			desc = append(desc, strings.Trim(t, `"'`))
		}
	}
	if a := p.Meta[dataset.MetaAssertion]; a != "" {
		asserts = nil
		for _, line := range strings.Split(a, "\n") {
			if t := strings.TrimSpace(line); t != "" {
				asserts = append(asserts, t)
			}
		}
	}
	if len(asserts) == 0 {
		for _, t := range p.Public {
			if t.Code != "" {
				asserts = append(asserts, strings.TrimSpace(t.Code))
			}
		}
	}
	return strings.Join(desc, " "), strings.Join(asserts, "\n")
}

// invalidFeedback is what a turn without code gets. The paper does not say
// (it only penalises such turns); this repeats the instruction.
func invalidFeedback(f Family) string {
	if f == FamilyHumanEval {
		return "Your response did not contain a complete Python code block.\n\nGive it another try."
	}
	return "Your response did not contain a Python code block.\n\nGive it another try.\n" + codeInstruction
}

// noFeedback is the "no execution feedback" ablation's follow-up.
func noFeedback(f Family) string {
	if f == FamilyHumanEval {
		return "Give it another try."
	}
	return "Give it another try.\n" + codeInstruction
}

// fence wraps text in single backticks the way the paper's templates do
// (inputs and outputs are inserted raw, multi-line included).
func fence(s string) string { return "`" + s + "`" }
