package barcode

import (
	"github.com/makiuchi-d/gozxing"
)

// Binarizer names the black/white decision an attempt used.
type Binarizer string

const (
	// GlobalHistogram is gozxing's GlobalHistogramBinarizer applied to one
	// scan line: one threshold per line from its histogram, after a -1 4 -1
	// sharpening filter. It is what zxing uses for 1D symbols and is fast.
	GlobalHistogram Binarizer = "global-histogram"
	// Hybrid is gozxing's HybridBinarizer: a local threshold per 8x8 block
	// from its 5x5-block neighbourhood, computed over the whole crop. It
	// copes with shadows and uneven paper where one threshold per line
	// cannot. (zxing's own 1D path never uses it: HybridBinarizer only
	// overrides the 2D matrix, so its rows are taken from that matrix here.)
	Hybrid Binarizer = "hybrid"
	// Midpoint thresholds each sample at the midpoint of the local black and
	// white levels along the line (see midpointRow): symmetric bar widths,
	// sub-pixel faithful on upsampled lines, and it follows shadows.
	Midpoint Binarizer = "midpoint"
	// Model is no threshold at all: the model-based fallback (model.go)
	// fits the blurred bars of a whole symbol to rows averaged along them.
	Model Binarizer = "model"
)

// lineSource is a one-row gozxing.LuminanceSource over a sampled scan line,
// so that gozxing's GlobalHistogramBinarizer can threshold any line we
// sample (rotated, upscaled, band-averaged), not just image rows.
type lineSource struct {
	gozxing.LuminanceSourceBase
	lum []byte
}

func (s *lineSource) set(lum []byte) {
	s.lum = lum
	s.Width, s.Height = len(lum), 1
}

func (s *lineSource) GetRow(y int, row []byte) ([]byte, error) {
	if len(row) < len(s.lum) {
		row = make([]byte, len(s.lum))
	}
	copy(row, s.lum)
	return row, nil
}

func (s *lineSource) GetMatrix() []byte               { return s.lum }
func (s *lineSource) Invert() gozxing.LuminanceSource { return gozxing.NewInvertedLuminanceSource(s) }
func (s *lineSource) String() string                  { return gozxing.LuminanceSourceString(s) }
func (s *lineSource) IsCropSupported() bool           { return false }
func (s *lineSource) IsRotateSupported() bool         { return false }
func (s *lineSource) GetWidth() int                   { return s.Width }
func (s *lineSource) GetHeight() int                  { return s.Height }
func (s *lineSource) RotateCounterClockwise45() (gozxing.LuminanceSource, error) {
	return s.LuminanceSourceBase.RotateCounterClockwise45()
}

// planeSource is a gozxing.LuminanceSource over a whole plane, optionally
// inverted, for the HybridBinarizer.
type planeSource struct {
	gozxing.LuminanceSourceBase
	pix []byte // w*h, contiguous
}

func newPlaneSource(p plane, invert bool) *planeSource {
	pix := make([]byte, p.w*p.h)
	for y := 0; y < p.h; y++ {
		copy(pix[y*p.w:(y+1)*p.w], p.pix[y*p.stride:])
	}
	if invert {
		for i, v := range pix {
			pix[i] = 255 - v
		}
	}
	s := &planeSource{pix: pix}
	s.Width, s.Height = p.w, p.h
	return s
}

func (s *planeSource) GetRow(y int, row []byte) ([]byte, error) {
	if len(row) < s.Width {
		row = make([]byte, s.Width)
	}
	copy(row, s.pix[y*s.Width:(y+1)*s.Width])
	return row, nil
}

func (s *planeSource) GetMatrix() []byte               { return s.pix }
func (s *planeSource) Invert() gozxing.LuminanceSource { return gozxing.NewInvertedLuminanceSource(s) }
func (s *planeSource) String() string                  { return gozxing.LuminanceSourceString(s) }

// bitsOf returns a cleared BitArray of exactly n bits, reusing *buf when it
// has that size. gozxing's row decoders take the array's size as the line
// length, so a longer array would not do.
func bitsOf(buf **gozxing.BitArray, n int) *gozxing.BitArray {
	if *buf == nil || (*buf).GetSize() != n {
		*buf = gozxing.NewBitArray(n)
	} else {
		(*buf).Clear()
	}
	return *buf
}

