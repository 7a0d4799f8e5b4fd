package process_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/regfus/regfus/page"
	"github.com/regfus/regfus/process"
	"github.com/regfus/regfus/sheet"
	"github.com/regfus/regfus/store"
)

// A review page as the reader writes it: code read, progressive box
// empty, date unread, slot 3 unreadable (AIC read, targatura not), slots
// 2 and 3 crossing their borders, slot 5 filled and fine.
func reviewPage() page.Result {
	return page.Result{
		Source: "scan.pdf", Page: 2, Status: page.Review,
		Reasons: parseReasons("progressive_unread: box empty", "date_unread", "unreadable_slot: slots 3", "rule_broken: crossing in slots 2,3"),
		Sheet: page.Sheet{Code: page.CodeOf(sheet.MustParseCode("12020131578012024")), TailCode: page.CodeOf(sheet.MustParseCode("12020131578012024")),
			DeclaredCount: page.Int(3)},
		Slots: []page.Slot{
			{Slot: 2, State: page.Filled, AIC: page.Str("012345676"), Targatura: page.Str("1234567895"), Confidence: 0.9, Flags: []page.Flag{page.FlagCrossing}},
			{Slot: 3, State: page.Unreadable, AIC: page.Str("012345676"), Flags: []page.Flag{page.FlagCrossing, page.FlagTargaturaUnread}},
			{Slot: 5, State: page.Filled, AIC: page.Str("012345676"), Targatura: page.Str("1234567895"), Confidence: 1, Flags: []page.Flag{}},
		},
	}
}

// coarsePage is a page in review only for one unread slot, on a scan too
// coarse for the fustelle.
func coarsePage() page.Result {
	p := reviewPage()
	p.Reasons = parseReasons("unreadable_slot: slots 3", "low_resolution: 140 dpi, the fustelle need 150 or more (scan at 200 dpi)")
	p.Slots[0].Flags = []page.Flag{}
	p.Slots[1].Flags = []page.Flag{page.FlagTargaturaUnread}
	return p
}

type itemKey struct {
	Field  string
	Slot   int
	Reason string
}

func keys(items []store.NewReviewItem) []itemKey {
	var out []itemKey
	for _, it := range items {
		out = append(out, itemKey{it.Field, it.Slot, it.Reason})
	}
	return out
}

func TestReviewItems(t *testing.T) {
	t.Parallel()
	headUnread := reviewPage()
	headUnread.Reasons = parseReasons("head_barcode_unread", "tail_barcode_unread", "invalid_sheet_code", "count_unread", "something_new: detail")
	headUnread.Sheet.Code, headUnread.Sheet.TailCode = nil, nil
	headUnread.Slots = nil
	cases := []struct {
		name string
		res  page.Result
		want []itemKey
	}{
		{"ok page", page.Result{Status: page.OK, Reasons: page.Reasons{}}, nil},
		{"rejected page", page.Result{Status: page.Rejected, Reasons: parseReasons("markers_not_found", "x")},
			[]itemKey{{process.FieldPage, 0, "markers_not_found"}}},
		{"review page", reviewPage(), []itemKey{
			{process.FieldProgressive, 0, "progressive_unread: box empty"},
			{process.FieldDate, 0, "date_unread"},
			{process.FieldSlot, 3, "unreadable_slot: targatura_unread"},
			{process.FieldRule, 2, string(page.FlagCrossing)},
			{process.FieldRule, 3, string(page.FlagCrossing)},
		}},
		{"coarse scan: low_resolution is no item of its own", coarsePage(), []itemKey{
			{process.FieldSlot, 3, "unreadable_slot: targatura_unread"},
		}},
		{"code unread: one item for all code reasons", headUnread, []itemKey{
			{process.FieldCode, 0, "head_barcode_unread"},
			{process.FieldCount, 0, "count_unread"},
			{process.FieldPage, 0, "something_new: detail"},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			items := process.ReviewItems(&c.res)
			if got := keys(items); !reflect.DeepEqual(got, c.want) {
				t.Fatalf("items\n got %v\nwant %v", got, c.want)
			}
			for _, it := range items {
				if !json.Valid(it.Value) {
					t.Errorf("item %s: value %q is not JSON", it.Field, it.Value)
				}
			}
		})
	}
}

