package synth

import (
	"math"
	"strings"

	"golang.org/x/image/font"

	"github.com/regfus/regfus/barcode"
	"github.com/regfus/regfus/layout"
	"github.com/regfus/regfus/render"
	"github.com/regfus/regfus/typeface"
)

// Arrangements of the two symbols on a designed label.
const (
	Code32Above = "code32-above" // Code 32 block over the ITF block
	ITFAbove    = "itf-above"    // ITF block over the Code 32 block
	Code32Left  = "code32-left"  // side by side, Code 32 on the left
	ITFLeft     = "itf-left"     // side by side, ITF on the left
)

// Look is the print design of one label drawn from a Design other than
// the classic one: every parameter that placed its elements, recorded in
// the truth so that an error can be traced to what the label looked like.
// The label's size, paper, ink, narrow bars and ratios stay in Label; the
// positions of the symbols and digit lines are in the truth's symbols.
// Lengths are mm.
type Look struct {
	Design  string `json:"name"`
	Encoder string `json:"encoder"` // regfus, zint or gnu-barcode: who drew the bars
	// Font is the digit lines' font (typeface name: "ocra" embedded, or a
	// system font file's name such as "OCRB", "DejaVuSansMono").
	Font        string `json:"font"`
	Arrangement string `json:"arrangement"` // code32-above, itf-above, code32-left, itf-left
	// Align places the symbols across the label: left, center, right, or
	// staggered (stacked: the first block at the left, the second at the
	// right).
	Align string `json:"align"`
	// DigitsAlign puts a digit line at the left or right end of its bars
	// instead of centred ("" or center), when it is not wider than them.
	DigitsAlign string `json:"digits_align,omitempty"`
	// DigitsOver prints the digit lines over their bars instead of under.
	DigitsOver bool `json:"digits_over"`
	// AICPrefix is what the AIC line prints before the 9 digits: "A"
	// (the decree's form), "AIC ", "A.I.C. n. ", ...
	AICPrefix string `json:"aic_prefix"`
	// TargaturaDigits is false when the targatura is in the bars only.
	TargaturaDigits bool    `json:"targatura_digits"`
	DigitEm         float64 `json:"digit_em"`
	TextGap         float64 `json:"text_gap"` // between bars and their digits
	Bars32H         float64 `json:"bars32_h"`
	BarsITFH        float64 `json:"bars_itf_h"`
	// Quiet is the quiet zone asked for on each side of the bars, in
	// narrow bars (10 is the minimum; the label edge or a border may sit
	// right there).
	Quiet float64 `json:"quiet"`
	// Border is the width of a printed frame, 0 for none, drawn BorderInset
	// inside the label's edge.
	Border      float64 `json:"border"`
	BorderInset float64 `json:"border_inset"`
	// TextAt is where the product name and holder are: top or bottom.
	TextAt   string  `json:"text_at"`
	NameEm   float64 `json:"name_em"`
	HolderEm float64 `json:"holder_em"` // 0: the holder is not printed
	// NameFont and HolderFont are the texts' faces (typeface names).
	NameFont   string `json:"name_font"`
	HolderFont string `json:"holder_font"`
	// NameRect and HolderRect are where the two texts' ink is, label mm.
	NameRect   layout.Rect  `json:"name_rect"`
	HolderRect *layout.Rect `json:"holder_rect,omitempty"`
	// MatrixCorner is where the 2D symbol is (top-left, top-right,
	// bottom-left, bottom-right), "" without one.
	MatrixCorner string  `json:"matrix_corner,omitempty"`
	MatrixSize   float64 `json:"matrix_size,omitempty"`

	digits typeface.Font // resolved Font
	name   typeface.Font // name's face (bold sans)
	holder typeface.Font
}

// rounded returns k with its lengths rounded to a micrometre, as every
// length in the truth.
func (k Look) rounded() Look {
	for _, v := range []*float64{&k.DigitEm, &k.TextGap, &k.Bars32H, &k.BarsITFH, &k.Quiet, &k.Border, &k.BorderInset, &k.NameEm, &k.HolderEm, &k.MatrixSize} {
		*v = round3(*v)
	}
	return k
}

