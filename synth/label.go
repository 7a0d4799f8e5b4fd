package synth

import (
	"fmt"
	"image"
	"math"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/datamatrix"
	dmencoder "github.com/makiuchi-d/gozxing/datamatrix/encoder"
	"github.com/makiuchi-d/gozxing/qrcode"

	"github.com/regfus/regfus/barcode"
	"github.com/regfus/regfus/fustella"
	"github.com/regfus/regfus/layout"
	"github.com/regfus/regfus/render"
	"github.com/regfus/regfus/typeface"
)

// Label styles. Every label carries the Code 32 and ITF symbols with their
// OCR-A lines; the matrix styles add a 2D symbol with both numbers at the
// bottom right, as newer packs do, and shorten the ITF to make room.
const (
	StyleLinear     = "linear"
	StyleDataMatrix = "datamatrix"
	StyleQR         = "qr"
)

// Symbol kinds recorded in the truth: the two bar codes, the two OCR-A lines
// under them and the optional 2D symbol.
const (
	SymCode32        = "code32"
	SymITF           = "itf"
	SymAICText       = "aic_text"
	SymTargaturaText = "targatura_text"
	SymDataMatrix    = "datamatrix"
	SymQR            = "qr"
)

// Label is one fustella as printed on the pack: its codes, its texts and
// the print parameters that vary from pack to pack. Coordinates are in mm
// from the label's top-left corner.
type Label struct {
	Product
	Targatura fustella.Targatura
	Style     string
	W, H      float64 // size, about 40 x 25 mm
	Paper     uint8   // paper tone of the label (255 = white)
	Ink       uint8   // ink tone (0 = full black)
	// Narrow bar widths (mm) and wide:narrow ratios of the two symbols.
	Narrow32, Ratio32   float64
	NarrowITF, RatioITF float64
	// Gain widens every bar by this many mm (ink spread on card; may be
	// negative for a starved print).
	Gain float64
	// Blur is the deviation (mm) of the Gaussian blur of the print.
	Blur float64
	// MatrixText is the content of the 2D symbol, "" for StyleLinear.
	MatrixText string
	// Look is the design of a label drawn from a Design other than the
	// classic one (design.go); nil for a classic label, whose layout the
	// constants below fix.
	Look *Look
}

// LabelSymbol is where one readable element sits on a label, in label mm.
type LabelSymbol struct {
	Kind string
	Text string
	Rect layout.Rect // bars, text box or 2D symbol, without quiet zones
}

const (
	labelPad    = 1.2  // side margin of the texts
	ocrEm       = 2.5  // OCR-A em size, mm
	ocrCap      = 0.72 // OCR-A digit height as a fraction of the em
	quietFactor = 10   // quiet zone in narrow bars
)

// MatrixContent is what the 2D symbol of a label holds: both numbers, in a
// form a reader can split without ambiguity.
func MatrixContent(aic fustella.AIC, t fustella.Targatura) string {
	return fmt.Sprintf("AIC%s TG%s", aic, t)
}

