package acquisition

import (
	"math"
	"slices"

	"github.com/regfus/regfus/geom"
	"github.com/regfus/regfus/layout"
	"github.com/regfus/regfus/page"
	"github.com/regfus/regfus/vision"
)

// Bars under a label. A label moved over its neighbour's can have the
// middle of its print within attributionMM of the neighbour's centre (the
// seed-7853 side-by-side phone page: slot 7's label moved 13 mm up over
// slot 3's, its print 9 mm from slot 3's centre), the neighbour's own
// label hidden but for its name and a sliver of its bars that read as
// nothing (no symbol, not bar-like). The slot then shows one label,
// centred, with another slot's values, and the slot it came from looks
// empty. What tells it is the rest of the slot: a label off its slot's
// centre above or below it, with bars cut along their length (a sliver)
// beyond its print on the side towards the slot's centre, lies over
// another label. A label pushed across its border leaves paper there.

const (
	// beyondOff is how far (mm, on an axis) off its slot's centre the
	// print of a label must lie for it to be looked at: a label in its
	// slot lies within about 4 mm of the centre; one moved onto the slot
	// from a neighbour lies further.
	beyondOff = 4.0
	// sliverH is the highest (mm) a piece of bars cut along their length
	// by a label's edge is taken to be (the lowest bars a fustella prints
	// are 4 mm), and sliverMinH the lowest looked for.
	sliverH, sliverMinH = 4.0, 1.8
)

// onNeighbour reports whether p lies on the outline of another slot's
// label, grown by a millimetre.
func onNeighbour(reads []*slotRead, i int, p geom.Point) bool {
	for j, r := range reads {
		if j == i || r.shape == nil {
			continue
		}
		if inside(r.shape.corners, p, 1) {
			return true
		}
	}
	return false
}

// inside reports whether p lies within the convex quadrilateral q grown
// by m mm: on the same side of its four edges (whichever way the corners
// go round), within m.
func inside(q [4]geom.Point, p geom.Point, m float64) bool {
	left, right := true, true
	for k := 0; k < 4; k++ {
		e := q[(k+1)%4].Sub(q[k])
		l := e.Len()
		if l == 0 {
			continue
		}
		d := p.Sub(q[k])
		cr := (e.X*d.Y - e.Y*d.X) / l
		left, right = left && cr >= -m, right && cr <= m
	}
	return left || right
}

// overAnother marks the slots whose label, off the slot's centre (by
// beyondOff) above or below it, lies over another one there (strayBars):
// the slot's values may be a neighbour's label's, moved onto it over its
// own, so they go to a person (overlap, two_labels); the slot the label
// leans towards, when it looks empty, is the one the label was moved from
// (crossing, overlap, unreadable, as lentTo does).
func (st *pageState) overAnother(reads []*slotRead) error {
	for i, a := range reads {
		if a.out.State == page.Empty {
			continue
		}
		lr := a.anchor(st.home(a))
		if lr == nil || len(a.group(lr)) < 2 {
			continue
		}
		c := a.labelCentre(lr)
		mid := geom.Point{}
		mid.X, mid.Y = st.r.layout.Slots[i].Rect.Center()
		in := mid.Sub(c)
		if math.Abs(in.Y) <= beyondOff || math.Abs(in.Y) <= math.Abs(in.X) {
			continue
		}
		stray, err := st.strayBars(reads, a, lr, mid, a.labels)
		if err != nil {
			return err
		}
		if !stray {
			slivers, err := st.slivers(i)
			if err != nil {
				return err
			}
			if stray, err = st.strayBars(reads, a, lr, mid, slivers); err != nil {
				return err
			}
		}
		if !stray {
			continue
		}
		a.under = true
		addFlag(&a.out, page.FlagOverlap)
		if e := reads[st.nearestOther(i, c)]; e.out.State == page.Empty {
			e.lent()
		}
	}
	return nil
}

// leftEmpty marks the slots that look empty beside a slot (above, below,
// left or right) left without values that shows two labels (the overlap
// flag, or three symbol-wide bar regions: a label carries two): one of
// them may be this slot's, moved over its neighbour's, whose values are
// not read (seed 31337's stress pages: a label moved 10-19 mm over its
// neighbour's, both unread, its own slot reported empty). Such a slot is
// sent to a person, unreadable, crossing and overlapping, as lentTo does.
func leftEmpty(reads []*slotRead) {
	// The slots showing two labels are found first: a slot sent to a
	// person here (or by lentTo, overAnother) shows nothing itself.
	var two []int
	for _, a := range reads {
		if a.out.State != page.Unreadable || len(a.labels) == 0 && a.why[0] == whyMovedCredit+":"+whyLent {
			continue
		}
		wide := 0
		for _, lr := range a.labels {
			if lr.w >= minSymbolW {
				wide++
			}
		}
		if a.out.HasFlag(page.FlagOverlap) || wide >= 3 {
			two = append(two, a.n)
		}
	}
	for _, n := range two {
		for _, m := range []int{n - layout.Columns, n + layout.Columns, n - 1, n + 1} {
			if m < 1 || m > len(reads) || (m == n-1 || m == n+1) && (m-1)/layout.Columns != (n-1)/layout.Columns {
				continue
			}
			if e := reads[m-1]; e.out.State == page.Empty {
				e.lent()
			}
		}
	}
}

