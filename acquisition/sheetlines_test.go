package acquisition

import (
	"testing"

	"github.com/regfus/regfus/geom"
	"github.com/regfus/regfus/layout"
	"github.com/regfus/regfus/render/rendertest"
	"github.com/regfus/regfus/vision"
)

// TestFaintBorderIsNotCovered: slot 18's right border, in front of a
// print, left as dots (a bitonal scan's grey line thresholded: one pixel
// in three along it) beside its neighbour's unbroken border is still
// there, not covered by the label; the same border erased is covered
// (borderLimit; seed 6481's bitonal page at threshold 150 had every label
// of its lower rows flagged crossing).
func TestFaintBorderIsNotCovered(t *testing.T) {
	t.Parallel()
	const dpi = 200
	px := dpi / 25.4
	l := layout.Current()
	slot, _ := l.Slot(18)
	base := rendertest.EmptySheet(t, dpi)
	f := frame{c: geom.Point{X: 81, Y: 189}}
	ink := box{u0: -15, v0: -5, u1: 15, v1: 5, set: true}
	for _, c := range []struct {
		name string
		keep func(y int) bool // the line's pixels kept along it
		want bool
	}{
		{"dotted", func(y int) bool { return y%3 == 0 }, false},
		{"erased", func(int) bool { return false }, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			g := cloneGray(base)
			x0, x1 := int((slot.Rect.Right()-0.4)*px), int((slot.Rect.Right()+0.4)*px)
			for y := int(178 * px); y < int(200*px); y++ {
				if c.keep(y) {
					continue
				}
				for x := x0; x <= x1; x++ {
					g.Pix[y*g.Stride+x] = 255
				}
			}
			im, err := vision.NewImage(g)
			if err != nil {
				t.Fatal(err)
			}
			defer im.Close()
			st := &pageState{r: &Reader{layout: l}, img: im, geo: &Geometry{ToSource: geom.Scale(px)}}
			if got := st.borderLimit(f, slot.Rect, ink, 1).covered; got != c.want {
				t.Errorf("covered %v, want %v", got, c.want)
			}
		})
	}
}
