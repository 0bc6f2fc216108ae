package judge

import (
	"regexp"
	"strings"

	"github.com/rlef/rlef/internal/textclip"
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
	return textclip.Middle(s, n, n/2, func(int) string { return "\n…(output truncated)…\n" })
}

func clipString(s string, n int) string {
	c, _ := clip(s, n)
	return c
}
