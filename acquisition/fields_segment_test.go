package acquisition

import (
	"cmp"
	"image"
	"image/color"
	"image/draw"
	"math"
	"testing"

	"golang.org/x/image/font"
	"golang.org/x/image/math/fixed"

	"github.com/regfus/regfus/layout"
	"github.com/regfus/regfus/typeface"
)

// Synthetic boxes for the segmentation: a crop at fieldPx of a box with
// its printed border, and strokes drawn in mm on it.

type testBox struct {
	img  *image.Gray
	area layout.Rect // the crop, page mm
	box  layout.Rect
	ink  uint8 // the grey strokes are drawn in (0: 30)
}

func newTestBox(box layout.Rect, thick float64) *testBox {
	area := box.Inset(-fieldMarginMM)
	w, h := int(math.Ceil(area.W*fieldPx)), int(math.Ceil(area.H*fieldPx))
	tb := &testBox{img: image.NewGray(image.Rect(0, 0, w, h)), area: area, box: box}
	for i := range tb.img.Pix {
		tb.img.Pix[i] = 235
	}
	tb.rect(layout.Rect{X: box.X, Y: box.Y, W: box.W, H: thick}, 60)
	tb.rect(layout.Rect{X: box.X, Y: box.Bottom() - thick, W: box.W, H: thick}, 60)
	tb.rect(layout.Rect{X: box.X, Y: box.Y, W: thick, H: box.H}, 60)
	tb.rect(layout.Rect{X: box.Right() - thick, Y: box.Y, W: thick, H: box.H}, 60)
	return tb
}

func (tb *testBox) rect(r layout.Rect, v uint8) {
	p := mmToCrop(r, tb.area, fieldPx)
	draw.Draw(tb.img, p, image.NewUniform(grayC(v)), image.Point{}, draw.Src)
}

// stroke draws a pen line (mm, page coordinates) of width wMM through pts.
func (tb *testBox) stroke(wMM float64, pts ...[2]float64) {
	r := wMM / 2 * fieldPx
	for i := 0; i+1 < len(pts); i++ {
		ax, ay := (pts[i][0]-tb.area.X)*fieldPx, (pts[i][1]-tb.area.Y)*fieldPx
		bx, by := (pts[i+1][0]-tb.area.X)*fieldPx, (pts[i+1][1]-tb.area.Y)*fieldPx
		dx, dy := bx-ax, by-ay
		l2 := dx*dx + dy*dy
		b := tb.img.Bounds()
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				px, py := float64(x)+0.5, float64(y)+0.5
				t := math.Max(0, math.Min(1, ((px-ax)*dx+(py-ay)*dy)/l2))
				ex, ey := px-(ax+t*dx), py-(ay+t*dy)
				if ex*ex+ey*ey <= r*r {
					tb.img.Pix[y*tb.img.Stride+x] = cmp.Or(tb.ink, 30)
				}
			}
		}
	}
}

// digit1 draws a plain 1 whose foot is at (x, base), h mm tall.
func (tb *testBox) digit1(x, base, h, slant float64) {
	tb.stroke(0.45, [2]float64{x + slant*h, base - h}, [2]float64{x, base})
}

// digit0 draws a 0 (an ellipse) with its foot at base.
func (tb *testBox) digit0(x, base, h float64) {
	var pts [][2]float64
	for i := 0; i <= 24; i++ {
		a := float64(i) / 24 * 2 * math.Pi
		pts = append(pts, [2]float64{x + h*0.3 + h*0.3*math.Cos(a), base - h/2 + h/2*math.Sin(a)})
	}
	tb.stroke(0.45, pts...)
}

func (tb *testBox) segment(t *testing.T) (*segmented, []glyph) {
	t.Helper()
	s, gs, _ := tb.glyphs(t)
	return s, gs
}

// glyphs segments the box as segment does, and also returns boxGlyphs'
// count of marks too short to be characters.
func (tb *testBox) glyphs(t *testing.T) (*segmented, []glyph, int) {
	t.Helper()
	s := &segmented{gray: tb.img}
	m, ok := binarize(tb.img)
	if !ok {
		t.Fatal("no contrast")
	}
	m.removeRulings(boxRules(tb.box, tb.area, boxLineMM, fieldPx))
	s.mask = m
	s.comps, s.labels = m.components(int(minSpeckMM2 * fieldPx * fieldPx))
	inner := mmToCrop(tb.box.Inset(boxLineMM), tb.area, fieldPx)
	gs, _, short := boxGlyphs(s, inner, fieldPx)
	return s, gs, short
}

