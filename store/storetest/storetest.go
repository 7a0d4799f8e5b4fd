// Package storetest is the conformance suite every store.Store must pass.
// The PostgreSQL and SQLite packages run it from their tests:
//
//	storetest.Run(t, func(t *testing.T) store.Store { ... })
//
// newStore must return a migrated, empty store of its own (a temporary
// directory, a fresh schema) and arrange its cleanup with t.Cleanup; every
// case runs in parallel on its own store.
package storetest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/regfus/regfus/auth"
	"github.com/regfus/regfus/fustella"
	"github.com/regfus/regfus/page"
	"github.com/regfus/regfus/records"
	"github.com/regfus/regfus/sheet"
	"github.com/regfus/regfus/store"
)

// Run runs every conformance case against stores made by newStore.
func Run(t *testing.T, newStore func(t *testing.T) store.Store) {
	cases := []struct {
		name string
		f    func(t *testing.T, s store.Store)
	}{
		{"MigrateIsIdempotent", testMigrateIdempotent},
		{"Ping", testPing},
		{"Keys", testKeys},
		{"KeyRevocation", testKeyRevocation},
		{"BatchCreateAndReuploads", testBatchCreate},
		{"BatchScope", testBatchScope},
		{"PagesSharedOnlyWithinScope", testPagesPerScope},
		{"QueueLimitCountsNewPages", testQueueLimit},
		{"ClaimCompleteProgress", testClaimComplete},
		{"LeaseExpiryRequeues", testLeaseExpiry},
		{"LeaseExhaustedFails", testLeaseExhausted},
		{"ReleaseAndExtend", testReleaseExtend},
		{"ConcurrentClaimsTakeEachPageOnce", testConcurrentClaims},
		{"CompleteWithoutClaim", testCompleteWithoutClaim},
		{"PageScopeBySheet", testPageScope},
		{"ReviewAndCorrections", testReview},
		{"Declarations", testDeclarations},
		{"Records", testRecords},
		{"Reconciliations", testReconciliations},
		{"ReconciliationPages", testReconciliationPages},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.f(t, newStore(t))
		})
	}
}

// ---- fixtures

var (
	admin      = auth.Scope{Role: auth.Admin}
	station205 = auth.Scope{Role: auth.Station, Region: "120", ASL: "205"}
	station206 = auth.Scope{Role: auth.Station, Region: "120", ASL: "206"}
	pharmacyA  = auth.Scope{Role: auth.Pharmacy, Region: "120", ASL: "205", Pharmacy: "99999"}
	pharmacyB  = auth.Scope{Role: auth.Pharmacy, Region: "120", ASL: "205", Pharmacy: "11111"}
	validator  = auth.Scope{Role: auth.Validator, Region: "120"}
	otherReg   = auth.Scope{Role: auth.Validator, Region: "030"}
)

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return c
}

func sha(content string) string {
	h := sha256.Sum256([]byte(content))
	return hex.EncodeToString(h[:])
}

func file(content string, pages int) store.NewFile {
	d := sha(content)
	return store.NewFile{SHA256: d, Name: content + ".tif", Size: int64(len(content)), MediaType: "image/tiff",
		BlobPath: d[:2] + "/" + d[2:4] + "/" + d, Pages: pages}
}

func mustKey(t *testing.T, s store.Store, sc auth.Scope) store.APIKey {
	t.Helper()
	nk, err := auth.Generate(nil)
	if err != nil {
		t.Fatal(err)
	}
	k := store.APIKey{ID: nk.ID, Hash: nk.Hash, Scope: sc, Label: "test " + sc.String()}
	if err := s.CreateKey(ctx(t), k); err != nil {
		t.Fatalf("CreateKey(%v): %v", sc, err)
	}
	return k
}

func mustBatch(t *testing.T, s store.Store, owner auth.Scope, files ...store.NewFile) store.BatchCreated {
	t.Helper()
	k := mustKey(t, s, owner)
	bc, err := s.CreateBatch(ctx(t), store.NewBatch{OwnerKeyID: k.ID, Owner: owner, Files: files})
	if err != nil {
		t.Fatalf("CreateBatch: %v", err)
	}
	return bc
}

// result builds a page result of the given status for a sheet of pharmacy
// 120-ASL-PHARM in January 2023 (pharm "" = unidentified), with one filled
// slot per targatura.
func result(status page.Status, asl, pharm, progressive string, targature ...string) page.Result {
	r := page.Result{Source: "scan.tif", Page: 1, Status: status, Reasons: page.Reasons{}, Orientation: page.Int(0), LayoutVersion: 1}
	if pharm != "" {
		code := "120" + asl + pharm + "012023"
		r.Sheet = page.Sheet{Code: &code, Region: page.Str("120"), ASL: page.Str(asl), Pharmacy: page.Str(pharm),
			Month: page.Int(1), Year: page.Int(2023), TailCode: &code, Progressive: page.Str(progressive),
			DeclaredCount: page.Int(len(targature)), Date: page.Str("2023-01-31")}
	}
	for i, tg := range targature {
		r.Slots = append(r.Slots, page.Slot{Slot: i + 1, State: page.Filled, AIC: page.Str("012345676"),
			Targatura: page.Str(tg), Confidence: 0.99, Flags: []string{}})
	}
	return r
}

func is(t *testing.T, err, target error, what string) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("%s: error %v, want %v", what, err, target)
	}
}

