// Package progress shows the progress of long work: a bar with counts,
// ETA and the latest numbers on a terminal; elsewhere a plain line every
// tenth of the work or 30 s, so that logs stay readable.
package progress

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// Bar reports one task's progress. The zero value and a Bar on a nil
// writer show nothing.
type Bar struct {
	bar       *progressbar.ProgressBar
	w         io.Writer
	label     string
	total     int
	lastDone  int
	lastPrint time.Time
	start     time.Time
}

// New starts a Bar for total units of work of which done are done.
func New(w io.Writer, label string, total, done int) *Bar {
	p := &Bar{w: w, label: label, total: total, lastDone: done, lastPrint: time.Now(), start: time.Now()}
	if w == nil {
		return p
	}
	if f, ok := w.(*os.File); !ok || !term.IsTerminal(int(f.Fd())) {
		return p
	}
	p.bar = progressbar.NewOptions(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(label),
		progressbar.OptionShowCount(),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionThrottle(200*time.Millisecond),
		progressbar.OptionSetWidth(20),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(w) }),
	)
	_ = p.bar.Set(done)
	return p
}

// Update reports done units and a description of the latest numbers.
func (p *Bar) Update(done int, desc string) {
	switch {
	case p.bar != nil:
		p.bar.Describe(p.label + ": " + desc)
		_ = p.bar.Set(done)
	case p.w != nil:
		step := max(p.total/10, 1)
		if done-p.lastDone >= step || time.Since(p.lastPrint) >= 30*time.Second || done == p.total {
			fmt.Fprintf(p.w, "%s %d/%d: %s, %s elapsed\n", p.label, done, p.total, desc, time.Since(p.start).Round(time.Second))
			p.lastDone, p.lastPrint = done, time.Now()
		}
	}
}

// Finish ends the bar.
func (p *Bar) Finish() {
	if p.bar != nil {
		_ = p.bar.Finish()
	}
}
