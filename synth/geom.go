package synth

import (
	"math"

	"github.com/regfus/regfus/layout"
)

// Point is a position in millimetres (page or label) or pixels (image).
type Point struct {
	X float64 `json:"x"`
	Y float64 `json:"y"`
}

// Quad is a convex quadrilateral, corners in order: the rotated outline of
// a label or symbol on the page (top-left, top-right, bottom-right,
// bottom-left of the unrotated shape).
type Quad [4]Point

// placement puts a label-sized rectangle on the page: its centre in page mm
// and its clockwise rotation in degrees (y points down).
type placement struct {
	cx, cy float64
	angle  float64
	w, h   float64
}

// toPage maps a point in the placed rectangle's own mm (origin top-left) to
// page mm.
func (p placement) toPage(x, y float64) Point {
	s, c := math.Sincos(p.angle * math.Pi / 180)
	dx, dy := x-p.w/2, y-p.h/2
	return Point{p.cx + c*dx - s*dy, p.cy + s*dx + c*dy}
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

// Homography is a 3x3 projective transform, row-major: (x, y, 1) maps to
// (H0 x + H1 y + H2, H3 x + H4 y + H5) / (H6 x + H7 y + H8).
type Homography [9]float64

// Apply maps (x, y).
func (h Homography) Apply(x, y float64) (float64, float64) {
	w := h[6]*x + h[7]*y + h[8]
	return (h[0]*x + h[1]*y + h[2]) / w, (h[3]*x + h[4]*y + h[5]) / w
}

// Then returns the transform applying h first, then g.
func (h Homography) Then(g Homography) Homography {
	var r Homography
	for i := 0; i < 3; i++ {
		for j := 0; j < 3; j++ {
			for k := 0; k < 3; k++ {
				r[i*3+j] += g[i*3+k] * h[k*3+j]
			}
		}
	}
	return r
}

// Inverse returns the inverse transform.
func (h Homography) Inverse() Homography {
	a, b, c, d, e, f, g, i, k := h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8]
	A := e*k - f*i
	B := -(d*k - f*g)
	C := d*i - e*g
	det := a*A + b*B + c*C
	inv := Homography{
		A, -(b*k - c*i), b*f - c*e,
		B, a*k - c*g, -(a*f - c*d),
		C, -(a*i - b*g), a*e - b*d,
	}
	for j := range inv {
		inv[j] /= det
	}
	return inv
}

func translate(dx, dy float64) Homography { return Homography{1, 0, dx, 0, 1, dy, 0, 0, 1} }
func scale(s float64) Homography          { return Homography{s, 0, 0, 0, s, 0, 0, 0, 1} }
func rotate(deg float64) Homography {
	s, c := math.Sincos(deg * math.Pi / 180)
	return Homography{c, -s, 0, s, c, 0, 0, 0, 1}
}

// homographyFrom4 returns the transform mapping src[i] to dst[i] (direct
// linear solve of the 8 unknowns with H8 = 1).
func homographyFrom4(src, dst [4]Point) Homography {
	var m [8][9]float64
	for i := 0; i < 4; i++ {
		x, y, u, v := src[i].X, src[i].Y, dst[i].X, dst[i].Y
		m[2*i] = [9]float64{x, y, 1, 0, 0, 0, -u * x, -u * y, u}
		m[2*i+1] = [9]float64{0, 0, 0, x, y, 1, -v * x, -v * y, v}
	}
	for c := 0; c < 8; c++ {
		p := c
		for r := c + 1; r < 8; r++ {
			if math.Abs(m[r][c]) > math.Abs(m[p][c]) {
				p = r
			}
		}
		m[c], m[p] = m[p], m[c]
		for r := 0; r < 8; r++ {
			if r == c || m[r][c] == 0 {
				continue
			}
			f := m[r][c] / m[c][c]
			for k := c; k < 9; k++ {
				m[r][k] -= f * m[c][k]
			}
		}
	}
	var h Homography
	for i := 0; i < 8; i++ {
		h[i] = m[i][8] / m[i][i]
	}
	h[8] = 1
	return h
}
