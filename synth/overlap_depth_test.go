package synth

import "testing"

// TestOverlapsVisible checks the rule visibleOverlaps keeps (see
// docs/synth-truth.md): on 400 filled sheets of every design, two labels
// either overlap by minOverlap or more, and the truth marks both
// overlapping, or they do not overlap at all and neither is marked for
// it (unless it overlaps a third). It fails if the rule is dropped:
// without it, sheets of these seeds hold labels meeting by 0.02-0.4 mm.
func TestOverlapsVisible(t *testing.T) {
	t.Parallel()
	deep, apart := 0, 0
	for _, p := range filledPages(t, Options{Pages: 400, Seed: 5151, Profiles: []Profile{Profiles["clean"]}, Designs: Designs()}) {
		var filled []Slot
		for _, s := range p.Slots {
			if s.State == StateFilled {
				filled = append(filled, s)
			}
		}
		meets := map[int]bool{}
		for i, a := range filled {
			for _, b := range filled[i+1:] {
				// The truth's corners are rounded to 0.001 mm.
				d, _ := penetration(a.Label.Corners, b.Label.Corners)
				switch {
				case d > 0.002 && d < minOverlap-0.002:
					t.Errorf("page %d: slots %d and %d overlap by %.3f mm, under %.1f", p.Index, a.Slot, b.Slot, d, minOverlap)
				case d >= minOverlap-0.002:
					deep++
					meets[a.Slot], meets[b.Slot] = true, true
					if !has(a.Defects, DefectOverlap) || !has(b.Defects, DefectOverlap) {
						t.Errorf("page %d: slots %d and %d overlap by %.2f mm, defects %v and %v", p.Index, a.Slot, b.Slot, d, a.Defects, b.Defects)
					}
				case d > -1:
					apart++
				}
			}
		}
		for _, s := range filled {
			if has(s.Defects, DefectOverlap) && !meets[s.Slot] {
				t.Errorf("page %d slot %d: marked overlapping, no label meets it by %.1f mm", p.Index, s.Slot, minOverlap)
			}
		}
	}
	t.Logf("%d pairs overlapping by %.1f mm or more, %d within 1 mm of each other without overlapping", deep, minOverlap, apart)
	if deep == 0 || apart == 0 {
		t.Errorf("400 sheets: %d overlapping pairs, %d near pairs: the check saw nothing", deep, apart)
	}
}
