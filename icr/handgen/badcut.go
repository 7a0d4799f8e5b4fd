package handgen

import (
	"math/rand/v2"

	"github.com/regfus/regfus/icr"
)

// Bad cuts: what a field's segmentation gives when it cuts in the wrong
// place, made of MNIST digits and labelled Other, so that the model
// rejects such a crop rather than reads it as a digit (a silent error the
// reader's rules would have to catch):
//   - two digits that touch or overlap, cut as one glyph (a missed split);
//   - one digit cut in part, 35-60% of its ink box kept along one axis
//     (a split in the wrong place, a cell's line through the digit).
//
// A part that is a thin upright stroke, slanted or not (the mean width
// of its rows' ink under 45% of its height), is not made: it would be a
// fair 1, and a label of Other on it would teach the model to doubt
// every 1. Digits given as a 1 are only ever used whole, in a pair, and a
// pair that would pass for one bold stroke is laid with a gap.

// minPartAspect is the narrowest part of a cut digit labelled Other: the
// mean width of its rows' ink over its height.
const minPartAspect = 0.45

// FromMNISTBadCut makes an Other sample from MNIST images (28×28, white on
// black): a and b side by side, touching or overlapping, or a alone cut in
// part (when its label la is not 1 and the part is not a thin stroke;
// otherwise the pair). The pair and the part are distorted, thickened or
// thinned, given remnants and laid on paper as FromMNIST's digits are.
//
// Bad cuts are made with the Wide recipe: there is no other.
func FromMNISTBadCut(r *rand.Rand, a []byte, la int, b []byte) Sample {
	rc := Recipe{Wide: true}
	var c *canvas
	if la != 1 && r.IntN(2) == 0 {
		c = cutPart(r, rc.distort(r, enlarge(a)))
	}
	if c == nil {
		ea, eb := enlarge(a), enlarge(b)
		c = touching(r, ea, eb, false)
		if strokeLike(c) {
			// two thin strokes side by side would pass for one bold 1:
			// a gap keeps them two
			c = touching(r, ea, eb, true)
		}
		c = rc.distort(r, c)
	}
	c = morph(c, r.IntN(6)-2)
	c = rc.remnants(r, c)
	return Sample{rc.compose(r, c, rc.crop(r)), icr.Other, BadCut}
}

// touching lays b to the right of a, their ink boxes from 25% apart
// (overlapping) to 3% apart (a gap a blur or a thick pen closes) of a's
// width, or with apart 10-25% of a's height apart, and b a little higher
// or lower.
func touching(r *rand.Rand, a, b *canvas, apart bool) *canvas {
	ax0, ay0, ax1, ay1, ok := a.bounds()
	bx0, by0, bx1, by1, okb := b.bounds()
	if !ok || !okb {
		return a
	}
	aw, ah := ax1-ax0, ay1-ay0
	gap := int(float64(aw) * uniform(r, -0.25, 0.03))
	if apart {
		gap = int(float64(ah) * uniform(r, 0.1, 0.25))
	}
	dy := int(float64(ah) * normal(r, 0.06))
	bw, bh := bx1-bx0, by1-by0
	const m = 12
	w := aw + bw + gap + 2*m
	top := min(0, dy)
	h := max(ah, bh+dy) - top + 2*m
	if w <= 2*m || h <= 2*m {
		return a
	}
	out := newCanvas(w, h)
	put := func(src *canvas, sx0, sy0, sx1, sy1, ox, oy int) {
		for y := sy0; y < sy1; y++ {
			for x := sx0; x < sx1; x++ {
				dx, dy := ox+x-sx0, oy+y-sy0
				if dx < 0 || dy < 0 || dx >= w || dy >= h {
					continue
				}
				if i, v := dy*w+dx, src.v[y*src.w+x]; v > out.v[i] {
					out.v[i] = v
				}
			}
		}
	}
	put(a, ax0, ay0, ax1, ay1, m, m-top)
	put(b, bx0, by0, bx1, by1, m+aw+gap, m-top+dy)
	return out
}

// cutPart keeps 35-60% of c's ink box along one axis (its left, right,
// top or bottom), or returns nil when that part is stroke-like or holds
// under a quarter of the ink.
func cutPart(r *rand.Rand, c *canvas) *canvas {
	x0, y0, x1, y1, ok := c.bounds()
	if !ok {
		return nil
	}
	keep := uniform(r, 0.35, 0.6)
	side := r.IntN(4)
	in := func(x, y int) bool {
		switch side {
		case 0:
			return float64(x-x0) < keep*float64(x1-x0)
		case 1:
			return float64(x1-x) <= keep*float64(x1-x0)
		case 2:
			return float64(y-y0) < keep*float64(y1-y0)
		}
		return float64(y1-y) <= keep*float64(y1-y0)
	}
	out := newCanvas(c.w, c.h)
	var total, kept float64
	for y := 0; y < c.h; y++ {
		for x := 0; x < c.w; x++ {
			v := c.v[y*c.w+x]
			total += float64(v)
			if in(x, y) {
				out.v[y*c.w+x] = v
				kept += float64(v)
			}
		}
	}
	if kept < 0.25*total || strokeLike(out) {
		return nil
	}
	return out
}

// strokeLike reports whether c's ink is a thin upright stroke, slanted or
// not (a 1, a 7's stem, a parenthesis): the mean width of its rows' ink
// is under minPartAspect of its height.
func strokeLike(c *canvas) bool {
	_, y0, _, y1, ok := c.bounds()
	if !ok {
		return true
	}
	var sum, rows int
	for y := y0; y < y1; y++ {
		lo, hi := -1, -1
		for x := 0; x < c.w; x++ {
			if c.v[y*c.w+x] > 0.25 {
				if lo < 0 {
					lo = x
				}
				hi = x
			}
		}
		if lo >= 0 {
			sum += hi - lo + 1
			rows++
		}
	}
	return rows == 0 || float64(sum)/float64(rows) < minPartAspect*float64(y1-y0)
}
