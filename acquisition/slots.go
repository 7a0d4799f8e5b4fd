package acquisition

import (
	"errors"
	"fmt"
	"image"
	"math"
	"slices"
	"sort"

	"github.com/regfus/regfus/fustella"
	"github.com/regfus/regfus/geom"
	"github.com/regfus/regfus/layout"
	"github.com/regfus/regfus/page"
	"github.com/regfus/regfus/vision"
)

// Slot reading thresholds. Ink is the fraction of a slot's inside (less
// its printed number) darker than 60% of the local paper.
const (
	// A fustella's print (two barcodes, two OCR-A lines, a name) covers
	// well over 8% of the slot; an empty slot shows none, and a pen mark a
	// percent or two.
	inkEmpty  = 0.012
	inkFilled = 0.06
	// slotMargin is how far around a slot (mm) its crop reaches, to see a
	// label that crosses the border.
	slotMargin = 3.0
	// minBarConfidence is the barcode confidence a value read from its
	// bars alone needs (with a valid check digit) to be reported.
	minBarConfidence = 0.7
	// minOCRConfidence is the same for a value read by OCR alone.
	minOCRConfidence = 0.97
	// attributionMM: a label moved onto its neighbour has its centre at
	// least 11 mm from the centre of the slot it reaches, while a normal or
	// merely crossing label stays within 9 mm of its own slot's.
	attributionMM = 9.5
	// Overlap: two labels' outlines meeting at all (rule a), within the
	// outline's precision (overlapDepth); a label reaching intrusionDepth
	// into a neighbouring slot that is not empty overlaps what is there (a
	// label merely crossing its border reaches at most about 4 mm past the
	// 2 mm gutter).
	overlapDepth, intrusionDepth = 0.1, 4.5
)

// slotRead is everything read in one slot.
type slotRead struct {
	n      int
	ink    float64
	labels []labelRead // bar pairs found, by position
	shape  *outline    // the label's outline, when its bars were read
	// stacked is set when the slot shows a second label (its symbols'
	// middle elsewhere) whose outline meets its own label's: shape is then
	// that other label's.
	stacked bool
	// split is set when the slot shows a symbol of a label read across two
	// slots besides another label's (splitLabels).
	split bool
	// hides is the neighbouring slot (number) whose border and its own
	// are gone in front of its own label's print where no edge of that
	// label shows (outline.hides), its label not otherwise crossing: the
	// label crosses into it unless that slot says the same of this one
	// (then either label may be the one over both borders, see
	// overBorders). hideGap is how far that slot's border lies from the
	// print (outline.hideGap).
	hides   int
	hideGap float64
	out     page.Slot
	// why says, for the AIC and the targatura, why the value is null (see
	// why.go); "" when it was read or the slot is empty.
	why [2]string
}

