package acquisition

import (
	"image"

	"github.com/regfus/regfus/fustella"
	"github.com/regfus/regfus/geom"
	"github.com/regfus/regfus/layout"
	"github.com/regfus/regfus/sheet"
	"github.com/regfus/regfus/tesseract"
	"github.com/regfus/regfus/vision"
)

// OCR reads the OCR-A lines printed on a sheet and on fustelle: package
// tesseract's Client, with a model trained on OCR-A. Each method gets one
// upright line crop LineHeight pixels high and returns a value that passed
// its own validation (length, check digit) with a confidence in [0,1], or
// an error. The *Against methods read the line of a value already read
// from its bars: a first reading equal to that value is returned without
// the OCR's own confirming second reading (it is the second read); any
// other is confirmed as by ReadAIC and ReadTargatura.
type OCR interface {
	ReadAIC(line image.Image) (fustella.AIC, float64, error)
	ReadTargatura(line image.Image) (fustella.Targatura, float64, error)
	ReadAICAgainst(line image.Image, bars fustella.AIC) (fustella.AIC, float64, error)
	ReadTargaturaAgainst(line image.Image, bars fustella.Targatura) (fustella.Targatura, float64, error)
	ReadSheetCode(line image.Image) (sheet.Code, float64, error)
	Close() error
}

var _ OCR = (*tesseract.Client)(nil)

// lineSpan is where a line's ink lies along its window (see ocrLine): mid
// in mm along the frame's x axis, whole when no ink touches the window's
// sides, and quad its ink band on the page (mm). found is set once a
// value was read from the line (see ocrUnder): only then is the band a
// label's print (labelOutline).
type lineSpan struct {
	mid, width float64
	whole      bool
	quad       [4]geom.Point
	found      bool
}

// Paper margins of a line crop above and below its ink band, in band
// heights: the model was trained with 0.12-0.6 character heights.
const (
	lineMargin    = 1.0 / 3
	confirmMargin = 0.45
)

// ocrWindowPx is the resolution the text band is looked for at.
const ocrWindowPx = 12.0

// ocrLine returns the line of chars characters inside the window fr (in
// the frame of frameCrop) as the OCR wants it: the band of rows that carry
// ink, with a third of its height of paper above and below, scaled to
// tesseract.LineHeight pixels high. The image is nil when the window is
// blank (ocrBlank) or its ink band cannot be such a line (ocrNotLine, see
// plausibleLine).
//
// margin is the paper kept above and below the band, in band heights
// (lineMargin; twice that left and right): a confirming reading uses
// confirmMargin, which rescales and resamples the same band.
//
// The line's span along the frame's x axis is recorded in span (when not
// nil): its middle, and whether the ink lies wholly inside the window.
func (st *pageState) ocrLine(c geom.Point, angle float64, flip bool, fr layout.Rect, chars int, margin float64, span *lineSpan) (*image.Gray, ocrOutcome) {
	key := lineKey{c: c, angle: angle, flip: flip, fr: fr, chars: chars, margin: margin}
	for _, m := range st.lines {
		if m.key == key {
			if span != nil && m.spanSet {
				*span = m.span
			}
			return m.img, m.outcome
		}
	}
	m := cutLine{key: key}
	m.img, m.outcome = st.cutLine(c, angle, flip, fr, chars, margin, &m.span, &m.spanSet)
	if span != nil && m.spanSet {
		*span = m.span
	}
	if len(st.lines) == recentLines {
		copy(st.lines, st.lines[1:])
		st.lines = st.lines[:recentLines-1]
	}
	st.lines = append(st.lines, m)
	return m.img, m.outcome
}

// The same line crop is asked for more than once: the fast reader cuts a
// decoded symbol's line under and over its bars (fastConfirms), and when
// it confirms neither, Tesseract is given the same windows at the same
// margin (ocrUnder); a region whose bars did not decode has its line read
// by both models and both kinds. ocrLine keeps a page's last recentLines
// crops, with what they were asked for, and gives one back rather than
// warping and measuring the window again. A crop is never written once cut
// (its readers copy or only read it), so the one given back is the one
// that would be cut again, and so are its outcome and span.
const recentLines = 4

