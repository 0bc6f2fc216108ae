//go:build !race

package compare

import (
	"testing"
)

// TestCheckDoesNotAllocate guards the per-test cost: comparing a typical
// accepted output allocates nothing (a wrong answer pays for its message).
func TestCheckDoesNotAllocate(t *testing.T) {
	for _, j := range []string{`42`, `"hello world"`, `["apple", "banana"]`, `[[1, 2], [3, 4]]`, `3.5`, `[1.5, 2.25]`} {
		out, exp := js(t, j), js(t, j)
		s := (&Checker{Profile: EvalPlus}).NewSuite()
		if n := testing.AllocsPerRun(100, func() { s.Check(out, exp, nil) }); n != 0 {
			t.Errorf("Check(%s) allocates %v times", j, n)
		}
	}
	out, exp := js(t, "[1.5, 2.2500001]"), js(t, "[1.5, 2.25]")
	s := (&Checker{Profile: EvalPlus}).NewSuite()
	if n := testing.AllocsPerRun(100, func() { s.Check(out, exp, nil) }); n != 0 {
		t.Errorf("a tolerance comparison allocates %v times", n)
	}
}
