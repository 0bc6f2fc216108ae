package report

import (
	"embed"
	"fmt"
	"html/template"
	"io"
	"slices"
	"strconv"

	"github.com/rlef/rlef/verdict"
)

//go:embed assets/page.css assets/page.js assets/page.html.tmpl
var assets embed.FS

// pageTemplate parses the page template; parsing is cheap and keeps the
// package free of global state.
func pageTemplate() (*template.Template, error) {
	t, err := template.New("page.html.tmpl").ParseFS(assets, "assets/page.html.tmpl")
	if err != nil {
		return nil, fmt.Errorf("parse page template: %w", err)
	}
	return t, nil
}

// page is the data of one HTML page.
type page struct {
	Title    string
	CSS      template.CSS
	JS       template.JS
	Overview *Table
	Compare  *compareSection
	Runs     []runSection
}

type runSection struct {
	ID, Label, Dir   string
	Settings, Status string
	Unfinished       bool
	Err              string
	Charts           []template.HTML
	Tables           []Table
	Notes            []string
	Drill            bool
	Shown, Total     int
	Verdicts         []string
	Problems         []problemView
}

type compareSection struct {
	Charts  []template.HTML
	Tables  []Table
	Notes   []string
	Refused []string
}

// WriteHTML writes one self-contained HTML page reporting the analysed
// runs: tables, charts and a drill-down into their episodes (at most
// Options.MaxEpisodes per run).
func WriteHTML(w io.Writer, as []*Analysis) error {
	p := page{Title: "rlef report"}
	if len(as) == 1 {
		p.Title = "rlef report: " + as[0].Label
	} else {
		p.Overview = &Table{ID: "overview", Title: "Runs", Header: overviewHeader(), Rows: overviewRows(as)}
	}
	for i, a := range as {
		p.Runs = append(p.Runs, runSectionOf(a, i, true))
	}
	return renderPage(w, p)
}

// WriteHTML writes the comparison as one self-contained HTML page:
// Table 2 and the paired differences with charts, then each run's tables
// and charts (without the episode drill-down; use WriteHTML for that).
func (c *Comparison) WriteHTML(w io.Writer) error {
	p := page{Title: "rlef compare", Compare: &compareSection{Charts: c.Charts(), Tables: c.Tables(), Notes: c.pairNotes()}}
	for _, r := range c.Refused {
		p.Compare.Refused = append(p.Compare.Refused, r.Err.Error())
	}
	for i, a := range c.Analyses {
		p.Runs = append(p.Runs, runSectionOf(a, i, false))
	}
	return renderPage(w, p)
}

func renderPage(w io.Writer, p page) error {
	css, err := assets.ReadFile("assets/page.css")
	if err != nil {
		return fmt.Errorf("write html: %w", err)
	}
	js, err := assets.ReadFile("assets/page.js")
	if err != nil {
		return fmt.Errorf("write html: %w", err)
	}
	p.CSS, p.JS = template.CSS(css), template.JS(js)
	t, err := pageTemplate()
	if err != nil {
		return err
	}
	if err := t.Execute(w, p); err != nil {
		return fmt.Errorf("write html: %w", err)
	}
	return nil
}

func runSectionOf(a *Analysis, i int, drill bool) runSection {
	s := runSection{
		ID: "run-" + strconv.Itoa(i), Label: a.Label, Dir: a.Run.Dir,
		Settings: settingsLine(a.Run), Status: a.Run.Progress(), Unfinished: !a.Run.Finished(),
		Charts: a.Charts("run" + strconv.Itoa(i) + "-"), Tables: a.Tables(), Notes: a.Notes,
		Drill: drill && len(a.Run.Episodes) > 0,
	}
	if a.Err != nil {
		s.Err = a.Err.Error()
	}
	if s.Drill {
		s.Problems = selectEpisodes(a.Run.Episodes, a.opts.MaxEpisodes)
		s.Total = len(a.Run.Episodes)
		seen := map[verdict.Verdict]bool{}
		for _, p := range s.Problems {
			s.Shown += len(p.Episodes)
			for _, e := range p.Episodes {
				for _, t := range e.Turns {
					seen[t.Verdict] = true
				}
			}
		}
		for _, v := range verdict.All {
			if seen[v] {
				s.Verdicts = append(s.Verdicts, string(v))
			}
		}
		slices.Sort(s.Verdicts)
	}
	return s
}
