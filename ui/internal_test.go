package ui

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/regfus/regfus/page"
	"github.com/regfus/regfus/process"
	"github.com/regfus/regfus/reconcile"
	"github.com/regfus/regfus/store"
)

// TestSessions: only the hash of an id is kept, a session lasts 12 hours
// without a request and is renewed by each one, closing ends it.
func TestSessions(t *testing.T) {
	clock := time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC)
	now = func() time.Time { return clock }
	defer func() { now = time.Now }()
	ss := NewSessions(DefaultIdle)
	id := ss.open([]byte("keyhash"))
	for h := range ss.m {
		if h == id || strings.Contains(h, id) {
			t.Fatal("the session table holds the session id")
		}
	}
	clock = clock.Add(11 * time.Hour)
	if _, ok := ss.get(id); !ok {
		t.Fatal("session gone after 11 h")
	}
	clock = clock.Add(11 * time.Hour) // 11 h after the last request
	if _, ok := ss.get(id); !ok {
		t.Fatal("a request did not renew the session")
	}
	clock = clock.Add(12*time.Hour + time.Second)
	if _, ok := ss.get(id); ok {
		t.Fatal("session alive after 12 h idle")
	}
	id2 := ss.open([]byte("k"))
	ss.close(id2)
	if _, ok := ss.get(id2); ok || ss.Len() != 0 {
		t.Fatal("closed session still there")
	}
	if _, ok := ss.get("made-up"); ok {
		t.Fatal("an unknown id opened a session")
	}
}

// TestCatalogues: Italian and English have the same keys, and every key
// the templates and the code name is in them, as are the names of every
// flag, finding kind, outcome, field and status shown.
func TestCatalogues(t *testing.T) {
	cat, err := loadCatalogues()
	if err != nil {
		t.Fatal(err)
	}
	it, en := cat.keys("it"), cat.keys("en")
	if !slices.Equal(it, en) {
		t.Errorf("catalogues differ: it has %d keys, en %d", len(it), len(en))
	}
	for _, k := range it {
		if strings.TrimSpace(cat["it"][k]) == "" || strings.TrimSpace(cat["en"][k]) == "" {
			t.Errorf("key %s has an empty text", k)
		}
		if strings.Count(cat["it"][k], "%") != strings.Count(cat["en"][k], "%") {
			t.Errorf("key %s: the two texts take different values", k)
		}
	}
	var used []string
	tkey := regexp.MustCompile(`\{\{t \$?\.?L "([^"]+)"`)
	fs.WalkDir(assets, "templates", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := fs.ReadFile(assets, p)
			for _, m := range tkey.FindAllStringSubmatch(string(b), -1) {
				used = append(used, m[1])
			}
		}
		return nil
	})
	code := regexp.MustCompile(`(?:uiErrorf\([^,]+, |Key: |Fix: |msg: |add\()"([a-z]+\.[a-z_.]+[a-z_])"`)
	files, _ := filepath.Glob("*.go")
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, _ := os.ReadFile(f)
		for _, m := range code.FindAllStringSubmatch(string(b), -1) {
			used = append(used, m[1])
		}
	}
	if len(used) < 150 {
		t.Fatalf("found only %d keys in use: the scan is broken", len(used))
	}
	for _, f := range []page.Flag{page.FlagOverlap, page.FlagCrossing, page.FlagUpsideDown, page.FlagAICUnread, page.FlagTargaturaUnread,
		page.FlagAICDisagree, page.FlagTargaturaDisagree, page.FlagOCROnly, page.FlagBarsOnly} {
		used = append(used, "flag."+string(f))
	}
	for _, f := range page.RuleFlags() {
		used = append(used, "check.p."+string(f), "check.f."+string(f))
	}
	for _, k := range reconcile.Kinds {
		used = append(used, "kind."+string(k))
	}
	for _, o := range reconcile.FustellaOutcomes {
		used = append(used, "outcome."+string(o))
	}
	for _, f := range []string{process.FieldPage, process.FieldCode, process.FieldProgressive, process.FieldCount, process.FieldDate, process.FieldSlot, process.FieldRule} {
		used = append(used, "field."+f, "hint."+f)
	}
	for _, s := range []page.Status{page.OK, page.Review, page.Rejected} {
		used = append(used, "status."+string(s))
	}
	for _, s := range []store.BatchStatus{store.BatchQueued, store.BatchRunning, store.BatchDone, store.BatchFailed} {
		used = append(used, "bstatus."+string(s))
	}
	for _, s := range []store.PageState{store.PageQueued, store.PageRunning, store.PageDone, store.PageFailed} {
		used = append(used, "pstate."+string(s))
	}
	for _, r := range []page.ReasonKind{page.ReasonNoMarkers, page.ReasonHeadUnread, page.ReasonTailUnread, page.ReasonHeadTailMismatch,
		page.ReasonInvalidCode, page.ReasonUnreadableSlot, page.ReasonProgressiveUnread, page.ReasonCountUnread, page.ReasonDateUnread,
		page.ReasonDecode, page.ReasonTimeout, page.ReasonRuleBroken, page.ReasonLowResolution, page.ReasonOutOfScope,
		page.ReasonCountMismatch, page.ReasonDateOutsideMonth} {
		used = append(used, "reason."+string(r))
	}
	for _, s := range []page.SlotState{page.Filled, page.Empty, page.Unreadable} {
		used = append(used, "slot."+string(s))
	}
	for _, k := range used {
		if !cat.has(k) {
			t.Errorf("key %q is used but not in the catalogues", k)
		}
	}
}

