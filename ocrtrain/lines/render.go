package lines

import (
	_ "embed"
	"fmt"
	"image"
	"math"
	"math/rand/v2"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

// The OCR-A fonts, copied from Debian's fonts-ocr-a 1.0 (John Sauter's
// public-domain OCR-A). Embedded so that a training set renders the same on
// every machine.
var (
	//go:embed fonts/OCRA.ttf
	ocraRegular []byte
	//go:embed fonts/OCRABold.ttf
	ocraBold []byte
)

// Render draws p's text in face p.Font (OCR-A when empty) and applies p's
// degradations. It returns the grey line as the reader would hand it to
// Tesseract: cropped with p's margins and scaled to
// LineHeight*p.ScaleJitter pixels high; and the ink's bounding box in that
// image.
func Render(p Params, rng *rand.Rand) (*image.Gray, image.Rectangle, error) {
	name := p.Font
	if name == "" {
		name = "ocra"
	}
	lf, err := load(name)
	if err != nil {
		return nil, image.Rectangle{}, err
	}
	if p.Text == "" {
		return nil, image.Rectangle{}, fmt.Errorf("lines: empty text")
	}
	S := float64(p.Supersample)
	charPx := p.CharHeightMM / 25.4 * p.DPI // digit height at scan resolution
	size := charPx * S / lf.digitHeight
	face, err := opentype.NewFace(lf.font, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingNone})
	if err != nil {
		return nil, image.Rectangle{}, fmt.Errorf("lines: font face: %w", err)
	}
	defer face.Close()

	// Lay the glyphs out on a supersampled canvas with room for the stroke:
	// each glyph's own advance (digits are tabular in every face) plus
	// Tracking times the digit pitch.
	pad := int(math.Ceil(charPx*S*0.5)) + 4
	adv0, _ := face.GlyphAdvance('0')
	track := float64(adv0) / 64 * p.Tracking
	var xs []float64
	width := 0.0
	for _, r := range p.Text {
		adv, ok := face.GlyphAdvance(r)
		if !ok {
			return nil, image.Rectangle{}, fmt.Errorf("lines: face %s has no glyph for %q", name, r)
		}
		xs = append(xs, width)
		width += float64(adv)/64 + track
	}
	m := face.Metrics()
	asc := float64(m.Ascent) / 64
	desc := float64(m.Descent) / 64
	w := int(math.Ceil(width)) + 2*pad
	h := int(math.Ceil(asc+desc)) + 2*pad
	canvas := image.NewAlpha(image.Rect(0, 0, w, h))
	d := font.Drawer{Dst: canvas, Src: image.Opaque, Face: face}
	ink := image.Rectangle{}
	baseline := float64(pad) + asc
	for i, r := range []rune(p.Text) {
		if r == ' ' {
			continue
		}
		x := float64(pad) + xs[i]
		d.Dot = fixed.Point26_6{X: fixed.Int26_6(x * 64), Y: fixed.Int26_6(baseline * 64)}
		b, _, ok := face.GlyphBounds(r)
		if !ok {
			return nil, image.Rectangle{}, fmt.Errorf("lines: face %s has no glyph for %q", name, r)
		}
		gb := image.Rect((b.Min.X + d.Dot.X).Floor(), (b.Min.Y + d.Dot.Y).Floor(), (b.Max.X + d.Dot.X).Ceil(), (b.Max.Y + d.Dot.Y).Ceil())
		ink = ink.Union(gb)
		d.DrawString(string(r))
	}
	if rad := int(math.Round(math.Abs(p.Stroke) * S)); rad > 0 {
		morph(canvas, rad, p.Stroke > 0)
		if p.Stroke > 0 {
			ink = ink.Inset(-rad)
		}
	}

	// Geometry in scan pixels: canvas point c (supersampled) maps to
	// H * (c/S) in the output crop.
	cx := float64(ink.Min.X+ink.Max.X) / 2 / S
	cy := float64(ink.Min.Y+ink.Max.Y) / 2 / S
	inkW := float64(ink.Dx()) / S
	th := p.RotationDeg * math.Pi / 180
	fwd := mul(
		mat3{math.Cos(th), math.Sin(th), 0, -math.Sin(th), math.Cos(th), 0, 0, 0, 1},
		mat3{1, p.Shear, 0, 0, 1, 0, 0, 0, 1},
		mat3{1, 0, 0, 0, 1, 0, p.Keystone / inkW, 0, 1},
		mat3{1, 0, -cx, 0, 1, -cy, 0, 0, 1},
	)
	// Bounding box of the transformed ink, then the crop around it.
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, c := range [][2]int{{ink.Min.X, ink.Min.Y}, {ink.Max.X, ink.Min.Y}, {ink.Min.X, ink.Max.Y}, {ink.Max.X, ink.Max.Y}} {
		x, y := fwd.apply(float64(c[0])/S, float64(c[1])/S)
		minX, minY, maxX, maxY = math.Min(minX, x), math.Min(minY, y), math.Max(maxX, x), math.Max(maxY, y)
	}
	x0 := math.Floor(minX - p.MarginLeft*charPx)
	y0 := math.Floor(minY - p.MarginTop*charPx)
	ow := int(math.Ceil(maxX+p.MarginRight*charPx-x0)) + 1
	oh := int(math.Ceil(maxY+p.MarginBottom*charPx-y0)) + 1
	inv := mul(fwd.inverse(), mat3{1, 0, x0, 0, 1, y0, 0, 0, 1})

	// Coverage at scan resolution: average of a ss x ss grid of samples.
	ss := p.Supersample
	cov := newPlane(ow, oh)
	for y := range oh {
		for x := range ow {
			sum := 0
			for j := range ss {
				for i := range ss {
					sx, sy := inv.apply(float64(x)+(float64(i)+0.5)/S, float64(y)+(float64(j)+0.5)/S)
					hx, hy := int(math.Floor(sx*S)), int(math.Floor(sy*S))
					if hx >= 0 && hy >= 0 && hx < w && hy < h {
						sum += int(canvas.Pix[hy*canvas.Stride+hx])
					}
				}
			}
			cov.v[y*ow+x] = float32(sum) / float32(255*ss*ss)
		}
	}
	if p.Bars != "" {
		bars(cov, p, charPx, minY-y0, maxY-y0, rng)
	}
	img, err := degrade(cov, p, charPx, rng)
	if err != nil {
		return nil, image.Rectangle{}, err
	}
	sx := float64(img.Rect.Dx()) / float64(ow)
	sy := float64(img.Rect.Dy()) / float64(oh)
	ink = image.Rect(
		int(math.Floor((minX-x0)*sx)), int(math.Floor((minY-y0)*sy)),
		int(math.Ceil((maxX-x0)*sx)), int(math.Ceil((maxY-y0)*sy)),
	).Intersect(img.Rect)
	if p.WhiteMargins {
		whiten(img, ink, rng)
	}
	return img, ink, nil
}

