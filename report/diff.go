package report

import (
	"slices"
	"strconv"
	"strings"
)

// DiffOp is the kind of a diff line.
type DiffOp byte

// Diff operations; DiffFold stands for a run of unchanged lines left out.
const (
	DiffEqual  DiffOp = ' '
	DiffDelete DiffOp = '-'
	DiffInsert DiffOp = '+'
	DiffFold   DiffOp = '~'
)

// DiffLine is one line of a line diff.
type DiffLine struct {
	Op   DiffOp
	Text string
	// Old and New are 1-based line numbers in each text; 0 where the line
	// is absent. A fold's Old and New are its first lines and Text says
	// how many lines it hides.
	Old, New int
}

// maxDiffWork bounds the Myers search (N+M)·D; beyond it the diff falls
// back to replacing the differing middle wholesale.
const maxDiffWork = 1 << 20

// LineDiff returns a shortest line diff turning a into b (Myers 1986),
// after trimming their common prefix and suffix.
func LineDiff(a, b string) []DiffLine {
	la, lb := splitLines(a), splitLines(b)
	pre := 0
	for pre < len(la) && pre < len(lb) && la[pre] == lb[pre] {
		pre++
	}
	suf := 0
	for suf < len(la)-pre && suf < len(lb)-pre && la[len(la)-1-suf] == lb[len(lb)-1-suf] {
		suf++
	}
	var out []DiffLine
	for i := range pre {
		out = append(out, DiffLine{Op: DiffEqual, Text: la[i], Old: i + 1, New: i + 1})
	}
	for _, d := range myers(la[pre:len(la)-suf], lb[pre:len(lb)-suf]) {
		if d.Old > 0 {
			d.Old += pre
		}
		if d.New > 0 {
			d.New += pre
		}
		out = append(out, d)
	}
	for i := suf; i > 0; i-- {
		out = append(out, DiffLine{Op: DiffEqual, Text: la[len(la)-i], Old: len(la) - i + 1, New: len(lb) - i + 1})
	}
	return out
}

// splitLines splits text into lines without their terminators.
func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	s = strings.TrimSuffix(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	return strings.Split(s, "\n")
}

// myers is the O((N+M)D) greedy algorithm with a stored trace for the
// backtrack.
func myers(a, b []string) []DiffLine {
	n, m := len(a), len(b)
	if n == 0 || m == 0 {
		return replaceAll(a, b)
	}
	maxD := n + m
	off := maxD + 1
	v := make([]int, 2*maxD+3)
	var trace [][]int
	var final int
search:
	for d := 0; d <= maxD; d++ {
		if (n+m)*d > maxDiffWork {
			return replaceAll(a, b)
		}
		trace = append(trace, slices.Clone(v[off-d-1:off+d+2]))
		for k := -d; k <= d; k += 2 {
			var x int
			if k == -d || (k != d && v[off+k-1] < v[off+k+1]) {
				x = v[off+k+1]
			} else {
				x = v[off+k-1] + 1
			}
			y := x - k
			for x < n && y < m && a[x] == b[y] {
				x++
				y++
			}
			v[off+k] = x
			if x >= n && y >= m {
				final = d
				break search
			}
		}
	}
	var rev []DiffLine
	x, y := n, m
	for d := final; d >= 0; d-- {
		tv := trace[d] // v before round d, indices −d−1..d+1
		at := func(k int) int { return tv[k+d+1] }
		k := x - y
		var prevK int
		if k == -d || (k != d && at(k-1) < at(k+1)) {
			prevK = k + 1
		} else {
			prevK = k - 1
		}
		prevX := at(prevK)
		prevY := prevX - prevK
		for x > prevX && y > prevY {
			rev = append(rev, DiffLine{Op: DiffEqual, Text: a[x-1], Old: x, New: y})
			x--
			y--
		}
		if d > 0 {
			if x == prevX {
				rev = append(rev, DiffLine{Op: DiffInsert, Text: b[y-1], New: y})
			} else {
				rev = append(rev, DiffLine{Op: DiffDelete, Text: a[x-1], Old: x})
			}
		}
		x, y = prevX, prevY
	}
	slices.Reverse(rev)
	return rev
}

// replaceAll deletes every line of a and inserts every line of b.
func replaceAll(a, b []string) []DiffLine {
	out := make([]DiffLine, 0, len(a)+len(b))
	for i, s := range a {
		out = append(out, DiffLine{Op: DiffDelete, Text: s, Old: i + 1})
	}
	for i, s := range b {
		out = append(out, DiffLine{Op: DiffInsert, Text: s, New: i + 1})
	}
	return out
}

// FoldDiff replaces runs of unchanged lines longer than 2·context+1 by a
// fold, keeping context lines around every change.
func FoldDiff(lines []DiffLine, context int) []DiffLine {
	var out []DiffLine
	for i := 0; i < len(lines); {
		if lines[i].Op != DiffEqual {
			out = append(out, lines[i])
			i++
			continue
		}
		j := i
		for j < len(lines) && lines[j].Op == DiffEqual {
			j++
		}
		keepHead, keepTail := context, context
		if i == 0 {
			keepHead = 0
		}
		if j == len(lines) {
			keepTail = 0
		}
		if j-i <= keepHead+keepTail+1 {
			out = append(out, lines[i:j]...)
		} else {
			out = append(out, lines[i:i+keepHead]...)
			hidden := j - i - keepHead - keepTail
			first := lines[i+keepHead]
			out = append(out, DiffLine{Op: DiffFold, Text: foldText(hidden), Old: first.Old, New: first.New})
			out = append(out, lines[j-keepTail:j]...)
		}
		i = j
	}
	return out
}

func foldText(n int) string {
	if n == 1 {
		return "1 unchanged line"
	}
	return strconv.Itoa(n) + " unchanged lines"
}
