package vision

import (
	"image"
	"math"
	"testing"

	"github.com/regfus/regfus/layout"
	"github.com/regfus/regfus/render"
	"github.com/regfus/regfus/sheet"
)

func renderSheet(t testing.TB, dpi float64) *image.Gray {
	t.Helper()
	code, err := sheet.ParseCode("12020599999012023")
	if err != nil {
		t.Fatal(err)
	}
	g, err := render.Image(layout.Current(), render.Sheet{Code: code, VAT: "12345678911", Name: "Farmacia Test"}, dpi)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestFindSquaresOnRenderedSheet(t *testing.T) {
	t.Parallel()
	for _, dpi := range []float64{100, 150, 200, 300} {
		g := renderSheet(t, dpi)
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
			want := Point{cx * px, cy * px}
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

func TestFitAffineAndHomography(t *testing.T) {
	t.Parallel()
	src := []Point{{0, 0}, {186, 0}, {0, 273}, {186, 273}}
	truth := Homography{2.1, 0.05, 30, -0.04, 2.2, 12, 0.00001, 0.00002, 1}
	dst := make([]Point, 4)
	for i, p := range src {
		dst[i] = truth.Apply(p)
	}
	h, err := FitHomography(src, dst)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []Point{{10, 10}, {100, 200}} {
		if d := h.Apply(p).Sub(truth.Apply(p)).Len(); d > 1e-6 {
			t.Errorf("homography off by %g at %v", d, p)
		}
	}
	aff := Homography{2, 0.1, 5, -0.1, 2, 7, 0, 0, 1}
	for i, p := range src {
		dst[i] = aff.Apply(p)
	}
	a, res, err := FitAffine(src, dst)
	if err != nil || res > 1e-6 || math.Abs(a[1]-0.1) > 1e-9 {
		t.Errorf("affine fit %v res %g err %v", a, res, err)
	}
	if _, _, err := FitAffine(src[:2], dst[:2]); err == nil {
		t.Error("affine fit on 2 points: no error")
	}
	if _, _, err := FitAffine([]Point{{0, 0}, {1, 1}, {2, 2}}, []Point{{0, 0}, {1, 1}, {2, 2}}); err == nil {
		t.Error("affine fit on collinear points: no error")
	}
}

func TestWarpIdentityAndErrors(t *testing.T) {
	t.Parallel()
	g := renderSheet(t, 100)
	im, err := NewImage(g)
	if err != nil {
		t.Fatal(err)
	}
	defer im.Close()
	out, err := im.Warp(Homography{1, 0, 0, 0, 1, 0, 0, 0, 1}, g.Rect.Size())
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
	if _, err := im.Warp(Homography{}, image.Pt(0, 5)); err == nil {
		t.Error("zero-size warp: no error")
	}
	if _, err := NewImage(&image.Gray{}); err == nil {
		t.Error("empty image: no error")
	}
	im.Close()
	if _, err := im.Warp(Homography{1, 0, 0, 0, 1, 0, 0, 0, 1}, image.Pt(5, 5)); err == nil {
		t.Error("warp on closed image: no error")
	}
}
