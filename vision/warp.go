package vision

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"math"

	"gocv.io/x/gocv"
)

// Homography is a projective map of the plane, row-major 3x3: a point
// (x, y) goes to ((h0 x + h1 y + h2) / w, (h3 x + h4 y + h5) / w) with
// w = h6 x + h7 y + h8. An affine map has h6 = h7 = 0, h8 = 1.
type Homography [9]float64

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
		return Homography{}, 0, fmt.Errorf("vision: affine fit needs 3 or more point pairs, got %d/%d", len(src), len(dst))
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
		return Homography{}, 0, errors.New("vision: affine fit: points are collinear")
	}
	h := Homography{px[0], px[1], px[2], py[0], py[1], py[2], 0, 0, 1}
	return h, rms(h, src, dst), nil
}

// FitHomography returns the projective map taking the 4 src points exactly
// to the 4 dst points (no three collinear).
func FitHomography(src, dst []Point) (Homography, error) {
	if len(src) != 4 || len(dst) != 4 {
		return Homography{}, fmt.Errorf("vision: homography needs 4 point pairs, got %d/%d", len(src), len(dst))
	}
	var a [8][9]float64
	for i := 0; i < 4; i++ {
		x, y, u, v := src[i].X, src[i].Y, dst[i].X, dst[i].Y
		a[2*i] = [9]float64{x, y, 1, 0, 0, 0, -u * x, -u * y, u}
		a[2*i+1] = [9]float64{0, 0, 0, x, y, 1, -v * x, -v * y, v}
	}
	// Gaussian elimination with partial pivoting on the 8x8 system.
	for c := 0; c < 8; c++ {
		p := c
		for r := c + 1; r < 8; r++ {
			if math.Abs(a[r][c]) > math.Abs(a[p][c]) {
				p = r
			}
		}
		if math.Abs(a[p][c]) < 1e-12 {
			return Homography{}, errors.New("vision: homography: degenerate points")
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

// MaxCropPixels bounds one warp (a full A4 page at 600 dpi is 35 Mpx).
const MaxCropPixels = 40_000_000

// Warp returns a size.X x size.Y image whose pixel centre (u+0.5, v+0.5)
// takes its gray level, by bilinear interpolation, from the point
// toSource.Apply(u+0.5, v+0.5) of im. Points outside im read as white paper.
func (im *Image) Warp(toSource Homography, size image.Point) (*image.Gray, error) {
	if err := im.check(); err != nil {
		return nil, err
	}
	if size.X <= 0 || size.Y <= 0 || size.X*size.Y > MaxCropPixels {
		return nil, fmt.Errorf("vision: warp size %dx%d out of range", size.X, size.Y)
	}
	for _, v := range toSource {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, errors.New("vision: warp: transform is not finite")
		}
	}
	// OpenCV works in pixel-index coordinates (centre of pixel i at i):
	// index = continuous - 0.5 on both sides.
	shift := func(d float64) Homography { return Homography{1, 0, d, 0, 1, d, 0, 0, 1} }
	m := shift(-0.5).Mul(toSource).Mul(shift(0.5))
	hm := gocv.NewMatWithSize(3, 3, gocv.MatTypeCV64F)
	defer hm.Close()
	for i, v := range m {
		hm.SetDoubleAt(i/3, i%3, v)
	}
	dst := gocv.NewMat()
	defer dst.Close()
	gocv.WarpPerspectiveWithParams(im.mat, &dst, hm, size,
		gocv.InterpolationLinear|gocv.WarpInverseMap, gocv.BorderConstant, color.RGBA{255, 255, 255, 255})
	return toGray(dst)
}

// Sharpness returns the variance of the Laplacian of g, a standard focus
// measure: lower is blurrier. Compare it only between images of the same
// content at the same scale (regfus measures it on the head barcode warped
// to a fixed resolution).
func Sharpness(g *image.Gray) (float64, error) {
	m, err := toMat(g)
	if err != nil {
		return 0, err
	}
	defer m.Close()
	lap := gocv.NewMat()
	defer lap.Close()
	gocv.Laplacian(m, &lap, gocv.MatTypeCV64F, 1, 1, 0, gocv.BorderDefault)
	mean, std := gocv.NewMat(), gocv.NewMat()
	defer mean.Close()
	defer std.Close()
	gocv.MeanStdDev(lap, &mean, &std)
	s := std.GetDoubleAt(0, 0)
	return s * s, nil
}
