package lab

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/rlef/rlef/dataset"
)

// Benchmark is the name of the lab's generated problem set.
const Benchmark = "lab"

// Kind is a task family.
type Kind string

const (
	// KindHole: print an expression of x with a hidden digit. The public
	// test is x = 0, whose expected output is the digit itself; the
	// private tests use other inputs, so printing the expected output
	// fails.
	KindHole Kind = "hole"
	// KindSep: two integers on one line separated by a hidden character;
	// print a combination of them. A wrong guess raises a ValueError whose
	// traceback, like the public test's input, shows the separator.
	KindSep Kind = "sep"
)

// holeExprs are the expressions of KindHole; ? is the hidden digit.
// Their public test x = 0 prints the digit itself.
var holeExprs = []string{"(x*3+?)%11", "x*2+?", "max(x,?)", "abs(x-?)", "x//3+?"}

// sepOps are the combinations of KindSep.
var sepOps = []string{"a+b", "a*b", "a-b", "max(a,b)", "min(a,b)"}

// seps are the hidden separators; " " is read with split().
var seps = []string{" ", ",", ";", ":", "/"}

// Task is a generated problem and what the generator knows about it.
type Task struct {
	Problem *dataset.Problem
	Kind    Kind
	// Expr is the expression with visible constants filled in and "?"
	// for the hole (KindHole), or the combination (KindSep).
	Expr string
	// Answer is the hidden part: a digit or a separator.
	Answer string
	// Guesses are the values a solver may try for the hidden part.
	Guesses []string
}

// Generate makes n problems with ids prefix-0000, prefix-0001, ...; the
// same seed gives the same problems. Half are of each kind.
func Generate(rng *rand.Rand, n int, prefix string) []*Task {
	out := make([]*Task, 0, n)
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("%s-%04d", prefix, i)
		if i%2 == 0 {
			out = append(out, holeTask(rng, id))
		} else {
			out = append(out, sepTask(rng, id))
		}
	}
	return out
}

func holeTask(rng *rand.Rand, id string) *Task {
	expr := holeExprs[rng.IntN(len(holeExprs))]
	h := rng.IntN(10)
	t := &Task{Kind: KindHole, Expr: expr, Answer: strconv.Itoa(h)}
	for d := 0; d < 10; d++ {
		t.Guesses = append(t.Guesses, strconv.Itoa(d))
	}
	statement := "Read an integer x and print " + expr + ", where ? is a hidden digit"
	p := newProblem(id, statement, t.Solution(t.Answer))
	p.Public = []dataset.Test{{Input: "0\n", Output: strconv.Itoa(evalHole(expr, h, 0)) + "\n"}}
	// Private inputs: distinct, and together they must reject every wrong
	// digit and the constant program printing the public output.
	for _, x := range privateInputs(rng, func(xs []int) bool {
		for g := 0; g < 10; g++ {
			if g != h && !distinguishes(xs, func(x int) int { return evalHole(expr, g, x) }, func(x int) int { return evalHole(expr, h, x) }) {
				return false
			}
		}
		return distinguishes(xs, func(int) int { return evalHole(expr, h, 0) }, func(x int) int { return evalHole(expr, h, x) })
	}, 0, 30) {
		p.Private = append(p.Private, dataset.Test{Input: fmt.Sprintf("%d\n", x), Output: fmt.Sprintf("%d\n", evalHole(expr, h, x))})
	}
	t.Problem = p
	p.Incorrect = []dataset.Solution{{Language: "python", Code: t.Solution(strconv.Itoa((h + 1) % 10))}}
	return t
}

func sepTask(rng *rand.Rand, id string) *Task {
	op := sepOps[rng.IntN(len(sepOps))]
	sep := seps[rng.IntN(len(seps))]
	t := &Task{Kind: KindSep, Expr: op, Answer: sep, Guesses: seps}
	statement := "Read two integers a and b given on one line with a hidden separator between them, and print " + op
	p := newProblem(id, statement, t.Solution(sep))
	a, b := 1+rng.IntN(20), 1+rng.IntN(20)
	p.Public = []dataset.Test{{Input: fmt.Sprintf("%d%s%d\n", a, sep, b), Output: fmt.Sprintf("%d\n", evalOp(op, a, b))}}
	for k := 0; k < 4; k++ {
		a, b := 1+rng.IntN(99), 1+rng.IntN(99)
		p.Private = append(p.Private, dataset.Test{Input: fmt.Sprintf("%d%s%d\n", a, sep, b), Output: fmt.Sprintf("%d\n", evalOp(op, a, b))})
	}
	t.Problem = p
	wrong := seps[(indexOf(seps, sep)+1)%len(seps)]
	p.Incorrect = []dataset.Solution{{Language: "python", Code: t.Solution(wrong)}}
	return t
}

