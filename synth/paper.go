package synth

import (
	"math"

	"github.com/regfus/regfus/geom"
	"github.com/regfus/regfus/layout"
)

// The physical sheet. The layout is in the counter software's millimetres;
// the paper is what the scanner sees. They differ in two ways that happen
// every day and that a reader must not assume away:
//
//   - printing: "fit to printable area" shrinks the page by a few percent
//     and printers shift it by a millimetre or two, so the layout's page
//     edge is not the paper's edge and the markers are not exactly 8 mm in;
//   - handling: a corner gets folded over (dog-ear), hiding what was printed
//     under the flap and leaving the scanner's background where the corner
//     was - sometimes a marker.

// paper is the physical state of a sheet.
type paper struct {
	w, h  float64         // paper size, mm (A4)
	print geom.Homography // layout mm -> paper mm
	scale float64         // print scale (1 = actual size)
	fold  *fold
}

// fold is a dog-eared corner: the triangle with legs a (along x) and b
// (along y) at the corner is folded over onto the sheet.
type fold struct {
	corner string // top-left, top-right, bottom-right, bottom-left
	a, b   float64
	w, h   float64
}

// Fold is the truth of a folded corner.
type Fold struct {
	Corner string  `json:"corner"`
	A      float64 `json:"a"` // leg along the paper's x, mm
	B      float64 `json:"b"` // leg along y, mm
	// Hidden lists the markers the fold covers, even partly.
	Hidden []string `json:"hidden_markers"`
}

const pFold = 0.07

func newPaper(r *rng, l *layout.Layout) paper {
	p := paper{w: l.Page.W, h: l.Page.H, scale: 1}
	ox, oy := r.normal(0, 0.6), r.normal(0, 0.6)
	if r.chance(0.3) {
		p.scale = round3(r.uniform(0.94, 0.985)) // fit to printable area
	}
	p.print = geom.Translate(-p.w/2, -p.h/2).Then(geom.Scale(p.scale)).Then(geom.Translate(p.w/2+ox, p.h/2+oy))
	if r.chance(pFold) {
		p.fold = &fold{
			corner: pick(r, []string{"top-left", "top-right", "bottom-right", "bottom-left"}),
			a:      round3(r.uniform(10, 30)), b: round3(r.uniform(10, 30)), w: p.w, h: p.h,
		}
	}
	return p
}

// local maps paper mm to the fold's corner frame (u, v >= 0 towards the
// inside of the sheet).
func (f *fold) local(x, y float64) (u, v float64) {
	u, v = x, y
	if f.corner == "top-right" || f.corner == "bottom-right" {
		u = f.w - x
	}
	if f.corner == "bottom-right" || f.corner == "bottom-left" {
		v = f.h - y
	}
	return
}

// cut reports whether paper point (x, y) is where the corner used to be:
// no paper there now.
func (f *fold) cut(x, y float64) bool {
	u, v := f.local(x, y)
	return u >= 0 && v >= 0 && u/f.a+v/f.b < 1
}

// flap reports whether (x, y) is under the folded flap (the corner
// triangle mirrored across the fold line), and how far inside the flap's
// outer edges it is, in mm.
func (f *fold) flap(x, y float64) (bool, float64) {
	u, v := f.local(x, y)
	// Fold line u/a + v/b = 1; the flap lies beyond it, inside the mirror
	// of the corner's two edges.
	na, nb := 1/f.a, 1/f.b
	n2 := na*na + nb*nb
	s := na*u + nb*v - 1 // > 0 beyond the fold line
	if s < 0 {
		return false, 0
	}
	// Reflect (u, v) back across the fold line: it must land in the cut
	// triangle.
	ru, rv := u-2*s*na/n2, v-2*s*nb/n2
	if ru < 0 || rv < 0 {
		return false, 0
	}
	return true, math.Min(ru, rv)
}

// covers reports whether the fold hides paper point (x, y).
func (f *fold) covers(x, y float64) bool {
	if f.cut(x, y) {
		return true
	}
	in, _ := f.flap(x, y)
	return in
}

// hides reports whether the fold covers any part of quad q (layout mm,
// mapped to paper by print), testing a grid of points.
func (p paper) hides(q Quad) bool {
	if p.fold == nil {
		return false
	}
	for i := 0; i <= 6; i++ {
		for j := 0; j <= 6; j++ {
			s, t := float64(i)/6, float64(j)/6
			top := geom.Point{X: q[0].X + (q[1].X-q[0].X)*s, Y: q[0].Y + (q[1].Y-q[0].Y)*s}
			bot := geom.Point{X: q[3].X + (q[2].X-q[3].X)*s, Y: q[3].Y + (q[2].Y-q[3].Y)*s}
			pt := p.print.Apply(geom.Point{X: top.X + (bot.X-top.X)*t, Y: top.Y + (bot.Y-top.Y)*t})
			x, y := pt.X, pt.Y
			if p.fold.covers(x, y) {
				return true
			}
		}
	}
	return false
}
