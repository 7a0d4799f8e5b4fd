package acquisition

import (
	"image"
	"math"
	"math/rand"
	"testing"

	"github.com/regfus/regfus/synth"
)

// TestBarsOnlyTellsBarsFrom2DSymbols crops every symbol of labels of each
// style (rendered at 200 dpi, soft and sharp) as decodeLabelBars crops a
// bar region, with the quiet zone, and checks that barsOnly keeps the
// bars and turns the 2D symbols away, also when the bars are tilted by the
// residual skew the reader allows for.
func TestBarsOnlyTellsBarsFrom2DSymbols(t *testing.T) {
	t.Parallel()
	const dpi = 200.0
	px := dpi / 25.4
	for _, style := range []string{synth.StyleLinear, synth.StyleDataMatrix, synth.StyleQR} {
		for _, blur := range []float64{0, 0.08} {
			for k := 1; k <= 3; k++ {
				lbl := testLabel(t, k)
				lbl.Style, lbl.Blur = style, blur
				if style != synth.StyleLinear {
					lbl.MatrixText = "01080" + string(lbl.AIC) + "21" + string(lbl.Targatura)
				}
				r, err := lbl.Raster(dpi)
				if err != nil {
					t.Fatal(err)
				}
				for _, s := range lbl.Symbols() {
					bars := s.Kind == synth.SymCode32 || s.Kind == synth.SymITF
					if !bars && s.Kind != synth.SymDataMatrix && s.Kind != synth.SymQR {
						continue
					}
					for _, tilt := range []float64{0, 3} {
						if !bars && tilt != 0 {
							continue
						}
						crop := tiltedCrop(r, s.Rect.X*px, s.Rect.Y*px, s.Rect.W*px, s.Rect.H*px, 1.5*px, tilt)
						if got := barsOnly(crop); got != bars {
							t.Errorf("%s label %d blur %.2f: %s tilted %.0f degrees: barsOnly %v, want %v", style, k, blur, s.Kind, tilt, got, bars)
						}
					}
				}
			}
		}
	}
}

// TestBarsOnlyTakesBlurredNoisyBars crops the symbols of labels rendered
// at 150 dpi, blurred by 0.3 mm as a phone photo blurs them, with noise,
// tilted by a degree, and checks that barsOnly keeps the bars, which the
// test across and along them alone (barsAcross) turns away, and still
// turns the 2D symbols away.
func TestBarsOnlyTakesBlurredNoisyBars(t *testing.T) {
	t.Parallel()
	const dpi = 150.0
	px := dpi / 25.4
	rng := rand.New(rand.NewSource(4))
	across := 0
	for _, style := range []string{synth.StyleLinear, synth.StyleDataMatrix} {
		for k := 1; k <= 3; k++ {
			lbl := testLabel(t, k)
			lbl.Style, lbl.Blur = style, 0.3
			if style != synth.StyleLinear {
				lbl.MatrixText = "01080" + string(lbl.AIC) + "21" + string(lbl.Targatura)
			}
			r, err := lbl.Raster(dpi)
			if err != nil {
				t.Fatal(err)
			}
			for i, v := range r.Pix {
				r.Pix[i] = uint8(min(255, max(0, float64(v)+12*rng.NormFloat64())))
			}
			for _, s := range lbl.Symbols() {
				bars := s.Kind == synth.SymCode32 || s.Kind == synth.SymITF
				if !bars && s.Kind != synth.SymDataMatrix {
					continue
				}
				crop := tiltedCrop(r, s.Rect.X*px, s.Rect.Y*px, s.Rect.W*px, s.Rect.H*px, 1.5*px, 1)
				if bars && barsAcross(crop) {
					across++
				}
				if got := barsOnly(crop); got != bars {
					t.Errorf("%s label %d: %s blurred and noisy: barsOnly %v, want %v", style, k, s.Kind, got, bars)
				}
			}
		}
	}
	if across == 12 {
		t.Errorf("barsAcross takes every blurred noisy symbol for bars: the blur does not test barsOnly")
	}
	t.Logf("barsAcross took %d of 12 blurred noisy symbols for bars", across)
}

// tiltedCrop samples the rectangle (x, y, w, h) of g, widened by pad on
// the left and right, turned by deg degrees about its centre (nearest
// pixel, paper outside g).
func tiltedCrop(g *image.Gray, x, y, w, h, pad, deg float64) *image.Gray {
	out := image.NewGray(image.Rect(0, 0, int(w+2*pad), int(h)))
	cx, cy := x+w/2, y+h/2
	a := deg * math.Pi / 180
	cs, sn := math.Cos(a), math.Sin(a)
	for oy := 0; oy < out.Rect.Dy(); oy++ {
		for ox := 0; ox < out.Rect.Dx(); ox++ {
			u, v := float64(ox)-float64(out.Rect.Dx())/2, float64(oy)-h/2
			sx, sy := int(cx+u*cs-v*sn), int(cy+u*sn+v*cs)
			val := uint8(255)
			if image.Pt(sx, sy).In(g.Rect) {
				val = g.GrayAt(sx, sy).Y
			}
			out.Pix[oy*out.Stride+ox] = val
		}
	}
	return out
}
