package process_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/regfus/regfus/auth"
	"github.com/regfus/regfus/intake"
	"github.com/regfus/regfus/page"
	"github.com/regfus/regfus/process"
	"github.com/regfus/regfus/records"
	"github.com/regfus/regfus/sheet"
	"github.com/regfus/regfus/store"
	"github.com/regfus/regfus/synth"
)

// answer is what a person reading the sheet would type for an item, from
// the corpus's ground truth.
func answer(t *testing.T, tp synth.Page, it store.ReviewItem) json.RawMessage {
	t.Helper()
	j := func(v any) json.RawMessage { b, _ := json.Marshal(v); return b }
	// orNull: a field left blank on the sheet is answered null.
	orNull := func(s string) json.RawMessage {
		if s == "" {
			return j(nil)
		}
		return j(s)
	}
	switch it.Field {
	case process.FieldCode:
		return j(tp.Sheet.Code)
	case process.FieldProgressive:
		return orNull(tp.Sheet.Progressive)
	case process.FieldCount:
		return j(tp.Sheet.DeclaredCount)
	case process.FieldDate:
		return orNull(tp.Sheet.Date)
	case process.FieldSlot:
		s := tp.Slots[it.Slot-1]
		if s.State == string(page.Empty) {
			return j(map[string]string{"state": "empty"})
		}
		return j(map[string]string{"state": "filled", "aic": s.AIC, "targatura": s.Targatura})
	case process.FieldRule:
		return j(map[string]bool{"accepted": true})
	case process.FieldPage:
		return j(nil)
	}
	t.Fatalf("no answer for field %q", it.Field)
	return nil
}

// TestCorrectRebuildsTheResultAndReconciles: a person answers every
// review item of a page; each correction is kept with who and when, the
// stored result follows, the page ends ok, and the pharmacy's report is
// recomputed after each correction.
func TestCorrectRebuildsTheResultAndReconciles(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "", nil)
	e.start(t)
	ctx := testCtx(t)
	const file = "0001-clean.png"
	// Uploaded by the station of the sheet's ASL (120-202): from another
	// ASL's station it would be rejected as out of scope.
	station202 := auth.Scope{Role: auth.Station, Key: sheet.Key{Region: "120", ASL: "202"}}
	rc, err := e.eng.Submit(ctx, process.Submission{Scope: station202, Files: []intake.File{upload(t, file)}})
	if err != nil {
		t.Fatal(err)
	}
	waitDone(t, e.eng, rc.Batch.ID, 5*time.Minute)
	tp := truth(t, file).Pages[0]
	code, err := sheet.ParseCode(tp.Sheet.Code)
	if err != nil {
		t.Fatal(err)
	}
	g := code.Key()
	items, err := e.store.ListReview(ctx, store.ReviewFilter{Scope: admin, BatchID: rc.Batch.ID, Status: store.ReviewOpen})
	if err != nil {
		t.Fatal(err)
	}
	if len(items) == 0 {
		t.Fatal("no review item: the bars-only reader cannot read the handwriting, so the page should wait for a person")
	}
	// A wrong value first: refused, nothing stored.
	bad := items[0]
	if _, err := e.eng.Correct(ctx, process.Correction{ItemID: bad.ID, Scope: admin, KeyID: "", After: json.RawMessage(`{"nonsense":1}`)}); !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("a wrong value: %v, want ErrInvalid", err)
	}
	// Out of scope: not found.
	other := auth.Scope{Role: auth.Pharmacy, Key: sheet.Key{Region: "120", ASL: "201", Pharmacy: "00001"}}
	if _, err := e.eng.Correct(ctx, process.Correction{ItemID: bad.ID, Scope: other, After: answer(t, tp, bad)}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("out of scope: %v, want ErrNotFound", err)
	}
	var lastReport []byte
	for i, it := range items {
		before, _ := e.store.GetReconciliation(ctx, g, admin)
		time.Sleep(2 * time.Millisecond) // ComputedAt is in microseconds
		got, err := e.eng.Correct(ctx, process.Correction{ItemID: it.ID, Scope: admin, After: answer(t, tp, it), Note: "from the paper"})
		if err != nil {
			t.Fatalf("item %d (%s slot %d): %v", it.ID, it.Field, it.Slot, err)
		}
		if got.Item.Status != store.ReviewResolved || len(got.Item.Corrections) != 1 || got.Item.Corrections[0].Note != "from the paper" {
			t.Errorf("item %d after correction: %+v", it.ID, got.Item)
		}
		p, err := e.store.GetPage(ctx, it.PageID, admin)
		if err != nil {
			t.Fatal(err)
		}
		stored, _ := json.Marshal(p.Result)
		returned, _ := json.Marshal(got.Page)
		if !bytes.Equal(stored, returned) {
			t.Errorf("stored result differs from the corrected one:\n%s\n%s", stored, returned)
		}
		if len(got.Reconciliations) == 0 {
			t.Fatalf("correction %d reconciled nothing", i+1)
		}
		after, err := e.store.GetReconciliation(ctx, g, admin)
		if err != nil {
			t.Fatal(err)
		}
		if !after.ComputedAt.After(before.ComputedAt) {
			t.Errorf("correction %d: reconciliation not recomputed (%s, before %s)", i+1, after.ComputedAt, before.ComputedAt)
		}
		lastReport = after.Report
	}
	p, _ := e.store.GetPage(ctx, items[0].PageID, admin)
	if p.Result.Status != page.OK || len(p.Result.Reasons) != 0 {
		t.Fatalf("page after every correction: %s %v", p.Result.Status, p.Result.Reasons)
	}
	// With the page ok, its fustelle are no longer "unreadable" findings.
	if strings.Contains(string(lastReport), `"kind":"unreadable"`) {
		t.Errorf("report still has unreadable findings after the page was corrected:\n%s", lastReport)
	}
}

