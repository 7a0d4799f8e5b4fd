package barcode

import (
	"image"
	"image/color"
	"math"
)

// plane is an 8-bit luminance image, 0 black and 255 white, row-major. It
// aliases the caller's *image.Gray where it can, so building one is free.
type plane struct {
	pix    []byte
	w, h   int
	stride int
}

// planeFromGray aliases g's pixels (no copy).
func planeFromGray(g *image.Gray) plane {
	b := g.Bounds()
	if b.Empty() || len(g.Pix) == 0 {
		return plane{}
	}
	return plane{pix: g.Pix[g.PixOffset(b.Min.X, b.Min.Y):], w: b.Dx(), h: b.Dy(), stride: g.Stride}
}

// planeFromImage converts any image to luminance. The common decoded types
// (Gray, the Y plane of a JPEG's YCbCr, RGBA, NRGBA) take a fast path;
// anything else goes through color.GrayModel. Transparent pixels are
// composited on white, as on paper.
func planeFromImage(img image.Image) plane {
	b := img.Bounds()
	if b.Empty() {
		return plane{}
	}
	switch m := img.(type) {
	case *image.Gray:
		return planeFromGray(m)
	case *image.YCbCr:
		if len(m.Y) == 0 {
			return plane{}
		}
		return plane{pix: m.Y[m.YOffset(b.Min.X, b.Min.Y):], w: b.Dx(), h: b.Dy(), stride: m.YStride}
	}
	w, h := b.Dx(), b.Dy()
	p := plane{pix: make([]byte, w*h), w: w, h: h, stride: w}
	switch m := img.(type) {
	case *image.RGBA:
		for y := 0; y < h; y++ {
			row := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			out := p.pix[y*w : y*w+w]
			for x := range out {
				r, g, bl, a := uint32(row[4*x]), uint32(row[4*x+1]), uint32(row[4*x+2]), uint32(row[4*x+3])
				// Premultiplied: add the white that shows through.
				out[x] = lum8(r+255-a, g+255-a, bl+255-a)
			}
		}
	case *image.NRGBA:
		for y := 0; y < h; y++ {
			row := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			out := p.pix[y*w : y*w+w]
			for x := range out {
				r, g, bl, a := uint32(row[4*x]), uint32(row[4*x+1]), uint32(row[4*x+2]), uint32(row[4*x+3])
				out[x] = lum8((r*a+255*(255-a))/255, (g*a+255*(255-a))/255, (bl*a+255*(255-a))/255)
			}
		}
	default:
		for y := 0; y < h; y++ {
			out := p.pix[y*w : y*w+w]
			for x := range out {
				r, g, bl, a := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
				// Premultiplied 16-bit: composite on white, then to 8 bits.
				r, g, bl = r+0xffff-a, g+0xffff-a, bl+0xffff-a
				out[x] = color.GrayModel.Convert(color.RGBA64{R: uint16(min(r, 0xffff)), G: uint16(min(g, 0xffff)), B: uint16(min(bl, 0xffff)), A: 0xffff}).(color.Gray).Y
			}
		}
	}
	return p
}

// lum8 is the ITU-R 601 luma of 8-bit R, G, B (as color.GrayModel).
func lum8(r, g, b uint32) byte {
	r, g, b = min(r, 255), min(g, 255), min(b, 255)
	return byte((19595*r + 38470*g + 7471*b + 1<<15) >> 16)
}

// at returns the pixel at (x, y), clamped to the image.
func (p plane) at(x, y int) byte {
	x = max(0, min(x, p.w-1))
	y = max(0, min(y, p.h-1))
	return p.pix[y*p.stride+x]
}

// bilinear samples p at a real position, clamping to the border.
func (p plane) bilinear(x, y float64) float64 {
	x0, y0 := math.Floor(x), math.Floor(y)
	fx, fy := x-x0, y-y0
	ix, iy := int(x0), int(y0)
	if ix >= 0 && iy >= 0 && ix+1 < p.w && iy+1 < p.h {
		o := iy*p.stride + ix
		a, b := float64(p.pix[o]), float64(p.pix[o+1])
		c, d := float64(p.pix[o+p.stride]), float64(p.pix[o+p.stride+1])
		return (a*(1-fx)+b*fx)*(1-fy) + (c*(1-fx)+d*fx)*fy
	}
	a, b := float64(p.at(ix, iy)), float64(p.at(ix+1, iy))
	c, d := float64(p.at(ix, iy+1)), float64(p.at(ix+1, iy+1))
	return (a*(1-fx)+b*fx)*(1-fy) + (c*(1-fx)+d*fx)*fy
}

// scanLine is a straight line of samples through a plane: sample i is at
// origin + i*step*dir, averaged over band samples spaced one pixel apart
// across the line (along the normal), which trades vertical resolution for
// noise: bars are tall, noise is not.
type scanLine struct {
	ox, oy float64 // first sample
	dx, dy float64 // unit direction
	step   float64 // pixels between samples (1/scale)
	n      int     // number of samples
	band   int     // samples averaged across the line (>= 1)
}

// point returns the image position of sample position t (in samples).
func (l scanLine) point(t float64) (x, y float64) {
	return l.ox + t*l.step*l.dx, l.oy + t*l.step*l.dy
}