// lineKey is what ocrLine was asked for.
type lineKey struct {
	c      geom.Point
	angle  float64
	flip   bool
	fr     layout.Rect
	chars  int
	margin float64
}

// cutLine is one crop ocrLine made: its image and outcome, and the span it
// recorded (spanSet when it got as far as recording one).
type cutLine struct {
	key     lineKey
	img     *image.Gray
	outcome ocrOutcome
	span    lineSpan
	spanSet bool
}

// cutLine is ocrLine without the recent crops: it always warps. The span
// is recorded in span, and spanSet set, once the window holds a line.
func (st *pageState) cutLine(c geom.Point, angle float64, flip bool, fr layout.Rect, chars int, margin float64, span *lineSpan, spanSet *bool) (*image.Gray, ocrOutcome) {
	win, err := st.frameCrop(c, angle, flip, fr, ocrWindowPx)
	if err != nil {
		return nil, ocrBlank
	}
	defer vision.Recycle(win) // only the line crop is kept
	// The edge of the window nearest the symbol's bars (the frame's
	// origin): its top for a window under them, its bottom for one over
	// them (whichever way up the crop is read).
	own := ownNone
	switch {
	case fr.Y > 0:
		own = ownTop
	case fr.Bottom() < 0:
		own = ownBottom
	}
	y0, y1, x0, x1, ok := inkBandOwn(win, own)
	if !ok {
		return nil, ocrBlank
	}
	if !plausibleLine(x1-x0, y1-y0, chars) || splitLine(win, y0, y1, x0, x1) {
		return nil, ocrNotLine
	}
	*spanSet = true
	span.mid = fr.X + float64(x0+x1)/2/ocrWindowPx
	span.whole = x0 > 0 && x1 < win.Rect.Dx()
	span.width = float64(x1-x0) / ocrWindowPx
	ang := angle
	if flip {
		ang += 180
	}
	u0, u1 := fr.X+float64(x0)/ocrWindowPx, fr.X+float64(x1)/ocrWindowPx
	v0, v1 := fr.Y+float64(y0)/ocrWindowPx, fr.Y+float64(y1)/ocrWindowPx
	span.quad = [4]geom.Point{framePoint(c, ang, u0, v0), framePoint(c, ang, u1, v0), framePoint(c, ang, u1, v1), framePoint(c, ang, u0, v1)}
	span.found = false
	hb := float64(y1-y0) / ocrWindowPx
	m := hb * margin
	band := layout.Rect{
		X: fr.X + float64(x0)/ocrWindowPx - 2*m, Y: fr.Y + float64(y0)/ocrWindowPx - m,
		W: float64(x1-x0)/ocrWindowPx + 4*m, H: hb + 2*m,
	}
	q := float64(tesseract.LineHeight) / band.H
	line, err := st.frameCrop(c, angle, flip, band, q)
	if err != nil {
		return nil, ocrBlank
	}
	// The margins are paper by definition: whiten them, so that the edge
	// of a bar or a neighbouring line caught in them cannot become a glyph.
	top, bot := int(m*q)-2, int((m+hb)*q)+2
	lw := line.Rect.Dx()
	for y := 0; y < line.Rect.Dy(); y++ {
		if y < top || y >= bot {
			row := line.Pix[y*line.Stride : y*line.Stride+lw]
			for i := range row {
				row[i] = 255
			}
		}
	}
	return line, ocrNone
}

// plausibleLine tells whether an ink band w x h pixels can be a printed
// line of chars OCR-A characters. OCR-A is monospaced with a pitch about
// its character height (a 10-character code line spans 8 to 11.3 heights
// in every profile of the corpus), so a band wider than 2 heights per
// character is not one line (the bottom rows of bars under the window, a
// thin rule, text beside the code), and one narrower than a quarter of a
// height per character holds too few characters to be the code. Reading
// such a band costs up to five normal lines of OCR (its crop is scaled to
// the line height) for a reading that cannot pass its check.
func plausibleLine(w, h, chars int) bool {
	if h <= 0 {
		return false
	}
	r := float64(w) / float64(h)
	return r >= 0.25*float64(chars) && r <= 2*float64(chars)
}

