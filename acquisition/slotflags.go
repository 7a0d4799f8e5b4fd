package acquisition

import (
	"fmt"
	"math"

	"github.com/regfus/regfus/geom"
	"github.com/regfus/regfus/layout"
	"github.com/regfus/regfus/page"
)

// slots reads the 28 slots.
func (st *pageState) slots() error {
	l := st.r.layout
	reads := make([]*slotRead, len(l.Slots))
	for i, s := range l.Slots {
		if err := st.ctx.Err(); err != nil {
			return err
		}
		r, err := st.readSlot(s)
		if err != nil {
			return fmt.Errorf("slot %d: %w", s.N, err)
		}
		reads[i] = r
	}
	// Overlap: two labels' outlines meeting at all (rule a), within the
	// outline's precision; a crossing label often just touches its
	// neighbour.
	// When the other label's bars are hidden (it is the one covered), it
	// has no outline, or only its bars' span across (not placed across):
	// a label reaching deep into a neighbouring slot that is not
	// empty overlaps what is there (a label merely crossing its border
	// reaches at most about 4 mm past the 2 mm gutter).
	for i, a := range reads {
		for j, b := range reads {
			if i == j || a.shape == nil {
				continue
			}
			switch {
			case b.shape != nil && j > i && a.shape.overlaps(b.shape, overlapDepth),
				(b.shape == nil || !b.shape.across) && b.out.State != page.Empty && a.shape.intrudes(l.Slots[j].Rect) > intrusionDepth:
				addFlag(&a.out, page.FlagOverlap)
				addFlag(&b.out, page.FlagOverlap)
			}
		}
	}
	// A label whose symbols were read in two slots, in a slot that shows
	// another label: both slots overlap, and which values are whose is a
	// person's call (owns).
	// The label came from slot b (slot a shows another label besides
	// it): its bars (both symbols', seen in the two crops) lie inside it,
	// and when they pass b's border it crosses (seed 4747's phone page,
	// slot 22's label moved 12-15 mm onto slot 26's: its Code 32 read in
	// slot 22, its ITF in slot 26; no outline of its own showed the
	// crossing). Not slot a: a label moved so far that its middle is over
	// a, with a's own label under it, does not cross a's border (a fresh
	// seed's office page: slot 5's label moved 16 mm up over slot 1's,
	// slot 1 flagged crossing when the slot the bars were centred on was
	// taken for the label's).
	for _, s := range splitLabels(reads) {
		reads[s.a].split = true
		addFlag(&reads[s.a].out, page.FlagOverlap)
		if reads[s.b].out.State != page.Empty {
			addFlag(&reads[s.b].out, page.FlagOverlap)
			if s.barsOutline().crosses(l.Slots[s.b].Rect) {
				addFlag(&reads[s.b].out, page.FlagCrossing)
			}
		}
	}
	// A slot that shows its own label and another meeting it, or two
	// symbols of one kind (a label carries one of each: two labels), is
	// overlapped; with its own label and another meeting it, so is the
	// slot the other label is centred on.
	for i, a := range reads {
		if a.twoOfAKind() || a.foreignBars() {
			addFlag(&a.out, page.FlagOverlap)
		}
		if !a.stacked {
			continue
		}
		addFlag(&a.out, page.FlagOverlap)
		var c geom.Point
		for _, p := range a.shape.corners {
			c = c.Add(p.Scale(0.25))
		}
		for j, b := range reads {
			if j != i && b.out.State != page.Empty && l.Slots[j].Rect.Contains(layout.Rect{X: c.X, Y: c.Y}) {
				addFlag(&b.out, page.FlagOverlap)
			}
		}
	}
	// Bars the slot crop cut, found whole (wholeBars), read or not: they
	// lie inside their label, so a label whose bars pass its slot's border
	// crosses it, and one whose bars reach intrusionDepth into a
	// neighbouring slot overlaps the label there. The bars are the slot's
	// own when their middle is on it: a label moved onto its neighbour
	// shows a piece of its bars in the neighbour's crop too, and a label
	// moved a long way can have its Code 32 on the neighbour while its ITF
	// stays home (read there, it places the label crossing); both slots
	// must show bars besides these for an overlap.
	for i, a := range reads {
		for k := range a.labels {
			b := a.labels[k].uncut
			if b == nil {
				continue
			}
			q, s := barsOutline(b), l.Slots[i].Rect
			if s.Contains(layout.Rect{X: b.center.X, Y: b.center.Y}) && q.crosses(s) {
				addFlag(&a.out, page.FlagCrossing)
			}
			if !a.holdsBesides(b) {
				continue
			}
			for j, r := range reads {
				if j != i && r.out.State != page.Empty && q.intrudes(l.Slots[j].Rect) > intrusionDepth && r.holdsBesides(b) {
					addFlag(&a.out, page.FlagOverlap)
					addFlag(&r.out, page.FlagOverlap)
				}
			}
		}
	}
	// A label over its slot's border and the neighbour's, where its own
	// edge does not show (slotRead.hides): it crosses, unless the
	// neighbour's label may be the one over both.
	// When the neighbour shows a label none of whose symbols was placed
	// (no outline), that label may be the one over both borders, moved
	// over this slot's: the symbol read nearest the hidden borders may be
	// its (hiddenBy).
	hiddenBy := make([]int, len(reads))
	for i, a := range reads {
		if a.hides == 0 {
			continue
		}
		b := reads[a.hides-1]
		if overBorders(a, b, l.Slots[i].Rect) {
			addFlag(&a.out, page.FlagCrossing)
		} else if b.out.State != page.Empty && b.shape == nil {
			hiddenBy[i] = a.hides
		}
	}
	st.lentTo(reads)
	if err := st.overAnother(reads); err != nil {
		return err
	}
	leftEmpty(reads)
	// When labels overlap, the bars read in one slot may be its
	// neighbour's label stuck across it: the values of an overlapping slot
	// are kept only when its label's centre is within attributionMM of the
	// slot's; otherwise a person decides.
	// Without an overlap, the values of a slot none of whose labels is
	// centred on it (centred) are a neighbour's label moved onto it, its
	// own hidden under it or missing (seed 9191's phone page 32 reported
	// slot 14's label, moved 14 mm up over slot 10's, as slot 10's once
	// its bars were read whole), unless the slot it leans towards shows
	// a label of its own (pushedOwn: it is this slot's, pushed across the
	// border).
	for i, r := range reads {
		if r.out.State == page.Empty || r.out.AIC == nil && r.out.Targatura == nil {
			continue
		}
		ok, why, credit := true, "", whyOverlapCredit
		if r.out.HasFlag(page.FlagOverlap) {
			ok, why = r.owns(l.Slots[i].Rect, attributionMM)
		} else if _, any := st.centred(r); !any && !st.pushedOwn(reads, i) {
			ok, why, credit = false, "off_centre", whyMovedCredit
		}
		if ok && st.straddles(reads, i) {
			ok, why, credit = false, "straddles", whyMovedCredit
		}
		if !ok {
			r.withhold(credit + ":" + why)
		} else if hiddenBy[i] != 0 {
			st.nearHidden(r, l.Slots[hiddenBy[i]-1].Rect)
		}
	}
	// What is left credited, judged together: the page's map itself may
	// be wrong. The sheet's slot grid where the map puts it says so when
	// the scan keeps its lines (mapcheck.go); where it cannot tell, the
	// labels read do (doubt.go).
	var doubt bool
	switch st.checkMap() {
	case mapWrong:
		doubt = true
	case mapUnchecked:
		doubt = geometryDoubt(reads)
	}
	for _, r := range reads {
		if doubt {
			r.withhold(whyGeometry)
		}
		st.res.Slots = append(st.res.Slots, r.out)
	}
	if st.r.trace != nil {
		st.r.trace(st.res, reads)
	}
	return nil
}