// runs appends the run lengths of bits to dst, starting with a white run
// (possibly empty), alternating white and black.
func runs(bits *gozxing.BitArray, dst []int) []int {
	n := bits.GetSize()
	dst = dst[:0]
	x := 0
	for x < n {
		b := bits.GetNextSet(x) // end of the white run
		dst = append(dst, b-x)
		if b >= n {
			break
		}
		e := bits.GetNextUnset(b)
		dst = append(dst, e-b)
		x = e
	}
	return dst
}

// segment is a stretch of a line between two quiet zones, in samples, and
// the runs r0..r1 (both quiet white runs) it spans.
type segment struct{ start, end, r0, r1 int }

// segmentRuns splits a binarized line into candidate symbols at white runs
// that are quiet zones, so that a line crossing several symbols (a row of
// fustelle, a label with two codes) yields each one: gozxing's readers take
// the first start pattern of a line and give up if that symbol fails.
//
// It is scale-free: a white run is a quiet zone when it is at least twice
// the widest of the next look elements on either side. Inside a CODE 39 or
// ITF symbol any 14 consecutive elements include a wide one (the longest
// all-narrow stretch is 13, across a CODE 39 character gap), and no white
// element is wider than a wide one, so a symbol is never split; on the
// symbol's side of its quiet zone (7.5 narrow for gozxing's CODE 39, 10 for
// ITF) the widest neighbour is a wide element of at most 3 narrow.
// Each segment keeps its bounding quiet zones, so the readers see them.
func segmentRuns(rl []int, dst []segment) []segment {
	const (
		look       = 14  // elements compared on each side
		quietRatio = 2.0 // quiet zone >= 2 x widest neighbour
		minRuns    = 25  // fewer elements than any CODE 39 or ITF symbol
	)
	dst = dst[:0]
	isQuiet := func(i int) bool {
		// i is a white run (even index)
		if i == 0 || i == len(rl)-1 {
			return true
		}
		w := float64(rl[i])
		left, right := 0, 0
		for j := i - 1; j >= 0 && j >= i-look; j-- {
			left = max(left, rl[j])
		}
		for j := i + 1; j < len(rl) && j <= i+look; j++ {
			right = max(right, rl[j])
		}
		// A side with fewer than look elements before the line's end is
		// the tail of a symbol the line's end cut, or a symbol drawn up to
		// the image's edge: its few elements say nothing about the widest
		// element, so only the other side decides (else a white run a few
		// elements from the edge would cut a symbol's last bars off).
		leftOK, rightOK := i-look >= 0, i+look < len(rl)
		if !leftOK && !rightOK {
			leftOK, rightOK = true, true
		}
		return leftOK && w >= quietRatio*float64(left) || rightOK && w >= quietRatio*float64(right)
	}
	start, pos := 0, 0 // sample positions of run prev and of run i
	prev := 0          // index of the previous quiet white run
	for i := 0; i < len(rl); i++ {
		if i >= 2 && i%2 == 0 && isQuiet(i) {
			if i-prev-1 >= minRuns {
				dst = append(dst, segment{start: start, end: pos + rl[i], r0: prev, r1: i})
			}
			prev, start = i, pos
		}
		pos += rl[i]
	}
	if last := len(rl) - 1; last-prev >= minRuns && last%2 == 1 {
		// The line ends inside black: keep the tail as a segment too.
		dst = append(dst, segment{start: start, end: pos, r0: prev, r1: last})
	}
	return dst
}

// copyBits copies bits[s.start:s.end] into an array of that length with
// pad white samples before and after it.
func copyBits(bits *gozxing.BitArray, s segment, pad int, buf **gozxing.BitArray) *gozxing.BitArray {
	out := bitsOf(buf, s.end-s.start+2*pad)
	x := s.start
	for x < s.end {
		b := bits.GetNextSet(x)
		if b >= s.end {
			break
		}
		e := min(bits.GetNextUnset(b), s.end)
		_ = out.SetRange(b-s.start+pad, e-s.start+pad)
		x = e
	}
	return out
}