// splitLine reports whether the ink band (rows y0-y1, columns x0-x1 of
// g) holds two lines side by side: a blank stretch wider than one and a
// half band heights inside it, far more than the space between two
// characters or two words of a code line. Two symbols printed side by
// side and taken for one (their bars joined in one region) have their two
// digit lines there; reading them as one line let the OCR make one wrong
// code out of both that passed its check twice.
func splitLine(g *image.Gray, y0, y1, x0, x1 int) bool {
	w := g.Rect.Dx()
	var hist [256]int
	for y := y0; y < y1; y++ {
		for _, v := range g.Pix[y*g.Stride : y*g.Stride+w] {
			hist[v]++
		}
	}
	// The band's own half-contrast level (as inkBand's).
	n, total := 0, (y1-y0)*w
	paper := 255
	for paper > 0 && n < total/10 {
		n += hist[paper]
		paper--
	}
	ink := 0
	for n = 0; ink < 255 && n < total/50; ink++ {
		n += hist[ink]
	}
	cut := uint8((paper + ink) / 2)
	maxGap := 3 * (y1 - y0) / 2
	gap := 0
	for x := x0; x < x1; x++ {
		dark := false
		for y := y0; y < y1 && !dark; y++ {
			dark = g.Pix[y*g.Stride+x] < cut
		}
		if dark {
			gap = 0
			continue
		}
		if gap++; gap > maxGap {
			return true
		}
	}
	return false
}

// minBandContrast is the least paper-ink difference (grey levels) of a
// window holding text.
const minBandContrast = 24

// inkBand finds the tallest run of rows of g holding dark pixels, and the
// columns that ink spans in it (columns dark in a sixth of its rows). Dark is darker than halfway between the
// paper (the brightest tenth) and the ink (the darkest 2%): the
// half-contrast level that a blurred glyph's edge crosses where the glyph
// ends. A fixed fraction of the paper level (60% until November 2026)
// caught only the cores of soft grey print on a dim photographed page, so
// the band was a glyph's lower half, the crop was scaled up by half again
// and cut the glyphs' tops off: phone lines read 15 characters for 10
// (phone AIC/targatura 72.5/75.5% -> 94.1/98.0% of the corpus, no other
// profile changed). A window whose ink is within a fifth of the paper
// level (at least minBandContrast levels) is blank.
func inkBand(g *image.Gray) (y0, y1, x0, x1 int, ok bool) {
	return inkBandOwn(g, ownNone)
}

// The edge of a line window that faces the bars it was cut for (see
// inkBandOwn).
const (
	ownNone = iota
	ownTop
	ownBottom
)

