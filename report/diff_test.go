package report

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// apply rebuilds both sides of a diff.
func apply(d []DiffLine) (old, new []string) {
	for _, l := range d {
		switch l.Op {
		case DiffEqual:
			old, new = append(old, l.Text), append(new, l.Text)
		case DiffDelete:
			old = append(old, l.Text)
		case DiffInsert:
			new = append(new, l.Text)
		}
	}
	return old, new
}

func render(d []DiffLine) string {
	var b strings.Builder
	for _, l := range d {
		b.WriteByte(byte(l.Op))
		b.WriteString(l.Text)
		b.WriteByte('\n')
	}
	return b.String()
}

func TestLineDiff(t *testing.T) {
	cases := []struct {
		name, a, b, want string
	}{
		{"same", "x\ny\n", "x\ny\n", " x\n y\n"},
		{"empty to text", "", "a\nb", "+a\n+b\n"},
		{"text to empty", "a\n", "", "-a\n"},
		{"change one line", "n = int(input())\nprint(n)\nexit()\n", "n = int(input())\nprint(n + 1)\nexit()\n",
			" n = int(input())\n-print(n)\n+print(n + 1)\n exit()\n"},
		{"insert", "a\nc", "a\nb\nc", " a\n+b\n c\n"},
		// Myers' paper example: ABCABBA → CBABAC, D = 5.
		{"myers", "A\nB\nC\nA\nB\nB\nA", "C\nB\nA\nB\nA\nC", ""},
		{"crlf", "a\r\nb\r\n", "a\nb\n", " a\n b\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := LineDiff(c.a, c.b)
			if c.want != "" && render(d) != c.want {
				t.Errorf("diff:\n%s\nwant:\n%s", render(d), c.want)
			}
			old, new := apply(d)
			if strings.Join(old, "\n") != strings.Join(splitLines(c.a), "\n") || strings.Join(new, "\n") != strings.Join(splitLines(c.b), "\n") {
				t.Errorf("diff does not rebuild its inputs:\n%s", render(d))
			}
			edits := 0
			for _, l := range d {
				if l.Op != DiffEqual {
					edits++
				}
			}
			if c.name == "myers" && edits != 5 {
				t.Errorf("myers example: %d edits, want 5\n%s", edits, render(d))
			}
		})
	}
}

// Random edits: the diff rebuilds both sides, numbers lines right and is
// never longer than the edit script that made it.
func TestLineDiffRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 200 {
		var a []string
		for j := range rng.IntN(30) {
			a = append(a, fmt.Sprintf("line %d", rng.IntN(8)+j%3))
		}
		b := append([]string(nil), a...)
		ops := rng.IntN(6)
		for range ops {
			switch p := rng.IntN(len(b) + 1); {
			case rng.IntN(2) == 0 && p < len(b):
				b = append(b[:p], b[p+1:]...)
			default:
				b = append(b[:p], append([]string{fmt.Sprintf("new %d", rng.IntN(5))}, b[p:]...)...)
			}
		}
		d := LineDiff(strings.Join(a, "\n"), strings.Join(b, "\n"))
		old, new := apply(d)
		if strings.Join(old, "\n") != strings.Join(a, "\n") || strings.Join(new, "\n") != strings.Join(b, "\n") {
			t.Fatalf("case %d: diff does not rebuild its inputs", i)
		}
		edits := 0
		for _, l := range d {
			if l.Op != DiffEqual {
				edits++
			} else if a[l.Old-1] != l.Text || b[l.New-1] != l.Text {
				t.Fatalf("case %d: wrong line numbers %+v", i, l)
			}
		}
		if edits > ops {
			t.Fatalf("case %d: %d edits for %d random edit operations", i, edits, ops)
		}
	}
}

func TestFoldDiff(t *testing.T) {
	var a, b []string
	for i := range 20 {
		a = append(a, fmt.Sprint(i))
		b = append(b, fmt.Sprint(i))
	}
	b[10] = "ten"
	d := FoldDiff(LineDiff(strings.Join(a, "\n"), strings.Join(b, "\n")), 2)
	want := "~8 unchanged lines\n 8\n 9\n-10\n+ten\n 11\n 12\n~7 unchanged lines\n"
	if got := render(d); got != want {
		t.Errorf("folded:\n%s\nwant:\n%s", got, want)
	}
}
