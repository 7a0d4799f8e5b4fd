package vision

import (
	"encoding/binary"
	"fmt"
	"image"
	"math"
	"sort"

	"gocv.io/x/gocv"

	"github.com/regfus/regfus/geom"
)

// Square is a dark, square blob: a candidate page marker.
type Square struct {
	Center geom.Point // continuous pixel coordinates
	// Side is the side of a square of the blob's area, in pixels.
	Side float64
	// Ring is how light the blob is two modules (of seven) from its centre,
	// relative to its core and to the paper around it: about 1 for a finder
	// pattern (black ring, white ring, black core), about 0 for a solid
	// square. It is measured on gray levels, so it survives a blurred scan
	// whose white ring no longer separates in a binary image.
	Ring float64
}

// workLongSide is the long side, in pixels, of the image squares are
// searched in: enough for an 8 mm marker to be ~45 px on an A4 page.
const workLongSide = 1600

// FindSquares returns the dark square blobs whose side lies between minSide
// and maxSide pixels, largest first.
//
// The page is reduced to about workLongSide pixels, its paper level is
// estimated with a dilation wider than any marker (so shadows, tinted paper
// and uneven phone lighting divide out), pixels darker than 60% of the
// local paper become ink, and the outer contours of the ink are kept when
// they are squares: near-equal sides and an area close to their rotated
// bounding rectangle's.
func (im *Image) FindSquares(minSide, maxSide float64) ([]Square, error) {
	if err := im.check(); err != nil {
		return nil, err
	}
	if minSide <= 0 || maxSide < minSide {
		return nil, fmt.Errorf("vision: square sides %g-%g out of order", minSide, maxSide)
	}
	f := math.Min(1, workLongSide/float64(max(im.size.X, im.size.Y)))
	work := gocv.NewMat()
	defer work.Close()
	if f < 1 {
		wsz := image.Pt(max(1, int(math.Round(float64(im.size.X)*f))), max(1, int(math.Round(float64(im.size.Y)*f))))
		gocv.Resize(im.mat, &work, wsz, 0, 0, gocv.InterpolationArea)
		f = float64(wsz.X) / float64(im.size.X)
	} else {
		im.mat.CopyTo(&work)
	}
	mask := inkMask(work, maxSide*f*1.6, 0.6)
	defer mask.Close()

	hier := gocv.NewMat()
	defer hier.Close()
	// Two-level hierarchy: every blob's outer boundary is at the top level,
	// even a marker lying inside a hole of a bigger blob (the dark table
	// around a photographed page).
	contours := gocv.FindContoursWithParams(mask, &hier, gocv.RetrievalCComp, gocv.ChainApproxSimple)
	defer contours.Close()

	gray, err := viewGray(work)
	if err != nil {
		return nil, err
	}
	// Each contour's parent (-1 for an outer boundary): the hierarchy's
	// fourth int per contour, read from one view of it rather than with
	// gocv's GetVeciAt (five calls into C and a slice per contour, for
	// the page's few thousand blobs).
	parents, err := hierarchyParents(hier, contours.Size())
	if err != nil {
		return nil, err
	}
	lo, hi := minSide*f, maxSide*f
	var out []Square
	// The tests go from the cheapest to the dearest: a contour's points
	// come out of C one call each (two in gocv's ToPoints), so they are
	// read last, for the few blobs of a square's size and shape (a page's
	// digits and letters are of a marker's size at this scale, but
	// narrower than 1.4:1).
	for i, n := 0, contours.Size(); i < n; i++ {
		if parents[i] >= 0 {
			continue // a hole
		}
		pv := contours.At(i) // a view into contours: not closed on its own
		bb := gocv.BoundingRect(pv)
		if d := float64(max(bb.Dx(), bb.Dy())); d < lo*0.8 || d > hi*1.5 {
			continue
		}
		rr := gocv.MinAreaRect(pv)
		rw, rh := float64(rr.Width), float64(rr.Height)
		if rw < 1 || rh < 1 || math.Max(rw, rh)/math.Min(rw, rh) > 1.4 {
			continue
		}
		area, c := polygonAreaCentroid(points(pv))
		side := math.Sqrt(area)
		if side < lo || side > hi || area/(rw*rh) < 0.82 {
			continue
		}
		ring, ok := ringContrast(gray, c, side/7)
		if !ok {
			continue
		}
		out = append(out, Square{Center: c.Scale(1 / f), Side: side / f, Ring: ring})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Side > out[j].Side })
	return out, nil
}

// viewGray is an *image.Gray over an 8-bit single-channel Mat's pixels,
// not a copy: valid until m is closed.
func viewGray(m gocv.Mat) (*image.Gray, error) {
	if m.Empty() || m.Type() != gocv.MatTypeCV8UC1 {
		return nil, fmt.Errorf("vision: %v is not an 8-bit grey image", m.Type())
	}
	w, h := m.Cols(), m.Rows()
	px, err := m.DataPtrUint8()
	if err != nil || len(px) != w*h {
		return nil, fmt.Errorf("vision: grey image view: %d bytes for %dx%d (%v)", len(px), w, h, err)
	}
	return &image.Gray{Pix: px, Stride: w, Rect: image.Rect(0, 0, w, h)}, nil
}