// newLabel draws the print parameters of a label for product p.
func newLabel(r *rng, p Product, t fustella.Targatura) *Label {
	l := &Label{
		Product:   p,
		Targatura: t,
		Style:     StyleLinear,
		W:         r.uniform(39, 41.5),
		H:         r.uniform(24.5, 26),
		Ink:       uint8(r.uniform(0, 45)),
		Ratio32:   r.uniform(2.5, 3),
		RatioITF:  r.uniform(2.5, 3),
		Gain:      r.normal(0.012, 0.012),
		Blur:      r.uniform(0, 0.05),
	}
	switch {
	case r.chance(0.25):
		l.Paper = 255 // white sticker: only its edge tells it from the sheet
	case r.chance(0.3):
		l.Paper = uint8(r.uniform(205, 230)) // greyish or tinted card
	default:
		l.Paper = uint8(r.uniform(230, 252))
	}
	switch v := r.Float64(); {
	case v < 0.18:
		l.Style = StyleDataMatrix
	case v < 0.28:
		l.Style = StyleQR
	}
	if l.Style != StyleLinear {
		l.MatrixText = MatrixContent(p.AIC, t)
	}
	// The Code 32 fills the width: narrow 0.25-0.30 mm unless the label is
	// too narrow for that with its quiet zones.
	s32, _ := barcode.Code39(p.AIC.Code32(), l.Ratio32)
	maxN := (l.W - 0.6) / (s32.Modules() + 2*quietFactor)
	l.Narrow32 = math.Min(r.uniform(0.25, 0.30), maxN)
	sITF, _ := barcode.ITF(string(t), l.RatioITF)
	avail := l.W - 0.6
	if l.Style != StyleLinear {
		avail = l.W - labelPad - l.matrixSize() - 1.0
	}
	maxN = avail / (sITF.Modules() + 2*quietFactor)
	l.NarrowITF = math.Min(r.uniform(0.25, 0.30), maxN)
	return l
}

// matrixSize is the side of the 2D symbol, mm.
func (l *Label) matrixSize() float64 { return math.Min(9.5, l.H-15.2) }

// Vertical plan of a label (mm from its top), shared by every style.
const (
	nameBase   = 2.8
	holderBase = 5.0
	bars32Top  = 5.9
	bars32H    = 5.6
	itfTop     = 14.9
	itfH       = 5.0
)

// Symbols returns where each readable element of l is, in label mm.
func (l *Label) Symbols() []LabelSymbol {
	if l.Look != nil {
		return l.lookSymbols()
	}
	s32, _ := barcode.Code39(l.AIC.Code32(), l.Ratio32)
	w32 := s32.Modules() * l.Narrow32
	sITF, _ := barcode.ITF(string(l.Targatura), l.RatioITF)
	wITF := sITF.Modules() * l.NarrowITF
	aicBase := bars32Top + bars32H + 0.6 + ocrCap*ocrEm
	itfX := (l.W - wITF) / 2
	if l.Style != StyleLinear {
		itfX = labelPad + quietFactor*l.NarrowITF*0.6
	}
	tgBase := itfTop + itfH + 0.6 + ocrCap*ocrEm
	aicW := typeface.OCRA.Advance(l.AIC.Printed()) * ocrEm
	tgW := typeface.OCRA.Advance(string(l.Targatura)) * ocrEm
	syms := []LabelSymbol{
		{SymCode32, l.AIC.Code32(), layout.Rect{X: (l.W - w32) / 2, Y: bars32Top, W: w32, H: bars32H}},
		{SymAICText, l.AIC.Printed(), layout.Rect{X: (l.W - aicW) / 2, Y: aicBase - ocrCap*ocrEm, W: aicW, H: ocrCap * ocrEm}},
		{SymITF, string(l.Targatura), layout.Rect{X: itfX, Y: itfTop, W: wITF, H: itfH}},
		{SymTargaturaText, string(l.Targatura), layout.Rect{X: itfX + (wITF-tgW)/2, Y: tgBase - ocrCap*ocrEm, W: tgW, H: ocrCap * ocrEm}},
	}
	if l.Style != StyleLinear {
		s := l.matrixSize()
		kind := SymDataMatrix
		if l.Style == StyleQR {
			kind = SymQR
		}
		syms = append(syms, LabelSymbol{kind, l.MatrixText, layout.Rect{X: l.W - labelPad - s, Y: l.H - 0.8 - s, W: s, H: s}})
	}
	return syms
}