// midpointRow thresholds a line at the midpoint of its local black and white
// levels: the minimum and maximum over a window of radius r samples. Unlike
// the global histogram (whose valley search leans towards white, fattening
// bars by a fraction of a pixel, harmless at 3+ px but fatal to ITF at 2)
// it keeps bar and space widths symmetric, which is what an anti-aliased or
// blurred edge needs, and follows a shadow across the line. Samples whose
// window spans less than half the line's contrast (5th to 95th percentile)
// are white: that keeps flat paper and quiet zones clean under noise. With
// noiseK > 0 the window must also span noiseK times the line's noise level,
// which stops noise-only stretches from turning into thousands of runs
// (FindAll's lines cross mostly paper; the crop reader leaves it at 0, as
// band averaging already tames noise there and a strict gate could lose a
// faint symbol). If inv is not nil it receives the negative's bits: light
// on dark, same gate (not the complement, which would turn flat paper
// black). It returns false if the line has no contrast at all.
func midpointRow(lum []byte, r int, noiseK int, bits, inv *gozxing.BitArray, lo, hi, scratch *[]byte) bool {
	n := len(lum)
	var hist [256]int
	for _, v := range lum {
		hist[v]++
	}
	p5, p95 := percentile(&hist, n, 0.05), percentile(&hist, n, 0.95)
	contrast := p95 - p5
	if contrast < minContrast {
		return false
	}
	gate := contrast / 2
	if noiseK > 0 && n > 1 {
		// The median step between neighbouring samples is about the noise's
		// standard deviation (0.95 sigma for Gaussian noise): inside
		// elements and on paper neighbours differ by noise alone, and edges
		// are a minority of steps.
		var dh [256]int
		for i := 1; i < n; i++ {
			d := int(lum[i]) - int(lum[i-1])
			dh[max(d, -d)]++
		}
		gate = max(gate, noiseK*percentile(&dh, n-1, 0.5))
	}
	if cap(*lo) < n {
		*lo, *hi = make([]byte, n), make([]byte, n)
	}
	l, h := (*lo)[:n], (*hi)[:n]
	slidingMinMax(lum, r, l, h, scratch)
	for i, v := range lum {
		if int(h[i])-int(l[i]) < gate {
			continue
		}
		switch m := int(l[i]) + int(h[i]); {
		case 2*int(v) < m:
			bits.Set(i)
		case inv != nil && 2*int(v) > m:
			inv.Set(i)
		}
	}
	return true
}

func percentile(hist *[256]int, n int, q float64) int {
	k := int(q * float64(n))
	c := 0
	for v := 0; v < 256; v++ {
		c += hist[v]
		if c > k {
			return v
		}
	}
	return 255
}

// slidingMinMax sets lo[i] and hi[i] to the min and max of lum over
// [i-r, i+r] (clipped to the line), with the van Herk/Gil-Werman
// algorithm: prefix and suffix extremes over blocks of 2r+1 samples, a few
// comparisons per sample whatever r is.
func slidingMinMax(lum []byte, r int, lo, hi []byte, scratch *[]byte) {
	n := len(lum)
	if n == 0 {
		return
	}
	k := 2*r + 1
	if cap(*scratch) < 4*n {
		*scratch = make([]byte, 4*n)
	}
	buf := (*scratch)[:4*n]
	gMin, gMax, hMin, hMax := buf[:n], buf[n:2*n], buf[2*n:3*n], buf[3*n:]
	// g: extremes from the start of each block; h: to the end of each block.
	for i, v := range lum {
		if i%k == 0 {
			gMin[i], gMax[i] = v, v
		} else {
			gMin[i], gMax[i] = min(gMin[i-1], v), max(gMax[i-1], v)
		}
	}
	for i := n - 1; i >= 0; i-- {
		v := lum[i]
		if i == n-1 || i%k == k-1 {
			hMin[i], hMax[i] = v, v
		} else {
			hMin[i], hMax[i] = min(hMin[i+1], v), max(hMax[i+1], v)
		}
	}
	for i := range lum {
		a, b := max(i-r, 0), min(i+r, n-1)
		switch {
		case a == 0: // clipped at the start: i <= r, so b <= 2r is in block 0
			lo[i], hi[i] = gMin[b], gMax[b]
		case a/k == b/k: // a full block, or clipped at the end
			lo[i], hi[i] = hMin[a], hMax[a]
		default:
			lo[i], hi[i] = min(hMin[a], gMin[b]), max(hMax[a], gMax[b])
		}
	}
}

// sharpenLine applies the -1 4 -1 (halved) filter gozxing's global
// histogram binarizer uses, with taps one pixel (scale samples) apart, into
// dst: it restores the contrast that blur takes from narrow elements.
func sharpenLine(lum []byte, scale int, dst []byte) []byte {
	n := len(lum)
	if cap(dst) < n {
		dst = make([]byte, n)
	}
	dst = dst[:n]
	for i := range lum {
		a, b := lum[max(i-scale, 0)], lum[min(i+scale, n-1)]
		v := (4*int(lum[i]) - int(a) - int(b)) / 2
		dst[i] = byte(max(0, min(255, v)))
	}
	return dst
}
