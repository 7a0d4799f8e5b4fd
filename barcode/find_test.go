package barcode

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"math/rand"
	"sort"
	"testing"

	"github.com/regfus/regfus/fustella"
)

type want struct {
	format Format
	text   string
	x, y   float64
	angle  float64 // reading direction, clockwise; -1 = do not check
}

// checkFound asserts that dets is exactly wants (as a multiset), each at
// its place (within tol px) and reading direction (within 15 degrees).
func checkFound(t *testing.T, dets []Detection, wants []want, tol float64) {
	t.Helper()
	used := make([]bool, len(dets))
	for _, w := range wants {
		found := false
		for i, d := range dets {
			if used[i] || d.Format != w.format || d.Text != w.text || math.Hypot(d.X-w.x, d.Y-w.y) > tol {
				continue
			}
			if w.angle >= 0 {
				diff := math.Abs(math.Mod(d.Angle-w.angle+540, 360) - 180)
				if diff > 15 {
					t.Errorf("%s %s at %.0f,%.0f: angle %v, want %v", w.format, w.text, w.x, w.y, d.Angle, w.angle)
				}
			}
			used[i], found = true, true
			break
		}
		if !found {
			t.Errorf("missing %s %s at %.0f,%.0f", w.format, w.text, w.x, w.y)
		}
	}
	for i, d := range dets {
		if !used[i] {
			t.Errorf("unexpected %s %q at %.0f,%.0f (%d lines)", d.Format, d.Text, d.X, d.Y, d.Lines)
		}
	}
}

func TestFindAllMixedOrientations(t *testing.T) {
	t.Parallel()
	aic, _ := fustella.NewAIC("01234567")
	items := []placed{
		{sym: mustCode39(t, aic.Code32(), 3), narrow: 2, height: 50, cx: 200, cy: 100},
		{sym: mustITF(t, "1234567895", 3), narrow: 2, height: 50, cx: 620, cy: 100, angle: 180},
		{sym: mustCode39(t, "HELLO", 2.5), narrow: 2.5, height: 60, cx: 150, cy: 420, angle: 90},
		{sym: mustITF(t, "12345678", 3), narrow: 2, height: 70, cx: 600, cy: 400, angle: 33},
		{sym: mustCode39(t, "12020599999012023", 3), narrow: 1.8, height: 60, cx: 450, cy: 680, angle: -4},
		{sym: mustCode39(t, "SIDE", 3), narrow: 2, height: 60, cx: 840, cy: 600, angle: -90},
	}
	img := renderScene(900, 800, items, degrade{noise: 10, blur: 0.6, seed: 1})
	dets := NewDecoder().FindAll(img)
	checkFound(t, dets, []want{
		{FormatCode32, "A012345676", 200, 100, 0},
		{FormatITF, "1234567895", 620, 100, 180},
		{FormatCode39, "HELLO", 150, 420, 270},
		{FormatITF, "12345678", 600, 400, 327},
		{FormatCode39, "12020599999012023", 450, 680, 4},
		{FormatCode39, "SIDE", 840, 600, 90},
	}, 12)
}

