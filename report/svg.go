package report

import (
	"fmt"
	"html/template"
	"math"
	"strings"
)

// The charts are plain SVG written here: no script, no external font or
// style, so they render with JavaScript disabled and can be tested as
// text. Every chart is an <svg class="chart" data-chart=ID> with a
// <title>; marks carry <title> tooltips.

// palette colours data series.
var palette = []string{"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#17becf", "#bcbd22"}

func seriesColor(i int) string { return palette[i%len(palette)] }

// chart geometry, in SVG user units.
type frame struct {
	w, h                     float64
	left, right, top, bottom float64
}

func (f frame) plotW() float64 { return f.w - f.left - f.right }
func (f frame) plotH() float64 { return f.h - f.top - f.bottom }

// svgDoc accumulates one chart.
type svgDoc struct {
	b strings.Builder
	f frame
}

func newSVG(id, title string, f frame) *svgDoc {
	d := &svgDoc{f: f}
	fmt.Fprintf(&d.b, `<svg class="chart" data-chart="%s" width="%g" height="%g" viewBox="0 0 %g %g" role="img" aria-label="%s">`,
		esc(id), f.w, f.h, f.w, f.h, esc(title))
	fmt.Fprintf(&d.b, `<title>%s</title>`, esc(title))
	fmt.Fprintf(&d.b, `<text class="ct" x="%g" y="16">%s</text>`, min(f.left, 56), esc(title))
	return d
}

func (d *svgDoc) html() template.HTML {
	d.b.WriteString("</svg>")
	return template.HTML(d.b.String()) // #nosec: built from escaped parts
}

func (d *svgDoc) raw(format string, args ...any) { fmt.Fprintf(&d.b, format, args...) }

// esc escapes text for SVG content and attributes.
func esc(s string) string { return template.HTMLEscapeString(s) }

// linear maps [lo, hi] to [a, b].
type scale struct {
	lo, hi, a, b float64
	log          bool
}

func (s scale) at(v float64) float64 {
	lo, hi := s.lo, s.hi
	if s.log {
		v, lo, hi = math.Log10(v), math.Log10(lo), math.Log10(hi)
	}
	if hi == lo {
		return (s.a + s.b) / 2
	}
	return s.a + (v-lo)/(hi-lo)*(s.b-s.a)
}

// niceTicks returns about n round tick values covering [lo, hi].
func niceTicks(lo, hi float64, n int) []float64 {
	if hi <= lo {
		return []float64{lo}
	}
	raw := (hi - lo) / float64(n)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := mag
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	var out []float64
	for v := math.Ceil(lo/step-1e-9) * step; v <= hi+1e-9; v += step {
		out = append(out, math.Round(v/step)*step)
	}
	return out
}

// logTicks returns 1, 2, 5 × powers of ten within [lo, hi].
func logTicks(lo, hi float64) []float64 {
	var out []float64
	for p := math.Pow(10, math.Floor(math.Log10(lo))); p <= hi; p *= 10 {
		for _, m := range []float64{1, 2, 5} {
			if v := m * p; v >= lo-1e-9 && v <= hi+1e-9 {
				out = append(out, v)
			}
		}
	}
	return out
}

// niceMax rounds a maximum up to a round value.
func niceMax(v float64) float64 {
	if v <= 0 {
		return 1
	}
	t := niceTicks(0, v, 5)
	step := t[1] - t[0]
	return math.Ceil(v/step-1e-9) * step
}

// fmtTick formats a tick value compactly.
func fmtTick(v float64) string {
	if math.Abs(v) < 1e-9 {
		return "0"
	}
	if v == math.Trunc(v) {
		return fmt.Sprintf("%.0f", v)
	}
	return strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.2f", v), "0"), ".")
}

// yAxis draws horizontal grid lines and labels for ticks of sy.
func (d *svgDoc) yAxis(sy scale, ticks []float64, label string, suffix string) {
	f := d.f
	for _, t := range ticks {
		y := sy.at(t)
		d.raw(`<line class="grid" x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f"/>`, f.left, y, f.w-f.right, y)
		d.raw(`<text class="tick" x="%.1f" y="%.1f" text-anchor="end">%s%s</text>`, f.left-6, y+4, fmtTick(t), suffix)
	}
	if label != "" {
		d.raw(`<text class="axis-label" transform="translate(14 %.1f) rotate(-90)" text-anchor="middle">%s</text>`, f.top+f.plotH()/2, esc(label))
	}
}

// xAxis draws the x axis line, ticks and label.
func (d *svgDoc) xAxis(sx scale, ticks []float64, label string) {
	f := d.f
	y := f.h - f.bottom
	d.raw(`<line class="axis" x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f"/>`, f.left, y, f.w-f.right, y)
	for _, t := range ticks {
		x := sx.at(t)
		d.raw(`<line class="axis" x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f"/>`, x, y, x, y+4)
		d.raw(`<text class="tick" x="%.1f" y="%.1f" text-anchor="middle">%s</text>`, x, y+17, fmtTick(t))
	}
	if label != "" {
		d.raw(`<text class="axis-label" x="%.1f" y="%.1f" text-anchor="middle">%s</text>`, f.left+f.plotW()/2, f.h-6, esc(label))
	}
}

// legendKeyWidth is the width a legend key with this name takes.
func legendKeyWidth(name string) float64 { return 18 + 6.2*float64(len([]rune(name))) + 16 }

// legendLayout places legend keys in rows under the title, wrapping at
// the frame's width; it returns each key's position.
func legendLayout(f frame, names []string) (xs, ys []float64) {
	x0 := min(f.left, 56)
	x, y := x0, 30.0
	for _, n := range names {
		w := legendKeyWidth(n)
		if x > x0 && x+w > f.w-8 {
			x, y = x0, y+16
		}
		xs, ys = append(xs, x), append(ys, y)
		x += w
	}
	return xs, ys
}

// fitLegend grows the frame's top margin (and height) so that a legend of
// names that wraps over several rows does not overlap the plot.
func fitLegend(f frame, names []string) frame {
	_, ys := legendLayout(f, names)
	if len(ys) > 0 {
		extra := ys[len(ys)-1] - 30
		f.top += extra
		f.h += extra
	}
	return f
}

// legend draws colour keys under the title; dashed[i] draws key i as a
// dashed line, !dashed[i] as a solid line (nil: every key is a square).
func (d *svgDoc) legend(names, colors []string, dashed []bool) {
	xs, ys := legendLayout(d.f, names)
	for i, n := range names {
		x, y := xs[i], ys[i]
		switch {
		case dashed == nil:
			d.raw(`<rect x="%.1f" y="%.1f" width="12" height="12" fill="%s"/>`, x, y-6, colors[i])
		case dashed[i]:
			d.raw(`<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="2.5" stroke-dasharray="4 2"/>`, x-2, y, x+14, y, colors[i])
		default:
			d.raw(`<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="2.5"/>`, x-2, y, x+14, y, colors[i])
		}
		d.raw(`<text class="legend" x="%.1f" y="%.1f">%s</text>`, x+18, y+4, esc(n))
	}
}