func ok(t *testing.T, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func jsonEq(t *testing.T, got, want json.RawMessage, what string) {
	t.Helper()
	if len(got) == 0 && len(want) == 0 {
		return
	}
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("%s: got invalid JSON %q: %v", what, got, err)
	}
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatalf("%s: want invalid JSON %q: %v", what, want, err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Fatalf("%s: got %s, want %s", what, got, want)
	}
}

func claim(t *testing.T, s store.Store, lease time.Duration) store.Claim {
	t.Helper()
	c, err := s.ClaimPage(ctx(t), store.ClaimOptions{Lease: lease})
	ok(t, err, "ClaimPage")
	return c
}

func progress(t *testing.T, s store.Store, id int64) store.Batch {
	t.Helper()
	b, err := s.GetBatch(ctx(t), id, admin)
	ok(t, err, "GetBatch")
	return b
}

// ---- cases

func testMigrateIdempotent(t *testing.T, s store.Store) {
	applied, err := s.Migrate(ctx(t))
	ok(t, err, "second Migrate")
	if len(applied) != 0 {
		t.Fatalf("second Migrate applied %v, want nothing", applied)
	}
}

func testPing(t *testing.T, s store.Store) {
	ok(t, s.Ping(ctx(t)), "Ping")
}

func testKeys(t *testing.T, s store.Store) {
	c := ctx(t)
	nk, err := auth.Generate(nil)
	ok(t, err, "Generate")
	k := store.APIKey{ID: nk.ID, Hash: nk.Hash, Scope: pharmacyA, Label: "farmacia"}
	ok(t, s.CreateKey(c, k), "CreateKey")

	got, err := s.LookupKey(c, auth.Hash(nk.Secret))
	ok(t, err, "LookupKey")
	if got.ID != k.ID || got.Scope != pharmacyA || got.Label != "farmacia" || !bytes.Equal(got.Hash, nk.Hash) {
		t.Fatalf("LookupKey = %+v, want %+v", got, k)
	}
	if got.CreatedAt.IsZero() || got.Revoked() {
		t.Fatalf("LookupKey created %v revoked %v", got.CreatedAt, got.RevokedAt)
	}
	if bytes.Contains(got.Hash, []byte(nk.Secret)) {
		t.Fatal("stored hash contains the secret")
	}

	_, err = s.LookupKey(c, auth.Hash("rfk_not-a-key"))
	is(t, err, store.ErrNotFound, "LookupKey(unknown)")

	dupID := k
	dupID.Hash = auth.Hash("another secret")
	is(t, s.CreateKey(c, dupID), store.ErrConflict, "CreateKey(duplicate id)")
	dupHash := k
	dupHash.ID = "k_other"
	is(t, s.CreateKey(c, dupHash), store.ErrConflict, "CreateKey(duplicate hash)")
	bad := store.APIKey{ID: "k_bad", Hash: auth.Hash("x"), Scope: auth.Scope{Role: auth.Station, Region: "120"}}
	is(t, s.CreateKey(c, bad), store.ErrInvalid, "CreateKey(station without ASL)")

	for _, sc := range []auth.Scope{admin, station205, validator} {
		mustKey(t, s, sc)
	}
	keys, err := s.ListKeys(c)
	ok(t, err, "ListKeys")
	if len(keys) != 4 || keys[0].ID != k.ID {
		t.Fatalf("ListKeys = %d keys (first %q), want 4 starting with %q", len(keys), keys[0].ID, k.ID)
	}
	roles := map[auth.Role]auth.Scope{}
	for _, kk := range keys {
		roles[kk.Scope.Role] = kk.Scope
	}
	if roles[auth.Station] != station205 || roles[auth.Validator] != validator || roles[auth.Admin] != admin {
		t.Fatalf("scopes did not round-trip: %+v", roles)
	}
}

func testKeyRevocation(t *testing.T, s store.Store) {
	c := ctx(t)
	k := mustKey(t, s, station205)
	other := mustKey(t, s, station205)
	r, err := s.RevokeKey(c, k.ID)
	ok(t, err, "RevokeKey")
	if !r.Revoked() || r.ID != k.ID {
		t.Fatalf("RevokeKey returned %+v", r)
	}
	got, err := s.LookupKey(c, k.Hash)
	is(t, err, store.ErrRevoked, "LookupKey(revoked)")
	if got.ID != k.ID {
		t.Fatalf("LookupKey(revoked) returned key %q, want %q", got.ID, k.ID)
	}
	if _, err := s.LookupKey(c, other.Hash); err != nil {
		t.Fatalf("revoking one key affected another: %v", err)
	}
	again, err := s.RevokeKey(c, k.ID)
	ok(t, err, "RevokeKey again")
	if !again.RevokedAt.Equal(r.RevokedAt) {
		t.Fatalf("second revocation moved the time from %v to %v", r.RevokedAt, again.RevokedAt)
	}
	_, err = s.RevokeKey(c, "k_000000000000")
	is(t, err, store.ErrNotFound, "RevokeKey(unknown)")
	keys, err := s.ListKeys(c)
	ok(t, err, "ListKeys")
	if len(keys) != 2 || !keys[0].Revoked() || keys[1].Revoked() {
		t.Fatalf("ListKeys after revocation: %+v", keys)
	}
}

