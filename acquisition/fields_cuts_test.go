package acquisition

import (
	"image"
	"math"
	"testing"

	"github.com/regfus/regfus/layout"
)

// wideZero draws a 0 wider than it is tall (w times its height h) in tb.
func (tb *testBox) wideZero(x, base, h, w float64) {
	var pts [][2]float64
	for i := 0; i <= 32; i++ {
		a := float64(i) / 32 * 2 * math.Pi
		pts = append(pts, [2]float64{x + w*h/2 + w*h/2*math.Cos(a), base - h/2 + h/2*math.Sin(a)})
	}
	tb.stroke(0.45, pts...)
}

// inkAspect is the width over the height of a crop's ink.
func inkAspect(c *image.Gray) float64 {
	x0, x1, y0, y1 := c.Rect.Dx(), 0, c.Rect.Dy(), 0
	for y := 0; y < c.Rect.Dy(); y++ {
		for x := 0; x < c.Rect.Dx(); x++ {
			if c.Pix[y*c.Stride+x] < 128 {
				x0, x1, y0, y1 = min(x0, x), max(x1, x+1), min(y0, y), max(y1, y+1)
			}
		}
	}
	return float64(x1-x0) / float64(max(y1-y0, 1))
}

// TestReadCutsOneWideDigit: a blob splitWide cut in two is read as one
// character when the model reads it whole for sure, it is no wider than
// oneWideAspect, and no cut of it reads digits at rivalJoint; a wider
// blob, or one whose cut reads two digits, stays unread.
func TestReadCutsOneWideDigit(t *testing.T) {
	box := layout.Current().Count.Rect
	for _, tc := range []struct {
		name   string
		aspect float64 // of the drawn 0
		piece  charRead
		want   string // "" for unread
	}{
		{"a wide 0, its pieces other", 1.15, charRead{ch: '?', conf: 0.9}, "0"},
		{"two digits' width", 1.6, charRead{ch: '?', conf: 0.9}, ""},
		{"a wide 0 whose pieces read as digits", 1.15, charRead{ch: '1', conf: 0.9}, ""},
	} {
		tb := newTestBox(box, boxLineMM)
		tb.wideZero(box.X+1.5, box.Bottom()-1.2, 4.5, tc.aspect)
		s, gs := tb.segment(t)
		if len(gs) < 2 || !gs[0].cut {
			t.Fatalf("%s: %d glyphs, want the blob cut by splitWide (the fixture is off)", tc.name, len(gs))
		}
		// The stand-in model: the blob whole (wider than tall) is a
		// sure 0, any piece of it tc.piece.
		hand := func(crops []*image.Gray) ([]charRead, error) {
			out := make([]charRead, len(crops))
			for i, c := range crops {
				out[i] = tc.piece
				if inkAspect(c) > 0.95 {
					out[i] = charRead{ch: '0', conf: 0.999}
				}
			}
			return out, nil
		}
		got, why := readCutsWith(t, s, gs, hand)
		if why != "" {
			got = ""
		}
		if got != tc.want {
			t.Errorf("%s: read %q (why %q), want %q", tc.name, got, why, tc.want)
		}
	}
}

// TestReadCutsTooWideWhole: two 0's touching, a blob 1.6 times as wide
// as high, are read as their cut when the model reads that for sure,
// though it reads the blob whole as a sure 0: no digit is that wide.
func TestReadCutsTooWideWhole(t *testing.T) {
	box := layout.Current().Count.Rect
	tb := newTestBox(box, boxLineMM)
	tb.wideZero(box.X+1.5, box.Bottom()-1.2, 4.5, 0.8)
	tb.wideZero(box.X+1.5+3.4, box.Bottom()-1.2, 4.5, 0.8)
	s, gs := tb.segment(t)
	if len(gs) != 2 || !gs[0].cut || !tooWide(*gs[0].whole) {
		t.Fatalf("%d glyphs, want a blob wider than %.2f cut in two (the fixture is off)", len(gs), tooWideAspect)
	}
	// The stand-in model: wider than tall, the blob whole, a sure 0;
	// a 0's width (the cut in two: 0.92 and 0.59), a sure 0; narrower
	// (the cut in three), a piece, other.
	hand := func(crops []*image.Gray) ([]charRead, error) {
		out := make([]charRead, len(crops))
		for i, c := range crops {
			switch a := inkAspect(c); {
			case a > 0.95:
				out[i] = charRead{ch: '0', conf: 0.999}
			case a > 0.55:
				out[i] = charRead{ch: '0', conf: 0.995}
			default:
				out[i] = charRead{ch: '?', conf: 0.9}
			}
		}
		return out, nil
	}
	got, why := readCutsWith(t, s, gs, hand)
	if why != "" || got != "00" {
		t.Errorf("read %q (why %q), want \"00\"", got, why)
	}
}