// inkBandOwn is inkBand for a window whose edge own faces the bars it is
// read for. A line found with other bars beyond it, nearer to those bars
// than to the window's own edge, is their line, not the window's (no band,
// not ok): a window over an ITF holds the AIC line printed under the Code
// 32 above it, and read as that region's own line (its bars undecoded) the
// AIC was a second Code 32 in the slot, two labels. The gaps are measured
// in the window, the own side's from the window's edge (0.1 mm past the
// bars) or from the own bars when the window holds their end.
func inkBandOwn(g *image.Gray, own int) (y0, y1, x0, x1 int, ok bool) {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	if w == 0 || h == 0 {
		return
	}
	var hist [256]int
	for _, v := range g.Pix[:w*h] {
		hist[v]++
	}
	paper, n := 255, 0
	for paper > 0 && n < w*h/10 {
		n += hist[paper]
		paper--
	}
	ink := 0
	for n = 0; ink < 255 && n < w*h/50; ink++ {
		n += hist[ink]
	}
	if paper-ink < max(minBandContrast, paper/5) {
		return // paper only
	}
	cut := uint8((paper + ink) / 2)
	rows := make([]int, h)
	for y := 0; y < h; y++ {
		for _, v := range g.Pix[y*g.Stride : y*g.Stride+w] {
			if v < cut {
				rows[y]++
			}
		}
	}
	minRow := max(2, w/100)
	// The tallest run of inked rows that is not bars and lies wholly in
	// the window, else the tallest that is not bars, else the tallest. A
	// window under or over one symbol can hold the other symbol's bars
	// too, taller than the line: labels that stack the Code 32, its digit
	// line and the ITF within a few millimetres (compact designs) put the
	// ITF's top under the AIC line, and the tallest band was those bars
	// (read as a line, rejected: the AIC unread on every such label).
	best, bestRank := -1, 0
	type run struct {
		s, e int
		bars bool
	}
	var runs []run
	for y := 0; y < h; {
		if rows[y] < minRow {
			y++
			continue
		}
		s := y
		for y < h && rows[y] >= minRow {
			y++
		}
		if y-s < 3 {
			continue
		}
		rank := y - s
		bars := barRows(g, s, y, cut)
		runs = append(runs, run{s, y, bars})
		if !bars {
			rank += 2 * h
			if s > 0 && y < h {
				rank += h
			}
		}
		if rank > bestRank {
			best, bestRank, y0, y1 = y-s, rank, s, y
		}
	}
	if best < 3 {
		return
	}
	if own != ownNone {
		// The paper between the band and the nearest bars on its own
		// side (at most the window's edge, 0.1 mm past them) and on the
		// far side (none: the window's height).
		near, far := y0+1, h
		if own == ownBottom {
			near = h - y1 + 1
		}
		for _, r := range runs {
			if !r.bars {
				continue
			}
			switch {
			case own == ownTop && r.e <= y0:
				near = min(near, y0-r.e)
			case own == ownTop && r.s >= y1:
				far = min(far, r.s-y1)
			case own == ownBottom && r.s >= y1:
				near = min(near, r.s-y1)
			case own == ownBottom && r.e <= y0:
				far = min(far, y0-r.e)
			}
		}
		if far < near {
			return 0, 0, 0, 0, false
		}
	}
	// The line's ends: the outermost columns with ink in several rows of
	// the band. On a grainy low-contrast photo, single paper pixels fall
	// under the cut anywhere along the band; taking the outermost dark
	// pixel made the crop the whole window, the text a third of it.
	cols := make([]int, w)
	for y := y0; y < y1; y++ {
		for x, v := range g.Pix[y*g.Stride : y*g.Stride+w] {
			if v < cut {
				cols[x]++
			}
		}
	}
	need := max(2, (y1-y0)/6)
	x0, x1 = w, 0
	for x, n := range cols {
		if n >= need {
			x0, x1 = min(x0, x), max(x1, x+1)
		}
	}
	return y0, y1, x0, x1, x1 > x0
}

// barRows reports whether rows y0-y1 of g are bars rather than text
// (see bandOverlap and barOverlap).
func barRows(g *image.Gray, y0, y1 int, cut uint8) bool {
	r, ok := bandOverlap(g, y0, y1, cut)
	return ok && r >= barOverlap
}

// bandOverlap is the share of the columns dark (under cut) in the upper
// or the lower quarter of rows y0-y1 of g that are dark in both: bars run
// through the band, glyphs change shape. ok is false when the band is too
// low, or has too few dark columns (under four), to tell.
func bandOverlap(g *image.Gray, y0, y1 int, cut uint8) (float64, bool) {
	h := y1 - y0
	if h < 6 {
		return 0, false
	}
	w := g.Rect.Dx()
	dark := func(y, x int) bool { return g.Pix[y*g.Stride+x] < cut }
	ya, yb := y0+h/4, y1-1-h/4
	var both, either int
	for x := 0; x < w; x++ {
		// A column counts as dark at a level when either of two rows
		// there is: one row's noise does not split a bar.
		a := dark(ya, x) || dark(ya+1, x)
		b := dark(yb, x) || dark(yb-1, x)
		if a && b {
			both++
		}
		if a || b {
			either++
		}
	}
	if either < 4 {
		return 0, false
	}
	return float64(both) / float64(either), true
}