// slivers are the bar regions of slot i (index) at least minSymbolW wide
// and sliverMinH-sliverH high, found in the slot alone (no margin: a
// neighbour's bars reaching into it are cut at its border) with a lower
// least height than readSlot's (2.5 mm): a sliver under a label's edge.
func (st *pageState) slivers(i int) ([]labelRead, error) {
	s := st.r.layout.Slots[i]
	px := st.barPx()
	img, err := st.geo.Crop(st.img, s.Rect, px)
	if err != nil {
		return nil, err
	}
	rs, err := vision.FindBarRegions(img, px, minSymbolW, sliverMinH, sliverH)
	vision.Recycle(img) // the crop's last use
	if err != nil {
		return nil, err
	}
	out := make([]labelRead, 0, len(rs))
	for _, rg := range rs {
		c := geom.Point{X: s.Rect.X + rg.Center.X/px, Y: s.Rect.Y + rg.Center.Y/px}
		out = append(out, labelRead{center: c, angle: rg.Angle, w: rg.W / px, h: rg.H / px})
	}
	return out, nil
}

// strayBars reports whether among holds a sliver of bars (a region at
// least minSymbolW wide and at most sliverH high, read or not, bar-like
// or not) clear of the print of lr's label by a millimetre, on the side
// of it towards the slot's centre (mid), on no neighbour's label, and
// bars, not text (barsAlong): bars cut along their length by the edge of the label over them. A label carries its two symbols and
// nothing but their digits between them; bars beyond its print there are
// another label's (the seed-7853 page's slot 3: its own label's two
// symbols showing as one 37 x 2.7 mm sliver above the label moved over
// them, not bar-like, no symbol read). A whole region beside the print
// is often the label's own (a matrix code, 16 x 8 mm, on seed 6161's
// matrix-corner labels).
func (st *pageState) strayBars(reads []*slotRead, sr *slotRead, lr *labelRead, mid geom.Point, among []labelRead) (bool, error) {
	g := sr.group(lr)
	f, pb := sr.printBox(lr)
	c := sr.labelCentre(lr)
	in := mid.Sub(c)
	for i := range among {
		o := &among[i]
		if slices.Contains(g, o) || o.w < minSymbolW || o.h > sliverH {
			continue
		}
		if d := o.center.Sub(c); d.X*in.X+d.Y*in.Y <= 0 || o.barsIn(f).meets(pb, -1) || onNeighbour(reads, sr.n-1, o.center) {
			continue
		}
		ok, err := st.barsAlong(o)
		if ok || err != nil {
			return ok, err
		}
	}
	return false, nil
}

// barsAlong reports whether the region o is bars, not a line of text: its
// upper and lower halves show the same columns (correlation of their
// column means at least minBarsAlong), as bars do whatever their height;
// letters do not (a label's name in capitals, found as a region 1-2 mm
// high: on a fresh seed's side-by-side clean pages, one in every slot).
func (st *pageState) barsAlong(o *labelRead) (bool, error) {
	const q = 10.0 // px per mm
	img, err := st.frameCrop(o.center, o.angle, false, layout.Rect{X: -o.w / 2, Y: -o.h / 2, W: o.w, H: o.h}, q)
	if err != nil {
		return false, err
	}
	w, h := img.Rect.Dx(), img.Rect.Dy()
	if w < 2 || h < 4 {
		return false, nil
	}
	half := func(y0, y1 int) []float64 {
		m := make([]float64, w)
		for y := y0; y < y1; y++ {
			for x := 0; x < w; x++ {
				m[x] += float64(img.GrayAt(img.Rect.Min.X+x, img.Rect.Min.Y+y).Y)
			}
		}
		return m
	}
	e := h / 6
	r := correlation(half(e, h/2), half(h/2, h-e))
	vision.Recycle(img) // the crop's last use
	return r >= minBarsAlong, nil
}

// minBarsAlong: bars' halves correlate at 0.99 (a phone picture's
// sliver, 2.7 mm high), a line of capitals at 0.56-0.78 (a fresh seed's
// side-by-side clean pages: names 1.4-1.6 mm high).
const minBarsAlong = 0.9

// correlation is Pearson's r of a and b (0 when either is flat).
func correlation(a, b []float64) float64 {
	var ma, mb float64
	for i := range a {
		ma, mb = ma+a[i], mb+b[i]
	}
	ma, mb = ma/float64(len(a)), mb/float64(len(b))
	var sab, saa, sbb float64
	for i := range a {
		da, db := a[i]-ma, b[i]-mb
		sab, saa, sbb = sab+da*db, saa+da*da, sbb+db*db
	}
	if saa == 0 || sbb == 0 {
		return 0
	}
	return sab / math.Sqrt(saa*sbb)
}

// nearestOther is the slot (index) other than i whose centre is nearest c.
func (st *pageState) nearestOther(i int, c geom.Point) int {
	best, bestD := -1, math.Inf(1)
	for j, s := range st.r.layout.Slots {
		if j == i {
			continue
		}
		if d := centreDist(s.Rect, c); d < bestD {
			best, bestD = j, d
		}
	}
	return best
}