// overBorders decides whether a's label is the one over its slot's border
// and b's, gone in front of its print (a.hides is b; r is a's slot): yes
// when b is empty; no when b shows a label without an outline (it may be
// the one over both) or one seen reaching past its own border towards a
// (within the gutter less seenSlop of a's slot: it is); else yes when b
// does not say the same of a; when both do, the label whose print lies
// nearer the
// far border by nearerBy mm or more. A label pushed across into b's slot
// has its print off its slot's centre towards b while b's own label
// keeps its slot's inset and the gutter between its print and a's border
// (seed 20261205's compact clean page: slot 24's label crossing 5.6 mm
// into slot 23, its print 0.1 mm from slot 23's border, slot 23's print
// 15.4 mm from slot 24's; neither label's edge shows on that side).
func overBorders(a, b *slotRead, r layout.Rect) bool {
	const gutter = 2.0
	switch {
	case b.out.State == page.Empty:
		return true
	case b.shape == nil, b.shape.intrudes(r.Inset(-(gutter - seenSlop))) > 0:
		return false
	case b.hides != a.n:
		return true
	}
	return b.hideGap-a.hideGap >= nearerBy
}

// nearerBy: a pushed label's print lies at least the gutter and an inset
// (2.3 mm) plus how far the label passes the neighbour's border nearer
// the far border than the neighbour's own print, when both labels have
// like margins around their print.
const nearerBy = 2.5

