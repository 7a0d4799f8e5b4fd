package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/regfus/regfus/records"
	"github.com/regfus/regfus/sheet"
	"github.com/regfus/regfus/store"
)

// reconciliations: GET /v1/reconciliations?region=&asl=&pharmacy=&competence=&view=&limit=&cursor=.
func (s *Server) reconciliations(c echo.Context) error {
	p := mustPrincipal(c)
	f := store.GroupFilter{Scope: p.Scope, Key: sheet.Key{Region: c.QueryParam("region"), ASL: c.QueryParam("asl"),
		Pharmacy: c.QueryParam("pharmacy"), Competence: c.QueryParam("competence")}}
	for _, q := range []struct {
		name, v string
		n       int
	}{{"region", f.Region, 3}, {"asl", f.ASL, 3}, {"pharmacy", f.Pharmacy, 5}} {
		if q.v != "" {
			if err := sheet.ValidateDigits(q.name, q.v, q.n); err != nil {
				return wrap(http.StatusBadRequest, err, "query parameter %s=%q: want %d digits", q.name, q.v, q.n)
			}
		}
	}
	if f.Competence != "" {
		if err := records.ValidateCompetence(f.Competence); err != nil {
			return wrap(http.StatusBadRequest, err, "query parameter competence=%q: want YYYY-MM", f.Competence)
		}
	}
	// A filter that names something the scope excludes is a mistake the
	// caller should hear about (403), not an empty report.
	sc := p.Scope
	for _, x := range []struct{ name, want, got string }{
		{"region", sc.Region, f.Region}, {"asl", sc.ASL, f.ASL}, {"pharmacy", sc.Pharmacy, f.Pharmacy},
	} {
		if x.want != "" && x.got != "" && x.want != x.got {
			return errorf(http.StatusForbidden, "%s=%s is outside the scope of this key (%s)", x.name, x.got, sc)
		}
	}
	view := c.QueryParam("view")
	switch view {
	case "":
		view = viewSummary
		if f.ASL != "" || f.Pharmacy != "" || f.Competence != "" {
			view = viewFull
		}
	case viewSummary, viewFull:
	default:
		return errorf(http.StatusBadRequest, "query parameter view=%q: want summary or full", view)
	}
	defLimit, maxLimit := int64(100), int64(1000)
	if view == viewFull {
		defLimit, maxLimit = 20, 100
	}
	limit, err := queryInt(c, "limit", defLimit, maxLimit)
	if err != nil {
		return err
	}
	q := store.ReconciliationQuery{Filter: f, Limit: int(limit) + 1, Summaries: view == viewSummary}
	if raw := c.QueryParam("cursor"); raw != "" {
		if q.After, err = store.DecodeCursor(raw); err != nil {
			return wrap(http.StatusBadRequest, err, "query parameter cursor=%q: not a cursor this service gave", raw)
		}
	}
	recs, err := s.cfg.Store.PageReconciliations(c.Request().Context(), q)
	if err != nil {
		return err
	}
	var next string
	if len(recs) > int(limit) {
		recs = recs[:limit]
		next = store.EncodeCursor(recs[len(recs)-1].Group)
	}
	var buf bytes.Buffer
	buf.Grow(64 + len(recs)*512)
	buf.WriteString(`{"groups":[`)
	for i, r := range recs {
		if i > 0 {
			buf.WriteByte(',')
		}
		at, _ := json.Marshal(r.ComputedAt.UTC())
		extra := [][2]string{{"computed_at", string(at)}}
		obj := r.Report
		if view == viewSummary {
			obj = r.Summary
			if len(obj) == 0 { // a row stored before summaries, not yet filled in by Migrate
				obj, _ = json.Marshal(map[string]string{"region": r.Group.Region, "asl": r.Group.ASL,
					"pharmacy": r.Group.Pharmacy, "competence": r.Group.Competence})
			}
			link, _ := json.Marshal(reportLink(r.Group))
			extra = append(extra, [2]string{"report", string(link)})
		}
		if err := writeMerged(&buf, extra, obj); err != nil {
			return fmt.Errorf("reconciliation %v: %w", r.Group, err)
		}
	}
	buf.WriteString("]")
	if next != "" {
		cur, _ := json.Marshal(next)
		v := c.Request().URL.Query()
		v.Set("cursor", next)
		v.Set("view", view)
		v.Set("limit", strconv.FormatInt(limit, 10))
		link, _ := json.Marshal("/v1/reconciliations?" + v.Encode())
		buf.WriteString(`,"next_cursor":`)
		buf.Write(cur)
		buf.WriteString(`,"next":`)
		buf.Write(link)
	}
	buf.WriteString("}")
	return c.JSONBlob(http.StatusOK, buf.Bytes())
}

// The two views of GET /v1/reconciliations. A listing that names no ASL,
// pharmacy or month may span every pharmacy of a region: it answers one
// summary per pharmacy and month (a few hundred bytes, read from the
// stored summary column, never the report) with a link to the full
// report. Naming an ASL, a pharmacy or a month answers the reports of
// SPEC section 5 themselves. Both are pages of at most limit groups in
// group order; next_cursor continues after the last one.
const (
	viewSummary = "summary"
	viewFull    = "full"
)

// reportLink is the request for one group's full report.
func reportLink(g sheet.Key) string {
	v := url.Values{}
	v.Set("region", g.Region)
	v.Set("asl", g.ASL)
	v.Set("pharmacy", g.Pharmacy)
	v.Set("competence", g.Competence)
	v.Set("view", viewFull)
	return "/v1/reconciliations?" + v.Encode()
}

// writeMerged writes the JSON object obj with the members extra (name,
// JSON value) put first.
func writeMerged(buf *bytes.Buffer, extra [][2]string, obj json.RawMessage) error {
	obj = bytes.TrimSpace(obj)
	if len(obj) < 2 || obj[0] != '{' {
		return fmt.Errorf("stored report is not a JSON object")
	}
	buf.WriteByte('{')
	for i, m := range extra {
		if i > 0 {
			buf.WriteByte(',')
		}
		k, _ := json.Marshal(m[0])
		buf.Write(k)
		buf.WriteByte(':')
		buf.WriteString(m[1])
	}
	if inner := bytes.TrimSpace(obj[1:]); len(inner) > 0 && inner[0] != '}' {
		buf.WriteByte(',')
	}
	buf.Write(obj[1:])
	return nil
}
