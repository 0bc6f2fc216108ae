package floor

import (
	"strings"
	"testing"
)

// The forker runs the snippet on each input in a fresh child, with the
// requested modules already imported.
func TestForker(t *testing.T) {
	f, err := StartForker("/usr/bin/python3", "import sys\nprint(sys.stdin.read().upper(), 'heapq' in sys.modules)\n", "heapq")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, in := range []string{"abc", "", strings.Repeat("x", 100000)} {
		out, err := f.Run([]byte(in))
		if err != nil {
			t.Fatal(err)
		}
		if want := strings.ToUpper(in) + " True\n"; string(out) != want {
			t.Fatalf("input of %d bytes: got %d bytes %.40q", len(in), len(out), out)
		}
	}
}
