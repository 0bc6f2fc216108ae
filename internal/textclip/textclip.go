// Package textclip shortens text shown to people (and to models) without
// splitting a UTF-8 encoded character. Head, Tail and Middle count bytes
// (limits on what is stored or sent), and a cut moves back to the nearest
// character boundary; Runes counts characters (limits on what is
// displayed).
//
// Python's own clipping, which counts code points, is pyvalue.Clip.
package textclip

import "unicode/utf8"

// Head returns the longest prefix of s that has at most n bytes and does
// not end inside a character. In text that is not valid UTF-8, a cut moves
// back at most utf8.UTFMax-1 bytes.
func Head(s string, n int) string {
	if n >= len(s) {
		return s
	}
	if n <= 0 {
		return ""
	}
	cut := n
	for cut > n-(utf8.UTFMax-1) && cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	if !utf8.RuneStart(s[cut]) {
		cut = n
	}
	return s[:cut]
}

// Tail returns the longest suffix of s that has at most n bytes and does
// not start inside a character, with the same bound as Head on how far a
// cut moves in text that is not valid UTF-8.
func Tail(s string, n int) string {
	if n >= len(s) {
		return s
	}
	if n <= 0 {
		return ""
	}
	start := len(s) - n
	cut := start
	for cut < start+utf8.UTFMax-1 && cut < len(s) && !utf8.RuneStart(s[cut]) {
		cut++
	}
	if cut < len(s) && !utf8.RuneStart(s[cut]) {
		cut = start
	}
	return s[cut:]
}

// Middle keeps the head and the tail of s when s is longer than n bytes:
// Head(s, head) and Tail(s, n-head), joined by mark(the number of
// characters left out between them). It reports whether it cut anything;
// n <= 0 means no limit.
func Middle(s string, n, head int, mark func(omitted int) string) (string, bool) {
	if n <= 0 || len(s) <= n {
		return s, false
	}
	head = min(max(head, 0), n)
	h, t := Head(s, head), Tail(s, n-head)
	omitted := utf8.RuneCountInString(s[len(h) : len(s)-len(t)])
	return h + mark(omitted) + t, true
}

// Runes returns the first n characters of s, for display where a
// character, not a byte, is the unit (table cells, chart labels); cut
// reports whether anything was left out.
func Runes(s string, n int) (prefix string, cut bool) {
	if n <= 0 {
		return "", s != ""
	}
	for i := range s {
		if n == 0 {
			return s[:i], true
		}
		n--
	}
	return s, false
}
