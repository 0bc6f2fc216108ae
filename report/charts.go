package report

import (
	"fmt"
	"html/template"
	"math"
	"slices"
)

// linePoint is one point of a line series with its interval.
type linePoint struct {
	X, Y, Lo, Hi float64
	Tip          string
}

type lineSeries struct {
	Name   string
	Color  string
	Dashed bool
	Points []linePoint
}

// lineChart draws series of fractions (0..1) against x, with shaded
// confidence bands; x is on a log scale when it spans a factor of 20.
func lineChart(id, title, xLabel, yLabel string, series []lineSeries) template.HTML {
	f := frame{w: 640, h: 340, left: 56, right: 20, top: 46, bottom: 44}
	var legendNames []string
	for _, s := range series {
		legendNames = append(legendNames, s.Name)
	}
	f = fitLegend(f, legendNames)
	d := newSVG(id, title, f)
	minX, maxX, maxY := math.Inf(1), math.Inf(-1), 0.0
	for _, s := range series {
		for _, p := range s.Points {
			minX, maxX = min(minX, p.X), max(maxX, p.X)
			maxY = max(maxY, p.Hi, p.Y)
		}
	}
	if math.IsInf(minX, 1) {
		minX, maxX = 1, 1
	}
	logX := minX > 0 && maxX/minX >= 20
	sx := scale{lo: minX, hi: maxX, a: f.left + 10, b: f.w - f.right - 10, log: logX}
	top := min(niceMax(100*maxY+2), 100)
	sy := scale{lo: 0, hi: top, a: f.h - f.bottom, b: f.top}
	d.yAxis(sy, niceTicks(0, top, 5), yLabel, "%")
	var xt []float64
	if logX {
		xt = logTicks(minX, maxX)
	} else {
		xt = niceTicks(minX, maxX, 6)
	}
	if integerXs(series) {
		xt = slices.DeleteFunc(xt, func(v float64) bool { return v != math.Trunc(v) })
	}
	d.xAxis(sx, xt, xLabel)
	names, colors, dashed := make([]string, len(series)), make([]string, len(series)), make([]bool, len(series))
	for i, s := range series {
		names[i], colors[i], dashed[i] = s.Name, s.Color, s.Dashed
		if len(s.Points) > 1 {
			poly := ""
			for _, p := range s.Points {
				poly += fmt.Sprintf("%.1f,%.1f ", sx.at(p.X), sy.at(100*p.Hi))
			}
			for _, p := range slices.Backward(s.Points) {
				poly += fmt.Sprintf("%.1f,%.1f ", sx.at(p.X), sy.at(100*p.Lo))
			}
			d.raw(`<polygon class="band" points="%s" fill="%s"/>`, poly, s.Color)
			line := ""
			for _, p := range s.Points {
				line += fmt.Sprintf("%.1f,%.1f ", sx.at(p.X), sy.at(100*p.Y))
			}
			dash := ""
			if s.Dashed {
				dash = ` stroke-dasharray="6 4"`
			}
			d.raw(`<polyline class="line" points="%s" stroke="%s"%s/>`, line, s.Color, dash)
		}
		for _, p := range s.Points {
			x := sx.at(p.X)
			if len(s.Points) == 1 {
				d.raw(`<line class="whisker" x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" style="stroke:%s"/>`, x, sy.at(100*p.Lo), x, sy.at(100*p.Hi), s.Color)
			}
			d.raw(`<circle class="pt" cx="%.1f" cy="%.1f" r="3.5" fill="%s"><title>%s</title></circle>`, x, sy.at(100*p.Y), s.Color, esc(p.Tip))
		}
	}
	d.legend(names, colors, dashed)
	return d.html()
}

// barValue is one bar: a value with an optional interval.
type barValue struct {
	V, Lo, Hi float64
	HasCI     bool
	Tip       string
}

