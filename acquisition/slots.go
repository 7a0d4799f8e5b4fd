package acquisition

import (
	"errors"
	"fmt"
	"image"
	"math"
	"sort"
	"strings"

	"github.com/regfus/regfus/fustella"
	"github.com/regfus/regfus/layout"
	"github.com/regfus/regfus/page"
	"github.com/regfus/regfus/tesseract"
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
)

// slotRead is everything read in one slot.
type slotRead struct {
	n      int
	ink    float64
	labels []labelRead // bar pairs found, by position
	shape  *outline    // the label's outline, when its bars were read
	out    page.Slot
	// why says, for the AIC and the targatura, why the value is null (see
	// why.go); "" when it was read or the slot is empty.
	why [2]string
}

// labelRead is one symbol read in a slot: where its bars are (page mm,
// label frame) and what they and the OCR line under them say.
type labelRead struct {
	center   vision.Point // page mm
	angle    float64      // degrees, reading direction
	w, h     float64      // mm
	kind     string       // "code32", "itf" or "" when unread
	reversed bool         // read right to left: the label is upside down
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
	// centred is set when a symbol read by OCR alone was centred on its
	// printed line (see decodeLabelBars): its place across the label is
	// then known.
	centred bool
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
	const overlapDepth, intrusionDepth = 0.1, 4.5
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
	// When labels overlap, the bars read in one slot may be its
	// neighbour's label stuck across it: the values of an overlapping slot
	// are kept only when its label's centre is within attributionMM of the
	// slot's; otherwise a person decides.
	for i, r := range reads {
		if !hasFlag(r.out.Flags, page.FlagOverlap) || r.out.State == page.Empty {
			st.res.Slots = append(st.res.Slots, r.out)
			continue
		}
		ok, why := r.owns(l.Slots[i].Rect, attributionMM)
		if !ok {
			if r.out.AIC != nil {
				r.why[0] = whyOverlapCredit + ":" + why
			}
			if r.out.Targatura != nil {
				r.why[1] = whyOverlapCredit + ":" + why
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
	sr := &slotRead{n: s.N, out: page.Slot{Slot: s.N, Flags: []string{}}}
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
		c := vision.Point{X: area.X + rg.Center.X/px, Y: area.Y + rg.Center.Y/px}
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
			}
		}
	}
	return sr, nil
}

