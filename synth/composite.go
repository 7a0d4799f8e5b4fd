package synth

import (
	"image"
	"math"

	"github.com/regfus/regfus/layout"
)

// stick composites a label raster onto the page raster (both at the same
// dpi) at placement p, the way a sticker looks under a scanner lamp: a soft
// shadow on the side away from the light, a slightly darker cut edge, then
// the label itself, anti-aliased along its outline and resampled bilinearly.
// A white sticker on white paper is therefore still visible, faintly, by its
// edge - as on real scans.
func stick(page, lbl *image.Gray, dpi float64, p placement, sh shadow) {
	k := dpi / 25.4
	bb := p.quad(layout.Rect{W: p.w, H: p.h}).Bounds()
	grow := (math.Abs(sh.dx) + math.Abs(sh.dy) + 3*sh.soft) + 0.5
	x0 := max(int(math.Floor((bb.X-grow)*k)), 0)
	y0 := max(int(math.Floor((bb.Y-grow)*k)), 0)
	x1 := min(int(math.Ceil((bb.Right()+grow)*k)), page.Rect.Dx())
	y1 := min(int(math.Ceil((bb.Bottom()+grow)*k)), page.Rect.Dy())
	lw, lh := lbl.Rect.Dx(), lbl.Rect.Dy()
	sx, sy := float64(lw)/p.w, float64(lh)/p.h // label px per mm
	softPx := math.Max(sh.soft*k, 0.5)
	edgePx := sh.edge * k
	sin, cos := math.Sincos(p.angle * math.Pi / 180)
	local := func(x, y float64) (float64, float64) { // page mm -> label mm
		dx, dy := x-p.cx, y-p.cy
		return cos*dx + sin*dy + p.w/2, -sin*dx + cos*dy + p.h/2
	}
	inside := func(lx, ly float64) float64 { // distance inside the outline, px
		return min(lx, p.w-lx, ly, p.h-ly) * k
	}
	for y := y0; y < y1; y++ {
		row := page.Pix[y*page.Stride:]
		my := (float64(y) + 0.5) / k
		for x := x0; x < x1; x++ {
			mx := (float64(x) + 0.5) / k
			v := float64(row[x])
			// Shadow: the label outline shifted by (dx, dy), soft-edged.
			if sh.depth > 0 {
				d := inside(local(mx-sh.dx, my-sh.dy))
				if a := 0.5 + d/softPx; a > 0 {
					v *= 1 - sh.depth*min(a, 1)
				}
			}
			lx, ly := local(mx, my)
			d := inside(lx, ly)
			if cov := min(d+0.5, 1); cov > 0 {
				s := bilinear(lbl, lx*sx-0.5, ly*sy-0.5)
				if edgePx > 0 && d < edgePx {
					s *= 1 - sh.edgeDark*(1-d/edgePx)
				}
				v = v*(1-cov) + s*cov
			}
			row[x] = uint8(max(0, min(255, v)) + 0.5)
		}
	}
}

// shadow describes how a sticker's thickness shows under the lamp.
type shadow struct {
	dx, dy   float64 // shadow offset, mm
	soft     float64 // shadow softness, mm
	depth    float64 // fraction of light taken at the shadow's core
	edge     float64 // width of the darker cut edge on the label, mm
	edgeDark float64 // fraction darkened at the very edge
}

func clamp01(v float64) float64 { return math.Max(0, math.Min(1, v)) }

// bilinear samples img at (x, y) in pixel coordinates (pixel centres at
// integers), clamping at the borders.
func bilinear(img *image.Gray, x, y float64) float64 {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	x = math.Max(0, math.Min(float64(w-1), x))
	y = math.Max(0, math.Min(float64(h-1), y))
	ix, iy := int(x), int(y)
	fx, fy := x-float64(ix), y-float64(iy)
	ix1, iy1 := min(ix+1, w-1), min(iy+1, h-1)
	p := img.Pix
	s := img.Stride
	a := float64(p[iy*s+ix])*(1-fx) + float64(p[iy*s+ix1])*fx
	b := float64(p[iy1*s+ix])*(1-fx) + float64(p[iy1*s+ix1])*fx
	return a*(1-fy) + b*fy
}