// barOverlap is the share of the columns dark at either of two levels of
// a band that must be dark at both for the band to be bars. Measured on
// compact labels' windows (seeds 606 bitonal, h1-4242 phone): bars 0.79
// to 0.98, digit and name lines 0.08 to 0.67 (their strokes bend and end
// between the two levels).
const barOverlap = 0.75

// confirmCandidate reads, for a region of bars that neither decoded nor
// had its digit line read by OCR alone, the model's candidate read of a
// 1-bit crop img (barcode's Code32Candidate and TargaturaCandidate: every
// band of rows drew the same valid text, by too small a margin for a
// read), and keeps it only when a read of the digit line confirms it
// exactly, the way a line confirms decoded bars (the fast reader's sure
// reading, Tesseract's, or the field reader's two): two independent
// reads of one value. The candidate's confidence (0.3) is far under what
// bars alone need (minBarConfidence), so it never makes a value alone;
// when nothing confirms it, lr is left as it was, as if no candidate had
// been drawn (a line read as another value is not a disagreement with a
// read that is not one). Seed 4201's side-by-side and compact 1-bit
// pages (threshold 134): targature unread whose bars every band drew
// right, their digits printed under them.
func (st *pageState) confirmCandidate(lr *labelRead, img *image.Gray, pos int) {
	if st.r.ocr == nil || lr.kind != "" || lr.ocrOnly != "" {
		return
	}
	saved := *lr
	for _, kind := range kindOrder(pos) {
		if kind == "code32" {
			a, r, ok := st.r.bars.Code32Candidate(img)
			if !ok {
				continue
			}
			lr.setBars(kind, a, "", r)
		} else {
			t, r, ok := st.r.bars.TargaturaCandidate(img)
			if !ok {
				continue
			}
			lr.setBars(kind, "", t, r)
		}
		lr.ocrAIC, lr.ocrTG, lr.ocrConf, lr.ocrOutcome = "", "", 0, ocrNone
		if st.lineConfirms(lr) && lr.ocrValue(kind) == lr.barsValue() {
			return
		}
		*lr = saved
	}
}

// lineConfirms reads the digit line of lr's bars (read as lr.kind) under
// and over them, as decodeLabelBars does for decoded bars: the fast
// reader first, then Tesseract at two margins, then the field reader. It
// reports whether a reading was kept in lr's OCR value (the caller
// compares it with the bars'). Besides the usual windows (lineWindows) it
// reads windows reaching into the region found (candidateReach): a
// region of bars found with the top of its digit line (the bars' ends
// ragged on a 1-bit scan, the line close under them) leaves the line's
// lower half at the top of the usual window, where another line under it
// (the product's name) is taken for the line. Only a reading equal to
// the candidate counts, so a window that holds some other line confirms
// nothing.
func (st *pageState) lineConfirms(lr *labelRead) bool {
	base := lineWindows(lr)
	wins := base[:]
	for _, in := range candidateReach {
		for _, w := range base {
			if w.Y > 0 {
				w.Y -= in
			} else {
				w.Y += in
			}
			wins = append(wins, w)
		}
	}
	for _, win := range wins {
		if st.fastConfirms(lr, win) {
			return true
		}
	}
	for _, win := range wins {
		if st.ocrUnder(lr, lr.kind, lr.reversed, win, lineMargin) ||
			lr.ocrOutcome != ocrUnconfirmed && st.ocrUnder(lr, lr.kind, lr.reversed, win, confirmMargin) {
			return true
		}
	}
	if lr.ocrOutcome == ocrUnconfirmed {
		return false
	}
	return st.fieldsConfirm(lr, wins)
}

// fieldsConfirm reports whether the field reader reads the digit line, in
// one of the windows wins, as the bars' value, and records it if so.
func (st *pageState) fieldsConfirm(lr *labelRead, wins []layout.Rect) bool {
	want := lr.barsValue()
	for _, win := range wins {
		if conf, ok := st.fieldsRead(lr, lr.reversed, win, want); ok {
			lr.confirmBars(conf)
			return true
		}
	}
	return false
}

// candidateReach is how far (mm) the extra windows of lineConfirms reach
// into the region of bars.
var candidateReach = []float64{1.5, 3}
