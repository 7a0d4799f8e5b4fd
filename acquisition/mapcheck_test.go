package acquisition

import (
	"context"
	"image"
	"image/color"
	"testing"

	"github.com/regfus/regfus/geom"
	"github.com/regfus/regfus/layout"
	"github.com/regfus/regfus/vision"
)

// TestCheckMap draws the sheet's slot borders (grey lines, 0.2 mm) on
// near-white paper at 6 px/mm and checks the map against them: the
// sheet's own map is right; maps a row, a column or a few millimetres
// off, or at the wrong scale, are wrong; on a bitonal page that lost the
// lines (pure white) the check cannot be made; with the lines drawn
// bitonal (black on white) a right map is still right.
func TestCheckMap(t *testing.T) {
	const px = 6.0
	l := layout.Current()
	draw := func(paper, line uint8, lines bool) *image.Gray {
		im := image.NewGray(image.Rect(0, 0, int(l.Page.W*px), int(l.Page.H*px)))
		for i := range im.Pix {
			im.Pix[i] = paper
		}
		if !lines {
			return im
		}
		for _, s := range l.Slots {
			r := s.Rect
			for x := int(r.X * px); x <= int(r.Right()*px); x++ {
				im.SetGray(x, int(r.Y*px), gray(line))
				im.SetGray(x, int(r.Bottom()*px), gray(line))
			}
			for y := int(r.Y * px); y <= int(r.Bottom()*px); y++ {
				im.SetGray(int(r.X*px), y, gray(line))
				im.SetGray(int(r.Right()*px), y, gray(line))
			}
		}
		return im
	}
	// at maps layout mm to pixel (centres at +0.5) after shifting by
	// (dx, dy) mm and scaling by k.
	at := func(dx, dy, k float64) geom.Homography {
		return geom.Homography{px * k, 0, (dx)*px*k + 0.5, 0, px * k, (dy)*px*k + 0.5, 0, 0, 1}
	}
	for _, tc := range []struct {
		name        string
		paper, line uint8
		lines       bool
		to          geom.Homography
		want        mapCheck
	}{
		{"right", 235, 120, true, at(0, 0, 1), mapRight},
		{"a row off", 235, 120, true, at(0, 32, 1), mapWrong},
		{"a column off", 235, 120, true, at(48, 0, 1), mapWrong},
		{"3 mm off", 235, 120, true, at(3, 3, 1), mapWrong},
		{"scale 0.9", 235, 120, true, at(0, 0, 0.9), mapWrong},
		{"bitonal, lines lost", 255, 0, false, at(0, 0, 1), mapUnchecked},
		{"bitonal, lines kept", 255, 0, true, at(0, 0, 1), mapRight},
		{"bitonal, lines kept, a row off", 255, 0, true, at(0, 32, 1), mapUnchecked},
	} {
		src := draw(tc.paper, tc.line, tc.lines)
		img, err := vision.NewImage(src)
		if err != nil {
			t.Fatal(err)
		}
		st := &pageState{ctx: context.Background(), r: &Reader{layout: l}, src: src, img: img, geo: &Geometry{ToSource: tc.to}}
		if got := st.checkMap(); got != tc.want {
			t.Errorf("%s: checkMap = %d, want %d", tc.name, got, tc.want)
		}
		img.Close()
	}
}

func gray(v uint8) color.Gray { return color.Gray{Y: v} }

// TestLineBefore: an outline side found 1 mm past its slot's bottom
// border does not cross it where the border shows along it, and does
// where a label hides the line there; a side 2 mm past crosses whatever
// shows, and so does an outline that covers its border.
func TestLineBefore(t *testing.T) {
	const px = 8.0
	l := layout.Current()
	s := l.Slots[5].Rect // row 2, column 2
	im := image.NewGray(image.Rect(0, 0, int(l.Page.W*px), int(l.Page.H*px)))
	for i := range im.Pix {
		im.Pix[i] = 235
	}
	line := func(y float64) {
		for x := int(s.X * px); x <= int(s.Right()*px); x++ {
			im.SetGray(x, int(y*px), gray(120))
		}
	}
	line(s.Y)
	line(s.Bottom())
	to := geom.Homography{px, 0, 0.5, 0, px, 0.5, 0, 0, 1}
	side := func(over float64) *outline {
		x0, x1, y0, y1 := s.X+5, s.Right()-5, s.Y+4, s.Bottom()+over
		return &outline{corners: [4]geom.Point{{X: x0, Y: y0}, {X: x1, Y: y0}, {X: x1, Y: y1}, {X: x0, Y: y1}}}
	}
	read := func() *pageState {
		img, err := vision.NewImage(im)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { img.Close() })
		return &pageState{ctx: context.Background(), r: &Reader{layout: l}, src: im, img: img, geo: &Geometry{ToSource: to}}
	}
	st := read()
	if !side(1).crosses(s) || !st.lineBefore(side(1), s) {
		t.Errorf("1 mm past a border that shows: crosses %v, lineBefore %v (want true, true)", side(1).crosses(s), st.lineBefore(side(1), s))
	}
	if st.lineBefore(side(2), s) {
		t.Error("2 mm past a border that shows: lineBefore, want not")
	}
	cov := side(1)
	cov.covers = true
	if st.lineBefore(cov, s) {
		t.Error("an outline covering its border: lineBefore, want not")
	}
	if st.lineBefore(side(0.3), s) {
		t.Error("a side within seenSlop: lineBefore, want not (nothing to excuse)")
	}
	// A label over the bottom border, 1 mm past it: the line is gone in
	// front of it.
	for y := int((s.Bottom() - 3) * px); y <= int((s.Bottom()+1)*px); y++ {
		for x := int((s.X + 5) * px); x <= int((s.Right()-5)*px); x++ {
			im.SetGray(x, y, gray(250))
		}
	}
	if read().lineBefore(side(1), s) {
		t.Error("1 mm past a border hidden in front of it: lineBefore, want not")
	}
}