// bars draws the ends of a barcode's vertical bars into the crop's margin
// above or below the ink (rows inkTop and inkBottom, scan pixels), p.BarsGap
// character heights off it: modules of 0.19-0.35 mm at p.DPI, wide bars
// 2-3 times the narrow, over a random stretch of the line's width.
func bars(cov *plane, p Params, charPx, inkTop, inkBottom float64, rng *rand.Rand) {
	gap := p.BarsGap * charPx
	y0, y1 := 0, int(math.Floor(inkTop-gap))
	if p.Bars == "below" {
		y0, y1 = int(math.Ceil(inkBottom+gap)), cov.h
	}
	if y1 <= y0 {
		return
	}
	narrow := (0.19 + rng.Float64()*0.16) / 25.4 * p.DPI
	wide := narrow * (2 + rng.Float64())
	x := rng.Float64() * 0.3 * float64(cov.w)
	end := float64(cov.w) * (0.7 + rng.Float64()*0.3)
	for dark := true; x < end; dark = !dark {
		bw := narrow
		if rng.IntN(3) == 0 {
			bw = wide
		}
		if dark {
			for px := int(x); px < min(cov.w, int(math.Ceil(x+bw))); px++ {
				// Partial coverage of the bar's edge pixels.
				c := float32(math.Min(x+bw, float64(px+1)) - math.Max(x, float64(px)))
				for y := y0; y < y1; y++ {
					cov.v[y*cov.w+px] = min(1, cov.v[y*cov.w+px]+c)
				}
			}
		}
		x += bw
	}
}

// whiten paints the rows more than 1-3 px above or below the ink white.
func whiten(img *image.Gray, ink image.Rectangle, rng *rand.Rand) {
	top, bot := ink.Min.Y-1-rng.IntN(3), ink.Max.Y+1+rng.IntN(3)
	for y := img.Rect.Min.Y; y < img.Rect.Max.Y; y++ {
		if y >= top && y < bot {
			continue
		}
		row := img.Pix[(y-img.Rect.Min.Y)*img.Stride:]
		for x := range img.Rect.Dx() {
			row[x] = 255
		}
	}
}

// morph dilates (grow) or erodes a mask with a square of radius rad.
func morph(a *image.Alpha, rad int, grow bool) {
	w, h := a.Rect.Dx(), a.Rect.Dy()
	pick := func(x, y uint8) uint8 {
		if (x > y) == grow {
			return x
		}
		return y
	}
	tmp := make([]uint8, len(a.Pix))
	for y := range h {
		for x := range w {
			v := a.Pix[y*a.Stride+x]
			for k := max(0, x-rad); k <= min(w-1, x+rad); k++ {
				v = pick(v, a.Pix[y*a.Stride+k])
			}
			tmp[y*a.Stride+x] = v
		}
	}
	for y := range h {
		for x := range w {
			v := tmp[y*a.Stride+x]
			for k := max(0, y-rad); k <= min(h-1, y+rad); k++ {
				v = pick(v, tmp[k*a.Stride+x])
			}
			a.Pix[y*a.Stride+x] = v
		}
	}
}

// mat3 is a row-major 3x3 homography.
type mat3 [9]float64

func mul(ms ...mat3) mat3 {
	r := ms[0]
	for _, m := range ms[1:] {
		var o mat3
		for i := range 3 {
			for j := range 3 {
				for k := range 3 {
					o[i*3+j] += r[i*3+k] * m[k*3+j]
				}
			}
		}
		r = o
	}
	return r
}

func (m mat3) apply(x, y float64) (float64, float64) {
	w := m[6]*x + m[7]*y + m[8]
	return (m[0]*x + m[1]*y + m[2]) / w, (m[3]*x + m[4]*y + m[5]) / w
}

func (m mat3) inverse() mat3 {
	a, b, c, d, e, f, g, h, i := m[0], m[1], m[2], m[3], m[4], m[5], m[6], m[7], m[8]
	det := a*(e*i-f*h) - b*(d*i-f*g) + c*(d*h-e*g)
	return mat3{
		(e*i - f*h) / det, (c*h - b*i) / det, (b*f - c*e) / det,
		(f*g - d*i) / det, (a*i - c*g) / det, (c*d - a*f) / det,
		(d*h - e*g) / det, (b*g - a*h) / det, (a*e - b*d) / det,
	}
}
