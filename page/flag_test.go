package page

import (
	"encoding/json"
	"reflect"
	"testing"
)

// TestFlags: the rule flags are the three rules and no other flag; a
// slot's flags keep their wire names, a name no reader writes included.
func TestFlags(t *testing.T) {
	for _, f := range []Flag{FlagOverlap, FlagCrossing, FlagUpsideDown} {
		if !f.Rule() {
			t.Errorf("%s is not a rule", f)
		}
	}
	for _, f := range []Flag{FlagAICUnread, FlagTargaturaUnread, FlagAICDisagree, FlagTargaturaDisagree, FlagOCROnly, FlagBarsOnly, "corrected", ""} {
		if f.Rule() {
			t.Errorf("%q is a rule", f)
		}
	}
	const wire = `{"slot":4,"state":"unreadable","aic":null,"targatura":null,"confidence":0,"flags":["crossing","targatura_unread","from_the_future"]}`
	var s Slot
	if err := json.Unmarshal([]byte(wire), &s); err != nil {
		t.Fatal(err)
	}
	if want := []Flag{FlagCrossing, FlagTargaturaUnread, "from_the_future"}; !reflect.DeepEqual(s.Flags, want) {
		t.Fatalf("flags %v, want %v", s.Flags, want)
	}
	if !s.HasFlag(FlagCrossing) || s.HasFlag(FlagOverlap) {
		t.Errorf("HasFlag wrong on %v", s.Flags)
	}
	if got := JoinFlags(s.Flags, ", "); got != "crossing, targatura_unread, from_the_future" {
		t.Errorf("JoinFlags = %q", got)
	}
	if b, err := json.Marshal(s); err != nil || string(b) != wire {
		t.Errorf("written back as %s, %v; want %s", b, err, wire)
	}
}
