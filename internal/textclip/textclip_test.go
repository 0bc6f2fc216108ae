package textclip

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestHeadTail(t *testing.T) {
	tests := []struct {
		s          string
		n          int
		head, tail string
	}{
		{"abcdef", 10, "abcdef", "abcdef"},
		{"abcdef", 3, "abc", "def"},
		{"abcdef", 0, "", ""},
		{"abcdef", -1, "", ""},
		{"ééé", 3, "é", "é"},   // two bytes each: 3 bytes hold one
		{"ééé", 4, "éé", "éé"}, // a cut on a boundary stays
		{"a€b", 3, "a", "b"},   // € is three bytes
		{"a€b", 4, "a€", "€b"}, // exactly up to the character
		{"😀😀", 7, "😀", "😀"},    // four bytes each
		{"ab\x80\x80\x80\x80\x80cd", 6, "ab\x80\x80\x80\x80", "\x80\x80\x80\x80cd"}, // invalid: cut where asked
		{"ab\x80cd", 3, "ab\x80", "cd"},                                             // a stray byte counts as a character of its own
	}
	for _, tc := range tests {
		if got := Head(tc.s, tc.n); got != tc.head {
			t.Errorf("Head(%q, %d) = %q, want %q", tc.s, tc.n, got, tc.head)
		}
		if got := Tail(tc.s, tc.n); got != tc.tail {
			t.Errorf("Tail(%q, %d) = %q, want %q", tc.s, tc.n, got, tc.tail)
		}
	}
}

func TestMiddle(t *testing.T) {
	mark := func(n int) string { return fmt.Sprintf("[%d]", n) }
	tests := []struct {
		s       string
		n, head int
		want    string
		cut     bool
	}{
		{"short", 10, 5, "short", false},
		{"short", 0, 0, "short", false},
		{"0123456789", 4, 2, "01[6]89", true},
		{"0123456789", 4, 3, "012[6]9", true},
		{"ääääää", 5, 3, "ä[4]ä", true}, // 12 bytes; 3 bytes hold one ä, 2 hold one
		{"0123456789", 4, 9, "0123[6]", true},
	}
	for _, tc := range tests {
		got, cut := Middle(tc.s, tc.n, tc.head, mark)
		if got != tc.want || cut != tc.cut {
			t.Errorf("Middle(%q, %d, %d) = %q, %v; want %q, %v", tc.s, tc.n, tc.head, got, cut, tc.want, tc.cut)
		}
	}
}

func TestRunes(t *testing.T) {
	tests := []struct {
		s, want string
		n       int
		cut     bool
	}{
		{"héllo", "hél", 3, true},
		{"héllo", "héllo", 5, false},
		{"héllo", "héllo", 9, false},
		{"😀😀", "😀", 1, true},
		{"abc", "", 0, true},
		{"", "", 0, false},
	}
	for _, tc := range tests {
		if got, cut := Runes(tc.s, tc.n); got != tc.want || cut != tc.cut {
			t.Errorf("Runes(%q, %d) = %q, %v; want %q, %v", tc.s, tc.n, got, cut, tc.want, tc.cut)
		}
	}
}

func FuzzMiddle(f *testing.F) {
	f.Add("héllo wörld, ça va? 😀", 7, 3)
	f.Add(strings.Repeat("€", 40), 17, 8)
	f.Fuzz(func(t *testing.T, s string, n, head int) {
		got, cut := Middle(s, n, head, func(int) string { return "|" })
		if !cut {
			if got != s {
				t.Fatalf("uncut text changed: %q -> %q", s, got)
			}
			return
		}
		if len(got) > n+1 {
			t.Fatalf("Middle(%q, %d, %d) = %q: longer than the limit", s, n, head, got)
		}
		if utf8.ValidString(s) && !utf8.ValidString(got) {
			t.Fatalf("Middle(%q, %d, %d) = %q split a character", s, n, head, got)
		}
		h := Head(s, n)
		if !strings.HasPrefix(s, h) || len(h) > max(n, 0) || (utf8.ValidString(s) && !utf8.ValidString(h)) {
			t.Fatalf("Head(%q, %d) = %q", s, n, h)
		}
		if r, cut := Runes(s, n); !strings.HasPrefix(s, r) || (cut && utf8.RuneCountInString(r) != max(n, 0)) || (!cut && r != s) {
			t.Fatalf("Runes(%q, %d) = %q, %v", s, n, r, cut)
		}
		tl := Tail(s, n)
		if !strings.HasSuffix(s, tl) || len(tl) > max(n, 0) || (utf8.ValidString(s) && !utf8.ValidString(tl)) {
			t.Fatalf("Tail(%q, %d) = %q", s, n, tl)
		}
	})
}