// labelRead is one symbol read in a slot: where its bars are (page mm,
// label frame) and what they and the OCR line under them say.
type labelRead struct {
	center   geom.Point // page mm
	angle    float64    // degrees, reading direction
	w, h     float64    // mm
	kind     string     // "code32", "itf" or "" when unread
	reversed bool       // read right to left: the label is upside down
	aic      fustella.AIC
	tg       fustella.Targatura
	conf     float64
	ocrAIC   fustella.AIC
	ocrTG    fustella.Targatura
	ocrConf  float64
	ocrOnly  string // kind read by OCR alone, bars unread
	// ocrOutcome is how far reading an undecoded region got (why.go).
	ocrOutcome ocrOutcome
	// text is where the last OCR line read under the bars lies along them.
	text lineSpan
	// quiet is the paper (mm) either side of the bars that the decoding
	// crop takes, when less than the usual 3 mm: a symbol split from its
	// neighbour (splitAtQuietZones) shares one quiet zone with it.
	quiet float64
	// uncut is the whole region when the slot crop cut these bars (see
	// wholeBars), else nil.
	uncut *barSpan
}

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
	for i, j := range splitLabels(reads) {
		reads[i].split = true
		addFlag(&reads[i].out, page.FlagOverlap)
		if reads[j].out.State != page.Empty {
			addFlag(&reads[j].out, page.FlagOverlap)
		}
	}
	// A slot that shows its own label and another meeting it, or two
	// symbols of one kind (a label carries one of each: two labels), is
	// overlapped; with its own label and another meeting it, so is the
	// slot the other label is centred on.
	for i, a := range reads {
		if a.twoOfAKind() {
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
	for i, a := range reads {
		if a.hides != 0 && overBorders(a, reads[a.hides-1], l.Slots[i].Rect) {
			addFlag(&a.out, page.FlagCrossing)
		}
	}
	st.lentTo(reads)
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
			st.res.Slots = append(st.res.Slots, r.out)
			continue
		}
		ok, why, credit := true, "", whyOverlapCredit
		if r.out.HasFlag(page.FlagOverlap) {
			ok, why = r.owns(l.Slots[i].Rect, attributionMM)
		} else if _, any := st.centred(r); !any && !st.pushedOwn(reads, i) {
			ok, why, credit = false, "off_centre", whyMovedCredit
		}
		if !ok {
			if r.out.AIC != nil {
				r.why[0] = credit + ":" + why
			}
			if r.out.Targatura != nil {
				r.why[1] = credit + ":" + why
			}
			r.out.AIC, r.out.Targatura, r.out.Confidence = nil, nil, 0
			r.out.State = page.Unreadable
		}
		st.res.Slots = append(st.res.Slots, r.out)
	}
	if st.r.trace != nil {
		st.r.trace(st.res, reads)
	}
	return nil
}

