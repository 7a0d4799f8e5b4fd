package acquisition

import (
	"image"
	"math"
	"testing"

	"github.com/regfus/regfus/layout"
)

// recutFixture draws, in the DATA area, a 1 in cell k+1 whose foot runs
// left, touching it, from a 1 in cell k: one blob over the two cells
// (wider than one and a half), which cellGlyphs cuts at the line between
// them, each cell getting half the foot.
func recutFixture(t *testing.T, k int) (*segmented, []*glyph, []image.Rectangle) {
	t.Helper()
	l := layout.Current()
	area := dateArea(l)
	w, h := int(math.Ceil(area.W*fieldPx)), int(math.Ceil(area.H*fieldPx))
	tb := &testBox{img: image.NewGray(image.Rect(0, 0, w, h)), area: area, box: l.DateBox}
	for i := range tb.img.Pix {
		tb.img.Pix[i] = 240
	}
	a, b := l.DateCells[k], l.DateCells[k+1]
	tb.digit1(a.X+0.5, a.Bottom()-1, 4.8, 0)
	tb.digit1(b.X+3.2, b.Bottom()-1, 4.8, 0)
	tb.stroke(0.45, [2]float64{a.X + 0.5, a.Bottom() - 1}, [2]float64{b.X + 3.2, b.Bottom() - 1})
	m, ok := binarize(tb.img)
	if !ok {
		t.Fatal("no contrast")
	}
	s := &segmented{gray: tb.img, mask: m}
	s.comps, s.labels = m.components(int(minSpeckMM2 * fieldPx * fieldPx))
	cells := make([]image.Rectangle, len(l.DateCells))
	for i, c := range l.DateCells {
		cells[i] = mmToCrop(c, area, fieldPx)
	}
	gs := cellGlyphs(s.comps, s.labels, s.mask.w, cells, fieldPx)
	if gs[k] == nil || gs[k+1] == nil {
		t.Fatalf("cells %d and %d: %v %v, want both written", k, k+1, gs[k], gs[k+1])
	}
	return s, gs, cells
}

// narrowOnes is a stand-in for the model: a crop whose ink is narrow (a
// 1 without a foot) reads as a sure 1, a wider one as an unsure 7.
func narrowOnes(crops []*image.Gray) ([]charRead, error) {
	out := make([]charRead, len(crops))
	for i, c := range crops {
		x0, x1, y0, y1 := c.Rect.Max.X, 0, c.Rect.Max.Y, 0
		for y := 0; y < c.Rect.Dy(); y++ {
			for x := 0; x < c.Rect.Dx(); x++ {
				if c.Pix[y*c.Stride+x] < 128 {
					x0, x1, y0, y1 = min(x0, x), max(x1, x+1), min(y0, y), max(y1, y+1)
				}
			}
		}
		out[i] = charRead{ch: '7', conf: 0.6}
		if x1-x0 < (y1-y0)/2 {
			out[i] = charRead{ch: '1', conf: 0.999}
		}
	}
	return out, nil
}

// TestRecut: the blob two DATA cells share is cut again where a cell is
// not read for sure, and the likeliest cut is taken; a cell read for sure
// and a day cell keep their readings.
func TestRecut(t *testing.T) {
	read := func(s *segmented, gs []*glyph) []charRead {
		full := make([]charRead, len(gs))
		for i, g := range gs {
			full[i] = charRead{ch: '_', conf: 1}
			if g != nil {
				rs, _ := narrowOnes([]*image.Gray{g.crop(s)})
				full[i] = rs[0]
			}
		}
		return full
	}
	st := &pageState{r: &Reader{hand: narrowOnes, handMin: 0.9904}}

	// Year cells 4 and 5: the line's cut gives cell 5 half the foot (a
	// 7 at 0.6); a cut further right reads its 1 for sure.
	s, gs, cells := recutFixture(t, 4)
	full := read(s, gs)
	if full[5].ch != '7' {
		t.Fatalf("cell 5 cut at the line reads %c, want the stand-in's 7 (the fixture is off)", full[5].ch)
	}
	before := gs[5].r
	if err := st.recut(s, gs, cells, full); err != nil {
		t.Fatal(err)
	}
	if full[5].ch != '1' || full[5].conf < 0.99 {
		t.Errorf("cell 5 after recut reads %c %.3f, want a sure 1", full[5].ch, full[5].conf)
	}
	if gs[5].r.Min.X <= before.Min.X {
		t.Errorf("cell 5's glyph starts at x=%d, the line's cut at %d: want it cut further right", gs[5].r.Min.X, before.Min.X)
	}

	// The same blob, cell 5 read for sure already (the context): no
	// cut may change its reading.
	s, gs, cells = recutFixture(t, 4)
	full = read(s, gs)
	full[5].ctx = true
	if err := st.recut(s, gs, cells, full); err != nil {
		t.Fatal(err)
	}
	if full[5].ch != '7' {
		t.Errorf("cell 5, confirmed, reads %c after recut, want its 7 kept", full[5].ch)
	}

	// Day cells 0 and 1: the day keeps its reading whatever the cut.
	s, gs, cells = recutFixture(t, 0)
	full = read(s, gs)
	if err := st.recut(s, gs, cells, full); err != nil {
		t.Fatal(err)
	}
	if full[0].ch != '7' || full[1].ch != '7' {
		t.Errorf("day cells read %c%c after recut, want 77 kept", full[0].ch, full[1].ch)
	}
}
