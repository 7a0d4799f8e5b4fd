package geom

import (
	"errors"
	"fmt"
	"math"
)

// Homography is a projective map of the plane, row-major 3x3: a point
// (x, y) goes to ((h0 x + h1 y + h2) / w, (h3 x + h4 y + h5) / w) with
// w = h6 x + h7 y + h8. An affine map has h6 = h7 = 0, h8 = 1.
type Homography [9]float64

// Identity is the map that leaves every point where it is.
var Identity = Homography{1, 0, 0, 0, 1, 0, 0, 0, 1}

// Translate returns the map moving every point by (dx, dy).
func Translate(dx, dy float64) Homography { return Homography{1, 0, dx, 0, 1, dy, 0, 0, 1} }

// Scale returns the map scaling about the origin by s.
func Scale(s float64) Homography { return Homography{s, 0, 0, 0, s, 0, 0, 0, 1} }

// Rotate returns the rotation about the origin by deg degrees, clockwise
// on a page whose y axis points down.
func Rotate(deg float64) Homography {
	s, c := math.Sincos(deg * math.Pi / 180)
	return Homography{c, -s, 0, s, c, 0, 0, 0, 1}
}

// Apply maps p.
func (h Homography) Apply(p Point) Point {
	w := h[6]*p.X + h[7]*p.Y + h[8]
	return Point{(h[0]*p.X + h[1]*p.Y + h[2]) / w, (h[3]*p.X + h[4]*p.Y + h[5]) / w}
}

// Mul returns the composition h after g (first g, then h).
func (h Homography) Mul(g Homography) Homography {
	var r Homography
	for i := 0; i < 3; i++ {
		for j := 0; j < 3; j++ {
			for k := 0; k < 3; k++ {
				r[3*i+j] += h[3*i+k] * g[3*k+j]
			}
		}
	}
	return r
}

// Then returns the map applying h first, then g (g.Mul(h)), so a chain
// reads in the order the maps apply.
func (h Homography) Then(g Homography) Homography { return g.Mul(h) }

// Inverse returns the inverse map (by the adjugate; h must be invertible).
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

// Jacobian returns the partial derivatives of h at p: how far one unit step
// in x and in y moves the image of p.
func (h Homography) Jacobian(p Point) (dx, dy Point) {
	const e = 1e-3
	c := h.Apply(p)
	return h.Apply(Point{p.X + e, p.Y}).Sub(c).Scale(1 / e), h.Apply(Point{p.X, p.Y + e}).Sub(c).Scale(1 / e)
}

// FitAffine fits, by least squares, the affine map taking each src[i] to
// dst[i] (at least 3 pairs, not collinear) and returns it with the RMS
// distance between the mapped src points and dst.
func FitAffine(src, dst []Point) (Homography, float64, error) {
	n := len(src)
	if n < 3 || len(dst) != n {
		return Homography{}, 0, fmt.Errorf("geom: affine fit needs 3 or more point pairs, got %d/%d", len(src), len(dst))
	}
	// Normal equations for [a b c] with x' = a x + b y + c (same matrix for y').
	var m [3][3]float64
	var vx, vy [3]float64
	for i := 0; i < n; i++ {
		r := [3]float64{src[i].X, src[i].Y, 1}
		for a := 0; a < 3; a++ {
			for b := 0; b < 3; b++ {
				m[a][b] += r[a] * r[b]
			}
			vx[a] += r[a] * dst[i].X
			vy[a] += r[a] * dst[i].Y
		}
	}
	px, ok1 := solve3(m, vx)
	py, ok2 := solve3(m, vy)
	if !ok1 || !ok2 {
		return Homography{}, 0, errors.New("geom: affine fit: points are collinear")
	}
	h := Homography{px[0], px[1], px[2], py[0], py[1], py[2], 0, 0, 1}
	return h, rms(h, src, dst), nil
}

// FitHomography returns the projective map taking the 4 src points exactly
// to the 4 dst points (no three collinear): the 8 unknowns with h8 = 1,
// solved by Gaussian elimination with partial pivoting.
func FitHomography(src, dst []Point) (Homography, error) {
	if len(src) != 4 || len(dst) != 4 {
		return Homography{}, fmt.Errorf("geom: homography needs 4 point pairs, got %d/%d", len(src), len(dst))
	}
	var a [8][9]float64
	for i := 0; i < 4; i++ {
		x, y, u, v := src[i].X, src[i].Y, dst[i].X, dst[i].Y
		a[2*i] = [9]float64{x, y, 1, 0, 0, 0, -u * x, -u * y, u}
		a[2*i+1] = [9]float64{0, 0, 0, x, y, 1, -v * x, -v * y, v}
	}
	return solve8(&a)
}

