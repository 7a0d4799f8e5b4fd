package handgen

import (
	"math"
	"math/rand/v2"
)

// What a field reader leaves of a box's printed lines and of a glyph's
// neighbours. A reader that erases the printed lines of a box (package
// acquisition: removeRulings, restoreLines) leaves a glyph that touched or
// crossed a line with:
//   - the stroke that lay along the line gone with it (a run of ink across
//     the line no thicker than the line can be is taken for line);
//   - the line given back between the places the glyph touches it: a flat
//     side where a 0 lay on a cell's edge, a bar through a digit written
//     over the bottom line, a short stub where one stroke met the line.
//
// and a character cut from its neighbours at a cell's column or where
// touching characters were split with a straight edge, sometimes with a
// sliver of the neighbour at the crop's side. boxLines draws whole lines at
// the crop's edges, as a crop cut straight from a form shows them; these
// draw what is left after the lines were removed.

// lineRemnant passes c through the removal of a printed line that meets
// the glyph: a line across or along the glyph near one of its sides (or,
// less often, through it), thick as printed lines are beside a glyph of
// this height. The result is kept only when it leaves most of the glyph's
// ink (a 7 whose bar lay on the line would be a 1; its label would lie).
func lineRemnant(r *rand.Rand, c *canvas) *canvas {
	x0, y0, x1, y1, ok := c.bounds()
	if !ok {
		return c
	}
	horizontal := r.IntN(2) == 0
	// along: the line's direction; across: perpendicular to it.
	lo, hi := float64(x0), float64(x1) // the glyph's extent across
	if horizontal {
		lo, hi = float64(y0), float64(y1)
	}
	ext := float64(max(y1-y0, x1-x0))
	th := math.Max(1.5, ext*uniform(r, 0.04, 0.12)) // 0.25-0.5 mm lines by a 4-6 mm glyph
	var pos float64
	switch u := r.Float64(); {
	case u < 0.4:
		pos = lo + (hi-lo)*uniform(r, -0.04, 0.15)
	case u < 0.8:
		pos = lo + (hi-lo)*uniform(r, 0.85, 1.04)
	default:
		pos = lo + (hi-lo)*uniform(r, 0.15, 0.85)
	}
	tilt := normal(r, 0.01)
	n, m := c.w, c.h // along, across
	if !horizontal {
		n, m = c.h, c.w
	}
	at := func(t, s int) int {
		if horizontal {
			return s*c.w + t
		}
		return t*c.w + s
	}
	out := &canvas{c.w, c.h, append([]float32(nil), c.v...)}
	erased := make([]bool, len(c.v))
	maxRun := 1.6*th + 3
	var total, lost float64
	for _, v := range c.v {
		total += float64(v)
	}
	type band struct{ a, b int }
	bands := make([]band, n)
	for t := range n {
		p := pos + tilt*(float64(t)-float64(n)/2)
		a, b := int(math.Floor(p-th/2)), int(math.Ceil(p+th/2))
		bands[t] = band{max(a, 0), min(b, m-1)}
		// The ink run through the line at t, if any.
		s0 := -1
		for s := bands[t].a - 1; s <= bands[t].b+1; s++ {
			if s >= 0 && s < m && c.v[at(t, s)] > 0.5 {
				s0 = s
				break
			}
		}
		if s0 < 0 {
			continue
		}
		rlo, rhi := s0, s0
		for rlo-1 >= 0 && c.v[at(t, rlo-1)] > 0.5 {
			rlo--
		}
		for rhi+1 < m && c.v[at(t, rhi+1)] > 0.5 {
			rhi++
		}
		// Ink inside the band merges with the line; a longer run is a
		// stroke crossing it and stays.
		if float64(max(rhi, bands[t].b)-min(rlo, bands[t].a)+1) > maxRun {
			continue
		}
		for s := max(rlo-1, 0); s <= min(rhi+1, m-1); s++ {
			i := at(t, s)
			lost += float64(out.v[i])
			out.v[i] = 0
			erased[i] = true
		}
	}
	// Touches: erased places beside the ink that is left, and the ink
	// left inside the band (a stroke crossing the line).
	first, last := -1, -1
	for t := range n {
		touch := false
		for s := max(bands[t].a-2, 0); s <= min(bands[t].b+2, m-1) && !touch; s++ {
			if out.v[at(t, s)] > 0.5 && (s >= bands[t].a && s <= bands[t].b || t > 0 && erased[at(t-1, s)] || t+1 < n && erased[at(t+1, s)] || s > 0 && erased[at(t, s-1)] || s+1 < m && erased[at(t, s+1)]) {
				touch = true
			}
		}
		if touch {
			if first < 0 {
				first = t
			}
			last = t
		}
	}
	if first < 0 {
		return c // the line missed the glyph: erased, nothing is left of it
	}
	dark := float32(uniform(r, 0.6, 1))
	for t := first; t <= last; t++ {
		for s := bands[t].a; s <= bands[t].b; s++ {
			i := at(t, s)
			out.v[i] = max(out.v[i], dark)
		}
		// The stroke's pixels erased with the line come back where they
		// touch it too.
		for s := 0; s < m; s++ {
			if i := at(t, s); erased[i] && abs(s-(bands[t].a+bands[t].b)/2) <= int(th) {
				out.v[i] = max(out.v[i], c.v[i])
				lost -= float64(c.v[i])
			}
		}
	}
	if total == 0 || lost > 0.25*total {
		return c
	}
	return out
}

