package acquisition

import (
	"image"
	"slices"
)

// Whether a mark too short to be a character (boxGlyphs, markFrac) is
// stray ink or a light digit the threshold left short.
const (
	// faintLevels: a pixel more than this many grey levels under the
	// paper is faint ink (wholeMark).
	faintLevels = 12
	// minSoftEdge is the least share of a mark's edge (the paper pixels
	// next to it) that is faint ink on a grey scan: a stroke's soft edge.
	minSoftEdge = 0.3
	// maxFaintGrowth is the most a mark may grow, against its own area,
	// through faint ink and still be whole.
	maxFaintGrowth = 3
	// lineClearPx is how near (pixels) an erased printed line a whole
	// mark, grown, may not come: a stroke cut by the line's erasure is
	// no stray mark.
	lineClearPx = 3
	// flatShare: a crop more than this share of whose pixels have one
	// grey level is bitonal (flat).
	flatShare = 0.5
)

// wholeMark reports whether g, a mark too short to be a character beside
// characters tallest pixels high, is the whole of the ink where it lies:
// on a grey scan, grown through the faint ink around it (faintLevels) it
// stays short (markFrac), small (maxFaintGrowth) and clear of the box's
// erased lines. A light digit the threshold left short goes on in fainter
// ink (a light 1's top beside a dark 5); a stray dot or tick does not.
// On a bitonal scan (flat, or a mark with no soft edge) nothing fainter
// is left to see, and the mark is never whole: a light 1 there is lost
// to the threshold, and the box stays unread (readBox).
func wholeMark(s *segmented, g glyph, tallest int) bool {
	m, gr := &s.mask, s.gray
	w, h := m.w, m.h
	faint := func(p int) bool { return int(gr.Pix[(p/w)*gr.Stride+p%w]) < m.paper-faintLevels }
	seen := map[int]bool{}
	var stack []int
	for y := g.r.Min.Y; y < g.r.Max.Y; y++ {
		for x := g.r.Min.X; x < g.r.Max.X; x++ {
			if g.has(s.labels, w, x, y) {
				seen[y*w+x] = true
				stack = append(stack, y*w+x)
			}
		}
	}
	area := len(stack)
	if area == 0 || flat(gr) {
		return false
	}
	edge, soft := 0, 0
	for p := range seen {
		x, y := p%w, p/w
		for yy := max(y-1, 0); yy <= min(y+1, h-1); yy++ {
			for xx := max(x-1, 0); xx <= min(x+1, w-1); xx++ {
				if q := yy*w + xx; !seen[q] && !m.on[q] {
					edge++
					if faint(q) {
						soft++
					}
				}
			}
		}
	}
	if float64(soft) < minSoftEdge*float64(edge) {
		return false
	}
	y0, y1, n := g.r.Min.Y, g.r.Max.Y, 0
	for len(stack) > 0 {
		p := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if n++; n > maxFaintGrowth*area {
			return false
		}
		x, y := p%w, p/w
		if nearLine(m, x, y, lineClearPx) {
			return false
		}
		y0, y1 = min(y0, y), max(y1, y+1)
		for yy := max(y-1, 0); yy <= min(y+1, h-1); yy++ {
			for xx := max(x-1, 0); xx <= min(x+1, w-1); xx++ {
				if q := yy*w + xx; !seen[q] && (m.on[q] || faint(q)) {
					seen[q] = true
					stack = append(stack, q)
				}
			}
		}
	}
	return float64(y1-y0) < markFrac*float64(tallest)
}

// nearLine reports whether an erased line pixel lies within d pixels of
// (x, y).
func nearLine(m *inkMask, x, y, d int) bool {
	if m.line == nil {
		return false
	}
	for yy := max(y-d, 0); yy <= min(y+d, m.h-1); yy++ {
		for xx := max(x-d, 0); xx <= min(x+d, m.w-1); xx++ {
			if m.line[yy*m.w+xx] != 0 {
				return true
			}
		}
	}
	return false
}

// flat reports whether more than flatShare of g's pixels have one grey
// level: a bitonal scan's paper, resampled, is one level away from the
// ink's edges; a grey scan's paper has a texture.
func flat(g *image.Gray) bool {
	var hist [256]int
	n := 0
	for y := 0; y < g.Rect.Dy(); y++ {
		for _, v := range g.Pix[y*g.Stride : y*g.Stride+g.Rect.Dx()] {
			hist[v]++
			n++
		}
	}
	return float64(slices.Max(hist[:])) > flatShare*float64(n)
}