func newProblem(id, statement, reference string) *dataset.Problem {
	return &dataset.Problem{
		ID: id, Benchmark: Benchmark, Statement: statement, Mode: dataset.ModeStdio, Checker: dataset.CheckTokens,
		TimeLimit: 2 * time.Second, MemoryLimit: 256 << 20,
		Solutions: []dataset.Solution{{Language: "python", Code: reference}},
		Meta:      map[string]string{},
	}
}

// privateInputs draws 5 distinct inputs in [lo, hi) until ok accepts
// them.
func privateInputs(rng *rand.Rand, ok func([]int) bool, lo, hi int) []int {
	for {
		xs := rng.Perm(hi - lo)[:5]
		for i := range xs {
			xs[i] += lo
		}
		if ok(xs) {
			return xs
		}
	}
}

func distinguishes(xs []int, f, g func(int) int) bool {
	for _, x := range xs {
		if f(x) != g(x) {
			return true
		}
	}
	return false
}

func indexOf(xs []string, s string) int {
	for i, x := range xs {
		if x == s {
			return i
		}
	}
	return -1
}

// evalHole evaluates a hole expression with digit h at x ≥ 0.
func evalHole(expr string, h, x int) int {
	var a, m int
	switch {
	case strings.HasPrefix(expr, "(x*"):
		fmt.Sscanf(expr, "(x*%d+?)%%%d", &a, &m)
		return (x*a + h) % m
	case strings.HasPrefix(expr, "x*"):
		fmt.Sscanf(expr, "x*%d+?", &a)
		return x*a + h
	case strings.HasPrefix(expr, "max"):
		return max(x, h)
	case strings.HasPrefix(expr, "abs"):
		if x > h {
			return x - h
		}
		return h - x
	case strings.HasPrefix(expr, "x//"):
		fmt.Sscanf(expr, "x//%d+?", &a)
		return x/a + h
	}
	panic("lab: unknown expression " + expr)
}

func evalOp(op string, a, b int) int {
	switch op {
	case "a+b":
		return a + b
	case "a*b":
		return a * b
	case "a-b":
		return a - b
	case "min(a,b)":
		return min(a, b)
	default:
		return max(a, b)
	}
}

// Solution is the program for a guess of the hidden part.
func (t *Task) Solution(guess string) string {
	return t.Program(guess, MistakeNone)
}

// Mistake is a realistic error in a generated program.
type Mistake string

const (
	MistakeNone Mistake = ""
	// MistakeNoInt forgets to convert the input to int.
	MistakeNoInt Mistake = "no_int"
	// MistakeSyntax drops the last closing parenthesis.
	MistakeSyntax Mistake = "syntax"
)

// Program writes the solution for a guess with a mistake.
func (t *Task) Program(guess string, m Mistake) string {
	var lines []string
	switch t.Kind {
	case KindHole:
		read := "x = int(input())"
		if m == MistakeNoInt {
			read = "x = input()"
		}
		lines = []string{read, "print(" + strings.Replace(t.Expr, "?", guess, 1) + ")"}
	case KindSep:
		split := "input().split('" + guess + "')"
		if guess == " " {
			split = "input().split()"
		}
		read := "a, b = map(int, " + split + ")"
		if m == MistakeNoInt {
			read = "a, b = " + split
		}
		lines = []string{read, "print(" + t.Expr + ")"}
	}
	if m == MistakeSyntax {
		last := lines[len(lines)-1]
		lines[len(lines)-1] = last[:len(last)-1]
	}
	return strings.Join(lines, "\n") + "\n"
}

// Set wraps tasks in a problem set.
func Set(tasks []*Task, version string) (*dataset.Set, error) {
	s := &dataset.Set{Name: Benchmark, Version: version, PublicSuite: "public", PrivateSuite: "private"}
	for _, t := range tasks {
		s.Problems = append(s.Problems, t.Problem)
	}
	if err := s.BuildIndex(); err != nil {
		return nil, err
	}
	return s, nil
}
