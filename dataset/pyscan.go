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
	s := &lineSplitter{src: strings.ReplaceAll(src, "\r\n", "\n")}
	for i := 0; i < len(s.src); i++ {
		if s.quote != 0 {
			i = s.inString(i)
		} else {
			i = s.inCode(i)
		}
	}
	if s.physBeg < len(s.src) {
		s.flushPhys(len(s.src))
	}
	s.finishLogical()
	return s.out
}

// lineSplitter is splitPyLines' state.
type lineSplitter struct {
	src       string
	out       []pyLine
	cur       pyLine
	physBeg   int  // where the current physical line starts
	depth     int  // open brackets
	quote     byte // 0 outside a string
	triple    bool
	begInStr  bool // the current physical line starts inside a string
	hasCode   bool // the current logical line holds code
	continued bool // a backslash continuation is pending
}

func (s *lineSplitter) flushPhys(end int) {
	s.cur.Phys = append(s.cur.Phys, s.src[s.physBeg:end])
	s.cur.InString = append(s.cur.InString, s.begInStr)
}

func (s *lineSplitter) finishLogical() {
	if len(s.cur.Phys) > 0 {
		first := s.cur.Phys[0]
		s.cur.Indent = first[:len(first)-len(strings.TrimLeft(first, " \t"))]
		s.cur.Blank = !s.hasCode
		s.out = append(s.out, s.cur)
	}
	s.cur = pyLine{}
	s.hasCode = false
}

// inString scans the byte at i inside a string literal and returns the
// index of the last byte it consumed.
func (s *lineSplitter) inString(i int) int {
	src, c := s.src, s.src[i]
	switch {
	case c == '\\':
		if i+1 < len(src) && src[i+1] == '\n' {
			// Escaped newline inside a string: the next physical
			// line starts inside the string.
			s.flushPhys(i + 1)
			i++
			s.physBeg = i + 1
			s.begInStr = true
			return i
		}
		i++
	case c == '\n':
		s.flushPhys(i)
		s.physBeg = i + 1
		s.begInStr = true
		if !s.triple {
			// Unterminated single-quoted string: Python would
			// reject it; end the string here to resynchronise.
			s.quote = 0
			s.begInStr = false
		}
	case c == s.quote:
		if !s.triple {
			s.quote = 0
		} else if strings.HasPrefix(src[i:], strings.Repeat(string(s.quote), 3)) {
			s.quote = 0
			i += 2
		}
	}
	return i
}

// inCode scans the byte at i outside strings and returns the index of the
// last byte it consumed.
func (s *lineSplitter) inCode(i int) int {
	src, c := s.src, s.src[i]
	switch c {
	case '#':
		for i+1 < len(src) && src[i+1] != '\n' {
			i++
		}
	case '\'', '"':
		s.hasCode = true
		s.quote = c
		s.triple = strings.HasPrefix(src[i:], strings.Repeat(string(c), 3))
		if s.triple {
			i += 2
		}
	case '(', '[', '{':
		s.hasCode = true
		s.depth++
	case ')', ']', '}':
		s.hasCode = true
		if s.depth > 0 {
			s.depth--
		}
	case '\\':
		if i+1 < len(src) && src[i+1] == '\n' {
			s.continued = true
		}
		s.hasCode = true
	case '\n':
		s.flushPhys(i)
		s.physBeg = i + 1
		s.begInStr = false
		if s.depth == 0 && !s.continued {
			s.finishLogical()
		}
		s.continued = false
	case ' ', '\t', '\f':
	default:
		s.hasCode = true
	}
	return i
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
	checkAt, param := findCheckDef(lines)
	if checkAt < 0 {
		return nil, false
	}
	body, indent := checkBody(lines, checkAt)
	if indent == "" {
		return nil, true
	}
	prelude := checkPrelude(lines[:checkAt])
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

// findCheckDef finds the top-level "def check(param):" line; at is -1
// when there is none.
func findCheckDef(lines []pyLine) (at int, param string) {
	for i, l := range lines {
		if l.Blank || l.Indent != "" {
			continue
		}
		if m := checkDefRE.FindStringSubmatch(strings.TrimSpace(l.Phys[0])); m != nil && len(l.Phys) == 1 {
			return i, m[1]
		}
	}
	return -1, ""
}

// checkBody returns the lines of check's body (up to the next non-blank
// top-level line) and the body's indentation ("" for an empty body).
func checkBody(lines []pyLine, checkAt int) (body []pyLine, indent string) {
	end := len(lines)
	for i := checkAt + 1; i < len(lines); i++ {
		if !lines[i].Blank && lines[i].Indent == "" {
			end = i
			break
		}
	}
	body = lines[checkAt+1 : end]
	for _, l := range body {
		if !l.Blank {
			return body, l.Indent
		}
	}
	return body, ""
}

// checkPrelude returns the module-level statements before check (helpers,
// constants), except the METADATA dictionary, which bracket folding keeps
// on one logical line.
func checkPrelude(lines []pyLine) []string {
	var prelude []string
	for _, l := range lines {
		if l.Blank || l.Indent == "" && strings.HasPrefix(strings.TrimSpace(l.Phys[0]), "METADATA") {
			continue
		}
		prelude = append(prelude, l.text())
	}
	return prelude
}
