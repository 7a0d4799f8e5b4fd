package acquisition

import (
	"image"
	"math"

	"github.com/regfus/regfus/geom"
	"github.com/regfus/regfus/layout"
)

// The sheet's printed lines around a label: how far its edge may be looked
// for (a label hides the lines it covers), whether a line shows or is gone
// under a label. labelOutline (outline.go) uses these.

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
func (st *pageState) borderLimit(f frame, slot layout.Rect, ink box, k int) sideLimit {
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
		return sideLimit{limit: tOwn - dir*past, border: tOwn}
	}
	if neighbour == 0 {
		return sideLimit{limit: tOwn + dir*outerReach, border: tOwn}
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
		return sideLimit{limit: start + dir*intoNeighbour, border: tOwn}
	}
	if nb {
		// The neighbour's border shows and the slot's own does not, in
		// front of the print: the label covers its border, if that border
		// is gone there. A line the scan left faint or broken (a bitonal
		// scan's grey borders thresholded into dots) still darkens the
		// mean level across it, where a label over it leaves it flat
		// (lineGone): the border is there, and the label ends before it.
		// Seed 6481's bitonal page at threshold 150 had every label of
		// its lower rows flagged crossing, their slots' borders dotted
		// beside the neighbours' unbroken ones (dips of 40-120 levels in
		// each third; a hidden border's are under goneDip).
		if ahead && !st.lineGone(horizontal, line, at(o0, tOwn), at(o1, tOwn)) {
			return sideLimit{limit: tOwn - dir*past, border: tOwn}
		}
		return sideLimit{limit: tNb - dir*past, border: tOwn, covered: ahead}
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
		sl := sideLimit{limit: tNb + dir*intoNeighbour, border: tOwn, gap: dir * (tNb - start)}
		if ahead && st.cornersShow(slot, horizontal, line) &&
			st.lineGone(horizontal, line, at(o0, tOwn), at(o1, tOwn)) &&
			st.lineGone(horizontal, line+sense*gutter, at(o0, tNb), at(o1, tNb)) {
			sl.hidden = neighbour
		}
		return sl
	}
	return sideLimit{limit: tNb, border: tOwn}
}

// sideLimit is what borderLimit finds of the sheet's lines beyond one
// side of a label's print, in the label's frame (on the side's axis).
type sideLimit struct {
	// limit is how far the side's edge is looked for.
	limit float64
	// border is where the slot's own border meets the side's axis
	// (nearest the print along it).
	border float64
	// covered is set when the slot's border does not show in front of
	// the print while the neighbour's does.
	covered bool
	// hidden is the neighbouring slot whose border is gone with the
	// slot's in front of the print, 0 when none; gap is how far (mm) its
	// border lies from the print.
	hidden int
	gap    float64
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
