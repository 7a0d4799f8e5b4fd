package acquisition

import (
	"image"
	"math"
	"sort"

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
	var limit [4]float64
	var covered [4]bool
	var hidden [4]int
	var gap [4]float64
	for k := range limit {
		limit[k], covered[k], hidden[k], gap[k] = st.borderLimit(f, slot.Rect, ink, k)
	}
	top, okT := side(rows, v0-edgeGap, limit[0]-fr.Y, -1)
	bot, okB := side(rows, v1+edgeGap, limit[2]-fr.Y, 1)
	left, okL := side(cols, u0-edgeGap, limit[3]-fr.X, -1)
	right, okR := side(cols, u1+edgeGap, limit[1]-fr.X, 1)
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
	o := &outline{across: okL || okR, covers: covered[0] || covered[1] || covered[2] || covered[3]}
	for k, ok := range [4]bool{okT, okR, okB, okL} {
		if !ok && hidden[k] != 0 && o.hides == 0 {
			o.hides, o.hideGap = hidden[k], gap[k]
		}
	}
	toPage := func(x, y float64) geom.Point { return f.point(x+fr.X, y+fr.Y) }
	o.corners = [4]geom.Point{toPage(left, top), toPage(right, top), toPage(right, bot), toPage(left, bot)}
	return o, true
}