// readSlot decides one slot.
func (st *pageState) readSlot(s layout.Slot) (*slotRead, error) {
	px := st.barPx()
	area := s.Rect.Inset(-slotMargin)
	img, err := st.geo.Crop(st.img, area, px)
	if err != nil {
		return nil, err
	}
	sr := &slotRead{n: s.N, out: page.Slot{Slot: s.N, Flags: []page.Flag{}}}
	// Ink inside the slot, less its border line and printed number.
	toPx := func(r layout.Rect) image.Rectangle {
		return image.Rect(int((r.X-area.X)*px), int((r.Y-area.Y)*px), int((r.Right()-area.X)*px), int((r.Bottom()-area.Y)*px))
	}
	inner := s.Rect.Inset(0.8)
	num := layout.Rect{X: s.X, Y: s.Y, W: 6, H: 3.6}
	fr, err := vision.InkFraction(img, 8*px, 0.6, []image.Rectangle{toPx(inner), toPx(num)})
	if err != nil {
		return nil, err
	}
	innerA, numA := inner.W*inner.H, num.W*num.H
	sr.ink = math.Max(0, (fr[0]*innerA-fr[1]*numA)/(innerA-numA))

	regions, err := vision.FindBarRegions(img, px, 10, 2.5, maxBarsH)
	if err != nil {
		return nil, err
	}
	for _, rg := range regions {
		c := geom.Point{X: area.X + rg.Center.X/px, Y: area.Y + rg.Center.Y/px}
		// Only bars whose centre is on this slot belong to it.
		if !s.Rect.Inset(-1).Contains(layout.Rect{X: c.X, Y: c.Y}) {
			continue
		}
		sr.labels = append(sr.labels, labelRead{center: c, angle: rg.Angle, w: rg.W / px, h: rg.H / px})
		if len(sr.labels) == 4 {
			break
		}
	}
	sr.labels = mergeSplitBars(sr.labels, st.pieceAt)
	sr.labels = st.splitAtQuietZones(sr.labels)
	sort.Slice(sr.labels, func(i, j int) bool { return sr.labels[i].center.Y < sr.labels[j].center.Y })
	for i := range sr.labels {
		st.decodeLabelBars(&sr.labels[i], i)
	}
	st.decide(sr)
	if sr.out.State != page.Empty {
		for i := range sr.labels {
			// Bars only: a region that did not look like bars (text, a
			// slot's border lines) is left as found.
			lr := &sr.labels[i]
			if (lr.readAs() != "" || lr.ocrOutcome > ocrNotBars) && cutBy(lr, area) {
				lr.uncut, _ = st.wholeBars(lr)
			}
		}
		// The label is placed from the symbol that places it best (see
		// anchor and labelOutline).
		// That outline is the one overlaps and value attribution use;
		// crossing is the slot's own label's (see home): a neighbour's
		// label moved onto the slot can place the first.
		lr := sr.anchor(nil)
		if lr != nil {
			if o, ok := st.labelOutline(sr, lr); ok {
				sr.shape = o
			}
		}
		if own := sr.anchor(st.home(sr)); own != nil {
			o := sr.shape
			if own != lr {
				o, _ = st.labelOutline(sr, own)
			}
			if o != nil && o.crosses(s.Rect) {
				addFlag(&sr.out, page.FlagCrossing)
			} else if o != nil {
				sr.hides, sr.hideGap = o.hides, o.hideGap
			}
			// The slot shows its own label and another (a neighbour's
			// moved onto it): where their outlines meet, they overlap.
			if o != nil && sr.shape != nil && o != sr.shape && !slices.Contains(sr.group(own), lr) &&
				o.overlaps(sr.shape, overlapDepth) {
				sr.stacked = true
			}
		}
	}
	return sr, nil
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

// twoOfAKind reports whether the slot shows two symbols of one kind (read
// from their bars or by OCR alone) on different lines: two labels.
func (sr *slotRead) twoOfAKind() bool {
	const apart = 3.0 // mm: pieces of one symbol lie on one line
	for i := range sr.labels {
		for j := i + 1; j < len(sr.labels); j++ {
			a, b := &sr.labels[i], &sr.labels[j]
			if a.readAs() != "" && a.readAs() == b.readAs() && a.center.Sub(b.center).Len() > apart {
				return true
			}
		}
	}
	return false
}

// owns reports whether both codes of the slot come from one label (its
// Code 32 and ITF, read from their bars or by OCR alone, where one label
// puts them) whose outline and print are centred within d mm of the
// slot's centre on both axes. When not, why says what is missing (for why.go).
func (sr *slotRead) owns(r layout.Rect, d float64) (ok bool, why string) {
	c32, itf := sr.first("code32"), sr.first("itf")
	switch {
	case sr.twoOfAKind() || sr.split:
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

// mergeSplitBars joins bar regions that are pieces of one symbol: a
// blurred photo can break one barcode's block at a wide space. Two regions
// on one line (centres within 1.5 mm across it), of one height, at most 4
// mm apart, no wider together than the widest symbol, and each a piece
// (isPiece: not a symbol of its own, some labels print the Code 32 beside
// the ITF) become the region spanning both.
func mergeSplitBars(ls []labelRead, isPiece func(*labelRead) bool) []labelRead {
	for merged := true; merged; {
		merged = false
		for i := 0; i < len(ls) && !merged; i++ {
			for j := i + 1; j < len(ls) && !merged; j++ {
				a, b := ls[i], ls[j]
				rad := a.angle * math.Pi / 180
				ux, uy := math.Cos(rad), math.Sin(rad)
				d := b.center.Sub(a.center)
				along, across := d.X*ux+d.Y*uy, -d.X*uy+d.Y*ux
				gap := math.Abs(along) - a.w/2 - b.w/2
				lo := math.Min(-a.w/2, along-b.w/2)
				hi := math.Max(a.w/2, along+b.w/2)
				// Pieces of one symbol: same line, same height, and
				// together no wider than a Code 32 (a 2D symbol beside an
				// ITF is not a piece of it).
				if math.Abs(across) > 1.5 || gap > 4 || math.Abs(a.angle-b.angle) > 3 ||
					math.Abs(a.h-b.h) > 1.5 || hi-lo > maxSymbolW ||
					!isPiece(&a) || !isPiece(&b) {
					continue
				}
				mid := (lo + hi) / 2
				m := labelRead{
					center: geom.Point{X: a.center.X + ux*mid, Y: a.center.Y + uy*mid},
					angle:  a.angle, w: hi - lo, h: math.Max(a.h, b.h),
				}
				ls[i] = m
				ls = append(ls[:j], ls[j+1:]...)
				merged = true
			}
		}
	}
	return ls
}

// splitAtQuietZones splits a bar region holding two symbols side by side
// (labels that print the Code 32 beside the ITF, one quiet zone between
// them: 10 narrow bars, 1.9 mm at the thinnest) into one region each: a
// stretch of paper across the region's middle rows wider than minQuiet is
// no space of a symbol (the widest, 3 x 0.35 mm, blurs to about 1.2 mm).
// The bar detector's closing can join the two.
func (st *pageState) splitAtQuietZones(ls []labelRead) []labelRead {
	const minQuiet, minPart = 1.6, 8.0
	out := ls[:0:0]
	for _, lr := range ls {
		q := st.barPx()
		fr := layout.Rect{X: -lr.w / 2, Y: -lr.h / 4, W: lr.w, H: lr.h / 2}
		img, err := st.frameCrop(lr.center, lr.angle, false, fr, q)
		if err != nil || lr.w < 2*minPart+minQuiet {
			out = append(out, lr)
			continue
		}
		w, h := img.Rect.Dx(), img.Rect.Dy()
		var hist [256]int
		for _, v := range img.Pix[:h*img.Stride] {
			hist[v]++
		}
		lo, hi, n := 0, 255, 0
		for n = 0; lo < 255 && n < w*h/10; lo++ {
			n += hist[lo]
		}
		for n = 0; hi > 0 && n < w*h/10; hi-- {
			n += hist[hi]
		}
		// Paper is within a fifth of the contrast of the paper level: the
		// thin bars of a blurred symbol stay greyer than that.
		cut := uint8(hi - (hi-lo)/5)
		// The longest run of paper columns, away from the ends.
		best, bestAt, run := 0, 0, 0
		for x := int(minPart * q); x < w-int(minPart*q); x++ {
			dark := false
			for y := 0; y < h && !dark; y++ {
				dark = img.Pix[y*img.Stride+x] < cut
			}
			if dark {
				run = 0
				continue
			}
			if run++; run > best {
				best, bestAt = run, x-run/2
			}
		}
		if hi-lo < 40 || float64(best)/q < minQuiet {
			out = append(out, lr)
			continue
		}
		split := float64(bestAt)/q + fr.X // frame u of the gap's middle
		gap := float64(best) / q
		left, right := split-gap/2-fr.X, fr.Right()-(split+gap/2)
		a, b := lr, lr
		a.w, b.w = left, right
		a.quiet, b.quiet = gap-0.1, gap-0.1
		a.center = framePoint(lr.center, lr.angle, fr.X+left/2, 0)
		b.center = framePoint(lr.center, lr.angle, fr.Right()-right/2, 0)
		out = append(out, a, b)
	}
	return out
}

// pieceAt tells whether the region of lr can be a piece of a symbol:
// it looks like bars (see barLike) and does not read as a whole symbol by
// itself (the quick decoders, with the region's quiet zones): two whole
// symbols printed side by side, sharing one quiet zone, are never joined.
func (st *pageState) pieceAt(lr *labelRead) bool {
	fr := layout.Rect{X: -lr.w / 2, Y: -lr.h/2 - 0.3, W: lr.w, H: lr.h + 0.6}
	img, err := st.frameCrop(lr.center, lr.angle, false, fr, st.barPx())
	if err != nil || !barLike(img) {
		return false
	}
	const quiet = 2.0
	fr = layout.Rect{X: -lr.w/2 - quiet, Y: -lr.h/2 - 0.3, W: lr.w + 2*quiet, H: lr.h + 0.6}
	if img, err = st.frameCrop(lr.center, lr.angle, false, fr, st.barPx()); err != nil {
		return false
	}
	q := st.r.bars.Quick()
	if _, _, err := q.Code32(img); err == nil {
		return false
	}
	_, _, err = q.Targatura(img)
	return err != nil
}

// first returns the first label read as the given kind (from its bars or,
// failing those, by OCR alone), or nil.
func (sr *slotRead) first(kind string) *labelRead {
	for i := range sr.labels {
		if sr.labels[i].readAs() == kind {
			return &sr.labels[i]
		}
	}
	return nil
}

// readAs is the symbol lr was read as: from its bars (kind), or by OCR
// alone (ocrOnly, its way up in reversed); "" when unread.
func (lr *labelRead) readAs() string {
	if lr.kind != "" {
		return lr.kind
	}
	return lr.ocrOnly
}

func addFlag(s *page.Slot, f page.Flag) {
	if !s.HasFlag(f) {
		s.Flags = append(s.Flags, f)
	}
}

// framePoint is the page point (mm) at (u, v) in the frame centred on c
// and turned by angle degrees clockwise: the frame of frameCrop, in which
// u runs along a symbol's bars' reading direction and v across them.
func framePoint(c geom.Point, angle, u, v float64) geom.Point {
	a := angle * math.Pi / 180
	cs, sn := math.Cos(a), math.Sin(a)
	return geom.Point{X: c.X + cs*u - sn*v, Y: c.Y + sn*u + cs*v}
}

// frameCrop warps, from the source, the rectangle fr given in a frame
// centred on c (page mm) and turned by angle degrees clockwise (plus 180
// when flip), at q px per mm: an upright crop of a symbol or text line
// however the label sits.
func (st *pageState) frameCrop(c geom.Point, angle float64, flip bool, fr layout.Rect, q float64) (*image.Gray, error) {
	if flip {
		angle += 180
	}
	a := angle * math.Pi / 180
	cs, sn := math.Cos(a), math.Sin(a)
	frameToMM := geom.Homography{cs, -sn, c.X, sn, cs, c.Y, 0, 0, 1}
	pxToFrame := geom.Homography{1 / q, 0, fr.X, 0, 1 / q, fr.Y, 0, 0, 1}
	w, h := int(math.Ceil(fr.W*q)), int(math.Ceil(fr.H*q))
	return st.img.Warp(st.geo.ToSource.Mul(frameToMM).Mul(pxToFrame), image.Pt(w, h))
}

// decide turns the reads of a slot into its state, values and flags.
func (st *pageState) decide(sr *slotRead) {
	out := &sr.out
	var code32s, itfs []*labelRead
	for i := range sr.labels {
		kind := sr.labels[i].kind
		if kind == "" {
			kind = sr.labels[i].ocrOnly
		}
		switch kind {
		case "code32":
			code32s = append(code32s, &sr.labels[i])
		case "itf":
			itfs = append(itfs, &sr.labels[i])
		}
	}
	hasLabel := len(sr.labels) > 0 || sr.ink >= inkFilled
	switch {
	case !hasLabel && sr.ink < inkEmpty:
		out.State = page.Empty
		return
	case !hasLabel:
		// Some ink, no bars: a pen mark or a label we cannot see; a person
		// decides.
		sr.why = [2]string{whyNoBars, whyNoBars}
		out.State = page.Unreadable
		out.Flags = append(out.Flags, page.FlagAICUnread, page.FlagTargaturaUnread)
		return
	}
	// Upside down: the bars read right to left, or the OCR line read
	// (and confirmed) only in the flipped crop.
	// When a neighbour's label moved onto the slot shows symbols here
	// too, only the symbols of the label whose centre is on the slot
	// (within attributionMM, see home) count, if any.
	home := st.home(sr)
	rev, fwd := 0, 0
	for i, lr := range sr.labels {
		if lr.readAs() == "" || !home[i] {
			continue
		}
		if lr.reversed {
			rev++
		} else {
			fwd++
		}
	}
	if rev > 0 && fwd == 0 {
		out.Flags = append(out.Flags, page.FlagUpsideDown)
	}
	// The Code 32 and the ITF of one label lie one above the other (the
	// ITF's middle 8.7 mm under the Code 32's in the label's frame): two
	// symbols placed otherwise belong to two different labels, and a slot
	// showing them has no single value to give.
	if len(code32s) == 1 && len(itfs) == 1 && !sameLabel(code32s[0], itfs[0]) {
		sr.why = [2]string{whyTwoLabels, whyTwoLabels}
		out.State = page.Unreadable
		out.Flags = append(out.Flags, page.FlagAICDisagree, page.FlagTargaturaDisagree)
		return
	}
	aic, aicConf, aicFlags, aicErr := crossCode(code32s, st.r.ocr != nil, aicOf, page.FlagAICUnread, page.FlagAICDisagree)
	tg, tgConf, tgFlags, tgErr := crossCode(itfs, st.r.ocr != nil, tgOf, page.FlagTargaturaUnread, page.FlagTargaturaDisagree)
	for i, e := range []error{aicErr, tgErr} {
		switch {
		case errors.Is(e, errDisagree):
			sr.why[i] = whyDisagree
		case errors.Is(e, errUnread):
			sr.why[i] = unreadWhy(sr, [][]*labelRead{code32s, itfs}[i])
		}
	}
	for _, f := range append(aicFlags, tgFlags...) {
		addFlag(out, f)
	}
	if aic != "" {
		out.AIC = strp(string(aic))
	}
	if tg != "" {
		out.Targatura = strp(string(tg))
	}
	if out.AIC != nil && out.Targatura != nil {
		out.State = page.Filled
		out.Confidence = round(aicConf*tgConf, 3)
	} else {
		out.State = page.Unreadable
	}
}

// crossCode compares the bar reads and the OCR lines of one code of a
// slot: the AIC of its Code 32 reads (aicOf), or the targatura of its
// ITF reads (tgOf). An unread or disagreeing code gets the flag given.
func crossCode[T ~string](rs []*labelRead, withOCR bool, code func(*labelRead) (bars, ocr T), unread, disagree page.Flag) (T, float64, []page.Flag, error) {
	var bars, ocr []T
	var bc, oc float64
	for _, r := range rs {
		b, o := code(r)
		if b != "" {
			bars = append(bars, b)
			bc = math.Max(bc, r.conf)
		}
		if o != "" {
			ocr = append(ocr, o)
			oc = math.Max(oc, r.ocrConf)
		}
	}
	v, c, f, err := cross(bars, ocr, bc, oc, withOCR)
	return v, c, flagsFor(f, err, unread, disagree), err
}

func aicOf(r *labelRead) (bars, ocr fustella.AIC)      { return r.aic, r.ocrAIC }
func tgOf(r *labelRead) (bars, ocr fustella.Targatura) { return r.tg, r.ocrTG }

var (
	errUnread   = errors.New("unread")
	errDisagree = errors.New("disagree")
)

func flagsFor(f []page.Flag, err error, unread, disagree page.Flag) []page.Flag {
	switch {
	case errors.Is(err, errUnread):
		f = append(f, unread)
	case errors.Is(err, errDisagree):
		f = append(f, disagree)
	}
	return f
}

// cross applies the never-guess rule to the bar reads and OCR reads of one
// value (each already validated by its check digit): all reads must agree;
// two agreeing independent reads give the value with high confidence, one
// read alone gives it only above its confidence floor.
func cross[T ~string](bars, ocr []T, barConf, ocrConf float64, withOCR bool) (T, float64, []page.Flag, error) {
	var zero T
	all := map[T]bool{}
	for _, v := range bars {
		all[v] = true
	}
	for _, v := range ocr {
		all[v] = true
	}
	switch {
	case len(all) == 0:
		return zero, 0, nil, errUnread
	case len(all) > 1:
		return zero, 0, nil, errDisagree
	}
	var v T
	for k := range all {
		v = k
	}
	switch {
	case len(bars) > 0 && len(ocr) > 0:
		return v, 1 - (1-barConf)*(1-ocrConf), nil, nil
	case len(bars) > 0:
		var f []page.Flag
		if withOCR {
			f = []page.Flag{page.FlagBarsOnly}
		}
		if barConf < minBarConfidence {
			return zero, 0, f, errUnread
		}
		return v, barConf, f, nil
	default:
		if ocrConf < minOCRConfidence {
			return zero, 0, []page.Flag{page.FlagOCROnly}, errUnread
		}
		return v, ocrConf, []page.Flag{page.FlagOCROnly}, nil
	}
}
