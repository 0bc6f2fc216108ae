package dataset

import (
	"regexp"
	"strings"
)

// Example is one input/output example found in a problem statement.
type Example struct {
	Input  string
	Output string
}

var (
	// "Example", "Examples", "-----Examples-----", "Example 1", "Sample
	// tests" ... introduce the example section of a statement.
	exampleHeaderRE = regexp.MustCompile(`(?i)^(examples?|sample tests?|samples?)(\s*\d+)?\s*:?$`)
	// "Input"/"Output" block headers. A "Sample" prefix or a number makes
	// them example headers anywhere in the statement.
	inputHeaderRE  = regexp.MustCompile(`(?i)^(sample\s+|example\s+)?input(\s*#?\s*\d+)?\s*:?$`)
	outputHeaderRE = regexp.MustCompile(`(?i)^(sample\s+|example\s+)?output(\s*#?\s*\d+)?\s*:?$`)
	// Anything else that ends an example block.
	sectionEndRE = regexp.MustCompile(`(?i)^(note|notes|explanation|hint|constraints|time limit:.*|memory limit:.*|-{3,}.*-{3,})$`)
)

// headerText strips decoration around a potential header line:
// "-----Sample Input 1-----" becomes "Sample Input 1".
func headerText(line string) string {
	s := strings.TrimSpace(line)
	s = strings.Trim(s, "-=*#")
	return strings.TrimSpace(s)
}

// ExtractExamples finds the example input/output pairs of a
// competitive-programming statement. It understands the CodeContests layout
// ("Example"/"Examples" followed by "Input" and "Output" blocks), the APPS
// and TACO layouts ("-----Example-----" with "Input"/"Output",
// "-----Sample Input 1-----"/"-----Sample Output 1-----") and plain
// "Sample Input"/"Sample Output" headers. Plain "Input"/"Output" headers
// only count after an example header, because statements also use them
// for the input and output format sections. Block text keeps its lines
// with surrounding blank lines removed. The result is best effort; callers
// match it against real tests (MatchExamples).
func ExtractExamples(statement string) []Example {
	lines := strings.Split(strings.ReplaceAll(statement, "\r\n", "\n"), "\n")
	var (
		out       []Example
		inSection bool   // after an "Examples" header
		mode      string // "in", "out" or ""
		buf       []string
		pendingIn *string
	)
	flush := func() {
		text := trimBlankLines(buf)
		switch mode {
		case "in":
			t := text
			pendingIn = &t
		case "out":
			if pendingIn != nil {
				out = append(out, Example{Input: *pendingIn, Output: text})
				pendingIn = nil
			}
		}
		buf = nil
		mode = ""
	}
	for _, line := range lines {
		h := headerText(line)
		isDecorated := strings.HasPrefix(strings.TrimSpace(line), "---")
		switch {
		case exampleHeaderRE.MatchString(h):
			flush()
			inSection = true
			pendingIn = nil
		case inputHeaderRE.MatchString(h) && (inSection || isSampleHeader(h)):
			flush()
			mode = "in"
		case outputHeaderRE.MatchString(h) && (inSection || isSampleHeader(h)) && (mode == "in" || pendingIn != nil):
			flush()
			mode = "out"
		case (inputHeaderRE.MatchString(h) || outputHeaderRE.MatchString(h)) && isDecorated:
			// "-----Input-----" format sections before the examples.
			flush()
			inSection = false
		case sectionEndRE.MatchString(strings.TrimSpace(line)) || (isDecorated && h != ""):
			flush()
			inSection = false
		default:
			if mode != "" {
				buf = append(buf, line)
			}
		}
	}
	flush()
	return out
}

// isSampleHeader reports whether an Input/Output header is explicitly an
// example ("Sample Input", "Input 1", "Example Input").
func isSampleHeader(h string) bool {
	l := strings.ToLower(h)
	if strings.HasPrefix(l, "sample") || strings.HasPrefix(l, "example") {
		return true
	}
	return strings.ContainsAny(l, "0123456789")
}

// trimBlankLines joins lines, dropping leading and trailing blank ones.
func trimBlankLines(lines []string) string {
	start, end := 0, len(lines)
	for start < end && strings.TrimSpace(lines[start]) == "" {
		start++
	}
	for end > start && strings.TrimSpace(lines[end-1]) == "" {
		end--
	}
	return strings.Join(lines[start:end], "\n")
}

// normalizeWS collapses all whitespace runs to one space and trims.
func normalizeWS(s string) string { return strings.Join(strings.Fields(s), " ") }

// MatchExamples splits tests into those that are statement examples
// (public) and the rest (private), preserving order within each. An
// example matches the first unused test whose input equals the example
// input after collapsing whitespace (and, when several tests share that
// input, whose output also matches). The public tests keep the test's own
// input and output text, not the statement's.
func MatchExamples(examples []Example, tests []Test) (public, private []Test) {
	used := make([]bool, len(tests))
	// Unused test indices by normalised input, in order.
	byInput := map[string][]int{}
	for i, t := range tests {
		k := normalizeWS(t.Input)
		byInput[k] = append(byInput[k], i)
	}
	for _, ex := range examples {
		key := normalizeWS(ex.Input)
		cands := byInput[key]
		if len(cands) == 0 {
			continue
		}
		pick := 0
		if len(cands) > 1 {
			// Prefer a test whose output also matches; look at a bounded
			// number of candidates so hostile input stays linear.
			outText := normalizeWS(ex.Output)
			for j, i := range cands[:min(len(cands), 64)] {
				if normalizeWS(tests[i].Output) == outText {
					pick = j
					break
				}
			}
		}
		used[cands[pick]] = true
		copy(cands[1:pick+1], cands[:pick]) // drop cands[pick], keep order
		byInput[key] = cands[1:]
	}
	for i, t := range tests {
		if used[i] {
			public = append(public, t)
		} else {
			private = append(private, t)
		}
	}
	return public, private
}
