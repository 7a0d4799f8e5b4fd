package icr

import (
	"image"
	"math"
	"sync"
)

// Size is the side of the model's input, in pixels (MNIST's 28).
const Size = 28

// Normalisation, MNIST-style. MNIST's digits were size-normalised to fit a
// 20×20 box keeping their aspect ratio, anti-aliased, and centred by their
// centre of mass in a 28×28 image, white ink on black. Normalize does the
// same to a crop of any size, so the model sees a written digit the way it
// saw MNIST's, whatever the scan resolution, the pen or the paper:
//
//  1. Paper and ink levels: the paper is the crop's 95th percentile of
//     brightness, the ink the level of its darkest 0.2% (at least 3 pixels,
//     so that a thin stroke on a big crop still sets it). A crop with less than
//     minContrast between them holds no ink (a blank image comes back).
//  2. Ink map: each pixel's darkness below the paper as a fraction of the
//     contrast, with a soft ramp (the lightest 15% of the contrast is
//     paper texture; 75% and darker is full ink), so a thin ballpoint line
//     and a felt tip both reach full ink in their core.
//  3. Specks: connected pieces of ink (pixels over inkCut) smaller than
//     specklePart of the largest piece are dropped, so dust or a stray
//     scanner dot does not stretch the ink box.
//  4. The ink box is scaled so that its longer side is 20 px (area
//     averaging down, linear interpolation up), keeping the aspect ratio.
//  5. The scaled ink is placed in 28×28 with its centre of mass at the
//     centre (14, 14), integer shift as in MNIST; what would fall outside
//     is cut.
//
// Everything a caller crops for Classify goes through exactly this, and
// so did every training example (package handgen renders its glyphs on
// paper and normalises them with this function; MNIST's digits were
// inverted onto paper and normalised again), so training and use agree.
const (
	minContrast = 40
	inkCut      = 0.25
	specklePart = 0.04
	fitSide     = 20
)

// Normalize returns the 28×28 MNIST-style image of the one character in
// g (dark ink on light paper, any size): white ink on black. The second
// result is false when g holds no ink; the image is then all black.
func Normalize(g *image.Gray) (*image.Gray, bool) {
	out := image.NewGray(image.Rect(0, 0, Size, Size))
	if g == nil || g.Rect.Empty() {
		return out, false
	}
	w, h := g.Rect.Dx(), g.Rect.Dy()
	var hist [256]int
	for y := 0; y < h; y++ {
		row := g.Pix[(y)*g.Stride : y*g.Stride+w]
		for _, p := range row {
			hist[p]++
		}
	}
	paper := percentile(&hist, w*h, 0.95)
	dark := darkest(&hist, max(3, w*h/500))
	contrast := float64(paper) - float64(dark)
	if contrast < minContrast {
		return out, false
	}
	lo, span := 0.15*contrast, 0.6*contrast
	var lut [256]float32 // ink of each grey level
	for p := range lut {
		if v := (float64(paper) - float64(p) - lo) / span; v > 0 {
			lut[p] = float32(math.Min(v, 1))
		}
	}
	sc := scratchPool.Get().(*scratch)
	defer scratchPool.Put(sc)
	ink := grow(&sc.ink, w*h) // every pixel written below
	for y := 0; y < h; y++ {
		row := g.Pix[y*g.Stride : y*g.Stride+w]
		dst := ink[y*w : (y+1)*w]
		for x, p := range row {
			dst[x] = lut[p]
		}
	}
	x0, y0, x1, y1, ok := dropSpecks(ink, w, h, sc)
	if !ok {
		return out, false
	}
	bw, bh := x1-x0, y1-y0
	k := float64(fitSide) / float64(max(bw, bh))
	sw, sh := max(1, int(math.Round(float64(bw)*k))), max(1, int(math.Round(float64(bh)*k)))
	scaled := resample(ink, w, x0, y0, bw, bh, sw, sh)
	var m, mx, my float64
	for y := 0; y < sh; y++ {
		for x := 0; x < sw; x++ {
			v := float64(scaled[y*sw+x])
			m += v
			mx += v * (float64(x) + 0.5)
			my += v * (float64(y) + 0.5)
		}
	}
	if m == 0 {
		return out, false
	}
	ox := int(math.Round(Size/2 - mx/m))
	oy := int(math.Round(Size/2 - my/m))
	for y := 0; y < sh; y++ {
		ty := y + oy
		if ty < 0 || ty >= Size {
			continue
		}
		for x := 0; x < sw; x++ {
			tx := x + ox
			if tx < 0 || tx >= Size {
				continue
			}
			out.Pix[ty*out.Stride+tx] = uint8(math.Round(255 * math.Min(1, float64(scaled[y*sw+x]))))
		}
	}
	return out, true
}

// percentile returns the grey level below which lies the fraction q of n
// pixels counted in hist.
func percentile(hist *[256]int, n int, q float64) int {
	want := int(q * float64(n))
	c := 0
	for v, k := range hist {
		c += k
		if c > want {
			return v
		}
	}
	return 255
}