// readCutsWith reads the count box's glyphs gs with readCuts and the
// stand-in model hand, and returns the characters read and why the
// reading is not taken ("" when it is).
func readCutsWith(t *testing.T, s *segmented, gs []glyph, hand func([]*image.Gray) ([]charRead, error)) (string, string) {
	t.Helper()
	st := &pageState{r: &Reader{hand: hand, handMin: 0.9904}}
	_, reads, why, err := st.readCuts(s, gs, countField, "")
	if err != nil {
		t.Fatal(err)
	}
	got := ""
	for _, r := range reads {
		got += string(r.ch)
	}
	return got, why
}

// TestReadCutsAmbiguousWidth: a blob as wide as it is high (a 1 leaning
// into the 9 before it, or one wide digit) that splitWide leaves whole is
// read whole and cut in two; read whole for sure it is taken unless its
// cut reads two digits at ambigRival (a 91 read whole as a sure 9, its
// cut 97 at 0.92: unread). Without the cut it read 9 for sure.
func TestReadCutsAmbiguousWidth(t *testing.T) {
	box := layout.Current().Count.Rect
	for _, tc := range []struct {
		name  string
		piece charRead
		want  string // "" for unread
	}{
		{"its cut reads two digits at 0.92", charRead{ch: '7', conf: 0.96}, ""},
		{"its cut reads two digits at 0.64", charRead{ch: '7', conf: 0.8}, "9"},
		{"its pieces other", charRead{ch: '?', conf: 0.9}, "9"},
	} {
		tb := newTestBox(box, boxLineMM)
		tb.wideZero(box.X+5, box.Bottom()-1.2, 5, 0.95)
		s, gs := tb.segment(t)
		if len(gs) != 1 || !gs[0].ambig {
			t.Fatalf("%s: %d glyphs, want one blob as wide as high (the fixture is off)", tc.name, len(gs))
		}
		hand := func(crops []*image.Gray) ([]charRead, error) {
			out := make([]charRead, len(crops))
			for i, c := range crops {
				out[i] = tc.piece
				if inkAspect(c) > 0.8 {
					out[i] = charRead{ch: '9', conf: 0.999}
				}
			}
			return out, nil
		}
		got, why := readCutsWith(t, s, gs, hand)
		if why != "" {
			got = ""
		}
		if got != tc.want {
			t.Errorf("%s: read %q (why %q), want %q", tc.name, got, why, tc.want)
		}
	}
}

// TestReadCutsShortPart: a blob cut in two whose one part is under
// markFrac of the blob's height (a wide 4 cut at its stem, the stem's top
// read as a 1) is not read for sure, though the model reads both parts
// for sure; the same blob whose part is of full height is.
func TestReadCutsShortPart(t *testing.T) {
	box := layout.Current().Count.Rect
	for _, tc := range []struct {
		name string
		tick float64 // the right part's height, mm
		want string  // "" for unread
	}{
		{"a part under half the blob's height", 1.5, ""},
		{"a part of the blob's height", 4.5, "11"},
	} {
		tb := newTestBox(box, boxLineMM)
		x, base, h := box.X+2, box.Bottom()-1.2, 4.5
		// A stem, a foot to the right and a tick up from its end: one
		// blob 1.4 times as wide as high, cut in two by splitWide.
		tb.stroke(0.45, [2]float64{x, base - h}, [2]float64{x, base}, [2]float64{x + 1.35*h, base}, [2]float64{x + 1.35*h, base - tc.tick})
		s, gs := tb.segment(t)
		if len(gs) != 2 || !gs[0].cut {
			t.Fatalf("%s: %d glyphs, want the blob cut in two (the fixture is off)", tc.name, len(gs))
		}
		if short := float64(gs[1].r.Dy()) < markFrac*float64(gs[0].whole.r.Dy()); short != (tc.want == "") {
			t.Fatalf("%s: right part %v of a blob %d px high, short %v (the fixture is off)", tc.name, gs[1].r, gs[0].whole.r.Dy(), short)
		}
		// The stand-in model, by the order readCuts asks in: the blob
		// whole (one crop) other, its cut in two two sure 1's, its cut
		// in three other.
		hand := func(crops []*image.Gray) ([]charRead, error) {
			out := make([]charRead, len(crops))
			for i := range crops {
				out[i] = charRead{ch: '?', conf: 0.9}
				if i == 1 || i == 2 {
					out[i] = charRead{ch: '1', conf: 0.999}
				}
			}
			return out, nil
		}
		got, why := readCutsWith(t, s, gs, hand)
		if why != "" {
			got = ""
		}
		if got != tc.want {
			t.Errorf("%s: read %q (why %q), want %q", tc.name, got, why, tc.want)
		}
	}
}
