package page

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestReasonText(t *testing.T) {
	for _, c := range []struct {
		text string
		want Reason
	}{
		{"head_barcode_unread", Reason{Kind: ReasonHeadUnread}},
		{"unreadable_slot: slots 3,4", Reason{Kind: ReasonUnreadableSlot, Slots: []int{3, 4}}},
		{"rule_broken: crossing in slots 2,12", Reason{Kind: ReasonRuleBroken, Detail: string(FlagCrossing), Slots: []int{2, 12}}},
		{"progressive_unread: box empty", Reason{Kind: ReasonProgressiveUnread, Detail: DetailBoxEmpty}},
		{"timeout: slots: context deadline exceeded", Reason{Kind: ReasonTimeout, Detail: "slots: context deadline exceeded"}},
		{"low_resolution: 100 dpi, the fustelle need 150 or more (scan at 200 dpi)",
			Reason{Kind: ReasonLowResolution, Detail: "100 dpi, the fustelle need 150 or more (scan at 200 dpi)"}},
		// Not slot lists as String writes them: kept as detail.
		{"unreadable_slot: slots 3, 4", Reason{Kind: ReasonUnreadableSlot, Detail: "slots 3, 4"}},
		{"unreadable_slot: slots 03", Reason{Kind: ReasonUnreadableSlot, Detail: "slots 03"}},
		{"unreadable_slot: slots 0", Reason{Kind: ReasonUnreadableSlot, Detail: "slots 0"}},
		{"unreadable_slot: slots ", Reason{Kind: ReasonUnreadableSlot, Detail: "slots "}},
		{"x:  in slots 3", Reason{Kind: "x", Detail: " in slots 3"}},
		// Odd text is some reason, kept as it is.
		{"", Reason{}},
		{"decode_error: ", Reason{Kind: "decode_error: "}},
		{"a:b", Reason{Kind: "a:b"}},
		{": x", Reason{Detail: "x"}},
	} {
		got := ParseReason(c.text)
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("ParseReason(%q) = %#v, want %#v", c.text, got, c.want)
		}
		if s := got.String(); s != c.text {
			t.Errorf("ParseReason(%q).String() = %q", c.text, s)
		}
	}
}

// TestReasonsJSON: a result's reasons are JSON strings, read back to the
// same reasons and written again byte for byte.
func TestReasonsJSON(t *testing.T) {
	in := `{"reasons":["unreadable_slot: slots 3,4","rule_broken: upside_down in slots 7","count_unread: 2 marks \u003c 3","head_barcode_unread"]}`
	var v struct {
		Reasons Reasons `json:"reasons"`
	}
	if err := json.Unmarshal([]byte(in), &v); err != nil {
		t.Fatal(err)
	}
	if !v.Reasons.HasSlot(ReasonUnreadableSlot, "", 4) || !v.Reasons.HasSlot(ReasonRuleBroken, string(FlagUpsideDown), 7) ||
		v.Reasons.HasSlot(ReasonRuleBroken, string(FlagCrossing), 7) || v.Reasons[2].Detail != "2 marks < 3" {
		t.Errorf("parsed %#v", v.Reasons)
	}
	out, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if string(out) != in {
		t.Errorf("marshalled\n%s\nwant\n%s", out, in)
	}
	var null struct {
		Reasons Reasons `json:"reasons"`
	}
	if b, _ := json.Marshal(null); string(b) != `{"reasons":null}` {
		t.Errorf("nil reasons: %s", b)
	}
}

func TestReasonsQueries(t *testing.T) {
	rs := Reasons{
		{Kind: ReasonUnreadableSlot, Slots: []int{3, 4}},
		{Kind: ReasonRuleBroken, Detail: string(FlagCrossing), Slots: []int{4}},
		{Kind: ReasonCountUnread, Detail: "unclear"},
	}
	if !rs.Has(ReasonDateUnread, ReasonCountUnread) || rs.Has(ReasonDateUnread) {
		t.Error("Has")
	}
	if rs.Contains(Reason{Kind: ReasonCountUnread}) || !rs.Contains(Reason{Kind: ReasonCountUnread, Detail: "unclear"}) {
		t.Error("Contains compares the detail")
	}
	got := rs.WithoutSlot(ReasonUnreadableSlot, "", 3).WithoutSlot(ReasonRuleBroken, string(FlagCrossing), 4)
	want := []string{"unreadable_slot: slots 4", "count_unread: unclear"}
	if !reflect.DeepEqual(got.Strings(), want) {
		t.Errorf("WithoutSlot: %q, want %q", got.Strings(), want)
	}
	if rs[0].String() != "unreadable_slot: slots 3,4" {
		t.Errorf("WithoutSlot changed its input: %v", rs[0])
	}
	if got := rs.Without(ReasonUnreadableSlot, ReasonCountUnread).Strings(); !reflect.DeepEqual(got, []string{"rule_broken: crossing in slots 4"}) {
		t.Errorf("Without: %q", got)
	}
}

// FuzzReason: every text reads back to itself.
func FuzzReason(f *testing.F) {
	for _, s := range []string{"unreadable_slot: slots 3,4", "rule_broken: crossing in slots 2,12", "a: b in slots 1", "x: slots 1,0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r := ParseReason(s)
		if got := r.String(); got != s {
			t.Fatalf("ParseReason(%q).String() = %q (%#v)", s, got, r)
		}
		if !ParseReason(r.String()).Equal(r) {
			t.Fatalf("%q parses differently the second time", s)
		}
	})
}
