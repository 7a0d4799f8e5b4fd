package linenet

import (
	"errors"
	"fmt"
	"image"
	"slices"
	"sync"
)

// Height is the network's input height in pixels: every line crop is
// scaled to it, keeping its aspect ratio.
const Height = 32

// MaxWidth bounds a normalised line's width (20 heights: a 17-digit sheet
// code with its margins fits; a wider crop is not one line of a label).
const MaxWidth = 640

// minContrast is the least difference, in grey levels, between the
// crop's paper and its ink for it to hold a line at all.
const minContrast = 16

// ErrBlank is returned for a crop that holds no ink (less than
// minContrast grey levels between its paper and its darkest pixels).
var ErrBlank = errors.New("linenet: blank line crop")

// Normalized is a line crop as the network sees it: Height rows of W
// values, ink 1 and paper 0, row by row.
type Normalized struct {
	W   int
	Pix []float32
}

// Normalize turns a grey line crop (dark print on light paper, any size,
// the digits spanning most of its height as the reader cuts it) into the
// network's input:
//
//  1. paper level = the crop's 90th percentile of brightness, ink level =
//     its 2nd percentile; fewer than minContrast grey levels between them
//     is ErrBlank;
//  2. the crop is resampled to Height rows, its width by the same factor
//     (area averaging: each output pixel is the mean of the input area it
//     covers, so down- and up-scaling are both smooth enough and exact in
//     the mean);
//  3. each pixel becomes its darkness below the paper as a fraction of the
//     contrast, clamped to 0..1.
//
// The training data went through this very function (linenet/cmd/linegen),
// so a caller hands its crop as it is.
func Normalize(g *image.Gray) (Normalized, error) {
	if g == nil || g.Rect.Empty() {
		return Normalized{}, errors.New("linenet: empty line crop")
	}
	w, h := g.Rect.Dx(), g.Rect.Dy()
	ow := (w*Height + h/2) / h
	if ow < 1 {
		ow = 1
	}
	if ow > MaxWidth {
		return Normalized{}, fmt.Errorf("linenet: line crop %dx%d is %d heights wide, more than %d", w, h, w/h, MaxWidth/Height)
	}
	var hist [256]int
	for y := range h {
		for _, v := range g.Pix[y*g.Stride : y*g.Stride+w] {
			hist[v]++
		}
	}
	paper := percentile(&hist, w*h, 0.90)
	ink := percentile(&hist, w*h, 0.02)
	if paper-ink < minContrast {
		return Normalized{}, ErrBlank
	}
	// Darkness of every input pixel, 0 (paper) .. 1 (ink) before the clamp.
	scale := 1 / float32(paper-ink)
	var lut [256]float32
	for v := range lut {
		d := float32(paper-v) * scale
		lut[v] = min(max(d, 0), 1)
	}
	// Separable area resampling: columns first (into h rows of ow), then
	// rows. The weights and the intermediate rows are scratch (see
	// normScratch); only the result is allocated.
	sc := scratch.Get().(*normScratch)
	defer scratch.Put(sc)
	sc.xs = areaWeights(w, ow, sc.xs[:0])
	sc.ys = areaWeights(h, Height, sc.ys[:0])
	xs, ys := sc.xs, sc.ys
	if cap(sc.tmp) < h*ow {
		sc.tmp = make([]float32, h*ow)
	}
	tmp := sc.tmp[:h*ow]
	clear(tmp)
	for y := range h {
		row := g.Pix[y*g.Stride : y*g.Stride+w]
		out := tmp[y*ow : (y+1)*ow]
		for _, t := range xs {
			out[t.dst] += lut[row[t.src]] * t.w
		}
	}
	pix := make([]float32, Height*ow)
	for _, t := range ys {
		src := tmp[t.src*ow : (t.src+1)*ow]
		dst := pix[t.dst*ow : (t.dst+1)*ow]
		for x, v := range src {
			dst[x] += v * t.w
		}
	}
	return Normalized{W: ow, Pix: pix}, nil
}

// percentile returns the grey level under which a fraction q of the n
// pixels of hist lie.
func percentile(hist *[256]int, n int, q float64) int {
	target := int(q * float64(n))
	c := 0
	for v, k := range hist {
		c += k
		if c > target {
			return v
		}
	}
	return 255
}

// tap is one input pixel's weight in one output pixel.
type tap struct {
	src, dst int
	w        float32
}

// normScratch is what one Normalize call uses and drops: the weights of
// both axes and the rows scaled along x. The reader normalises every digit
// line it reads (about 50 a page of regfus bench), and allocating these
// afresh each time was 1.8 of the 3.6 MB a page Normalize allocated
// (go test -bench ReadPages -memprofile, /work/bench200).
type normScratch struct {
	xs, ys []tap
	tmp    []float32
}

var scratch = sync.Pool{New: func() any { return new(normScratch) }}

// areaWeights maps n input pixels onto m output pixels by overlap: output
// pixel j covers input [j*n/m, (j+1)*n/m), and each input pixel it
// overlaps weighs by the overlap over the span's length. The taps are
// appended to taps (at most n+m-1 of them: each output's span starts in
// the input pixel the previous one ended in).
func areaWeights(n, m int, taps []tap) []tap {
	taps = slices.Grow(taps, n+m)
	span := float64(n) / float64(m)
	for j := range m {
		a, b := float64(j)*span, float64(j+1)*span
		for i := int(a); i < n && float64(i) < b; i++ {
			lo, hi := max(a, float64(i)), min(b, float64(i+1))
			if hi > lo {
				taps = append(taps, tap{src: i, dst: j, w: float32((hi - lo) / span)})
			}
		}
	}
	return taps
}

// Gray returns the normalised line as an 8-bit image (ink black on white
// paper), to look at.
func (n Normalized) Gray() *image.Gray {
	g := image.NewGray(image.Rect(0, 0, n.W, Height))
	for i, v := range n.Pix {
		g.Pix[i] = uint8(255 - min(max(v, 0), 1)*255 + 0.5)
	}
	return g
}
