package handgen

import (
	"image"
	"math"
	"math/rand/v2"
)

// From ink to a crop. A glyph's ink map (pen strokes, an enlarged MNIST
// digit, a font's letter) is distorted (shear, rotation, stretch, thicker
// or thinner pen), cut out with a random margin as a segmenter would, laid
// on paper of a random tone with ink of a random tone, given pieces of the
// box's lines at its edges, scanner noise and blur or a bitonal threshold,
// and only then normalised by icr.Normalize, as any crop will be.

// affine maps canvas c through the matrix [a b; d e] about its centre,
// onto a canvas with the same centre and room for the result.
func affine(c *canvas, a, b, d, e float64) *canvas {
	det := a*e - b*d
	if math.Abs(det) < 1e-6 {
		return c
	}
	ia, ib, id, ie := e/det, -b/det, -d/det, a/det
	grow := math.Max(math.Abs(a)+math.Abs(b), math.Abs(d)+math.Abs(e))
	side := int(float64(max(c.w, c.h))*grow) + 4
	out := newCanvas(side, side)
	cx, cy := float64(c.w)/2, float64(c.h)/2
	ox, oy := float64(side)/2, float64(side)/2
	for y := 0; y < side; y++ {
		for x := 0; x < side; x++ {
			u, v := float64(x)+0.5-ox, float64(y)+0.5-oy
			sx, sy := ia*u+ib*v+cx-0.5, id*u+ie*v+cy-0.5
			out.v[y*side+x] = c.bilinear(sx, sy)
		}
	}
	return out
}

func (c *canvas) bilinear(x, y float64) float32 {
	x0, y0 := int(math.Floor(x)), int(math.Floor(y))
	fx, fy := float32(x-float64(x0)), float32(y-float64(y0))
	at := func(x, y int) float32 {
		if x < 0 || y < 0 || x >= c.w || y >= c.h {
			return 0
		}
		return c.v[y*c.w+x]
	}
	return (at(x0, y0)*(1-fx)+at(x0+1, y0)*fx)*(1-fy) + (at(x0, y0+1)*(1-fx)+at(x0+1, y0+1)*fx)*fy
}

// morph thickens (r > 0) or thins (r < 0) the ink by |r| px: a maximum or
// minimum over a disc.
func morph(c *canvas, r int) *canvas {
	if r == 0 {
		return c
	}
	out := newCanvas(c.w, c.h)
	rad := abs(r)
	for y := 0; y < c.h; y++ {
		for x := 0; x < c.w; x++ {
			best := c.v[y*c.w+x]
			for dy := -rad; dy <= rad; dy++ {
				for dx := -rad; dx <= rad; dx++ {
					if dx*dx+dy*dy > rad*rad {
						continue
					}
					xx, yy := x+dx, y+dy
					v := float32(0)
					if xx >= 0 && yy >= 0 && xx < c.w && yy < c.h {
						v = c.v[yy*c.w+xx]
					}
					if (r > 0 && v > best) || (r < 0 && v < best) {
						best = v
					}
				}
			}
			out.v[y*c.w+x] = best
		}
	}
	return out
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// distort slants (-0.3..0.4; Wide -0.3..0.45, backward to strongly
// forward), rotates (±0.15 rad; Wide ±12°) and stretches c (used on MNIST
// digits and font letters, whose shapes come without a hand's variation).
// Wide's ranges are as wide as a form's writers are, not as synth's pages
// draw them.
func (rc Recipe) distort(r *rand.Rand, c *canvas) *canvas {
	hi, tilt := 0.4, 0.15
	if rc.Wide {
		hi, tilt = 0.45, 0.21
	}
	sh := uniform(r, -0.3, hi)
	rot := uniform(r, -tilt, tilt)
	sx := uniform(r, 0.8, 1.2)
	cs, sn := math.Cos(rot), math.Sin(rot)
	// rotation · shear · stretch
	a, b := sx, -sh
	d, e := 0.0, 1.0
	return affine(c, cs*a-sn*d, cs*b-sn*e, sn*a+cs*d, sn*b+cs*e)
}

// crop is how a glyph is laid on paper.
type crop struct {
	boxLines bool // pieces of the box's lines at the crop's edges
	bitonal  bool // thresholded to black and white (a fax or G4 TIFF)
}

// compose lays the ink of c on paper as a segmenter's crop of it and
// returns the crop.
func (rc Recipe) compose(r *rand.Rand, c *canvas, opt crop) *image.Gray {
	x0, y0, x1, y1, ok := c.bounds()
	if !ok {
		x0, y0, x1, y1 = 0, 0, c.w, c.h
	}
	gh := float64(max(y1-y0, x1-x0))
	m := func() int { return int(gh * uniform(r, 0.03, 0.3)) }
	cx0, cy0, cx1, cy1 := x0-m(), y0-m(), x1+m(), y1+m()
	w, h := cx1-cx0, cy1-cy0
	ink := make([]float32, w*h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			sx, sy := x+cx0, y+cy0
			if sx >= 0 && sy >= 0 && sx < c.w && sy < c.h {
				ink[y*w+x] = c.v[sy*c.w+sx]
			}
		}
	}
	if opt.boxLines {
		boxLines(r, ink, w, h, x0-cx0, y0-cy0, x1-cx0, y1-cy0)
	}
	if rc.Wide && r.Float64() < 0.3 {
		// A scan's blur, before a bitonal threshold (which then thickens
		// or thins the strokes): a Gaussian of 0.5-3% of the glyph.
		blur(ink, w, h, gh*uniform(r, 0.005, 0.03))
	}
	paper := uniform(r, 170, 250)
	tone := uniform(r, 0, 110)
	if rc.Wide && r.Float64() < 0.2 {
		// Light ink (a pencil, a dry ballpoint, a light scan): 50-100
		// grey levels under the paper.
		tone = paper - uniform(r, 50, 100)
	}
	noise := uniform(r, 0, 8)
	g := image.NewGray(image.Rect(0, 0, w, h))
	for i, v := range ink {
		p := paper - float64(v)*(paper-tone) + normal(r, noise)
		g.Pix[i] = uint8(math.Max(0, math.Min(255, math.Round(p))))
	}
	if opt.bitonal {
		cut := uint8((paper + tone) / 2 * uniform(r, 0.85, 1.1))
		for i, p := range g.Pix {
			if p < cut {
				g.Pix[i] = 0
			} else {
				g.Pix[i] = 255
			}
		}
	}
	return g
}

