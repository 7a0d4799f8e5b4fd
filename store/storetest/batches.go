package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/regfus/regfus/auth"
	"github.com/regfus/regfus/page"
	"github.com/regfus/regfus/sheet"
	"github.com/regfus/regfus/store"
)

// testBatchCreate: a batch records its files and their pages; a file
// uploaded again by the same scope keeps its pages, one repeated within a
// batch is listed once.
func testBatchCreate(t *testing.T, c context.Context, s Store) {
	a, b := file("A", 2), file("B", 1)
	bc := mustBatch(t, s, station205, a, b)
	if bc.Batch.Status != store.BatchQueued || bc.Batch.Progress != (store.Progress{Total: 3, Queued: 3}) {
		t.Fatalf("new batch: status %s progress %+v", bc.Batch.Status, bc.Batch.Progress)
	}
	if bc.Batch.Owner.ASL != "205" || bc.Batch.Owner.Region != "120" || bc.Batch.OwnerKeyID == "" || bc.Batch.CreatedAt.IsZero() {
		t.Fatalf("batch owner not kept: %+v", bc.Batch)
	}
	want := []store.FileOutcome{{SHA256: a.SHA256, Pages: 2}, {SHA256: b.SHA256, Pages: 1}}
	if !reflect.DeepEqual(bc.Files, want) {
		t.Fatalf("outcomes %+v, want %+v", bc.Files, want)
	}
	pages, err := s.ListPages(c, bc.Batch.ID, admin)
	ok(t, err, "ListPages")
	if len(pages) != 3 {
		t.Fatalf("ListPages = %d pages, want 3", len(pages))
	}
	for i, w := range []struct {
		sha  string
		name string
		idx  int
	}{{a.SHA256, "A.tif", 1}, {a.SHA256, "A.tif", 2}, {b.SHA256, "B.tif", 1}} {
		p := pages[i]
		if p.File.SHA256 != w.sha || p.File.Name != w.name || p.Index != w.idx || p.State != store.PageQueued ||
			p.BatchID != bc.Batch.ID || p.Result != nil || p.QueuedAt.IsZero() || p.File.BlobPath != file(w.name[:1], 1).BlobPath {
			t.Fatalf("page %d = %+v", i, p)
		}
	}

	// Re-upload of B (under another name, with a wrong page count) and a new
	// file twice: B is recognised and shares its page.
	b2 := b
	b2.Name, b2.Pages = "B-again.tif", 5
	bc2 := mustBatch(t, s, station205, b2, file("C", 1), file("C", 1))
	wantOut := []store.FileOutcome{
		{SHA256: b.SHA256, Known: true, Pages: 1},
		{SHA256: sha("C"), Pages: 1},
		{SHA256: sha("C"), Known: true, Repeated: true, Pages: 1},
	}
	if !reflect.DeepEqual(bc2.Files, wantOut) {
		t.Fatalf("re-upload outcomes %+v, want %+v", bc2.Files, wantOut)
	}
	if bc2.Batch.Progress.Total != 2 {
		t.Fatalf("second batch has %d pages, want 2 (B shared, C once)", bc2.Batch.Progress.Total)
	}
	pages2, err := s.ListPages(c, bc2.Batch.ID, admin)
	ok(t, err, "ListPages 2")
	if len(pages2) != 2 || pages2[0].ID != pages[2].ID || pages2[0].File.Name != "B-again.tif" || pages2[0].BatchID != bc.Batch.ID ||
		pages2[0].SeenIn != bc2.Batch.ID || pages2[0].Owner != (auth.Scope{Key: sheet.Key{Region: "120", ASL: "205"}}) {
		t.Fatalf("shared page: %+v (want id %d named B-again.tif from batch %d, seen in %d)", pages2[0], pages[2].ID, bc.Batch.ID, bc2.Batch.ID)
	}
	if depth, err := s.QueueDepth(c); err != nil || depth != 4 {
		t.Fatalf("QueueDepth = %d, %v; want 4 (3 + C)", depth, err)
	}

	_, err = s.CreateBatch(c, store.NewBatch{Owner: station205})
	is(t, err, store.ErrInvalid, "CreateBatch(no files)")
	_, err = s.CreateBatch(c, store.NewBatch{Owner: station205, Files: []store.NewFile{file("D", 0)}})
	is(t, err, store.ErrInvalid, "CreateBatch(0 pages)")
	_, err = s.GetBatch(c, 999999, admin)
	is(t, err, store.ErrNotFound, "GetBatch(unknown)")
	_, err = s.GetPage(c, 999999, admin)
	is(t, err, store.ErrNotFound, "GetPage(unknown)")
}

