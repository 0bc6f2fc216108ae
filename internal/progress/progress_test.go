package progress

import (
	"bytes"
	"strings"
	"testing"
)

// Off a terminal, progress is plain lines, about one per tenth of the
// work, and the last unit always gets its line.
func TestPlainLines(t *testing.T) {
	var b bytes.Buffer
	p := New(&b, "work", 100, 0)
	for i := 1; i <= 100; i++ {
		p.Update(i, "ok")
	}
	p.Finish()
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 10 {
		t.Fatalf("%d lines, want 10:\n%s", len(lines), b.String())
	}
	if !strings.HasPrefix(lines[9], "work 100/100: ok, ") {
		t.Errorf("last line %q", lines[9])
	}
	var none *Bar = New(nil, "x", 1, 0)
	none.Update(1, "ignored")
	none.Finish()
}