// Text layout constants of designed labels.
const (
	lookPad  = 0.9 // side margin of texts
	lookPadV = 0.7 // top and bottom margin
	lookGap  = 0.7 // least space between stacked items
)

// element is one thing printed on a designed label.
type element struct {
	LabelSymbol
	font typeface.Font
	em   float64
	x    float64 // text origin (left, baseline) for text kinds
	base float64
}

// glyphInk returns the ink bounds of s in font f at em mm, relative to the
// text's origin (left end of the baseline; y down).
func glyphInk(f typeface.Font, em float64, s string) (x0, y0, x1, y1, adv float64) {
	const size = 1000
	face := f.Face(size)
	defer face.Close()
	b, a := font.BoundString(face, s)
	k := em / size / 64
	return float64(b.Min.X) * k, float64(b.Min.Y) * k, float64(b.Max.X) * k, float64(b.Max.Y) * k, float64(a) * k
}

// textLine is one measured line of text.
type textLine struct {
	kind, text string
	font       typeface.Font
	em         float64
	x0, y0     float64 // ink offset from the origin
	w, h, adv  float64 // ink size and advance
}

func measure(kind, text string, f typeface.Font, em float64) textLine {
	x0, y0, x1, y1, adv := glyphInk(f, em, text)
	return textLine{kind: kind, text: text, font: f, em: em, x0: x0, y0: y0, w: x1 - x0, h: y1 - y0, adv: adv}
}

// fitLine shrinks a line's em until its advance fits w.
func fitLine(kind, text string, f typeface.Font, em, w float64) textLine {
	t := measure(kind, text, f, em)
	if t.adv > w {
		t = measure(kind, text, f, em*w/t.adv)
	}
	return t
}

// at places a measured line with its ink's top-left at (x, y).
func (t textLine) at(x, y float64) element {
	return element{
		LabelSymbol: LabelSymbol{Kind: t.kind, Text: t.text, Rect: layout.Rect{X: x, Y: y, W: t.w, H: t.h}},
		font:        t.font, em: t.em, x: x - t.x0, base: y - t.y0,
	}
}

// block is one symbol with its digit line, before placement.
type block struct {
	kind, text string
	narrow     float64
	barsW      float64
	barsH      float64
	digits     *textLine
}

func (b block) height(gap float64) float64 {
	if b.digits == nil {
		return b.barsH
	}
	return b.barsH + gap + b.digits.h
}

// width is the block's extent with its quiet zones.
func (b block) width(quiet float64) float64 {
	w := b.barsW + 2*quiet*b.narrow
	if b.digits != nil {
		w = math.Max(w, b.digits.adv)
	}
	return w
}

// place puts the block's bars with their top-left at (x, y) and its digits
// over or under them, centred.
func (b block) place(x, y, gap float64, over bool, align string) []element {
	var out []element
	barsY := y
	if b.digits != nil && over {
		barsY = y + b.digits.h + gap
	}
	out = append(out, element{LabelSymbol: LabelSymbol{Kind: b.kind, Text: b.text, Rect: layout.Rect{X: x, Y: barsY, W: b.barsW, H: b.barsH}}})
	if d := b.digits; d != nil {
		ty := barsY + b.barsH + gap
		if over {
			ty = y
		}
		dx := (b.barsW - d.w) / 2
		switch {
		case align == "left" && d.w <= b.barsW:
			dx = 0
		case align == "right" && d.w <= b.barsW:
			dx = b.barsW - d.w
		}
		out = append(out, d.at(x+dx, ty))
	}
	return out
}

// lookBlocks measures the two symbols of a designed label.
func (l *Label) lookBlocks() (b32, bITF block) {
	k := l.Look
	s32, _ := barcode.Code39(l.AIC.Code32(), l.Ratio32)
	sITF, _ := barcode.ITF(string(l.Targatura), l.RatioITF)
	aic := measure(SymAICText, k.AICPrefix+string(l.AIC), k.digits, k.DigitEm)
	b32 = block{kind: SymCode32, text: l.AIC.Code32(), narrow: l.Narrow32, barsW: s32.Modules() * l.Narrow32, barsH: k.Bars32H, digits: &aic}
	bITF = block{kind: SymITF, text: string(l.Targatura), narrow: l.NarrowITF, barsW: sITF.Modules() * l.NarrowITF, barsH: k.BarsITFH}
	if k.TargaturaDigits {
		tg := measure(SymTargaturaText, string(l.Targatura), k.digits, k.DigitEm)
		bITF.digits = &tg
	}
	return b32, bITF
}

