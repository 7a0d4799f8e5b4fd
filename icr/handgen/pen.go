package handgen

import (
	"math"
	"math/rand/v2"
)

// pt is a point: in a glyph's unit box (x right, y down, the glyph about
// 0.7 wide and 1 high) or in canvas pixels.
type pt struct{ x, y float64 }

// canvas is an ink map: 0 is paper, 1 full ink.
type canvas struct {
	w, h int
	v    []float32
}

func newCanvas(w, h int) *canvas { return &canvas{w, h, make([]float32, w*h)} }

// line inks a capsule from a to b of radius r px, coverage anti-aliased
// over one pixel and combined by maximum (a pen crossing its own line does
// not darken it twice).
func (c *canvas) line(a, b pt, r float64) {
	x0 := max(int(math.Floor(math.Min(a.x, b.x)-r-1)), 0)
	x1 := min(int(math.Ceil(math.Max(a.x, b.x)+r+1)), c.w)
	y0 := max(int(math.Floor(math.Min(a.y, b.y)-r-1)), 0)
	y1 := min(int(math.Ceil(math.Max(a.y, b.y)+r+1)), c.h)
	dx, dy := b.x-a.x, b.y-a.y
	l2 := dx*dx + dy*dy
	for y := y0; y < y1; y++ {
		py := float64(y) + 0.5
		for x := x0; x < x1; x++ {
			px := float64(x) + 0.5
			t := 0.0
			if l2 > 0 {
				t = math.Max(0, math.Min(1, ((px-a.x)*dx+(py-a.y)*dy)/l2))
			}
			ex, ey := px-(a.x+t*dx), py-(a.y+t*dy)
			cov := float32(math.Max(0, math.Min(1, r+0.5-math.Sqrt(ex*ex+ey*ey))))
			if i := y*c.w + x; cov > c.v[i] {
				c.v[i] = cov
			}
		}
	}
}

// polyline inks a pen trace through pts whose width swells and fades
// along it (a ballpoint's pressure) around w px.
func (c *canvas) polyline(r *rand.Rand, pts []pt, w float64) {
	ph := r.Float64() * 2 * math.Pi
	amp := 0.1 + 0.25*r.Float64()
	for i := 0; i+1 < len(pts); i++ {
		t := float64(i) / float64(max(len(pts)-1, 1))
		rad := w / 2 * (1 - amp/2 + amp*math.Sin(ph+t*3))
		c.line(pts[i], pts[i+1], math.Max(rad, 0.35))
	}
	if len(pts) == 1 {
		c.line(pts[0], pts[0], w/2)
	}
}

// disc inks a filled ellipse.
func (c *canvas) disc(ctr pt, rx, ry, angle float64) {
	cs, sn := math.Cos(angle), math.Sin(angle)
	rr := math.Max(rx, ry) + 1
	for y := max(int(ctr.y-rr), 0); y < min(int(ctr.y+rr)+1, c.h); y++ {
		for x := max(int(ctr.x-rr), 0); x < min(int(ctr.x+rr)+1, c.w); x++ {
			dx, dy := float64(x)+0.5-ctr.x, float64(y)+0.5-ctr.y
			u, v := (dx*cs+dy*sn)/rx, (-dx*sn+dy*cs)/ry
			d := math.Sqrt(u*u + v*v)
			cov := float32(math.Max(0, math.Min(1, (1-d)*math.Min(rx, ry)+0.5)))
			if i := y*c.w + x; cov > c.v[i] {
				c.v[i] = cov
			}
		}
	}
}

// bounds is the box of the ink over 0.25, [x0,x1)×[y0,y1).
func (c *canvas) bounds() (x0, y0, x1, y1 int, ok bool) {
	x0, y0 = c.w, c.h
	for y := 0; y < c.h; y++ {
		for x := 0; x < c.w; x++ {
			if c.v[y*c.w+x] > 0.25 {
				x0, y0, x1, y1 = min(x0, x), min(y0, y), max(x1, x+1), max(y1, y+1)
			}
		}
	}
	return x0, y0, x1, y1, x1 > x0
}

// catmullRom returns the spline through pts with n steps per segment.
func catmullRom(pts []pt, n int) []pt {
	if len(pts) < 3 {
		return pts
	}
	ext := append([]pt{pts[0]}, pts...)
	ext = append(ext, pts[len(pts)-1])
	var out []pt
	for i := 1; i < len(ext)-2; i++ {
		p0, p1, p2, p3 := ext[i-1], ext[i], ext[i+1], ext[i+2]
		for s := 0; s < n; s++ {
			t := float64(s) / float64(n)
			t2, t3 := t*t, t*t*t
			f := func(a, b, c, d float64) float64 {
				return 0.5 * (2*b + (-a+c)*t + (2*a-5*b+4*c-d)*t2 + (-a+3*b-3*c+d)*t3)
			}
			out = append(out, pt{f(p0.x, p1.x, p2.x, p3.x), f(p0.y, p1.y, p2.y, p3.y)})
		}
	}
	return append(out, pts[len(pts)-1])
}

// hand is one writer's way with a pen, drawn afresh for every glyph.
type hand struct {
	slant  float64 // shear: x += slant * (height above the baseline)
	rot    float64 // rotation, radians
	aspect float64 // width scale
	width  float64 // pen width, fraction of the glyph height
	wobble float64 // control-point jitter, fraction of the height
	corner bool    // control points joined by straight lines (no spline)
}

func newHand(r *rand.Rand) hand {
	h := hand{
		slant:  uniform(r, -0.15, 0.45),
		rot:    uniform(r, -0.12, 0.12),
		aspect: uniform(r, 0.75, 1.25),
		wobble: uniform(r, 0.005, 0.045),
		corner: r.Float64() < 0.15,
	}
	// Pens from a fine ballpoint to a felt tip, on glyphs 4-8 mm high.
	switch x := r.Float64(); {
	case x < 0.25:
		h.width = uniform(r, 0.035, 0.06)
	case x < 0.8:
		h.width = uniform(r, 0.06, 0.11)
	default:
		h.width = uniform(r, 0.11, 0.18)
	}
	return h
}

// draw writes the strokes (unit-box control points) at height px on a
// canvas with room around.
func (h hand) draw(r *rand.Rand, strokes [][]pt, height float64) *canvas {
	side := int(height*2.2) + 8
	c := newCanvas(side, side)
	cs, sn := math.Cos(h.rot), math.Sin(h.rot)
	ox, oy := float64(side)/2, float64(side)/2
	for _, cp := range strokes {
		pts := make([]pt, len(cp))
		for i, p := range cp {
			x := (p.x - 0.45 + normal(r, h.wobble)) * h.aspect
			y := p.y - 0.5 + normal(r, h.wobble)
			x += h.slant * (0.5 - y)
			pts[i] = pt{ox + height*(x*cs-y*sn), oy + height*(x*sn+y*cs)}
		}
		if !h.corner {
			pts = catmullRom(pts, 8)
		}
		c.polyline(r, pts, h.width*height)
	}
	return c
}

func uniform(r *rand.Rand, a, b float64) float64 { return a + (b-a)*r.Float64() }
func normal(r *rand.Rand, s float64) float64     { return r.NormFloat64() * s }