// darkest returns the grey level of the n-th darkest pixel.
func darkest(hist *[256]int, n int) int {
	c := 0
	for v, k := range hist {
		c += k
		if c >= n {
			return v
		}
	}
	return 255
}

// scratch holds Normalize's per-crop buffers, kept between calls
// (scratchPool): allocating them anew for every glyph cost as much CPU,
// in the allocator and the collector, as the work done with them.
type scratch struct {
	ink   []float32
	label []int32
	stack []int
	sizes []int
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// grow returns (*buf)[:n], reallocating *buf when it is too short; the
// contents are left as they were.
func grow[T any](buf *[]T, n int) []T {
	if cap(*buf) < n {
		*buf = make([]T, n)
	}
	return (*buf)[:n]
}

// dropSpecks clears the pieces of ink (4-connected, over inkCut) much
// smaller than the largest, and returns the box [x0,x1)×[y0,y1) of what is
// left. sc provides the buffers.
func dropSpecks(ink []float32, w, h int, sc *scratch) (x0, y0, x1, y1 int, ok bool) {
	label := grow(&sc.label, w*h)
	clear(label)
	sizes := sc.sizes[:0]
	stack := sc.stack[:0]
	defer func() { sc.sizes, sc.stack = sizes, stack }()
	for i, v := range ink {
		if v <= inkCut || label[i] != 0 {
			continue
		}
		id := int32(len(sizes) + 1)
		size := 0
		label[i] = id
		stack = append(stack[:0], i)
		for len(stack) > 0 {
			j := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			size++
			x := j % w
			if x > 0 && ink[j-1] > inkCut && label[j-1] == 0 {
				label[j-1] = id
				stack = append(stack, j-1)
			}
			if x+1 < w && ink[j+1] > inkCut && label[j+1] == 0 {
				label[j+1] = id
				stack = append(stack, j+1)
			}
			if j >= w && ink[j-w] > inkCut && label[j-w] == 0 {
				label[j-w] = id
				stack = append(stack, j-w)
			}
			if j+w < len(ink) && ink[j+w] > inkCut && label[j+w] == 0 {
				label[j+w] = id
				stack = append(stack, j+w)
			}
		}
		sizes = append(sizes, size)
	}
	if len(sizes) == 0 {
		return 0, 0, 0, 0, false
	}
	largest := 0
	for _, s := range sizes {
		largest = max(largest, s)
	}
	minSize := max(2, int(specklePart*float64(largest)))
	x0, y0, x1, y1 = w, h, 0, 0
	for i := range ink {
		if ink[i] == 0 {
			continue
		}
		id := label[i]
		// Faint pixels (under inkCut) belong to the ink they border; they
		// are kept, but only the pieces over the cut decide the box.
		if id == 0 {
			continue
		}
		if sizes[id-1] < minSize {
			ink[i] = 0
			continue
		}
		x, y := i%w, i/w
		x0, y0, x1, y1 = min(x0, x), min(y0, y), max(x1, x+1), max(y1, y+1)
	}
	return x0, y0, x1, y1, x1 > x0
}

// resample scales the bw×bh window at (x0, y0) of the w-wide map src to
// dw×dh, separably.
func resample(src []float32, w, x0, y0, bw, bh, dw, dh int) []float32 {
	wx := weights(bw, dw)
	wy := weights(bh, dh)
	tmp := make([]float32, bh*dw)
	for y := 0; y < bh; y++ {
		row := src[(y0+y)*w+x0 : (y0+y)*w+x0+bw]
		for x, ws := range wx {
			var s float32
			for _, t := range ws {
				s += row[t.i] * t.w
			}
			tmp[y*dw+x] = s
		}
	}
	out := make([]float32, dh*dw)
	for y, ws := range wy {
		for _, t := range ws {
			row := tmp[t.i*dw : (t.i+1)*dw]
			for x := range dw {
				out[y*dw+x] += row[x] * t.w
			}
		}
	}
	return out
}

type tap struct {
	i int
	w float32
}

// weights gives, for each of m output samples, the input samples of n and
// their weights: the overlap of the footprints when shrinking (area
// averaging), linear interpolation between centres when enlarging.
func weights(n, m int) [][]tap {
	out := make([][]tap, m)
	s := float64(n) / float64(m)
	for j := range out {
		if s >= 1 {
			a, b := float64(j)*s, float64(j+1)*s
			for i := int(a); i < n && float64(i) < b; i++ {
				ov := math.Min(b, float64(i+1)) - math.Max(a, float64(i))
				if ov > 0 {
					out[j] = append(out[j], tap{i, float32(ov / s)})
				}
			}
			continue
		}
		c := (float64(j)+0.5)*s - 0.5
		i := int(math.Floor(c))
		f := c - float64(i)
		i0, i1 := max(i, 0), min(i+1, n-1)
		if c < 0 {
			i0, f = 0, 0
		}
		out[j] = append(out[j], tap{i0, float32(1 - f)}, tap{i1, float32(f)})
	}
	return out
}
