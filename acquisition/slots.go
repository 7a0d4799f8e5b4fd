package acquisition

import (
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
	// under is set when the slot shows ink beyond the reach of the label
	// its values come from (overAnother): another label lies under it.
	under bool
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
	vision.Recycle(img) // the crop's last use
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
			if o != nil && o.crosses(s.Rect) && !st.lineBefore(o, s.Rect) {
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
