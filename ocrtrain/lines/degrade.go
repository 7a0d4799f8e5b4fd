package lines

import (
	"bytes"
	"fmt"
	"image"
	"image/draw"
	"image/jpeg"
	"math"
	"math/rand/v2"

	"github.com/regfus/regfus/resample"
)

// plane is one float channel, 0 black .. 1 white (or coverage 0..1).
type plane struct {
	w, h int
	v    []float32
}

func newPlane(w, h int) *plane { return &plane{w: w, h: h, v: make([]float32, w*h)} }

// degrade turns ink coverage at scan resolution into the reader's grey crop:
// paper and ink colours, illumination, optics (blur, motion), sensor noise
// and dust, JPEG, grayscale conversion, optional 1-bit thresholding, and
// finally the reader's scaling to LineHeight.
func degrade(cov *plane, p Params, charPx float64, rng *rand.Rand) (*image.Gray, error) {
	w, h := cov.w, cov.h
	// Dust specks are ink on paper, before the optics.
	for range p.Specks {
		r := 0.4 + rng.Float64()*0.8*charPx/15
		sx, sy := rng.Float64()*float64(w), rng.Float64()*float64(h)
		for y := max(0, int(sy-r-1)); y < min(h, int(sy+r+2)); y++ {
			for x := max(0, int(sx-r-1)); x < min(w, int(sx+r+2)); x++ {
				if math.Hypot(float64(x)+0.5-sx, float64(y)+0.5-sy) <= r {
					cov.v[y*w+x] = 1
				}
			}
		}
	}
	gx, gy := math.Cos(p.GradientDir), math.Sin(p.GradientDir)
	var ch [3]*plane
	for c := range 3 {
		ch[c] = newPlane(w, h)
		for y := range h {
			for x := range w {
				// Illumination: a linear fall-off across the crop.
				t := (gx*(float64(x)/float64(w)-0.5) + gy*(float64(y)/float64(h)-0.5))
				light := 1 - p.Gradient*(t+0.5)
				k := float64(cov.v[y*w+x])
				ch[c].v[y*w+x] = float32(light * (p.Paper[c]*(1-k) + p.Ink[c]*k))
			}
		}
		if p.Blur > 0.05 {
			gaussian(ch[c], p.Blur)
		}
		if p.MotionBlur > 0.5 {
			motion(ch[c], p.MotionBlur)
		}
	}
	for i := range w * h {
		n := float32(rng.NormFloat64() * p.Noise) // luminance noise
		for c := range 3 {
			ch[c].v[i] += n + float32(rng.NormFloat64()*p.Noise*0.3)
		}
	}
	rgba := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := range w * h {
		for c := range 3 {
			rgba.Pix[4*i+c] = to8(ch[c].v[i])
		}
		rgba.Pix[4*i+3] = 255
	}
	var img image.Image = rgba
	if p.JPEGQuality > 0 {
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, rgba, &jpeg.Options{Quality: p.JPEGQuality}); err != nil {
			return nil, fmt.Errorf("lines: jpeg encode: %w", err)
		}
		dec, err := jpeg.Decode(&buf)
		if err != nil {
			return nil, fmt.Errorf("lines: jpeg decode: %w", err)
		}
		img = dec
	}
	gray := ToGray(img)
	if p.Bitonal {
		lum := func(c [3]float64) float64 { return 0.299*c[0] + 0.587*c[1] + 0.114*c[2] }
		mid := (lum(p.Paper) + lum(p.Ink)) / 2
		cut := 255 * (mid + p.Threshold*(lum(p.Paper)-lum(p.Ink))/2)
		for i, v := range gray.Pix {
			if float64(v) < cut {
				gray.Pix[i] = 0
			} else {
				gray.Pix[i] = 255
			}
		}
	}
	th := int(math.Round(LineHeight * p.ScaleJitter))
	tw := max(1, int(math.Round(float64(w)*float64(th)/float64(h))))
	return resample.Image(gray, tw, th), nil
}

func to8(v float32) uint8 {
	x := math.Round(float64(v) * 255)
	return uint8(math.Max(0, math.Min(255, x)))
}

// ToGray converts img to 8-bit grey with the BT.601 luma weights
// (0.299, 0.587, 0.114), as OpenCV's BGR2GRAY does in the reader.
func ToGray(img image.Image) *image.Gray {
	b := img.Bounds()
	g := image.NewGray(image.Rect(0, 0, b.Dx(), b.Dy()))
	if src, ok := img.(*image.Gray); ok {
		draw.Draw(g, g.Rect, src, b.Min, draw.Src)
		return g
	}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, gg, bb, _ := img.At(x, y).RGBA()
			l := (299*float64(r) + 587*float64(gg) + 114*float64(bb)) / 1000 / 257
			g.Pix[(y-b.Min.Y)*g.Stride+(x-b.Min.X)] = uint8(math.Round(math.Min(255, l)))
		}
	}
	return g
}

func gaussian(pl *plane, sigma float64) {
	r := int(math.Ceil(3 * sigma))
	k := make([]float32, 2*r+1)
	sum := float32(0)
	for i := range k {
		d := float64(i - r)
		k[i] = float32(math.Exp(-d * d / (2 * sigma * sigma)))
		sum += k[i]
	}
	for i := range k {
		k[i] /= sum
	}
	convolve(pl, k, true)
	convolve(pl, k, false)
}

func motion(pl *plane, length float64) {
	n := int(math.Round(length))
	k := make([]float32, n|1) // odd length, centred
	for i := range k {
		k[i] = 1 / float32(len(k))
	}
	convolve(pl, k, true)
}

// convolve applies a centred 1-D kernel along x (horiz) or y, clamping at
// the borders (the paper continues beyond the crop).
func convolve(pl *plane, k []float32, horiz bool) {
	r := len(k) / 2
	out := make([]float32, len(pl.v))
	for y := range pl.h {
		for x := range pl.w {
			s := float32(0)
			for i, kv := range k {
				xx, yy := x, y
				if horiz {
					xx = min(pl.w-1, max(0, x+i-r))
				} else {
					yy = min(pl.h-1, max(0, y+i-r))
				}
				s += kv * pl.v[yy*pl.w+xx]
			}
			out[y*pl.w+x] = s
		}
	}
	pl.v = out
}
