package acquisition

import (
	"context"
	"image"
	"math"
	"testing"

	"github.com/regfus/regfus/geom"
	"github.com/regfus/regfus/layout"
	"github.com/regfus/regfus/page"
	"github.com/regfus/regfus/render/rendertest"
	"github.com/regfus/regfus/vision"
)

const testCode = rendertest.Code

// transformed returns g seen through a scan that rotated it clockwise by
// deg around its centre, scaled it by k and (persp != 0) tilted it, on a
// canvas big enough for any rotation.
func transformed(t testing.TB, g *image.Gray, deg, k, persp float64) (*image.Gray, geom.Homography) {
	t.Helper()
	w, h := float64(g.Rect.Dx()), float64(g.Rect.Dy())
	side := math.Ceil(math.Hypot(w, h) * k)
	a := deg * math.Pi / 180
	cs, sn := math.Cos(a), math.Sin(a)
	// Forward map: source sheet pixel -> output pixel.
	center := geom.Homography{1, 0, -w / 2, 0, 1, -h / 2, 0, 0, 1}
	rot := geom.Homography{k * cs, -k * sn, 0, k * sn, k * cs, 0, persp, 0, 1}
	back := geom.Homography{1, 0, side / 2, 0, 1, side / 2, 0, 0, 1}
	fwd := back.Mul(rot).Mul(center)
	inv := invert(fwd)
	im, err := vision.NewImage(g)
	if err != nil {
		t.Fatal(err)
	}
	defer im.Close()
	out, err := im.Warp(inv, image.Pt(int(side), int(side)))
	if err != nil {
		t.Fatal(err)
	}
	return out, fwd
}

func invert(h geom.Homography) geom.Homography {
	a, b, c, d, e, f, g, hh, i := h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8]
	A, B, C := e*i-f*hh, -(d*i - f*g), d*hh-e*g
	det := a*A + b*B + c*C
	return geom.Homography{
		A / det, -(b*i - c*hh) / det, (b*f - c*e) / det,
		B / det, (a*i - c*g) / det, -(a*f - c*d) / det,
		C / det, -(a*hh - b*g) / det, (a*e - b*d) / det,
	}
}