// groupedBars draws, for each group, one bar per series; values are
// fractions shown in %.
func groupedBars(id, title, yLabel string, groups, seriesNames []string, vals [][]barValue) template.HTML {
	f := frame{w: 640, h: 320, left: 56, right: 16, top: 46, bottom: 52}
	if n := len(groups) * len(seriesNames); n > 24 {
		f.w = min(640+float64(n-24)*14, 1200)
	}
	f = fitLegend(f, seriesNames)
	d := newSVG(id, title, f)
	maxY := 0.0
	for _, g := range vals {
		for _, v := range g {
			maxY = max(maxY, v.V, v.Hi)
		}
	}
	top := min(niceMax(100*maxY+2), 100)
	sy := scale{lo: 0, hi: top, a: f.h - f.bottom, b: f.top}
	d.yAxis(sy, niceTicks(0, top, 5), yLabel, "%")
	base := f.h - f.bottom
	d.raw(`<line class="axis" x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f"/>`, f.left, base, f.w-f.right, base)
	gw := f.plotW() / float64(max(len(groups), 1))
	bw := min(gw*0.8/float64(max(len(seriesNames), 1)), 48)
	for gi, g := range groups {
		gx := f.left + gw*float64(gi) + (gw-bw*float64(len(seriesNames)))/2
		for si := range seriesNames {
			if gi >= len(vals) || si >= len(vals[gi]) {
				continue
			}
			v := vals[gi][si]
			x := gx + bw*float64(si)
			y := sy.at(100 * v.V)
			d.raw(`<rect class="bar" x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s</title></rect>`, x+1, y, bw-2, max(base-y, 0.5), seriesColor(si), esc(v.Tip))
			if v.HasCI {
				cx := x + bw/2
				d.raw(`<line class="whisker" x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f"/>`, cx, sy.at(100*v.Lo), cx, sy.at(100*v.Hi))
				d.raw(`<line class="whisker" x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f"/>`, cx-4, sy.at(100*v.Lo), cx+4, sy.at(100*v.Lo))
				d.raw(`<line class="whisker" x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f"/>`, cx-4, sy.at(100*v.Hi), cx+4, sy.at(100*v.Hi))
			}
		}
		d.raw(`<text class="tick" x="%.1f" y="%.1f" text-anchor="middle">%s</text>`, f.left+gw*(float64(gi)+0.5), base+16, esc(clip(g, int(gw/6.5))))
	}
	colors := make([]string, len(seriesNames))
	for i := range colors {
		colors[i] = seriesColor(i)
	}
	d.legend(seriesNames, colors, nil)
	return d.html()
}

// stackSegment is one segment kind of a stacked bar.
type stackSegment struct {
	Name  string
	Color string
}

// stackedBars draws one 100% bar per group, split by counts[g][s].
func stackedBars(id, title string, groups []string, segs []stackSegment, counts [][]int) template.HTML {
	f := frame{w: 640, h: 320, left: 56, right: 16, top: 62, bottom: 40}
	var segNames []string
	for _, s := range segs {
		segNames = append(segNames, s.Name)
	}
	f = fitLegend(f, segNames)
	d := newSVG(id, title, f)
	sy := scale{lo: 0, hi: 100, a: f.h - f.bottom, b: f.top}
	d.yAxis(sy, niceTicks(0, 100, 4), "share of responses", "%")
	gw := f.plotW() / float64(max(len(groups), 1))
	bw := min(gw*0.6, 90)
	for gi, g := range groups {
		total := 0
		for _, c := range counts[gi] {
			total += c
		}
		x := f.left + gw*float64(gi) + (gw-bw)/2
		acc := 0
		for si, c := range counts[gi] {
			if c == 0 || total == 0 {
				continue
			}
			y0, y1 := sy.at(100*float64(acc)/float64(total)), sy.at(100*float64(acc+c)/float64(total))
			d.raw(`<rect class="bar" x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s: %s</title></rect>`,
				x, y1, bw, y0-y1, segs[si].Color, esc(segs[si].Name), esc(frac(c, total)))
			if y0-y1 >= 14 {
				d.raw(`<text class="seg" x="%.1f" y="%.1f" text-anchor="middle">%d</text>`, x+bw/2, (y0+y1)/2+4, c)
			}
			acc += c
		}
		d.raw(`<text class="tick" x="%.1f" y="%.1f" text-anchor="middle">%s</text>`, x+bw/2, f.h-f.bottom+16, esc(g))
	}
	names, colors := make([]string, len(segs)), make([]string, len(segs))
	for i, s := range segs {
		names[i], colors[i] = s.Name, s.Color
	}
	d.legend(names, colors, nil)
	return d.html()
}

// boxRow is one horizontal box plot with its raw values.
type boxRow struct {
	Name   string
	Values []float64
}