// solve8 solves the 8 equations in the homography's unknowns (h8 = 1),
// augmented by their right-hand side, by Gauss-Jordan elimination with
// partial pivoting; an error when the points are degenerate.
func solve8(a *[8][9]float64) (Homography, error) {
	for c := 0; c < 8; c++ {
		p := c
		for r := c + 1; r < 8; r++ {
			if math.Abs(a[r][c]) > math.Abs(a[p][c]) {
				p = r
			}
		}
		if math.Abs(a[p][c]) < 1e-12 {
			return Homography{}, errors.New("geom: homography: degenerate points")
		}
		a[c], a[p] = a[p], a[c]
		for r := 0; r < 8; r++ {
			if r == c {
				continue
			}
			k := a[r][c] / a[c][c]
			for j := c; j < 9; j++ {
				a[r][j] -= k * a[c][j]
			}
		}
	}
	var h Homography
	for i := 0; i < 8; i++ {
		h[i] = a[i][8] / a[i][i]
	}
	h[8] = 1
	return h, nil
}

func rms(h Homography, src, dst []Point) float64 {
	var s float64
	for i := range src {
		d := h.Apply(src[i]).Sub(dst[i]).Len()
		s += d * d
	}
	return math.Sqrt(s / float64(len(src)))
}

func solve3(m [3][3]float64, v [3]float64) ([3]float64, bool) {
	det := func(m [3][3]float64) float64 {
		return m[0][0]*(m[1][1]*m[2][2]-m[1][2]*m[2][1]) -
			m[0][1]*(m[1][0]*m[2][2]-m[1][2]*m[2][0]) +
			m[0][2]*(m[1][0]*m[2][1]-m[1][1]*m[2][0])
	}
	d := det(m)
	if math.Abs(d) < 1e-9*math.Max(1, math.Abs(m[0][0]*m[1][1]*m[2][2])) {
		return [3]float64{}, false
	}
	var out [3]float64
	for c := 0; c < 3; c++ {
		mc := m
		for r := 0; r < 3; r++ {
			mc[r][c] = v[r]
		}
		out[c] = det(mc) / d
	}
	return out, true
}

// FitHomographyLS returns the projective map taking the src points
// closest to the dst points in the least-squares sense of the direct
// linear transform (h8 = 1), for 4 or more point pairs. The points are
// first moved to their centroid and scaled to a unit spread (Hartley's
// normalisation), which keeps the 8x8 normal equations well conditioned
// for page millimetres against image pixels.
func FitHomographyLS(src, dst []Point) (Homography, error) {
	if len(src) < 4 || len(src) != len(dst) {
		return Homography{}, fmt.Errorf("geom: homography needs 4 or more point pairs, got %d/%d", len(src), len(dst))
	}
	ts, td := normaliser(src), normaliser(dst)
	var n [8][9]float64 // the normal equations, augmented
	for i := range src {
		s, d := ts.Apply(src[i]), td.Apply(dst[i])
		x, y, u, v := s.X, s.Y, d.X, d.Y
		for _, row := range [2][9]float64{
			{x, y, 1, 0, 0, 0, -u * x, -u * y, u},
			{0, 0, 0, x, y, 1, -v * x, -v * y, v},
		} {
			for r := 0; r < 8; r++ {
				for c := 0; c < 9; c++ {
					n[r][c] += row[r] * row[c]
				}
			}
		}
	}
	h, err := solve8(&n)
	if err != nil {
		return Homography{}, err
	}
	out := td.Inverse().Mul(h).Mul(ts)
	for i := range out {
		out[i] /= out[8]
	}
	return out, nil
}

// normaliser is the similarity moving the points' centroid to the origin
// and their mean distance from it to √2.
func normaliser(ps []Point) Homography {
	var c Point
	for _, p := range ps {
		c = c.Add(p.Scale(1 / float64(len(ps))))
	}
	var d float64
	for _, p := range ps {
		d += p.Sub(c).Len() / float64(len(ps))
	}
	k := 1.0
	if d > 0 {
		k = math.Sqrt2 / d
	}
	return Homography{k, 0, -k * c.X, 0, k, -k * c.Y, 0, 0, 1}
}
