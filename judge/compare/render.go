package compare

import (
	"strings"

	"github.com/rlef/rlef/pyvalue"
)

// Call describes a test's call for messages.
type Call struct {
	// Entry is the function or method name.
	Entry string
	// Method shows the call as Solution().Entry(...) (LeetCode style,
	// when the solution defines a Solution class).
	Method bool
	// Args are the arguments as the test passes them.
	Args []pyvalue.Value
}

// Report is what the harness shows for a test besides its verdict.
type Report struct {
	// Assertion is the test as an assert statement: "assert f(1, 2) ==
	// 3", or for find_zero "assert abs(poly([1, 2], find_zero([1, 2])))
	// <= 0.0001".
	Assertion string
	// Expected is the clipped repr of the expected value (for APPS after
	// its key conversion).
	Expected string
	// Got is the clipped repr of the return value, "" when the call did
	// not return.
	Got string
}

// Report renders a test as the harness did. out is nil when the call
// raised or ran out of time.
func (c *Checker) Report(call Call, out, exp pyvalue.Value) Report {
	if c.Profile == APPS {
		exp = appsExpected(exp)
		call.Args = appsArgs(call.Args)
	}
	r := Report{Expected: c.repr(exp)}
	if out != nil {
		r.Got = c.repr(out)
	}
	text := c.callText(call)
	if c.Profile == EvalPlus && c.Oracle == Poly {
		first := ""
		if len(call.Args) > 0 {
			first = c.repr(call.Args[0])
		}
		r.Assertion = "assert abs(poly(" + first + ", " + text + ")) <= " + pyvalue.Repr(pyvalue.Float(c.Atol))
	} else {
		r.Assertion = "assert " + text + " == " + r.Expected
	}
	return r
}

func (c *Checker) callText(call Call) string {
	var b strings.Builder
	if call.Method {
		b.WriteString("Solution().")
	}
	b.WriteString(call.Entry)
	b.WriteByte('(')
	for i, a := range call.Args {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(c.repr(a))
	}
	b.WriteByte(')')
	return b.String()
}

// appsArgs is the harness's _apps_args: a first argument that is a dict
// gets int keys, and becomes the only argument.
func appsArgs(args []pyvalue.Value) []pyvalue.Value {
	if len(args) == 0 {
		return args
	}
	if d, ok := args[0].(*pyvalue.Dict); ok {
		if conv, ok := intKeys(d); ok {
			return []pyvalue.Value{conv}
		}
	}
	return args
}