// borderLimit is how far (in f, on the axis of side k: 0 top, 1 right,
// 2 bottom, 3 left) an edge of the label whose print is ink may be looked
// for: up to the first line of the sheet beyond the print that shows along
// the whole side (the slot's border it faces, then the neighbouring
// slot's, a gutter further), since a label hides the lines it covers.
// covered is set when the slot's border does not show in front of the
// print while the neighbour's does: the label covers its border, it
// crosses it whether its edge shows or not.
// A sheet line crossing the label frame at a slant (a tilted label) does
// not show in the label frame's profiles, so it is looked for in the
// page's frame. Where neither shows (a bitonal scan can lose the thin grey
// borders), the search reaches the neighbour's border: beyond that, a
// neighbour's edge could be taken for the label's.
//
// hidden is the neighbouring slot's number, and gap how far (mm) its
// border lies past the print, when both borders are gone in
// front of the whole print (lineGone: no stretch of either line shows)
// while the slot's border shows at its corners: something lies over both,
// this label or the neighbour's. A white label's top and left edges cast
// no shadow and can show nothing at all (seed 20261205's compact clean
// page, slots 13 and 24: labels crossing by 3.3 and 5.6 mm, no edge found
// on that side), so this is the evidence left of a crossing; which of the
// two labels lies over the borders is decided with both slots in view
// (slotRead.hides).
func (st *pageState) borderLimit(f frame, slot layout.Rect, ink box, k int) (limit float64, covered bool, hidden int, gap float64) {
	const gutter, past = 2.0, 0.3
	// The side's span ends and its outward axis: t runs along u (k 1, 3)
	// or v (k 0, 2); dir is the outward sense.
	dir := 1.0
	if k == 0 || k == 3 {
		dir = -1
	}
	at := func(o, t float64) geom.Point {
		if k == 1 || k == 3 {
			return f.point(t, o)
		}
		return f.point(o, t)
	}
	o0, o1, start := ink.u0, ink.u1, ink.v0
	switch k {
	case 1:
		o0, o1, start = ink.v0, ink.v1, ink.u1
	case 2:
		start = ink.v1
	case 3:
		o0, o1, start = ink.v0, ink.v1, ink.u0
	}
	// The slot border the side faces, by its outward normal on the page.
	n := at(o0, start+dir).Sub(at(o0, start))
	horizontal := math.Abs(n.Y) > math.Abs(n.X)
	line := slot.X
	switch {
	case horizontal && n.Y < 0:
		line = slot.Y
	case horizontal:
		line = slot.Bottom()
	case n.X > 0:
		line = slot.Right()
	}
	sense := 1.0 // the page coordinate grows outward
	if horizontal && n.Y < 0 || !horizontal && n.X < 0 {
		sense = -1
	}
	// cross is the t where the span's end o meets the page line at c.
	cross := func(o, c float64) float64 {
		p0, p1 := at(o, start), at(o, start+dir)
		d, q := p1.X-p0.X, c-p0.X
		if horizontal {
			d, q = p1.Y-p0.Y, c-p0.Y
		}
		if math.Abs(d) < 1e-9 {
			return start + dir*maxLabelH
		}
		return start + dir*q/d
	}
	nearest := func(c float64) float64 {
		a, b := cross(o0, c), cross(o1, c)
		if dir > 0 {
			return math.Min(a, b)
		}
		return math.Max(a, b)
	}
	// The neighbouring slot's border, a gutter further, where there is a
	// neighbouring slot (the page's outer columns and rows have none).
	mid := at((o0+o1)/2, start)
	beyond := geom.Point{X: mid.X, Y: line + sense*(gutter+1)}
	if !horizontal {
		beyond = geom.Point{X: line + sense*(gutter+1), Y: mid.Y}
	}
	neighbour := 0
	for _, sl := range st.r.layout.Slots {
		if sl.Rect.Contains(layout.Rect{X: beyond.X, Y: beyond.Y}) {
			neighbour = sl.N
		}
	}
	shows := func(c float64) (float64, bool, bool) {
		t := nearest(c)
		if dir*(t-start) <= 0 {
			return t, false, false // the print already passes it: covered
		}
		return t, true, st.sheetLineShows(horizontal, c, at(o0, t), at(o1, t))
	}
	tOwn, ahead, own := shows(line)
	if own {
		return tOwn - dir*past, false, 0, 0
	}
	if neighbour == 0 {
		return tOwn + dir*outerReach, false, 0, 0
	}
	tNb, aheadNb, nb := shows(line + sense*gutter)
	if !aheadNb {
		// The print passes the neighbour's border too: the label lies
		// over the neighbouring slot, hiding its borders; its edge is
		// looked for up to intoNeighbour past its print (seed 7070's
		// bordered phone page, slot 6's label moved 10 mm onto slot 5:
		// the search stopped 0.1 mm past the print, short of where it
		// starts, and the outline came out 1.8 mm wide). Further, the
		// neighbour's own label's print and edges could be taken for its
		// edge (seed 5151's tall-side bitonal page, slot 7's label
		// crossing 4 mm onto slot 11's, both flagged overlapping with an
		// 8 mm reach).
		return start + dir*intoNeighbour, false, 0, 0
	}
	if nb {
		// The neighbour's border shows and the slot's own does not, in
		// front of the print: the label covers its border.
		return tNb - dir*past, ahead, 0, 0
	}
	if !ahead || st.cornersShow(slot, horizontal, line) || st.linesShow(slot) {
		// Neither shows in front of the print while the page shows its
		// lines (this border at its corners, or another of the slot's),
		// or the print reaches the border itself: something covers both
		// there (this label reaching into the neighbouring slot, or a
		// neighbour's label over this one): the edge is the nearest
		// beyond, if it shows within intoNeighbour of the neighbour's
		// border (further, the neighbour's own label edge is likelier
		// than this one's). Which label covers them is not told from
		// their being hidden: a neighbour's crossing label hides them
		// too.
		if ahead && st.cornersShow(slot, horizontal, line) &&
			st.lineGone(horizontal, line, at(o0, tOwn), at(o1, tOwn)) &&
			st.lineGone(horizontal, line+sense*gutter, at(o0, tNb), at(o1, tNb)) {
			hidden = neighbour
		}
		return tNb + dir*intoNeighbour, false, hidden, dir * (tNb - start)
	}
	return tNb, false, 0, 0
}

// lineGone reports whether the sheet's line at page coordinate c (y when
// horizontal, else x) is gone from at least two of the thirds of the
// stretch a-b: covered, not merely faint or broken. A third keeps its
// line when the mean gray level across it (every pixel counts: a bitonal
// scan's dotted line, that edgeLevels' percentile ignores, still darkens
// it) dips at the line by goneDip or more under the paper 0.8-1.2 mm
// either side; under a label the level is flat. One third may keep it:
// the label's own print can lie along the line (seed 20261205's compact
// clean page, slot 13: its name's baseline on the hidden border).
func (st *pageState) lineGone(horizontal bool, c float64, a, b geom.Point) bool {
	d := b.Sub(a).Scale(1.0 / 3)
	if d.Len() < 2.5 {
		return false // a stretch too short to tell
	}
	shown := 0
	for i := 0; i < 3; i++ {
		p := a.Add(d.Scale(float64(i)))
		if st.lineDip(horizontal, c, p, p.Add(d)) >= goneDip {
			shown++
		}
	}
	return shown <= 1
}

