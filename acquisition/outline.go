package acquisition

import (
	"image"
	"math"

	"github.com/regfus/regfus/layout"
	"github.com/regfus/regfus/vision"
)

// Nominal fustella geometry, in the label's own frame (mm; u along the
// bars' reading direction, v downwards): a label is 39-41.5 x 24.5-26 mm,
// its Code 32 bars centred across it with their middle 8.7 mm below its top
// edge, the ITF bars' middle 17.4 mm below it. That places the label
// around bars that were read to within about a millimetre; its edges, where
// the image shows them (a sticker's cut edge and shadow make a thin dark
// line, a tinted sticker a step in gray level), then fix it exactly.
const (
	labelW        = 40.25
	labelH        = 25.25
	code32FromTop = 8.7
	itfFromTop    = 17.4
	edgeSearch    = 1.6 // mm either side of the expected edge
	outlinePx     = 8.0 // px/mm of the outline search crop
	// seenSlop and inferredSlop are how far (mm) a label's side may seem
	// to pass its slot's border before the label is taken to cross it: over
	// the error of a side seen in the image (a few tenths) or placed from
	// the nominal size (up to 1.25 mm), under the 1.7 mm or more by which a
	// crossing label passes it.
	seenSlop     = 0.6
	inferredSlop = 1.3
)

// outline is a label's quadrilateral in page mm (corners clockwise from
// the label's top-left) and how many of its edges were seen in the image.
type outline struct {
	corners [4]vision.Point
	seen    int
	// sides says which sides (top, right, bottom, left) were seen.
	sides [4]bool
	// across is false when the label's place across its width is not
	// known (see labelOutline): the outline then spans only its bars.
	across bool
}

// Bars cut by the slot crop. readSlot looks for bar regions in a crop
// reaching slotMargin past its slot, so the bars of a label reaching
// further (a label moved onto its neighbour) stop at the crop's edge: the
// region found is a piece of the symbol, off its middle, and the piece
// seen from the neighbour's crop is another. Neither decodes as a whole
// symbol, and an outline placed from the piece spans only it: such a
// label was neither seen crossing nor overlapping (phone and sideways
// pages of the committed corpus, clean and batch-tiff pages of fresh
// seeds, all labels moved 9-15 mm onto their neighbour). A region ending
// at the crop's edge is looked for again in a crop along its bars reaching
// as far as a whole symbol could (wholeBars): where the bar detector then
// ends it is where the bars end.
const (
	// cutEdge is how near (mm) the crop's edge a region must end to be
	// taken as cut by it.
	cutEdge = 0.6
	// maxSymbolW and minCode32W bound a whole Code 32's width (mm): the
	// symbol fills the label's width less its quiet zones, 28.8-35.3 mm
	// on the corpora.
	maxSymbolW = 36.5
	minCode32W = 28.0
	// maxBarsH is the tallest region (mm) taken as a label's bars (5.6
	// mm for a Code 32, 5 for an ITF, blurred).
	maxBarsH = 7.0
)

// barSpan is a bar region found whole (wholeBars), page mm.
type barSpan struct {
	center      vision.Point
	angle, w, h float64
}

// cutBy reports whether lr's bars end within cutEdge of the edge of the
// crop area they were found in.
func cutBy(lr *labelRead, area layout.Rect) bool {
	a := lr.angle * math.Pi / 180
	d := vision.Point{X: math.Cos(a) * lr.w / 2, Y: math.Sin(a) * lr.w / 2}
	in := area.Inset(cutEdge)
	for _, p := range []vision.Point{lr.center.Add(d), lr.center.Sub(d)} {
		if p.X < in.X || p.X > in.Right() || p.Y < in.Y || p.Y > in.Bottom() {
			return true
		}
	}
	return false
}

// wholeBars finds lr's bars again in a crop along them reaching as far
// past both ends as a whole symbol could: the region there covering lr's
// middle, on its line, is the whole symbol, unless it still reaches the
// crop's ends or is wider than any symbol (bars of something else joined
// to it), when ok is false.
func (st *pageState) wholeBars(lr *labelRead) (*barSpan, bool) {
	reach := maxSymbolW - lr.w + 1.5
	if reach <= 1.5 {
		return nil, false
	}
	px := st.barPx()
	fr := layout.Rect{X: -lr.w/2 - reach, Y: -6, W: lr.w + 2*reach, H: 12}
	img, err := st.frameCrop(lr.center, lr.angle, false, fr, px)
	if err != nil {
		return nil, false
	}
	regions, err := vision.FindBarRegions(img, px, 10, 2.5, 10)
	if err != nil {
		return nil, false
	}
	for _, rg := range regions {
		u, v, w := rg.Center.X/px+fr.X, rg.Center.Y/px+fr.Y, rg.W/px
		if math.Abs(v) > 1.5 || math.Abs(rg.Angle) > 4 || u-w/2 > 0 || u+w/2 < 0 {
			continue
		}
		if w < lr.w-1 || w > maxSymbolW || rg.H/px > maxBarsH || u-w/2 < fr.X+0.5 || u+w/2 > fr.Right()-0.5 {
			return nil, false
		}
		return &barSpan{center: framePoint(lr.center, lr.angle, u, v), angle: lr.angle + rg.Angle, w: w, h: rg.H / px}, true
	}
	return nil, false
}

