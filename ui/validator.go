package ui

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"net/url"

	"github.com/regfus/regfus/layout"
	"github.com/regfus/regfus/reconcile"
	"github.com/regfus/regfus/records"
	"github.com/regfus/regfus/report"
	"github.com/regfus/regfus/sheet"
	"github.com/regfus/regfus/store"
)

// The validator's pages (a pharmacy sees the same, for itself): stored
// reconciliations by ASL, pharmacy and month with filters and paging, one
// report with its findings and sheets, and its downloads.

// summaryRow is one line of the listing: the group's stored summary
// (reconcile.Brief, the listing's wire format in the REST API too) and
// the link to its report.
type summaryRow struct {
	reconcile.Brief
	Link string
}

// summaryRows reads the summaries of recs (read with Summaries). A row
// stored before summaries existed and not yet filled in by Migrate has
// none: it shows its group with zero counts.
func summaryRows(recs []store.Reconciliation) ([]summaryRow, error) {
	var rows []summaryRow
	for _, r := range recs {
		var b reconcile.Brief
		if len(r.Summary) > 0 {
			if err := json.Unmarshal(r.Summary, &b); err != nil {
				return nil, fmt.Errorf("stored summary of %s: %w", r.Group, err)
			}
		}
		b.Key = r.Group
		rows = append(rows, summaryRow{Brief: b, Link: reportPath(r.Group)})
	}
	return rows, nil
}

type reconData struct {
	Filter    store.GroupFilter
	Rows      []summaryRow
	Next      string // link to the next page, "" on the last
	First     string // link to the first page, "" on it
	Error     string
	PageSize  int
	FixedASL  bool // the scope fixes the ASL (no filter to offer)
	FixedPhar bool
}

const reconPageSize = 25

// reconciliations lists the stored reconciliations in scope, filtered by
// ASL, pharmacy and month, a page at a time (the store's keyset paging,
// as GET /v1/reconciliations).
func (u *UI) reconciliations(rc *reqCtx) error {
	sc := rc.who.Scope
	f := store.GroupFilter{Scope: sc, Key: sheet.Key{ASL: rc.QueryParam("asl"), Pharmacy: rc.QueryParam("pharmacy"), Competence: rc.QueryParam("month")}}
	d := reconData{Filter: f, PageSize: reconPageSize, FixedASL: sc.ASL != "", FixedPhar: sc.Pharmacy != ""}
	bad := false
	for _, q := range []struct {
		v string
		n int
	}{{f.ASL, 3}, {f.Pharmacy, 5}} {
		if q.v != "" && sheet.ValidateDigits("filter", q.v, q.n) != nil {
			bad = true
		}
	}
	if f.Competence != "" && records.ValidateCompetence(f.Competence) != nil {
		bad = true
	}
	if bad {
		d.Error = u.cat.t(rc.lang, "recon.badfilter")
		return u.render(rc, http.StatusBadRequest, "reconciliations", d)
	}
	q := store.ReconciliationQuery{Filter: f, Limit: reconPageSize + 1, Summaries: true}
	if c := rc.QueryParam("cursor"); c != "" {
		g, err := store.DecodeCursor(c)
		if err != nil {
			d.Error = u.cat.t(rc.lang, "recon.badfilter")
			return u.render(rc, http.StatusBadRequest, "reconciliations", d)
		}
		q.After = g
		v := rc.QueryParams()
		v.Del("cursor")
		d.First = "/ui/reconciliations?" + v.Encode()
	}
	recs, err := u.dom.Store.PageReconciliations(rc.Request().Context(), q)
	if err != nil {
		return err
	}
	if len(recs) > reconPageSize {
		recs = recs[:reconPageSize]
		v := rc.QueryParams()
		v.Set("cursor", store.EncodeCursor(recs[len(recs)-1].Group))
		d.Next = "/ui/reconciliations?" + v.Encode()
	}
	if d.Rows, err = summaryRows(recs); err != nil {
		return err
	}
	return u.ok(rc, "reconciliations", d)
}

func reportPath(g sheet.Key) string {
	return fmt.Sprintf("/ui/reconciliations/%s/%s/%s/%s", url.PathEscape(g.Region), url.PathEscape(g.ASL), url.PathEscape(g.Pharmacy), url.PathEscape(g.Competence))
}

// groupOfPath reads region, ASL, pharmacy and month from the path; a
// malformed one is a group that does not exist.
func groupOfPath(rc *reqCtx) (sheet.Key, error) {
	g := sheet.Key{Region: rc.Param("region"), ASL: rc.Param("asl"), Pharmacy: rc.Param("pharmacy"), Competence: rc.Param("month")}
	if sheet.ValidateDigits("region", g.Region, 3) != nil || sheet.ValidateDigits("asl", g.ASL, 3) != nil ||
		sheet.ValidateDigits("pharmacy", g.Pharmacy, 5) != nil || records.ValidateCompetence(g.Competence) != nil {
		return g, uiErrorf(http.StatusNotFound, "err.notfound")
	}
	return g, nil
}