// TestReviewItemsCarryTheSuggestion: the items of the count and date
// carry the sheet's suggestion for their own field, and no other item
// carries one (the progressive box was empty: no suggestion).
func TestReviewItemsCarryTheSuggestion(t *testing.T) {
	t.Parallel()
	res := reviewPage()
	res.Reasons = append(res.Reasons, page.Reason{Kind: page.ReasonCountUnread})
	res.Sheet.DeclaredCount = nil
	date := &page.Suggestion{Text: "3101202_", Confidence: 0.97, Source: page.SourceHandwritten, Why: "date cell 8 empty"}
	count := &page.Suggestion{Text: "3", Confidence: 0.41, Source: page.SourceHandwritten, Why: "below the threshold"}
	res.Sheet.Suggestions = &page.Suggestions{Date: date, Count: count}
	want := map[string]*page.Suggestion{process.FieldDate: date, process.FieldCount: count}
	seen := 0
	for _, it := range process.ReviewItems(&res) {
		if w := want[it.Field]; w != nil {
			seen++
			if it.Suggestion == nil || *it.Suggestion != *w {
				t.Errorf("%s item: suggestion %+v, want %+v", it.Field, it.Suggestion, w)
			}
		} else if it.Suggestion != nil {
			t.Errorf("%s item (slot %d): suggestion %+v, want none", it.Field, it.Slot, it.Suggestion)
		}
	}
	if seen != 2 {
		t.Fatalf("%d items of the count and date, want 2", seen)
	}
}

// TestCorrectingEveryItemMakesThePageOK: the items of a page and the
// reasons that hold it in review are the same things, so answering every
// item leaves an ok page.
func TestCorrectingEveryItemMakesThePageOK(t *testing.T) {
	t.Parallel()
	res := reviewPage()
	answers := map[string]string{
		process.FieldProgressive: `"4"`,
		process.FieldDate:        `"2024-01-31"`,
		process.FieldSlot:        `{"state":"filled","aic":"012345676","targatura":"1234567895"}`,
		process.FieldRule:        `{"accepted":true}`,
	}
	for i, it := range process.ReviewItems(&res) {
		item := store.ReviewItem{ID: int64(i + 1), Field: it.Field, Slot: it.Slot, Reason: it.Reason}
		next, err := process.ApplyCorrection(res, item, json.RawMessage(answers[it.Field]))
		if err != nil {
			t.Fatalf("item %+v: %v", it, err)
		}
		if next.Status == page.OK && i < 4 {
			t.Errorf("page ok after %d of 5 corrections: %v", i+1, next.Reasons)
		}
		res = next
	}
	if res.Status != page.OK || len(res.Reasons) != 0 {
		t.Fatalf("after every correction: %s %v", res.Status, res.Reasons)
	}
	s3 := res.Slots[1]
	if s3.State != page.Filled || *s3.Targatura != "1234567895" || s3.Confidence != 1 || !reflect.DeepEqual(s3.Flags, []page.Flag{page.FlagCrossing}) {
		t.Errorf("slot 3 as corrected: %+v", s3)
	}
	if *res.Sheet.Progressive != "4" || *res.Sheet.Date != "2024-01-31" {
		t.Errorf("sheet as corrected: %+v", res.Sheet)
	}
}

