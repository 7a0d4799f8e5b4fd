// Package resample scales 8-bit grey images with a separable tent filter
// whose support widens when shrinking (area-like averaging) and that is
// bilinear when enlarging.
//
// It is the one scaling of a printed line between the training lines
// (ocrtrain/lines scales its rendered lines with it) and the reader
// (package tesseract scales a crop of another height to the model's line
// height with it), so that the model sees a crop resampled exactly as its
// training lines were. It is pure Go, so the training generator does not
// depend on Tesseract.
package resample

import (
	"image"
	"math"
)

// Gray scales grey pixels src (sw x sh, rows of sw bytes) to dw x dh and
// returns the new pixels (rows of dw bytes): rows first, then columns, in
// float32, rounded and clamped to 0-255 at the end.
func Gray(src []byte, sw, sh, dw, dh int) []byte {
	tmp := make([]float32, dw*sh)
	for y := range sh {
		row := src[y*sw : y*sw+sw]
		line(func(i int) float32 { return float32(row[i]) }, sw, dw, func(i int, v float32) { tmp[y*dw+i] = v })
	}
	out := make([]byte, dw*dh)
	for x := range dw {
		line(func(i int) float32 { return tmp[i*dw+x] }, sh, dh, func(i int, v float32) {
			out[i*dw+x] = uint8(math.Max(0, math.Min(255, math.Round(float64(v)))))
		})
	}
	return out
}

// Image is Gray for an image (any stride, any origin): a new w x h image.
func Image(src *image.Gray, w, h int) *image.Gray {
	sw, sh := src.Rect.Dx(), src.Rect.Dy()
	px := src.Pix
	if src.Stride != sw || len(px) != sw*sh {
		px = make([]byte, sw*sh)
		for y := range sh {
			copy(px[y*sw:(y+1)*sw], src.Pix[y*src.Stride:])
		}
	}
	return &image.Gray{Pix: Gray(px, sw, sh, w, h), Stride: w, Rect: image.Rect(0, 0, w, h)}
}

// line resamples n values (get) to m (set) with the tent filter.
func line(get func(int) float32, n, m int, set func(int, float32)) {
	scale := float64(m) / float64(n)
	support := math.Max(1, 1/scale)
	for i := range m {
		c := (float64(i)+0.5)/scale - 0.5
		lo, hi := int(math.Floor(c-support)), int(math.Ceil(c+support))
		var s, ws float64
		for j := lo; j <= hi; j++ {
			wt := 1 - math.Abs(float64(j)-c)/support
			if wt <= 0 {
				continue
			}
			s += wt * float64(get(min(n-1, max(0, j))))
			ws += wt
		}
		set(i, float32(s/ws))
	}
}