// home tells, for each of the slot's reads, whether it counts for the
// slot's own label: read, and on a label centred within attributionMM of
// the slot's centre. When no read is, all reads count (the slot's own
// label is the one moved away).
func (st *pageState) home(sr *slotRead) []bool {
	out, any := st.centred(sr)
	if !any {
		for i := range out {
			out[i] = sr.labels[i].readAs() != ""
		}
	}
	return out
}

// centred marks the read labels of the slot whose centre is within
// attributionMM of the slot's (home without its fallback); any is false
// when there is none: what the slot shows is a neighbour's label moved onto
// it, whose values are not the slot's.
func (st *pageState) centred(sr *slotRead) (out []bool, any bool) {
	s, _ := st.r.layout.Slot(sr.n)
	cx, cy := s.Rect.Center()
	out = make([]bool, len(sr.labels))
	for i := range sr.labels {
		lr := &sr.labels[i]
		if lr.readAs() == "" {
			continue
		}
		c := sr.labelCentre(lr)
		out[i] = math.Abs(c.X-cx) <= attributionMM && math.Abs(c.Y-cy) <= attributionMM
		any = any || out[i]
	}
	return out, any
}

// holdsBesides reports whether the slot shows bars other than pieces of
// b's: a label of its own.
func (sr *slotRead) holdsBesides(b *barSpan) bool {
	a := b.angle * math.Pi / 180
	for _, lr := range sr.labels {
		d := lr.center.Sub(b.center)
		along, across := d.X*math.Cos(a)+d.Y*math.Sin(a), -d.X*math.Sin(a)+d.Y*math.Cos(a)
		if math.Abs(across) > 1.5 || math.Abs(along) > b.w/2 {
			return true
		}
	}
	return false
}

// anchor is the symbol a slot's label is placed from (labelOutline: its
// frame, and with it every symbol sameLabel puts on its label): a decoded
// symbol, whose bars give the label's direction surely, else any symbol
// read. Only the reads marked in among count, when among is not nil.
func (sr *slotRead) anchor(among []bool) *labelRead {
	for _, ok := range []func(*labelRead) bool{
		func(lr *labelRead) bool { return lr.kind != "" },
		func(lr *labelRead) bool { return lr.readAs() != "" },
	} {
		for i := range sr.labels {
			if ok(&sr.labels[i]) && (among == nil || among[i]) {
				return &sr.labels[i]
			}
		}
	}
	return nil
}

// pieceApart is how far apart (mm) two reads of one kind may lie and be
// pieces of one symbol: pieces of one symbol lie on one line.
const pieceApart = 3.0