func grayC(v uint8) color.Gray { return color.Gray{Y: v} }

func TestSegmentEmptyBox(t *testing.T) {
	tb := newTestBox(layout.Current().Count.Rect, boxLineMM)
	_, gs := tb.segment(t)
	if len(gs) != 0 {
		t.Fatalf("empty box: %d glyphs %v, want none (the border must be removed)", len(gs), gs)
	}
}

func TestSegmentTouchingAndCrossingLines(t *testing.T) {
	box := layout.Current().Count.Rect
	tb := newTestBox(box, boxLineMM)
	// A 1 whose foot crosses the bottom line, a 0 touching the top line.
	tb.digit1(box.X+6, box.Bottom()+0.8, 6.5, 0.15)
	tb.digit0(box.X+10, box.Bottom()-1, box.H-1.2)
	s, gs := tb.segment(t)
	if len(gs) != 2 {
		t.Fatalf("%d glyphs %v, want 2", len(gs), gs)
	}
	// The 1 keeps its foot below the line; the 0 is not glued to the box.
	bottom := float64(gs[0].r.Max.Y)/fieldPx + tb.area.Y
	if bottom < box.Bottom()+0.3 {
		t.Errorf("the 1 ends at %.2f mm, want past the line at %.2f", bottom, box.Bottom())
	}
	if w := float64(gs[1].r.Dx()) / fieldPx; w > 4.5 {
		t.Errorf("the 0 is %.1f mm wide: glued to the border?", w)
	}
	for _, g := range gs {
		if c := g.crop(s); c.Rect.Dx() < 5 || c.Rect.Dy() < 20 {
			t.Errorf("crop %v too small", c.Rect)
		}
	}
}

func TestSegmentTouchingDigitsSplit(t *testing.T) {
	box := layout.Current().Progressive.Rect
	tb := newTestBox(box, boxLineMM)
	// Two 0s that touch: one blob twice as wide as a digit.
	tb.digit0(box.X+8, box.Bottom()-1.2, 5.2)
	tb.digit0(box.X+8+3.0, box.Bottom()-1.2, 5.2)
	_, gs := tb.segment(t)
	if len(gs) != 2 {
		t.Fatalf("%d glyphs %v, want 2 (touching digits split)", len(gs), gs)
	}
}

func TestSegmentDatePiecesAndSpills(t *testing.T) {
	l := layout.Current()
	tb := ruledDateBox()
	// Cells 0, 1, 4-7 written; 2 and 3 empty. Cell 1's 0 spills over
	// the line into cell 2, cell 5's 1 is slanted across its left line.
	for i, c := range l.DateCells {
		base := c.Bottom() - 1
		switch i {
		case 2, 3:
		case 1:
			tb.digit0(c.X+1.8, base, 4.5)
		case 5:
			tb.digit1(c.X+0.8, base, 4.8, 0.25)
		default:
			tb.digit1(c.X+2.3, base, 4.8, 0.1)
		}
	}
	gs := dateCellGlyphs(t, tb)
	for i, g := range gs {
		empty := i == 2 || i == 3
		if (g == nil) != empty {
			t.Errorf("cell %d: glyph %v, want empty=%v", i, g, empty)
		}
	}
	if g := gs[1]; g != nil && float64(g.r.Dy())/fieldPx < 4 {
		t.Errorf("cell 1's 0 is %.1f mm tall: cut by the lines?", float64(g.r.Dy())/fieldPx)
	}
}

