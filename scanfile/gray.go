package scanfile

import (
	"fmt"
	"image"
	"image/color"
	"math"
)

// toGray converts a decoded image to 8-bit grayscale with the origin at
// (0, 0), which is all the reader works with. Common decoder outputs have a
// direct loop; a Gray image at the origin is returned as is, and a JPEG's
// YCbCr keeps only its Y plane (which is the luma the reader wants, with no
// arithmetic). Transparent pixels are laid over white paper.
//
// Luma weights are those of color.GrayModel (ITU-R BT.601), so every path
// agrees with the generic one to the last bit.
func toGray(img image.Image) *image.Gray {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	switch m := img.(type) {
	case *image.Gray:
		if b.Min == (image.Point{}) {
			return m
		}
		return grayRows(w, h, func(y int, dst []uint8) {
			copy(dst, m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):])
		})
	case *image.YCbCr:
		// Copy rather than alias the Y plane: the decoder allocated Y, Cb
		// and Cr in one slice, and aliasing would keep the chroma alive.
		return grayRows(w, h, func(y int, dst []uint8) {
			copy(dst, m.Y[m.YOffset(b.Min.X, b.Min.Y+y):])
		})
	case *image.Gray16:
		return grayRows(w, h, func(y int, dst []uint8) {
			src := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			for x := range dst {
				dst[x] = src[2*x] // big-endian: the high byte
			}
		})
	case *image.RGBA:
		return grayRows(w, h, func(y int, dst []uint8) {
			src := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			for x := range dst {
				p := src[4*x : 4*x+4 : 4*x+4]
				// Premultiplied: over white adds the missing coverage.
				dst[x] = clamp8(luma8(p[0], p[1], p[2]) + 255 - uint32(p[3]))
			}
		})
	case *image.NRGBA:
		return grayRows(w, h, func(y int, dst []uint8) {
			src := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			for x := range dst {
				p := src[4*x : 4*x+4 : 4*x+4]
				a := uint32(p[3])
				dst[x] = uint8((luma8(p[0], p[1], p[2])*a + 255*(255-a) + 127) / 255)
			}
		})
	case *image.Paletted:
		var lut [256]uint8
		for i := range lut {
			lut[i] = 255 // an index past the palette reads as paper
		}
		for i, c := range m.Palette {
			if i < len(lut) {
				lut[i] = grayOverWhite(c)
			}
		}
		return grayRows(w, h, func(y int, dst []uint8) {
			src := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			for x := range dst {
				dst[x] = lut[src[x]]
			}
		})
	}
	return grayRows(w, h, func(y int, dst []uint8) {
		for x := range dst {
			dst[x] = grayOverWhite(img.At(b.Min.X+x, b.Min.Y+y))
		}
	})
}

// grayRows makes a w x h Gray image at the origin and has fill write each
// of its rows.
func grayRows(w, h int, fill func(y int, dst []uint8)) *image.Gray {
	out := image.NewGray(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		fill(y, out.Pix[y*out.Stride:y*out.Stride+w])
	}
	return out
}

// luma8 is color.GrayModel's formula on 8-bit samples.
func luma8(r, g, b uint8) uint32 {
	return (19595*uint32(r) + 38470*uint32(g) + 7471*uint32(b) + 1<<15) >> 16
}

func clamp8(v uint32) uint8 {
	if v > 255 {
		return 255
	}
	return uint8(v)
}

// grayOverWhite is the gray level of c composited over white paper.
func grayOverWhite(c color.Color) uint8 {
	r, g, b, a := c.RGBA() // premultiplied, 16-bit
	y := (19595*r + 38470*g + 7471*b + 1<<15) >> 16
	y += 0xffff - a
	if y > 0xffff {
		y = 0xffff
	}
	return uint8(y >> 8)
}

// squarePixels resamples a page scanned with different horizontal and
// vertical resolutions (a fax's 204 x 98 dpi) to square pixels at the higher
// of the two, by repeating rows or columns (nearest neighbour, so a bitonal
// page stays bitonal and bars keep sharp edges). Below a 2% difference the
// image is returned unchanged, and resolutions more than 4:1 apart are
// taken as broken metadata and ignored. It returns the resulting resolution.
func squarePixels(g *image.Gray, xdpi, ydpi float64, maxPixels int64) (*image.Gray, float64, error) {
	if xdpi <= 0 || ydpi <= 0 || math.Abs(xdpi/ydpi-1) < 0.02 {
		return g, max(xdpi, ydpi, 0), nil
	}
	if r := xdpi / ydpi; r > 4 || r < 0.25 {
		// No scanner does that; the metadata is wrong, so trust neither.
		return g, 0, nil
	}
	w, h := g.Rect.Dx(), g.Rect.Dy()
	nw, nh := w, h
	if ydpi < xdpi {
		nh = int(math.Round(float64(h) * xdpi / ydpi))
	} else {
		nw = int(math.Round(float64(w) * ydpi / xdpi))
	}
	if int64(nw)*int64(nh) > maxPixels {
		return nil, 0, newError("", 0, KindTooLarge, fmt.Sprintf("page is %dx%d pixels once its %gx%g dpi are made square, %s",
			nw, nh, xdpi, ydpi, overLimit(maxPixels)), nil)
	}
	out := image.NewGray(image.Rect(0, 0, nw, nh))
	if nh != h {
		for y := 0; y < nh; y++ {
			sy := min(int((float64(y)+0.5)*float64(h)/float64(nh)), h-1)
			copy(out.Pix[y*out.Stride:y*out.Stride+w], g.Pix[sy*g.Stride:sy*g.Stride+w])
		}
		return out, xdpi, nil
	}
	xs := make([]int, nw)
	for x := range xs {
		xs[x] = min(int((float64(x)+0.5)*float64(w)/float64(nw)), w-1)
	}
	for y := 0; y < nh; y++ {
		src := g.Pix[y*g.Stride : y*g.Stride+w]
		dst := out.Pix[y*out.Stride : y*out.Stride+nw]
		for x, sx := range xs {
			dst[x] = src[sx]
		}
	}
	return out, ydpi, nil
}

// overLimit words the pixel limit for a message: "over the 60 MP limit".
func overLimit(maxPixels int64) string {
	if maxPixels%100_000 == 0 {
		return fmt.Sprintf("over the %g MP limit", float64(maxPixels)/1e6)
	}
	return fmt.Sprintf("over the %d-pixel limit", maxPixels)
}