// content is the box the symbols and texts must stay in: the label, or
// the inside of its printed frame.
func (l *Label) content() layout.Rect {
	k := l.Look
	if k.Border == 0 {
		return layout.Rect{W: l.W, H: l.H}
	}
	in := k.BorderInset + k.Border
	return layout.Rect{X: in, Y: in, W: l.W - 2*in, H: l.H - 2*in}
}

// matrixRect is where the 2D symbol is, if any.
func (l *Label) matrixRect() (layout.Rect, bool) {
	k := l.Look
	if k.MatrixCorner == "" {
		return layout.Rect{}, false
	}
	c := l.content()
	s := k.MatrixSize
	x, y := c.X+lookPad, c.Y+lookPadV
	switch k.MatrixCorner {
	case "top-right":
		x = c.Right() - lookPad - s
	case "bottom-left":
		y = c.Bottom() - lookPadV - s
	case "bottom-right":
		x, y = c.Right()-lookPad-s, c.Bottom()-lookPadV-s
	}
	return layout.Rect{X: x, Y: y, W: s, H: s}, true
}

// lookLayout places every element of a designed label, and reports how
// much room was missing (mm across, mm down): a label is drawn only when
// both are zero.
func (l *Label) lookLayout() (els []element, shortW, shortH float64) {
	k := l.Look
	c := l.content()
	b32, bITF := l.lookBlocks()
	mx, hasMatrix := l.matrixRect()

	// Texts: name, then holder, in a band at the top or bottom.
	textW := c.W - 2*lookPad
	if hasMatrix && (k.TextAt == "top") == (k.MatrixCorner[0] == 't') {
		textW -= mx.W + lookPad
	}
	name := fitLine("name", l.Name, k.name, k.NameEm, textW)
	var holder *textLine
	bandH := name.h
	if k.HolderEm > 0 {
		h := fitLine("holder", l.Holder, k.holder, k.HolderEm, textW)
		holder = &h
		bandH += 0.45 + h.h
	}
	textX := c.X + lookPad
	if hasMatrix && (k.MatrixCorner == "top-left" && k.TextAt == "top" || k.MatrixCorner == "bottom-left" && k.TextAt == "bottom") {
		textX = mx.Right() + lookPad
	}

	// The symbols: a column of two blocks or a row of two.
	first, second := b32, bITF
	if k.Arrangement == ITFAbove || k.Arrangement == ITFLeft {
		first, second = bITF, b32
	}
	side := k.Arrangement == Code32Left || k.Arrangement == ITFLeft
	var symH, symW float64 // extent of the symbols' group, with quiet zones
	if side {
		gap := k.Quiet * math.Max(first.narrow, second.narrow)
		symW = first.barsW + gap + second.barsW + k.Quiet*(first.narrow+second.narrow)
		symH = math.Max(first.height(k.TextGap), second.height(k.TextGap))
	} else {
		symW = math.Max(first.width(k.Quiet), second.width(k.Quiet))
		symH = first.height(k.TextGap) + lookGap + second.height(k.TextGap)
	}
	// Room across: the symbols' group beside the matrix when they share
	// rows (matrix-corner designs keep the symbols clear of it).
	roomX, roomW := c.X, c.W
	if hasMatrix {
		if strings.HasSuffix(k.MatrixCorner, "left") {
			roomX = mx.Right() + lookPad
			roomW = c.Right() - roomX
		} else {
			roomW = mx.X - lookPad - c.X
		}
	}
	shortW = math.Max(0, symW-roomW)
	needH := 2*lookPadV + bandH + lookGap + symH
	shortH = math.Max(0, needH-c.H)
	if shortW > 0 || shortH > 0 {
		return nil, shortW, shortH
	}

	// Vertical plan: the slack goes evenly to the margins and gaps.
	slack := (c.H - needH) / 3
	var bandY, symY float64
	if k.TextAt == "bottom" {
		symY = c.Y + lookPadV + slack
		bandY = symY + symH + lookGap + slack
	} else {
		bandY = c.Y + lookPadV + slack
		symY = bandY + bandH + lookGap + slack
	}
	els = append(els, name.at(textX, bandY))
	k.NameRect = roundRect(els[len(els)-1].Rect)
	k.HolderRect = nil
	if holder != nil {
		els = append(els, holder.at(textX, bandY+name.h+0.45))
		hr := roundRect(els[len(els)-1].Rect)
		k.HolderRect = &hr
	}

	// Horizontal plan of the symbols' group in the room left by the matrix.
	groupX := roomX + (roomW-symW)/2
	switch k.Align {
	case "left":
		groupX = roomX
	case "staggered":
		groupX, symW = roomX, roomW
	case "right":
		groupX = roomX + roomW - symW
	}
	if side {
		x := groupX + k.Quiet*first.narrow
		els = append(els, first.place(x, symY, k.TextGap, k.DigitsOver, k.DigitsAlign)...)
		x += first.barsW + k.Quiet*math.Max(first.narrow, second.narrow)
		els = append(els, second.place(x, symY, k.TextGap, k.DigitsOver, k.DigitsAlign)...)
	} else {
		y := symY
		for i, b := range []block{first, second} {
			x := groupX + (symW-b.barsW)/2
			align := k.Align
			if align == "staggered" {
				align = [2]string{"left", "right"}[i]
			}
			switch align {
			case "left":
				x = groupX + k.Quiet*b.narrow + math.Max(0, (b.width(k.Quiet)-b.barsW-2*k.Quiet*b.narrow)/2)
			case "right":
				x = groupX + symW - k.Quiet*b.narrow - b.barsW - math.Max(0, (b.width(k.Quiet)-b.barsW-2*k.Quiet*b.narrow)/2)
			}
			els = append(els, b.place(x, y, k.TextGap, k.DigitsOver, k.DigitsAlign)...)
			y += b.height(k.TextGap) + lookGap
		}
	}
	if hasMatrix {
		kind := SymDataMatrix
		if l.Style == StyleQR {
			kind = SymQR
		}
		els = append(els, element{LabelSymbol: LabelSymbol{Kind: kind, Text: l.MatrixText, Rect: mx}})
	}
	return els, 0, 0
}

