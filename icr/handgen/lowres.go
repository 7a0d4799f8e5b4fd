package handgen

import (
	"image"
	"math"
	"math/rand/v2"
)

// LowRes gives a crop the look of a low-resolution scan: the crop is
// scaled down (area averaging) so that it is 16-48 px high, as a box's
// character is at 150-200 dpi, and then, half the time or always when it
// was black and white already, thresholded again at a random cut. A
// glyph thresholded at the scanner's resolution (synth's bitonal profile:
// 200 dpi, 1 bit, a fixed cut) loses thin strokes and joins close ones
// in ways a threshold at the generator's threefold resolution does not:
// the bar of a 7 breaks off, a thin 1's hook goes, a 4 closes. A crop
// already smaller than the target comes back as it is.
//
// It is applied after compose, with a random source of its own (icrgen's
// -lowres), so that a data set made without it keeps its bytes.
func LowRes(r *rand.Rand, g *image.Gray) *image.Gray {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	target := uniform(r, 16, 48)
	bitonal := isBitonal(g)
	threshold := bitonal || r.IntN(2) == 0
	cut := uniform(r, 0.35, 0.65) // of the way from ink to paper
	if float64(h) <= target {
		return g
	}
	k := target / float64(h)
	dw, dh := max(1, int(math.Round(float64(w)*k))), max(1, int(math.Round(target)))
	src := make([]float32, w*h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			src[y*w+x] = float32(g.Pix[y*g.Stride+x])
		}
	}
	small := areaScale(src, w, h, dw, dh)
	out := image.NewGray(image.Rect(0, 0, dw, dh))
	lo, hi := float32(255), float32(0)
	for _, v := range small {
		lo, hi = min(lo, v), max(hi, v)
	}
	level := lo + float32(cut)*(hi-lo)
	for i, v := range small {
		switch {
		case !threshold:
			out.Pix[i] = uint8(math.Round(float64(v)))
		case v < level:
			out.Pix[i] = 0
		default:
			out.Pix[i] = 255
		}
	}
	return out
}

// isBitonal reports whether g holds only black and white.
func isBitonal(g *image.Gray) bool {
	for y := g.Rect.Min.Y; y < g.Rect.Max.Y; y++ {
		for _, p := range g.Pix[(y-g.Rect.Min.Y)*g.Stride : (y-g.Rect.Min.Y)*g.Stride+g.Rect.Dx()] {
			if p != 0 && p != 255 {
				return false
			}
		}
	}
	return true
}

// areaScale shrinks the w×h map src to dw×dh by area averaging.
func areaScale(src []float32, w, h, dw, dh int) []float32 {
	sx, sy := float64(w)/float64(dw), float64(h)/float64(dh)
	out := make([]float32, dw*dh)
	for j := 0; j < dh; j++ {
		ya, yb := float64(j)*sy, float64(j+1)*sy
		for i := 0; i < dw; i++ {
			xa, xb := float64(i)*sx, float64(i+1)*sx
			var s, a float64
			for y := int(ya); y < h && float64(y) < yb; y++ {
				oy := math.Min(yb, float64(y+1)) - math.Max(ya, float64(y))
				for x := int(xa); x < w && float64(x) < xb; x++ {
					ox := math.Min(xb, float64(x+1)) - math.Max(xa, float64(x))
					if ox > 0 && oy > 0 {
						s += float64(src[y*w+x]) * ox * oy
						a += ox * oy
					}
				}
			}
			if a > 0 {
				out[j*dw+i] = float32(s / a)
			}
		}
	}
	return out
}
