package acquisition

import (
	"context"
	"fmt"
	"image"
	"testing"

	"github.com/regfus/regfus/fustella"
	"github.com/regfus/regfus/layout"
	"github.com/regfus/regfus/page"
	"github.com/regfus/regfus/render/rendertest"
	"github.com/regfus/regfus/synth"
)

// testLabel is a fustella with codes derived from k.
func testLabel(t testing.TB, k int) *synth.Label {
	t.Helper()
	a, err := fustella.NewAIC(fmt.Sprintf("0%d%06d", 1+k%4, 104729*k%1000000))
	if err != nil {
		t.Fatal(err)
	}
	tg, err := fustella.NewTargatura(fmt.Sprintf("%09d", 7919*k+12345))
	if err != nil {
		t.Fatal(err)
	}
	return &synth.Label{
		Product:   synth.Product{AIC: a, Name: "PARACETAMOLO 500 MG 20 CPR", Holder: "Laboratori Aurelia S.p.A."},
		Targatura: tg, Style: synth.StyleLinear, W: 40, H: 25, Paper: 240, Ink: 20,
		Narrow32: 0.27, Ratio32: 2.8, NarrowITF: 0.27, RatioITF: 2.8,
	}
}

// stickLabel pastes lbl's raster on g (both at dpi) centred on slot s,
// shifted by (dx, dy) mm, turned 180 degrees when flip.
func stickLabel(t testing.TB, g *image.Gray, dpi float64, s layout.Slot, lbl *synth.Label, dx, dy float64, flip bool) {
	t.Helper()
	r, err := lbl.Raster(dpi)
	if err != nil {
		t.Fatal(err)
	}
	px := dpi / 25.4
	cx, cy := s.Center()
	x0 := int((cx+dx)*px) - r.Rect.Dx()/2
	y0 := int((cy+dy)*px) - r.Rect.Dy()/2
	w, h := r.Rect.Dx(), r.Rect.Dy()
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			sx, sy := x, y
			if flip {
				sx, sy = w-1-x, h-1-y
			}
			v := r.Pix[sy*r.Stride+sx]
			if x == 0 || y == 0 || x == w-1 || y == h-1 {
				v = v * 3 / 4 // the cut edge
			}
			g.Pix[(y0+y)*g.Stride+x0+x] = v
		}
	}
}

func TestFilledSlotsAreRead(t *testing.T) {
	t.Parallel()
	l := layout.Current()
	const dpi = 200
	g := rendertest.EmptySheet(t, dpi)
	labels := map[int]*synth.Label{}
	for _, n := range []int{1, 2, 6, 11, 17, 28} {
		labels[n] = testLabel(t, n)
		s, _ := l.Slot(n)
		stickLabel(t, g, dpi, s, labels[n], float64(n%3)-1, float64(n%2)-0.5, n == 17)
	}
	ocr, err := NewOCRReader(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer ocr.Close()
	for _, tc := range []struct {
		deg float64
		r   *Reader
	}{{0.6, NewReader(nil)}, {180.4, NewReader(nil)}, {-1.2, ocr}, {90.5, ocr}} {
		deg := tc.deg
		img, _ := transformed(t, g, deg, 1, 0)
		res := tc.r.Read(context.Background(), img, "t.png", 1)
		t.Logf("deg %g: %s %v", deg, res.Status, res.Reasons)
		confirmed := 0
		if res.Status == page.Rejected {
			t.Fatalf("rejected: %v", res.Reasons)
		}
		for _, s := range res.Slots {
			lbl, filled := labels[s.Slot]
			switch {
			case !filled && s.State != page.Empty:
				t.Errorf("deg %g slot %d: %s %v, want empty", deg, s.Slot, s.State, s.Flags)
			case filled && tc.r.ocr != nil:
				// With OCR, a disagreement may leave a value null (never
				// wrong): the slot is then unreadable, never empty.
				if s.State == page.Empty || s.AIC != nil && *s.AIC != string(lbl.AIC) || s.Targatura != nil && *s.Targatura != string(lbl.Targatura) {
					t.Errorf("deg %g slot %d: %s aic %v tg %v flags %v, want %s %s", deg, s.Slot, s.State, deref(s.AIC), deref(s.Targatura), s.Flags, lbl.AIC, lbl.Targatura)
				}
				if !s.HasFlag(page.FlagBarsOnly) {
					confirmed++
				}
			case filled && (s.State != page.Filled || s.AIC == nil || *s.AIC != string(lbl.AIC) || s.Targatura == nil || *s.Targatura != string(lbl.Targatura)):
				t.Errorf("deg %g slot %d: %s aic %v tg %v flags %v, want %s %s", deg, s.Slot, s.State, deref(s.AIC), deref(s.Targatura), s.Flags, lbl.AIC, lbl.Targatura)
			}
			upside := s.HasFlag(page.FlagUpsideDown)
			if upside != (s.Slot == 17) {
				t.Errorf("deg %g slot %d: upside_down flag %v", deg, s.Slot, upside)
			}
		}
		if tc.r.ocr != nil {
			t.Logf("deg %g: OCR confirmed both codes of %d of %d labels", deg, confirmed, len(labels))
		}
	}
}

func deref(s *string) string {
	if s == nil {
		return "null"
	}
	return *s
}
