package acquisition

import (
	"math"
	"slices"
	"testing"

	"github.com/regfus/regfus/geom"
	"github.com/regfus/regfus/layout"
	"github.com/regfus/regfus/vision"
)

// squaresOf places the markers named by idx (0 head-left .. 3 tail-right)
// through the similarity of scale px/mm, rotation deg and offset, as the
// square candidates the vision step would report.
func squaresOf(l *layout.Layout, idx []int, scale, deg float64, off geom.Point) []vision.Square {
	a := deg * math.Pi / 180
	cs, sn := math.Cos(a), math.Sin(a)
	m, _ := l.Marker("head-left")
	centers := markerCenters(l)
	var out []vision.Square
	for _, i := range idx {
		c := centers[i]
		p := geom.Point{X: scale*(cs*c.X-sn*c.Y) + off.X, Y: scale*(sn*c.X+cs*c.Y) + off.Y}
		ring := 0.99 // a head marker's finder pattern
		if i >= 2 {
			ring = 0 // a tail marker's solid square
		}
		out = append(out, vision.Square{Center: p, Side: m.W * scale, Ring: ring})
	}
	return out
}

// A folded corner hides one marker; three smaller squares elsewhere on the
// page (a label's matrix code finder patterns) form the triangle of a sheet
// at a third of the scale. Both triangles fit an affine map exactly: the
// sheet's own, larger markers must win, whichever is listed first.
func TestChooseFitPrefersTheMarkersOverASmallerTriangle(t *testing.T) {
	l := layout.Current()
	const dpi = 200
	scale := dpi / 25.4
	markers := squaresOf(l, []int{0, 1, 3}, scale, -0.7, geom.Point{X: -15, Y: -4})
	decoys := squaresOf(l, []int{0, 1, 2}, scale*0.48, 180-42, geom.Point{X: 1291, Y: 526})
	for _, order := range [][]vision.Square{
		slices.Concat(decoys, markers),
		slices.Concat(markers, decoys),
	} {
		f := chooseFit(order, l)
		if f == nil {
			t.Fatal("no fit")
		}
		g, err := f.geometry(l)
		if err != nil {
			t.Fatal(err)
		}
		if g.Orientation != 0 || math.Abs(g.DPI-dpi) > 1 || g.Markers != 3 {
			t.Errorf("fit orientation %d, %.1f dpi, %d markers; want 0, %d dpi, 3 markers", g.Orientation, g.DPI, g.Markers, dpi)
		}
	}
}