// goneDip is the least dip (gray levels) of the mean across a stretch at
// a sheet's line that shows: a thin gray line over a third of a slot's
// side darkens its mean by tens of levels, a cut label edge or the
// sheet's texture by a few; a line must also be thin (see lineDip).
const goneDip = 6

// lineDip is how far (gray levels) the mean level across the stretch a-b
// dips at the sheet's line at c (within 0.5 mm) under the darker of its
// means 0.8-1.2 mm either side; 0 when the stretch cannot be cropped.
func (st *pageState) lineDip(horizontal bool, c float64, a, b geom.Point) float64 {
	const half = lineStripHalf
	img, err := st.lineStrip(horizontal, c, a, b)
	if err != nil {
		return 0
	}
	w, h := img.Rect.Dx(), img.Rect.Dy()
	n, m := h, w // profile across the line, means along it
	if !horizontal {
		n, m = w, h
	}
	if m == 0 || float64(n) < 2*half*outlinePx-1 {
		return 0
	}
	prof := make([]float64, n)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			v := float64(img.Pix[y*img.Stride+x])
			if horizontal {
				prof[y] += v
			} else {
				prof[x] += v
			}
		}
	}
	for i := range prof {
		prof[i] /= float64(m)
	}
	mean := func(from, to float64) float64 {
		f, t := from*outlinePx, to*outlinePx
		i0, i1 := int(f), int(t)
		var s float64
		for i := i0; i < i1; i++ {
			s += prof[i]
		}
		return s / float64(i1-i0)
	}
	side := math.Min(mean(0, 0.4), mean(2*half-0.4, 2*half))
	at := -1
	lo, hi := (half-0.5)*outlinePx, (half+0.5)*outlinePx
	for i := int(lo); i <= int(hi); i++ {
		if at < 0 || prof[i] < prof[at] {
			at = i
		}
	}
	dip := side - prof[at]
	// A line is thin: half its dip is gone 0.5 mm either side of its
	// darkest. A row of text along it (a label's name on the hidden
	// border) stays dark over its letters' height.
	const k = int(outlinePx / 2)
	if at-k < 0 || at+k >= n || prof[at-k] < prof[at]+dip/2 || prof[at+k] < prof[at]+dip/2 {
		return 0
	}
	return dip
}

// linesShow reports whether any of the slot's four borders shows at its
// corners (cornersShow): the scan keeps the sheet's thin lines, so a
// border that does not show in front of a label's print is covered, not
// lost (a bitonal scan can lose them all).
func (st *pageState) linesShow(slot layout.Rect) bool {
	return st.cornersShow(slot, true, slot.Y) || st.cornersShow(slot, true, slot.Bottom()) ||
		st.cornersShow(slot, false, slot.X) || st.cornersShow(slot, false, slot.Right())
}

// cornersShow reports whether the slot's border line at c (y when
// horizontal, else x) shows over its first or last 3 mm, where labels
// seldom reach: the page shows its thin grey lines (a bitonal scan can
// lose them).
func (st *pageState) cornersShow(slot layout.Rect, horizontal bool, c float64) bool {
	const stretch = 3.0
	if horizontal {
		return st.sheetLineShows(true, c, geom.Point{X: slot.X + 0.3, Y: c}, geom.Point{X: slot.X + stretch, Y: c}) ||
			st.sheetLineShows(true, c, geom.Point{X: slot.Right() - stretch, Y: c}, geom.Point{X: slot.Right() - 0.3, Y: c})
	}
	return st.sheetLineShows(false, c, geom.Point{X: c, Y: slot.Y + 0.3}, geom.Point{X: c, Y: slot.Y + stretch}) ||
		st.sheetLineShows(false, c, geom.Point{X: c, Y: slot.Bottom() - stretch}, geom.Point{X: c, Y: slot.Bottom() - 0.3})
}