func testBatchScope(t *testing.T, c context.Context, s Store) {
	st := mustBatch(t, s, station205, file("station", 1)).Batch
	ph := mustBatch(t, s, pharmacyA, file("pharmacy", 1)).Batch
	sys, err := s.CreateBatch(c, store.NewBatch{Owner: admin, Files: []store.NewFile{file("system", 1)}})
	ok(t, err, "CreateBatch(system)")
	tests := []struct {
		scope auth.Scope
		sees  []int64 // newest first
	}{
		{admin, []int64{sys.Batch.ID, ph.ID, st.ID}},
		{validator, []int64{ph.ID, st.ID}},
		{otherReg, nil},
		{station205, []int64{ph.ID, st.ID}},
		{station206, nil},
		{pharmacyA, []int64{ph.ID}},
		{pharmacyB, nil},
	}
	for _, tt := range tests {
		list, err := s.ListBatches(c, tt.scope, 0)
		ok(t, err, "ListBatches")
		sees(t, tt.scope, "Batch", idsOf(list, func(b store.Batch) int64 { return b.ID }), tt.sees,
			[]int64{st.ID, ph.ID, sys.Batch.ID}, func(id int64) error { _, err := s.GetBatch(c, id, tt.scope); return err })
	}
	if list, _ := s.ListBatches(c, admin, 1); len(list) != 1 || list[0].ID != sys.Batch.ID {
		t.Errorf("ListBatches limit 1 = %+v", list)
	}
}

// testPagesPerScope: the same bytes uploaded by another scope get pages
// of their own (read and judged for that uploader), and uploading them
// gives no access to the first uploader's pages; within one scope they are
// shared, and GetPage shows the caller's own latest upload.
func testPagesPerScope(t *testing.T, c context.Context, s Store) {
	x := file("shared bytes", 1)
	first := mustBatch(t, s, station205, x)
	mine, err := s.ListPages(c, first.Batch.ID, admin)
	ok(t, err, "ListPages")
	if len(mine) != 1 || first.Files[0].Known {
		t.Fatalf("first upload: %+v, pages %+v", first.Files, mine)
	}
	stationPage := mine[0]

	// Another station and a pharmacy upload the same bytes: new pages.
	for _, sc := range []auth.Scope{station206, pharmacyA} {
		x2 := x
		x2.Name = "copy-" + sc.String() + ".tif"
		bc := mustBatch(t, s, sc, x2)
		if bc.Files[0].Known || bc.Batch.Progress.Total != 1 || bc.Batch.Progress.Queued != 1 {
			t.Fatalf("%v: upload of known bytes = %+v, progress %+v; want pages of its own", sc, bc.Files, bc.Batch.Progress)
		}
		ps, err := s.ListPages(c, bc.Batch.ID, sc)
		ok(t, err, "ListPages")
		if len(ps) != 1 || ps[0].ID == stationPage.ID || ps[0].BatchID != bc.Batch.ID || ps[0].File.Name != x2.Name {
			t.Fatalf("%v: pages %+v, want one of its own", sc, ps)
		}
		want := auth.Scope{Key: sc.Key}
		if ps[0].Owner != want {
			t.Fatalf("%v: page owner %+v, want %+v", sc, ps[0].Owner, want)
		}
		// Uploading the bytes gives no access to the station's page.
		_, err = s.GetPage(c, stationPage.ID, sc)
		is(t, err, store.ErrNotFound, fmt.Sprintf("GetPage(station's page) as %v after uploading the same bytes", sc))
		items, err := s.ListReview(c, store.ReviewFilter{Scope: sc, PageID: stationPage.ID})
		ok(t, err, "ListReview")
		if len(items) != 0 {
			t.Fatalf("%v sees review items of the station's page: %+v", sc, items)
		}
	}

	// The same scope again (another key, another name): shared, and GetPage
	// shows the caller's latest upload of the file.
	x3 := x
	x3.Name = "again.tif"
	again := mustBatch(t, s, station205, x3)
	if !again.Files[0].Known || again.Batch.Progress.Total != 1 {
		t.Fatalf("same-scope re-upload = %+v, progress %+v; want the pages shared", again.Files, again.Batch.Progress)
	}
	p, err := s.GetPage(c, stationPage.ID, station205)
	ok(t, err, "GetPage")
	if p.SeenIn != again.Batch.ID || p.File.Name != "again.tif" || p.BatchID != first.Batch.ID {
		t.Fatalf("GetPage as the uploader = seen in %d as %q (created by %d), want seen in %d as again.tif (created by %d)",
			p.SeenIn, p.File.Name, p.BatchID, again.Batch.ID, first.Batch.ID)
	}

	for sha, want := range map[string]bool{x.SHA256: true, sha("never uploaded"): false} {
		has, err := s.HasFile(c, sha)
		ok(t, err, "HasFile")
		if has != want {
			t.Errorf("HasFile(%s) = %v, want %v", sha[:8], has, want)
		}
	}
}