// sheetPic is one sheet of a report, drawn, with the page it came from.
type sheetPic struct {
	View   reconcile.SheetView
	SVG    template.HTML
	PageID int64
}

type reportData struct {
	G      reconcile.Group
	Path   string
	Sheets []sheetPic
	// PageOf maps "source#page" to the stored page's id, for finding
	// links.
	PageOf map[string]int64
}

// loadReport reads a group's stored report in the caller's scope, as
// stored and decoded.
func (u *UI) loadReport(rc *reqCtx) (sheet.Key, store.Reconciliation, reconcile.Group, error) {
	var rep reconcile.Group
	g, err := groupOfPath(rc)
	if err != nil {
		return g, store.Reconciliation{}, rep, err
	}
	r, err := u.dom.Store.GetReconciliation(rc.Request().Context(), g, rc.who.Scope)
	if err != nil {
		return g, r, rep, notFound(err)
	}
	if err := json.Unmarshal(r.Report, &rep); err != nil {
		return g, r, rep, fmt.Errorf("report of %v: %w", g, err)
	}
	return g, r, rep, nil
}

// report is one pharmacy and month: figures, findings with links to the
// page images, every sheet drawn with its slots coloured by outcome, and
// the downloads.
func (u *UI) report(rc *reqCtx) error {
	g, _, rep, err := u.loadReport(rc)
	if err != nil {
		return err
	}
	d := reportData{G: rep, Path: reportPath(g), PageOf: map[string]int64{}}
	pages, err := u.dom.Store.ListSheetResults(rc.Request().Context(), store.GroupFilter{Scope: rc.who.Scope, Key: g})
	if err != nil {
		return err
	}
	for _, p := range pages {
		if p.Result != nil {
			d.PageOf[fmt.Sprintf("%s#%d", p.Result.Source, p.Result.Page)] = p.ID
		}
		d.PageOf[fmt.Sprintf("%s#%d", p.File.Name, p.Index)] = p.ID
	}
	for _, sv := range rep.Sheets {
		l := layout.Current()
		if sv.LayoutVersion > 0 {
			if lv, err := layout.Version(sv.LayoutVersion); err == nil {
				l = lv
			}
		}
		sv := sv
		d.Sheets = append(d.Sheets, sheetPic{View: sv, SVG: template.HTML(report.SheetSVG(l, &sv, 180)),
			PageID: d.PageOf[fmt.Sprintf("%s#%d", sv.Source, sv.Page)]})
	}
	return u.ok(rc, "report", d)
}

// download sends findings.csv, payable.csv or report.json of one group,
// written by package report as `regfus verify` writes them.
func (u *UI) download(rc *reqCtx) error {
	g, r, rep, err := u.loadReport(rc)
	if err != nil {
		return err
	}
	full := &reconcile.Report{Groups: []reconcile.Group{rep}}
	var buf bytes.Buffer
	ct := "text/csv; charset=utf-8"
	name := fmt.Sprintf("%s-%s-%s-%s-", g.Region, g.ASL, g.Pharmacy, g.Competence)
	switch f := rc.Param("file"); f {
	case "findings.csv":
		err = report.WriteCSV(&buf, full)
	case "payable.csv":
		err = report.WritePayableCSV(&buf, full)
	case "report.json":
		ct = "application/json"
		err = json.Indent(&buf, r.Report, "", "  ")
	default:
		return uiErrorf(http.StatusNotFound, "err.notfound")
	}
	if err != nil {
		return err
	}
	name += rc.Param("file")
	rc.Response().Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s"`, name))
	return rc.Blob(http.StatusOK, ct, buf.Bytes())
}

type historyData struct {
	Batches []store.Batch
	Rows    []summaryRow
}

// history is a pharmacy's own batches and reconciliations.
func (u *UI) history(rc *reqCtx) error {
	ctx := rc.Request().Context()
	bs, err := u.dom.Store.ListBatches(ctx, rc.who.Scope, 50)
	if err != nil {
		return err
	}
	d := historyData{Batches: bs}
	if u.api.Allows("reconciliations", rc.who) {
		recs, err := u.dom.Store.PageReconciliations(ctx, store.ReconciliationQuery{Filter: store.GroupFilter{Scope: rc.who.Scope}, Limit: 24, Summaries: true})
		if err != nil {
			return err
		}
		if d.Rows, err = summaryRows(recs); err != nil {
			return err
		}
	}
	return u.ok(rc, "history", d)
}
