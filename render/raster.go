package render

import (
	"image"
	"math"

	"golang.org/x/image/font"
	"golang.org/x/image/math/fixed"

	"github.com/regfus/regfus/layout"
	"github.com/regfus/regfus/typeface"
)

// Raster is a Canvas backed by an 8-bit gray image at a given resolution.
// Rectangles are anti-aliased by exact area coverage, so bars keep their
// widths on average at any dpi, as they would through a scanner's optics.
type Raster struct {
	Img *image.Gray
	DPI float64
	// Origin shifts every drawing, in mm: a Raster can stand for a window
	// of a larger page (a fustella label drawn on its own).
	OriginX, OriginY float64
	faces            map[faceKey]font.Face
}

type faceKey struct {
	f    typeface.Font
	size float64
}

// NewRaster returns a white canvas w x h mm at dpi.
func NewRaster(wMM, hMM, dpi float64) *Raster {
	w := int(math.Round(wMM / 25.4 * dpi))
	h := int(math.Round(hMM / 25.4 * dpi))
	img := image.NewGray(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = White
	}
	return &Raster{Img: img, DPI: dpi, faces: map[faceKey]font.Face{}}
}

// Px converts millimetres to pixels.
func (r *Raster) Px(mm float64) float64 { return mm / 25.4 * r.DPI }

// FillRect implements Canvas.
func (r *Raster) FillRect(rc layout.Rect, g uint8) {
	x0, y0 := r.Px(rc.X-r.OriginX), r.Px(rc.Y-r.OriginY)
	x1, y1 := r.Px(rc.Right()-r.OriginX), r.Px(rc.Bottom()-r.OriginY)
	b := r.Img.Bounds()
	ix0, iy0 := max(int(math.Floor(x0)), b.Min.X), max(int(math.Floor(y0)), b.Min.Y)
	ix1, iy1 := min(int(math.Ceil(x1)), b.Max.X), min(int(math.Ceil(y1)), b.Max.Y)
	for y := iy0; y < iy1; y++ {
		cy := overlap(float64(y), y0, y1)
		if cy <= 0 {
			continue
		}
		row := r.Img.Pix[y*r.Img.Stride:]
		for x := ix0; x < ix1; x++ {
			a := cy * overlap(float64(x), x0, x1)
			if a <= 0 {
				continue
			}
			d := float64(row[x])
			row[x] = uint8(math.Round(d*(1-a) + float64(g)*a))
		}
	}
}

// overlap is the length of [p, p+1) inside [a, b).
func overlap(p, a, b float64) float64 {
	return math.Max(0, math.Min(p+1, b)-math.Max(p, a))
}

// Text implements Canvas.
func (r *Raster) Text(x, y, sizeMM float64, f typeface.Font, a Align, g uint8, s string) {
	size := r.Px(sizeMM)
	k := faceKey{f, size}
	face, ok := r.faces[k]
	if !ok {
		face = f.Face(size)
		r.faces[k] = face
	}
	px, py := r.Px(x-r.OriginX), r.Px(y-r.OriginY)
	adv := float64(font.MeasureString(face, s)) / 64
	switch a {
	case Center:
		px -= adv / 2
	case Right:
		px -= adv
	}
	d := font.Drawer{
		Dst:  r.Img,
		Src:  image.NewUniform(grayColor(g)),
		Face: face,
		Dot:  fixed.Point26_6{X: fixed.Int26_6(px * 64), Y: fixed.Int26_6(py * 64)},
	}
	d.DrawString(s)
}

// Close releases the faces.
func (r *Raster) Close() {
	for _, f := range r.faces {
		f.Close()
	}
	r.faces = map[faceKey]font.Face{}
}
