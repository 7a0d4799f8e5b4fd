package synth

import (
	"image"
	"math"
)

// plane is a float32 image, one channel, row-major; the scan simulator works
// on planes so that blur, light and noise do not round at every step.
type plane struct {
	w, h int
	p    []float32
}

func newPlane(w, h int) *plane { return &plane{w: w, h: h, p: make([]float32, w*h)} }

// gaussKernel returns a normalised kernel of radius ceil(3 sigma).
func gaussKernel(sigma float64) []float32 {
	r := int(math.Ceil(3 * sigma))
	if r < 1 {
		r = 1
	}
	k := make([]float32, 2*r+1)
	var sum float64
	for i := -r; i <= r; i++ {
		v := math.Exp(-float64(i*i) / (2 * sigma * sigma))
		k[i+r] = float32(v)
		sum += v
	}
	for i := range k {
		k[i] /= float32(sum)
	}
	return k
}

// blur convolves p with a separable Gaussian of deviation sigma pixels,
// clamping at the borders. The vertical pass runs row by row (a weighted
// sum of whole rows) to stay cache-friendly on full pages.
func (p *plane) blur(sigma float64) {
	if sigma <= 0.05 {
		return
	}
	k := gaussKernel(sigma)
	r := len(k) / 2
	line := make([]float32, p.w+2*r)
	for y := 0; y < p.h; y++ {
		row := p.p[y*p.w : (y+1)*p.w]
		for i := range line {
			line[i] = row[min(max(i-r, 0), p.w-1)]
		}
		for i := range row {
			var s float32
			for t, kv := range k {
				s += kv * line[i+t]
			}
			row[i] = s
		}
	}
	out := make([]float32, len(p.p))
	for y := 0; y < p.h; y++ {
		dst := out[y*p.w : (y+1)*p.w]
		for t, kv := range k {
			sy := min(max(y+t-r, 0), p.h-1)
			src := p.p[sy*p.w : (sy+1)*p.w]
			for i, v := range src {
				dst[i] += kv * v
			}
		}
	}
	p.p = out
}

// blurGray blurs an 8-bit image in place.
func blurGray(img *image.Gray, sigma float64) {
	b := img.Bounds()
	p := newPlane(b.Dx(), b.Dy())
	for y := 0; y < p.h; y++ {
		for x := 0; x < p.w; x++ {
			p.p[y*p.w+x] = float32(img.Pix[y*img.Stride+x])
		}
	}
	p.blur(sigma)
	for y := 0; y < p.h; y++ {
		for x := 0; x < p.w; x++ {
			img.Pix[y*img.Stride+x] = clamp8(p.p[y*p.w+x])
		}
	}
}

func clamp8(v float32) uint8 {
	switch {
	case v <= 0:
		return 0
	case v >= 255:
		return 255
	}
	return uint8(v + 0.5)
}
