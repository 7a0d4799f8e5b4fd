package storetest

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/regfus/regfus/page"
	"github.com/regfus/regfus/sheet"
	"github.com/regfus/regfus/store"
)

// testReview: review items follow their page's scope, are listed by
// status, batch and page, and a correction records who, when, before and
// after, resolves the item and can replace the page's result.
func testReview(t *testing.T, c context.Context, s Store) {
	bc := mustBatch(t, s, station205, file("review", 1))
	reviewer := mustKey(t, s, station205)
	cl := claim(t, s, time.Hour)
	r := result(page.Review, "205", "99999", "4", "1234567890")
	r.Slots[0].AIC = nil
	r.Slots[0].Flags = []page.Flag{page.FlagAICUnread}
	r.Sheet.Progressive = nil
	items := []store.NewReviewItem{
		{Slot: 1, Field: "aic", Reason: string(page.FlagAICUnread)},
		{Field: "progressive", Reason: string(page.ReasonProgressiveUnread), Value: json.RawMessage(`"4?"`),
			Suggestion: &page.Suggestion{Text: "4?", Confidence: 0.625, Source: page.SourceHandwritten, Why: "a mark that is not a digit"}},
	}
	ok(t, s.CompletePage(c, store.PageOutcome{PageID: cl.Page.ID, Token: cl.Token, Result: r, Review: items}), "CompletePage")
	is(t, s.CompletePage(c, store.PageOutcome{PageID: 1 << 40, Result: r, Review: []store.NewReviewItem{{}}}), store.ErrNotFound, "CompletePage(unknown)")

	list, err := s.ListReview(c, store.ReviewFilter{Scope: admin, Status: store.ReviewOpen})
	ok(t, err, "ListReview")
	if len(list) != 2 {
		t.Fatalf("ListReview = %d items, want 2", len(list))
	}
	aic, prog := list[0], list[1]
	if aic.Slot != 1 || aic.Field != "aic" || aic.Reason != string(page.FlagAICUnread) || aic.Value != nil || aic.Suggestion != nil || aic.Status != store.ReviewOpen ||
		aic.PageID != cl.Page.ID || aic.BatchID != bc.Batch.ID || aic.PageIndex != 1 || aic.FileSHA256 != sha("review") ||
		aic.Group == nil || *aic.Group != (sheet.Key{Region: "120", ASL: "205", Pharmacy: "99999", Competence: "2023-01"}) {
		t.Fatalf("aic item = %+v", aic)
	}
	if prog.Slot != 0 || prog.Field != "progressive" {
		t.Fatalf("progressive item = %+v", prog)
	}
	jsonEq(t, prog.Value, json.RawMessage(`"4?"`), "progressive value")
	// The suggestion comes back as it went in, on the list and on one item.
	wantSug := page.Suggestion{Text: "4?", Confidence: 0.625, Source: page.SourceHandwritten, Why: "a mark that is not a digit"}
	if prog.Suggestion == nil || *prog.Suggestion != wantSug {
		t.Fatalf("progressive suggestion = %+v, want %+v", prog.Suggestion, wantSug)
	}
	if one, err := s.GetReview(c, prog.ID, admin); err != nil || one.Suggestion == nil || *one.Suggestion != wantSug {
		t.Fatalf("GetReview(progressive) = %+v, %v; want suggestion %+v", one.Suggestion, err, wantSug)
	}

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
	sheets, _ := s.ListSheetResults(c, store.GroupFilter{Scope: admin, Key: sheet.Key{Pharmacy: "99999"}})
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

// testReviewSuggestion: SetReviewSuggestion sets, replaces and clears a
// suggestion of its source on the page's open items of its field only,
// and never replaces or clears one of another source (the reader's) nor
// touches a resolved item or another page.
func testReviewSuggestion(t *testing.T, c context.Context, s Store) {
	mustBatch(t, s, station205, file("suggest", 2))
	reader := &page.Suggestion{Text: "1_022023", Confidence: 0.41, Source: page.SourceHandwritten, Why: "7 of 8 cells written"}
	var pages [2]int64
	for i := range pages {
		cl := claim(t, s, time.Hour)
		pages[i] = cl.Page.ID
		r := result(page.Review, "205", "99999", "", "1234567890")
		items := []store.NewReviewItem{
			{Field: "progressive", Reason: string(page.ReasonProgressiveUnread), Value: json.RawMessage("null")},
			{Field: "date", Reason: string(page.ReasonDateUnread), Value: json.RawMessage("null"), Suggestion: reader},
		}
		ok(t, s.CompletePage(c, store.PageOutcome{PageID: cl.Page.ID, Token: cl.Token, Result: r, Review: items}), "CompletePage")
	}
	// suggestions is page -> field -> the open or resolved item's suggestion.
	suggestions := func() map[int64]map[string]*page.Suggestion {
		t.Helper()
		list, err := s.ListReview(c, store.ReviewFilter{Scope: admin})
		ok(t, err, "ListReview")
		out := map[int64]map[string]*page.Suggestion{}
		for _, it := range list {
			if out[it.PageID] == nil {
				out[it.PageID] = map[string]*page.Suggestion{}
			}
			out[it.PageID][it.Field] = it.Suggestion
		}
		return out
	}
	want := func(what string, p int64, field string, w *page.Suggestion) {
		t.Helper()
		got := suggestions()[p][field]
		if (got == nil) != (w == nil) || got != nil && *got != *w {
			t.Errorf("%s: page %d %s suggestion = %+v, want %+v", what, p, field, got, w)
		}
	}
	order := func(text string) *page.Suggestion {
		return &page.Suggestion{Text: text, Source: page.SourceScanOrder, Why: "scanned between 1 and 3"}
	}
	set := func(p int64, field string, sug *page.Suggestion) {
		t.Helper()
		ok(t, s.SetReviewSuggestion(c, p, field, page.SourceScanOrder, sug), "SetReviewSuggestion")
	}

	set(pages[0], "progressive", order("2"))
	want("set", pages[0], "progressive", order("2"))
	want("set, other page", pages[1], "progressive", nil)
	want("set, other field", pages[0], "date", reader)
	set(pages[0], "progressive", order("D2"))
	want("replaced", pages[0], "progressive", order("D2"))
	// The reader's suggestion is neither replaced nor cleared.
	set(pages[0], "date", order("01022023"))
	want("over the reader's", pages[0], "date", reader)
	set(pages[0], "date", nil)
	want("clearing the reader's", pages[0], "date", reader)
	// A suggestion given as of another source is refused.
	is(t, s.SetReviewSuggestion(c, pages[1], "progressive", page.SourceScanOrder, reader), store.ErrInvalid, "SetReviewSuggestion(other source)")
	want("refused", pages[1], "progressive", nil)
	set(pages[0], "progressive", nil)
	want("cleared", pages[0], "progressive", nil)

	// A resolved item keeps what its reviewer saw.
	set(pages[1], "progressive", order("2"))
	list, err := s.ListReview(c, store.ReviewFilter{Scope: admin, PageID: pages[1]})
	ok(t, err, "ListReview")
	for _, it := range list {
		if it.Field == "progressive" {
			_, err := s.CorrectReview(c, store.NewCorrection{ItemID: it.ID, Scope: admin, After: json.RawMessage(`"2"`)})
			ok(t, err, "CorrectReview")
		}
	}
	set(pages[1], "progressive", nil)
	want("resolved", pages[1], "progressive", order("2"))
}