// sample fills dst (grown as needed) with the luminance along l and returns
// it. Horizontal and vertical lines at integer positions with an integer
// upsampling factor (the crop reader's usual case) take a fast path: rows
// averaged with integer sums, then linear interpolation; anything else is
// sampled bilinearly.
func (p plane) sample(l scanLine, dst []byte, acc *[]int) []byte {
	if cap(dst) < l.n {
		dst = make([]byte, l.n)
	}
	dst = dst[:l.n]
	band := max(l.band, 1)
	k := int(math.Round(1 / l.step))
	if band%2 == 1 && k >= 1 && math.Abs(l.step*float64(k)-1) < 1e-9 {
		ph := phase(k)
		switch {
		case l.dx == 1 && l.dy == 0 && isInt(l.ox-ph) && isInt(l.oy):
			p.sampleAxis(int(math.Round(l.ox-ph)), int(l.oy), k, band, false, dst, acc)
			return dst
		case l.dx == 0 && l.dy == 1 && isInt(l.oy-ph) && isInt(l.ox):
			p.sampleAxis(int(l.ox), int(math.Round(l.oy-ph)), k, band, true, dst, acc)
			return dst
		}
	}
	if band == 1 {
		p.sampleFixed(l, dst)
		return dst
	}
	half := float64(band-1) / 2
	nx, ny := -l.dy, l.dx // unit normal
	for i := range dst {
		x, y := l.point(float64(i))
		if band == 1 {
			dst[i] = byte(p.bilinear(x, y) + 0.5)
			continue
		}
		var s float64
		for j := 0; j < band; j++ {
			o := float64(j) - half
			s += p.bilinear(x+o*nx, y+o*ny)
		}
		dst[i] = byte(s/float64(band) + 0.5)
	}
	return dst
}

// phase is where the first of k samples per pixel sits relative to the
// pixel's centre: k samples split the pixel evenly about its centre (for
// k = 2, at -1/4 and +1/4). Samples at the pixel centre and half-way
// between pixels would put every other sample exactly on an edge's
// midpoint grey, where the threshold's tie-break would shave a sample off
// every bar.
func phase(k int) float64 { return 0.5/float64(k) - 0.5 }

func isInt(v float64) bool { return math.Abs(v-math.Round(v)) < 1e-9 }

// sampleAxis is sample's fast path for a horizontal (or vertical) line
// starting at pixel x0 (y0) with phase(k): band rows (columns) around y0
// (x0) summed with integers, then upsampled k times by linear
// interpolation.
func (p plane) sampleAxis(x0, y0, k, band int, vertical bool, dst []byte, acc *[]int) {
	m := (len(dst)-1)/k + 3 // source pixels needed, from x0-1
	if cap(*acc) < m {
		*acc = make([]int, m)
	}
	sum := (*acc)[:m]
	clear(sum)
	for j := -band / 2; j <= band/2; j++ {
		if vertical {
			x := max(0, min(x0+j, p.w-1))
			for i := range sum {
				sum[i] += int(p.pix[max(0, min(y0-1+i, p.h-1))*p.stride+x])
			}
			continue
		}
		row := p.pix[max(0, min(y0+j, p.h-1))*p.stride:]
		for i := range sum {
			sum[i] += int(row[max(0, min(x0-1+i, p.w-1))])
		}
	}
	if k == 1 {
		for i := range dst {
			dst[i] = byte((sum[i+1] + band/2) / band)
		}
		return
	}
	// Sample i is at x0 + (2i+1-k)/(2k).
	den := 2 * k
	for i := range dst {
		num := 2*i + 1 - k
		j := num / den
		if num < 0 && num%den != 0 {
			j--
		}
		f := num - j*den
		v := sum[j+1]*(den-f) + sum[j+2]*f
		dst[i] = byte((v + den*band/2) / (den * band))
	}
}

// sampleFixed samples a single-row line of any direction bilinearly in
// 16.16 fixed point, stepping incrementally: about three times faster than
// bilinear, which matters to FindAll's oblique scans of whole pages.
// Samples whose 2x2 neighbourhood leaves the image go through bilinear's
// clamping.
func (p plane) sampleFixed(l scanLine, dst []byte) {
	const one = 1 << 16
	fx, fy := int64(math.Round(l.ox*one)), int64(math.Round(l.oy*one))
	sx, sy := int64(math.Round(l.dx*l.step*one)), int64(math.Round(l.dy*l.step*one))
	w1, h1 := int64(p.w-1), int64(p.h-1)
	stride := int64(p.stride)
	for i := range dst {
		ix, iy := fx>>16, fy>>16
		if ix >= 0 && iy >= 0 && ix < w1 && iy < h1 {
			ax, ay := fx&(one-1), fy&(one-1)
			o := iy*stride + ix
			a, b := int64(p.pix[o]), int64(p.pix[o+1])
			c, d := int64(p.pix[o+stride]), int64(p.pix[o+stride+1])
			top := a<<16 + (b-a)*ax
			bot := c<<16 + (d-c)*ax
			dst[i] = byte((top<<16 + (bot-top)*ay + 1<<31) >> 32)
		} else {
			dst[i] = byte(p.bilinear(float64(fx)/one, float64(fy)/one) + 0.5)
		}
		fx += sx
		fy += sy
	}
}
