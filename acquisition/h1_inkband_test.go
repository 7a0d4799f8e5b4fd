package acquisition

import (
	"image"
	"image/color"
	"image/draw"
	"math/rand/v2"
	"testing"

	"golang.org/x/image/font"
	"golang.org/x/image/math/fixed"

	"github.com/regfus/regfus/fustella"
	"github.com/regfus/regfus/tesseract"
	"github.com/regfus/regfus/typeface"
)

// lineAndBars draws, at ocrWindowPx, a window 5.4 mm high holding a digit
// line (text, in face f, its cap height about 1.7 mm) and, taller than
// the line, the top or bottom 2.2 mm of a symbol's bars: what the window
// under a Code 32 shows on labels that print its digit line between it
// and the ITF, 0.5 mm of paper between the line and the bars. It returns
// the window and the rows the text was drawn in.
func lineAndBars(f typeface.Font, text string, barsBelow bool, blur int, seed uint64) (*image.Gray, int, int) {
	wMM, hMM := 26.0, 5.4
	w, h := int(wMM*ocrWindowPx), int(hMM*ocrWindowPx)
	g := image.NewGray(image.Rect(0, 0, w, h))
	draw.Draw(g, g.Rect, image.NewUniform(color.Gray{Y: 235}), image.Point{}, draw.Src)
	barMM, capMM := 2.6, 1.8
	barH := int(barMM * ocrWindowPx)
	by0, by1 := h-barH, h
	// The text's baseline 0.5 mm from the bars (labels print 0.3 to 1 mm
	// of paper between a line and the other symbol).
	base := by0 - int(ocrWindowPx/2)
	if !barsBelow {
		by0, by1 = 0, barH
		// The face's digits are about 1.7 mm high at this size.
		base = by1 + int(ocrWindowPx/2) + int(capMM*ocrWindowPx)
	}
	r := rand.New(rand.NewPCG(seed, 7))
	for x := int(1.5 * ocrWindowPx); x < w-int(1.5*ocrWindowPx); {
		bw := int(ocrWindowPx * (0.25 + 0.35*float64(r.IntN(2))))
		for y := by0; y < by1; y++ {
			for i := x; i < x+bw && i < w; i++ {
				g.Pix[y*g.Stride+i] = 30
			}
		}
		x += bw + int(ocrWindowPx*(0.25+0.35*float64(r.IntN(2))))
	}
	face := f.Face(2.3 * ocrWindowPx)
	d := font.Drawer{Dst: g, Src: image.NewUniform(color.Gray{Y: 30}), Face: face}
	d.Dot = fixed.P(int(4*ocrWindowPx), base)
	d.DrawString(text)
	// The text's rows: the ink above the baseline.
	t0, t1 := h, 0
	for y := 0; y < h; y++ {
		if y >= by0 && y < by1 {
			continue
		}
		for x := 0; x < w; x++ {
			if g.Pix[y*g.Stride+x] < 128 {
				t0, t1 = min(t0, y), max(t1, y+1)
				break
			}
		}
	}
	for range blur {
		boxBlur(g)
	}
	return g, t0, t1
}

// boxBlur blurs g in place with a 3x3 box.
func boxBlur(g *image.Gray) {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	src := append([]uint8(nil), g.Pix...)
	for y := 1; y < h-1; y++ {
		for x := 1; x < w-1; x++ {
			s := 0
			for dy := -1; dy <= 1; dy++ {
				for dx := -1; dx <= 1; dx++ {
					s += int(src[(y+dy)*g.Stride+x+dx])
				}
			}
			g.Pix[y*g.Stride+x] = uint8(s / 9)
		}
	}
}

