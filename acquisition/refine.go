package acquisition

import (
	"image"
	"math"
	"slices"

	"github.com/regfus/regfus/geom"
	"github.com/regfus/regfus/layout"
	"github.com/regfus/regfus/vision"
)

// A page with one marker hidden (a folded or covered corner) gives three
// markers, and three points fix an affine map only. A photo's perspective
// then puts the sheet's far side many millimetres off: seed 6481's phone
// page, its tail-left corner folded away, was 10 mm off at the page's
// centre and 18 mm at the hidden corner, every label flagged crossing and
// a third of its codes unread, on each of the 11 designs.
//
// The sheet barcode on the hidden marker's side (the tail barcode for a
// tail marker, the head barcode for a head one) gives two more points:
// where its bars begin and end, found in the image around where the
// affine map puts them. The homography fitted to the three markers and
// those two ends, and the other sheet barcode's ends where they are found
// too (least squares), replaces the affine map when every one of these
// points lies within refineFitMM of where it puts it, after dropping the
// ends that do not while five points are left: the bars found are the
// sheet's, not a label's, and the sheet is flat.
// It is tried only when an end lies refineOffMM or more from where the
// affine map puts it: a scan without perspective keeps its affine map.

const (
	// refineSearchMM is how far around its place (mm, under the affine
	// map) a sheet barcode is looked for.
	refineSearchMM = 25.0
	// refineFitMM is how far (mm) a marker or a barcode's end may lie
	// from where the homography puts it.
	refineFitMM = 0.6
	// refineOffMM is how far (mm) from where the affine map puts it the
	// barcode's ends must be found for the homography to be tried: an end
	// found is good to a few tenths of a millimetre, a marker to less, so
	// a closer one says nothing the affine map does not.
	refineOffMM = 1.0
)

// refine returns the homography through f's three markers and the ends
// of the sheet barcode on the missing marker's side, when the checks above
// hold.
func (f *fit) refine(im *vision.Image, l *layout.Layout) (geom.Homography, bool) {
	if len(f.src) != 3 {
		return geom.Homography{}, false
	}
	missing := -1
	for i, c := range markerCenters(l) {
		if !slices.Contains(f.src, c) {
			missing = i
		}
	}
	use, other := l.TailBarcode, l.HeadBarcode
	if missing < 2 {
		use, other = other, use
	}
	scale := math.Sqrt(math.Abs(f.aff[0]*f.aff[4] - f.aff[1]*f.aff[3])) // px per mm
	// The search runs at 6 px/mm, then 8 and 10 when nothing is found:
	// FindBarRegions' closing depends on the scale it is told (seed
	// 6481's phone page, 6.2 px/mm: the tail barcode found at 6, not at
	// 6.23 nor 10).
	var ends [2]geom.Point
	var px float64
	ok := false
	for _, px = range []float64{6, 8, 10} {
		if ends, ok = sheetBarEnds(im, f.aff, use, l.Page, px); ok {
			break
		}
	}
	if !ok {
		return geom.Homography{}, false
	}
	want := barEndPoints(use)
	off := 0.0
	for i := range ends {
		off = math.Max(off, ends[i].Sub(f.aff.Apply(want[i])).Len()/scale)
	}
	if off < refineOffMM {
		return geom.Homography{}, false
	}
	src, dst := append(slices.Clone(f.src), want[:]...), append(slices.Clone(f.dst), ends[:]...)
	if check, ok := sheetBarEnds(im, f.aff, other, l.Page, px); ok {
		o := barEndPoints(other)
		src, dst = append(src, o[:]...), append(dst, check[:]...)
	}
	// A barcode end found wrong (a mark beside the bars) is dropped, the
	// worst first, while five points are left; the markers stay.
	for len(src) >= 5 {
		h, err := geom.FitHomographyLS(src, dst)
		if err != nil {
			return geom.Homography{}, false
		}
		worst, far := -1, 0.0
		for i := range src {
			if d := h.Apply(src[i]).Sub(dst[i]).Len() / scale; d > far {
				worst, far = i, d
			}
		}
		if far <= refineFitMM {
			return h, true
		}
		if worst < len(f.src) {
			return geom.Homography{}, false // a marker off: the sheet is not flat
		}
		src, dst = slices.Delete(src, worst, worst+1), slices.Delete(dst, worst, worst+1)
	}
	return geom.Homography{}, false
}

