// Package servicetest is what the tests of the service's two faces, the
// REST API (package api) and the web interface (package ui), share: a key
// of a scope in a store, and the ground truth of the committed scans
// (testdata/scans) with the dispensing records that match it; and the
// check that a batch's pages were each recorded once, shared by the
// processing engine's tests (package process and its fault tests); and
// the engine those tests run on a real store: bars-only readers, the
// embedded store opened and migrated, an engine stopped when the test
// ends.
package servicetest

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/regfus/regfus/acquisition"
	"github.com/regfus/regfus/auth"
	"github.com/regfus/regfus/fustella"
	"github.com/regfus/regfus/process"
	"github.com/regfus/regfus/records"
	"github.com/regfus/regfus/sheet"
	"github.com/regfus/regfus/store"
	"github.com/regfus/regfus/store/sqlite"
	"github.com/regfus/regfus/synth"
)

// BarsOnly is the engine's NewReader for tests: the real reader without
// Tesseract or the handwriting model, reading codes from their bars
// alone. It keeps the tests quick, and the handwritten fields
// (progressive, count, date) then always go to review, which gives the
// review tests something certain to correct.
func BarsOnly() (*acquisition.Reader, error) { return acquisition.NewReader(nil), nil }

// SQLite opens the embedded store in dir and migrates it; the test's
// cleanup closes it.
func SQLite(t testing.TB, dir string) *sqlite.Store {
	t.Helper()
	ctx := context.Background()
	s, err := sqlite.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return s
}

// Engine makes an engine of cfg, not started; the test's cleanup stops
// it (a minute at most: a failure to stop fails the test), before the
// store opened earlier is closed.
func Engine(t testing.TB, cfg process.Config) *process.Engine {
	t.Helper()
	eng, err := process.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := eng.Stop(ctx); err != nil {
			t.Errorf("stopping the engine: %v", err)
		}
	})
	return eng
}

// Started is Engine, started.
func Started(t testing.TB, cfg process.Config) *process.Engine {
	t.Helper()
	eng := Engine(t, cfg)
	if err := eng.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	return eng
}

// Key creates a key of scope sc in s and returns its secret.
func Key(t testing.TB, s store.Store, sc auth.Scope) string {
	t.Helper()
	nk, err := auth.Generate(nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreateKey(context.Background(), store.APIKey{ID: nk.ID, Hash: nk.Hash, Scope: sc, Label: "test " + sc.String()}); err != nil {
		t.Fatal(err)
	}
	return nk.Secret
}

// Truth returns the ground truth of the first page of the scan file at
// path (its synth truth file beside it).
func Truth(t testing.TB, path string) synth.Page {
	t.Helper()
	tr, err := synth.LoadTruth(strings.TrimSuffix(path, filepath.Ext(path)) + synth.TruthSuffix)
	if err != nil {
		t.Fatal(err)
	}
	return tr.Pages[0]
}

// Records returns the dispensing records of the fustelle on the scans at
// paths, as pharmacy k's counter software would have kept them for month
// k.Competence: one closed, digitally signed prescription a fustella,
// dispensed on the date on (YYYY-MM-DD), placed where the truth puts it.
// A record's id is the scan's name and the slot ("0009-clean-07").
func Records(t testing.TB, k sheet.Key, on string, paths ...string) []records.Record {
	t.Helper()
	day, err := time.Parse(time.DateOnly, on)
	if err != nil {
		t.Fatal(err)
	}
	var recs []records.Record
	for _, p := range paths {
		tr := Truth(t, p)
		base := strings.TrimSuffix(filepath.Base(p), filepath.Ext(p))
		for _, sl := range tr.Slots {
			if sl.State != "filled" {
				continue
			}
			prog, err := sheet.ParseProgressive(tr.Sheet.Progressive)
			if err != nil {
				t.Fatalf("%s: %v", p, err)
			}
			id := fmt.Sprintf("%s-%02d", base, sl.Slot)
			recs = append(recs, records.Record{ID: id, Key: k,
				DispensedOn: day, Prescription: "NRE-" + id,
				AIC: fustella.AIC(sl.AIC), Targatura: fustella.Targatura(sl.Targatura), Sheet: prog, Slot: sl.Slot,
				State: records.Closed, ClosedOn: day, Signature: records.Digital, SignedDocumentID: "DOC-" + id})
		}
	}
	return recs
}

// RecordedOnce checks that every page of the batch is done with exactly
// the review items its result calls for, and returns the pages:
// CompletePage saves both in one transaction, and a second result is
// refused before anything is written, so a page recorded twice would
// have its items twice.
func RecordedOnce(t testing.TB, s store.Store, batchID int64) []store.Page {
	t.Helper()
	ctx, admin := context.Background(), auth.Scope{Role: auth.Admin}
	pages, err := s.ListPages(ctx, batchID, admin)
	if err != nil {
		t.Fatal(err)
	}
	items, err := s.ListReview(ctx, store.ReviewFilter{Scope: admin, BatchID: batchID})
	if err != nil {
		t.Fatal(err)
	}
	counts := map[int64]int{}
	for _, it := range items {
		counts[it.PageID]++
	}
	for _, p := range pages {
		if p.State != store.PageDone || p.Result == nil {
			t.Errorf("page %d (%s p.%d) is %s, want done with a result (error %q)", p.ID, p.File.Name, p.Index, p.State, p.Error)
			continue
		}
		if want := len(process.ReviewItems(p.Result)); counts[p.ID] != want {
			t.Errorf("page %d (%s p.%d) has %d review items, its result calls for %d", p.ID, p.File.Name, p.Index, counts[p.ID], want)
		}
	}
	return pages
}