// lookSymbols returns the readable elements of a designed label in the
// classic order (Code 32, AIC line, ITF, targatura line, 2D symbol).
func (l *Label) lookSymbols() []LabelSymbol {
	els, _, _ := l.lookLayout()
	var out []LabelSymbol
	for _, kind := range []string{SymCode32, SymAICText, SymITF, SymTargaturaText, SymDataMatrix, SymQR} {
		for _, e := range els {
			if e.Kind == kind {
				out = append(out, e.LabelSymbol)
			}
		}
	}
	return out
}

// drawLook draws a designed label on c.
func (l *Label) drawLook(c render.Canvas) error {
	k := l.Look
	c.FillRect(layout.Rect{W: l.W, H: l.H}, l.Paper)
	if k.Border > 0 {
		render.StrokeRect(c, layout.Rect{X: k.BorderInset, Y: k.BorderInset, W: l.W - 2*k.BorderInset, H: l.H - 2*k.BorderInset}, k.Border, l.Ink)
	}
	els, sw, sh := l.lookLayout()
	if sw > 0 || sh > 0 {
		return errShort(l, sw, sh)
	}
	for _, e := range els {
		switch e.Kind {
		case SymCode32, SymITF:
			sym, err := l.encode(e.Kind)
			if err != nil {
				return err
			}
			l.bars(c, sym, e.Rect)
		case SymDataMatrix, SymQR:
			if err := l.matrix(c, e.LabelSymbol); err != nil {
				return err
			}
		default:
			c.Text(e.x, e.base, e.em, e.font, render.Left, l.Ink, e.Text)
		}
	}
	return nil
}