func TestLooksPrinted(t *testing.T) {
	box := layout.Current().Progressive.Rect
	// Printed: D17 in Go Sans Bold, as regfus render prints it.
	tb := newTestBox(box, boxLineMM)
	face := typeface.SansBold.Face(4.5 / 25.4 * 72 * fieldPx * 25.4 / 72)
	d := font.Drawer{Dst: tb.img, Src: image.NewUniform(grayC(20)), Face: face}
	d.Dot = fixed.P(int((box.X+8-tb.area.X)*fieldPx), int((box.Bottom()-2-tb.area.Y)*fieldPx))
	d.DrawString("D17")
	s, gs := tb.segment(t)
	if len(gs) != 3 {
		t.Fatalf("printed D17: %d glyphs, want 3", len(gs))
	}
	if !looksPrinted(gs, &s.mask, s.labels) {
		t.Error("printed D17 does not look printed")
	}
	// Handwritten: the same strokes at heights and baselines of a hand.
	hw := newTestBox(box, boxLineMM)
	hw.digit1(box.X+6, box.Bottom()-1.3, 5.0, 0.2)
	hw.digit0(box.X+9, box.Bottom()-1.0, 5.8)
	hw.digit1(box.X+15, box.Bottom()-1.6, 4.6, 0.2)
	s, gs = hw.segment(t)
	if len(gs) != 3 {
		t.Fatalf("handwritten 101: %d glyphs, want 3", len(gs))
	}
	if looksPrinted(gs, &s.mask, s.labels) {
		t.Error("handwriting of uneven heights looks printed")
	}
}

func TestPrintAgrees(t *testing.T) {
	for _, tc := range []struct {
		text   string
		reads  []charRead
		strict bool
		want   bool
	}{
		{"7", nil, false, false}, // one character needs the model's word
		{"17", nil, false, true},
		{"7", []charRead{{ch: '1', conf: 0.99}}, false, false},
		{"7", []charRead{{ch: '7', conf: 0.6}}, false, true},
		{"D17", []charRead{{ch: 'D', conf: 0.99}, {ch: '1', conf: 0.5}, {ch: '1', conf: 0.6}}, false, true},
		{"D17", []charRead{{ch: 'D', conf: 0.99}, {ch: '1', conf: 0.5}, {ch: '1', conf: 0.99}}, false, false},
		{"17", []charRead{{ch: '1', conf: 0.99}}, false, false},
		// strict (the fast line reader alone): every character the model's
		// first choice, at any confidence
		{"17", nil, true, false},
		{"7", []charRead{{ch: '7', conf: 0.6}}, true, true},
		{"D17", []charRead{{ch: 'D', conf: 0.99}, {ch: '1', conf: 0.5}, {ch: '7', conf: 0.6}}, true, true},
		{"D17", []charRead{{ch: 'D', conf: 0.99}, {ch: '1', conf: 0.5}, {ch: '1', conf: 0.6}}, true, false},
	} {
		if got := printAgrees(tc.text, tc.reads, tc.strict); got != tc.want {
			t.Errorf("printAgrees(%q, %v, %v) = %v, want %v", tc.text, tc.reads, tc.strict, got, tc.want)
		}
	}
}

// TestLineGivenBack: a 0 whose left side lies along the box's left line
// loses that side when the line is erased; its crop gets it back (the
// stretch of line it touches), and a 1 that does not touch the line gets
// no line in its crop.
func TestLineGivenBack(t *testing.T) {
	box := layout.Current().Count.Rect
	tb := newTestBox(box, boxLineMM)
	h := 5.0
	tb.digit0(box.X+boxLineMM/2, box.Bottom()-1.5, h) // its left side on the line
	tb.digit1(box.X+12, box.Bottom()-1.5, 4.8, 0.1)
	s, gs := tb.segment(t)
	if len(gs) != 2 {
		t.Fatalf("%d glyphs, want 2", len(gs))
	}
	inkCols := func(c *image.Gray) (cols int) {
		for x := 0; x < c.Rect.Dx(); x++ {
			for y := 0; y < c.Rect.Dy(); y++ {
				if c.Pix[y*c.Stride+x] < 128 {
					cols++
					break
				}
			}
		}
		return cols
	}
	// The 0's crop spans its whole width: both sides are there.
	zero := gs[0].crop(s)
	if w := float64(inkCols(zero)) / fieldPx; w < 0.55*h {
		t.Errorf("the 0's crop has ink over %.1f mm, want its width %.1f mm: its side on the line was lost", w, 0.6*h)
	}
	// Its left side: ink in the left columns over most of its height.
	left := 0
	for y := 0; y < zero.Rect.Dy(); y++ {
		for x := 0; x < zero.Rect.Dx()/4; x++ {
			if zero.Pix[y*zero.Stride+x] < 128 {
				left++
				break
			}
		}
	}
	if float64(left)/fieldPx < 0.6*h {
		t.Errorf("the 0's left side spans %.1f mm, want most of %.1f mm", float64(left)/fieldPx, h)
	}
	// The 1 touches no line: its crop is no wider than its stroke and slant.
	if w := float64(inkCols(gs[1].crop(s))) / fieldPx; w > 1.5 {
		t.Errorf("the 1's crop has ink over %.1f mm: a line piece given back where none was touched?", w)
	}
}