// home tells, for each of the slot's reads, whether it counts for the
// slot's own label: read, and on a label centred within attributionMM of
// the slot's centre. When no read is, all reads count (the slot's own
// label is the one moved away).
func (st *pageState) home(sr *slotRead) []bool {
	s, _ := st.r.layout.Slot(sr.n)
	cx, cy := s.Rect.Center()
	out := make([]bool, len(sr.labels))
	any := false
	for i := range sr.labels {
		lr := &sr.labels[i]
		if lr.readAs() == "" {
			continue
		}
		c := sr.labelCentre(lr)
		out[i] = math.Abs(c.X-cx) <= attributionMM && math.Abs(c.Y-cy) <= attributionMM
		any = any || out[i]
	}
	if !any {
		for i := range out {
			out[i] = sr.labels[i].readAs() != ""
		}
	}
	return out
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

// owns reports whether both codes of the slot come from one label (its
// Code 32 and ITF, read from their bars or by OCR alone, where one label
// puts them) whose outline is centred within d mm of the slot's centre on
// both axes. When not, why says what is missing (for why.go).
func (sr *slotRead) owns(r layout.Rect, d float64) (ok bool, why string) {
	c32, itf := sr.first("code32"), sr.first("itf")
	switch {
	case c32 == nil || itf == nil:
		return false, "one_symbol"
	case !sameLabel(c32, itf):
		return false, "two_labels"
	case sr.shape == nil:
		return false, "no_outline"
	}
	var c vision.Point
	for _, p := range sr.shape.corners {
		c = c.Add(p.Scale(0.25))
	}
	cx, cy := r.Center()
	if math.Abs(c.X-cx) > d || math.Abs(c.Y-cy) > d {
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
					center: vision.Point{X: a.center.X + ux*mid, Y: a.center.Y + uy*mid},
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

func addFlag(s *page.Slot, f string) {
	if !hasFlag(s.Flags, f) {
		s.Flags = append(s.Flags, f)
	}
}

// framePoint is the page point (mm) at (u, v) in the frame centred on c
// and turned by angle degrees clockwise: the frame of frameCrop, in which
// u runs along a symbol's bars' reading direction and v across them.
func framePoint(c vision.Point, angle, u, v float64) vision.Point {
	a := angle * math.Pi / 180
	cs, sn := math.Cos(a), math.Sin(a)
	return vision.Point{X: c.X + cs*u - sn*v, Y: c.Y + sn*u + cs*v}
}

// frameCrop warps, from the source, the rectangle fr given in a frame
// centred on c (page mm) and turned by angle degrees clockwise (plus 180
// when flip), at q px per mm: an upright crop of a symbol or text line
// however the label sits.
func (st *pageState) frameCrop(c vision.Point, angle float64, flip bool, fr layout.Rect, q float64) (*image.Gray, error) {
	if flip {
		angle += 180
	}
	a := angle * math.Pi / 180
	cs, sn := math.Cos(a), math.Sin(a)
	frameToMM := vision.Homography{cs, -sn, c.X, sn, cs, c.Y, 0, 0, 1}
	pxToFrame := vision.Homography{1 / q, 0, fr.X, 0, 1 / q, fr.Y, 0, 0, 1}
	w, h := int(math.Ceil(fr.W*q)), int(math.Ceil(fr.H*q))
	return st.img.Warp(st.geo.ToSource.Mul(frameToMM).Mul(pxToFrame), image.Pt(w, h))
}

// decodeLabelBars reads one bar region as Code 32 or targatura (the
// upper region of a label is usually the Code 32, so that is tried first
// there), then the OCR-A line under the bars.
func (st *pageState) decodeLabelBars(lr *labelRead, pos int) {
	quiet := 3.0
	if lr.quiet > 0 {
		quiet = lr.quiet
	}
	fr := layout.Rect{X: -lr.w/2 - quiet, Y: -lr.h/2 - 0.3, W: lr.w + 2*quiet, H: lr.h + 0.6}
	img, err := st.frameCrop(lr.center, lr.angle, false, fr, st.barPx())
	if err != nil {
		return
	}
	if !barLike(img) {
		lr.note(ocrNotBars)
		return // text, not bars: no OCR either
	}
	if !st.decodeBars(lr, img, pos, true) {
		if !barsOnly(img) {
			lr.note(ocrNotBars)
			return // a 2D symbol (or text and bars): neither decoding nor OCR
		}
		lr.note(ocrNotTried)
		st.decodeBars(lr, img, pos, false)
	}
	if st.r.ocr == nil {
		return
	}
	// The digit line is under or over the bars (labels print it either
	// way), in the label's own frame: flipped when the label is upside
	// down. With the bars unread, the symbol's kind and direction are
	// unknown: both readings are tried, upright first, and a value still
	// needs its check digit and a high confidence.
	if lr.kind != "" {
		// A line the OCR could not read (nothing passing its check) is
		// read once more from a crop of the band at other margins and
		// scale: an OCR value counts only when it equals the bars' or is
		// itself confirmed (see ocrUnder), so a second try cannot make a
		// wrong value, only find the reading that confirms the bars.
		for _, win := range lineWindows(lr) {
			if st.ocrUnder(lr, lr.kind, lr.reversed, win, lineMargin) ||
				lr.ocrOutcome != ocrUnconfirmed && st.ocrUnder(lr, lr.kind, lr.reversed, win, confirmMargin) {
				return
			}
		}
		// The label model read nothing of the line that passes its check
		// (digits in a font it was not trained on): the field reader's
		// digits, read twice, equal to the bars' value are the second
		// read. It can only confirm the bars, never make a value.
		if lr.ocrOutcome == ocrUnconfirmed {
			return
		}
		want := string(lr.aic)
		if lr.kind == "itf" {
			want = string(lr.tg)
		}
		for _, win := range lineWindows(lr) {
			if conf, ok := st.fieldsRead(lr, lr.reversed, win, want); ok {
				if lr.kind == "itf" {
					lr.ocrTG = lr.tg
				} else {
					lr.ocrAIC = lr.aic
				}
				lr.ocrConf, lr.text.found = conf, true
				return
			}
		}
		return
	}
	first, second := "code32", "itf"
	if pos%2 == 1 {
		first, second = second, first
	}
	for _, win := range lineWindows(lr) {
		for _, flip := range []bool{false, true} {
			for _, kind := range []string{first, second} {
				if st.ocrUnder(lr, kind, flip, win, lineMargin) {
					span := lr.text
					if st.ocrConfirm(lr, kind, flip, win) {
						lr.ocrOnly, lr.reversed = kind, flip
						// A Code 32 region that did not decode can be a
						// piece of the symbol; its digit line is printed
						// centred on the whole symbol, so when the line
						// lies wholly in the window its middle is the
						// symbol's (the frame of a flipped crop runs the
						// other way).
						if kind == "code32" && span.whole {
							u := span.mid
							if flip {
								u = -u
							}
							lr.center = framePoint(lr.center, lr.angle, u, 0)
							lr.centred = true
						}
						lr.text = span
						lr.text.found = true
						return
					}
					lr.note(ocrUnconfirmed)
				}
			}
		}
	}
	lr.ocrAIC, lr.ocrTG, lr.ocrConf = "", "", 0
	lr.text.found = false
}

// ocrConfirm reads the line of a value read by OCR alone a second time,
// from a crop of the same ink band with wider margins (confirmMargin: its
// scale, sampling and margins all change), and keeps the value only if the
// two reads agree: a check digit alone lets two wrong digits through one
// time in ten. (It used to read from a window 0.4 mm lower, which on a
// label whose bars sit a little low started inside the glyphs and cut their
// tops off: office and bitonal targature left unconfirmed.)
func (st *pageState) ocrConfirm(lr *labelRead, kind string, flip bool, win layout.Rect) bool {
	alt := *lr
	alt.ocrAIC, alt.ocrTG = "", ""
	if !st.ocrUnder(&alt, kind, flip, win, confirmMargin) {
		return false
	}
	ok := alt.ocrAIC == lr.ocrAIC && alt.ocrTG == lr.ocrTG
	lr.ocrConf = math.Min(lr.ocrConf, alt.ocrConf)
	return ok && st.otherModelAgrees(lr, kind, flip, win)
}

// otherModelAgrees reads the line of a value read by OCR alone with a
// second, independent model (the field reader's: Tesseract's stock
// English network, digits only) and reports whether it does not
// contradict it: a reading of the other model that is itself a valid
// value (its check digit right) and differs from it vetoes it. Two
// readings by one model agree on its own systematic misreads: on a font it
// was not trained on, the label model read a DejaVu Sans "A016543858" as
// 038583858 twice at 0.98, passing the check digit (tall-side design,
// phone, seed 77); the stock model reads such faces, and read it right.
// Where it reads nothing valid (OCR-A, which it cannot read), the label
// model's own confirmations stand (package tesseract reads such a value
// three times). Without a second model (a reader built with WithOCR
// alone) an OCR-alone value is not reported.
func (st *pageState) otherModelAgrees(lr *labelRead, kind string, flip bool, win layout.Rect) bool {
	if st.r.fields == nil {
		return false
	}
	want := string(lr.ocrAIC)
	if kind == "itf" {
		want = string(lr.ocrTG)
	}
	for _, margin := range []float64{lineMargin, confirmMargin} {
		limg, _ := st.ocrLine(lr.center, lr.angle, flip, win, codeLineChars, margin, nil)
		if limg == nil {
			continue
		}
		l, err := st.r.fields.ReadField(limg)
		if err != nil {
			continue
		}
		digits := strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, l.Text)
		n := len(want)
		if len(digits) < n || len(digits) > n+1 {
			continue // not a reading of the code: no opinion
		}
		other := digits[len(digits)-n:]
		valid := false
		if kind == "itf" {
			_, err = tesseract.CheckTargatura(other)
		} else {
			_, err = tesseract.CheckAIC(other)
		}
		valid = err == nil
		if valid && other != want {
			return false
		}
	}
	return true
}

// fieldsRead reads the digit line in win (lr's frame) with the field
// reader, from crops at two margins, and reports whether both readings'
// digits are want (after at most one more character in front: an "A"
// read as a digit), with the lower mean confidence of the two.
func (st *pageState) fieldsRead(lr *labelRead, flip bool, win layout.Rect, want string) (float64, bool) {
	if st.r.fields == nil || want == "" {
		return 0, false
	}
	conf := 1.0
	for _, margin := range []float64{lineMargin, confirmMargin} {
		limg, _ := st.ocrLine(lr.center, lr.angle, flip, win, codeLineChars, margin, nil)
		if limg == nil {
			return 0, false
		}
		l, err := st.r.fields.ReadField(limg)
		if err != nil {
			return 0, false
		}
		digits := strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, l.Text)
		if !strings.HasSuffix(digits, want) || len(digits) > len(want)+1 {
			return 0, false
		}
		conf = math.Min(conf, l.Confidence)
	}
	return conf, true
}

// decodeBars reads img as Code 32 or targatura, the likelier first; quick
// limits both to the first passes of the crop plan (barcode.Decoder.Quick).
//
// Which of the two symbols a region holds is a guess (its place on the
// label), so decodeLabelBars asks both quickly first: a wrong guess then
// costs a millisecond instead of the whole failing plan (12 to 15 ms).
// Only a region neither quick read knows, and that barsOnly calls bars,
// gets the whole plan of both.
func (st *pageState) decodeBars(lr *labelRead, img *image.Gray, pos int, quick bool) bool {
	code32, targatura := st.r.bars.Code32, st.r.bars.Targatura
	if quick {
		q := st.r.bars.Quick()
		code32, targatura = q.Code32, q.Targatura
	}
	tryAIC := func() bool {
		a, r, err := code32(img)
		if err != nil {
			return false
		}
		lr.kind, lr.aic, lr.conf, lr.reversed = "code32", a, r.Confidence(), r.Attempt.Reversed
		return true
	}
	tryTG := func() bool {
		t, r, err := targatura(img)
		if err != nil {
			return false
		}
		lr.kind, lr.tg, lr.conf, lr.reversed = "itf", t, r.Confidence(), r.Attempt.Reversed
		return true
	}
	if pos%2 == 0 {
		return tryAIC() || tryTG()
	}
	return tryTG() || tryAIC()
}

// Characters of the printed lines: "A" + 9 digits for the AIC, 10 digits
// for the targatura, 17 digits for the sheet code.
const (
	codeLineChars  = 10
	sheetCodeChars = 17
)

// lineWindows are where, in the frame of lr's label, the digit line of
// its symbol is looked for: under the bars, then over them. The window
// reaches lineReach past the bars: the digits of every font and size
// labels print (up to about 3 mm high) with their gap to the bars.
func lineWindows(lr *labelRead) [2]layout.Rect {
	return [2]layout.Rect{
		{X: -lr.w/2 - 0.5, Y: lr.h/2 + 0.1, W: lr.w + 1, H: lineReach},
		{X: -lr.w/2 - 0.5, Y: -lr.h/2 - 0.1 - lineReach, W: lr.w + 1, H: lineReach},
	}
}

// lineReach is how far (mm) past a symbol's bars its digit line is looked
// for.
const lineReach = 3.8

// ocrUnder reads the line in win under lr's bars as kind; it reports
// whether a valid value was read.
func (st *pageState) ocrUnder(lr *labelRead, kind string, flip bool, win layout.Rect, margin float64) bool {
	limg, o := st.ocrLine(lr.center, lr.angle, flip, win, codeLineChars, margin, &lr.text)
	if limg == nil {
		lr.note(o)
		return false
	}
	// With the bars read, one OCR reading equal to their value is the
	// second independent read; the OCR's own confirming reading is needed
	// only for a reading that differs (see tesseract.ReadAICAgainst).
	bars := lr.kind == kind
	switch kind {
	case "code32":
		read := st.r.ocr.ReadAIC
		if bars {
			read = func(img image.Image) (fustella.AIC, float64, error) { return st.r.ocr.ReadAICAgainst(img, lr.aic) }
		}
		a, c, err := read(limg)
		if err == nil {
			lr.ocrAIC, lr.ocrConf, lr.text.found = a, c, true
			return true
		}
		lr.note(rejection(err))
	case "itf":
		read := st.r.ocr.ReadTargatura
		if bars {
			read = func(img image.Image) (fustella.Targatura, float64, error) {
				return st.r.ocr.ReadTargaturaAgainst(img, lr.tg)
			}
		}
		t, c, err := read(limg)
		if err == nil {
			lr.ocrTG, lr.ocrConf, lr.text.found = t, c, true
			return true
		}
		lr.note(rejection(err))
	}
	return false
}

// rejection is the outcome of a Read* error: a reading that failed its
// check, or one that passed and was not confirmed.
func rejection(err error) ocrOutcome {
	if errors.Is(err, tesseract.ErrUnconfirmed) {
		return ocrUnconfirmed
	}
	return ocrRejected
}

// barLike tells bars from text before the (costly) decoding attempts:
// across bars, a row of pixels a third of the way down looks like a row two
// thirds down; across a line of text it does not. The score is the mean
// absolute difference of the two row profiles (each averaged over a few
// rows) over their contrast.
func barLike(g *image.Gray) bool {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	if w < 8 || h < 6 {
		return false
	}
	profile := func(y0 int) []float64 {
		p := make([]float64, w)
		n := max(1, h/10)
		for y := y0; y < y0+n && y < h; y++ {
			row := g.Pix[g.PixOffset(g.Rect.Min.X, g.Rect.Min.Y+y):]
			for x := 0; x < w; x++ {
				p[x] += float64(row[x]) / float64(n)
			}
		}
		return p
	}
	a, b := profile(h/3), profile(2*h/3)
	lo, hi, diff := 255.0, 0.0, 0.0
	for x := 0; x < w; x++ {
		lo, hi = math.Min(lo, math.Min(a[x], b[x])), math.Max(hi, math.Max(a[x], b[x]))
		diff += math.Abs(a[x] - b[x])
	}
	if hi-lo < 40 {
		return false
	}
	return diff/float64(w)/(hi-lo) < 0.2
}

// barsOnly tells a region of 1D bars from a 2D symbol (the labels' Data
// Matrix, which FindBarRegions also finds: dense vertical edges) and from
// bars mixed with anything else, once the quick decoding has failed and
// before the whole plan and the OCR under the region (about 22 ms of
// decoding and up to four OCR lines, for nothing, on every 2D symbol).
// Inside a deskewed crop of bars the grey level changes across the bars
// only: over the middle three fifths of the rows (away from the bars' ends)
// the vertical differences are noise and residual tilt, a few hundredths
// of the horizontal ones; in a 2D symbol they are as large as the
// horizontal ones. Measured on the regions of 40 office pages that both
// quick reads missed: bars 0.02 to 0.05, 2D symbols 0.49 to 1.18; a 5
// degree tilt adds about 0.09.
func barsOnly(g *image.Gray) bool {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	var sx, sy int
	for y := h / 5; y < h-h/5-2; y++ {
		row := g.Pix[g.PixOffset(g.Rect.Min.X, g.Rect.Min.Y+y):]
		below := row[2*g.Stride:]
		for x := 0; x < w-2; x++ {
			v := int(row[x])
			sx += absInt(v - int(row[x+2]))
			sy += absInt(v - int(below[x]))
		}
	}
	return sx > 0 && float64(sy) < maxCrossRatio*float64(sx)
}

// maxCrossRatio is the largest ratio of vertical to horizontal grey-level
// change that barsOnly accepts as bars.
const maxCrossRatio = 0.25

func absInt(v int) int {
	if v < 0 {
		return -v
	}
	return v
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
	aic, aicConf, aicFlags, aicErr := crossAIC(code32s, st.r.ocr != nil)
	tg, tgConf, tgFlags, tgErr := crossTG(itfs, st.r.ocr != nil)
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

// crossAIC compares the Code 32 reads and their OCR lines of one slot.
func crossAIC(rs []*labelRead, withOCR bool) (fustella.AIC, float64, []string, error) {
	var bars, ocr []fustella.AIC
	var bc, oc float64
	for _, r := range rs {
		if r.aic != "" {
			bars = append(bars, r.aic)
			bc = math.Max(bc, r.conf)
		}
		if r.ocrAIC != "" {
			ocr = append(ocr, r.ocrAIC)
			oc = math.Max(oc, r.ocrConf)
		}
	}
	v, c, f, err := cross(bars, ocr, bc, oc, withOCR)
	return fustella.AIC(v), c, flagsFor(f, err, page.FlagAICUnread, page.FlagAICDisagree), err
}

// crossTG is crossAIC for the targatura.
func crossTG(rs []*labelRead, withOCR bool) (fustella.Targatura, float64, []string, error) {
	var bars, ocr []fustella.Targatura
	var bc, oc float64
	for _, r := range rs {
		if r.tg != "" {
			bars = append(bars, r.tg)
			bc = math.Max(bc, r.conf)
		}
		if r.ocrTG != "" {
			ocr = append(ocr, r.ocrTG)
			oc = math.Max(oc, r.ocrConf)
		}
	}
	v, c, f, err := cross(bars, ocr, bc, oc, withOCR)
	return fustella.Targatura(v), c, flagsFor(f, err, page.FlagTargaturaUnread, page.FlagTargaturaDisagree), err
}

var (
	errUnread   = errors.New("unread")
	errDisagree = errors.New("disagree")
)

func flagsFor(f []string, err error, unread, disagree string) []string {
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
func cross[T ~string](bars, ocr []T, barConf, ocrConf float64, withOCR bool) (T, float64, []string, error) {
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
		var f []string
		if withOCR {
			f = []string{page.FlagBarsOnly}
		}
		if barConf < minBarConfidence {
			return zero, 0, f, errUnread
		}
		return v, barConf, f, nil
	default:
		if ocrConf < minOCRConfidence {
			return zero, 0, []string{page.FlagOCROnly}, errUnread
		}
		return v, ocrConf, []string{page.FlagOCROnly}, nil
	}
}