// barEndPoints are the layout points (mm) where the bars of the sheet
// barcode in r begin and end, halfway up them.
func barEndPoints(r layout.Rect) [2]geom.Point {
	cy := r.Y + r.H/2
	return [2]geom.Point{{X: r.X, Y: cy}, {X: r.Right(), Y: cy}}
}

// sheetBarEnds finds, in the image, where the bars of the sheet barcode
// whose layout rectangle is r begin and end (source pixels), looking
// refineSearchMM around where the map aff puts it, at refinePx px/mm: the bar region of about
// its length and angle (within a fifth of its length, 15 degrees), then
// its first and last bar along a profile through its middle (the region's
// own ends are where its bars were closed into a block, not the bars').
// The ends, not the centre: a photo's perspective moves the middle of the
// bars seen away from the image of their middle by a millimetre.
func sheetBarEnds(im *vision.Image, aff geom.Homography, r layout.Rect, page layout.Size, refinePx float64) ([2]geom.Point, bool) {
	s := refineSearchMM
	x0, y0 := math.Max(0, r.X-s), math.Max(0, r.Y-s)
	x1, y1 := math.Min(page.W, r.Right()+s), math.Min(page.H, r.Bottom()+s)
	area := layout.Rect{X: x0, Y: y0, W: x1 - x0, H: y1 - y0}
	g := &Geometry{ToSource: aff}
	img, err := g.Crop(im, area, refinePx)
	if err != nil {
		return [2]geom.Point{}, false
	}
	regions, err := vision.FindBarRegions(img, refinePx, 0.8*r.W, 0.5*r.H, 2*r.H)
	if err != nil {
		return [2]geom.Point{}, false
	}
	var best *vision.Region
	for i, rg := range regions {
		w := rg.W / refinePx
		if math.Abs(w-r.W) > 0.2*r.W || math.Abs(rg.Angle) > 15 {
			continue
		}
		if best == nil || math.Abs(w-r.W) < math.Abs(best.W/refinePx-r.W) {
			best = &regions[i]
		}
	}
	if best == nil {
		return [2]geom.Point{}, false
	}
	a := best.Angle * math.Pi / 180
	axis := geom.Point{X: math.Cos(a), Y: math.Sin(a)}
	across := geom.Point{X: -axis.Y, Y: axis.X}
	// The mean level along the axis over the middle half of the bars'
	// height, from 2 mm before the region to 2 mm past it (the quiet zone
	// is wider).
	reach := best.W/2 + 2*refinePx
	n := int(2*reach) + 1
	prof := make([]float64, n)
	const rows = 7
	for i := range prof {
		t := float64(i) - reach
		for k := 0; k < rows; k++ {
			o := (float64(k)/(rows-1) - 0.5) * best.H / 2
			p := best.Center.Add(axis.Scale(t)).Add(across.Scale(o))
			x, y := int(math.Round(p.X)), int(math.Round(p.Y))
			v := 255.0
			if image.Pt(x, y).In(img.Rect) {
				v = float64(img.GrayAt(x, y).Y)
			}
			prof[i] += v / rows
		}
	}
	sorted := slices.Clone(prof)
	slices.Sort(sorted)
	thr := (sorted[n/20] + sorted[n-1-n/20]) / 2
	first, last := -1, -1
	for i, v := range prof {
		if v < thr {
			if first < 0 {
				first = i
			}
			last = i
		}
	}
	if first <= 0 || last >= n-1 {
		return [2]geom.Point{}, false // bars up to the profile's end: not a whole symbol
	}
	toSource := func(t float64) geom.Point {
		p := best.Center.Add(axis.Scale(t))
		return aff.Apply(geom.Point{X: area.X + p.X/refinePx, Y: area.Y + p.Y/refinePx})
	}
	return [2]geom.Point{toSource(float64(first) - reach), toSource(float64(last) + 1 - reach)}, true
}
