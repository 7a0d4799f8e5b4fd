package process_test

import (
	"crypto/sha256"
	"encoding/hex"
	"testing"
	"time"

	"github.com/regfus/regfus/auth"
	"github.com/regfus/regfus/page"
	"github.com/regfus/regfus/process"
	"github.com/regfus/regfus/sheet"
	"github.com/regfus/regfus/store"
)

// TestReconcileOffersTheScanOrder: after reconciliation, the progressive
// review item of a page whose progressive was not read, scanned between
// read sheets 1 and 3, carries the scan order's suggestion "2" (source
// scan_order, never a value: the page's result keeps no progressive); a
// page the reader had a suggestion for keeps the reader's; and when a
// later upload brings sheet 2, the order no longer suggests anything and
// the suggestion is removed, the reader's still kept.
func TestReconcileOffersTheScanOrder(t *testing.T) {
	t.Parallel()
	e := newEnv(t, "", nil)
	ctx := testCtx(t)
	owner := auth.Scope{Role: auth.Station, Key: sheet.Key{Region: "120", ASL: "205"}}
	code := sheet.Code{Region: "120", ASL: "205", Pharmacy: "99999", Month: 1, Year: 2024}
	reader := &page.Suggestion{Text: "4?", Confidence: 0.5, Source: page.SourceHandwritten, Why: "a mark that is not a digit"}
	// sheets: file name -> progressive read ("" not read); s4's reader
	// had a suggestion.
	upload := func(sheets map[string]string) map[string]int64 {
		t.Helper()
		var files []store.NewFile
		for name := range sheets {
			d := sha256.Sum256([]byte(name))
			h := hex.EncodeToString(d[:])
			files = append(files, store.NewFile{SHA256: h, Name: name, Size: 1, MediaType: "image/tiff", BlobPath: h[:2] + "/" + h, Pages: 1})
		}
		if _, err := e.store.CreateBatch(ctx, store.NewBatch{Owner: owner, Files: files}); err != nil {
			t.Fatal(err)
		}
		ids := map[string]int64{}
		for range sheets {
			cl, err := e.store.ClaimPage(ctx, store.ClaimOptions{Lease: time.Hour})
			if err != nil {
				t.Fatal(err)
			}
			name := cl.Page.File.Name
			ids[name] = cl.Page.ID
			res := page.Result{Source: name, Page: 1, Status: page.OK, Reasons: page.Reasons{}, Slots: []page.Slot{}, LayoutVersion: 1,
				Sheet: page.Sheet{Code: page.CodeOf(code), TailCode: page.CodeOf(code)}}
			if p := sheets[name]; p != "" {
				res.Sheet.Progressive = page.Str(p)
			} else {
				res.Status, res.Reasons = page.Review, parseReasons("progressive_unread")
				if name == "s4.tif" {
					res.Sheet.Suggestions = &page.Suggestions{Progressive: reader}
				}
			}
			out := store.PageOutcome{PageID: cl.Page.ID, Token: cl.Token, Result: res, Review: process.ReviewItems(&res)}
			if err := e.store.CompletePage(ctx, out); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := e.eng.Reconcile(ctx, code.Key()); err != nil {
			t.Fatal(err)
		}
		return ids
	}
	// suggestion is the open progressive item's suggestion of a page.
	suggestion := func(pageID int64) *page.Suggestion {
		t.Helper()
		items, err := e.store.ListReview(ctx, store.ReviewFilter{Scope: admin, PageID: pageID, Status: store.ReviewOpen})
		if err != nil {
			t.Fatal(err)
		}
		if len(items) != 1 || items[0].Field != process.FieldProgressive {
			t.Fatalf("page %d: items %+v, want one progressive item", pageID, items)
		}
		return items[0].Suggestion
	}

	ids := upload(map[string]string{"s1.tif": "1", "s2.tif": "", "s3.tif": "3", "s4.tif": "", "s5.tif": "5"})
	got := suggestion(ids["s2.tif"])
	if got == nil || got.Text != "2" || got.Source != page.SourceScanOrder || got.Confidence != 0 || got.Why == "" {
		t.Errorf("s2 between 1 and 3: suggestion %+v, want \"2\" of the scan order", got)
	}
	if got := suggestion(ids["s4.tif"]); got == nil || *got != *reader {
		t.Errorf("s4: suggestion %+v, want the reader's %+v", got, reader)
	}
	if p, err := e.store.GetPage(ctx, ids["s2.tif"], admin); err != nil || p.Result.Sheet.Progressive != nil || p.Result.Status != page.Review {
		t.Errorf("s2's result after the suggestion: %v, err %v: the suggestion must not be a value", p.Result, err)
	}

	// Sheet 2 turns up, scanned after s2: s2 now lies between 1 and 2, so
	// the order suggests nothing for it and its suggestion goes.
	upload(map[string]string{"s2b.tif": "2"})
	if got := suggestion(ids["s2.tif"]); got != nil {
		t.Errorf("s2 between 1 and 2: suggestion %+v, want none", got)
	}
	if got := suggestion(ids["s4.tif"]); got == nil || *got != *reader {
		t.Errorf("s4 after the second upload: suggestion %+v, want the reader's %+v", got, reader)
	}
}
