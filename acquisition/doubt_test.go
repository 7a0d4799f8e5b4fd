package acquisition

import (
	"testing"

	"github.com/regfus/regfus/page"
)

// TestGeometryDoubt: a page on which most of the slots that report values
// are flagged crossing (two or more) credits no slot with what was read
// in it; half of them crossing, or a single crossing label, keeps its
// reads, as do crossing slots that report no values.
func TestGeometryDoubt(t *testing.T) {
	aic, tg := "012345679", "1234567890"
	for _, tc := range []struct {
		name                      string
		valued, crossing, unvalCr int
		want                      bool
	}{
		{"both values crossing", 2, 2, 0, true},
		{"8 of 11 crossing", 11, 8, 0, true},
		{"half crossing", 10, 5, 6, false},
		{"one value, crossing", 1, 1, 10, false},
		{"a few crossing", 24, 3, 0, false},
		{"crossing slots without values", 10, 0, 18, false},
	} {
		reads := make([]*slotRead, 28)
		for i := range reads {
			r := &slotRead{n: i + 1, out: page.Slot{Slot: i + 1, State: page.Empty}}
			switch {
			case i < tc.valued:
				r.out = page.Slot{Slot: i + 1, State: page.Filled, AIC: &aic, Targatura: &tg, Confidence: 0.9}
				if i < tc.crossing {
					r.out.Flags = []page.Flag{page.FlagCrossing}
				}
			case i < tc.valued+tc.unvalCr:
				r.out = page.Slot{Slot: i + 1, State: page.Unreadable, Flags: []page.Flag{page.FlagCrossing}}
			}
			reads[i] = r
		}
		if got := geometryDoubt(reads); got != tc.want {
			t.Errorf("%s: geometryDoubt = %v, want %v", tc.name, got, tc.want)
		}
	}
	// Withheld, a slot keeps its flags, loses its values and says why.
	r := &slotRead{n: 1, out: page.Slot{Slot: 1, State: page.Filled, AIC: &aic, Targatura: &tg, Confidence: 0.9, Flags: []page.Flag{page.FlagCrossing}}}
	r.withhold(whyGeometry)
	if r.out.AIC != nil || r.out.Targatura != nil || r.out.Confidence != 0 || r.out.State != page.Unreadable {
		t.Errorf("withheld slot still reports %+v", r.out)
	}
	if r.why[0] != whyGeometry || r.why[1] != whyGeometry || !r.out.HasFlag(page.FlagCrossing) {
		t.Errorf("withheld slot: why %v, flags %v", r.why, r.out.Flags)
	}
}
