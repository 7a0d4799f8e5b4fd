package overlay

import (
	"image"
	"image/draw"
	"math"

	"github.com/regfus/regfus/layout"
	"github.com/regfus/regfus/page"
)

// Crop returns the part of the page g a review item is about, upright:
// its slot (slot > 0), or the header for the sheet code, or the box of the
// progressive, count or date (field); the whole page for anything else or
// when the page's placement is unknown.
func Crop(g *image.Gray, res *page.Result, l *layout.Layout, slot int, field string) image.Image {
	m := newPageMap(g.Bounds(), res, l)
	if !m.ok {
		return g
	}
	var r layout.Rect
	switch {
	case slot > 0 && slot <= len(l.Slots):
		r = l.Slots[slot-1].Rect.Inset(-3)
	case field == "code" || field == "tail_code":
		r = layout.Rect{X: l.Margin, Y: l.Margin, W: l.Page.W - 2*l.Margin, H: l.Slots[0].Y - l.Margin}
	case field == "progressive":
		r = l.Progressive.Rect.Inset(-4)
	case field == "declared_count":
		r = l.Count.Rect.Inset(-4)
	case field == "date":
		r = l.DateBox.Inset(-4)
	default:
		return upright(g, *res.Orientation)
	}
	if m.exact != nil {
		if c := m.rectify(g, r); c != nil {
			return c
		}
		return upright(g, *res.Orientation)
	}
	box := m.bounds(r).Intersect(g.Bounds())
	if box.Dx() < 8 || box.Dy() < 8 {
		return upright(g, *res.Orientation)
	}
	sub := image.NewGray(image.Rect(0, 0, box.Dx(), box.Dy()))
	draw.Draw(sub, sub.Bounds(), g, box.Min, draw.Src)
	return upright(sub, *res.Orientation)
}

// upright undoes a clockwise rotation of deg degrees (0, 90, 180, 270).
func upright(g *image.Gray, deg int) *image.Gray {
	if g.Bounds().Min != (image.Point{}) {
		c := image.NewGray(image.Rect(0, 0, g.Bounds().Dx(), g.Bounds().Dy()))
		draw.Draw(c, c.Bounds(), g, g.Bounds().Min, draw.Src)
		g = c
	}
	w, h := g.Bounds().Dx(), g.Bounds().Dy()
	var out *image.Gray
	switch ((deg % 360) + 360) % 360 {
	case 90: // rotate counter-clockwise
		out = image.NewGray(image.Rect(0, 0, h, w))
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				out.Pix[(w-1-x)*out.Stride+y] = g.Pix[y*g.Stride+x]
			}
		}
	case 180:
		out = image.NewGray(image.Rect(0, 0, w, h))
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				out.Pix[(h-1-y)*out.Stride+(w-1-x)] = g.Pix[y*g.Stride+x]
			}
		}
	case 270:
		out = image.NewGray(image.Rect(0, 0, h, w))
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				out.Pix[x*out.Stride+(h-1-y)] = g.Pix[y*g.Stride+x]
			}
		}
	default:
		return g
	}
	return out
}

// rectify cuts the layout rectangle r out of g through the exact map:
// upright, skew and perspective removed, at the page's own resolution
// (between 4 and 12 pixels per mm), sampled bilinearly. Parts outside the
// image are white. nil when r does not meet the image.
func (m pageMap) rectify(g *image.Gray, r layout.Rect) *image.Gray {
	if m.bounds(r).Intersect(g.Bounds()).Empty() {
		return nil
	}
	k := math.Min(math.Max(m.k, 4), 12)
	w, h := int(math.Ceil(r.W*k)), int(math.Ceil(r.H*k))
	out := image.NewGray(image.Rect(0, 0, w, h))
	b := g.Bounds()
	at := func(x, y int) float64 {
		if x < b.Min.X || y < b.Min.Y || x >= b.Max.X || y >= b.Max.Y {
			return 255
		}
		return float64(g.Pix[(y-b.Min.Y)*g.Stride+(x-b.Min.X)])
	}
	for v := 0; v < h; v++ {
		for u := 0; u < w; u++ {
			// Continuous pixel coordinates: centre of pixel i at i+0.5.
			sx, sy := m.pt(r.X+(float64(u)+0.5)/k, r.Y+(float64(v)+0.5)/k)
			sx, sy = sx-0.5, sy-0.5
			x0, y0 := math.Floor(sx), math.Floor(sy)
			fx, fy := sx-x0, sy-y0
			ix, iy := int(x0), int(y0)
			val := (at(ix, iy)*(1-fx)+at(ix+1, iy)*fx)*(1-fy) + (at(ix, iy+1)*(1-fx)+at(ix+1, iy+1)*fx)*fy
			out.Pix[v*out.Stride+u] = uint8(math.Round(val))
		}
	}
	return out
}
