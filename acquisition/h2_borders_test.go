package acquisition

import (
	"testing"

	"github.com/regfus/regfus/geom"
	"github.com/regfus/regfus/layout"
	"github.com/regfus/regfus/page"
)

// TestOverBorders: which of two labels lies over both borders between
// their slots, gone in front of a print where no label edge shows (see
// borderLimit's hidden and slots' cross-slot pass). Slot 23 (x 106-152)
// and slot 24 (x 154-200) of layout v1.
func TestOverBorders(t *testing.T) {
	t.Parallel()
	square := func(x0, x1 float64) *outline {
		return &outline{corners: [4]geom.Point{{X: x0, Y: 212}, {X: x1, Y: 212}, {X: x1, Y: 230}, {X: x0, Y: 230}}}
	}
	for _, c := range []struct {
		name string
		a, b slotRead // a is slot 24, b slot 23
		want bool
	}{
		{"slot 23 sees its border: slot 24's label is over both",
			slotRead{n: 24, hides: 23, hideGap: 0.1}, slotRead{n: 23, shape: square(113, 139)}, true},
		{"slot 23 empty",
			slotRead{n: 24, hides: 23, hideGap: 0.1}, slotRead{n: 23, out: page.Slot{State: page.Empty}}, true},
		{"slot 23 shows a label without an outline: it may be the one over both",
			slotRead{n: 24, hides: 23, hideGap: 0.1}, slotRead{n: 23, out: page.Slot{State: page.Unreadable}}, false},
		{"both say so, slot 24's print 0.1 mm from slot 23's border, slot 23's 15.4 mm from slot 24's",
			slotRead{n: 24, hides: 23, hideGap: 0.1}, slotRead{n: 23, hides: 24, hideGap: 15.4, shape: square(113, 139)}, true},
		{"both say so, slot 23's print the nearer: not slot 24's",
			slotRead{n: 24, hides: 23, hideGap: 9}, slotRead{n: 23, hides: 24, hideGap: 1, shape: square(113, 150)}, false},
		{"both say so, prints as far: either may be over both",
			slotRead{n: 24, hides: 23, hideGap: 4}, slotRead{n: 23, hides: 24, hideGap: 5}, false},
		{"slot 23's label seen reaching 3 mm into slot 24's",
			slotRead{n: 24, hides: 23, hideGap: 0.1}, slotRead{n: 23, shape: square(113, 157)}, false},
		{"slot 23's label seen 1.2 mm past its border, short of slot 24's",
			slotRead{n: 24, hides: 23, hideGap: 0.1}, slotRead{n: 23, shape: square(113, 153.2)}, false},
		{"slot 23's label 0.5 mm past its border (measurement): slot 24's is over both",
			slotRead{n: 24, hides: 23, hideGap: 0.1}, slotRead{n: 23, shape: square(113, 152.5)}, true},
	} {
		r24 := layout.Rect{X: 154, Y: 206, W: 46, H: 30}
		if got := overBorders(&c.a, &c.b, r24); got != c.want {
			t.Errorf("%s: overBorders = %v, want %v", c.name, got, c.want)
		}
	}
}

// TestLostBeside: a slot's border that does not show in front of a
// label's print is lost beside the label's own edge, not covered, when
// that edge shows just inside the border or on it (see labelOutline).
func TestLostBeside(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name              string
		edge, border, out float64
		want              bool
	}{
		// Seed 606's bordered phone page, slot 7: bottom edge seen 1 mm
		// inside the bottom border.
		{"bottom edge 1 mm inside the border", 15.11, 16.11, 1, true},
		{"bottom edge on the border", 16.3, 16.11, 1, true},
		{"bottom edge 2 mm past the border: crossing", 18.1, 16.11, 1, false},
		// A fresh seed's tall-side phone page, slot 13: the paper
		// between its ITF and its unread Code 32, 18 mm inside.
		{"right edge far inside: not the label's end", 9.81, 27.96, 1, false},
		{"top edge 0.5 mm inside the border", -12.5, -13, -1, true},
		{"top edge 1.5 mm past the border", -14.5, -13, -1, false},
	} {
		if got := lostBeside(c.edge, c.border, c.out); got != c.want {
			t.Errorf("%s: lostBeside = %v, want %v", c.name, got, c.want)
		}
	}
}