// barsOutline is the quadrilateral of the bars b, every side seen: bars
// lie inside their label, so where they reach the label reaches.
func barsOutline(b *barSpan) *outline {
	at := func(u, v float64) vision.Point { return framePoint(b.center, b.angle, u, v) }
	return &outline{
		corners: [4]vision.Point{at(-b.w/2, -b.h/2), at(b.w/2, -b.h/2), at(b.w/2, b.h/2), at(-b.w/2, b.h/2)},
		seen:    4, sides: [4]bool{true, true, true, true}, across: true,
	}
}

// labelOutline finds the label whose bars were read in lr (from the bars,
// or by the OCR line under them).
func (st *pageState) labelOutline(lr *labelRead) (*outline, bool) {
	kind := lr.readAs()
	if kind == "" {
		return nil, false
	}
	// The label frame: turned by the bars' angle, plus 180 degrees when the
	// label is upside down (bars read right to left), centred on the bars.
	ang := lr.angle
	if lr.reversed {
		ang += 180
	}
	top0 := -code32FromTop
	if kind == "itf" {
		top0 = -itfFromTop
	}
	// A symbol read by OCR alone whose bars the slot crop cut (see
	// wholeBars) is placed from its whole bars; a Code 32 of a whole
	// symbol's width then places the label across, as a decoded one.
	center, bw, cutAcross := lr.center, lr.w, false
	if b := lr.uncut; b != nil && lr.kind == "" && !lr.centred {
		center, bw = b.center, b.w
		cutAcross = kind == "code32" && bw >= minCode32W
	}
	const m = edgeSearch + 1.5
	fr := layout.Rect{X: -labelW/2 - m, Y: top0 - m, W: labelW + 2*m, H: labelH + 2*m}
	img, err := st.frameCrop(center, ang, false, fr, outlinePx)
	if err != nil {
		return nil, false
	}
	px := func(mm float64) int { return int(math.Round(mm * outlinePx)) }
	// Rows across the middle of the label's width give its top and bottom;
	// columns along most of its height its left and right. Each line's 70th
	// percentile (its paper, unless ink covers most of it) ignores text and
	// bars crossing it.
	rows := lineLevels(img, true, px(m+labelW/2-14), px(m+labelW/2+14))
	cols := lineLevels(img, false, px(m+1.5), px(m+labelH-1.5))
	find := func(p []float64, at float64) (float64, bool) {
		i, ok := findEdge(p, px(at-edgeSearch), px(at+edgeSearch))
		return float64(i)/outlinePx + 0.5/outlinePx, ok
	}
	// The top edge is not searched: the Code 32's place fixes it to a few
	// tenths of a mm, while the sticker's shadow and the product name just
	// under it make the search there less sure than the model.
	top, okT := m, true
	bot, okB := find(rows, m+labelH)
	left, okL := find(cols, m)
	right, okR := find(cols, m+labelW)
	fix := func(lo, hi float64, okLo, okHi bool, size, nomLo float64) (float64, float64, int) {
		if okLo && okHi && math.Abs(hi-lo-size) > 2 {
			okLo, okHi = false, false
		}
		switch {
		case okLo && okHi:
			return lo, hi, 2
		case okLo:
			return lo, lo + size, 1
		case okHi:
			return hi - size, hi, 1
		}
		return nomLo, nomLo + size, 0
	}
	top, bot, nv := fix(top, bot, okT, okB, labelH, m)
	left, right, nu := fix(left, right, okL, okR, labelW, m)
	// Across the label, only a Code 32 places it: it is centred on every
	// label. An ITF sits left or in the middle depending on the label's
	// style (with a 2D symbol beside it, up to 6 mm left of the middle),
	// and its side edges, searched around the wrong middle, lock onto a
	// neighbour's border or a 2D symbol at the right distance from each
	// other; a region of Code 32 bars that did not decode (read by OCR
	// alone) can be a piece of the symbol, blur having split it, unless it
	// was centred on its printed line (lr.centred). Phone pages had such
	// labels placed 5-7 mm off, flagged crossing and overlapping. Any other
	// label's outline spans only its bars across (surely on the label), and
	// its left and right count neither for crossing nor as seen.
	across := kind == "code32" && (lr.kind != "" || lr.centred || cutAcross)
	if !across {
		left, right, nu = m+labelW/2-bw/2, m+labelW/2+bw/2, 0
	}
	o := &outline{seen: nv - 1 + nu, across: across}
	o.sides = [4]bool{true, nu == 2 || okR && nu == 1, nv == 2, nu == 2 || okL && nu == 1}
	toPage := func(x, y float64) vision.Point { return framePoint(center, ang, x+fr.X, y+fr.Y) }
	o.corners = [4]vision.Point{toPage(left, top), toPage(right, top), toPage(right, bot), toPage(left, bot)}
	return o, true
}

