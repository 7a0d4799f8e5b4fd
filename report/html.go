package report

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"

	"github.com/regfus/regfus/layout"
	"github.com/regfus/regfus/reconcile"
)

//go:embed report.html.tmpl
var htmlSource string

var htmlTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"deref": func(p *int) string {
		if p == nil {
			return "none"
		}
		return fmt.Sprint(*p)
	},
	"dash": func(s string) string {
		if s == "" {
			return "–"
		}
		return s
	},
	"num": func(n int) string {
		if n == 0 {
			return "–"
		}
		return fmt.Sprint(n)
	},
}).Parse(htmlSource))

// HTMLOptions tunes the HTML report.
type HTMLOptions struct {
	// Title heads the page; default "regfus reconciliation report".
	Title string
	// Subtitle is an optional line under it (for example the input files
	// or when the report was made: the report itself has no clock).
	Subtitle string
	// MaxPayableRows bounds the payable rows shown per group (the JSON and
	// CSV reports have them all); 0 means 1000.
	MaxPayableRows int
	// SheetWidth is the width of a sheet picture in pixels; 0 means 150.
	SheetWidth int
}

type countRow struct {
	Name  string
	Count int
}

type htmlSheet struct {
	View  *reconcile.SheetView
	Title string
	SVG   template.HTML
}

type htmlGroup struct {
	*reconcile.Group
	ID             string
	Sheets         []htmlSheet
	Payable        []reconcile.Payable
	PayableHidden  int
	Fustelle       []countRow
	RecordsMatch   []countRow
	RecordsAccount []countRow
	Findings       []countRow
}

type htmlData struct {
	Title, Subtitle string
	Groups          []htmlGroup
	TopFindings     []reconcile.Finding
	Totals          reconcile.Summary
	TotalFustelle   []countRow
	TotalAccount    []countRow
	Legend          []legendItem
}

type legendItem struct{ Class, Text string }

// legend lists the slot classes with what they mean.
var legend = []legendItem{
	{"matched", "matched to its record, payable"},
	{"issue", "matched, with a finding (other slot or AIC, duplicate, suspended, unsigned)"},
	{"unrecorded", "read, in no record"},
	{"duplicate", "same targatura as another slot"},
	{"unreadable", "not read for sure: waits for a person"},
	{"foreign", "sheet nobody declared or recorded"},
	{"rescanned", "second scan of a sheet"},
	{"empty", "empty"},
	{"unknown", "not in the page result"},
}

// WriteHTML writes a self-contained HTML page: per pharmacy and month a
// summary, the findings table, a small picture of every delivered sheet
// with each slot coloured by outcome, and the payable list. It loads
// nothing from anywhere: styles and pictures (inline SVG drawn from
// package layout's geometry) are in the page.
func WriteHTML(w io.Writer, rep *reconcile.Report, opt HTMLOptions) error {
	if opt.Title == "" {
		opt.Title = "regfus reconciliation report"
	}
	if opt.MaxPayableRows == 0 {
		opt.MaxPayableRows = 1000
	}
	if opt.SheetWidth == 0 {
		opt.SheetWidth = 150
	}
	d := htmlData{Title: opt.Title, Subtitle: opt.Subtitle, TopFindings: rep.Findings, Totals: rep.Totals}
	d.TotalFustelle = fustelleRows(rep.Totals)
	for _, o := range reconcile.AccountOutcomes {
		d.TotalAccount = append(d.TotalAccount, countRow{string(o), rep.Totals.RecordsAccount[o]})
	}
	layouts := map[int]*layout.Layout{}
	for i := range rep.Groups {
		g := &rep.Groups[i]
		hg := htmlGroup{Group: g, ID: fmt.Sprintf("g-%s-%s-%s-%s", g.Region, g.ASL, g.Pharmacy, g.Competence)}
		for j := range g.Sheets {
			v := &g.Sheets[j]
			l := layouts[v.LayoutVersion]
			if l == nil {
				var err error
				if l, err = layout.Version(v.LayoutVersion); err != nil {
					l = layout.Current()
				}
				layouts[v.LayoutVersion] = l
			}
			hg.Sheets = append(hg.Sheets, htmlSheet{View: v, Title: sheetTitle(v), SVG: template.HTML(sheetSVG(l, v, opt.SheetWidth))})
		}
		hg.Payable = g.Payable
		if len(hg.Payable) > opt.MaxPayableRows {
			hg.PayableHidden = len(hg.Payable) - opt.MaxPayableRows
			hg.Payable = hg.Payable[:opt.MaxPayableRows]
		}
		hg.Fustelle = fustelleRows(g.Summary)
		for _, o := range reconcile.MatchOutcomes {
			hg.RecordsMatch = append(hg.RecordsMatch, countRow{string(o), g.Summary.RecordsMatch[o]})
		}
		for _, o := range reconcile.AccountOutcomes {
			hg.RecordsAccount = append(hg.RecordsAccount, countRow{string(o), g.Summary.RecordsAccount[o]})
		}
		for _, k := range reconcile.Kinds {
			if n := g.Summary.Findings[k]; n > 0 {
				hg.Findings = append(hg.Findings, countRow{string(k), n})
			}
		}
		d.Groups = append(d.Groups, hg)
	}
	d.Legend = legend
	return htmlTemplate.Execute(w, d)
}

func fustelleRows(s reconcile.Summary) []countRow {
	var out []countRow
	for _, o := range reconcile.FustellaOutcomes {
		out = append(out, countRow{string(o), s.Fustelle[o]})
	}
	return out
}
