package handgen

import (
	"math"
	"testing"
)

// ring draws a 0: an ellipse's outline in the middle of a canvas.
func ring() *canvas {
	c := newCanvas(120, 120)
	for a := 0.0; a < 2*math.Pi; a += 0.05 {
		p := pt{60 + 22*math.Cos(a), 60 + 32*math.Sin(a)}
		q := pt{60 + 22*math.Cos(a+0.05), 60 + 32*math.Sin(a+0.05)}
		c.line(p, q, 3)
	}
	return c
}

func inkOf(c *canvas) (sum float64) {
	for _, v := range c.v {
		sum += float64(v)
	}
	return sum
}

// What the line removal leaves lies on the glyph: a remnant never spans
// the crop as a printed line does (nothing beyond the glyph's box grown by
// a line's thickness), it keeps at least three quarters of the glyph's
// ink, and some seeds do leave a remnant (ink the glyph did not have).
func TestLineRemnant(t *testing.T) {
	orig := ring()
	x0, y0, x1, y1, _ := orig.bounds()
	grow := int(0.12*float64(y1-y0)) + 3
	changed := 0
	for i := range 200 {
		c := lineRemnant(Rand(3, uint64(i)), ring())
		for y := range c.h {
			for x := range c.w {
				if c.v[y*c.w+x] > 0.25 && (x < x0-grow || x >= x1+grow || y < y0-grow || y >= y1+grow) {
					t.Fatalf("seed %d: ink at (%d,%d), outside the glyph's box %v grown by %d", i, x, y, [4]int{x0, y0, x1, y1}, grow)
				}
			}
		}
		if inkOf(c) < 0.75*inkOf(orig) {
			t.Errorf("seed %d: %.0f of %.0f ink left", i, inkOf(c), inkOf(orig))
		}
		for j, v := range c.v {
			if v > orig.v[j]+0.5 {
				changed++
				break
			}
		}
	}
	if changed < 20 {
		t.Errorf("%d of 200 seeds left a remnant on the ring", changed)
	}
}

// A cut side keeps at least four fifths of the glyph.
func TestClipSide(t *testing.T) {
	orig := ring()
	for i := range 100 {
		c := clipSide(Rand(4, uint64(i)), ring())
		if inkOf(c) < 0.8*inkOf(orig)-1 {
			t.Errorf("seed %d: %.0f of %.0f ink left", i, inkOf(c), inkOf(orig))
		}
	}
}