// TestTypedValue: what a person types becomes the correction the engine
// takes; what cannot be one is refused with a reason.
func TestTypedValue(t *testing.T) {
	item := func(field string, value string) store.ReviewItem {
		return store.ReviewItem{ID: 1, Field: field, Value: json.RawMessage(value)}
	}
	for _, c := range []struct {
		field, value, typed, want string
	}{
		{process.FieldDate, "null", "05/06/2025", `"2025-06-05"`},
		{process.FieldDate, "null", "2025-06-05", `"2025-06-05"`},
		{process.FieldDate, "null", "", `null`},
		{process.FieldDate, "null", "31/02/2025", ``},
		{process.FieldCount, "null", " 12 ", `12`},
		{process.FieldCount, "null", "dodici", ``},
		{process.FieldProgressive, "null", "d2", `"D2"`},
		{process.FieldCode, `{"code":null,"tail_code":null}`, "1202 0293 1610 62025", `"12020293161062025"`},
		{process.FieldSlot, `{"slot":3}`, "034567899 1000000014", `{"aic":"034567899","state":"filled","targatura":"1000000014"}`},
		{process.FieldSlot, `{"slot":3}`, "vuota", `{"state":"empty"}`},
		{process.FieldSlot, `{"slot":3}`, "034567899", ``},
		{process.FieldRule, `{"slot":3,"flags":["overlap"]}`, "anything", `{"accepted":true}`},
		{process.FieldPage, `{"reasons":["markers_not_found"]}`, "", `null`},
	} {
		got, err := typedValue(item(c.field, c.value), c.typed)
		if c.want == "" {
			if err == nil {
				t.Errorf("%s %q: %s, want an error", c.field, c.typed, got)
			}
			continue
		}
		if err != nil || string(got) != c.want {
			t.Errorf("%s %q: %s %v, want %s", c.field, c.typed, got, err, c.want)
		}
	}
}

// TestSuggestedInput: a suggestion starts the field only when it is a
// whole value of the field (an unread character or an impossible value
// is shown, not offered), and Enter on it saves that value.
func TestSuggestedInput(t *testing.T) {
	for _, c := range []struct {
		field, text, input, saved string
	}{
		{process.FieldProgressive, "D12", "D12", `"D12"`},
		{process.FieldProgressive, "7", "7", `"7"`},
		{process.FieldProgressive, "1?", "", ""},
		{process.FieldProgressive, "0", "", ""},
		{process.FieldCount, "12", "12", `12`},
		{process.FieldCount, "29", "", ""},
		{process.FieldCount, "03", "", ""},
		{process.FieldCount, "?", "", ""},
		{process.FieldDate, "19012024", "19/01/2024", `"2024-01-19"`},
		{process.FieldDate, "1901202_", "", ""},
		{process.FieldDate, "31022025", "", ""},
		{process.FieldSlot, "12", "", ""},
	} {
		it := store.ReviewItem{ID: 1, Field: c.field, Value: json.RawMessage("null"),
			Suggestion: &page.Suggestion{Text: c.text, Confidence: 0.5, Source: page.SourceHandwritten, Why: "test"}}
		e := newEntry(it)
		if e.Acceptable || len(bulkGroups([]entry{e})) != 0 {
			t.Errorf("%s suggestion %q: the item can be confirmed as read (nothing) in bulk", c.field, c.text)
		}
		if e.Suggested != c.input {
			t.Errorf("%s suggestion %q: field starts with %q, want %q", c.field, c.text, e.Suggested, c.input)
			continue
		}
		if c.input == "" {
			continue
		}
		if got, err := typedValue(it, e.Suggested); err != nil || string(got) != c.saved {
			t.Errorf("%s suggestion %q: Enter saves %s %v, want %s", c.field, c.text, got, err, c.saved)
		}
	}
	// A value read is what the field starts with, not the suggestion.
	read := newEntry(store.ReviewItem{Field: process.FieldCount, Value: json.RawMessage("5"),
		Suggestion: &page.Suggestion{Text: "6", Source: page.SourceHandwritten}})
	if read.Input != "5" || read.Suggested != "" {
		t.Errorf("count read 5 with suggestion 6: input %q, suggested %q", read.Input, read.Suggested)
	}
}

// TestQueueOrder: slots by confidence first (most sure first), then the
// fields without one, postponed items last in the order put off.
func TestQueueOrder(t *testing.T) {
	slot := func(id int64, conf float64) store.ReviewItem {
		v, _ := json.Marshal(page.Slot{Slot: int(id), State: page.Unreadable, Confidence: conf})
		return store.ReviewItem{ID: id, Field: process.FieldSlot, Value: v}
	}
	items := []store.ReviewItem{
		{ID: 1, Field: process.FieldDate, Value: json.RawMessage("null")},
		slot(2, 0.2), slot(3, 0.9), slot(4, 0.5),
		{ID: 5, Field: process.FieldCount, Value: json.RawMessage("null")},
	}
	s := &session{}
	s.postpone(3)
	s.postpone(1)
	got := orderQueue(items, s.postponedRank())
	var ids []int64
	for _, e := range got {
		ids = append(ids, e.Item.ID)
	}
	if want := []int64{4, 2, 5, 3, 1}; !slices.Equal(ids, want) {
		t.Errorf("queue order %v, want %v", ids, want)
	}
}
