package acquisition

import (
	"math"

	"github.com/regfus/regfus/geom"
	"github.com/regfus/regfus/layout"
	"github.com/regfus/regfus/page"
)

// The cross-slot view. A slot read alone cannot tell its own label pushed
// across its border from a neighbour's label moved onto it: both show a
// whole label off the slot's centre. With every slot's reads in view, the
// neighbour it leans towards tells them apart:
//
//   - that neighbour shows a label of its own (both symbols, one label,
//     centred on it): the label leaning towards it is not its label, so it
//     is this slot's, pushed across the border (its values are the
//     slot's);
//   - that neighbour shows nothing of its own: the label may be its, moved
//     onto this slot over this slot's own, and which slot it belongs to is
//     a person's call (no values, as before);
//   - that neighbour looks empty while the label cannot be this slot's
//     own (another label shows beside it, or it lies further off the
//     centre than a pushed label can): the neighbour's label is the one
//     moved away (seed 9191's compact and side-by-side pages had filled
//     slots reported empty so), and the neighbour is sent to a person,
//     unreadable, with the flags of a label moved onto another (lentTo).

// settled reports whether the slot shows a label of its own: a Code 32
// and an ITF read as one label's (group) whose print is centred on the
// slot (within attributionMM on both axes).
func (st *pageState) settled(sr *slotRead) bool {
	s, _ := st.r.layout.Slot(sr.n)
	cx, cy := s.Rect.Center()
	for i := range sr.labels {
		lr := &sr.labels[i]
		if lr.readAs() == "" || len(sr.group(lr)) < 2 {
			continue
		}
		c := sr.labelCentre(lr)
		if math.Abs(c.X-cx) <= attributionMM && math.Abs(c.Y-cy) <= attributionMM {
			return true
		}
	}
	return false
}

// leaning is the slot (index into reads) other than i whose centre is
// nearest the print of lr's label, when that label (both symbols read as
// one label's, group) lies off i's centre (further than attributionMM on
// an axis) and still nearer i's centre than any other's: a label pushed
// across i's border, or a neighbour's moved onto i. -1 otherwise.
func (st *pageState) leaning(reads []*slotRead, i int, lr *labelRead) int {
	sr := reads[i]
	if lr == nil || len(sr.group(lr)) < 2 {
		return -1
	}
	c := sr.labelCentre(lr)
	slots := st.r.layout.Slots
	cx, cy := slots[i].Rect.Center()
	if math.Abs(c.X-cx) <= attributionMM && math.Abs(c.Y-cy) <= attributionMM {
		return -1
	}
	best, bestD := -1, math.Inf(1)
	for j, s := range slots {
		if j == i {
			continue
		}
		if d := centreDist(s.Rect, c); d < bestD {
			best, bestD = j, d
		}
	}
	if centreDist(slots[i].Rect, c) >= bestD {
		return -1
	}
	return best
}

func centreDist(r layout.Rect, p geom.Point) float64 {
	cx, cy := r.Center()
	return math.Hypot(p.X-cx, p.Y-cy)
}

// pushedOwn reports whether the label slot i shows off its centre is its
// own, pushed across its border: the slot it leans towards shows a label
// of its own (settled).
func (st *pageState) pushedOwn(reads []*slotRead, i int) bool {
	j := st.leaning(reads, i, reads[i].anchor(nil))
	return j >= 0 && st.settled(reads[j])
}

// lentTo marks the slots that look empty while a neighbour shows a label
// off its centre leaning towards them (leaning) that cannot be the
// neighbour's own: the neighbour shows another label besides it, or the
// label lies further off the neighbour's centre than a label pushed
// across its border can (movedMM). Such a slot's label is the one moved
// onto the neighbour. It is unreadable, crossing (its label lies across
// its border) and overlapping (over the neighbour's own), for a person to
// decide; so is the neighbour when its own label shows.
func (st *pageState) lentTo(reads []*slotRead) {
	for i, a := range reads {
		for k := range a.labels {
			// Each label is seen from both its symbols: the same marks.
			lr := &a.labels[k]
			g := a.group(lr)
			j := st.leaning(reads, i, lr)
			if j < 0 || reads[j].out.State != page.Empty {
				continue
			}
			other := false
			for m := range a.labels {
				o := &a.labels[m]
				other = other || o.readAs() != "" && o != g[0] && o != g[1]
			}
			if !other && centreDist(st.r.layout.Slots[i].Rect, a.labelCentre(lr)) <= movedMM {
				continue
			}
			reads[j].lent()
			if other {
				addFlag(&a.out, page.FlagOverlap)
			}
		}
	}
}