// TestCellsClipPerComponent: in the DATA field, a blob shared by two
// cells is cut at their columns while each cell's own blob stays whole;
// a spill of one cell's own blob does not widen what it takes of a
// shared blob (the whole shared blob was taken into one cell before).
func TestCellsClipPerComponent(t *testing.T) {
	l := layout.Current()
	area := l.DateBox
	area.X, area.W = area.X-fieldMarginMM, area.W+2*fieldMarginMM
	area.Y, area.H = area.Y-0.6, area.H+0.6+fieldMarginMM
	w, h := int(math.Ceil(area.W*fieldPx)), int(math.Ceil(area.H*fieldPx))
	tb := &testBox{img: image.NewGray(image.Rect(0, 0, w, h)), area: area, box: l.DateBox}
	for i := range tb.img.Pix {
		tb.img.Pix[i] = 240
	}
	c4, c5, c6 := l.DateCells[4], l.DateCells[5], l.DateCells[6]
	// Cells 4 and 5 joined by a bar (two 1's touching), and cell 5 also
	// holds a piece of its own (a short dash right of its 1); cell 6 holds
	// a 1 whose foot spills left into cell 5.
	tb.digit1(c4.X+0.8, c4.Bottom()-1, 4.8, 0)
	tb.digit1(c5.X+3.6, c5.Bottom()-1, 4.8, 0)
	tb.stroke(0.45, [2]float64{c4.X + 0.8, c4.Bottom() - 3}, [2]float64{c5.X + 3.6, c5.Bottom() - 3})
	tb.stroke(0.45, [2]float64{c5.X + 2.2, c5.Bottom() - 5.5}, [2]float64{c5.X + 3.0, c5.Bottom() - 5.5})
	tb.stroke(0.45, [2]float64{c6.X + 2.5, c6.Bottom() - 5.8}, [2]float64{c6.X + 2.5, c6.Bottom() - 1}, [2]float64{c5.X + 4.6, c5.Bottom() - 1})
	m, ok := binarize(tb.img)
	if !ok {
		t.Fatal("no contrast")
	}
	comps, labels := m.components(int(minSpeckMM2 * fieldPx * fieldPx))
	cells := make([]image.Rectangle, len(l.DateCells))
	for i, c := range l.DateCells {
		cells[i] = mmToCrop(c, area, fieldPx)
	}
	gs := cellGlyphs(comps, labels, m.w, cells, fieldPx)
	for _, k := range []int{4, 5, 6} {
		if gs[k] == nil {
			t.Fatalf("cell %d empty", k)
		}
	}
	// Cell 5 takes its dash whole and of the shared blob only its own
	// columns: nothing of cell 4's 1.
	if x := (cells[4].Max.X + cells[5].Min.X) / 2; gs[5].r.Min.X < x-1 {
		t.Errorf("cell 5's glyph starts at x=%d, in cell 4 (the cells meet at %d)", gs[5].r.Min.X, x)
	}
	if x := (cells[4].Max.X + cells[5].Min.X) / 2; gs[4].r.Max.X > x+1 {
		t.Errorf("cell 4's glyph reaches x=%d, into cell 5 (the cells meet at %d)", gs[4].r.Max.X, x)
	}
	// Cell 6 keeps its 1 with its spill.
	if gs[6].r.Min.X > cells[6].Min.X {
		t.Errorf("cell 6's glyph starts at x=%d: its foot spilling into cell 5 (from %d) was cut", gs[6].r.Min.X, cells[6].Min.X)
	}
}

