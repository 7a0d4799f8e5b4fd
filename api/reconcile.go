package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"

	"github.com/labstack/echo/v4"

	"github.com/regfus/regfus/records"
	"github.com/regfus/regfus/sheet"
	"github.com/regfus/regfus/store"
)

// reconciliations: GET /v1/reconciliations?region=&asl=&pharmacy=&competence=.
func (s *Server) reconciliations(c echo.Context) error {
	p := mustPrincipal(c)
	f := store.GroupFilter{Scope: p.Scope, Region: c.QueryParam("region"), ASL: c.QueryParam("asl"),
		Pharmacy: c.QueryParam("pharmacy"), Competence: c.QueryParam("competence")}
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
	recs, err := s.cfg.Store.ListReconciliations(c.Request().Context(), f)
	if err != nil {
		return err
	}
	sort.Slice(recs, func(i, j int) bool { return groupLess(recs[i].Group, recs[j].Group) })
	var buf bytes.Buffer
	buf.WriteString(`{"groups":[`)
	for i, r := range recs {
		if i > 0 {
			buf.WriteByte(',')
		}
		// The stored report is one reconcile.Group; computed_at is added
		// next to its fields.
		obj := bytes.TrimSpace(r.Report)
		if len(obj) < 2 || obj[0] != '{' {
			return fmt.Errorf("reconciliation %v: stored report is not a JSON object", r.Group)
		}
		at, _ := json.Marshal(r.ComputedAt.UTC())
		buf.WriteString(`{"computed_at":`)
		buf.Write(at)
		if inner := bytes.TrimSpace(obj[1:]); len(inner) > 0 && inner[0] != '}' {
			buf.WriteByte(',')
		}
		buf.Write(obj[1:])
	}
	buf.WriteString("]}")
	return c.JSONBlob(http.StatusOK, buf.Bytes())
}

func groupLess(a, b store.Group) bool {
	if a.Region != b.Region {
		return a.Region < b.Region
	}
	if a.ASL != b.ASL {
		return a.ASL < b.ASL
	}
	if a.Pharmacy != b.Pharmacy {
		return a.Pharmacy < b.Pharmacy
	}
	return a.Competence < b.Competence
}