// lent sends a slot that looks empty, its label moved onto a neighbour,
// to a person: unreadable, crossing (its label lies across its border)
// and overlapping (over the neighbour's own).
func (sr *slotRead) lent() {
	sr.out.State = page.Unreadable
	sr.why = [2]string{whyMovedCredit + ":" + whyLent, whyMovedCredit + ":" + whyLent}
	addFlag(&sr.out, page.FlagCrossing)
	addFlag(&sr.out, page.FlagOverlap)
}

// movedMM is how far (mm) off its slot's centre a label's print can lie
// before it cannot be that slot's label pushed across the border: a
// pushed label's centre stays within about 13 mm (the slot's spare room,
// 6 mm past the border and the print's own offset on the label).
const movedMM = 16.0

// straddles reports whether a value read in slot i belongs to a label
// centred off the slot: a symbol read there without a partner in the slot
// makes a label with a symbol read in another slot (pairScore, better
// than that symbol's own partner there), and the middle of the two
// symbols' print together is farther than attributionMM from slot i's
// centre. The label lies across the border, its one symbol in each crop;
// each crop alone shows a symbol near enough to its slot's centre to pass
// for the slot's own (seed 6601's bitonal page: slot 8's zint label moved
// 15 mm down onto slot 12's, its ITF read in slot 8, its Code 32 in slot
// 12, 9 mm from slot 12's centre, over slot 12's own label whose bars it
// hid; slot 12 reported the moved label's AIC).
func (st *pageState) straddles(reads []*slotRead, i int) bool {
	a := reads[i]
	s, _ := st.r.layout.Slot(a.n)
	cx, cy := s.Rect.Center()
	for k := range a.labels {
		x := &a.labels[k]
		if x.readAs() == "" || a.partner(x) != nil {
			continue
		}
		off := false
		pairsElsewhere(reads, i, x, func(_ int, y *labelRead, _ float64) {
			f := frameOf(x)
			u, v := x.inkIn(f), y.inkIn(f)
			c := f.point((math.Min(u.u0, v.u0)+math.Max(u.u1, v.u1))/2, (math.Min(u.v0, v.v0)+math.Max(u.v1, v.v1))/2)
			off = off || math.Abs(c.X-cx) > attributionMM || math.Abs(c.Y-cy) > attributionMM
		})
		if off {
			return true
		}
	}
	return false
}

// nearHidden withholds the value of the symbol read nearest the border
// slot r shares with the neighbouring slot nb, when both borders are gone
// in front of r's print and nb shows a label that none of its symbols
// placed (slotRead.hides; overBorders cannot tell which label lies over
// both). That label may be the neighbour's, moved over r's own and over
// r's symbol on that side: its symbol is then read in r's crop and paired
// with r's own other symbol (seed 61617's zint phone page 4: slot 12's
// label moved 15 mm up over slot 8's ITF; its ITF was read in slot 8 and
// paired with slot 8's Code 32, and slot 8 reported slot 12's targatura
// beside its own AIC). The symbol further from that border is kept: it
// is r's own whichever label lies over the borders.
func (st *pageState) nearHidden(r *slotRead, nb layout.Rect) {
	s, _ := st.r.layout.Slot(r.n)
	// dist is how far p lies from the border facing nb, inside r's slot.
	dist := func(p geom.Point) float64 {
		switch {
		case nb.Y >= s.Rect.Bottom():
			return s.Rect.Bottom() - p.Y
		case nb.Bottom() <= s.Rect.Y:
			return p.Y - s.Rect.Y
		case nb.X >= s.Rect.Right():
			return s.Rect.Right() - p.X
		}
		return p.X - s.Rect.X
	}
	c32, itf := r.first("code32"), r.first("itf")
	if c32 == nil || itf == nil || r.out.AIC == nil || r.out.Targatura == nil {
		return // one symbol: nothing paired across the labels
	}
	k := 0 // the AIC's symbol is the nearer
	if dist(itf.center) < dist(c32.center) {
		k = 1
	}
	r.withholdOne(k, whyMovedCredit+":"+whyHidden)
}