// boxLines draws pieces of a box's printed lines along one or two edges
// of the crop: thin, straight, spanning the crop, at or a little inside
// its border, and sometimes touching or crossing the glyph's ink box
// (x0,y0)-(x1,y1).
func boxLines(r *rand.Rand, ink []float32, w, h, x0, y0, x1, y1 int) {
	c := &canvas{w, h, ink}
	th := uniform(r, 0.5, 2.2)
	dark := float32(uniform(r, 0.5, 1))
	lineAt := func(a, b pt) {
		tmp := newCanvas(w, h)
		tmp.line(a, b, th)
		for i, v := range tmp.v {
			c.v[i] = max(c.v[i], v*dark)
		}
	}
	tilt := normal(r, 0.015)
	horiz := func(top bool) {
		var y float64
		if top {
			y = uniform(r, 0, float64(y0)+0.08*float64(y1-y0))
		} else {
			y = uniform(r, float64(y1)-0.08*float64(y1-y0), float64(h))
		}
		lineAt(pt{0, y}, pt{float64(w), y + tilt*float64(w)})
	}
	vert := func(left bool) {
		var x float64
		if left {
			x = uniform(r, 0, math.Max(1, float64(x0)))
		} else {
			x = uniform(r, math.Min(float64(w-1), float64(x1)), float64(w))
		}
		lineAt(pt{x, 0}, pt{x - tilt*float64(h), float64(h)})
	}
	switch r.IntN(6) {
	case 0:
		horiz(true)
	case 1:
		horiz(false)
	case 2:
		horiz(true)
		horiz(false)
	case 3:
		horiz(r.IntN(2) == 0)
		vert(r.IntN(2) == 0)
	case 4:
		vert(true)
		vert(false)
	default:
		horiz(true)
		horiz(false)
		vert(true)
		vert(false)
	}
}

// blur convolves the w×h ink map v with a Gaussian of deviation sigma px
// (separable; nothing under 0.3 px).
func blur(v []float32, w, h int, sigma float64) {
	if sigma < 0.3 {
		return
	}
	rad := int(math.Ceil(2.5 * sigma))
	k := make([]float32, 2*rad+1)
	var sum float32
	for i := range k {
		d := float64(i - rad)
		k[i] = float32(math.Exp(-d * d / (2 * sigma * sigma)))
		sum += k[i]
	}
	for i := range k {
		k[i] /= sum
	}
	tmp := make([]float32, len(v))
	pass := func(dst, src []float32, n, m int, at func(i, j int) int) {
		for j := 0; j < m; j++ {
			for i := 0; i < n; i++ {
				var acc float32
				for t, kv := range k {
					if ii := i + t - rad; ii >= 0 && ii < n {
						acc += kv * src[at(ii, j)]
					}
				}
				dst[at(i, j)] = acc
			}
		}
	}
	pass(tmp, v, w, h, func(x, y int) int { return y*w + x })
	pass(v, tmp, h, w, func(y, x int) int { return y*w + x })
}
