package vision

import (
	"bytes"
	"image"
	"image/color"
	"math"
	"math/rand"
	"testing"

	"gocv.io/x/gocv"

	"github.com/regfus/regfus/geom"
	"github.com/regfus/regfus/render/rendertest"
)

// warpPerspective is Warp by OpenCV's warpPerspective whatever the map:
// what Warp did for every map before its affine path.
func warpPerspective(t testing.TB, im *Image, toSource geom.Homography, size image.Point) *image.Gray {
	shift := func(d float64) geom.Homography { return geom.Translate(d, d) }
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
	g, err := toGray(dst)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// An affine map is warped by warpAffine, which rounds source positions to
// 1/1024 pixel before OpenCV's 1/32-pixel interpolation table where
// warpPerspective rounds them once: the same bilinear sampling, so on a
// rendered sheet (sharp black lines and text on white) at most a few
// pixels in a hundred may differ, by a few gray levels. A wrong matrix
// (a transposed or shifted one) moves whole edges and differs far more.
func TestWarpAffineMatchesPerspective(t *testing.T) {
	t.Parallel()
	src := rendertest.EmptySheet(t, 200)
	im, err := NewImage(src)
	if err != nil {
		t.Fatal(err)
	}
	defer im.Close()
	r := rand.New(rand.NewSource(5))
	var n, differ int
	for i := 0; i < 60; i++ {
		a := (r.Float64()*20 - 10) * math.Pi / 180
		if i%4 == 0 {
			a += math.Pi
		}
		q := 200 / 25.4 / (4 + r.Float64()*8) // crop px/mm 4-12
		h := geom.Homography{q * math.Cos(a), -q * math.Sin(a), r.Float64() * 1600, q * math.Sin(a), q * math.Cos(a), r.Float64() * 2300, 0, 0, 1}
		size := image.Pt(50+r.Intn(400), 20+r.Intn(300))
		got, err := im.Warp(h, size)
		if err != nil {
			t.Fatal(err)
		}
		want := warpPerspective(t, im, h, size)
		if got.Rect != want.Rect {
			t.Fatalf("crop %d: size %v, want %v", i, got.Rect, want.Rect)
		}
		for k := range got.Pix {
			d := math.Abs(float64(got.Pix[k]) - float64(want.Pix[k]))
			if d > 12 {
				t.Fatalf("crop %d (%v): pixel %d is %d, warpPerspective's %d", i, h, k, got.Pix[k], want.Pix[k])
			}
			if d > 0 {
				differ++
			}
		}
		n += len(got.Pix)
	}
	if frac := float64(differ) / float64(n); frac > 0.03 {
		t.Errorf("%.2f%% of %d pixels differ from warpPerspective's, want under 3%%", 100*frac, n)
	} else {
		t.Logf("%.3f%% of %d pixels differ from warpPerspective's", 100*frac, n)
	}
}

// BenchmarkWarp times a label-outline crop (68 x 56 mm at 8 px/mm) of a
// 200-dpi sheet, turned 3 degrees: an affine map (Warp's warpAffine) and
// a homography (warpPerspective).
func BenchmarkWarp(b *testing.B) {
	im, err := NewImage(rendertest.EmptySheet(b, 200))
	if err != nil {
		b.Fatal(err)
	}
	defer im.Close()
	a, q := 3*math.Pi/180, 200/25.4/8
	size := image.Pt(544, 448)
	for _, c := range []struct {
		name string
		g    float64
	}{{"affine", 0}, {"perspective", 1e-7}} {
		h := geom.Homography{q * math.Cos(a), -q * math.Sin(a), 600, q * math.Sin(a), q * math.Cos(a), 800, c.g, c.g, 1}
		b.Run(c.name, func(b *testing.B) {
			for range b.N {
				if _, err := im.Warp(h, size); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// A crop warped into a recycled buffer is the crop warped into a new one:
// Warp writes every pixel, nothing of the buffer's last crop shows.
func TestWarpIntoRecycled(t *testing.T) {
	g := image.NewGray(image.Rect(0, 0, 300, 200))
	for i := range g.Pix {
		g.Pix[i] = uint8(i * 7 % 251)
	}
	im, err := NewImage(g)
	if err != nil {
		t.Fatal(err)
	}
	defer im.Close()
	// Part of the crop lies outside the image: the white border too
	// must be written.
	h := geom.Homography{0.9, 0.1, -20, -0.1, 0.9, 15, 0, 0, 1}
	size := image.Pt(180, 120)
	want, err := im.Warp(h, size)
	if err != nil {
		t.Fatal(err)
	}
	want = &image.Gray{Pix: bytes.Clone(want.Pix), Stride: want.Stride, Rect: want.Rect}
	for round := 0; round < 20; round++ {
		dirty, err := im.Warp(geom.Homography{1, 0, 0, 0, 1, 0, 0, 0, 1}, size)
		if err != nil {
			t.Fatal(err)
		}
		for i := range dirty.Pix {
			dirty.Pix[i] = 3
		}
		Recycle(dirty)
		if dirty.Pix != nil {
			t.Fatal("Recycle left the image its pixels")
		}
		got, err := im.Warp(h, size)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Pix, want.Pix) || got.Stride != want.Stride || got.Rect != want.Rect {
			t.Fatalf("round %d: the crop warped into a recycled buffer differs from a fresh one", round)
		}
		Recycle(got)
	}
	// An image Warp did not make is not taken.
	other := image.NewGray(image.Rect(0, 0, 100, 70))
	Recycle(other)
	if other.Pix == nil {
		t.Fatal("Recycle took an image Warp did not make")
	}
}