// hierarchyParents returns the parent of each of n contours from the
// hierarchy findContours gave with them (1 x n, four int32 per contour:
// next, previous, first child, parent).
func hierarchyParents(hier gocv.Mat, n int) ([]int32, error) {
	out := make([]int32, n)
	if n == 0 {
		return out, nil
	}
	if hier.Type() != gocv.MatTypeCV32SC4 || hier.Total() != n {
		return nil, fmt.Errorf("vision: contour hierarchy %v of %d, want %d of 4 ints", hier.Type(), hier.Total(), n)
	}
	b, err := hier.DataPtrUint8()
	if err != nil || len(b) != 16*n {
		return nil, fmt.Errorf("vision: contour hierarchy: %d bytes for %d contours (%v)", len(b), n, err)
	}
	for i := range out {
		out[i] = int32(binary.NativeEndian.Uint32(b[16*i+12:]))
	}
	return out, nil
}

// points copies a contour's points to Go (gocv's ToPoints, but for
// asking the size once).
func points(pv gocv.PointVector) []image.Point {
	pts := make([]image.Point, pv.Size())
	for j := range pts {
		pts[j] = pv.At(j)
	}
	return pts
}

// inkMask returns a binary Mat (255 = ink) of the pixels of src darker than
// ratio times the local paper level, the paper being estimated by a
// dilation (max filter) about kernel pixels wide on a reduced copy.
func inkMask(src gocv.Mat, kernel, ratio float64) gocv.Mat {
	const shrink = 4
	sz := image.Pt(src.Cols(), src.Rows())
	small := gocv.NewMat()
	defer small.Close()
	ssz := image.Pt(max(1, sz.X/shrink), max(1, sz.Y/shrink))
	gocv.Resize(src, &small, ssz, 0, 0, gocv.InterpolationArea)
	k := max(3, int(kernel/shrink)|1)
	kern := gocv.GetStructuringElement(gocv.MorphRect, image.Pt(k, k))
	defer kern.Close()
	bg := gocv.NewMat()
	defer bg.Close()
	gocv.Dilate(small, &bg, kern)
	gocv.Blur(bg, &bg, image.Pt(k, k))
	full := gocv.NewMat()
	defer full.Close()
	gocv.Resize(bg, &full, sz, 0, 0, gocv.InterpolationLinear)
	full.ConvertToWithParams(&full, gocv.MatTypeCV8U, float32(ratio), 0)
	mask := gocv.NewMat()
	gocv.Compare(src, full, &mask, gocv.CompareLT)
	return mask
}

// ringContrast samples g on a circle of radius 2 modules around c (which,
// on a finder pattern, lies on the white ring for about 90% of its length),
// at the centre (core) and on a circle of 5 modules (paper), and returns
// (ring - core) / (paper - core) using the ring's median.
func ringContrast(g *image.Gray, c geom.Point, module float64) (float64, bool) {
	const n = 32
	var ring, paper [n]float64
	for i := 0; i < n; i++ {
		a := 2 * math.Pi * float64(i) / n
		dx, dy := math.Cos(a), math.Sin(a)
		ring[i] = bilinear(g, c.X+2*module*dx, c.Y+2*module*dy)
		paper[i] = bilinear(g, c.X+5*module*dx, c.Y+5*module*dy)
	}
	core := 0.0
	for _, d := range [][2]float64{{0, 0}, {-0.7, 0}, {0.7, 0}, {0, -0.7}, {0, 0.7}} {
		core += bilinear(g, c.X+d[0]*module, c.Y+d[1]*module)
	}
	core /= 5
	sort.Float64s(ring[:])
	sort.Float64s(paper[:])
	p := paper[n*3/4]
	if p-core < 30 {
		return 0, false // no contrast: not a dark blob on paper
	}
	return (ring[n/2] - core) / (p - core), true
}

// bilinear samples g at continuous coordinates (x, y), clamping at edges.
func bilinear(g *image.Gray, x, y float64) float64 {
	x -= 0.5
	y -= 0.5
	w, h := g.Rect.Dx(), g.Rect.Dy()
	x = math.Max(0, math.Min(float64(w-1), x))
	y = math.Max(0, math.Min(float64(h-1), y))
	x0, y0 := int(x), int(y)
	x1, y1 := min(x0+1, w-1), min(y0+1, h-1)
	fx, fy := x-float64(x0), y-float64(y0)
	at := func(i, j int) float64 { return float64(g.Pix[j*g.Stride+i]) }
	top := at(x0, y0)*(1-fx) + at(x1, y0)*fx
	bot := at(x0, y1)*(1-fx) + at(x1, y1)*fx
	return top*(1-fy) + bot*fy
}

// polygonAreaCentroid returns the area and centroid of a closed contour of
// pixel indices, in continuous coordinates (a contour runs through the
// centres of its boundary pixels, so half a pixel of border is added back
// through the perimeter).
func polygonAreaCentroid(pts []image.Point) (float64, geom.Point) {
	var a, cx, cy, per float64
	n := len(pts)
	if n == 0 {
		return 0, geom.Point{}
	}
	for i := 0; i < n; i++ {
		p, q := pts[i], pts[(i+1)%n]
		cr := float64(p.X*q.Y - q.X*p.Y)
		a += cr
		cx += float64(p.X+q.X) * cr
		cy += float64(p.Y+q.Y) * cr
		per += math.Hypot(float64(q.X-p.X), float64(q.Y-p.Y))
	}
	if math.Abs(a) < 1e-9 {
		var sx, sy float64
		for _, p := range pts {
			sx += float64(p.X)
			sy += float64(p.Y)
		}
		return per/2 + 1, geom.Point{X: sx/float64(n) + 0.5, Y: sy/float64(n) + 0.5}
	}
	cx /= 3 * a
	cy /= 3 * a
	return math.Abs(a)/2 + per/2 + 1, geom.Point{X: cx + 0.5, Y: cy + 0.5}
}