// boxPlots draws horizontal box plots (quartiles, whiskers at the
// extremes) of values in [0, 1] with the values as jittered dots.
func boxPlots(id, title, xLabel string, rows []boxRow) template.HTML {
	rowH := 46.0
	f := frame{w: 640, h: 70 + rowH*float64(len(rows)), left: 110, right: 20, top: 34, bottom: 40}
	d := newSVG(id, title, f)
	sx := scale{lo: 0, hi: 1, a: f.left, b: f.w - f.right}
	for _, t := range niceTicks(0, 1, 5) {
		x := sx.at(t)
		d.raw(`<line class="grid" x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f"/>`, x, f.top, x, f.h-f.bottom)
	}
	d.xAxis(sx, niceTicks(0, 1, 5), xLabel)
	for i, r := range rows {
		cy := f.top + rowH*(float64(i)+0.5)
		d.raw(`<text class="tick" x="%.1f" y="%.1f" text-anchor="end">%s</text>`, f.left-8, cy+4, esc(r.Name))
		if len(r.Values) == 0 {
			d.raw(`<text class="tick" x="%.1f" y="%.1f">no pairs</text>`, f.left+4, cy+4)
			continue
		}
		s := slices.Sorted(slices.Values(r.Values))
		q := func(p float64) float64 { return quantile(s, p) }
		color := seriesColor(i)
		// Dots: at most 400, evenly thinned, jittered deterministically.
		step := max(1, len(r.Values)/400)
		for j := 0; j < len(r.Values); j += step {
			jit := (float64((j*7919)%17)/16 - 0.5) * rowH * 0.55
			d.raw(`<circle class="dot" cx="%.1f" cy="%.1f" r="2" fill="%s"/>`, sx.at(r.Values[j]), cy+jit, color)
		}
		d.raw(`<line class="whisker" x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f"/>`, sx.at(s[0]), cy, sx.at(s[len(s)-1]), cy)
		x1, x3 := sx.at(q(0.25)), sx.at(q(0.75))
		tip := fmt.Sprintf("%s: n=%d, min %.3f, Q1 %.3f, median %.3f, Q3 %.3f, max %.3f", r.Name, len(s), s[0], q(0.25), q(0.5), q(0.75), s[len(s)-1])
		d.raw(`<rect class="box" x="%.1f" y="%.1f" width="%.1f" height="%.1f" stroke="%s"><title>%s</title></rect>`, x1, cy-rowH*0.3, max(x3-x1, 1), rowH*0.6, color, esc(tip))
		xm := sx.at(q(0.5))
		d.raw(`<line class="median" x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s"/>`, xm, cy-rowH*0.3, xm, cy+rowH*0.3, color)
	}
	return d.html()
}

// quantile is the linear-interpolation quantile of ascending xs.
func quantile(xs []float64, p float64) float64 {
	h := p * float64(len(xs)-1)
	lo := int(math.Floor(h))
	if lo >= len(xs)-1 {
		return xs[len(xs)-1]
	}
	return xs[lo] + (h-float64(lo))*(xs[lo+1]-xs[lo])
}

// intervalRow is one difference with its interval.
type intervalRow struct {
	Name      string
	V, Lo, Hi float64
	Tip       string
}

// intervalPlot draws differences (fractions) with their intervals around
// a zero line, as a forest plot.
func intervalPlot(id, title, xLabel string, rows []intervalRow) template.HTML {
	rowH := 30.0
	f := frame{w: 640, h: 80 + rowH*float64(len(rows)), left: 220, right: 24, top: 34, bottom: 40}
	d := newSVG(id, title, f)
	m := 0.01
	for _, r := range rows {
		m = max(m, math.Abs(r.Lo), math.Abs(r.Hi), math.Abs(r.V))
	}
	m = niceMax(100*m) / 100
	sx := scale{lo: -100 * m, hi: 100 * m, a: f.left, b: f.w - f.right}
	d.xAxis(sx, niceTicks(-100*m, 100*m, 6), xLabel)
	x0 := sx.at(0)
	d.raw(`<line class="zero" x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f"/>`, x0, f.top, x0, f.h-f.bottom)
	for i, r := range rows {
		cy := f.top + rowH*(float64(i)+0.5)
		color := palette[0]
		if r.Lo > 0 {
			color = palette[2]
		} else if r.Hi < 0 {
			color = palette[1]
		}
		d.raw(`<text class="tick" x="%.1f" y="%.1f" text-anchor="end">%s</text>`, f.left-8, cy+4, esc(clip(r.Name, 34)))
		d.raw(`<line class="whisker" x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" style="stroke:%s;stroke-width:2"/>`, sx.at(100*r.Lo), cy, sx.at(100*r.Hi), cy, color)
		d.raw(`<rect class="pt" x="%.1f" y="%.1f" width="8" height="8" fill="%s"><title>%s</title></rect>`, sx.at(100*r.V)-4, cy-4, color, esc(r.Tip))
	}
	return d.html()
}

// integerXs reports whether every x is a whole number (turns, budgets).
func integerXs(series []lineSeries) bool {
	for _, s := range series {
		for _, p := range s.Points {
			if p.X != math.Trunc(p.X) {
				return false
			}
		}
	}
	return true
}
