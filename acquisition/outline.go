package acquisition

import (
	"math"

	"github.com/regfus/regfus/geom"
	"github.com/regfus/regfus/layout"
	"github.com/regfus/regfus/vision"
)

// The label's outline (see label.go for the model): its print bounds it
// from inside, its paper edges (a sticker's cut edge and shadow make a thin
// dark line, a tinted sticker a step in gray level) fix its sides where
// the image shows them.
const (
	outlinePx = 8.0 // px/mm of the outline search crop
	// edgeGap is how far (mm) outside the print the search for an edge
	// starts: a bar's blurred end or a glyph's is not the label's edge.
	edgeGap = 0.25
	// seenSlop is how far (mm) a label's side may seem to pass its slot's
	// border before the label is taken to cross it: over the error of a
	// side seen in the image or put just outside the print (a few
	// tenths), under the 1.7 mm or more by which a crossing label passes
	// it.
	seenSlop = 0.6
)

// outline is a label's quadrilateral in page mm (corners clockwise from
// the label's top-left).
type outline struct {
	corners [4]geom.Point
	// across is set when a side edge of the label (left or right, along
	// its symbols) was seen: its extent along them is then known, not
	// only its print's.
	across bool
	// covers is set when the label hides a stretch of its slot's border
	// that shows beside it (see borderLimit): it crosses the border.
	covers bool
	// hides is the number of the neighbouring slot whose border, with
	// the slot's own, is gone in front of the print on a side where no
	// edge of the label showed (see borderLimit), 0 when none: the label
	// crosses into that slot, unless that slot's label is the one lying
	// over both borders (see slotRead.hides). hideGap is how far (mm)
	// that slot's border lies from the print.
	hides   int
	hideGap float64
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
	// maxSymbolW bounds a whole symbol's width (mm): a Code 32 at the
	// widest bars (0.35 mm narrow, 3:1) is 44.6 mm.
	maxSymbolW = 46.0
	// maxBarsH is the tallest region (mm) taken as a label's bars (bars
	// are 4-15 mm high, blurred).
	maxBarsH = 16.0
)

// besideBorder is how far (mm) inside its slot's border a label's edge
// can keep the border from showing in front of the print: the line's
// strip (lineStripHalf) and the paper 0.4 mm beyond it that a line is
// measured against.
const besideBorder = lineStripHalf + 0.4

// lostBeside reports whether a side's edge seen at edge (on the side's
// axis, out its outward sense) lies on its slot's border at border
// (within seenSlop past it) or within besideBorder inside it: where the
// border, not showing in front of the print, is lost beside the label's
// edge rather than covered by the label.
func lostBeside(edge, border, out float64) bool {
	d := out * (edge - border)
	return d <= seenSlop && d >= -besideBorder
}

// quietZone is the least paper (mm) a label shows beyond either end of
// its bars: a Code 39 or ITF symbol needs a quiet zone of 10 narrow bars
// (1.9 mm at the thinnest bars a fustella prints, 0.19 mm), printed on
// the label with the symbol, less 0.4 mm for the bars' ends blurred
// outward. Where a label's side along its symbols shows no edge (a white
// label's left side casts no shadow; a bitonal scan keeps no edge at
// all), that side lies at least this far past the bars.
const quietZone = 1.5

// barSpan is a bar region found whole (wholeBars), page mm.
type barSpan struct {
	center      geom.Point
	angle, w, h float64
}

