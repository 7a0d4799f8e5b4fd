package acquisition

import (
	"image"
	"math"
	"testing"

	"github.com/regfus/regfus/layout"
	"github.com/regfus/regfus/page"
	"github.com/regfus/regfus/sheet"
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

// TestRecut: the blob two month or year cells share is cut again where a
// cell is not read for sure, and the likeliest cut is taken when both its
// cells read what the context expects; a cell read for sure, the day
// cells and a sheet without a code keep the line's cut.
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
	// A sheet of month/year: cells 6 and 7 expect the year's last two
	// digits (the stand-in reads cell 6, with its 1 and most of the
	// foot, as a 7 at 0.6, over the 0.51 the context asks).
	stOf := func(code string) *pageState {
		res := &page.Result{}
		if code != "" {
			res.Sheet.Code = page.CodeOf(sheet.MustParseCode(code))
		}
		return &pageState{r: &Reader{hand: narrowOnes, handMin: 0.9904}, res: res}
	}

	// Year cells 6 and 7 of a sheet of 01/2071: the line's cut gives
	// cell 7 half the foot (a 7 at 0.6); a cut further right reads its 1
	// for sure, the year's last digit.
	s, gs, cells := recutFixture(t, 6)
	full := read(s, gs)
	if full[7].ch != '7' {
		t.Fatalf("cell 7 cut at the line reads %c, want the stand-in's 7 (the fixture is off)", full[7].ch)
	}
	before := gs[7].r
	if err := stOf("12020599999012071").recut(s, gs, cells, full); err != nil {
		t.Fatal(err)
	}
	if full[7].ch != '1' || full[7].conf < 0.99 {
		t.Errorf("cell 7 after recut reads %c %.3f, want a sure 1", full[7].ch, full[7].conf)
	}
	if gs[7].r.Min.X <= before.Min.X {
		t.Errorf("cell 7's glyph starts at x=%d, the line's cut at %d: want it cut further right", gs[7].r.Min.X, before.Min.X)
	}

	// The same blob on a sheet of 2073 (the cut's 1 is not the year's
	// 3), or without a sheet code: the line's cut stands.
	for _, code := range []string{"12020599999012073", ""} {
		s, gs, cells = recutFixture(t, 6)
		full = read(s, gs)
		if err := stOf(code).recut(s, gs, cells, full); err != nil {
			t.Fatal(err)
		}
		if full[7].ch != '7' {
			t.Errorf("code %q: cell 7 reads %c after recut, want the line's 7 kept", code, full[7].ch)
		}
	}

	// Cell 7 read for sure already (the context): no cut may change it.
	s, gs, cells = recutFixture(t, 6)
	full = read(s, gs)
	full[7].ctx = true
	if err := stOf("12020599999012071").recut(s, gs, cells, full); err != nil {
		t.Fatal(err)
	}
	if full[7].ch != '7' {
		t.Errorf("cell 7, confirmed, reads %c after recut, want its 7 kept", full[7].ch)
	}

	// Day cells 0 and 1: never cut again (the day has no context but
	// the calendar).
	s, gs, cells = recutFixture(t, 0)
	full = read(s, gs)
	if err := stOf("12020599999012071").recut(s, gs, cells, full); err != nil {
		t.Fatal(err)
	}
	if full[0].ch != '7' || full[1].ch != '7' {
		t.Errorf("day cells read %c%c after recut, want 77 kept", full[0].ch, full[1].ch)
	}
}