// sheetScene lays out a sheet the way layout v1 does at dpi: head and tail
// CODE 39 and 28 fustelle (4 x 7), each a Code 32 above an ITF. Two slots
// carry the same AIC: both must be reported.
func sheetScene(t testing.TB, dpi float64) (int, int, []placed, []want) {
	mm := func(v float64) float64 { return v / 25.4 * dpi }
	w, h := int(mm(210)), int(mm(297))
	rng := rand.New(rand.NewSource(9))
	var items []placed
	var wants []want
	add := func(p placed, f Format, text string) {
		items = append(items, p)
		wants = append(wants, want{f, text, p.cx, p.cy, 0})
	}
	code := "12020599999012023"
	add(placed{sym: mustCode39(t, code, 3), narrow: mm(0.33), height: mm(11), cx: mm(15 + 50), cy: mm(24.5)}, FormatCode39, code)
	add(placed{sym: mustCode39(t, code, 3), narrow: mm(0.33), height: mm(9), cx: mm(120), cy: mm(284)}, FormatCode39, code)
	for slot := 0; slot < 28; slot++ {
		row, col := slot/4, slot%4
		x0, y0 := mm(10+float64(col)*48), mm(45+float64(row)*32)
		aic, _ := fustella.NewAIC(fmt.Sprintf("%08d", rng.Intn(100_000_000)))
		if slot == 9 {
			aic, _ = fustella.NewAIC("01234567") // same as slot 2 below
		}
		if slot == 2 {
			aic, _ = fustella.NewAIC("01234567")
		}
		tg, _ := fustella.NewTargatura(fmt.Sprintf("%09d", rng.Intn(1_000_000_000)))
		add(placed{sym: mustCode39(t, aic.Code32(), 3), narrow: mm(0.27), height: mm(7), cx: x0 + mm(23), cy: y0 + mm(8)}, FormatCode32, aic.Printed())
		add(placed{sym: mustITF(t, string(tg), 3), narrow: mm(0.27), height: mm(6), cx: x0 + mm(23), cy: y0 + mm(20)}, FormatITF, string(tg))
	}
	return w, h, items, wants
}

func TestFindAllWholeSheet(t *testing.T) {
	t.Parallel()
	w, h, items, wants := sheetScene(t, 200)
	img := renderScene(w, h, items, degrade{noise: 6, ink: 20, paper: 245, seed: 3})
	dets := NewDecoder().FindAll(img)
	if len(wants) != 58 {
		t.Fatalf("scene has %d symbols, want 58", len(wants))
	}
	checkFound(t, dets, wants, 15)

	// The same sheet scanned sideways: every symbol reads top to bottom.
	rot := rotate90(img) // counter-clockwise: reads bottom to top
	var rw []want
	for _, x := range wants {
		rw = append(rw, want{x.format, x.text, x.y, float64(w) - 1 - x.x, 270})
	}
	checkFound(t, NewDecoder().FindAll(rot), rw, 15)
}

// Nothing is reported where there is nothing: blank paper, noise, and
// dense vertical stripes that are not a symbol.
func TestFindAllNoFalsePositives(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewSource(4))
	noise := noiseGray(rng, 600, 400)
	stripes := image.NewGray(image.Rect(0, 0, 600, 400))
	for y := 0; y < 400; y++ {
		x := 0
		for x < 600 {
			w := 1 + rng.Intn(8)
			v := byte(255)
			if rng.Intn(2) == 0 {
				v = 0
			}
			for i := x; i < min(x+w, 600); i++ {
				stripes.Pix[y*600+i] = v
			}
			x += w
		}
	}
	blank := image.NewGray(image.Rect(0, 0, 300, 300))
	for i := range blank.Pix {
		blank.Pix[i] = 255
	}
	for name, img := range map[string]image.Image{"noise": noise, "stripes": stripes, "blank": blank,
		"tiny": image.NewGray(image.Rect(0, 0, 3, 3)), "empty": &image.Gray{}} {
		if dets := NewDecoder().FindAll(img); len(dets) != 0 {
			t.Errorf("%s: found %+v", name, dets)
		}
	}
	if dets := NewDecoder().FindAll(nil); dets != nil {
		t.Errorf("nil image: %+v", dets)
	}
}

