package resample

import (
	"bytes"
	"image"
	"math/rand/v2"
	"testing"
)

// TestGrayValues checks the filter on values worked out by hand: a
// two-pixel ramp doubled (bilinear, clamped at the ends) and halved (the
// area-like tent over four pixels).
func TestGrayValues(t *testing.T) {
	if got, want := Gray([]byte{0, 255}, 2, 1, 4, 1), []byte{0, 64, 191, 255}; !bytes.Equal(got, want) {
		t.Errorf("2 -> 4: %v, want %v", got, want)
	}
	// Halving 0,0,255,255: output 0 has c = 0.5, support 2, weights
	// 0.25 0.75 0.75 0.25 on j = -1..2 (j = -1 clamps to 0): 0.25*255/2 = 31.9.
	if got, want := Gray([]byte{0, 0, 255, 255}, 4, 1, 2, 1), []byte{32, 223}; !bytes.Equal(got, want) {
		t.Errorf("4 -> 2: %v, want %v", got, want)
	}
}

// TestGrayIdentity: scaling to the same size gives the pixels back.
func TestGrayIdentity(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	px := make([]byte, 37*11)
	for i := range px {
		px[i] = byte(r.IntN(256))
	}
	if got := Gray(px, 37, 11, 37, 11); !bytes.Equal(got, px) {
		t.Error("same-size scaling changed the pixels")
	}
}

// TestImageOfSubImage: Image reads a sub-image through its stride.
func TestImageOfSubImage(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	g := image.NewGray(image.Rect(0, 0, 40, 30))
	for i := range g.Pix {
		g.Pix[i] = byte(r.IntN(256))
	}
	sub := g.SubImage(image.Rect(5, 7, 25, 19)).(*image.Gray)
	px := make([]byte, 20*12)
	for y := range 12 {
		copy(px[y*20:], g.Pix[(y+7)*g.Stride+5:(y+7)*g.Stride+25])
	}
	got := Image(sub, 13, 29)
	if want := Gray(px, 20, 12, 13, 29); !bytes.Equal(got.Pix, want) || got.Rect != image.Rect(0, 0, 13, 29) {
		t.Error("Image of a sub-image differs from Gray of its pixels")
	}
}
