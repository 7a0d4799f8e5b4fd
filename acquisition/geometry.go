package acquisition

import (
	"errors"
	"fmt"
	"image"
	"math"
	"slices"

	"github.com/regfus/regfus/geom"
	"github.com/regfus/regfus/layout"
	"github.com/regfus/regfus/page"
	"github.com/regfus/regfus/vision"
)

// Geometry is where the sheet lies in the scan: the map from layout
// millimetres to source pixels, and what was measured while fitting it.
type Geometry struct {
	// ToSource maps a point in layout mm to continuous source pixels.
	ToSource geom.Homography
	// Orientation is the clockwise rotation of the scan: 0, 90, 180, 270.
	Orientation int
	// SkewDeg is the remaining rotation after Orientation, degrees.
	SkewDeg float64
	// DPI is the scan's resolution measured on the page (pixels per inch).
	DPI float64
	// Residual is the RMS distance, in mm, between the marker centres found
	// and where an affine fit puts them (0 with three markers).
	Residual float64
	// Markers is how many of the four markers were found.
	Markers int
	// Perspective is true when a homography was needed (a photo).
	Perspective bool
}

// Ring contrast limits telling a finder pattern (head) from a solid square
// (tail); in between, a candidate is either kind.
const (
	headRing = 0.45
	tailRing = 0.25
)

// maxResidualMM is how far from an affine fit four marker centres may be
// before they are not taken for the four markers of one sheet; a photo's
// perspective stays well inside it, a wrong blob does not.
const maxResidualMM = 9.0

// errNoMarkers is the geometry step's failure: the page is rejected.
var errNoMarkers = errors.New(string(page.ReasonNoMarkers))

// findGeometry locates the sheet in im.
func findGeometry(im *vision.Image, l *layout.Layout) (*Geometry, error) {
	sz := im.Size()
	long := float64(max(sz.X, sz.Y))
	// An A4 page filling the image has markers of long/37; allow a page
	// filling only 40% of a photo, and a scan cropped tight.
	cands, err := im.FindSquares(long/110, long/22)
	if err != nil {
		return nil, err
	}
	best := chooseFit(cands, l)
	if best == nil {
		return nil, fmt.Errorf("%w: %d square candidates, no head and tail markers forming the sheet's rectangle", errNoMarkers, len(cands))
	}
	g, err := best.geometry(l)
	if err != nil {
		return nil, err
	}
	if h, ok := best.refine(im, l); ok {
		g.ToSource, g.Perspective = h, true
	}
	return g, nil
}

// chooseFit assigns square candidates (largest first) to the four markers:
// four that fit one sheet if any do, else three. Every three points fit an
// affine map exactly, so among three-marker fits the residual says nothing:
// smaller squares that happen to form the right triangle (the finder
// patterns of a label's QR code, at a third of the scale and any rotation)
// tie with the sheet's markers. The markers are the largest squares a sheet
// carries, so a fit's squares smaller than the largest candidate count
// against it (score): on a page whose fourth marker is hidden by a folded
// corner the three true markers win, where the first triangle found used to.
func chooseFit(cands []vision.Square, l *layout.Layout) *fit {
	if len(cands) > 24 {
		cands = cands[:24] // largest first; markers are the biggest squares
	}
	largest := 0.0
	for _, c := range cands {
		largest = math.Max(largest, c.Side)
	}
	var heads, tails []int
	for i, c := range cands {
		if c.Ring >= tailRing {
			heads = append(heads, i)
		}
		if c.Ring <= headRing {
			tails = append(tails, i)
		}
	}
	var best *fit
	try := func(idx [4]int) {
		f := evaluate(cands, idx, l)
		if f == nil {
			return
		}
		f.score += sizePenalty * (1 - f.sides/largest)
		if best == nil || f.score < best.score {
			best = f
		}
	}
	// Four markers (head-left, head-right, tail-left, tail-right), then
	// three when one is damaged or covered. Both orders of each pair are
	// tried; evaluate rejects the mirrored one.
	pairs := func(ids []int, fn func(a, b int)) {
		for _, a := range ids {
			for _, b := range ids {
				if a != b {
					fn(a, b)
				}
			}
		}
	}
	pairs(heads, func(a, b int) {
		pairs(tails, func(c, d int) {
			if c != a && c != b && d != a && d != b {
				try([4]int{a, b, c, d})
			}
		})
	})
	if best == nil {
		pairs(heads, func(a, b int) {
			for _, c := range tails {
				if c != a && c != b {
					try([4]int{a, b, c, -1})
					try([4]int{a, b, -1, c})
				}
			}
		})
		pairs(tails, func(c, d int) {
			for _, a := range heads {
				if a != c && a != d {
					try([4]int{a, -1, c, d})
					try([4]int{-1, a, c, d})
				}
			}
		})
	}
	return best
}

// sizePenalty is what a fit loses, in mm of residual, for squares a whole
// largest candidate smaller than the largest (a fit of squares half its size
// loses half of it): less than a marker missing (5), more than the residual
// of any real four-marker fit (well under 1 mm).
const sizePenalty = 2.0

// fit is one assignment of candidates to the markers (head-left,
// head-right, tail-left, tail-right; -1 for a missing one).
type fit struct {
	src, dst []geom.Point // layout mm, source px
	aff      geom.Homography
	residual float64 // mm
	score    float64
	sides    float64 // mean marker side, px
}