// TestCoveredBox: a box whose left line is hidden (paper over it, as a
// folded corner's flap lies) counts one hidden line, and is taken for
// covered only on a page that also hides a corner marker.
func TestCoveredBox(t *testing.T) {
	box := layout.Current().Count.Rect
	tb := newTestBox(box, boxLineMM)
	tb.digit0(box.X+2, box.Bottom()-1.5, 5)
	m, ok := binarize(tb.img)
	if !ok {
		t.Fatal("no contrast")
	}
	if n := m.removeRulings(boxRules(tb.box, tb.area, boxLineMM, fieldPx)); n != 0 {
		t.Fatalf("whole box: %d lines hidden, want 0", n)
	}
	tb = newTestBox(box, boxLineMM)
	tb.digit0(box.X+2, box.Bottom()-1.5, 5)
	tb.rect(layout.Rect{X: box.X - 1, Y: box.Y - 1, W: 1 + boxLineMM + 0.2, H: box.H + 2}, 235)
	if m, ok = binarize(tb.img); !ok {
		t.Fatal("no contrast")
	}
	s := &segmented{hidden: m.removeRulings(boxRules(tb.box, tb.area, boxLineMM, fieldPx))}
	if s.hidden != 1 {
		t.Fatalf("left line covered: %d lines hidden, want 1", s.hidden)
	}
	for _, c := range []struct {
		markers int
		want    bool
	}{{4, false}, {3, true}} {
		st := &pageState{geo: &Geometry{Markers: c.markers}}
		if got := st.covered(s); got != c.want {
			t.Errorf("%d markers: covered = %v, want %v", c.markers, got, c.want)
		}
	}
	if (&pageState{geo: &Geometry{Markers: 3}}).covered(&segmented{}) {
		t.Error("no line hidden: covered")
	}
}

// TestPrintedStandsFor: a printed count resting on the fast reader stands
// only when it is the fustelle found; Tesseract's own two readings stand
// against the context (a mismatch is a finding), and the progressive has
// no context.
func TestPrintedStandsFor(t *testing.T) {
	for _, tc := range []struct {
		pr   printedReading
		want string
		ok   bool
	}{
		{printedReading{text: "21", fast: true}, "24", false},
		{printedReading{text: "24", fast: true}, "24", true},
		{printedReading{text: "21"}, "24", true},
		{printedReading{text: "D3", fast: true}, "", true},
	} {
		if got := tc.pr.standsFor(tc.want); got != tc.ok {
			t.Errorf("%+v standsFor(%q) = %v, want %v", tc.pr, tc.want, got, tc.ok)
		}
	}
}

// ruledDateBox is a blank DATA field with its eight cells' lines printed.
func ruledDateBox() *testBox {
	l := layout.Current()
	area := l.DateBox.Inset(-fieldMarginMM)
	tb := &testBox{area: area, box: l.DateBox}
	w, h := int(math.Ceil(area.W*fieldPx)), int(math.Ceil(area.H*fieldPx))
	tb.img = image.NewGray(image.Rect(0, 0, w, h))
	for i := range tb.img.Pix {
		tb.img.Pix[i] = 240
	}
	for _, c := range l.DateCells {
		tb.rect(layout.Rect{X: c.X, Y: c.Y, W: c.W, H: cellLineMM}, 70)
		tb.rect(layout.Rect{X: c.X, Y: c.Bottom() - cellLineMM, W: c.W, H: cellLineMM}, 70)
		tb.rect(layout.Rect{X: c.X, Y: c.Y, W: cellLineMM, H: c.H}, 70)
		tb.rect(layout.Rect{X: c.Right() - cellLineMM, Y: c.Y, W: cellLineMM, H: c.H}, 70)
	}
	return tb
}

// dateCellGlyphs segments a ruledDateBox as the reader does (its lines
// removed) and returns each cell's glyph.
func dateCellGlyphs(t *testing.T, tb *testBox) []*glyph {
	t.Helper()
	l := layout.Current()
	m, ok := binarize(tb.img)
	if !ok {
		t.Fatal("no contrast")
	}
	m.removeRulings(dateRules(l.DateCells, tb.area, fieldPx))
	comps, labels := m.components(int(minSpeckMM2 * fieldPx * fieldPx))
	cells := make([]image.Rectangle, len(l.DateCells))
	for i, c := range l.DateCells {
		cells[i] = mmToCrop(c, tb.area, fieldPx)
	}
	return cellGlyphs(comps, labels, m.w, cells, fieldPx)
}