// cutBy reports whether lr's bars end within cutEdge of the edge of the
// crop area they were found in.
func cutBy(lr *labelRead, area layout.Rect) bool {
	a := lr.angle * math.Pi / 180
	d := geom.Point{X: math.Cos(a) * lr.w / 2, Y: math.Sin(a) * lr.w / 2}
	in := area.Inset(cutEdge)
	for _, p := range []geom.Point{lr.center.Add(d), lr.center.Sub(d)} {
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
	fr := layout.Rect{X: -lr.w/2 - reach, Y: -lr.h/2 - 2, W: lr.w + 2*reach, H: lr.h + 4}
	img, err := st.frameCrop(lr.center, lr.angle, false, fr, px)
	if err != nil {
		return nil, false
	}
	regions, err := vision.FindBarRegions(img, px, 10, 2.5, maxBarsH)
	vision.Recycle(img) // the crop's last use
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
	at := func(u, v float64) geom.Point { return framePoint(b.center, b.angle, u, v) }
	return &outline{
		corners: [4]geom.Point{at(-b.w/2, -b.h/2), at(b.w/2, -b.h/2), at(b.w/2, b.h/2), at(-b.w/2, b.h/2)},
		across:  true,
	}
}

// labelOutline places the label lr sits on from what the image shows:
// the print of its symbols (lr and those sameLabel puts with it) bounds it
// from inside; outward from that print, as far as the largest label
// reaches, the nearest edge on each side is the label's (nothing of the
// sheet shows through a label, so its slot's border or a neighbour lie
// beyond it). A side whose edge does not show stays inkMargin outside the
// print, unseen.
func (st *pageState) labelOutline(sr *slotRead, lr *labelRead) (*outline, bool) {
	if lr.readAs() == "" {
		return nil, false
	}
	f, ink := sr.printBox(lr)
	reachU, reachV := math.Max(1, maxLabelW-ink.w()), math.Max(1, maxLabelH-ink.h())
	fr := layout.Rect{X: ink.u0 - reachU, Y: ink.v0 - reachV, W: ink.w() + 2*reachU, H: ink.h() + 2*reachV}
	img, err := st.frameCrop(f.c, f.ang, false, fr, outlinePx)
	if err != nil {
		return nil, false
	}
	px := func(mm float64) int { return int(math.Round(mm * outlinePx)) }
	// Rows across the print give the top and bottom edges, columns along
	// it the left and right. Each line's 70th percentile (its paper,
	// unless ink covers most of it) ignores text and bars crossing it. A
	// label's edge runs along the whole print; the print of a neighbour
	// (its bars, seen end on) or a rule does not: an edge must show in
	// each third of the span too (see edgeLevels).
	rows := edgeLevels(img, true, px(ink.u0-fr.X), px(ink.u1-fr.X))
	cols := edgeLevels(img, false, px(ink.v0-fr.Y), px(ink.v1-fr.Y))
	vision.Recycle(img) // the crop's last use
	// A side's edge is looked for outward from the print only: a limit
	// short of where the search starts (see borderLimit) leaves it unseen.
	side := func(p [4][]float64, from, to float64, out int) (float64, bool) {
		if sign(px(to)-px(from)) != out {
			return 0, false
		}
		i, ok := labelEdge(p, px(from), px(to))
		return float64(i)/outlinePx + 0.5/outlinePx, ok
	}
	in := func(u, v float64) (float64, float64) { return u - fr.X, v - fr.Y }
	u0, v0 := in(ink.u0, ink.v0)
	u1, v1 := in(ink.u1, ink.v1)
	// Each side's search stops before the first line of the sheet it
	// meets that shows (see borderLimit): a label hides what it covers.
	slot, _ := st.r.layout.Slot(sr.n)
	var lim [4]sideLimit
	for k := range lim {
		lim[k] = st.borderLimit(f, slot.Rect, ink, k)
	}
	top, okT := side(rows, v0-edgeGap, lim[0].limit-fr.Y, -1)
	bot, okB := side(rows, v1+edgeGap, lim[2].limit-fr.Y, 1)
	left, okL := side(cols, u0-edgeGap, lim[3].limit-fr.X, -1)
	right, okR := side(cols, u1+edgeGap, lim[1].limit-fr.X, 1)
	// A label covering its slot's border reaches past it. Where the
	// side's edge shows just short of that border (within besideBorder)
	// or on it (within seenSlop), the label ends there, and the border's
	// not showing in front of the print is the border lost beside the
	// label's own edge, not covered: a phone picture blurs a label's edge
	// lying a few tenths inside its border into the border's line, and a
	// bordered label's printed frame darkens the paper the line is
	// measured against (seed 606's bordered phone page, slot 7: its edge
	// 0.4 mm inside its bottom border, a false crossing). An edge further
	// in does not explain the border's absence (a fresh seed's tall-side
	// phone page: the paper between a label's ITF and its unread Code 32,
	// 10 mm inside the border the label crosses).
	edge := [4]float64{top + fr.Y, right + fr.X, bot + fr.Y, left + fr.X}
	for k, ok := range [4]bool{okT, okR, okB, okL} {
		out := 1.0
		if k == 0 || k == 3 {
			out = -1
		}
		if ok && lim[k].covered && lostBeside(edge[k], lim[k].border, out) {
			lim[k].covered = false
		}
	}
	// An edge on a line the sheet prints (a slot's border, the DATA
	// cells) is that line, seen because no label covers it: the label
	// ends before it, where its own edge did not show.
	l := st.r.layout
	if okT && onSheetLine(l, f.point(ink.u0, top+fr.Y), f.point(ink.u1, top+fr.Y)) {
		okT = false
	}
	if okB && onSheetLine(l, f.point(ink.u0, bot+fr.Y), f.point(ink.u1, bot+fr.Y)) {
		okB = false
	}
	if okL && onSheetLine(l, f.point(left+fr.X, ink.v0), f.point(left+fr.X, ink.v1)) {
		okL = false
	}
	if okR && onSheetLine(l, f.point(right+fr.X, ink.v0), f.point(right+fr.X, ink.v1)) {
		okR = false
	}
	// Two edges further apart than the largest label are not one label's:
	// the farther is something else (a neighbour, the slot's border).
	if okT && okB && bot-top > maxLabelH {
		if v0-top > bot-v1 {
			okT = false
		} else {
			okB = false
		}
	}
	if okL && okR && right-left > maxLabelW {
		if u0-left > right-u1 {
			okL = false
		} else {
			okR = false
		}
	}
	if !okT {
		top = v0 - inkMargin
	}
	if !okB {
		bot = v1 + inkMargin
	}
	// Along the symbols, an unseen side lies past the bars' quiet zone
	// too (see quietZone).
	var bars box
	for _, m := range sr.group(lr) {
		b := m.barsIn(f)
		bars.add(b.u0, b.v0)
		bars.add(b.u1, b.v1)
	}
	if !okL {
		left = math.Min(u0-inkMargin, bars.u0-fr.X-quietZone)
	}
	if !okR {
		right = math.Max(u1+inkMargin, bars.u1-fr.X+quietZone)
	}
	o := &outline{across: okL || okR, covers: lim[0].covered || lim[1].covered || lim[2].covered || lim[3].covered}
	for k, ok := range [4]bool{okT, okR, okB, okL} {
		if !ok && lim[k].hidden != 0 && o.hides == 0 {
			o.hides, o.hideGap = lim[k].hidden, lim[k].gap
		}
	}
	toPage := func(x, y float64) geom.Point { return f.point(x+fr.X, y+fr.Y) }
	o.corners = [4]geom.Point{toPage(left, top), toPage(right, top), toPage(right, bot), toPage(left, bot)}
	return o, true
}

// crosses reports whether a side of o passes the border of r by more than
// its slop (seenSlop or inferredSlop); left and right count only when
// they are known.
func (o *outline) crosses(r layout.Rect) bool {
	if o.covers {
		return true
	}
	for k := 0; k < 4; k++ {
		a, b := o.corners[k], o.corners[(k+1)%4]
		e := b.Sub(a)
		// The side's outward normal (corners run clockwise, y down), and the
		// page border it faces.
		n := geom.Point{X: e.Y, Y: -e.X}
		// An unseen side lies just outside the print: the label reaches
		// at least that far, so the same slop holds.
		slop := seenSlop
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
		if over > slop {
			return true
		}
	}
	return false
}

// overlaps reports whether o and q overlap by more than depth mm, by the
// separating axis test on the edges of both quadrilaterals.
func (o *outline) overlaps(q *outline, depth float64) bool {
	for _, poly := range [2]*[4]geom.Point{&o.corners, &q.corners} {
		for i := 0; i < 4; i++ {
			e := poly[(i+1)%4].Sub(poly[i])
			n := geom.Point{X: -e.Y, Y: e.X}
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

func project(c *[4]geom.Point, n geom.Point) (lo, hi float64) {
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

// lineSlop is how far (mm) past its slot's border a side of a label's
// outline may seem to lie while the border shows in front of it
// (lineBefore): a phone picture blurs the shadow of a label edge lying a
// few tenths inside the border into the line, and the edge was found up
// to 1.6 mm past the border on labels 0.3-1.0 mm inside it (three false
// crossings of seed 4302's 35 phone pages). A label passing its border by
// more than a line's width hides it.
const lineSlop = 1.7

// lineBefore reports whether every side of o that passes r's border by
// over seenSlop (crosses) passes it by less than lineSlop, along a
// stretch where r's border shows (sheetLineShows): the label does not
// cover the line, so it does not cross it. A scan that keeps no lines
// (bitonal) shows none, and the outline decides as before.
func (st *pageState) lineBefore(o *outline, r layout.Rect) bool {
	if o.covers {
		return false
	}
	any := false
	for k := 0; k < 4; k++ {
		a, b := o.corners[k], o.corners[(k+1)%4]
		e := b.Sub(a)
		n := geom.Point{X: e.Y, Y: -e.X}
		var over, c float64
		horizontal := false
		switch {
		case math.Abs(n.X) > math.Abs(n.Y) && n.X > 0:
			over, c = math.Max(a.X, b.X)-r.Right(), r.Right()
		case math.Abs(n.X) > math.Abs(n.Y):
			over, c = r.X-math.Min(a.X, b.X), r.X
		case n.Y > 0:
			over, c, horizontal = math.Max(a.Y, b.Y)-r.Bottom(), r.Bottom(), true
		default:
			over, c, horizontal = r.Y-math.Min(a.Y, b.Y), r.Y, true
		}
		if over <= seenSlop {
			continue
		}
		if over >= lineSlop {
			return false
		}
		// The side's stretch along the border, within the slot's span.
		var p, q geom.Point
		if horizontal {
			x0, x1 := math.Max(math.Min(a.X, b.X), r.X+0.3), math.Min(math.Max(a.X, b.X), r.Right()-0.3)
			p, q = geom.Point{X: x0, Y: c}, geom.Point{X: x1, Y: c}
		} else {
			y0, y1 := math.Max(math.Min(a.Y, b.Y), r.Y+0.3), math.Min(math.Max(a.Y, b.Y), r.Bottom()-0.3)
			p, q = geom.Point{X: c, Y: y0}, geom.Point{X: c, Y: y1}
		}
		if !st.sheetLineShows(horizontal, c, p, q) {
			return false
		}
		any = true
	}
	return any
}
