package report

import (
	"bytes"
	"strings"
	"testing"
)

func TestWriteLabHTML(t *testing.T) {
	p := LabPage{
		Title: "rlef lab: smoke",
		Notes: []string{"a note <with> markup"},
		Curves: []Curve{{ID: "return", Title: "Return", XLabel: "iteration", YLabel: "return",
			Series: []CurveSeries{{Name: "mean return", X: []float64{1, 2, 3}, Y: []float64{-1.1, -0.4, 0.3}}}}},
		Bars: []BarChart{{ID: "solve", Title: "1@3", YLabel: "solve rate", Groups: []string{"before", "after"}, Series: []string{"MT", "ST"},
			Values: [][]Bar{{{V: 0.1, Lo: 0.05, Hi: 0.15}, {V: 0.12}}, {{V: 0.8, Lo: 0.7, Hi: 0.9}, {V: 0.2, Lo: 0.1, Hi: 0.3}}}}},
		Tables: []Table{{ID: "findings", Title: "Findings", Header: []string{"finding", "holds"}, Rows: [][]string{{"return rises", "yes"}}}},
	}
	var b bytes.Buffer
	if err := WriteLabHTML(&b, p); err != nil {
		t.Fatal(err)
	}
	html := b.String()
	for _, want := range []string{`data-chart="return"`, `data-chart="solve"`, `data-table="findings"`, "a note &lt;with&gt; markup", "<title>rlef lab: smoke</title>"} {
		if !strings.Contains(html, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	for _, bad := range []string{"<script src", "<link", "http://", "https://"} {
		if strings.Contains(html, bad) {
			t.Errorf("page is not self-contained: contains %q", bad)
		}
	}
	// Negative values are drawn (the y axis includes them).
	if !strings.Contains(html, ">-1<") && !strings.Contains(html, ">-1.5<") && !strings.Contains(html, ">-1.2<") {
		t.Errorf("the return curve's axis does not reach its negative values")
	}
}