func testBatchCreate(t *testing.T, s store.Store) {
	c := ctx(t)
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
		pages2[0].SeenIn != bc2.Batch.ID || pages2[0].Owner != (auth.Scope{Region: "120", ASL: "205"}) {
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

// testPagesPerScope: the same bytes uploaded by another scope get pages
// of their own (read and judged for that uploader), and uploading them
// gives no access to the first uploader's pages; within one scope they are
// shared, and GetPage shows the caller's own latest upload.
func testPagesPerScope(t *testing.T, s store.Store) {
	c := ctx(t)
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
		want := auth.Scope{Region: sc.Region, ASL: sc.ASL, Pharmacy: sc.Pharmacy}
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
func testQueueLimit(t *testing.T, s store.Store) {
	c := ctx(t)
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

func testBatchScope(t *testing.T, s store.Store) {
	c := ctx(t)
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
		var ids []int64
		for _, b := range list {
			ids = append(ids, b.ID)
		}
		if !reflect.DeepEqual(ids, tt.sees) {
			t.Errorf("%v: ListBatches = %v, want %v", tt.scope, ids, tt.sees)
		}
		for _, id := range []int64{st.ID, ph.ID, sys.Batch.ID} {
			_, err := s.GetBatch(c, id, tt.scope)
			visible := false
			for _, v := range tt.sees {
				visible = visible || v == id
			}
			if visible && err != nil {
				t.Errorf("%v: GetBatch(%d) = %v, want it visible", tt.scope, id, err)
			}
			if !visible && !errors.Is(err, store.ErrNotFound) {
				t.Errorf("%v: GetBatch(%d) error %v, want ErrNotFound", tt.scope, id, err)
			}
		}
	}
	if list, _ := s.ListBatches(c, admin, 1); len(list) != 1 || list[0].ID != sys.Batch.ID {
		t.Errorf("ListBatches limit 1 = %+v", list)
	}
}

func testClaimComplete(t *testing.T, s store.Store) {
	c := ctx(t)
	bc := mustBatch(t, s, station205, file("three pages", 3))
	id := bc.Batch.ID

	c1 := claim(t, s, time.Hour)
	if c1.Page.Index != 1 || c1.Page.State != store.PageRunning || c1.Page.Attempts != 1 || c1.Token == "" || c1.Page.StartedAt.IsZero() {
		t.Fatalf("first claim = %+v", c1)
	}
	if !c1.LeaseUntil.After(time.Now().Add(59 * time.Minute)) {
		t.Fatalf("lease until %v, want about an hour from now", c1.LeaseUntil)
	}
	if b := progress(t, s, id); b.Status != store.BatchRunning || b.Progress.Running != 1 || b.Progress.Queued != 2 {
		t.Fatalf("after claim: %s %+v", b.Status, b.Progress)
	}
	r1 := result(page.OK, "205", "99999", "1", "1234567890")
	ok(t, s.CompletePage(c, store.PageOutcome{PageID: c1.Page.ID, Token: c1.Token, Result: r1, Millis: 42}), "CompletePage")
	p1, err := s.GetPage(c, c1.Page.ID, admin)
	ok(t, err, "GetPage")
	if p1.State != store.PageDone || p1.Millis != 42 || p1.FinishedAt.IsZero() || !reflect.DeepEqual(*p1.Result, r1) {
		t.Fatalf("completed page = %+v\nresult %+v\nwant   %+v", p1, p1.Result, r1)
	}

	c2 := claim(t, s, time.Hour)
	if c2.Page.Index != 2 {
		t.Fatalf("second claim took page %d, want 2", c2.Page.Index)
	}
	r2 := result(page.Review, "205", "99999", "2")
	ok(t, s.CompletePage(c, store.PageOutcome{PageID: c2.Page.ID, Token: c2.Token, Result: r2,
		Review: []store.NewReviewItem{{Field: "progressive", Reason: string(page.ReasonProgressiveUnread)}}}), "CompletePage(review)")

	c3 := claim(t, s, time.Hour)
	ok(t, s.FailPage(c, c3.Page.ID, c3.Token, "decoder crashed"), "FailPage")
	_, err = s.ClaimPage(c, store.ClaimOptions{Lease: time.Hour})
	is(t, err, store.ErrNoWork, "ClaimPage(empty)")
	if d, _ := s.QueueDepth(c); d != 0 {
		t.Fatalf("QueueDepth = %d, want 0", d)
	}

	b := progress(t, s, id)
	want := store.Progress{Total: 3, Finished: 3, OK: 1, Review: 1, Failed: 1}
	if b.Status != store.BatchFailed || b.Progress != want {
		t.Fatalf("final: %s %+v, want failed %+v", b.Status, b.Progress, want)
	}
	p3, _ := s.GetPage(c, c3.Page.ID, admin)
	if p3.State != store.PageFailed || p3.Error != "decoder crashed" {
		t.Fatalf("failed page = %+v", p3)
	}

	err = s.CompletePage(c, store.PageOutcome{PageID: c1.Page.ID, Token: c1.Token, Result: r1})
	is(t, err, store.ErrConflict, "CompletePage twice")
	err = s.CompletePage(c, store.PageOutcome{PageID: c1.Page.ID, Result: r1})
	is(t, err, store.ErrConflict, "CompletePage twice without token")
	err = s.CompletePage(c, store.PageOutcome{PageID: 999999, Result: r1})
	is(t, err, store.ErrNotFound, "CompletePage(unknown page)")
	_, err = s.ClaimPage(c, store.ClaimOptions{})
	is(t, err, store.ErrInvalid, "ClaimPage(no lease)")

	// A batch whose pages all end well is done; a bad status is refused.
	done := mustBatch(t, s, station205, file("single", 1)).Batch.ID
	cd := claim(t, s, time.Hour)
	bad := r1
	bad.Status = "maybe"
	is(t, s.CompletePage(c, store.PageOutcome{PageID: cd.Page.ID, Token: cd.Token, Result: bad}), store.ErrInvalid, "CompletePage(bad status)")
	ok(t, s.CompletePage(c, store.PageOutcome{PageID: cd.Page.ID, Token: cd.Token, Result: result(page.Rejected, "", "", "")}), "CompletePage(rejected)")
	if b := progress(t, s, done); b.Status != store.BatchDone || b.Progress.Rejected != 1 || b.Progress.Finished != 1 {
		t.Fatalf("single-page batch: %s %+v", b.Status, b.Progress)
	}
}

func testLeaseExpiry(t *testing.T, s store.Store) {
	c := ctx(t)
	mustBatch(t, s, station205, file("lease", 1))
	first := claim(t, s, 30*time.Millisecond)
	time.Sleep(80 * time.Millisecond) // the worker "crashed": its lease runs out
	second := claim(t, s, time.Hour)
	if second.Page.ID != first.Page.ID || second.Page.Attempts != 2 || second.Token == first.Token {
		t.Fatalf("re-claim = page %d attempt %d; first was page %d", second.Page.ID, second.Page.Attempts, first.Page.ID)
	}
	_, err := s.ClaimPage(c, store.ClaimOptions{Lease: time.Hour})
	is(t, err, store.ErrNoWork, "ClaimPage while the live lease holds")

	r := result(page.OK, "205", "99999", "1")
	is(t, s.CompletePage(c, store.PageOutcome{PageID: first.Page.ID, Token: first.Token, Result: r}), store.ErrLeaseLost, "CompletePage(stale token)")
	is(t, s.ExtendLease(c, first.Page.ID, first.Token, time.Hour), store.ErrLeaseLost, "ExtendLease(stale token)")
	is(t, s.FailPage(c, first.Page.ID, first.Token, "x"), store.ErrLeaseLost, "FailPage(stale token)")
	ok(t, s.CompletePage(c, store.PageOutcome{PageID: second.Page.ID, Token: second.Token, Result: r}), "CompletePage(live token)")
	p, _ := s.GetPage(c, first.Page.ID, admin)
	if p.State != store.PageDone || p.Attempts != 2 {
		t.Fatalf("page after re-claim: state %s attempts %d", p.State, p.Attempts)
	}
}

func testLeaseExhausted(t *testing.T, s store.Store) {
	c := ctx(t)
	id := mustBatch(t, s, station205, file("poison", 1)).Batch.ID
	opt := store.ClaimOptions{Lease: 20 * time.Millisecond, MaxAttempts: 2}
	for i := 1; i <= 2; i++ {
		cl, err := s.ClaimPage(c, opt)
		ok(t, err, fmt.Sprintf("claim %d", i))
		if cl.Page.Attempts != i {
			t.Fatalf("claim %d: attempts %d", i, cl.Page.Attempts)
		}
		time.Sleep(60 * time.Millisecond)
	}
	_, err := s.ClaimPage(c, opt)
	is(t, err, store.ErrNoWork, "claim after the last attempt")
	b := progress(t, s, id)
	if b.Status != store.BatchFailed || b.Progress.Failed != 1 {
		t.Fatalf("batch after exhausted page: %s %+v", b.Status, b.Progress)
	}
	pages, _ := s.ListPages(c, id, admin)
	if pages[0].State != store.PageFailed || !strings.Contains(pages[0].Error, "lease expired after 2 attempts") {
		t.Fatalf("exhausted page: %s %q", pages[0].State, pages[0].Error)
	}
}

func testReleaseExtend(t *testing.T, s store.Store) {
	c := ctx(t)
	mustBatch(t, s, station205, file("release", 1))
	cl := claim(t, s, time.Hour)
	is(t, s.ReleasePage(c, cl.Page.ID, "wrong token"), store.ErrLeaseLost, "ReleasePage(wrong token)")
	ok(t, s.ReleasePage(c, cl.Page.ID, cl.Token), "ReleasePage")
	p, _ := s.GetPage(c, cl.Page.ID, admin)
	if p.State != store.PageQueued || p.Attempts != 0 {
		t.Fatalf("released page: %s attempts %d, want queued 0", p.State, p.Attempts)
	}
	cl = claim(t, s, 40*time.Millisecond)
	if cl.Page.Attempts != 1 {
		t.Fatalf("claim after release: attempts %d, want 1", cl.Page.Attempts)
	}
	ok(t, s.ExtendLease(c, cl.Page.ID, cl.Token, time.Hour), "ExtendLease")
	time.Sleep(100 * time.Millisecond) // past the original lease, not the extended one
	_, err := s.ClaimPage(c, store.ClaimOptions{Lease: time.Hour})
	is(t, err, store.ErrNoWork, "ClaimPage after ExtendLease")
}

func testConcurrentClaims(t *testing.T, s store.Store) {
	c := ctx(t)
	const pages, workers = 24, 6
	id := mustBatch(t, s, station205, file("many", pages)).Batch.ID
	var mu sync.Mutex
	seen := map[int64]int{}
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				cl, err := s.ClaimPage(c, store.ClaimOptions{Lease: time.Minute})
				if errors.Is(err, store.ErrNoWork) {
					return
				}
				if err != nil {
					errs <- err
					return
				}
				mu.Lock()
				seen[cl.Page.ID]++
				mu.Unlock()
				if err := s.CompletePage(c, store.PageOutcome{PageID: cl.Page.ID, Token: cl.Token, Result: result(page.OK, "205", "", "")}); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("worker: %v", err)
	}
	if len(seen) != pages {
		t.Fatalf("%d distinct pages claimed, want %d", len(seen), pages)
	}
	for p, n := range seen {
		if n != 1 {
			t.Fatalf("page %d claimed %d times", p, n)
		}
	}
	if b := progress(t, s, id); b.Status != store.BatchDone || b.Progress.OK != pages {
		t.Fatalf("batch: %s %+v", b.Status, b.Progress)
	}
}

func testCompleteWithoutClaim(t *testing.T, s store.Store) {
	// River's workers complete a page without a store lease.
	c := ctx(t)
	bc := mustBatch(t, s, station205, file("river", 1))
	pages, _ := s.ListPages(c, bc.Batch.ID, admin)
	ok(t, s.CompletePage(c, store.PageOutcome{PageID: pages[0].ID, Result: result(page.OK, "205", "99999", "1")}), "CompletePage(no token)")
	is(t, s.CompletePage(c, store.PageOutcome{PageID: pages[0].ID, Result: result(page.OK, "205", "99999", "1")}),
		store.ErrConflict, "second completion (a retried job)")
	if b := progress(t, s, bc.Batch.ID); b.Status != store.BatchDone {
		t.Fatalf("batch %s", b.Status)
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

func testPageScope(t *testing.T, s store.Store) {
	c := ctx(t)
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
		var got []int64
		for _, p := range pages {
			got = append(got, p.ID)
		}
		if !reflect.DeepEqual(got, tt.sees) {
			t.Errorf("%v: ListPages = %v, want %v", tt.scope, got, tt.sees)
		}
		for _, id := range ids {
			_, err := s.GetPage(c, id, tt.scope)
			visible := false
			for _, v := range tt.sees {
				visible = visible || v == id
			}
			if visible != (err == nil) || (!visible && !errors.Is(err, store.ErrNotFound)) {
				t.Errorf("%v: GetPage(%d) error %v, visible %v", tt.scope, id, err, visible)
			}
		}
	}

	// Sheet identity is queryable by group, within scope.
	res, err := s.ListSheetResults(c, store.GroupFilter{Scope: validator, Pharmacy: "99999", Competence: "2023-01"})
	ok(t, err, "ListSheetResults")
	if len(res) != 1 || res[0].ID != ids[0] || res[0].Result == nil || *res[0].Result.Sheet.Progressive != "1" {
		t.Fatalf("ListSheetResults(99999) = %+v", res)
	}
	if res, _ := s.ListSheetResults(c, store.GroupFilter{Scope: pharmacyB, Pharmacy: "99999"}); len(res) != 0 {
		t.Fatalf("pharmacy B sees pharmacy A's sheets: %+v", res)
	}
	if res, _ := s.ListSheetResults(c, store.GroupFilter{Scope: admin, Competence: "2023-02"}); len(res) != 0 {
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

func testReview(t *testing.T, s store.Store) {
	c := ctx(t)
	bc := mustBatch(t, s, station205, file("review", 1))
	reviewer := mustKey(t, s, station205)
	cl := claim(t, s, time.Hour)
	r := result(page.Review, "205", "99999", "4", "1234567890")
	r.Slots[0].AIC = nil
	r.Slots[0].Flags = []string{page.FlagAICUnread}
	r.Sheet.Progressive = nil
	items := []store.NewReviewItem{
		{Slot: 1, Field: "aic", Reason: page.FlagAICUnread},
		{Field: "progressive", Reason: string(page.ReasonProgressiveUnread), Value: json.RawMessage(`"4?"`)},
	}
	ok(t, s.CompletePage(c, store.PageOutcome{PageID: cl.Page.ID, Token: cl.Token, Result: r, Review: items}), "CompletePage")
	is(t, s.CompletePage(c, store.PageOutcome{PageID: 1 << 40, Result: r, Review: []store.NewReviewItem{{}}}), store.ErrNotFound, "CompletePage(unknown)")

	list, err := s.ListReview(c, store.ReviewFilter{Scope: admin, Status: store.ReviewOpen})
	ok(t, err, "ListReview")
	if len(list) != 2 {
		t.Fatalf("ListReview = %d items, want 2", len(list))
	}
	aic, prog := list[0], list[1]
	if aic.Slot != 1 || aic.Field != "aic" || aic.Reason != page.FlagAICUnread || aic.Value != nil || aic.Status != store.ReviewOpen ||
		aic.PageID != cl.Page.ID || aic.BatchID != bc.Batch.ID || aic.PageIndex != 1 || aic.FileSHA256 != sha("review") ||
		aic.Group == nil || *aic.Group != (store.Group{Region: "120", ASL: "205", Pharmacy: "99999", Competence: "2023-01"}) {
		t.Fatalf("aic item = %+v", aic)
	}
	if prog.Slot != 0 || prog.Field != "progressive" {
		t.Fatalf("progressive item = %+v", prog)
	}
	jsonEq(t, prog.Value, json.RawMessage(`"4?"`), "progressive value")

	for _, f := range []struct {
		f    store.ReviewFilter
		want int
	}{
		{store.ReviewFilter{Scope: station205}, 2},
		{store.ReviewFilter{Scope: pharmacyA}, 2}, // the sheet is pharmacy A's
		{store.ReviewFilter{Scope: pharmacyB}, 0},
		{store.ReviewFilter{Scope: station206}, 0},
		{store.ReviewFilter{Scope: admin, BatchID: bc.Batch.ID}, 2},
		{store.ReviewFilter{Scope: admin, BatchID: bc.Batch.ID + 1000}, 0},
		{store.ReviewFilter{Scope: admin, PageID: cl.Page.ID}, 2},
		{store.ReviewFilter{Scope: admin, PageID: cl.Page.ID + 1000}, 0},
		{store.ReviewFilter{Scope: admin, Status: store.ReviewResolved}, 0},
		{store.ReviewFilter{Scope: admin, Limit: 1}, 1},
	} {
		got, err := s.ListReview(c, f.f)
		ok(t, err, "ListReview")
		if len(got) != f.want {
			t.Errorf("ListReview(%+v) = %d items, want %d", f.f, len(got), f.want)
		}
	}

	_, err = s.CorrectReview(c, store.NewCorrection{ItemID: aic.ID, Scope: pharmacyB, After: json.RawMessage(`"012345676"`)})
	is(t, err, store.ErrNotFound, "CorrectReview out of scope")
	_, err = s.GetReview(c, aic.ID, station206)
	is(t, err, store.ErrNotFound, "GetReview out of scope")
	_, err = s.CorrectReview(c, store.NewCorrection{ItemID: aic.ID, Scope: admin, After: json.RawMessage(`not json`)})
	is(t, err, store.ErrInvalid, "CorrectReview(bad JSON)")

	// Correct the AIC, with the page as corrected.
	fixed := r
	fixed.Slots = []page.Slot{r.Slots[0]}
	fixed.Slots[0].AIC = page.Str("012345676")
	fixed.Sheet.Progressive = page.Str("4")
	fixed.Status = page.OK
	got, err := s.CorrectReview(c, store.NewCorrection{ItemID: aic.ID, Scope: station205, KeyID: reviewer.ID,
		After: json.RawMessage(`"012345676"`), Note: "read from the box", Result: &fixed})
	ok(t, err, "CorrectReview")
	if got.Status != store.ReviewResolved || got.ResolvedAt.IsZero() || len(got.Corrections) != 1 {
		t.Fatalf("corrected item = %+v", got)
	}
	c1 := got.Corrections[0]
	if c1.KeyID != reviewer.ID || c1.At.IsZero() || c1.Before != nil || c1.Note != "read from the box" {
		t.Fatalf("correction = %+v", c1)
	}
	jsonEq(t, c1.After, json.RawMessage(`"012345676"`), "correction after")

	p, _ := s.GetPage(c, cl.Page.ID, admin)
	if p.Result.Status != page.OK || *p.Result.Slots[0].AIC != "012345676" {
		t.Fatalf("page result not replaced: %+v", p.Result)
	}
	sheets, _ := s.ListSheetResults(c, store.GroupFilter{Scope: admin, Pharmacy: "99999"})
	if len(sheets) != 1 || *sheets[0].Result.Sheet.Progressive != "4" {
		t.Fatalf("sheet identity not rewritten: %+v", sheets)
	}

	// A second correction keeps the history: before = the previous after.
	got, err = s.CorrectReview(c, store.NewCorrection{ItemID: aic.ID, Scope: admin, KeyID: reviewer.ID, After: json.RawMessage(`"000000018"`)})
	ok(t, err, "second CorrectReview")
	if len(got.Corrections) != 2 {
		t.Fatalf("corrections = %+v", got.Corrections)
	}
	jsonEq(t, got.Corrections[1].Before, json.RawMessage(`"012345676"`), "second before")
	jsonEq(t, got.Corrections[1].After, json.RawMessage(`"000000018"`), "second after")
	again, err := s.GetReview(c, aic.ID, pharmacyA)
	ok(t, err, "GetReview")
	if len(again.Corrections) != 2 || again.Status != store.ReviewResolved {
		t.Fatalf("GetReview = %+v", again)
	}
	// The page still has the first correction's result: no Result given.
	if p, _ := s.GetPage(c, cl.Page.ID, admin); *p.Result.Slots[0].AIC != "012345676" {
		t.Fatalf("a correction without a result changed the page")
	}

	open, _ := s.ListReview(c, store.ReviewFilter{Scope: admin, Status: store.ReviewOpen})
	if len(open) != 1 || open[0].ID != prog.ID {
		t.Fatalf("open items after correction: %+v", open)
	}
	// Correcting with a value that was read: before is that value.
	got, err = s.CorrectReview(c, store.NewCorrection{ItemID: prog.ID, Scope: admin, After: json.RawMessage(`"4"`)})
	ok(t, err, "CorrectReview(progressive)")
	jsonEq(t, got.Corrections[0].Before, json.RawMessage(`"4?"`), "before = value read")
	if got.Corrections[0].KeyID != "" {
		t.Fatalf("correction without a key has key %q", got.Corrections[0].KeyID)
	}
}

func decl(line int, pharm, competence string, bundle records.Bundle, sheets int) records.Declaration {
	return records.Declaration{Region: "120", ASL: "205", Pharmacy: pharm, Competence: competence, Bundle: bundle, Sheets: sheets,
		Pos: records.Position{File: "dcr.csv", Line: line}}
}

func testDeclarations(t *testing.T, s store.Store) {
	c := ctx(t)
	k := mustKey(t, s, validator)
	first := []records.Declaration{
		decl(2, "99999", "2023-01", records.REGFUS, 10),
		decl(3, "99999", "2023-01", records.REGFUSD, 2),
		decl(4, "11111", "2023-01", records.REGFUS, 5),
	}
	first[2].GrossAmount, first[2].Ticket = 1234, 50
	sum, err := s.ImportDeclarations(c, store.Import{KeyID: k.ID, Source: "dcr.csv"}, first)
	ok(t, err, "ImportDeclarations")
	if sum.Rows != 3 || sum.Replaced != 0 || len(sum.Groups) != 2 || sum.ImportID == 0 ||
		sum.Groups[0] != (store.Group{Region: "120", ASL: "205", Pharmacy: "11111", Competence: "2023-01"}) {
		t.Fatalf("summary = %+v", sum)
	}
	all, err := s.ListDeclarations(c, store.GroupFilter{Scope: admin})
	ok(t, err, "ListDeclarations")
	if len(all) != 3 {
		t.Fatalf("ListDeclarations = %d rows", len(all))
	}
	want := first[2]
	want.Pos = records.Position{} // not stored
	if !reflect.DeepEqual(all[0], want) {
		t.Fatalf("row did not round-trip:\n got %+v\nwant %+v", all[0], want)
	}

	// Re-import of pharmacy 99999 January: both its rows go, 11111 stays.
	sum2, err := s.ImportDeclarations(c, store.Import{Source: "dcr-fix.json"}, []records.Declaration{decl(1, "99999", "2023-01", records.REGFUS, 7)})
	ok(t, err, "re-import")
	if sum2.Replaced != 2 || sum2.Rows != 1 {
		t.Fatalf("re-import summary %+v, want 2 replaced", sum2)
	}
	a, _ := s.ListDeclarations(c, store.GroupFilter{Scope: admin, Pharmacy: "99999"})
	if len(a) != 1 || a[0].Sheets != 7 || a[0].Bundle != records.REGFUS {
		t.Fatalf("after re-import: %+v", a)
	}
	if b, _ := s.ListDeclarations(c, store.GroupFilter{Scope: pharmacyB}); len(b) != 1 || b[0].Sheets != 5 {
		t.Fatalf("other group touched or scope ignored: %+v", b)
	}
	if x, _ := s.ListDeclarations(c, store.GroupFilter{Scope: station206}); len(x) != 0 {
		t.Fatalf("station 206 sees %d declarations", len(x))
	}

	// Duplicates in one file: refused with both lines named, nothing changed.
	_, err = s.ImportDeclarations(c, store.Import{Source: "dup.csv"}, []records.Declaration{
		decl(2, "11111", "2023-01", records.REGFUS, 1), decl(3, "11111", "2023-01", records.REGFUS, 1)})
	is(t, err, store.ErrInvalid, "duplicate rows")
	if !strings.Contains(err.Error(), "dup.csv line 3") || !strings.Contains(err.Error(), "line 2") {
		t.Fatalf("duplicate error does not name file and lines: %v", err)
	}
	// A row the database refuses rolls back the whole import.
	_, err = s.ImportDeclarations(c, store.Import{Source: "bad.csv"}, []records.Declaration{
		decl(2, "11111", "2023-01", records.REGFUS, 99), decl(3, "11111", "2023-01", "BOGUS", 1)})
	if err == nil || !strings.Contains(err.Error(), "bad.csv line 3") {
		t.Fatalf("bad bundle: error %v, want one naming bad.csv line 3", err)
	}
	if b, _ := s.ListDeclarations(c, store.GroupFilter{Scope: pharmacyB}); len(b) != 1 || b[0].Sheets != 5 {
		t.Fatalf("failed import half-applied: %+v", b)
	}
	// An import without rows (a file with only its header) is an import
	// that changes nothing.
	sum, err = s.ImportDeclarations(c, store.Import{Source: "empty.csv"}, nil)
	ok(t, err, "empty import")
	if sum.Rows != 0 || len(sum.Groups) != 0 || sum.Replaced != 0 || sum.ImportID == 0 {
		t.Fatalf("empty import = %+v, want an import of 0 rows", sum)
	}
	if b, _ := s.ListDeclarations(c, store.GroupFilter{Scope: pharmacyB}); len(b) != 1 || b[0].Sheets != 5 {
		t.Fatalf("empty import changed declarations: %+v", b)
	}
}

// rec is a closed, signed record dispensed on the 15th of its month, on
// slot 3 of sheet 1.
func rec(line int, id, pharm, competence string, targatura fustella.Targatura) records.Record {
	day, err := time.Parse(time.DateOnly, competence+"-15")
	if err != nil {
		panic(err)
	}
	return records.Record{ID: id, Region: "120", ASL: "205", Pharmacy: pharm, DispensedOn: day,
		Competence: competence, Prescription: "NRE" + id, AIC: "012345676", Targatura: targatura, Sheet: sheet.Progressive{N: 1}, Slot: 3,
		State: records.Closed, ClosedOn: day, Signature: records.Digital, SignedDocumentID: "DOC" + id,
		Pos: records.Position{File: "records.csv", Line: line}}
}

func testRecords(t *testing.T, s store.Store) {
	c := ctx(t)
	susp := rec(3, "r2", "99999", "2023-01", "2222222222")
	susp.State, susp.ClosedOn, susp.Signature, susp.SignedDocumentID, susp.Sheet, susp.Slot = records.Suspended, time.Time{}, records.Unsigned, "", sheet.Progressive{}, 0
	disp := rec(5, "r3", "99999", "2023-01", "4444444444")
	disp.Sheet = sheet.Progressive{Dispensario: true, N: 12}
	rows := []records.Record{rec(2, "r1", "99999", "2023-01", "1111111111"), susp, rec(4, "r1", "99999", "2023-02", "3333333333"), disp}
	sum, err := s.ImportRecords(c, store.Import{Source: "records.csv"}, rows)
	ok(t, err, "ImportRecords")
	if sum.Rows != 4 || len(sum.Groups) != 2 {
		t.Fatalf("summary = %+v", sum)
	}
	jan, err := s.ListRecords(c, store.GroupFilter{Scope: pharmacyA, Competence: "2023-01"})
	ok(t, err, "ListRecords")
	if len(jan) != 3 {
		t.Fatalf("January records: %+v", jan)
	}
	for i, want := range []records.Record{rows[0], susp, disp} {
		want.Pos = records.Position{} // not stored
		if !reflect.DeepEqual(jan[i], want) {
			t.Fatalf("record %s did not round-trip:\n got %+v\nwant %+v", want.ID, jan[i], want)
		}
	}
	if x, _ := s.ListRecords(c, store.GroupFilter{Scope: pharmacyB}); len(x) != 0 {
		t.Fatalf("pharmacy B sees %d records of A", len(x))
	}

	// Re-import January: r2 disappears, February stays.
	sum2, err := s.ImportRecords(c, store.Import{Source: "records-2.csv"}, []records.Record{rec(2, "r1", "99999", "2023-01", "1111111112")})
	ok(t, err, "re-import")
	if sum2.Replaced != 3 {
		t.Fatalf("re-import replaced %d, want 3", sum2.Replaced)
	}
	all, _ := s.ListRecords(c, store.GroupFilter{Scope: admin})
	if len(all) != 2 || all[0].Targatura != "1111111112" || all[1].Competence != "2023-02" {
		t.Fatalf("after re-import: %+v", all)
	}

	_, err = s.ImportRecords(c, store.Import{Source: "dup.csv"}, []records.Record{rec(5, "x", "99999", "2023-03", "1"), rec(9, "x", "99999", "2023-03", "2")})
	is(t, err, store.ErrInvalid, "duplicate record ids")
	if !strings.Contains(err.Error(), "dup.csv line 9") || !strings.Contains(err.Error(), "line 5") || !strings.Contains(err.Error(), `"x"`) {
		t.Fatalf("duplicate error: %v", err)
	}
	bad := rec(3, "y", "99999", "2023-01", "1")
	bad.State = "lost"
	_, err = s.ImportRecords(c, store.Import{Source: "bad.csv"}, []records.Record{rec(2, "z", "99999", "2023-01", "1"), bad})
	if err == nil || !strings.Contains(err.Error(), "bad.csv line 3") {
		t.Fatalf("bad state: error %v", err)
	}
	if jan, _ := s.ListRecords(c, store.GroupFilter{Scope: admin, Competence: "2023-01"}); len(jan) != 1 || jan[0].Targatura != "1111111112" {
		t.Fatalf("failed import half-applied: %+v", jan)
	}
}

func testReconciliations(t *testing.T, s store.Store) {
	c := ctx(t)
	gA := store.Group{Region: "120", ASL: "205", Pharmacy: "99999", Competence: "2023-01"}
	gB := store.Group{Region: "120", ASL: "205", Pharmacy: "11111", Competence: "2023-01"}
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
	_, err = s.GetReconciliation(c, store.Group{Region: "120", ASL: "205", Pharmacy: "99999", Competence: "2023-02"}, admin)
	is(t, err, store.ErrNotFound, "GetReconciliation(unknown)")

	ok(t, s.PutReconciliation(c, store.Reconciliation{Group: gA, Report: json.RawMessage(`{"groups":[],"v":2}`), Summary: json.RawMessage(`{}`)}), "replace A")
	r, _ = s.GetReconciliation(c, gA, admin)
	jsonEq(t, r.Report, json.RawMessage(`{"groups":[],"v":2}`), "replaced report")
	if !r.ComputedAt.After(at) {
		t.Fatalf("computed_at not updated: %v", r.ComputedAt)
	}
	list, err := s.ListReconciliations(c, store.GroupFilter{Scope: station205, Competence: "2023-01"})
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
func testReconciliationPages(t *testing.T, s store.Store) {
	c := ctx(t)
	var want []store.Group
	for _, asl := range []string{"205", "206"} {
		for _, ph := range []string{"11111", "99999"} {
			for _, m := range []string{"2023-01", "2023-02", "2023-03"} {
				g := store.Group{Region: "120", ASL: asl, Pharmacy: ph, Competence: m}
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
			var got []store.Group
			var after store.Group
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
		Filter: store.GroupFilter{Scope: validator, Pharmacy: "99999", Competence: "2023-02"}, Limit: 1, Summaries: true})
	ok(t, err, "filtered page")
	if len(page) != 1 || page[0].Group != (store.Group{Region: "120", ASL: "205", Pharmacy: "99999", Competence: "2023-02"}) {
		t.Fatalf("filtered page = %+v", page)
	}
	if page, _ := s.PageReconciliations(c, store.ReconciliationQuery{Filter: store.GroupFilter{Scope: otherReg}, Limit: 10}); len(page) != 0 {
		t.Fatalf("other region pages %d reconciliations", len(page))
	}
	_, err = s.PageReconciliations(c, store.ReconciliationQuery{Filter: store.GroupFilter{Scope: admin}})
	is(t, err, store.ErrInvalid, "page size 0")
}
