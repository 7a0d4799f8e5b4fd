package overlay

import (
	"image"
	"math"

	"github.com/regfus/regfus/geom"
	"github.com/regfus/regfus/layout"
	"github.com/regfus/regfus/page"
)

// pageMap maps layout millimetres to image pixels.
type pageMap struct {
	ok bool
	// exact is the reader's map (layout mm to pixels of this image, origin
	// included), when the result carries one.
	exact *geom.Homography
	k     float64 // pixels per mm
	cos   float64
	sin   float64
	cx    float64 // image centre
	cy    float64
	w, h  float64 // layout page size, mm
}

func newPageMap(b image.Rectangle, r *page.Result, l *layout.Layout) pageMap {
	if r == nil || r.Orientation == nil {
		return pageMap{}
	}
	if g := r.Geometry; g != nil && g.Width > 0 && g.Height > 0 {
		// The image may be the page decoded at another size than the
		// reader's (a PDF rendered at another resolution): scale, then
		// shift to the image's origin.
		sx, sy := float64(b.Dx())/float64(g.Width), float64(b.Dy())/float64(g.Height)
		pre := geom.Homography{sx, 0, float64(b.Min.X), 0, sy, float64(b.Min.Y), 0, 0, 1}
		m := pre.Mul(geom.Homography(g.ToSource))
		pm := pageMap{ok: true, exact: &m, w: l.Page.W, h: l.Page.H}
		// Scale at the page centre (pixels per mm), for line widths and
		// crop resolution.
		x0, y0 := pm.pt(l.Page.W/2, l.Page.H/2)
		x1, y1 := pm.pt(l.Page.W/2+1, l.Page.H/2)
		x2, y2 := pm.pt(l.Page.W/2, l.Page.H/2+1)
		pm.k = math.Sqrt(math.Abs((x1-x0)*(y2-y0) - (y1-y0)*(x2-x0)))
		if pm.k > 0 && !math.IsNaN(pm.k) && !math.IsInf(pm.k, 0) {
			return pm
		}
		// A degenerate stored map: fall back to the approximation.
	}
	deg := float64(*r.Orientation)
	if r.Quality != nil {
		deg += r.Quality.SkewDeg
	}
	rad := deg * math.Pi / 180
	m := pageMap{ok: true, cos: math.Cos(rad), sin: math.Sin(rad),
		cx: float64(b.Min.X+b.Max.X) / 2, cy: float64(b.Min.Y+b.Max.Y) / 2, w: l.Page.W, h: l.Page.H}
	// The page's extent in the image at one pixel per mm, rotated.
	ew := math.Abs(m.cos)*m.w + math.Abs(m.sin)*m.h
	eh := math.Abs(m.sin)*m.w + math.Abs(m.cos)*m.h
	fit := math.Min(float64(b.Dx())/ew, float64(b.Dy())/eh)
	m.k = fit
	if r.Quality != nil && r.Quality.DPI > 0 {
		// Trust the measured resolution unless the page would then be
		// absurdly larger or smaller than the image.
		if k := r.Quality.DPI / 25.4; k > fit*0.3 && k < fit*1.3 {
			m.k = k
		}
	}
	return m
}

// pt maps a layout point to image coordinates.
func (m pageMap) pt(x, y float64) (float64, float64) {
	if m.exact != nil {
		p := m.exact.Apply(geom.Point{X: x, Y: y})
		return p.X, p.Y
	}
	dx, dy := (x-m.w/2)*m.k, (y-m.h/2)*m.k
	return m.cx + dx*m.cos - dy*m.sin, m.cy + dx*m.sin + dy*m.cos
}

// quad maps the corners of a layout rectangle.
func (m pageMap) quad(r layout.Rect) [4]geom.Point {
	var q [4]geom.Point
	for i, c := range [4]geom.Point{{X: r.X, Y: r.Y}, {X: r.Right(), Y: r.Y}, {X: r.Right(), Y: r.Bottom()}, {X: r.X, Y: r.Bottom()}} {
		q[i].X, q[i].Y = m.pt(c.X, c.Y)
	}
	return q
}

// bounds is the pixel rectangle holding the mapped layout rectangle.
func (m pageMap) bounds(r layout.Rect) image.Rectangle {
	q := m.quad(r)
	x0, y0, x1, y1 := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, p := range q {
		x0, y0 = math.Min(x0, p.X), math.Min(y0, p.Y)
		x1, y1 = math.Max(x1, p.X), math.Max(y1, p.Y)
	}
	return image.Rect(int(math.Floor(x0)), int(math.Floor(y0)), int(math.Ceil(x1)), int(math.Ceil(y1)))
}