// clipSide cuts the glyph at a column near its left or right side (a
// DATA cell's column, or where touching characters were split), and half
// the time leaves a sliver of a neighbour's stroke beyond the cut.
func clipSide(r *rand.Rand, c *canvas) *canvas {
	x0, y0, x1, y1, ok := c.bounds()
	if !ok {
		return c
	}
	w, h := float64(x1-x0), float64(y1-y0)
	left := r.IntN(2) == 0
	cut := float64(x1) - w*uniform(r, 0, 0.18)
	if left {
		cut = float64(x0) + w*uniform(r, 0, 0.18)
	}
	out := &canvas{c.w, c.h, append([]float32(nil), c.v...)}
	var total, lost float64
	for y := range c.h {
		for x := range c.w {
			i := y*c.w + x
			total += float64(c.v[i])
			if left && float64(x) < cut || !left && float64(x) >= cut {
				lost += float64(out.v[i])
				out.v[i] = 0
			}
		}
	}
	if total == 0 || lost > 0.2*total {
		return c
	}
	if r.IntN(2) == 0 {
		// A neighbour's stroke: an arc or a bar beyond the cut, a few
		// pixels to a tenth of the height wide, cut straight at the
		// column.
		sl := w * uniform(r, 0.04, 0.15)
		nb := newCanvas(c.w, c.h)
		rad := math.Max(1, h*uniform(r, 0.03, 0.07))
		ya, yb := float64(y0)+h*uniform(r, -0.1, 0.5), float64(y0)+h*uniform(r, 0.5, 1.1)
		xa, xb := cut-sl, cut+sl*uniform(r, 0.5, 2)
		if left {
			xa, xb = cut+sl, cut-sl*uniform(r, 0.5, 2)
		}
		nb.line(pt{xb, ya}, pt{xa, (ya + yb) / 2}, rad)
		nb.line(pt{xa, (ya + yb) / 2}, pt{xb, yb}, rad)
		for y := range c.h {
			for x := range c.w {
				if left && float64(x) < cut && float64(x) >= cut-sl || !left && float64(x) >= cut && float64(x) < cut+sl {
					i := y*c.w + x
					out.v[i] = max(out.v[i], nb.v[i])
				}
			}
		}
	}
	return out
}

// remnants gives a glyph's ink what a field reader's segmentation leaves
// around it: a printed line's remnant (40%; sometimes two), a cut side
// (15%, Wide 25%; half of those with a neighbour's stroke).
func (rc Recipe) remnants(r *rand.Rand, c *canvas) *canvas {
	if r.Float64() < 0.4 {
		c = lineRemnant(r, c)
		if r.Float64() < 0.3 {
			c = lineRemnant(r, c)
		}
	}
	clip := 0.15
	if rc.Wide {
		clip = 0.25
	}
	if r.Float64() < clip {
		c = clipSide(r, c)
	}
	return c
}