// TestInkBandSkipsBars checks that the band inkBand gives a window
// holding a digit line and another symbol's bars, taller than the line,
// is the line (it was the bars: the Code 32's line of compact labels was
// never read), in three faces, bars under or over the line, sharp and
// blurred; and that a window of bars alone still gives its bars (the
// band then fails plausibleLine or the OCR, as before).
func TestInkBandSkipsBars(t *testing.T) {
	for _, f := range []typeface.Font{typeface.OCRA, typeface.Sans, typeface.SansBold} {
		for _, below := range []bool{true, false} {
			for blur := range 3 {
				for i, text := range []string{"A015578038", "6242084266", "A036493738"} {
					g, t0, t1 := lineAndBars(f, text, below, blur, uint64(i))
					y0, y1, _, _, ok := inkBand(g)
					if !ok || y0 > t0+2 || y0 < t0-3 || y1 < t1-2 || y1 > t1+3 {
						t.Errorf("%s, %q, bars below %v, blur %d: band rows %d-%d (ok %v), text in %d-%d", f.Name(), text, below, blur, y0, y1, ok, t0, t1)
					}
				}
			}
		}
	}
	// Bars alone: the band is the bars.
	g := image.NewGray(image.Rect(0, 0, 300, 48))
	draw.Draw(g, g.Rect, image.NewUniform(color.Gray{Y: 235}), image.Point{}, draw.Src)
	for y := 10; y < 40; y++ {
		for x := 20; x < 280; x += 7 {
			g.Pix[y*g.Stride+x], g.Pix[y*g.Stride+x+1] = 30, 30
		}
	}
	if y0, y1, _, _, ok := inkBand(g); !ok || y0 != 10 || y1 != 40 {
		t.Errorf("bars alone: band %d-%d (ok %v), want 10-40", y0, y1, ok)
	}
}

// codeLine draws text in OCR-A as ocrLine crops a code line: tesseract's
// line height, a third of the text's height of paper above and below.
func codeLine(text string) *image.Gray {
	const h = tesseract.LineHeight
	face := typeface.OCRA.Face(float64(h) * 0.75)
	w := int(typeface.OCRA.Advance(text)*float64(h)*0.75) + h
	g := image.NewGray(image.Rect(0, 0, w, h))
	draw.Draw(g, g.Rect, image.NewUniform(color.Gray{Y: 240}), image.Point{}, draw.Src)
	d := font.Drawer{Dst: g, Src: image.NewUniform(color.Gray{Y: 20}), Face: face}
	d.Dot = fixed.P(h/2, h*4/5)
	d.DrawString(text)
	return g
}

// TestAICLine checks that a targatura read in an AIC's line ("A" + 9
// digits, the "A" read as a digit) is known for the AIC's line, and that
// a targatura's own line with the same ten characters is not.
func TestAICLine(t *testing.T) {
	r, err := NewOCRReader(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	st := &pageState{r: r}
	for _, aic := range []string{"043544840", "014525733"} {
		for _, first := range []string{"4", "8"} {
			tg := fustella.Targatura(first + aic)
			if !st.aicLine(codeLine("A"+aic), tg) {
				t.Errorf("line A%s, read as %s: not taken for an AIC's line", aic, tg)
			}
			if st.aicLine(codeLine(first+aic), tg) {
				t.Errorf("line %s, read as itself: taken for an AIC's line", tg)
			}
		}
	}
}

// padRows returns g with n rows of paper added above (top) or below it.
func padRows(g *image.Gray, n int, top bool) *image.Gray {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	out := image.NewGray(image.Rect(0, 0, w, h+n))
	draw.Draw(out, out.Rect, image.NewUniform(color.Gray{Y: 235}), image.Point{}, draw.Src)
	at := image.Pt(0, 0)
	if top {
		at.Y = n
	}
	draw.Draw(out, g.Rect.Add(at), g, image.Point{}, draw.Src)
	return out
}

// TestInkBandOwner checks that a window's line is its own only when it
// lies nearer the window's own edge (the bars it is read for) than other
// bars beyond it: a line 0.5 mm from bars and 1 mm from the window's own
// edge is those bars' line; with the bars on the own side it is the
// window's.
func TestInkBandOwner(t *testing.T) {
	pad := int(ocrWindowPx) // 1 mm of paper on the own side
	for _, f := range []typeface.Font{typeface.OCRA, typeface.Sans} {
		for _, below := range []bool{true, false} {
			g, _, _ := lineAndBars(f, "A043544840", below, 1, 3)
			// The bars' side, and the other.
			barSide, other := ownBottom, ownTop
			if !below {
				barSide, other = ownTop, ownBottom
			}
			if _, _, _, _, ok := inkBandOwn(g, barSide); !ok {
				t.Errorf("%s, bars below %v: no line with the bars on the own side", f.Name(), below)
			}
			if _, _, _, _, ok := inkBandOwn(padRows(g, pad, other == ownTop), other); ok {
				t.Errorf("%s, bars below %v: the other bars' line taken for the window's", f.Name(), below)
			}
		}
	}
}
