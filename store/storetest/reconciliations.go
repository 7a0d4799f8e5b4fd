package storetest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/regfus/regfus/sheet"
	"github.com/regfus/regfus/store"
)

// testReconciliations: a group's report is stored, replaced and read
// within scope.
func testReconciliations(t *testing.T, c context.Context, s Store) {
	gA := sheet.Key{Region: "120", ASL: "205", Pharmacy: "99999", Competence: "2023-01"}
	gB := sheet.Key{Region: "120", ASL: "205", Pharmacy: "11111", Competence: "2023-01"}
	at := time.Date(2023, 2, 11, 9, 30, 0, 123456000, time.UTC)
	ok(t, s.PutReconciliation(c, store.Reconciliation{Group: gA, Report: json.RawMessage(`{"groups":[{"pharmacy":"99999","findings":[]}]}`),
		Summary: json.RawMessage(`{}`), ComputedAt: at}), "Put A")
	ok(t, s.PutReconciliation(c, store.Reconciliation{Group: gB, Report: json.RawMessage(`{"groups":[]}`), Summary: json.RawMessage(`{}`)}), "Put B")
	r, err := s.GetReconciliation(c, gA, pharmacyA)
	ok(t, err, "GetReconciliation")
	if r.Group != gA || !r.ComputedAt.Equal(at) {
		t.Fatalf("GetReconciliation = %+v", r)
	}
	jsonEq(t, r.Report, json.RawMessage(`{"groups":[{"pharmacy":"99999","findings":[]}]}`), "report")
	_, err = s.GetReconciliation(c, gA, pharmacyB)
	is(t, err, store.ErrNotFound, "GetReconciliation out of scope")
	_, err = s.GetReconciliation(c, sheet.Key{Region: "120", ASL: "205", Pharmacy: "99999", Competence: "2023-02"}, admin)
	is(t, err, store.ErrNotFound, "GetReconciliation(unknown)")

	ok(t, s.PutReconciliation(c, store.Reconciliation{Group: gA, Report: json.RawMessage(`{"groups":[],"v":2}`), Summary: json.RawMessage(`{}`)}), "replace A")
	r, _ = s.GetReconciliation(c, gA, admin)
	jsonEq(t, r.Report, json.RawMessage(`{"groups":[],"v":2}`), "replaced report")
	if !r.ComputedAt.After(at) {
		t.Fatalf("computed_at not updated: %v", r.ComputedAt)
	}
	list, err := s.ListReconciliations(c, store.GroupFilter{Scope: station205, Key: sheet.Key{Competence: "2023-01"}})
	ok(t, err, "ListReconciliations")
	if len(list) != 2 || list[0].Group != gB {
		t.Fatalf("ListReconciliations = %+v", list)
	}
	if list, _ := s.ListReconciliations(c, store.GroupFilter{Scope: pharmacyA}); len(list) != 1 {
		t.Fatalf("pharmacy A lists %d reconciliations", len(list))
	}
	if list, _ := s.ListReconciliations(c, store.GroupFilter{Scope: otherReg}); len(list) != 0 {
		t.Fatalf("other region lists %d reconciliations", len(list))
	}
	is(t, s.PutReconciliation(c, store.Reconciliation{Group: gA, Report: json.RawMessage(`{`), Summary: json.RawMessage(`{}`)}), store.ErrInvalid, "Put(bad JSON)")
	is(t, s.PutReconciliation(c, store.Reconciliation{Group: gA, Report: json.RawMessage(`{}`)}), store.ErrInvalid, "Put(no summary)")
}

// testReconciliationPages: keyset pages cover every group in scope exactly
// once, in order, whatever the page size; a summary page carries the
// summaries as they were put, never the report, and a report page the
// reports.
func testReconciliationPages(t *testing.T, c context.Context, s Store) {
	var want []sheet.Key
	for _, asl := range []string{"205", "206"} {
		for _, ph := range []string{"11111", "99999"} {
			for _, m := range []string{"2023-01", "2023-02", "2023-03"} {
				g := sheet.Key{Region: "120", ASL: asl, Pharmacy: ph, Competence: m}
				rep := fmt.Sprintf(`{"region":"120","asl":%q,"pharmacy":%q,"competence":%q,"declared_sheets":null,"scanned_sheets":3,`+
					`"findings":[{"kind":"unreadable"},{"kind":"aic_mismatch"}],"payable":[],"summary":{"payable":0,"findings":{"unreadable":1}}}`, asl, ph, m)
				sum := fmt.Sprintf(`{"pharmacy":%q,"competence":%q,"findings_count":2}`, ph, m)
				ok(t, s.PutReconciliation(c, store.Reconciliation{Group: g, Report: json.RawMessage(rep), Summary: json.RawMessage(sum)}), "Put "+fmt.Sprint(g))
				if asl == "205" {
					want = append(want, g)
				}
			}
		}
	}
	for _, limit := range []int{1, 2, 5, 6, 100} {
		for _, summaries := range []bool{false, true} {
			var got []sheet.Key
			var after sheet.Key
			for calls := 0; ; calls++ {
				if calls > len(want)+1 {
					t.Fatalf("limit %d: paging does not end", limit)
				}
				page, err := s.PageReconciliations(c, store.ReconciliationQuery{
					Filter: store.GroupFilter{Scope: station205}, After: after, Limit: limit, Summaries: summaries})
				ok(t, err, "PageReconciliations")
				if len(page) > limit {
					t.Fatalf("limit %d: page of %d", limit, len(page))
				}
				for _, r := range page {
					got = append(got, r.Group)
					if summaries {
						if r.Report != nil {
							t.Fatalf("summary page carries the report: %s", r.Report)
						}
						jsonEq(t, r.Summary, json.RawMessage(fmt.Sprintf(`{"pharmacy":%q,"competence":%q,"findings_count":2}`,
							r.Group.Pharmacy, r.Group.Competence)), "summary")
					} else if !bytes.Contains(r.Report, []byte(`aic_mismatch`)) || r.Summary != nil {
						t.Fatalf("report page: report %s summary %s", r.Report, r.Summary)
					}
					if r.ComputedAt.IsZero() {
						t.Fatalf("computed_at not read: %+v", r)
					}
				}
				if len(page) < limit {
					break
				}
				after = page[len(page)-1].Group
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("limit %d summaries %v: pages give %v, want %v", limit, summaries, got, want)
			}
		}
	}
	// Filters and scope are applied inside the page, not after it.
	page, err := s.PageReconciliations(c, store.ReconciliationQuery{
		Filter: store.GroupFilter{Scope: validator, Key: sheet.Key{Pharmacy: "99999", Competence: "2023-02"}}, Limit: 1, Summaries: true})
	ok(t, err, "filtered page")
	if len(page) != 1 || page[0].Group != (sheet.Key{Region: "120", ASL: "205", Pharmacy: "99999", Competence: "2023-02"}) {
		t.Fatalf("filtered page = %+v", page)
	}
	if page, _ := s.PageReconciliations(c, store.ReconciliationQuery{Filter: store.GroupFilter{Scope: otherReg}, Limit: 10}); len(page) != 0 {
		t.Fatalf("other region pages %d reconciliations", len(page))
	}
	_, err = s.PageReconciliations(c, store.ReconciliationQuery{Filter: store.GroupFilter{Scope: admin}})
	is(t, err, store.ErrInvalid, "page size 0")
}
