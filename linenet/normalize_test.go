package linenet

import (
	"errors"
	"image"
	"image/color"
	"testing"
)

func TestNormalizeErrors(t *testing.T) {
	if _, err := Normalize(nil); err == nil {
		t.Error("nil crop: no error")
	}
	if _, err := Normalize(image.NewGray(image.Rect(0, 0, 0, 10))); err == nil {
		t.Error("empty crop: no error")
	}
	flat := image.NewGray(image.Rect(0, 0, 100, 20))
	for i := range flat.Pix {
		flat.Pix[i] = 200 + uint8(i%10) // paper texture, no ink
	}
	if _, err := Normalize(flat); !errors.Is(err, ErrBlank) {
		t.Errorf("blank crop: %v, want ErrBlank", err)
	}
	wide := image.NewGray(image.Rect(0, 0, 21*48, 48))
	for i := range wide.Pix {
		wide.Pix[i] = uint8(255 * (i % 7 / 6))
	}
	if _, err := Normalize(wide); err == nil || errors.Is(err, ErrBlank) {
		t.Errorf("crop 21 heights wide: %v, want a too-wide error", err)
	}
}

// TestNormalize checks the scaling (aspect kept, Height rows) and the
// contrast: paper 0, ink 1, and a grey half way between them about 0.5,
// whatever the crop's own levels and its offset in a larger image.
func TestNormalize(t *testing.T) {
	big := image.NewGray(image.Rect(0, 0, 300, 100))
	g := big.SubImage(image.Rect(50, 10, 50+240, 10+48)).(*image.Gray)
	for y := 10; y < 58; y++ {
		for x := 50; x < 290; x++ {
			v := uint8(180) // paper
			switch {
			case x >= 100 && x < 124:
				v = 30 // ink: a vertical bar 24 px wide
			case x >= 200 && x < 248:
				v = 105 // half way
			}
			g.SetGray(x, y, color.Gray{Y: v})
		}
	}
	n, err := Normalize(g)
	if err != nil {
		t.Fatal(err)
	}
	if n.W != 160 || len(n.Pix) != Height*160 {
		t.Fatalf("normalised to %d columns (%d values), want 160 (240*32/48)", n.W, len(n.Pix))
	}
	at := func(x int) float32 { return n.Pix[Height/2*n.W+x] }
	// Crop x 100-124 -> 33.3-49.3; 200-248 -> 100-132.3.
	for _, c := range []struct {
		x    int
		want float32
	}{{5, 0}, {40, 1}, {115, 0.5}, {150, 0}} {
		if d := at(c.x) - c.want; d > 0.02 || d < -0.02 {
			t.Errorf("column %d: %.3f, want %.2f", c.x, at(c.x), c.want)
		}
	}
	if v := at(33); v <= 0.2 || v >= 0.8 {
		t.Errorf("column 33 (the bar's edge, a third covered): %.3f, want a blend", v)
	}
}
