package vision

import (
	"image"
	"math"
	"testing"

	"github.com/regfus/regfus/geom"
	"github.com/regfus/regfus/layout"
	"github.com/regfus/regfus/render/rendertest"
)

func TestFindSquaresOnRenderedSheet(t *testing.T) {
	t.Parallel()
	for _, dpi := range []float64{100, 150, 200, 300} {
		g := rendertest.EmptySheet(t, dpi)
		im, err := NewImage(g)
		if err != nil {
			t.Fatal(err)
		}
		px := dpi / 25.4
		sq, err := im.FindSquares(4*px, 16*px)
		im.Close()
		if err != nil {
			t.Fatal(err)
		}
		l := layout.Current()
		for _, m := range l.Markers {
			cx, cy := m.Center()
			want := geom.Point{X: cx * px, Y: cy * px}
			found := false
			for _, s := range sq {
				if s.Center.Sub(want).Len() < 0.3*px {
					found = true
					if math.Abs(s.Side-8*px) > 0.5*px {
						t.Errorf("dpi %g %s: side %.1f px, want %.1f", dpi, m.Name, s.Side, 8*px)
					}
					if head := s.Ring > 0.5; head != (m.Kind == layout.Head) {
						t.Errorf("dpi %g %s: ring contrast %.2f", dpi, m.Name, s.Ring)
					}
				}
			}
			if !found {
				t.Errorf("dpi %g: marker %s at %v not found in %+v", dpi, m.Name, want, sq)
			}
		}
		if len(sq) != 4 {
			t.Errorf("dpi %g: %d squares, want 4: %+v", dpi, len(sq), sq)
		}
	}
}

func TestWarpIdentityAndErrors(t *testing.T) {
	t.Parallel()
	g := rendertest.EmptySheet(t, 100)
	im, err := NewImage(g)
	if err != nil {
		t.Fatal(err)
	}
	defer im.Close()
	out, err := im.Warp(geom.Homography{1, 0, 0, 0, 1, 0, 0, 0, 1}, g.Rect.Size())
	if err != nil {
		t.Fatal(err)
	}
	diff := 0
	for i := range g.Pix {
		if d := int(g.Pix[i]) - int(out.Pix[i]); d > 2 || d < -2 {
			diff++
		}
	}
	if diff > 0 {
		t.Errorf("identity warp changed %d pixels", diff)
	}
	if _, err := im.Warp(geom.Homography{}, image.Pt(0, 5)); err == nil {
		t.Error("zero-size warp: no error")
	}
	if _, err := NewImage(&image.Gray{}); err == nil {
		t.Error("empty image: no error")
	}
	im.Close()
	if _, err := im.Warp(geom.Homography{1, 0, 0, 0, 1, 0, 0, 0, 1}, image.Pt(5, 5)); err == nil {
		t.Error("warp on closed image: no error")
	}
}
