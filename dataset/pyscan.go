package dataset

import (
	"regexp"
	"strings"
)

// This file splits Python source into logical lines (a statement together
// with its bracketed, triple-quoted or backslash continuations), enough to
// pull single assert statements out of HumanEval's check() function. It is
// a scanner, not a parser: it tracks strings, comments, brackets and
// indentation and nothing else.

// pyLine is one logical line.
type pyLine struct {
	// Physical lines making up the logical line, without line endings.
	Phys []string
	// InString[i] reports whether Phys[i] begins inside a string literal
	// (its leading whitespace is string content and must be kept).
	InString []bool
	// Indent is the leading whitespace of the first physical line.
	Indent string
	// Blank is true for empty and comment-only lines.
	Blank bool
}

// text is the logical line's source.
func (l pyLine) text() string { return strings.Join(l.Phys, "\n") }

// dedent removes prefix from each physical line that starts with it and
// does not begin inside a string.
func (l pyLine) dedent(prefix string) string {
	out := make([]string, len(l.Phys))
	for i, ph := range l.Phys {
		if !l.InString[i] {
			ph = strings.TrimPrefix(ph, prefix)
		}
		out[i] = ph
	}
	return strings.Join(out, "\n")
}

// firstWord is the statement's first identifier-like word.
func (l pyLine) firstWord() string {
	s := strings.TrimSpace(l.Phys[0])
	if strings.HasPrefix(s, "@") {
		return "@"
	}
	end := 0
	for end < len(s) && (s[end] == '_' || isAlnum(s[end])) {
		end++
	}
	return s[:end]
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// splitPyLines splits src into logical lines. It never fails: unbalanced
// brackets or unterminated strings simply extend the last logical line to
// the end of the input.
func splitPyLines(src string) []pyLine {
	src = strings.ReplaceAll(src, "\r\n", "\n")
	var (
		out      []pyLine
		cur      pyLine
		physBeg  = 0
		depth    = 0
		quote    byte // 0 outside a string
		triple   bool
		begInStr = false
		hasCode  = false
	)
	flushPhys := func(end int) {
		cur.Phys = append(cur.Phys, src[physBeg:end])
		cur.InString = append(cur.InString, begInStr)
	}
	finishLogical := func() {
		if len(cur.Phys) > 0 {
			first := cur.Phys[0]
			cur.Indent = first[:len(first)-len(strings.TrimLeft(first, " \t"))]
			cur.Blank = !hasCode
			out = append(out, cur)
		}
		cur = pyLine{}
		hasCode = false
	}
	continued := false // a backslash continuation is pending
	for i := 0; i < len(src); i++ {
		c := src[i]
		if quote != 0 {
			switch {
			case c == '\\':
				if i+1 < len(src) && src[i+1] == '\n' {
					// Escaped newline inside a string: the next physical
					// line starts inside the string.
					flushPhys(i + 1)
					i++
					physBeg = i + 1
					begInStr = true
					continue
				}
				i++
			case c == '\n':
				flushPhys(i)
				physBeg = i + 1
				begInStr = true
				if !triple {
					// Unterminated single-quoted string: Python would
					// reject it; end the string here to resynchronise.
					quote = 0
					begInStr = false
				}
			case c == quote:
				if !triple {
					quote = 0
				} else if strings.HasPrefix(src[i:], strings.Repeat(string(quote), 3)) {
					quote = 0
					i += 2
				}
			}
			continue
		}
		switch c {
		case '#':
			for i+1 < len(src) && src[i+1] != '\n' {
				i++
			}
		case '\'', '"':
			hasCode = true
			quote = c
			triple = strings.HasPrefix(src[i:], strings.Repeat(string(c), 3))
			if triple {
				i += 2
			}
		case '(', '[', '{':
			hasCode = true
			depth++
		case ')', ']', '}':
			hasCode = true
			if depth > 0 {
				depth--
			}
		case '\\':
			if i+1 < len(src) && src[i+1] == '\n' {
				continued = true
			}
			hasCode = true
		case '\n':
			flushPhys(i)
			physBeg = i + 1
			begInStr = false
			if depth == 0 && !continued {
				finishLogical()
			}
			continued = false
		case ' ', '\t', '\f':
		default:
			hasCode = true
		}
	}
	if physBeg < len(src) {
		flushPhys(len(src))
	}
	finishLogical()
	return out
}

var checkDefRE = regexp.MustCompile(`^def\s+check\s*\(\s*([A-Za-z_][A-Za-z_0-9]*)\s*\)\s*(->[^:]*)?:\s*(#.*)?$`)

// isCompoundWord reports whether a statement starting with word owns an
// indented block.
func isCompoundWord(word string) bool {
	switch word {
	case "for", "while", "if", "elif", "else", "with", "try", "except", "finally",
		"def", "class", "async", "match", "case", "@":
		return true
	}
	return false
}

// extractCheckAsserts pulls the top-level assert statements out of a
// HumanEval-style test program (module code defining check(candidate)).
// Each returned snippet is standalone: it binds the check parameter to
// entryPoint, replays the simple statements (imports, assignments,
// expressions) that precede the assert at the top level of check's body,
// and then runs the assert, all dedented to module level. Module-level
// statements of the test program other than check itself and the METADATA
// dictionary are prepended as well. Asserts that do not mention the
// parameter (assert True, ...) and asserts nested in loops or other blocks
// are skipped. ok is false when no check function is found.
func extractCheckAsserts(test, entryPoint string) (asserts []string, ok bool) {
	lines := splitPyLines(test)
	checkAt, param := -1, ""
	for i, l := range lines {
		if l.Blank || l.Indent != "" {
			continue
		}
		if m := checkDefRE.FindStringSubmatch(strings.TrimSpace(l.Phys[0])); m != nil && len(l.Phys) == 1 {
			checkAt, param = i, m[1]
			break
		}
	}
	if checkAt < 0 {
		return nil, false
	}
	// Body: lines after the def up to the next non-blank top-level line.
	end := len(lines)
	for i := checkAt + 1; i < len(lines); i++ {
		if !lines[i].Blank && lines[i].Indent == "" {
			end = i
			break
		}
	}
	body := lines[checkAt+1 : end]
	indent := ""
	for _, l := range body {
		if !l.Blank {
			indent = l.Indent
			break
		}
	}
	if indent == "" {
		return nil, true
	}
	// Module-level statements before check (helpers, constants), except
	// the METADATA dictionary, which bracket folding keeps on one logical
	// line.
	var prelude []string
	for _, l := range lines[:checkAt] {
		if l.Blank || l.Indent == "" && strings.HasPrefix(strings.TrimSpace(l.Phys[0]), "METADATA") {
			continue
		}
		prelude = append(prelude, l.text())
	}
	paramRE := regexp.MustCompile(`\b` + regexp.QuoteMeta(param) + `\b`)
	var context []string
	for _, l := range body {
		if l.Blank {
			continue
		}
		if l.Indent != indent {
			// Inside the block of a compound statement: not top level.
			continue
		}
		word := l.firstWord()
		switch {
		case isCompoundWord(word):
			// Loops, conditionals and nested definitions are left to the
			// full check(); they may hold randomized tests.
		case word == "assert":
			if !paramRE.MatchString(l.text()) {
				continue
			}
			var b strings.Builder
			for _, p := range prelude {
				b.WriteString(p)
				b.WriteString("\n")
			}
			b.WriteString(param + " = " + entryPoint + "\n")
			for _, c := range context {
				b.WriteString(c)
				b.WriteString("\n")
			}
			b.WriteString(l.dedent(indent))
			asserts = append(asserts, b.String())
		case word == "print" || word == "pass" || word == "return":
			// Noise that must not be replayed.
		default:
			context = append(context, l.dedent(indent))
		}
	}
	return asserts, true
}
