package episode

import (
	"fmt"
	"strings"
)

// Rule is a code-extraction rule. The rule in force is recorded with every
// turn: extraction choices move scores more than most model differences
// (harness-and-rl-anchors.md A.9).
type Rule string

const (
	// LastFence takes the last fenced block in the target language (or,
	// if there is none, the last untagged one). The default: models tend
	// to put the final version last, after drafts.
	LastFence Rule = "last_fence"
	// FirstFence takes the first such block.
	FirstFence Rule = "first_fence"
	// LongestParseable takes the longest run of lines that parses as
	// Python (EvalPlus's sanitizer); it needs a Python parser, see
	// Extractor.
	LongestParseable Rule = "longest_parseable"
	// Raw takes the whole answer as code.
	Raw Rule = "raw"
)

// Rules lists the extraction rules.
var Rules = []Rule{LastFence, FirstFence, LongestParseable, Raw}

// ParseRule reads a rule name.
func ParseRule(s string) (Rule, error) {
	for _, r := range Rules {
		if string(r) == s {
			return r, nil
		}
	}
	return "", fmt.Errorf("unknown extraction rule %q (known: last_fence, first_fence, longest_parseable, raw)", s)
}

// block is one fenced code block.
type block struct {
	lang string
	code string
	// closed is false for a block cut off by the end of the text (a
	// truncated response).
	closed bool
}

// fencedBlocks finds ``` blocks. An opening fence is a line whose text
// starts with three or more backticks, optionally followed by a language
// tag; it closes at a line holding only at least as many backticks. A
// block that never closes runs to the end of the text. A fence opened and
// closed on one line (```python print(1) ```), as the paper's instruction
// literally shows, is a block too.
func fencedBlocks(text string) []block {
	var out []block
	lines := strings.Split(text, "\n")
	for i := 0; i < len(lines); i++ {
		t := strings.TrimSpace(lines[i])
		n := countBackticks(t)
		if n < 3 {
			continue
		}
		rest := t[n:]
		if j := strings.Index(rest, strings.Repeat("`", n)); j >= 0 {
			// One-line block: ```lang code ```.
			inner := strings.TrimSpace(rest[:j])
			lang, code, _ := strings.Cut(inner, " ")
			if code == "" && !isLangTag(lang) {
				lang, code = "", inner
			}
			out = append(out, block{lang: normLang(lang), code: strings.TrimSpace(code), closed: true})
			continue
		}
		lang := ""
		if f := strings.Fields(rest); len(f) > 0 {
			lang = normLang(f[0])
		}
		var body []string
		closed := false
		for i++; i < len(lines); i++ {
			c := strings.TrimSpace(lines[i])
			if countBackticks(c) >= n && strings.Trim(c, "`") == "" {
				closed = true
				break
			}
			body = append(body, lines[i])
		}
		out = append(out, block{lang: lang, code: strings.Join(body, "\n"), closed: closed})
	}
	return out
}

func countBackticks(s string) int {
	n := 0
	for n < len(s) && s[n] == '`' {
		n++
	}
	return n
}

func isLangTag(s string) bool {
	switch normLang(s) {
	case "python", "cpp", "text", "bash", "sh", "json", "c", "java", "go", "javascript", "plaintext", "output", "console":
		return true
	}
	return false
}

// normLang maps a fence tag to a canonical language name.
func normLang(tag string) string {
	switch t := strings.ToLower(strings.TrimSpace(tag)); t {
	case "python", "python3", "py", "py3", "python 3":
		return "python"
	case "cpp", "c++", "cxx", "cc":
		return "cpp"
	default:
		return t
	}
}

// extractFenced applies LastFence or FirstFence for a target language.
func extractFenced(text, lang string, last bool) (string, bool) {
	blocks := fencedBlocks(text)
	pick := func(match func(block) bool) (string, bool) {
		var found []block
		for _, b := range blocks {
			if match(b) && strings.TrimSpace(b.code) != "" {
				found = append(found, b)
			}
		}
		if len(found) == 0 {
			return "", false
		}
		if last {
			return found[len(found)-1].code, true
		}
		return found[0].code, true
	}
	if code, ok := pick(func(b block) bool { return b.lang == lang }); ok {
		return code, true
	}
	return pick(func(b block) bool { return b.lang == "" })
}

// Extract applies a rule that needs no parser (all but LongestParseable)
// to a model's answer. ok is false when the rule finds no code: the turn
// is invalid.
func Extract(answer string, rule Rule, lang string) (code string, ok bool) {
	if lang == "" {
		lang = "python"
	}
	switch rule {
	case FirstFence:
		return extractFenced(answer, lang, false)
	case Raw:
		code = strings.TrimSpace(answer)
		return code, code != ""
	default:
		return extractFenced(answer, lang, true)
	}
}
