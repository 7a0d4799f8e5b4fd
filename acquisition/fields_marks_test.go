package acquisition

import (
	"math/rand/v2"
	"testing"

	"github.com/regfus/regfus/layout"
)

// TestShortMarkStrayOrLight: a mark too short to be a character beside a
// 0 keeps the box unread (boxGlyphs counts it short) unless it is whole
// (wholeMark): on a grey scan, a stray tick whose ink ends where its soft
// edge does is whole; a light 1 whose lower part the threshold kept and
// whose top is fainter ink is not; on a bitonal scan, resampled (its
// strokes' edges grey, its paper one level: flat), nothing is whole.
func TestShortMarkStrayOrLight(t *testing.T) {
	box := layout.Current().Count.Rect
	base := box.Bottom() - 1.2
	for _, tc := range []struct {
		name         string
		light        bool // a light 1 instead of the tick
		bitonal      bool
		wantShort    int
		wantCharsMin int
	}{
		{"a stray tick, grey scan", false, false, 0, 1},
		{"a light 1 whose top is faint, grey scan", true, false, 1, 1},
		{"a stray tick, bitonal scan", false, true, 1, 1},
	} {
		tb := newTestBox(box, boxLineMM)
		tb.digit0(box.X+6, base, 5)
		if tc.light {
			tb.ink = 200 // 35 levels under the paper: under the ink threshold, over the faint one
			tb.digit1(box.X+3.5, base-2, 3, 0.1)
			tb.ink = 0
			tb.digit1(box.X+3.5, base, 2, 0.1)
		} else {
			tb.stroke(0.4, [2]float64{box.X + 10.5, base - 3.2}, [2]float64{box.X + 11.1, base - 2.6})
		}
		tb.img = gaussBlur(tb.img, 1)
		r := rand.New(rand.NewPCG(1, 2))
		for i, v := range tb.img.Pix {
			tb.img.Pix[i] = uint8(min(max(float64(v)+3*r.NormFloat64(), 0), 255))
			if tc.bitonal {
				tb.img.Pix[i] = 255 * uint8(min(int(v)/150, 1))
			}
		}
		if tc.bitonal {
			tb.img = gaussBlur(tb.img, 0.7) // resampled: grey edges, flat paper
		}
		_, gs, short := tb.glyphs(t)
		if len(gs) < tc.wantCharsMin {
			t.Fatalf("%s: %d characters, want the 0 (the fixture is off)", tc.name, len(gs))
		}
		if short != tc.wantShort {
			t.Errorf("%s: %d marks too short kept the box in doubt, want %d", tc.name, short, tc.wantShort)
		}
	}
}