func TestApplyCorrection(t *testing.T) {
	t.Parallel()
	rejected := page.Result{Source: "x.png", Page: 1, Status: page.Rejected, Reasons: parseReasons("markers_not_found"), Slots: []page.Slot{}}
	codeUnread := reviewPage()
	codeUnread.Reasons = parseReasons("head_barcode_unread", "tail_barcode_unread")
	codeUnread.Sheet.Code, codeUnread.Sheet.TailCode = nil, nil
	cases := []struct {
		name    string
		res     page.Result
		item    store.ReviewItem
		after   string
		wantErr string
		check   func(t *testing.T, r page.Result)
	}{
		{"code sets the identity and clears code reasons", codeUnread, store.ReviewItem{Field: process.FieldCode}, `"12020531578022025"`, "",
			func(t *testing.T, r page.Result) {
				if r.Status != page.OK || r.Sheet.Code == nil || r.Sheet.Code.String() != "12020531578022025" || r.Sheet.TailCode.String() != "12020531578022025" {
					t.Errorf("%s %+v", r.Status, r.Sheet)
				}
			}},
		{"bad code", codeUnread, store.ReviewItem{Field: process.FieldCode}, `"1202053157802202"`, "invalid sheet code", nil},
		{"code must be a string", codeUnread, store.ReviewItem{Field: process.FieldCode}, `12020531578022025`, "17-digit", nil},
		{"progressive D", reviewPage(), store.ReviewItem{Field: process.FieldProgressive}, `"d7"`, "",
			func(t *testing.T, r page.Result) {
				if *r.Sheet.Progressive != "D7" || r.Status != page.Review || len(r.Reasons) != 3 {
					t.Errorf("%v %s %v", *r.Sheet.Progressive, r.Status, r.Reasons)
				}
			}},
		{"progressive none", reviewPage(), store.ReviewItem{Field: process.FieldProgressive}, `null`, "",
			func(t *testing.T, r page.Result) {
				if r.Sheet.Progressive != nil || strings.Contains(strings.Join(r.Reasons.Strings(), ";"), "progressive") {
					t.Errorf("%v %v", r.Sheet.Progressive, r.Reasons)
				}
			}},
		{"progressive out of range", reviewPage(), store.ReviewItem{Field: process.FieldProgressive}, `"0"`, "out of range", nil},
		{"count", reviewPage(), store.ReviewItem{Field: process.FieldCount}, `12`, "",
			func(t *testing.T, r page.Result) {
				if *r.Sheet.DeclaredCount != 12 {
					t.Errorf("count %d", *r.Sheet.DeclaredCount)
				}
			}},
		{"count too big", reviewPage(), store.ReviewItem{Field: process.FieldCount}, `29`, "0-28", nil},
		{"date", reviewPage(), store.ReviewItem{Field: process.FieldDate}, `"2024-02-30"`, "YYYY-MM-DD", nil},
		{"slot targatura check digit", reviewPage(), store.ReviewItem{Field: process.FieldSlot, Slot: 3},
			`{"state":"filled","aic":"012345676","targatura":"1234567890"}`, "check digit", nil},
		{"slot filled needs both codes", reviewPage(), store.ReviewItem{Field: process.FieldSlot, Slot: 3},
			`{"state":"filled","aic":"012345676"}`, "both", nil},
		{"slot empty", reviewPage(), store.ReviewItem{Field: process.FieldSlot, Slot: 3}, `{"state":"empty"}`, "",
			func(t *testing.T, r page.Result) {
				if r.Slots[1].State != page.Empty || r.Slots[1].AIC != nil || strings.Contains(strings.Join(r.Reasons.Strings(), ";"), "unreadable_slot") {
					t.Errorf("%+v %v", r.Slots[1], r.Reasons)
				}
			}},
		{"slot on a coarse scan", coarsePage(), store.ReviewItem{Field: process.FieldSlot, Slot: 3}, `{"state":"empty"}`, "",
			func(t *testing.T, r page.Result) {
				// low_resolution explained the one unread slot: answered with it.
				if r.Status != page.OK || len(r.Reasons) != 0 {
					t.Errorf("%s %v", r.Status, r.Reasons)
				}
			}},
		{"slot unknown key", reviewPage(), store.ReviewItem{Field: process.FieldSlot, Slot: 3}, `{"state":"empty","colour":"red"}`, "unknown field", nil},
		{"rule acknowledged for one slot only", reviewPage(), store.ReviewItem{Field: process.FieldRule, Slot: 2, Reason: string(page.FlagCrossing)}, `true`, "",
			func(t *testing.T, r page.Result) {
				if !reflect.DeepEqual(r.Reasons[3:], parseReasons("rule_broken: crossing in slots 3")) {
					t.Errorf("%v", r.Reasons)
				}
				if !reflect.DeepEqual(r.Slots[0].Flags, []page.Flag{page.FlagCrossing}) {
					t.Errorf("the rule's flag must stay on the slot: %v", r.Slots[0].Flags)
				}
			}},
		{"rejected page confirmed stays rejected", rejected, store.ReviewItem{Field: process.FieldPage, Reason: "markers_not_found"}, `null`, "",
			func(t *testing.T, r page.Result) {
				if r.Status != page.Rejected {
					t.Errorf("%s", r.Status)
				}
			}},
		{"rejected page keyed in", rejected, store.ReviewItem{Field: process.FieldPage},
			`{"sheet":{"code":"12020131578012024","progressive":"2","declared_count":1},"slots":[{"slot":1,"state":"filled","aic":"012345676","targatura":"1234567895"}]}`, "",
			func(t *testing.T, r page.Result) {
				if r.Status != page.OK || r.Sheet.Code.String() != "12020131578012024" || *r.Sheet.Progressive != "2" || len(r.Slots) != 1 || r.Slots[0].Confidence != 1 {
					t.Errorf("%+v", r)
				}
			}},
		{"keyed-in page needs its code", rejected, store.ReviewItem{Field: process.FieldPage}, `{"sheet":{},"slots":[]}`, "code", nil},
		{"keyed-in page with an unknown sheet member", rejected, store.ReviewItem{Field: process.FieldPage},
			`{"sheet":{"code":"12020131578012024","progresive":"2"},"slots":[]}`, "unknown field", nil},
		{"keyed-in page repeats a slot", rejected, store.ReviewItem{Field: process.FieldPage},
			`{"sheet":{"code":"12020131578012024"},"slots":[{"slot":1,"state":"empty"},{"slot":1,"state":"empty"}]}`, "repeated", nil},
		{"empty value", reviewPage(), store.ReviewItem{Field: process.FieldDate}, ``, "no value", nil},
		{"unknown field", reviewPage(), store.ReviewItem{Field: "colour"}, `1`, "unknown field", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			before, _ := json.Marshal(c.res)
			got, err := process.ApplyCorrection(c.res, c.item, json.RawMessage(c.after))
			if after, _ := json.Marshal(c.res); string(before) != string(after) {
				t.Error("ApplyCorrection modified its input")
			}
			if c.wantErr != "" {
				if !errors.Is(err, store.ErrInvalid) || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("error %v, want ErrInvalid saying %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			c.check(t, got)
		})
	}
}