// TestReconcileAfterImport: declarations and records imported for a
// pharmacy with no sheets yet show in its stored report.
func TestReconcileAfterImport(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "", nil)
	ctx := context.Background()
	decls, err := records.ParseDeclarations([]byte("region,asl,pharmacy,competence,bundle,sheets,gross_amount,ticket\n"+
		"120,205,99999,2024-01,REGFUS,3,0.00,0.00\n"), "d.csv", records.CSV)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := records.ParseRecords([]byte("record_id,region,asl,pharmacy,dispensed_on,competence,prescription,aic,targatura,sheet,slot,state,closed_on,signature,signed_document_id\n"+
		"r1,120,205,99999,2024-01-20,2024-01,NRE1,012345676,1234567895,1,1,closed,2024-02-03,digital,DOC1\n"), "r.csv", records.CSV)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := e.store.ImportDeclarations(ctx, store.Import{Source: "d.csv"}, decls)
	if err != nil {
		t.Fatal(err)
	}
	rsum, err := e.store.ImportRecords(ctx, store.Import{Source: "r.csv"}, recs)
	if err != nil {
		t.Fatal(err)
	}
	got, err := e.eng.Reconcile(ctx, append(sum.Groups, rsum.Groups...)...)
	if err != nil {
		t.Fatal(err)
	}
	byMonth := map[string]map[string]any{}
	for _, r := range got {
		var m map[string]any
		if err := json.Unmarshal(r.Report, &m); err != nil {
			t.Fatal(err)
		}
		byMonth[r.Group.Competence] = m
		stored, err := e.store.GetReconciliation(ctx, r.Group, admin)
		if err != nil || !bytes.Equal(stored.Report, r.Report) {
			t.Errorf("group %+v not stored as returned (%v)", r.Group, err)
		}
	}
	jan := byMonth["2024-01"]
	if jan == nil || jan["declared_sheets"] != float64(3) || jan["scanned_sheets"] != float64(0) {
		t.Fatalf("January: %v", jan)
	}
	if !strings.Contains(fmt.Sprint(jan["findings"]), "sheet_count_mismatch") {
		t.Errorf("January findings lack sheet_count_mismatch: %v", jan["findings"])
	}
}

// TestOutOfScopePageAndCorrection: a page read as a sheet outside its
// uploader's scope is recorded rejected, out_of_scope, with no sheet data
// (no sheet row for reconciliation, no slots for duplicate checks); a
// correction that would make it a sheet outside the uploader's scope is
// refused with auth.ErrOutOfScope, inside it accepted.
func TestOutOfScopePageAndCorrection(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "", nil)
	e.start(t)
	ctx := testCtx(t)
	// station is ASL 120-201; 0001-clean.png is a sheet of 120-202-93161.
	rc, err := e.eng.Submit(ctx, process.Submission{Scope: station, Files: []intake.File{upload(t, "0001-clean.png")}})
	if err != nil {
		t.Fatal(err)
	}
	waitDone(t, e.eng, rc.Batch.ID, 5*time.Minute)
	pages, err := e.store.ListPages(ctx, rc.Batch.ID, admin)
	if err != nil || len(pages) != 1 || pages[0].Result == nil {
		t.Fatalf("pages %+v, %v", pages, err)
	}
	res := pages[0].Result
	if res.Status != page.Rejected || len(res.Reasons) != 1 || !strings.HasPrefix(res.Reasons[0].String(), string(page.ReasonOutOfScope)+": sheet 12020293161062025") ||
		res.Sheet.Code != nil || len(res.Slots) != 0 {
		t.Fatalf("out-of-scope page recorded as %+v", res)
	}
	if got, _ := e.store.ListSheetResults(ctx, store.GroupFilter{Scope: admin, Key: sheet.Key{Pharmacy: "93161"}}); len(got) != 0 {
		t.Fatalf("the out-of-scope page reached 93161's sheets: %+v", got)
	}
	items, err := e.store.ListReview(ctx, store.ReviewFilter{Scope: admin, PageID: pages[0].ID})
	if err != nil || len(items) != 1 || items[0].Field != process.FieldPage {
		t.Fatalf("review items %+v, %v", items, err)
	}
	keyed := func(code string) json.RawMessage {
		return json.RawMessage(`{"sheet":{"code":"` + code + `"},"slots":[]}`)
	}
	_, err = e.eng.Correct(ctx, process.Correction{ItemID: items[0].ID, Scope: admin, After: keyed("12020293161062025")})
	if !errors.Is(err, auth.ErrOutOfScope) {
		t.Fatalf("admin keys the page in as the 202 sheet the station may not upload: %v, want ErrOutOfScope", err)
	}
	if _, err := e.eng.Correct(ctx, process.Correction{ItemID: items[0].ID, Scope: station, After: keyed("12020131578012024")}); err != nil {
		t.Fatalf("the station keys it in as a sheet of its ASL: %v", err)
	}
}
