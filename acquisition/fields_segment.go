package acquisition

import (
	"image"
	"math"
	"slices"
	"sort"
)

// Segmentation of the handwriting boxes (progressive, count, DATA cells)
// into one crop per character.
//
// A box is cropped upright from the page at fieldPx pixels per mm with a
// margin around it, binarised against its own paper level, and the printed
// lines of the form, whose places the layout gives, are removed: each line
// is looked for near its nominal place (the page map is good to a few
// tenths of a mm) and erased, except where a stroke crosses it (ink on both
// sides of the line), so a digit that touches or crosses a box line keeps
// its shape and is not glued to the box. What is left is split into
// connected components; components whose centre lies in the box (or, for
// the DATA field, in a cell) are the field's ink, so a stroke may spill out
// of its box and a neighbour's spill does not count. Components are grouped
// into characters: pieces that share columns make one character (a 5's
// flag, a D's stem and bowl), and a group much wider than tall is split at
// its thinnest columns (two digits that touch). In the DATA field every
// cell is one character, and a component spanning two cells is cut at the
// line between them.

// fieldPx is the resolution the fields are segmented at (pixels per mm):
// a 5 mm digit is 50 px high, more than MNIST's 20.
const fieldPx = 10.0

// minContrastField is the least spread (grey levels) between paper and
// the darkest ink for a crop to hold any mark.
const minContrastField = 45

// inkMask is a binarised crop, true where there is ink.
type inkMask struct {
	w, h int
	on   []bool
	// line marks the pixels removeRulings erased (lineH, lineV): a
	// glyph's crop takes back those along the stretch where it touches a
	// line (glyph.crop).
	line []uint8
	// bands are the printed lines removeRulings found and erased.
	bands []band
	// paper is the crop's paper level (grey, binarize).
	paper int
}

// band is a printed line found in a crop: rows (columns, for a vertical
// line) a..b, along it from..to.
type band struct {
	horizontal bool
	a, b       int
	from, to   int
}

// Orientations of an erased line pixel (inkMask.line).
const (
	lineH = 1
	lineV = 2
)

func (m *inkMask) at(x, y int) bool {
	return x >= 0 && y >= 0 && x < m.w && y < m.h && m.on[y*m.w+x]
}

// binarize marks as ink the pixels well below the crop's paper level (its
// 80th percentile): halfway between paper and the darkest ink (2nd
// percentile), and at least 30 levels under the paper. A crop without that
// much contrast is blank.
func binarize(g *image.Gray) (inkMask, bool) {
	b := g.Bounds()
	w, h := b.Dx(), b.Dy()
	m := inkMask{w: w, h: h, on: make([]bool, w*h)}
	var hist [256]int
	for y := range h {
		for _, v := range g.Pix[(y)*g.Stride : y*g.Stride+w] {
			hist[v]++
		}
	}
	n := w * h
	if n == 0 {
		return m, false
	}
	pct := func(p float64) int {
		lim, c := int(p*float64(n)), 0
		for v, k := range hist {
			c += k
			if c > lim {
				return v
			}
		}
		return 255
	}
	paper, dark := pct(0.8), min(pct(0.02), pct(0.002)+20)
	if paper-dark < minContrastField {
		return m, false
	}
	thr := min((paper+dark)/2, paper-30)
	m.paper = paper
	for y := range h {
		row := g.Pix[y*g.Stride : y*g.Stride+w]
		for x, v := range row {
			m.on[y*w+x] = int(v) < thr
		}
	}
	return m, true
}

// ruling is a printed line of the form inside a crop, in crop pixels: a
// horizontal line lies along y = pos from x = from to x = to (a vertical
// one along x = pos, from y = from to to), thick pixels thick, its nominal
// place known to within search pixels.
type ruling struct {
	horizontal bool
	pos        float64 // nominal centre of the line across its length
	from, to   int
	thick      float64
	search     int
}