// twoOfAKind reports whether the slot shows two symbols of one kind (read
// from their bars or by OCR alone) on different lines: two labels. A
// symbol read by OCR alone to the very value of the other is not a second
// one: its reading took the other's digit line for its own (seed 606's
// zint phone page, slot 28: the Code 32's bars undecoded, the ITF's
// digits printed between the two symbols read under them as an ITF, a
// false overlap). Two labels never carry one value.
func (sr *slotRead) twoOfAKind() bool {
	value := func(lr *labelRead) string {
		if v := lr.barsValue(); v != "" {
			return v
		}
		return lr.ocrValue(lr.readAs())
	}
	for i := range sr.labels {
		for j := i + 1; j < len(sr.labels); j++ {
			a, b := &sr.labels[i], &sr.labels[j]
			if a.readAs() == "" || a.readAs() != b.readAs() || a.center.Sub(b.center).Len() <= pieceApart {
				continue
			}
			if (a.kind == "" || b.kind == "") && value(a) != "" && value(a) == value(b) {
				continue
			}
			return true
		}
	}
	return false
}

// foreignBars reports whether the print of the slot's label (its Code 32
// and ITF, paired by group) holds the bars of a third symbol: a region at
// least minSymbolW wide that looks like bars (barLike: a matrix code or a
// logo found as a region does not), not on the line of either (a piece of
// one lies on it), meeting the pair's print box by more than a
// millimetre. A label
// carries two symbols and nothing but their digits lies between them, so
// the pair is two labels' (seed 6007's staggered bitonal page, slot 3:
// slot 7's label moved 11 mm up over it, its Code 32 paired with slot
// 3's ITF around slot 3's own Code 32, undecoded, and the slot reported
// slot 7's AIC with its own targatura, a silent error).
func (sr *slotRead) foreignBars() bool {
	c32, itf := sr.first("code32"), sr.first("itf")
	if c32 == nil || itf == nil || sr.partner(c32) != itf {
		return false
	}
	f, pb := sr.printBox(c32)
	onLine := func(a, b box) bool { return math.Abs((a.v0+a.v1)/2-(b.v0+b.v1)/2) <= 1.5 }
	for i := range sr.labels {
		o := &sr.labels[i]
		if o == c32 || o == itf || o.w < minSymbolW || o.ocrOutcome == ocrNotBars {
			continue
		}
		ob := o.barsIn(f)
		if onLine(ob, c32.barsIn(f)) || onLine(ob, itf.barsIn(f)) {
			continue
		}
		if ob.meets(pb, 1) {
			return true
		}
	}
	return false
}

// minSymbolW is the narrowest symbol a fustella prints (mm): a 10-digit
// ITF at the thinnest bars (0.19 mm narrow, 2:1) is about 14.6 mm wide.
// Narrower bar regions on a label are other print (a small matrix code,
// a logo: 10-13.8 mm wide on seed 4747's pages).
const minSymbolW = 14.0

// owns reports whether both codes of the slot come from one label (its
// Code 32 and ITF, read from their bars or by OCR alone, where one label
// puts them) whose outline and print are centred within d mm of the
// slot's centre on both axes. When not, why says what is missing (for why.go).
func (sr *slotRead) owns(r layout.Rect, d float64) (ok bool, why string) {
	c32, itf := sr.first("code32"), sr.first("itf")
	switch {
	case sr.twoOfAKind() || sr.split || sr.under || sr.foreignBars():
		// Two labels show their symbols here: which value is whose,
		// when the other symbol of one of them is hidden, is a person's
		// call (a label moved 10 mm onto its neighbour and over its
		// Code 32 gave the neighbour's Code 32 beside the slot's own ITF).
		return false, "two_labels"
	case c32 == nil || itf == nil:
		return false, "one_symbol"
	case !sameLabel(c32, itf):
		return false, "two_labels"
	case sr.shape == nil:
		return false, "no_outline"
	}
	var c geom.Point
	for _, p := range sr.shape.corners {
		c = c.Add(p.Scale(0.25))
	}
	cx, cy := r.Center()
	// The label's outline and its print must both be centred on the
	// slot: an outline grown to an edge that is not the label's (a
	// covered label's, seen through a faint edge of the one on top) can
	// place a neighbour's label moved onto the slot on it (seed
	// 20261205's compact clean page, slot 1, once reported its
	// neighbour's targatura so).
	p := sr.labelCentre(c32)
	if math.Abs(c.X-cx) > d || math.Abs(c.Y-cy) > d || math.Abs(p.X-cx) > d || math.Abs(p.Y-cy) > d {
		return false, "off_centre"
	}
	return true, ""
}