// intoNeighbour is how far (mm) past the neighbouring slot's border a
// label's edge is looked for when both borders are hidden in front of it.
// A neighbour's label edge lies 1 to 5 mm inside its slot: compact labels
// had their faint own edge passed and a neighbour's taken 4.8 mm in (false
// overlaps).
const intoNeighbour = 2.5

// outerReach is how far (mm) past a slot's border with no neighbouring
// slot beyond (the page's margins) a label's edge is looked for.
const outerReach = 8.0

// lineStripHalf is the half width (mm) of the strip lineStrip crops
// across a sheet's line.
const lineStripHalf = 1.2

// lineStrip crops, at outlinePx, the strip lineStripHalf either side of
// the sheet's line at page coordinate c (y when horizontal, else x)
// between the page points a and b along it (lineDip, sheetLineShows).
func (st *pageState) lineStrip(horizontal bool, c float64, a, b geom.Point) (*image.Gray, error) {
	const half = lineStripHalf
	var r layout.Rect
	if horizontal {
		r = layout.Rect{X: math.Min(a.X, b.X), Y: c - half, W: math.Abs(a.X - b.X), H: 2 * half}
	} else {
		r = layout.Rect{X: c - half, Y: math.Min(a.Y, b.Y), W: 2 * half, H: math.Abs(a.Y - b.Y)}
	}
	return st.frameCrop(geom.Point{X: r.X, Y: r.Y}, 0, false, layout.Rect{W: r.W, H: r.H}, outlinePx)
}

// sheetLineShows reports whether the sheet's line at page coordinate c
// (y when horizontal, else x) shows between the page points a and b
// along it: a thin dark line over the whole stretch and in each third.
func (st *pageState) sheetLineShows(horizontal bool, c float64, a, b geom.Point) bool {
	const half = lineStripHalf
	if horizontal && math.Abs(a.X-b.X) < 2.5 || !horizontal && math.Abs(a.Y-b.Y) < 2.5 {
		return false
	}
	img, err := st.lineStrip(horizontal, c, a, b)
	if err != nil {
		return false
	}
	span := img.Rect.Dx()
	if !horizontal {
		span = img.Rect.Dy()
	}
	p := edgeLevels(img, horizontal, 0, span)
	mid := int(math.Round(half * outlinePx))
	i, ok := nearestEdge(p, mid-4, mid+5)
	return ok && i >= mid-4
}

// onSheetLine reports whether the segment a-b (page mm) lies on a line
// the sheet prints: a slot's border, a DATA cell's, the progressive or
// count box's (within 0.5 mm at both ends, and along it).
func onSheetLine(l *layout.Layout, a, b geom.Point) bool {
	rects := make([]layout.Rect, 0, len(l.Slots)+len(l.DateCells)+2)
	for _, s := range l.Slots {
		rects = append(rects, s.Rect)
	}
	rects = append(rects, l.DateCells...)
	rects = append(rects, l.Progressive.Rect, l.Count.Rect)
	const near = 0.5
	for _, r := range rects {
		for _, y := range []float64{r.Y, r.Bottom()} {
			if math.Abs(a.Y-y) < near && math.Abs(b.Y-y) < near && math.Max(a.X, b.X) > r.X && math.Min(a.X, b.X) < r.Right() {
				return true
			}
		}
		for _, x := range []float64{r.X, r.Right()} {
			if math.Abs(a.X-x) < near && math.Abs(b.X-x) < near && math.Max(a.Y, b.Y) > r.Y && math.Min(a.Y, b.Y) < r.Bottom() {
				return true
			}
		}
	}
	return false
}