// A photo of one label: colour, tilted by an odd angle, shaded, noisy,
// inside a larger frame.
func TestFindAllPhotoOfLabel(t *testing.T) {
	t.Parallel()
	aic, _ := fustella.NewAIC("04123456")
	tg, _ := fustella.NewTargatura("987654321")
	items := []placed{
		{sym: mustCode39(t, aic.Code32(), 2.8), narrow: 3.2, height: 80, cx: 400, cy: 250, angle: 22},
		{sym: mustITF(t, string(tg), 2.8), narrow: 3.2, height: 70, cx: 450, cy: 400, angle: 22},
	}
	g := renderScene(900, 650, items, degrade{noise: 12, blur: 1.2, ink: 40, paper: 210, gradient: 70, seed: 8})
	// As the JPEG or PNG decoder would hand it over: RGBA, tinted.
	img := image.NewRGBA(g.Bounds())
	for y := 0; y < 650; y++ {
		for x := 0; x < 900; x++ {
			v := g.GrayAt(x, y).Y
			img.Set(x, y, color.RGBA{v, byte(float64(v) * 0.95), byte(float64(v) * 0.85), 255})
		}
	}
	checkFound(t, NewDecoder().FindAll(img), []want{
		{FormatCode32, aic.Printed(), 400, 250, 338},
		{FormatITF, string(tg), 450, 400, 338},
	}, 15)
}

func TestPlaneFromImageTypes(t *testing.T) {
	t.Parallel()
	g := image.NewGray(image.Rect(2, 3, 7, 9))
	for i := range g.Pix {
		g.Pix[i] = byte(i * 7)
	}
	conv := map[string]image.Image{"gray": g}
	rgba, nrgba, g16 := image.NewRGBA(g.Bounds()), image.NewNRGBA(g.Bounds()), image.NewGray16(g.Bounds())
	ycc := image.NewYCbCr(g.Bounds(), image.YCbCrSubsampleRatio420)
	for y := g.Bounds().Min.Y; y < g.Bounds().Max.Y; y++ {
		for x := g.Bounds().Min.X; x < g.Bounds().Max.X; x++ {
			v := g.GrayAt(x, y).Y
			rgba.Set(x, y, color.RGBA{v, v, v, 255})
			nrgba.Set(x, y, color.NRGBA{v, v, v, 255})
			g16.Set(x, y, color.Gray16{uint16(v) * 257})
			ycc.Y[ycc.YOffset(x, y)] = v
		}
	}
	conv["rgba"], conv["nrgba"], conv["gray16"], conv["ycbcr"] = rgba, nrgba, g16, ycc
	names := make([]string, 0, len(conv))
	for n := range conv {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		p := planeFromImage(conv[n])
		if p.w != 5 || p.h != 6 {
			t.Fatalf("%s: size %dx%d", n, p.w, p.h)
		}
		for y := 0; y < 6; y++ {
			for x := 0; x < 5; x++ {
				if got, want := p.at(x, y), g.GrayAt(x+2, y+3).Y; got != want {
					t.Fatalf("%s: (%d,%d) = %d, want %d", n, x, y, got, want)
				}
			}
		}
	}
	// Transparent ink composites on white paper.
	tr := image.NewNRGBA(image.Rect(0, 0, 1, 1))
	tr.Set(0, 0, color.NRGBA{0, 0, 0, 0})
	if v := planeFromImage(tr).at(0, 0); v != 255 {
		t.Fatalf("transparent pixel = %d, want 255", v)
	}
}

// A negative (light bars on a dark ground) is found and flagged.
func TestFindAllNegative(t *testing.T) {
	t.Parallel()
	aic, _ := fustella.NewAIC("01234567")
	img := renderScene(500, 220, []placed{
		{sym: mustCode39(t, aic.Code32(), 3), narrow: 2.2, height: 50, cx: 250, cy: 60},
		{sym: mustITF(t, "1234567895", 3), narrow: 2.2, height: 50, cx: 250, cy: 160, angle: 180},
	}, degrade{invert: true, noise: 8, seed: 2})
	dets := NewDecoder().FindAll(img)
	checkFound(t, dets, []want{
		{FormatCode32, "A012345676", 250, 60, 0},
		{FormatITF, "1234567895", 250, 160, 180},
	}, 10)
	for _, d := range dets {
		if !d.Inverted {
			t.Errorf("%s %s not flagged inverted", d.Format, d.Text)
		}
	}
	for _, d := range NewDecoder().FindAll(rotate180(img)) {
		if !d.Inverted || d.Text == "" {
			t.Errorf("upside-down negative: %+v", d)
		}
	}
}
