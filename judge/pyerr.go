package judge

import (
	"regexp"
	"strings"
)

// syntaxErrorRE matches the last line of a Python compile error.
var syntaxErrorRE = regexp.MustCompile(`^(SyntaxError|IndentationError|TabError)(: .*)?$`)

// isPythonCompileError reports whether stderr is the report of a Python
// program that did not compile: the interpreter prints the error without a
// "Traceback" header, because no code ran.
func isPythonCompileError(stderr string) bool {
	s := strings.TrimSpace(stderr)
	if !strings.HasPrefix(s, `File "`) || strings.Contains(s, "Traceback (most recent call last):") {
		return false
	}
	return syntaxErrorRE.MatchString(lastLine(s))
}

// pythonTraceback returns the last traceback in stderr (from its
// "Traceback (most recent call last):" line to the end), or "".
func pythonTraceback(stderr string) string {
	k := strings.LastIndex(stderr, "Traceback (most recent call last):")
	if k < 0 {
		return ""
	}
	return strings.TrimRight(stderr[k:], "\n") + "\n"
}

// lastLine returns the last non-empty line of s, trimmed.
func lastLine(s string) string {
	s = strings.TrimRight(s, " \t\r\n")
	if k := strings.LastIndexByte(s, '\n'); k >= 0 {
		s = s[k+1:]
	}
	return strings.TrimSpace(s)
}

// clip keeps at most n bytes of s (the head and the tail), reporting
// whether it cut anything. Cuts fall on UTF-8 boundaries.
func clip(s string, n int) (string, bool) {
	if len(s) <= n || n <= 0 {
		return s, false
	}
	head, tail := n/2, n-n/2
	h := s[:head]
	for len(h) > 0 && !isRuneStart(s[len(h)]) {
		h = h[:len(h)-1]
	}
	t := s[len(s)-tail:]
	for len(t) > 0 && !isRuneStart(t[0]) {
		t = t[1:]
	}
	return h + "\n…(output truncated)…\n" + t, true
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }

func clipString(s string, n int) string {
	c, _ := clip(s, n)
	return c
}
