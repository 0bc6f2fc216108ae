package report

import (
	"fmt"
	"html/template"
	"io"
	"math"
	"strconv"
)

// LabPage is the report of an `rlef lab` run: training curves, the
// before/after comparison, tables, and the evaluation runs with their
// episodes (drawn as `rlef report` draws them).
type LabPage struct {
	Title string
	Notes []string
	// Curves are training curves of any scale.
	Curves []Curve
	// Bars compare solve rates (fractions with intervals) across groups.
	Bars   []BarChart
	Tables []Table
	Runs   []*Analysis
}

// Curve is one chart of values against a step.
type Curve struct {
	ID, Title, XLabel, YLabel string
	Series                    []CurveSeries
}

// CurveSeries is one line of a Curve.
type CurveSeries struct {
	Name string
	X, Y []float64
}

// BarChart is grouped bars of fractions with intervals.
type BarChart struct {
	ID, Title, YLabel string
	Groups, Series    []string
	// Values[g][s] with its interval; a zero Hi means no interval.
	Values [][]Bar
}

// Bar is one bar's value and interval.
type Bar struct {
	V, Lo, Hi float64
}

// WriteLabHTML writes the lab report as one self-contained page.
func WriteLabHTML(w io.Writer, p LabPage) error {
	sec := &compareSection{Notes: p.Notes, Tables: p.Tables}
	for _, b := range p.Bars {
		vals := make([][]barValue, len(b.Values))
		for g, row := range b.Values {
			for s, v := range row {
				tip := fmt.Sprintf("%s, %s: %.1f%%", b.Groups[g], b.Series[s], 100*v.V)
				if v.Hi > 0 {
					tip += fmt.Sprintf(" [%.1f, %.1f]", 100*v.Lo, 100*v.Hi)
				}
				vals[g] = append(vals[g], barValue{V: v.V, Lo: v.Lo, Hi: v.Hi, HasCI: v.Hi > 0, Tip: tip})
			}
		}
		sec.Charts = append(sec.Charts, groupedBars(b.ID, b.Title, b.YLabel, b.Groups, b.Series, vals))
	}
	for _, c := range p.Curves {
		sec.Charts = append(sec.Charts, valueChart(c))
	}
	pg := page{Title: p.Title, Compare: sec}
	for i, a := range p.Runs {
		pg.Runs = append(pg.Runs, runSectionOf(a, i, true))
	}
	return renderPage(w, pg)
}

// valueChart draws series of arbitrary values (returns, losses, rates)
// against x on linear axes.
func valueChart(c Curve) template.HTML {
	f := frame{w: 640, h: 300, left: 64, right: 20, top: 46, bottom: 44}
	var names []string
	for _, s := range c.Series {
		names = append(names, s.Name)
	}
	f = fitLegend(f, names)
	d := newSVG(c.ID, c.Title, f)
	minX, maxX, minY, maxY := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for _, s := range c.Series {
		for i := range s.X {
			if math.IsNaN(s.Y[i]) || math.IsInf(s.Y[i], 0) {
				continue
			}
			minX, maxX = min(minX, s.X[i]), max(maxX, s.X[i])
			minY, maxY = min(minY, s.Y[i]), max(maxY, s.Y[i])
		}
	}
	if math.IsInf(minX, 1) {
		minX, maxX, minY, maxY = 0, 1, 0, 1
	}
	if maxY-minY < 1e-9 {
		minY, maxY = minY-0.5, maxY+0.5
	}
	pad := (maxY - minY) * 0.05
	yt := niceTicks(minY-pad, maxY+pad, 5)
	lo, hi := min(yt[0], minY), max(yt[len(yt)-1], maxY)
	sx := scale{lo: minX, hi: maxX, a: f.left + 8, b: f.w - f.right - 8}
	sy := scale{lo: lo, hi: hi, a: f.h - f.bottom, b: f.top}
	d.yAxis(sy, yt, c.YLabel, "")
	d.xAxis(sx, niceTicks(minX, maxX, 6), c.XLabel)
	colors := make([]string, len(c.Series))
	dashed := make([]bool, len(c.Series))
	for i, s := range c.Series {
		colors[i] = seriesColor(i)
		line := ""
		for k := range s.X {
			if math.IsNaN(s.Y[k]) || math.IsInf(s.Y[k], 0) {
				continue
			}
			line += fmt.Sprintf("%.1f,%.1f ", sx.at(s.X[k]), sy.at(s.Y[k]))
		}
		d.raw(`<polyline class="line" points="%s" stroke="%s"/>`, line, colors[i])
		for k := range s.X {
			if math.IsNaN(s.Y[k]) || math.IsInf(s.Y[k], 0) {
				continue
			}
			d.raw(`<circle class="pt" cx="%.1f" cy="%.1f" r="2.5" fill="%s"><title>%s %s: %s</title></circle>`,
				sx.at(s.X[k]), sy.at(s.Y[k]), colors[i], esc(s.Name), fmtTick(s.X[k]), strconv.FormatFloat(s.Y[k], 'g', 4, 64))
		}
	}
	d.legend(names, colors, dashed)
	return d.html()
}