// nearestEdge returns the index nearest from, going towards to, where the
// profiles p (edgeLevels) show a label edge: a thin dark line (the cut
// edge, its shadow) at least minEdgeDip gray levels under the profile 0.4
// mm either side over the whole span, and half that in each third within
// 0.25 mm. ok is false when nothing stands out (a white sticker on a
// bitonal scan, say).
func nearestEdge(p [4][]float64, from, to int) (int, bool) {
	step := 1
	if to < from {
		step = -1
	}
	n := len(p[0])
	for i := from; i != to; i += step {
		if i < 1 || i >= n-1 {
			if (step > 0 && i >= n-1) || (step < 0 && i < 1) {
				break
			}
			continue
		}
		if dip(p[0], i) < minEdgeDip {
			continue
		}
		ok := true
		for _, q := range p[1:] {
			best := 0.0
			for j := i - 2; j <= i+2; j++ {
				best = math.Max(best, dip(q, j))
			}
			ok = ok && best >= minEdgeDip/2
		}
		if ok {
			return i, true
		}
	}
	return 0, false
}

// labelEdge returns the index nearest from, going towards to, where the
// profiles p (edgeLevels) show the label's edge: its cut edge's thin
// dark line (nearestEdge), or the step up from a tinted label's paper to
// the brighter paper beyond it (stepEdge), whichever comes first.
//
// A line as dark as ink (inkDip) is print, not paper's edge: a printed
// frame lies inside the label's paper. The edge is then looked for again
// up to frameReach past it; where none shows, the side is inkMargin past
// the frame, as past any print.
func labelEdge(p [4][]float64, from, to int) (int, bool) {
	s := sign(to - from)
	i, ok := nearestEdge(p, from, to)
	j, okS := stepEdge(p, from, to)
	switch {
	case okS && (!ok || (j-i)*s < 0):
		return j, true
	case !ok:
		return 0, false
	}
	if dip(p[0], i) < inkDip {
		return i, true
	}
	past := int(math.Round(inkMargin * outlinePx))
	end := i + s*int(math.Round(frameReach*outlinePx))
	if (end-to)*s > 0 {
		end = to
	}
	if (end-i)*s > past {
		if k, ok := labelEdge(p, i+s*2, end); ok {
			return k, true
		}
	}
	return i + s*past, true
}

// A printed frame's line is at least inkDip gray levels under the paper
// either side (a cut edge and its shadow, 5-30% darker over a fraction of
// a millimetre, stay well above ink), and the paper's edge lies within
// frameReach (mm) outside it.
const (
	inkDip     = 90
	frameReach = 1.5
)

// A tinted label's edge is a step in gray level more than a line: its
// paper (a few tens of levels under the sheet's) ends where the sheet, or
// a whiter label, begins. The step is told from the print's by where it
// starts: on the label's own paper, as seen just outside its print
// (labelPaper), never on ink (a line of text, the name over the bars,
// ends in a step up to the label's paper too).
const (
	// minStep is the least rise (gray levels) from the label's paper to
	// what lies beyond it, over stepSpan either side; half that in each
	// third of the span.
	minStep  = 14
	stepSpan = 4 // px, 0.5 mm at outlinePx
	// paperTol is how far (gray levels) under its paper level the
	// profile may lie on the label's side of a step.
	paperTol = 8
)

// stepEdge returns the index nearest from, going towards to, where the
// profiles p step from the label's paper (its level just past from) by
// minStep: up (the sheet, a whiter label), or down to a darker level that
// holds (a tinted label over or under it); the middle of the step, where
// it is steepest.
func stepEdge(p [4][]float64, from, to int) (int, bool) {
	if i, ok := stepEdgeOver(p, from, to, stepSpan, minStep, 0); ok {
		return i, true
	}
	// A phone's picture spreads the step over a millimetre and shrinks
	// it with its paper's level (seed 606's digits-over phone page, slot
	// 20: a tinted label crossing by 3.6 mm, its paper 7 levels under the
	// sheet's 165, no side found): a step up is looked for again over
	// twice the span, at least blurStep of the paper's level.
	return stepEdgeOver(p, from, to, 2*stepSpan, 0, blurStep)
}

// plain reports whether the profile p stays at or over level for span px
// before i (against the sense s): the label's paper only, no line in it.
// A sheet line just past a label's side, and the paper beyond it, make a
// step up over a wide span (seed 5151's compact office page, slot 18: its
// bottom put past the slot's border line, a false crossing).
func plain(p []float64, i, span, s int, level float64) bool {
	for k := 1; k <= span; k++ {
		if j := i - s*k; j >= 0 && j < len(p) && p[j] < level {
			return false
		}
	}
	return true
}