// removeRulings erases the printed lines rs from m. Each line is found as
// the run of rows (columns) near its nominal place that are inked along
// most of its length (findRuling). Then, column by column (row by row),
// the ink run that meets the line's rows (give or take a pixel, for the
// jagged edge of a thresholded or slightly bent line) is erased when it
// is no thicker than the line can be; a longer run is a stroke crossing
// or touching the line and stays whole. hidden is the number of lines
// not found: a line of the form that does not show where it is printed
// is covered (a folded corner, a sticker) or the crop is off, and what
// shows in its place is not the field.
func (m *inkMask) removeRulings(rs []ruling) (hidden int) {
	for _, r := range rs {
		a, b, ok := m.findRuling(r)
		if !ok {
			hidden++
			continue
		}
		m.bands = append(m.bands, band{horizontal: r.horizontal, a: a, b: b, from: max(r.from, 0), to: min(r.to, m.len(r))})
		maxRun := int(math.Ceil(1.6*r.thick)) + 3
		for t := max(r.from, 0); t < min(r.to, m.len(r)); t++ {
			// The run through the line's rows, if any.
			s0 := -1
			for s := a - 1; s <= b+1; s++ {
				if m.get(r, t, s) {
					s0 = s
					break
				}
			}
			if s0 < 0 {
				continue
			}
			lo, hi := s0, s0
			for m.get(r, t, lo-1) {
				lo--
			}
			for m.get(r, t, hi+1) {
				hi++
			}
			if hi-lo+1 > maxRun {
				continue
			}
			for s := lo; s <= hi; s++ {
				m.set(r, t, s, false)
				m.mark(r, t, s)
			}
		}
	}
	return hidden
}

// len is the extent of the crop along r.
func (m *inkMask) len(r ruling) int {
	if r.horizontal {
		return m.w
	}
	return m.h
}

// get returns the mask at position t along the line and s across it.
func (m *inkMask) get(r ruling, t, s int) bool {
	if r.horizontal {
		return m.at(t, s)
	}
	return m.at(s, t)
}

// mark records position t along r, s across it, as erased line.
func (m *inkMask) mark(r ruling, t, s int) {
	x, y, o := t, s, uint8(lineH)
	if !r.horizontal {
		x, y, o = s, t, lineV
	}
	if x >= 0 && y >= 0 && x < m.w && y < m.h {
		if m.line == nil {
			m.line = make([]uint8, m.w*m.h)
		}
		m.line[y*m.w+x] = o
	}
}

func (m *inkMask) set(r ruling, t, s int, v bool) {
	x, y := t, s
	if !r.horizontal {
		x, y = s, t
	}
	if x >= 0 && y >= 0 && x < m.w && y < m.h {
		m.on[y*m.w+x] = v
	}
}