// Draw draws l on c with the label's top-left corner at the origin.
func (l *Label) Draw(c render.Canvas) error {
	if l.Look != nil {
		return l.drawLook(c)
	}
	c.FillRect(layout.Rect{W: l.W, H: l.H}, l.Paper)
	fitText(c, labelPad, nameBase, 2.0, l.W-2*labelPad, typeface.SansBold, l.Ink, l.Name)
	fitText(c, labelPad, holderBase, 1.45, l.W-2*labelPad, typeface.Sans, l.Ink, l.Holder)
	for _, s := range l.Symbols() {
		switch s.Kind {
		case SymCode32:
			sym, err := barcode.Code39(s.Text, l.Ratio32)
			if err != nil {
				return err
			}
			l.bars(c, sym, s.Rect)
		case SymITF:
			sym, err := barcode.ITF(s.Text, l.RatioITF)
			if err != nil {
				return err
			}
			l.bars(c, sym, s.Rect)
		case SymAICText, SymTargaturaText:
			cx, _ := s.Rect.Center()
			c.Text(cx, s.Rect.Bottom(), ocrEm, typeface.OCRA, render.Center, l.Ink, s.Text)
		case SymDataMatrix, SymQR:
			if err := l.matrix(c, s); err != nil {
				return err
			}
		}
	}
	return nil
}

// bars draws a 1D symbol with the label's ink gain.
func (l *Label) bars(c render.Canvas, s barcode.Symbol, r layout.Rect) {
	narrow := r.W / s.Modules()
	x := r.X
	for i, e := range s {
		w := e * narrow
		if i%2 == 0 {
			c.FillRect(layout.Rect{X: x - l.Gain/2, Y: r.Y, W: w + l.Gain, H: r.H}, l.Ink)
		}
		x += w
	}
}

// matrix draws the 2D symbol module by module, merging runs of a row.
func (l *Label) matrix(c render.Canvas, s LabelSymbol) error {
	var (
		m   *gozxing.BitMatrix
		err error
	)
	if s.Kind == SymQR {
		m, err = qrcode.NewQRCodeWriter().Encode(s.Text, gozxing.BarcodeFormat_QR_CODE, 0, 0,
			map[gozxing.EncodeHintType]any{gozxing.EncodeHintType_MARGIN: 0})
	} else {
		// Square, as the GS1 Data Matrix on medicine packs.
		m, err = datamatrix.NewDataMatrixWriter().Encode(s.Text, gozxing.BarcodeFormat_DATA_MATRIX, 0, 0,
			map[gozxing.EncodeHintType]any{gozxing.EncodeHintType_DATA_MATRIX_SHAPE: dmencoder.SymbolShapeHint_FORCE_SQUARE})
	}
	if err != nil {
		return fmt.Errorf("synth: %s of %q: %w", s.Kind, s.Text, err)
	}
	w, h := m.GetWidth(), m.GetHeight()
	mod := math.Min(s.Rect.W/float64(w), s.Rect.H/float64(h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; {
			if !m.Get(x, y) {
				x++
				continue
			}
			x0 := x
			for x < w && m.Get(x, y) {
				x++
			}
			c.FillRect(layout.Rect{X: s.Rect.X + float64(x0)*mod, Y: s.Rect.Y + float64(y)*mod, W: float64(x-x0) * mod, H: mod}, l.Ink)
		}
	}
	return nil
}

// fitText draws s left-aligned at (x, base), shrinking the em below em if
// it would not fit in width w.
func fitText(c render.Canvas, x, base, em, w float64, f typeface.Font, g uint8, s string) {
	if adv := f.Advance(s) * em; adv > w {
		em *= w / adv
	}
	c.Text(x, base, em, f, render.Left, g, s)
}

// Raster draws l on its own raster at dpi and blurs it by l.Blur.
func (l *Label) Raster(dpi float64) (*image.Gray, error) {
	r := render.NewRaster(l.W, l.H, dpi)
	defer r.Close()
	if err := l.Draw(r); err != nil {
		return nil, err
	}
	if sigma := l.Blur / 25.4 * dpi; sigma > 0.2 {
		blurGray(r.Img, sigma)
	}
	return r.Img, nil
}
