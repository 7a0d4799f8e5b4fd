package geom

import (
	"math"
	"testing"
)

// fitExact fits src to their images under truth with fit and fails where
// the fitted map is more than 1e-6 px off truth's at any of at. It
// returns the images.
func fitExact(t *testing.T, fit func(src, dst []Point) (Homography, error), truth Homography, src, at []Point) []Point {
	t.Helper()
	dst := make([]Point, len(src))
	for i, p := range src {
		dst[i] = truth.Apply(p)
	}
	h, err := fit(src, dst)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range at {
		if d := h.Apply(p).Sub(truth.Apply(p)).Len(); d > 1e-6 {
			t.Errorf("%d exact pairs: off by %g px at %v", len(src), d, p)
		}
	}
	return dst
}

func TestFitAffineAndHomography(t *testing.T) {
	t.Parallel()
	src := []Point{{0, 0}, {186, 0}, {0, 273}, {186, 273}}
	truth := Homography{2.1, 0.05, 30, -0.04, 2.2, 12, 0.00001, 0.00002, 1}
	dst := fitExact(t, FitHomography, truth, src, []Point{{10, 10}, {100, 200}})
	if _, err := FitHomography(src, []Point{{0, 0}, {1, 1}, {2, 2}, {3, 3}}); err == nil {
		t.Error("homography onto collinear points: no error")
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

func TestInverseAndChains(t *testing.T) {
	t.Parallel()
	src := []Point{{0, 0}, {210, 0}, {210, 297}, {0, 297}}
	dst := []Point{{100, 80}, {1300, 140}, {1250, 1900}, {60, 1850}}
	h, err := FitHomography(src, dst)
	if err != nil {
		t.Fatal(err)
	}
	inv := h.Inverse()
	for i := range src {
		p := h.Apply(src[i])
		if d := p.Sub(dst[i]).Len(); d > 1e-6 {
			t.Errorf("corner %d maps to %v, want %v", i, p, dst[i])
		}
		if d := inv.Apply(p).Sub(src[i]).Len(); d > 1e-6 {
			t.Errorf("inverse of corner %d is %v", i, inv.Apply(p))
		}
		if d := h.Mul(inv).Apply(dst[i]).Sub(dst[i]).Len(); d > 1e-6 {
			t.Errorf("h after its inverse moves %v by %g", dst[i], d)
		}
	}
	a := Translate(3, 4).Then(Rotate(90)).Then(Scale(2))
	if p := a.Apply(Point{1, 0}); math.Abs(p.X+8) > 1e-9 || math.Abs(p.Y-8) > 1e-9 {
		t.Errorf("translate-rotate-scale of (1,0) = %v, want (-8, 8)", p)
	}
	if a != Scale(2).Mul(Rotate(90)).Mul(Translate(3, 4)) {
		t.Error("Then is not Mul in reverse order")
	}
	dx, dy := Scale(3).Jacobian(Point{5, 7})
	if dx.Sub(Point{3, 0}).Len() > 1e-6 || dy.Sub(Point{0, 3}).Len() > 1e-6 {
		t.Errorf("Jacobian of a scale by 3: %v %v", dx, dy)
	}
}

// The least-squares fit recovers a homography exactly from six exact
// pairs, and from noisy ones to within the noise, where an exact fit
// through four of them does worse away from them.
func TestFitHomographyLS(t *testing.T) {
	t.Parallel()
	truth := Homography{6.3, 0.2, 90, -0.15, 6.1, 40, 0.00024, 0.0003, 1}
	src := []Point{{12, 12}, {198, 12}, {198, 285}, {56, 287}, {156, 287}, {106, 24}}
	dst := fitExact(t, FitHomographyLS, truth, src, []Point{{12, 285}, {105, 148}})
	// A pixel of noise on the barcode's ends.
	dst[3], dst[4] = dst[3].Add(Point{1, -1}), dst[4].Add(Point{-1, 1})
	h, err := FitHomographyLS(src, dst)
	if err != nil {
		t.Fatal(err)
	}
	if d := h.Apply(Point{12, 285}).Sub(truth.Apply(Point{12, 285})).Len(); d > 6 {
		t.Errorf("noisy pairs: off by %.2f px at the unseen corner", d)
	}
	if _, err := FitHomographyLS(src[:3], dst[:3]); err == nil {
		t.Error("3 pairs: no error")
	}
	line := []Point{{0, 0}, {1, 1}, {2, 2}, {3, 3}, {4, 4}}
	if _, err := FitHomographyLS(line, line); err == nil {
		t.Error("collinear points: no error")
	}
}