// findRuling returns the rows (columns) a..b of line r: those within
// r.search of its nominal place whose ink covers at least 55% of its
// length, around the best one, and no wider than twice its thickness plus
// two pixels (a thicker run is a stroke lying along the line, which stays
// in part). ok is false when no row qualifies (the line is not there:
// the crop is off, or the line is hidden).
func (m *inkMask) findRuling(r ruling) (a, b int, ok bool) {
	from, to := max(r.from, 0), min(r.to, m.len(r))
	if to-from < 4 {
		return 0, 0, false
	}
	across := m.h
	if !r.horizontal {
		across = m.w
	}
	cover := func(s int) float64 {
		if s < 0 || s >= across {
			return 0
		}
		n := 0
		for t := from; t < to; t++ {
			if m.get(r, t, s) {
				n++
			}
		}
		return float64(n) / float64(to-from)
	}
	c := int(math.Round(r.pos))
	best, bestS := 0.0, 0
	for s := c - r.search; s <= c+r.search; s++ {
		if v := cover(s); v > best || (v == best && abs(s-c) < abs(bestS-c)) {
			best, bestS = v, s
		}
	}
	if best < 0.55 {
		return 0, 0, false
	}
	maxW := int(math.Ceil(2*r.thick)) + 2
	a, b = bestS, bestS
	for a-1 >= 0 && bestS-(a-1) < maxW && cover(a-1) >= 0.5*best {
		a--
	}
	for b+1 < across && b+1-a < maxW && cover(b+1) >= 0.5*best {
		b++
	}
	return a, b, true
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

// component is one connected blob of ink (8-connectivity).
type component struct {
	r    image.Rectangle
	area int
	cx   float64 // centre of mass
	cy   float64
}

// components labels the connected components of m (8-connectivity), and
// drops those under minArea pixels (specks of noise). labels holds, per
// pixel, the 1-based index into the returned slice, 0 for paper or specks.
func (m *inkMask) components(minArea int) ([]component, []int32) {
	labels := make([]int32, m.w*m.h)
	var out []component
	stack := make([]int, 0, 64)
	var pix []int
	for i, on := range m.on {
		if !on || labels[i] != 0 {
			continue
		}
		id := int32(len(out) + 1)
		labels[i] = id
		stack = append(stack[:0], i)
		pix = pix[:0]
		for len(stack) > 0 {
			p := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			pix = append(pix, p)
			x, y := p%m.w, p/m.w
			for dy := -1; dy <= 1; dy++ {
				for dx := -1; dx <= 1; dx++ {
					xx, yy := x+dx, y+dy
					if xx < 0 || yy < 0 || xx >= m.w || yy >= m.h {
						continue
					}
					q := yy*m.w + xx
					if m.on[q] && labels[q] == 0 {
						labels[q] = id
						stack = append(stack, q)
					}
				}
			}
		}
		if len(pix) < minArea {
			for _, p := range pix {
				labels[p] = -1
			}
			continue
		}
		c := component{r: image.Rectangle{}, area: len(pix)} // Union of an empty rectangle is the other
		for _, p := range pix {
			x, y := p%m.w, p/m.w
			c.r = c.r.Union(image.Rect(x, y, x+1, y+1))
			c.cx += float64(x) + 0.5
			c.cy += float64(y) + 0.5
		}
		c.cx /= float64(len(pix))
		c.cy /= float64(len(pix))
		out = append(out, c)
	}
	for i, l := range labels {
		if l < 0 {
			labels[i] = 0
		}
	}
	return out, labels
}

// glyph is one character's ink: the components it is made of (1-based
// labels) and, when it was cut from a wider blob, the columns it keeps.
type glyph struct {
	r     image.Rectangle
	ids   []int32
	area  int
	clipX [2]int // columns [x0, x1) of the ids' pixels that belong here
	// idClip, when set, narrows clipX per component (parallel to ids): in
	// the DATA field a character's own blob is whole while a blob it
	// shares with its neighbours is cut at the cell's columns.
	idClip [][2]int
	cut    bool // cut from a wider blob (touching characters)
	// ambig: a blob as wide as one wide digit or two touching narrow
	// ones (ambigAspect; readCuts reads it whole and cut in two).
	ambig bool
	// whole is the blob a cut glyph was cut from (readBox tries other
	// cuts of it).
	whole *glyph
}

// crop returns the glyph as dark ink on white paper: the grey pixels of
// its components inside its columns and the paper pixels touching them
// (the soft edge of a stroke, under the ink threshold), white elsewhere,
// with a margin of a fifth of its height. Where it touches a printed line
// that was erased, the line's pixels between its outermost touches are
// given back (restoreLines): a 0 whose side lies on a cell's edge keeps
// that side (the model is trained on glyphs with pieces of box lines at
// their edges, touching or crossing the ink).
func (gl *glyph) crop(s *segmented) *image.Gray {
	g, labels, w := s.gray, s.labels, s.mask.w
	mg := max(2, gl.r.Dy()/5)
	r := gl.r.Inset(-mg)
	out := image.NewGray(image.Rect(0, 0, r.Dx(), r.Dy()))
	for i := range out.Pix {
		out.Pix[i] = 255
	}
	h := len(labels) / w
	// The glyph's own pixels, once (membership tests are the cost).
	rw, rh := r.Dx(), r.Dy()
	in := make([]bool, rw*rh)
	for y := max(r.Min.Y, 0); y < min(r.Max.Y, h); y++ {
		for x := max(r.Min.X, gl.clipX[0], 0); x < min(r.Max.X, gl.clipX[1], w); x++ {
			in[(y-r.Min.Y)*rw+(x-r.Min.X)] = gl.has(labels, w, x, y)
		}
	}
	if s.mask.line != nil {
		restoreLines(in, r, &s.mask)
	}
	// near: in dilated by one pixel (8-neighbourhood), rows then columns.
	row := make([]bool, rw*rh)
	for ly := range rh {
		for lx := range rw {
			i := ly*rw + lx
			row[i] = in[i] || lx > 0 && in[i-1] || lx+1 < rw && in[i+1]
		}
	}
	near := make([]bool, rw*rh)
	for ly := range rh {
		for lx := range rw {
			i := ly*rw + lx
			near[i] = row[i] || ly > 0 && row[i-rw] || ly+1 < rh && row[i+rw]
		}
	}
	for y := max(r.Min.Y, 0); y < min(r.Max.Y, h); y++ {
		for x := max(r.Min.X, 0); x < min(r.Max.X, w); x++ {
			lx, ly := x-r.Min.X, y-r.Min.Y
			keep := in[ly*rw+lx]
			if !keep && labels[y*w+x] == 0 {
				keep = near[ly*rw+lx]
			}
			if keep {
				out.Pix[ly*out.Stride+lx] = g.Pix[y*g.Stride+x]
			}
		}
	}
	return out
}

// restoreLines adds to in (the glyph's pixels over r) the erased line
// pixels of m that lie between the places where the glyph touches that
// line: per orientation, the erased pixels 8-adjacent to the glyph are
// its touches; they are grouped by their place across the line (one
// group per line: a cell's left and right edges are apart), and each
// group's erased pixels from its first touch to its last along the line
// come back. A glyph that touches a line at one place gets that place
// back, no more.
func restoreLines(in []bool, r image.Rectangle, m *inkMask) {
	rw, rh := r.Dx(), r.Dy()
	erased := func(lx, ly int, o uint8) bool {
		x, y := lx+r.Min.X, ly+r.Min.Y
		return x >= 0 && y >= 0 && x < m.w && y < m.h && m.line[y*m.w+x] == o
	}
	type touch struct{ along, across int }
	var add []int
	for _, o := range []uint8{lineH, lineV} {
		var ts []touch
		for ly := range rh {
			for lx := range rw {
				if !erased(lx, ly, o) {
					continue
				}
				near := false
				for dy := -1; dy <= 1 && !near; dy++ {
					for dx := -1; dx <= 1; dx++ {
						xx, yy := lx+dx, ly+dy
						if xx >= 0 && yy >= 0 && xx < rw && yy < rh && in[yy*rw+xx] {
							near = true
							break
						}
					}
				}
				if near {
					if o == lineH {
						ts = append(ts, touch{lx, ly})
					} else {
						ts = append(ts, touch{ly, lx})
					}
				}
			}
		}
		if len(ts) == 0 {
			continue
		}
		// Group by place across (touches of one line lie within its
		// thickness of each other).
		sort.Slice(ts, func(i, j int) bool { return ts[i].across < ts[j].across })
		for i := 0; i < len(ts); {
			j, lo, hi := i, ts[i].along, ts[i].along
			a0, a1 := ts[i].across, ts[i].across
			for j < len(ts) && ts[j].across-a1 <= 2 {
				lo, hi = min(lo, ts[j].along), max(hi, ts[j].along)
				a1 = ts[j].across
				j++
			}
			for along := lo; along <= hi; along++ {
				for across := a0 - 1; across <= a1+1; across++ {
					lx, ly := along, across
					if o == lineV {
						lx, ly = across, along
					}
					if lx >= 0 && ly >= 0 && lx < rw && ly < rh && erased(lx, ly, o) {
						add = append(add, ly*rw+lx)
					}
				}
			}
			i = j
		}
	}
	for _, p := range add {
		in[p] = true
	}
}

// boxGlyphs groups the components whose centre lies in box into the
// characters of a box field (progressive or count), left to right. A
// component centred outside the box that was cut from one inside it by
// the erasure of the box's line (lineBridges: a 7's bar beyond the top
// line) joins that one's character. Pieces too small to be a character
// (under 0.8 mm: a thin print broken by thresholding, a pen lifted
// mid-stroke) join the character whose columns and rows they lie in;
// stray is the area of those that join none, and of marks too short
// beside the characters to be one (markFrac) (a caller doubts a box with
// much stray ink: a character read without its pieces can read as
// another, a 5 without its bar and bowl as a 1). short counts those marks
// but the whole ones (wholeMark: a stray tick on a grey scan):
// a caller doubts a box with any (a light 1 that thresholding left short
// is a digit lost, not ink to ignore: "11" read as a sure 1).
func boxGlyphs(s *segmented, box image.Rectangle, px float64) (out []glyph, stray, short int) {
	comps, labels, w := s.comps, s.labels, s.mask.w
	var gs, small []glyph
	minH := 0.8 * px // a character is at least 0.8 mm tall or wide
	inBox := func(c component) bool { return image.Pt(int(c.cx), int(c.cy)).In(box) }
	for i, c := range comps {
		if !inBox(c) {
			continue
		}
		g := glyph{r: c.r, ids: []int32{int32(i + 1)}, area: c.area, clipX: [2]int{0, w}}
		if float64(max(c.r.Dx(), c.r.Dy())) < minH {
			small = append(small, g)
			continue
		}
		gs = append(gs, g)
	}
	if len(gs) == 0 {
		for _, g := range small {
			stray += g.area
		}
		return nil, stray, 0
	}
	sort.Slice(gs, func(i, j int) bool { return gs[i].r.Min.X < gs[j].r.Min.X })
	// Merge pieces that share columns: more than half the narrower one's
	// width, or any overlap for a piece much shorter than the tallest.
	tall := 0
	for _, g := range gs {
		tall = max(tall, g.r.Dy())
	}
	merged := []glyph{gs[0]}
	for _, g := range gs[1:] {
		last := &merged[len(merged)-1]
		ov := min(last.r.Max.X, g.r.Max.X) - max(last.r.Min.X, g.r.Min.X)
		narrow := min(last.r.Dx(), g.r.Dx())
		short := min(last.r.Dy(), g.r.Dy()) < tall*2/5
		if 2*ov > narrow || (short && ov > 0) {
			last.r = last.r.Union(g.r)
			last.ids = append(last.ids, g.ids...)
			last.area += g.area
			continue
		}
		merged = append(merged, g)
	}
	// Small pieces join the character whose box, grown by a fifth of the
	// height, holds their centre.
	for _, p := range small {
		cx, cy := (p.r.Min.X+p.r.Max.X)/2, (p.r.Min.Y+p.r.Max.Y)/2
		joined := false
		for i := range merged {
			if image.Pt(cx, cy).In(merged[i].r.Inset(-tall / 5)) {
				merged[i].r = merged[i].r.Union(p.r)
				merged[i].ids = append(merged[i].ids, p.ids...)
				merged[i].area += p.area
				joined = true
				break
			}
		}
		if !joined {
			stray += p.area
		}
	}
	// Pieces outside the box cut from a character by its line's erasure
	// join it.
	bridges := lineBridges(&s.mask, comps, labels, inBox)
	for a := range comps {
		b, ok := bridges[a]
		if !ok {
			continue
		}
		for i := range merged {
			if slices.Contains(merged[i].ids, int32(b+1)) {
				merged[i].r = merged[i].r.Union(comps[a].r)
				merged[i].ids = append(merged[i].ids, int32(a+1))
				merged[i].area += comps[a].area
				break
			}
		}
	}
	// Pieces of a broken stroke one above the other (joinPieces).
	merged = joinPieces(merged)
	// Marks much shorter than the tallest character are not characters
	// (markFrac): a small stroke beside a 21 read as a sure 1 made 211.
	tallest := 0
	for _, g := range merged {
		tallest = max(tallest, g.r.Dy())
	}
	merged = slices.DeleteFunc(merged, func(g glyph) bool {
		if float64(g.r.Dy()) < markFrac*float64(tallest) {
			stray += g.area
			if !wholeMark(s, g, tallest) {
				short++
			}
			return true
		}
		return false
	})
	// Split blobs much wider than tall: touching characters.
	for _, g := range merged {
		out = append(out, splitWide(g, labels, w)...)
	}
	// Tiny leftovers (a dot, a short dash) next to real characters are not
	// characters.
	out = slices.DeleteFunc(out, func(g glyph) bool {
		if tinyPart(g, tall) {
			stray += g.area
			return true
		}
		return false
	})
	return out, stray, short
}

// markFrac is the least height of a character of a box, against the
// tallest of its characters: a shorter mark is not read as a character
// (boxGlyphs), and keeps the box unread (readBox), its reading without the
// mark kept as the suggestion: it may be stray ink (a small stroke beside
// a 21 read as 211) or a digit the threshold left short (a light 1 beside
// a bold one: 11 read as a sure 1, on the lead's acceptance pages), unless
// a grey scan shows it whole (wholeMark): no fainter ink goes on from it. One
// writer's digits in one box are rarely under two thirds of the tallest
// (synth's vary from 0.88 to 1.1 of the writer's height).
const markFrac = 0.5

// splitWide cuts a glyph wider than it is tall into n = round(w / 0.68h)
// characters at the columns with the least ink near the even cuts.
func splitWide(g glyph, labels []int32, w int) []glyph {
	gw, gh := g.r.Dx(), g.r.Dy()
	if float64(gw) <= 1.05*float64(gh) {
		g.ambig = float64(gw) > ambigAspect*float64(gh)
		return []glyph{g}
	}
	n := min(max(int(math.Round(float64(gw)/(0.68*float64(gh)))), 2), maxSplit)
	return splitInto(g, labels, w, n)
}

// ambigAspect is the width, against its height, over which a blob
// splitWide leaves whole may still be two characters touching: a 1
// slanted into the 9 before it makes a blob no wider than a 0.
const ambigAspect = 0.8

// maxSplit is the most characters one blob is cut into.
const maxSplit = 4

// splitInto cuts g into n characters at the columns with the least ink
// near the even cuts; each part keeps g as its whole.
func splitInto(g glyph, labels []int32, w, n int) []glyph {
	gw := g.r.Dx()
	col := make([]int, gw)
	for y := g.r.Min.Y; y < g.r.Max.Y; y++ {
		for x := g.r.Min.X; x < g.r.Max.X; x++ {
			if slices.Contains(g.ids, labels[y*w+x]) {
				col[x-g.r.Min.X]++
			}
		}
	}
	cuts := []int{g.r.Min.X}
	for k := 1; k < n; k++ {
		c := gw * k / n
		lo, hi := max(c-gw/(3*n), 1), min(c+gw/(3*n), gw-1)
		best := c
		for x := lo; x < hi; x++ {
			if col[x] < col[best] || (col[x] == col[best] && abs(x-c) < abs(best-c)) {
				best = x
			}
		}
		cuts = append(cuts, g.r.Min.X+best)
	}
	cuts = append(cuts, g.r.Max.X)
	whole := g
	var out []glyph
	for k := 0; k+1 < len(cuts); k++ {
		part := glyph{ids: g.ids, clipX: [2]int{cuts[k], cuts[k+1]}, cut: true, whole: &whole}
		part.r = image.Rectangle{Min: image.Pt(cuts[k+1], g.r.Max.Y), Max: image.Pt(cuts[k], g.r.Min.Y)} // inverted: grown below
		for y := g.r.Min.Y; y < g.r.Max.Y; y++ {
			for x := cuts[k]; x < cuts[k+1]; x++ {
				if slices.Contains(g.ids, labels[y*w+x]) {
					part.area++
					part.r.Min.X, part.r.Max.X = min(part.r.Min.X, x), max(part.r.Max.X, x+1)
					part.r.Min.Y, part.r.Max.Y = min(part.r.Min.Y, y), max(part.r.Max.Y, y+1)
				}
			}
		}
		if part.area > 0 {
			out = append(out, part)
		}
	}
	return out
}

// tinyPart reports whether g is too small beside characters tall pixels
// high to be one (a dot, a short dash, a sliver of a cut).
func tinyPart(g glyph, tall int) bool {
	return g.r.Dy() < tall/3 && g.r.Dx() < tall/3
}

// cellGlyphs assigns the components to the DATA cells (crop pixels), one
// character per cell: a component goes to the cell nearest its centre,
// except that one spanning several cells is cut at the lines between them.
// An entry is nil for an empty cell.
func cellGlyphs(comps []component, labels []int32, w int, cells []image.Rectangle, px float64) []*glyph {
	out := make([]*glyph, len(cells))
	area := cells[0]
	for _, c := range cells {
		area = area.Union(c)
	}
	minH := 0.8 * px
	for i, c := range comps {
		// Pieces of any size join the cell their centre is in (a cell of
		// pieces alone under minH stays empty, below).
		if c.cy < float64(area.Min.Y)-px || c.cy > float64(area.Max.Y)+px || c.cx < float64(area.Min.X)-px || c.cx > float64(area.Max.X)+px {
			continue
		}
		id := int32(i + 1)
		for k, cell := range cells {
			x0, x1 := cellCols(cells, k, w)
			// A component centred in this cell is wholly its own, except
			// for what lies past the middle of a neighbouring cell.
			centred := c.cx >= float64(x0) && c.cx < float64(x1)
			over := min(c.r.Max.X, x1) - max(c.r.Min.X, x0)
			if !centred && !(c.r.Dx() > cell.Dx()*3/2 && over > cell.Dx()/2) {
				continue
			}
			cx0, cx1 := x0, x1
			if centred && c.r.Dx() <= cell.Dx()*3/2 {
				cx0, cx1 = 0, w // a spill stays with its character
			}
			g := out[k]
			if g == nil {
				g = &glyph{clipX: [2]int{0, w}}
				out[k] = g
			}
			g.ids = append(g.ids, id)
			g.idClip = append(g.idClip, [2]int{cx0, cx1})
		}
	}
	for k, g := range out {
		if g != nil && !g.bound(comps, labels, w, minH) {
			out[k] = nil
		}
	}
	spillBack(out, comps, labels, w, cells, minH)
	spanBack(out, comps, labels, w, cells, minH)
	return out
}

// firstCodedCell is the first DATA cell the sheet code says what to expect
// in (DDMMYYYY: the month's tens).
const firstCodedCell = 2

// cellCols are the columns of DATA cell k in a crop w pixels wide: from
// halfway to the previous cell to halfway to the next.
func cellCols(cells []image.Rectangle, k, w int) (int, int) {
	x0, x1 := 0, w
	if k > 0 {
		x0 = (cells[k-1].Max.X + cells[k].Min.X) / 2
	}
	if k+1 < len(cells) {
		x1 = (cells[k].Max.X + cells[k+1].Min.X) / 2
	}
	return x0, x1
}

// spanBack cuts at their line a component that a DATA cell took whole (a
// spill stays with its character: cellGlyphs) but that lies over half or
// more of an empty neighbouring cell: two digits written touching, their
// blob centred in one cell, or one digit written across the line. The
// empty cell takes the component's part within its columns, the other
// keeps the rest, as a blob wider than one and a half cells is cut
// (cellGlyphs); without it the date stays unread (7 of 8 cells written).
// The cut is at the line, not a choice among several, but only between
// the month and year cells (from firstCodedCell), whose readings the
// sheet code's context weighs: a day's 29 whose 9 was written over the
// next cell's line, cut there, read as a sure 27 the calendar took (stress
// seed 48, a silent date).
func spanBack(out []*glyph, comps []component, labels []int32, w int, cells []image.Rectangle, minH float64) {
	for k := range out {
		if out[k] != nil {
			continue
		}
		x0, x1 := cellCols(cells, k, w)
		for _, nb := range []int{k - 1, k + 1} {
			if min(k, nb) < firstCodedCell || nb >= len(out) || out[nb] == nil || out[k] != nil {
				continue
			}
			g := out[nb]
			for j, id := range g.ids {
				c := comps[id-1].r
				if g.idClip[j] != [2]int{0, w} || 2*(min(c.Max.X, x1)-max(c.Min.X, x0)) < cells[k].Dx() {
					continue
				}
				n0, n1 := cellCols(cells, nb, w)
				moved := &glyph{clipX: [2]int{0, w}, ids: []int32{id}, idClip: [][2]int{{x0, x1}}}
				rest := g.cellCopy()
				rest.idClip[j] = [2]int{n0, n1}
				if !moved.bound(comps, labels, w, minH) || !rest.bound(comps, labels, w, minH) {
					continue
				}
				out[k], out[nb] = moved, rest
				break
			}
		}
	}
}

// spillBack gives an empty DATA cell back the digit its writer put
// mostly over the line in a neighbouring cell: where a cell is empty and
// a neighbour holds two components each at least half a cell tall (two
// characters in a cell that holds one), the one nearer the empty cell
// moves into it. Without it the date stays unread (7 of 8 cells written)
// and the neighbour is read as two digits in one crop.
func spillBack(out []*glyph, comps []component, labels []int32, w int, cells []image.Rectangle, minH float64) {
	for k := range out {
		if out[k] != nil {
			continue
		}
		cx := float64(cells[k].Min.X+cells[k].Max.X) / 2
		for _, nb := range []int{k - 1, k + 1} {
			if nb < 0 || nb >= len(out) || out[nb] == nil || out[k] != nil {
				continue
			}
			g := out[nb]
			var whole []int // indices into g.ids of its own digit-sized components
			for j, id := range g.ids {
				c := comps[id-1]
				if g.idClip[j] == [2]int{0, w} && 2*c.r.Dy() >= cells[k].Dy() {
					whole = append(whole, j)
				}
			}
			if len(whole) < 2 {
				continue
			}
			// The component nearest the empty cell moves.
			best := whole[0]
			for _, j := range whole[1:] {
				if math.Abs(comps[g.ids[j]-1].cx-cx) < math.Abs(comps[g.ids[best]-1].cx-cx) {
					best = j
				}
			}
			moved := &glyph{clipX: [2]int{0, w}, ids: []int32{g.ids[best]}, idClip: [][2]int{{0, w}}}
			rest := g.cellCopy()
			rest.ids = slices.Delete(rest.ids, best, best+1)
			rest.idClip = slices.Delete(rest.idClip, best, best+1)
			if !moved.bound(comps, labels, w, minH) || !rest.bound(comps, labels, w, minH) {
				continue
			}
			out[k], out[nb] = moved, rest
		}
	}
}

// bound sets a DATA cell's glyph's box and area from its components'
// pixels within their clips (idClip), and reports whether it is a
// character at all: some ink, at least minH pixels tall or wide.
func (g *glyph) bound(comps []component, labels []int32, w int, minH float64) bool {
	g.r, g.area = image.Rectangle{}, 0
	for j, id := range g.ids {
		cr := comps[id-1].r
		x0, x1 := max(cr.Min.X, g.idClip[j][0]), min(cr.Max.X, g.idClip[j][1])
		for y := cr.Min.Y; y < cr.Max.Y; y++ {
			row := labels[y*w : (y+1)*w]
			for x := x0; x < x1; x++ {
				if row[x] == id {
					g.area++
					g.r = g.r.Union(image.Rect(x, y, x+1, y+1))
				}
			}
		}
	}
	return g.area > 0 && float64(max(g.r.Dx(), g.r.Dy())) >= minH
}