// blurStep is the least rise, as a fraction of the label paper's level,
// of a tinted label's edge on a blurred, dim picture.
const blurStep = 0.035

// stepEdgeOver is stepEdge with the step measured over stepSpan px
// either side, rising by least gray levels or rel of the paper's level,
// whichever is more; a step down is looked for only when rel is 0.
func stepEdgeOver(p [4][]float64, from, to, stepSpan int, least, rel float64) (int, bool) {
	s := sign(to - from)
	if s == 0 {
		return 0, false
	}
	n := len(p[0])
	paper := labelPaper(p[0], from, s)
	if paper < 0 {
		return 0, false
	}
	least = math.Max(least, rel*paper)
	// rise is the step at i in q: the mean beyond it less the mean
	// before it, and the mean before it.
	rise := func(q []float64, i int) (float64, float64) {
		var in, out float64
		for k := 1; k <= stepSpan; k++ {
			in += q[i-s*k]
			out += q[i+s*k]
		}
		return (out - in) / float64(stepSpan), in / float64(stepSpan)
	}
	ok := func(i int) bool { return i-stepSpan >= 0 && i+stepSpan < n }
	// A step down is another label's edge (the label's paper meets a
	// darker one, over it or under it) when the darker level holds, even,
	// for plateau px beyond: a shadow or a line is thinner, and rows of
	// text (the name over the bars) vary from one to the next.
	const plateau, even = int(outlinePx), 10.0
	holds := func(q []float64, i int, in float64) bool {
		lo, hi := math.Inf(1), math.Inf(-1)
		for k := 1; k <= plateau; k++ {
			j := i + s*k
			if j < 0 || j >= n || q[j] > in-minStep/2 {
				return false
			}
			lo, hi = math.Min(lo, q[j]), math.Max(hi, q[j])
		}
		return hi-lo <= even
	}
	for i := from + s*stepSpan; i != to && ok(i); i += s {
		r, in := rise(p[0], i)
		if math.Abs(r) < least || in < paper-paperTol || r < 0 && (rel > 0 || !holds(p[0], i, in)) {
			continue
		}
		if rel > 0 && !plain(p[0], i, stepSpan, s, paper-paperTol) {
			continue
		}
		// The steepest point of the step.
		for ok(i+s) && i+s != to {
			if r2, _ := rise(p[0], i+s); math.Abs(r2) > math.Abs(r) && r2*r > 0 {
				r, i = r2, i+s
				continue
			}
			break
		}
		all := true
		for _, q := range p[1:] {
			best := 0.0
			for j := i - 2; j <= i+2; j++ {
				if ok(j) {
					rq, _ := rise(q, j)
					if r < 0 {
						rq = -rq
					}
					best = math.Max(best, rq)
				}
			}
			all = all && best >= least/2
		}
		if all {
			return i, true
		}
	}
	return 0, false
}

// labelPaper is the label's paper level just outside its print, going
// from from in the sense s: the median of the profile over 1 mm, -1 when
// the profile is too short.
func labelPaper(p []float64, from, s int) float64 {
	var vs []float64
	for k := 0; k < int(outlinePx); k++ {
		if i := from + s*k; i >= 0 && i < len(p) {
			vs = append(vs, p[i])
		}
	}
	if len(vs) < 3 {
		return -1
	}
	sort.Float64s(vs)
	return vs[len(vs)/2]
}

func sign(x int) int {
	switch {
	case x > 0:
		return 1
	case x < 0:
		return -1
	}
	return 0
}

// dip is how far p[i], a local minimum, lies under the profile 0.4 mm
// either side; 0 when it is not a local minimum.
func dip(p []float64, i int) float64 {
	const k = 3 // 0.4 mm at outlinePx
	if i < 1 || i >= len(p)-1 || p[i] > p[i-1] || p[i] > p[i+1] {
		return 0
	}
	return math.Min(p[max(0, i-k)], p[min(len(p)-1, i+k)]) - p[i]
}

// minEdgeDip is the least depth (gray levels) of a label's edge line.
const minEdgeDip = 6

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