// testQueueLimit: CreateBatch refuses a batch whose own new pages would
// take the queue over MaxQueue, records nothing of it, and never refuses a
// batch that adds no page.
func testQueueLimit(t *testing.T, c context.Context, s Store) {
	k := mustKey(t, s, station205)
	nb := func(max int, files ...store.NewFile) store.NewBatch {
		return store.NewBatch{OwnerKeyID: k.ID, Owner: station205, Files: files, MaxQueue: max}
	}
	bc, err := s.CreateBatch(c, nb(5, file("q1", 2)))
	ok(t, err, "CreateBatch(2 of 5)")
	if bc.QueueDepth != 2 {
		t.Fatalf("QueueDepth after the first batch = %d, want 2", bc.QueueDepth)
	}
	big := file("q2", 4)
	_, err = s.CreateBatch(c, nb(5, file("q3", 1), big))
	is(t, err, store.ErrQueueFull, "CreateBatch(2 queued + 5 new, limit 5)")
	var qf *store.QueueFullError
	if !errors.As(err, &qf) || qf.Depth != 2 || qf.Adding != 5 || qf.Max != 5 {
		t.Fatalf("queue-full error %v, want depth 2 adding 5 max 5", err)
	}
	if has, _ := s.HasFile(c, big.SHA256); has {
		t.Fatal("a refused batch left its file recorded")
	}
	if d, _ := s.QueueDepth(c); d != 2 {
		t.Fatalf("QueueDepth after a refused batch = %d, want 2", d)
	}
	// Known pages add nothing: accepted even at the limit.
	if _, err := s.CreateBatch(c, nb(2, file("q1", 2))); err != nil {
		t.Fatalf("re-upload of queued pages at the limit: %v", err)
	}
}

// pageScopeFixture: a station-205 batch with a sheet of pharmacy A, one of
// pharmacy B and an unidentified page.
func pageScopeFixture(t *testing.T, s store.Store) (batchID int64, ids [3]int64) {
	c := ctx(t)
	bc := mustBatch(t, s, station205, file("mixed", 3))
	results := []page.Result{
		result(page.OK, "205", "99999", "1", "1111111111", "2222222222"),
		result(page.OK, "205", "11111", "D1", "2222222222"),
		result(page.Rejected, "", "", ""),
	}
	for i := range results {
		cl := claim(t, s, time.Hour)
		ids[i] = cl.Page.ID
		ok(t, s.CompletePage(c, store.PageOutcome{PageID: cl.Page.ID, Token: cl.Token, Result: results[i]}), "CompletePage")
	}
	return bc.Batch.ID, ids
}

func testPageScope(t *testing.T, c context.Context, s Store) {
	batch, ids := pageScopeFixture(t, s)
	tests := []struct {
		scope auth.Scope
		sees  []int64
	}{
		{admin, ids[:]},
		{station205, ids[:]},
		{validator, ids[:]},
		{pharmacyA, ids[:1]},
		{pharmacyB, ids[1:2]},
		{station206, nil},
		{otherReg, nil},
	}
	for _, tt := range tests {
		pages, err := s.ListPages(c, batch, tt.scope)
		ok(t, err, "ListPages")
		sees(t, tt.scope, "Page", idsOf(pages, func(p store.Page) int64 { return p.ID }), tt.sees,
			ids[:], func(id int64) error { _, err := s.GetPage(c, id, tt.scope); return err })
	}

	// Sheet identity is queryable by group, within scope.
	res, err := s.ListSheetResults(c, store.GroupFilter{Scope: validator, Key: sheet.Key{Pharmacy: "99999", Competence: "2023-01"}})
	ok(t, err, "ListSheetResults")
	if len(res) != 1 || res[0].ID != ids[0] || res[0].Result == nil || *res[0].Result.Sheet.Progressive != "1" {
		t.Fatalf("ListSheetResults(99999) = %+v", res)
	}
	if res, _ := s.ListSheetResults(c, store.GroupFilter{Scope: pharmacyB, Key: sheet.Key{Pharmacy: "99999"}}); len(res) != 0 {
		t.Fatalf("pharmacy B sees pharmacy A's sheets: %+v", res)
	}
	if res, _ := s.ListSheetResults(c, store.GroupFilter{Scope: admin, Key: sheet.Key{Competence: "2023-02"}}); len(res) != 0 {
		t.Fatalf("competence filter ignored: %+v", res)
	}
	if res, _ := s.ListSheetResults(c, store.GroupFilter{Scope: station205}); len(res) != 2 {
		t.Fatalf("station sees %d identified sheets, want 2", len(res))
	}

	refs, err := s.FindTargature(c, []string{"2222222222", "9999999999"})
	ok(t, err, "FindTargature")
	if len(refs) != 2 || refs[0].PageID != ids[0] || refs[0].Slot != 2 || refs[1].PageID != ids[1] || refs[1].Slot != 1 ||
		refs[0].Group == nil || refs[0].Group.Pharmacy != "99999" || refs[1].Progressive != "D1" || refs[0].AIC != "012345676" {
		t.Fatalf("FindTargature = %+v", refs)
	}
	if refs, err := s.FindTargature(c, nil); err != nil || len(refs) != 0 {
		t.Fatalf("FindTargature(nil) = %v, %v", refs, err)
	}
}
