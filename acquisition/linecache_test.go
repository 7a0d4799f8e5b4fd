package acquisition

import (
	"bytes"
	"context"
	"image"
	"testing"

	"github.com/regfus/regfus/layout"
	"github.com/regfus/regfus/linenet"
	"github.com/regfus/regfus/render/rendertest"
	"github.com/regfus/regfus/vision"
)

// ocrLine gives back, for a window it cut lately, what cutting it again
// gives: the same pixels, outcome and span, and for another window that
// window's own crop. The windows under and over the bars of the labels of
// a rendered page are asked in turn, twice, and each answer is compared
// with a fresh cut.
func TestOcrLineGivesBackItsCrops(t *testing.T) {
	l := layout.Current()
	g := rendertest.EmptySheet(t, 200)
	for _, s := range l.Slots[:4] {
		stickLabel(t, g, 200, s, testLabel(t, s.N), 0, 0, false)
	}
	img, _ := transformed(t, g, 0.7, 1, 0)
	st := &pageState{ctx: context.Background(), r: NewReader(nil), src: img, res: newResult("t", 1, NewReader(nil))}
	var err error
	if st.img, err = vision.NewImage(img); err != nil {
		t.Fatal(err)
	}
	defer st.img.Close()
	if err := st.geometry(); err != nil {
		t.Fatal(err)
	}
	type ask struct {
		lr   labelRead
		win  layout.Rect
		flip bool
	}
	var asks []ask
	for _, s := range l.Slots[:4] {
		sr, err := st.readSlot(s)
		if err != nil {
			t.Fatal(err)
		}
		for _, lr := range sr.labels {
			for _, win := range lineWindows(&lr) {
				asks = append(asks, ask{lr, win, false}, ask{lr, win, true})
			}
		}
	}
	if len(asks) < 8 {
		t.Fatalf("%d line windows on the page, want at least 8", len(asks))
	}
	lines := 0
	for round := 0; round < 2; round++ {
		for i, a := range asks {
			for _, margin := range []float64{lineMargin, confirmMargin} {
				var want lineSpan
				set := false
				wimg, wo := st.cutLine(a.lr.center, a.lr.angle, a.flip, a.win, codeLineChars, margin, &want, &set)
				var got lineSpan
				gimg, gout := st.ocrLine(a.lr.center, a.lr.angle, a.flip, a.win, codeLineChars, margin, &got)
				if gout != wo || (gimg == nil) != (wimg == nil) || gimg != nil && !bytes.Equal(gimg.Pix, wimg.Pix) || got != want && set {
					t.Fatalf("round %d, window %d, margin %.2f: ocrLine gave outcome %v, span %+v; a fresh cut %v, %+v", round, i, margin, gout, got, wo, want)
				}
				if gimg != nil {
					lines++
				}
			}
		}
	}
	if lines == 0 {
		t.Fatal("no window held a line")
	}
}

// countingLine is a LineReader that counts its readings.
type countingLine struct{ n *int }

func (c countingLine) Read(*image.Gray) (linenet.Line, error) {
	*c.n++
	return linenet.Line{Text: "2800520719", Conf: 0.99}, nil
}
func (countingLine) Close() error { return nil }

// The fast reader reads a crop once however often fastCode is asked for
// it in a row, and again once another crop was read.
func TestFastReadOncePerCrop(t *testing.T) {
	n := 0
	st := &pageState{r: &Reader{lines: countingLine{&n}}}
	a, b := image.NewGray(image.Rect(0, 0, 100, 20)), image.NewGray(image.Rect(0, 0, 100, 20))
	for _, c := range []struct {
		img  *image.Gray
		want int
	}{{a, 1}, {a, 1}, {b, 2}, {b, 2}, {a, 3}} {
		if code, _ := st.fastCode(c.img, "itf"); code != "2800520719" {
			t.Fatalf("fastCode = %q", code)
		}
		if n != c.want || st.r.lineStats.Fast != c.want {
			t.Fatalf("after %d readings asked: %d made, %d counted, want %d", c.want, n, st.r.lineStats.Fast, c.want)
		}
	}
}