func TestGeometryFindsMarkersInEveryOrientation(t *testing.T) {
	t.Parallel()
	l := layout.Current()
	base := rendertest.EmptySheet(t, 200)
	for _, tc := range []struct {
		name        string
		deg, k, p   float64
		damage      string // marker painted over
		orientation int
	}{
		{"upright", 0, 1, 0, "", 0},
		{"cw90", 90, 1, 0, "", 90},
		{"upside-down", 180, 1, 0, "", 180},
		{"cw270", 270, 1, 0, "", 270},
		{"skew+3", 3, 1, 0, "", 0},
		{"skew-4 sideways", 94 - 8, 1, 0, "", 90},
		{"scaled 150dpi", 1.5, 0.75, 0, "", 0},
		{"scaled 300dpi upside down", 181, 1.5, 0, "", 180},
		{"perspective", 2, 1, 0.00004, "", 0},
		{"tail-right damaged", 0.5, 1, 0, "tail-right", 0},
		{"head-left damaged rotated", 90.7, 1, 0, "head-left", 90},
		// A photo with a folded corner: three markers fix an affine map
		// only, the sheet barcode on the hidden marker's side the
		// perspective (refine).
		{"perspective, tail-left folded", 1.2, 1, 0.00005, "tail-left", 0},
		{"perspective, head-right folded", 89, 0.8, -0.00005, "head-right", 90},
		{"perspective, tail-right folded upside down", 178.5, 1, 0.00004, "tail-right", 180},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			src := base
			if tc.damage != "" {
				src = cloneGray(base)
				m, _ := l.Marker(tc.damage)
				px := 200 / 25.4
				r := image.Rect(int(m.X*px)-3, int(m.Y*px)-3, int(m.Right()*px)+3, int(m.Bottom()*px)+3)
				for y := r.Min.Y; y < r.Max.Y; y++ {
					for x := r.Min.X; x < r.Max.X; x++ {
						if (x+y)%3 != 0 { // scratched out, not erased
							src.Pix[y*src.Stride+x] = 255
						}
					}
				}
			}
			img, fwd := transformed(t, src, tc.deg, tc.k, tc.p)
			im, err := vision.NewImage(img)
			if err != nil {
				t.Fatal(err)
			}
			defer im.Close()
			g, err := findGeometry(im, l)
			if err != nil {
				t.Fatal(err)
			}
			if g.Orientation != tc.orientation {
				t.Errorf("orientation %d, want %d", g.Orientation, tc.orientation)
			}
			want := tc.deg - float64(tc.orientation)
			// (A tilt as strong as the folded pages' turns the page's x
			// axis at its centre.)
			if (tc.damage == "" || tc.p == 0) && math.Abs(g.SkewDeg-want) > 0.3 {
				t.Errorf("skew %.2f, want %.2f", g.SkewDeg, want)
			}
			if tc.p == 0 && math.Abs(g.DPI-200*tc.k) > 2*tc.k {
				t.Errorf("dpi %.1f, want %.1f", g.DPI, 200*tc.k)
			}
			wantMarkers := 4
			if tc.damage != "" {
				wantMarkers = 3
			}
			if g.Markers != wantMarkers {
				t.Errorf("%d markers, want %d", g.Markers, wantMarkers)
			}
			// Every slot corner must land within 0.5 mm of the truth; 1 mm
			// on a tilted photo with a marker missing, where the corner
			// without it is extrapolated from the sheet barcode's ends.
			px := 200 / 25.4
			tol := 0.5
			if tc.damage != "" && tc.p != 0 {
				tol = 1
			}
			for _, s := range l.Slots {
				for _, p := range []geom.Point{{X: s.X, Y: s.Y}, {X: s.Right(), Y: s.Bottom()}} {
					got := g.ToSource.Apply(p)
					truth := fwd.Apply(geom.Point{X: p.X * px, Y: p.Y * px})
					if d := got.Sub(truth).Len() / (px * tc.k); d > tol {
						t.Fatalf("slot %d corner %v off by %.2f mm", s.N, p, d)
					}
				}
			}
		})
	}
}

func TestBlankImageIsRejected(t *testing.T) {
	t.Parallel()
	g := image.NewGray(image.Rect(0, 0, 800, 1100))
	for i := range g.Pix {
		g.Pix[i] = 250
	}
	res := NewReader(nil).Read(context.Background(), g, "blank.png", 1)
	if res.Status != page.Rejected || len(res.Reasons) == 0 || !res.Reasons[0].Equal(page.Reason{Kind: page.ReasonNoMarkers}) {
		t.Fatalf("blank page: %+v", res)
	}
	if res.Sheet.Code != nil || res.Orientation != nil {
		t.Errorf("blank page reports values: %+v", res)
	}
}

func TestEmptySheetReadsIdentity(t *testing.T) {
	t.Parallel()
	base := rendertest.EmptySheet(t, 200)
	for _, deg := range []float64{0, 90.8, 180, 269} {
		img, _ := transformed(t, base, deg, 1, 0)
		res := NewReader(nil).Read(context.Background(), img, "t.png", 1)
		if res.Status == page.Rejected {
			t.Fatalf("deg %g: rejected: %v", deg, res.Reasons)
		}
		if res.Sheet.Code == nil || res.Sheet.Code.String() != testCode || res.Sheet.TailCode == nil || res.Sheet.TailCode.String() != testCode {
			t.Errorf("deg %g: code %v tail %v reasons %v", deg, res.Sheet.Code, res.Sheet.TailCode, res.Reasons)
		}
		for _, s := range res.Slots {
			if s.State != page.Empty {
				t.Errorf("deg %g: slot %d %s %v", deg, s.Slot, s.State, s.Flags)
			}
		}
		if len(res.Slots) != 28 {
			t.Errorf("deg %g: %d slots", deg, len(res.Slots))
		}
	}
}

func cloneGray(g *image.Gray) *image.Gray {
	c := *g
	c.Pix = append([]byte(nil), g.Pix...)
	return &c
}
