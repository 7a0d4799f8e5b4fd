package synth

import (
	"math"

	"github.com/regfus/regfus/geom"
	"github.com/regfus/regfus/layout"
)

// Quad is a convex quadrilateral, corners in order: the rotated outline of
// a label or symbol on the page (top-left, top-right, bottom-right,
// bottom-left of the unrotated shape).
type Quad [4]geom.Point

// placement puts a label-sized rectangle on the page: its centre in page mm
// and its clockwise rotation in degrees (y points down).
type placement struct {
	cx, cy float64
	angle  float64
	w, h   float64
}

// toPage maps a point in the placed rectangle's own mm (origin top-left) to
// page mm.
func (p placement) toPage(x, y float64) geom.Point {
	s, c := math.Sincos(p.angle * math.Pi / 180)
	dx, dy := x-p.w/2, y-p.h/2
	return geom.Point{X: p.cx + c*dx - s*dy, Y: p.cy + s*dx + c*dy}
}

// toLocal is the inverse of toPage.
func (p placement) toLocal(x, y float64) (float64, float64) {
	s, c := math.Sincos(p.angle * math.Pi / 180)
	dx, dy := x-p.cx, y-p.cy
	return c*dx + s*dy + p.w/2, -s*dx + c*dy + p.h/2
}

// quad maps rectangle r of the placed shape to the page.
func (p placement) quad(r layout.Rect) Quad {
	return Quad{p.toPage(r.X, r.Y), p.toPage(r.Right(), r.Y), p.toPage(r.Right(), r.Bottom()), p.toPage(r.X, r.Bottom())}
}

// Bounds returns the axis-aligned bounding box of q.
func (q Quad) Bounds() layout.Rect {
	x0, y0, x1, y1 := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, p := range q {
		x0, y0 = math.Min(x0, p.X), math.Min(y0, p.Y)
		x1, y1 = math.Max(x1, p.X), math.Max(y1, p.Y)
	}
	return layout.Rect{X: x0, Y: y0, W: x1 - x0, H: y1 - y0}
}

// Intersects reports whether two convex quads share area (separating axis
// test over the edges of both).
func (q Quad) Intersects(o Quad) bool {
	for _, poly := range [2]Quad{q, o} {
		for i := 0; i < 4; i++ {
			a, b := poly[i], poly[(i+1)%4]
			nx, ny := -(b.Y - a.Y), b.X-a.X
			min1, max1 := project(q, nx, ny)
			min2, max2 := project(o, nx, ny)
			if max1 <= min2+1e-9 || max2 <= min1+1e-9 {
				return false
			}
		}
	}
	return true
}

func project(q Quad, nx, ny float64) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, p := range q {
		v := p.X*nx + p.Y*ny
		lo, hi = math.Min(lo, v), math.Max(hi, v)
	}
	return
}

// Inside reports whether every corner of q lies in r.
func (q Quad) Inside(r layout.Rect) bool {
	for _, p := range q {
		if p.X < r.X || p.X > r.Right() || p.Y < r.Y || p.Y > r.Bottom() {
			return false
		}
	}
	return true
}
