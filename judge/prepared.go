package judge

import (
	"fmt"
	"sync"

	"github.com/rlef/rlef/dataset"
	"github.com/rlef/rlef/pyvalue"
)

// prepared is a function problem's tests made ready to send and compare,
// computed once per problem: the arguments as marshal bytes (what the
// runner receives) and as values (for oracles and messages), and the
// expected values given in the dataset. Tests are numbered Public first,
// then PrivateTests().
type prepared struct {
	args     []pyvalue.Tuple
	argBytes [][]byte
	// expected holds the dataset's expected values; nil where the
	// reference solution gives them.
	expected []pyvalue.Value
	// bad explains tests whose arguments or expected value cannot be used.
	bad map[int]string
}

// preparedCache keeps prepared problems.
type preparedCache struct {
	mu sync.Mutex
	m  map[*dataset.Problem]*prepared
}

// prepare returns p's prepared tests.
func (j *Judge) prepare(p *dataset.Problem) *prepared {
	c := &j.prepared
	c.mu.Lock()
	defer c.mu.Unlock()
	if pr, ok := c.m[p]; ok {
		return pr
	}
	all := allTests(p)
	pr := &prepared{args: make([]pyvalue.Tuple, len(all)), argBytes: make([][]byte, len(all)),
		expected: make([]pyvalue.Value, len(all)), bad: map[int]string{}}
	for x, t := range all {
		if err := pr.add(p, x, t); err != nil {
			pr.bad[x] = err.Error()
		}
	}
	if c.m == nil {
		c.m = map[*dataset.Problem]*prepared{}
	}
	c.m[p] = pr
	return pr
}

func (pr *prepared) add(p *dataset.Problem, x int, t dataset.Test) error {
	args, err := callArgs(p, t.Input)
	if err != nil {
		return err
	}
	pr.args[x] = args
	if pr.argBytes[x], err = pyvalue.EncodeMarshal(args); err != nil {
		return fmt.Errorf("arguments: %w", err)
	}
	if t.Output == "" && p.ExpectedFromReference {
		return nil
	}
	if pr.expected[x], err = pyvalue.ParseJSON([]byte(t.Output), valueLimits); err != nil {
		return fmt.Errorf("expected value: %w", err)
	}
	return nil
}

// allTests lists a problem's tests in the order prepared and reference
// data number them.
func allTests(p *dataset.Problem) []dataset.Test {
	return append(append([]dataset.Test(nil), p.Public...), p.PrivateTests()...)
}

// testNumber is a suite test's number among allTests.
func testNumber(p *dataset.Problem, s *resolvedSuite, k int) int {
	x := s.indices[k]
	if s.Kind == Private {
		x += len(p.Public)
	}
	return x
}