// lineLevels returns, for each row (rowsOf) or column of g, the 70th
// percentile of its gray levels over the span [from, to) of the other axis
// (by a histogram: gray levels are bytes).
func lineLevels(g *image.Gray, rowsOf bool, from, to int) []float64 {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	n, span := h, w
	if !rowsOf {
		n, span = w, h
	}
	from, to = max(0, from), min(span, to)
	out := make([]float64, n)
	if to <= from {
		return out
	}
	rank := (to - from) * 7 / 10
	for i := 0; i < n; i++ {
		var hist [256]int
		for j := from; j < to; j++ {
			if rowsOf {
				hist[g.Pix[i*g.Stride+j]]++
			} else {
				hist[g.Pix[j*g.Stride+i]]++
			}
		}
		c := 0
		for v := 0; v < 256; v++ {
			c += hist[v]
			if c > rank {
				out[i] = float64(v)
				break
			}
		}
	}
	return out
}

// findEdge returns the index in [lo, hi) where profile p shows a label
// edge most strongly: a thin dark line (the cut edge, its shadow) or a
// step between the sheet's and the label's paper. ok is false when
// nothing stands out (a white sticker on a bitonal scan, say).
func findEdge(p []float64, lo, hi int) (int, bool) {
	lo, hi = max(lo, 2), min(hi, len(p)-2)
	const k = 3 // 0.4 mm at outlinePx
	best, bi := 0.0, -1
	for i := lo; i < hi; i++ {
		l, r := p[max(0, i-k)], p[min(len(p)-1, i+k)]
		dip := math.Min(l, r) - p[i]
		if p[i] > p[i-1] || p[i] > p[i+1] {
			continue // not a local minimum
		}
		if s := dip; s > best {
			best, bi = s, i
		}
	}
	return bi, best >= 6
}

// crosses reports whether a side of o passes the border of r by more than
// its slop (seenSlop or inferredSlop); left and right count only when
// they are known.
func (o *outline) crosses(r layout.Rect) bool {
	for k := 0; k < 4; k++ {
		a, b := o.corners[k], o.corners[(k+1)%4]
		e := b.Sub(a)
		// The side's outward normal (corners run clockwise, y down), and the
		// page border it faces.
		n := vision.Point{X: e.Y, Y: -e.X}
		slop := inferredSlop
		if o.sides[k] {
			slop = seenSlop
		}
		var over float64
		switch {
		case math.Abs(n.X) > math.Abs(n.Y) && n.X > 0:
			over = math.Max(a.X, b.X) - r.Right()
		case math.Abs(n.X) > math.Abs(n.Y):
			over = r.X - math.Min(a.X, b.X)
		case n.Y > 0:
			over = math.Max(a.Y, b.Y) - r.Bottom()
		default:
			over = r.Y - math.Min(a.Y, b.Y)
		}
		horizontal := math.Abs(n.X) > math.Abs(n.Y)
		if over > slop && (o.across || !horizontal) {
			return true
		}
	}
	return false
}

// overlaps reports whether o and q overlap by more than depth mm, by the
// separating axis test on the edges of both quadrilaterals.
func (o *outline) overlaps(q *outline, depth float64) bool {
	for _, poly := range [2]*[4]vision.Point{&o.corners, &q.corners} {
		for i := 0; i < 4; i++ {
			e := poly[(i+1)%4].Sub(poly[i])
			n := vision.Point{X: -e.Y, Y: e.X}
			l := n.Len()
			if l == 0 {
				continue
			}
			n = n.Scale(1 / l)
			alo, ahi := project(&o.corners, n)
			blo, bhi := project(&q.corners, n)
			if math.Min(ahi, bhi)-math.Max(alo, blo) < depth {
				return false
			}
		}
	}
	return true
}

func project(c *[4]vision.Point, n vision.Point) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, p := range c {
		d := p.X*n.X + p.Y*n.Y
		lo, hi = math.Min(lo, d), math.Max(hi, d)
	}
	return lo, hi
}

// intrudes returns how deep (mm) o reaches into r: the smaller side of the
// overlap of o's bounding box with r, 0 when they do not meet.
func (o *outline) intrudes(r layout.Rect) float64 {
	x0, y0, x1, y1 := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, p := range o.corners {
		x0, y0 = math.Min(x0, p.X), math.Min(y0, p.Y)
		x1, y1 = math.Max(x1, p.X), math.Max(y1, p.Y)
	}
	w := math.Min(x1, r.Right()) - math.Max(x0, r.X)
	h := math.Min(y1, r.Bottom()) - math.Max(y0, r.Y)
	if w <= 0 || h <= 0 {
		return 0
	}
	return math.Min(w, h)
}