func markerCenters(l *layout.Layout) [4]geom.Point {
	var out [4]geom.Point
	for i, name := range []string{"head-left", "head-right", "tail-left", "tail-right"} {
		m, _ := l.Marker(name)
		x, y := m.Center()
		out[i] = geom.Point{X: x, Y: y}
	}
	return out
}

// evaluate checks one assignment and scores it; nil when it is not a sheet.
// chooseFit calls it for every ordered pair of heads with every ordered
// pair of tails (thousands of times a page): it works in arrays on the
// stack and allocates only the fit it returns (its per-call slices were
// 60% of the reader's allocations, 31,000 a page of regfus bench).
func evaluate(cands []vision.Square, idx [4]int, l *layout.Layout) *fit {
	centers := markerCenters(l)
	var src, dst [4]geom.Point
	var sides [4]float64
	n := 0
	for i, k := range idx {
		if k < 0 {
			continue
		}
		s := cands[k]
		head := i < 2
		if head && s.Ring < tailRing || !head && s.Ring > headRing {
			return nil
		}
		src[n], dst[n], sides[n] = centers[i], s.Center, s.Side
		n++
	}
	// Marker sizes agree with each other.
	lo, hi := sides[0], sides[0]
	meanSide := 0.0
	for _, s := range sides[:n] {
		lo, hi = math.Min(lo, s), math.Max(hi, s)
		meanSide += s / float64(n)
	}
	if hi > 1.5*lo {
		return nil
	}
	aff, res, err := geom.FitAffine(src[:n], dst[:n])
	if err != nil {
		return nil
	}
	// The map must preserve handedness (a scan is never mirrored) and be
	// close to a similarity: both axes scaled alike, near-right angle.
	dx, dy := geom.Point{X: aff[0], Y: aff[3]}, geom.Point{X: aff[1], Y: aff[4]}
	sx, sy := dx.Len(), dy.Len()
	if dx.X*dy.Y-dx.Y*dy.X <= 0 || sx == 0 || sy == 0 {
		return nil
	}
	if r := sx / sy; r < 0.8 || r > 1.25 {
		return nil
	}
	if cos := (dx.X*dy.X + dx.Y*dy.Y) / (sx * sy); math.Abs(cos) > 0.12 {
		return nil
	}
	scale := (sx + sy) / 2 // px per mm
	m, _ := l.Marker("head-left")
	if r := meanSide / (m.W * scale); r < 0.7 || r > 1.35 {
		return nil
	}
	residual := res / scale
	if residual > maxResidualMM {
		return nil
	}
	// Prefer four markers, then the tightest fit.
	return &fit{
		src: slices.Clone(src[:n]), dst: slices.Clone(dst[:n]),
		aff: aff, residual: residual, sides: meanSide,
		score: residual + 5*float64(4-n),
	}
}

// geometry turns the chosen fit into the page transform and its figures.
func (f *fit) geometry(l *layout.Layout) (*Geometry, error) {
	g := &Geometry{ToSource: f.aff, Residual: f.residual, Markers: len(f.src)}
	if len(f.src) == 4 && f.residual > 0.4 {
		h, err := geom.FitHomography(f.src, f.dst)
		if err != nil {
			return nil, err
		}
		g.ToSource, g.Perspective = h, true
	}
	c := geom.Point{X: l.Page.W / 2, Y: l.Page.H / 2}
	dx, dy := g.ToSource.Jacobian(c)
	g.DPI = (dx.Len() + dy.Len()) / 2 * 25.4
	// The page's x axis in the image gives the rotation: clockwise angle in
	// image coordinates (y down).
	ang := math.Atan2(dx.Y, dx.X) * 180 / math.Pi
	if ang < 0 {
		ang += 360
	}
	q := int(math.Round(ang/90)) % 4
	g.Orientation = q * 90
	g.SkewDeg = ang - float64(q*90)
	if g.SkewDeg > 180 {
		g.SkewDeg -= 360
	}
	return g, nil
}

// Crop returns the layout rectangle r (mm) of the page, upright, at px
// pixels per mm, read from the source image through the page transform.
func (g *Geometry) Crop(im *vision.Image, r layout.Rect, px float64) (*image.Gray, error) {
	w, h := int(math.Ceil(r.W*px)), int(math.Ceil(r.H*px))
	toMM := geom.Homography{1 / px, 0, r.X, 0, 1 / px, r.Y, 0, 0, 1}
	return im.Warp(g.ToSource.Mul(toMM), image.Pt(w, h))
}

// geometry is the first step: it fixes st.geo and the quality figures, or
// rejects the page (after trying to identify it from its barcode alone).
func (st *pageState) geometry() error {
	g, err := findGeometry(st.img, st.r.layout)
	if err != nil {
		if errors.Is(err, errNoMarkers) {
			st.identifyWithoutMarkers()
			return &reasonError{page.Reason{Kind: page.ReasonNoMarkers}}
		}
		return err
	}
	st.geo = g
	st.native = g.DPI / 25.4
	o := g.Orientation
	st.res.Orientation = &o
	q := &page.Quality{SkewDeg: round(g.SkewDeg, 2), DPI: round(g.DPI, 1), Residual: round(g.Residual, 3), Markers: g.Markers}
	// Blur is measured on the head barcode at a fixed 8 px/mm, so that it
	// compares across pages and scanners.
	if c, err := g.Crop(st.img, st.r.layout.HeadBarcode, 8); err == nil {
		if s, err := vision.Sharpness(c); err == nil {
			q.Blur = round(s, 1)
		}
		vision.Recycle(c)
	}
	st.res.Quality = q
	return nil
}

func round(v float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(v*p) / p
}
