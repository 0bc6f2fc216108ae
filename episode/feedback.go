package episode

import (
	"fmt"
	"strings"

	"github.com/rlef/rlef/internal/textclip"
	"github.com/rlef/rlef/judge"
	"github.com/rlef/rlef/verdict"
)

// DefaultMaxField caps each input, output or trace quoted in feedback.
// The paper states no cap; a program that prints megabytes would
// otherwise overflow the model's context.
const DefaultMaxField = 4000

// Feedback renders execution feedback on the public tests with the
// paper's templates: for stdin/stdout problems one bullet per failing
// test (wrong output, stack trace, timeout, out of memory); for
// function-call problems every test in order, failures with their
// assertion error or stack trace and successes too.
func Feedback(f Family, suite *judge.SuiteResult, maxField int) string {
	if maxField <= 0 {
		maxField = DefaultMaxField
	}
	clip := func(s string) string { return clipText(s, maxField) }
	var b strings.Builder
	switch f {
	case FamilyCodeContests:
		b.WriteString("Your code failed the following tests:\n\n")
		for _, t := range suite.Tests {
			if t.Verdict.Passed() {
				continue
			}
			prefix := "- input " + fence(clip(t.Input)) + " failed"
			switch t.Verdict {
			case verdict.TimeLimit:
				b.WriteString(prefix + ": Execution took too long.\n")
			case verdict.MemoryLimit:
				b.WriteString(prefix + ": Out of memory.\n")
			case verdict.WrongAnswer, verdict.OutputLimit:
				b.WriteString(prefix + ":\nExpected output " + fence(clip(t.Expected)) + " but got " + fence(clip(t.Actual)) + "\n")
			default:
				b.WriteString(prefix + ":\n" + clip(stackTrace(&t)) + "\n")
			}
		}
		b.WriteString("\nGive it another try.\n" + codeInstruction)
	default:
		b.WriteString("Your code failed some test cases:\n\n")
		for _, t := range suite.Tests {
			test := fence(clip(testText(&t)))
			switch t.Verdict {
			case verdict.Accepted, verdict.OK:
				b.WriteString("- Success: " + test + "\n")
			case verdict.TimeLimit:
				b.WriteString("- Failure: " + test + ":\nExecution took too long.\n")
			case verdict.MemoryLimit:
				b.WriteString("- Failure: " + test + ":\nOut of memory.\n")
			case verdict.WrongAnswer:
				b.WriteString("- Failure: " + test + ":\n" + fence(clip(assertionError(&t))) + "\n")
			default:
				b.WriteString("- Failure: " + test + ":\n" + clip(stackTrace(&t)) + "\n")
			}
		}
		b.WriteString("\nGive it another try.")
		if f != FamilyHumanEval {
			b.WriteString("\n" + codeInstruction)
		}
	}
	return b.String()
}

// testText is how a function-call test is shown: as an assert statement.
func testText(t *judge.TestResult) string {
	if t.Assertion != "" {
		return t.Assertion
	}
	return strings.TrimSpace(t.Input)
}

// assertionError is the failed assertion with its run-time values.
func assertionError(t *judge.TestResult) string {
	if t.AssertionError != "" {
		return t.AssertionError
	}
	if t.Actual != "" || t.Expected != "" {
		return fmt.Sprintf("AssertionError: %s != %s", t.Actual, t.Expected)
	}
	if t.Error != "" {
		return t.Error
	}
	return "AssertionError"
}

// stackTrace is what an exception (or a compile error) shows.
func stackTrace(t *judge.TestResult) string {
	for _, s := range []string{t.Traceback, t.Stderr, t.Error, t.Message} {
		if s = strings.TrimRight(s, "\n"); s != "" {
			return s
		}
	}
	return string(t.Verdict)
}

// clipText keeps the head and tail of a long text, at most max bytes of
// it, cut on character boundaries.
func clipText(s string, max int) string {
	s, _ = textclip.Middle(s, max, max*3/4, func(omitted int) string {
		return fmt.Sprintf("\n... (%d characters omitted) ...\n", omitted)
	})
	return s
}
