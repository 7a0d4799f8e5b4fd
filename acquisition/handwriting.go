package acquisition

import (
	"fmt"
	"image"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/regfus/regfus/icr"
	"github.com/regfus/regfus/layout"
	"github.com/regfus/regfus/page"
)

// The handwriting step reads the progressive, count and DATA boxes.
//
// Each box is segmented into characters (fields_segment.go). A box whose
// characters look printed is read by the printed-field OCR
// (fields_printed.go); any other, and a printed one the OCR could not
// confirm, is read by the handwriting model, one crop per character. A
// value is accepted only when the model and the context agree, and is
// never corrected:
//
//   - progressive: an optional D and then 1-4 digits making a positive
//     number (by hand, without a leading 0: it may be a D), every
//     character above the confidence threshold;
//   - count: 1-2 digits above the threshold making 0-28, or, when they
//     read the filled slots found, above the threshold that context
//     leaves (contextConfirms). When it differs from the filled slots
//     found it is kept and the page gets count_mismatch (a finding, not
//     an unread value);
//   - date: all eight cells written, a real calendar day, every digit
//     above the threshold, or the month and year cells the sheet code's
//     above the threshold that context leaves (contextMin) and the day
//     weighed with the calendar (calendarDay); one outside the
//     competence month is kept with date_outside_month.
//
// A character's reading is the model's, conditioned on what its place in
// the field allows (noD: no D in a date, a count, or after a
// progressive's first character).
// Anything else leaves the field null with a reason naming it and the
// reading kept as a suggestion (page.Suggestion) for the reviewer. A
// character the model calls neither a digit nor a D, or a D anywhere but
// first, keeps the field unread: a D is never dropped or invented.
// Empty boxes: the count and the date are optional (nothing is said), the
// progressive is needed (progressive_unread: box empty).

// charRead is the handwriting model's reading of one character: '0'-'9',
// 'D', or '?' for anything else, with its calibrated probability.
type charRead struct {
	ch   byte
	conf float64
	// ctx is set when the context confirms this very character at the
	// threshold its prior allows (contextMin): a DATA cell of the month or
	// year that the sheet code gives, a day the calendar weighs, a count
	// that equals the filled slots found. The model's first choice is the
	// context's; nothing is corrected.
	ctx bool
	// probs are the model's calibrated probabilities of every class,
	// indexed by icr.Class (nil when unknown): what the calendar weighs a
	// day's cells with, and what noD conditions.
	probs []float64
	// alone is the reading of the ensemble's first member by itself (nil
	// with one member, or where it is the ensemble's), conditioned as this
	// one is (noD): what a printed value must agree with (printAgrees).
	alone *charRead
}

// printRead is the reading a printed value is checked against: the
// ensemble's first member alone, the model that rule was measured with
// (no printed value read wrong on 360 synth pages, 9 faces). A second
// opinion is calibrated on handwriting and speaks for no printed face:
// net-c reads a bitonal printed 6 as a 5, and the pair then made a printed
// progressive unread on two tuning seeds (3131, 7272).
func (r charRead) printRead() charRead {
	if r.alone != nil {
		return *r.alone
	}
	return r
}

// rivalJoint is the least probability (joint) at which a blob's cut at
// another place that reads otherwise vetoes a reading (readCuts).
const rivalJoint = 0.5

// joint is the probability of a reading of several characters: the
// product of their confidences, 0 when one is read as other.
func joint(rs []charRead) float64 {
	p := 1.0
	for _, r := range rs {
		if r.ch == '?' {
			return 0
		}
		p *= r.conf
	}
	return p
}

// minAllowedMass is the least probability the model must give the
// classes a character's place allows (noD) for its reading to be
// conditioned on them.
const minAllowedMass = 0.25

// noD is the reading of a character where the field has no place for a
// D (a DATA cell, the count, a progressive's characters after the first):
// the model's probabilities conditioned on "not a D", p(c) / (1 - p(D)),
// the first choice and its confidence taken again among the rest (Other
// stays one of them: a mark that is not a digit still keeps the field
// unread). A 0 whose side lay on a cell's line comes back from the line
// removal with a flat side and can read as a D; the field's grammar, not
// a correction, says which of the model's other readings it is. When the
// model gives the other classes under minAllowedMass the reading is left
// as it is (a D where none may be: the field stays unread).
func (r charRead) noD() charRead {
	if len(r.probs) != icr.NumClasses || r.ch == '_' {
		return r
	}
	rest := 1 - r.probs[icr.D]
	if rest < minAllowedMass {
		return r
	}
	best := icr.Other
	for c := range icr.Class(icr.NumClasses) {
		if c != icr.D && r.probs[c] > r.probs[best] {
			best = c
		}
	}
	out := r
	out.ch, out.conf = classChar(best), r.probs[best]/rest
	if r.alone != nil {
		a := r.alone.noD()
		out.alone = &a
	}
	return out
}

// minDigitMass is the least probability the model must give the digits
// for a mark it calls other to be read among them (digitOnly): under it
// the model's ranking of the digits rests on the tails of its output.
const minDigitMass = 0.1

// digitOnly is the reading of a character that must be a digit (a DATA
// cell of the month or year, which the sheet code says what to expect
// in): the model's probabilities conditioned on "a digit", p(c) / sum of
// the digits' p, when the digits keep at least minDigitMass. A 0 whose
// side lay on a cell's line, a 4 broken by a bitonal scan, come back as
// marks the model calls other; the context, not the model alone, then
// decides (contextMin). Otherwise the reading is left as it is.
func (r charRead) digitOnly() charRead {
	if len(r.probs) != icr.NumClasses {
		return r
	}
	mass := 0.0
	best := icr.Class(0)
	for c := range icr.Class(10) {
		mass += r.probs[c]
		if r.probs[c] > r.probs[best] {
			best = c
		}
	}
	if mass < minDigitMass {
		return r
	}
	out := r
	out.ch, out.conf = classChar(best), r.probs[best]/mass
	return out
}

// classChar is the character a class is written as: '0'-'9', 'D', or
// '?' for Other.
func classChar(c icr.Class) byte {
	switch {
	case c.Digit():
		return byte('0' + c)
	case c == icr.D:
		return 'D'
	}
	return '?'
}

// boxField is what the progressive or the count box may hold.
type boxField struct {
	maxMarks int  // more marks than this and the box is not read
	maxChars int  // characters of a value at most: a touching blob is cut into no more
	dFirst   bool // a D may come first (a dispensario's progressive)
	// confirmOne: a handwritten value of one character, which has no
	// context, must also be read so by the model's second opinion, sure
	// (Reader.confirm), when the model has one.
	confirmOne bool
}

var (
	// progressiveField: an optional D and 1-4 digits.
	progressiveField = boxField{maxMarks: 5, maxChars: 5, dFirst: true, confirmOne: true}
	// countField: 1-2 digits.
	countField = boxField{maxMarks: 3, maxChars: 2}
)

// grammar conditions the readings of a box's characters on what the
// field allows where they stand (noD).
func (f boxField) grammar(reads []charRead) {
	for i := range reads {
		if !(f.dFirst && i == 0) {
			reads[i] = reads[i].noD()
		}
	}
}

// handClassifier reads character crops (dark ink on light paper, any
// size); see WithHandReader.
type handClassifier func(glyphs []*image.Gray) ([]charRead, error)

// fieldMarginMM is the paper cropped round a box: strokes that cross its
// lines are followed that far.
const fieldMarginMM = 1.2

// Printed lines of the form (render): the progressive and count boxes'
// border and the DATA cells' borders, in mm; adjacent DATA cells' borders
// make one line twice as thick.
const (
	boxLineMM  = 0.3
	cellLineMM = 0.25
)

// maxStray is the most of a box's ink that may lie outside its
// characters (specks left apart) for its reading to be trusted.
const maxStray = 0.08

// lineSearchMM is how far from its nominal place a printed line is looked
// for.
const lineSearchMM = 0.9

// minSpeckMM2 is the least area of a piece of ink that counts (mm²):
// smaller ones are scanner dust and JPEG ringing.
const minSpeckMM2 = 0.12

// boxRead is what a box holds.
type boxRead struct {
	written bool
	source  string // page.SourcePrinted or page.SourceHandwritten
	text    string // characters read; '?' for other, '_' for an empty cell
	conf    float64
	sure    bool   // every character read above the threshold (printed: confirmed)
	why     string // when not sure: what fell short
	// glyph is the crop of a box read by the handwriting model as one
	// character (boxField.confirmOne).
	glyph *image.Gray
}

// segmented is a field's crop, binarised, with its printed lines removed
// and its ink labelled.
type segmented struct {
	gray   *image.Gray
	mask   inkMask
	comps  []component
	labels []int32
	// hidden is the number of the field's printed lines not seen
	// (removeRulings).
	hidden int
}

// segmentArea crops area (mm) at fieldPx, binarises it and removes rules.
func (st *pageState) segmentArea(area layout.Rect, rules []ruling) (*segmented, error) {
	g, err := st.geo.Crop(st.img, area, fieldPx)
	if err != nil {
		return nil, err
	}
	s := &segmented{gray: g}
	m, ok := binarize(g)
	if !ok {
		return s, nil
	}
	s.hidden = m.removeRulings(rules)
	s.mask = m
	s.comps, s.labels = m.components(int(minSpeckMM2 * fieldPx * fieldPx))
	return s, nil
}

// covered reports whether a field may lie under something that is not the
// sheet: some of its printed lines do not show (s.hidden) on a page that
// also hides a corner marker. A folded corner's flap does both, and its
// edge across a DATA cell reads as a sure 1 (seed 6363: a date read 11-11
// where 01-11 was written). Lines alone are no evidence: a bitonal scan
// loses thin lines all over the page.
func (st *pageState) covered(s *segmented) bool {
	return s.hidden > 0 && st.geo != nil && st.geo.Markers < 4
}

// boxRules returns the four border lines of box inside a crop of area.
func boxRules(box, area layout.Rect, thick, px float64) []ruling {
	x0, y0 := (box.X-area.X)*px, (box.Y-area.Y)*px
	x1, y1 := (box.Right()-area.X)*px, (box.Bottom()-area.Y)*px
	t := thick * px
	s := int(math.Ceil(lineSearchMM * px))
	return []ruling{
		{horizontal: true, pos: y0 + t/2, from: int(x0), to: int(math.Ceil(x1)), thick: t, search: s},
		{horizontal: true, pos: y1 - t/2, from: int(x0), to: int(math.Ceil(x1)), thick: t, search: s},
		{horizontal: false, pos: x0 + t/2, from: int(y0), to: int(math.Ceil(y1)), thick: t, search: s},
		{horizontal: false, pos: x1 - t/2, from: int(y0), to: int(math.Ceil(y1)), thick: t, search: s},
	}
}

// dateRules returns the DATA cells' lines inside a crop of area: the top
// and bottom of each group of touching cells, and one vertical line per
// cell edge (shared edges once, twice as thick).
func dateRules(cells []layout.Rect, area layout.Rect, px float64) []ruling {
	t := cellLineMM * px
	s := int(math.Ceil(lineSearchMM * px))
	var out []ruling
	var edges []float64 // x centres, mm
	start := 0
	for i, c := range cells {
		edges = append(edges, c.X+cellLineMM/2, c.Right()-cellLineMM/2)
		if i+1 == len(cells) || cells[i+1].X-c.Right() > 0.1 {
			g0, g1 := cells[start], c
			x0, x1 := (g0.X-area.X)*px, (g1.Right()-area.X)*px
			out = append(out,
				ruling{horizontal: true, pos: (g0.Y-area.Y)*px + t/2, from: int(x0), to: int(math.Ceil(x1)), thick: t, search: s},
				ruling{horizontal: true, pos: (g0.Bottom()-area.Y)*px - t/2, from: int(x0), to: int(math.Ceil(x1)), thick: t, search: s})
			start = i + 1
		}
	}
	y0, y1 := (cells[0].Y-area.Y)*px, (cells[0].Bottom()-area.Y)*px
	for i := 0; i < len(edges); i++ {
		x, th := edges[i], t
		if i+1 < len(edges) && edges[i+1]-edges[i] < 2*cellLineMM {
			x, th = (edges[i]+edges[i+1])/2, 2*t
			i++
		}
		out = append(out, ruling{pos: (x - area.X) * px, from: int(y0), to: int(math.Ceil(y1)), thick: th, search: s})
	}
	return out
}

// mmToCrop converts r (mm) to pixels of a crop of area at px per mm.
func mmToCrop(r, area layout.Rect, px float64) image.Rectangle {
	return image.Rect(int(math.Round((r.X-area.X)*px)), int(math.Round((r.Y-area.Y)*px)), int(math.Round((r.Right()-area.X)*px)), int(math.Round((r.Bottom()-area.Y)*px)))
}

// readBox reads the progressive or the count box. want is the value the
// context expects ("" for none): the count's filled slots found. A reading
// of exactly that value, the model's first choices, needs only the
// context's threshold (contextConfirms); any other reading needs every
// character at the model's.
func (st *pageState) readBox(box layout.Rect, f boxField, want string) (boxRead, error) {
	br, err := st.readBoxOnce(box, f, want)
	if err != nil || !f.confirmOne || st.r.confirm == nil || br.glyph == nil || !br.sure || br.source != page.SourceHandwritten || len(br.text) != 1 {
		return br, err
	}
	// One character, no context: the second opinion must read it the
	// same, at its own threshold (a 9 with a narrow open loop read as a
	// sure 4 by the first member).
	rs, err := st.r.confirm([]*image.Gray{br.glyph})
	if err != nil {
		return boxRead{}, err
	}
	return br.confirmedBy(rs[0], st.r.confirmMin), nil
}

// confirmedBy keeps br, a value of one character read for sure, sure
// only when the second opinion r reads the same character at minConf or
// more.
func (br boxRead) confirmedBy(r charRead, minConf float64) boxRead {
	if r.ch != br.text[0] || r.conf < minConf {
		br.sure, br.why = false, fmt.Sprintf("one character: the second model reads %q at %.3f", r.ch, r.conf)
	}
	return br
}

// readBoxOnce is readBox before a single character's second opinion.
func (st *pageState) readBoxOnce(box layout.Rect, f boxField, want string) (boxRead, error) {
	area := box.Inset(-fieldMarginMM)
	s, err := st.segmentArea(area, boxRules(box, area, boxLineMM, fieldPx))
	if err != nil || s.labels == nil {
		return boxRead{}, err
	}
	inner := mmToCrop(box.Inset(boxLineMM), area, fieldPx)
	gs, stray, short := boxGlyphs(s, inner, fieldPx)
	if len(gs) == 0 {
		return boxRead{}, nil
	}
	br := boxRead{written: true, source: page.SourceHandwritten}
	inked := stray
	for _, g := range gs {
		inked += g.area
	}
	switch {
	case len(gs) > f.maxMarks:
		br.why = fmt.Sprintf("%d marks, at most %d characters expected", len(gs), f.maxMarks)
	case float64(stray) > maxStray*float64(inked):
		br.why = fmt.Sprintf("%.0f%% of the ink is in marks that are not characters", 100*float64(stray)/float64(inked))
	case short > 0:
		br.why = "a mark too short to be a character beside them: stray ink, or a light digit"
	case st.covered(s):
		br.why = fmt.Sprintf("%d of the box's printed lines not seen, and a corner marker: the box may be covered", s.hidden)
	case slices.ContainsFunc(gs, func(g glyph) bool { return alongLine(&s.mask, g, s.labels, fieldPx) }):
		br.why = "a stroke along the box's line was erased with it"
	}
	var reads []charRead
	// A blob as wide as two narrow digits is read cut too, unless the
	// box looks printed (a printed 0 is read by the print OCR).
	if st.r.fields != nil && looksPrinted(gs, &s.mask, s.labels) {
		for i := range gs {
			gs[i].ambig = false
		}
	}
	cut := slices.ContainsFunc(gs, func(g glyph) bool { return g.cut || g.ambig })
	switch {
	case st.r.hand != nil && cut && br.why == "":
		var why string
		if gs, reads, why, err = st.readCuts(s, gs, f, want); err != nil {
			return boxRead{}, err
		}
		br.why = why
		if len(gs) > f.maxMarks {
			br.why = fmt.Sprintf("%d marks, at most %d characters expected", len(gs), f.maxMarks)
		}
	case st.r.hand != nil:
		crops := make([]*image.Gray, len(gs))
		for i := range gs {
			crops[i] = gs[i].crop(s)
		}
		if reads, err = st.r.hand(crops); err != nil {
			return boxRead{}, err
		}
		f.grammar(reads)
		if br.why == "" {
			st.contextConfirms(reads, want)
		}
	case cut && br.why == "":
		br.why = "characters touching, cut apart"
	}
	if len(gs) == 1 && reads != nil {
		br.glyph = gs[0].crop(s)
	}
	// Print: several characters that look printed, or one character (its
	// look alone cannot tell) that the handwriting model reads the same.
	look := st.r.fields != nil && looksPrinted(gs, &s.mask, s.labels)
	if st.r.fields != nil && br.why == "" && (len(gs) == 1 && reads != nil || look) {
		pr, err := readPrinted(st.r.fields, st.r.lines, s.gray, gs, s.labels, s.mask.w, look)
		if err != nil {
			return boxRead{}, err
		}
		if pr.ok && !pr.disputed && pr.standsFor(want) && printAgrees(pr.text, reads, pr.strict) {
			return boxRead{written: true, source: page.SourcePrinted, text: pr.text, conf: pr.conf, sure: true}, nil
		}
		if pr.ok && !pr.fast && br.why == "" && reads != nil {
			// Two models read the box differently: neither is taken,
			// unless the handwriting model reads a single character
			// for sure, or the context confirms its reading
			// (contextConfirms: a count that is the filled slots
			// found). The OCR reads many a handwritten 1, 4 or 9 as a
			// 7, and its confidence is no probability; the model's is
			// calibrated, and it reads the printed faces' single digits
			// at its threshold only when the OCR agrees (no printed
			// value read wrong on 360 synth pages, 9 faces).
			hr := handRead(reads, br, st.r.handMin)
			confirmed := !slices.ContainsFunc(reads, func(r charRead) bool { return !r.ctx })
			if hr.text != pr.text && !(hr.sure && (confirmed || len(gs) == 1)) {
				hr.sure, hr.why = false, fmt.Sprintf("the print OCR reads %q, the handwriting model %q", pr.text, hr.text)
				return hr, nil
			}
		}
	}
	if reads == nil {
		if br.why == "" {
			br.why = "no handwriting model"
		}
		return br, nil
	}
	return handRead(reads, br, st.r.handMin), nil
}

// printAgrees tells whether the handwriting model's readings of the
// characters leave a printed reading standing: a single character must be
// read the same by both (a hooked handwritten 1 reads as a printed 7),
// and no character of a longer value may be read otherwise by the model
// at its acceptance confidence; strict, every character must be the
// model's first choice. Without the model a single character, and a
// strict reading, is never taken for print. The model here is an
// ensemble's first member alone (printRead).
func printAgrees(text string, reads []charRead, strict bool) bool {
	if len(reads) == 0 {
		return len(text) > 1 && !strict
	}
	if len(reads) != len(text) {
		return false
	}
	if len(reads) == 1 {
		return reads[0].printRead().ch == text[0]
	}
	for i, r := range reads {
		r = r.printRead()
		if r.ch != text[i] && (strict || r.conf >= handThreshold) {
			return false
		}
	}
	return true
}

// handRead fills br from the model's character readings, each needing
// minConf unless the context confirmed it (charRead.ctx).
func handRead(reads []charRead, br boxRead, minConf float64) boxRead {
	minConf = max(minConf, handThreshold)
	var b strings.Builder
	br.conf = 1
	low := false
	for _, r := range reads {
		b.WriteByte(r.ch)
		br.conf = math.Min(br.conf, r.conf)
		low = low || r.conf < minConf && !r.ctx
	}
	br.text = b.String()
	if br.why != "" {
		return br
	}
	if low {
		br.why = fmt.Sprintf("a character below %.3f confidence", minConf)
		return br
	}
	br.sure = true
	return br
}

// The context's priors: how often a page's field holds the value its
// context expects. A reading that agrees with the context is accepted at
// the calibrated probability the context leaves (contextMin), so that the
// value's probability given the model and the context stays at the
// model's threshold.
const (
	// countPrior: the count equals the filled slots found on nine pages
	// in ten at least (a person miscounts, a slot is missed). synth's
	// pages make the count differ on one in ten.
	countPrior = 0.9
	// datePrior: a sheet is dated in its competence month (the month and
	// year cells); one in a hundred is dated outside it (and reported).
	datePrior = 0.99
)

// contextMin is the least calibrated probability p of a reading that
// agrees with a context whose prior is prior, for its posterior to reach
// minConf: p/(1-p) * prior/(1-prior) >= minConf/(1-minConf). The
// alternatives' share of the prior, 1-prior, is put whole on the model's
// strongest alternative (the worst case: no assumption on which values a
// wrong context hides), so the bound holds whatever they are. With a
// threshold of 0.9904 a count needs 0.920 and a month or year cell 0.51,
// with 0.9866 (the 16/32 model) 0.891 and 0.43: a model with another
// threshold moves both with it.
func contextMin(minConf, prior float64) float64 {
	odds := minConf / (1 - minConf) * (1 - prior) / prior
	return odds / (1 + odds)
}

// contextConfirms marks reads (a box's characters, its grammar applied)
// as confirmed by the context when they read want, the value it expects,
// and the probability of that reading, the product of the characters',
// is at least contextMin for countPrior. It reports whether it did.
func (st *pageState) contextConfirms(reads []charRead, want string) bool {
	if want == "" || len(reads) != len(want) {
		return false
	}
	p := 1.0
	for i, r := range reads {
		if r.ch != want[i] {
			return false
		}
		p *= r.conf
	}
	if p < contextMin(max(st.r.handMin, handThreshold), countPrior) {
		return false
	}
	for i := range reads {
		reads[i].ctx = true
	}
	return true
}

// handThreshold is the least calibrated probability of every character of
// an accepted handwritten value, unless the model's own measured threshold
// (icr.Info.Threshold: held-out error rate 0.1%) is higher (Reader.handMin).
const handThreshold = 0.9

// handwriting is the step: it reads the three boxes and decides.
func (st *pageState) handwriting() error {
	l := st.r.layout
	prog, err := st.readBox(l.Progressive.Rect, progressiveField, "")
	if err != nil {
		return err
	}
	// The count's context: the filled slots the slot reader found (none
	// when it did not run).
	wantCount := ""
	if len(st.res.Slots) > 0 {
		wantCount = strconv.Itoa(filledSlots(st.res.Slots))
	}
	count, err := st.readBox(l.Count.Rect, countField, wantCount)
	if err != nil {
		return err
	}
	date, err := st.readDate()
	if err != nil {
		return err
	}
	st.decideFields(prog, count, date)
	return nil
}

// decideFields sets the sheet's progressive, count and date from what
// their boxes hold (accepted values, suggestions, reasons and findings).
func (st *pageState) decideFields(prog, count, date boxRead) {
	sh := &st.res.Sheet
	sh.Written = &page.Written{Progressive: prog.written, Count: count.written, Date: date.written}
	src := &page.Sources{}
	sug := &page.Suggestions{}
	unread := func(kind page.ReasonKind, br boxRead) *page.Suggestion {
		// The reason tells people the reading too: it is what a review
		// item shows (its reason), beside the box's crop.
		detail := br.why
		if br.text != "" && !strings.Contains(detail, fmt.Sprintf("%q", br.text)) {
			detail = fmt.Sprintf("reads %q at %.1f%%: %s", br.text, 100*br.conf, br.why)
		}
		st.res.Reasons = append(st.res.Reasons, page.Reason{Kind: kind, Detail: detail})
		if br.text == "" {
			return nil
		}
		return &page.Suggestion{Text: br.text, Confidence: round(br.conf, 3), Source: br.source, Why: br.why}
	}

	switch {
	case !prog.written:
		st.res.Reasons = append(st.res.Reasons, page.Reason{Kind: page.ReasonProgressiveUnread, Detail: page.DetailBoxEmpty})
	default:
		if v, why := acceptProgressive(prog); why == "" {
			sh.Progressive, src.Progressive = page.Str(v), prog.source
		} else {
			prog.why = why
			sug.Progressive = unread(page.ReasonProgressiveUnread, prog)
		}
	}

	if count.written {
		if n, why := acceptCount(count); why == "" {
			sh.DeclaredCount, src.Count = page.Int(n), count.source
			if found := filledSlots(st.res.Slots); n != found {
				st.res.Reasons = append(st.res.Reasons, page.Reason{Kind: page.ReasonCountMismatch, Detail: fmt.Sprintf("%d written, %d fustelle found", n, found)})
			}
		} else {
			count.why = why
			sug.Count = unread(page.ReasonCountUnread, count)
		}
	}

	if date.written {
		d, why := acceptDate(date)
		c, coded := sh.SheetCode()
		if why == "" && coded && abs(d.Year()-c.Year) > 1 {
			// Sheets are dated in their month: a year that far off is a
			// misread more likely than a finding.
			why = fmt.Sprintf("read %s, not plausible for a sheet of %04d", d.Format("02/01/2006"), c.Year)
		}
		if why == "" {
			sh.Date, src.Date = page.Str(d.Format("2006-01-02")), date.source
			if coded && (int(d.Month()) != c.Month || d.Year() != c.Year) {
				st.res.Reasons = append(st.res.Reasons, page.Reason{Kind: page.ReasonDateOutsideMonth, Detail: fmt.Sprintf("%s, the sheet is of %02d/%04d", d.Format("02/01/2006"), c.Month, c.Year)})
			}
		} else {
			date.why = why
			sug.Date = unread(page.ReasonDateUnread, date)
		}
	}
	if *src != (page.Sources{}) {
		sh.Sources = src
	}
	if *sug != (page.Suggestions{}) {
		sh.Suggestions = sug
	}
}

// filledSlots counts the slots holding a fustella, read or not.
func filledSlots(ss []page.Slot) int {
	n := 0
	for _, s := range ss {
		if s.State != page.Empty {
			n++
		}
	}
	return n
}

// acceptProgressive returns the progressive of a sure reading ("D12",
// "7"), or why it is not one.
func acceptProgressive(br boxRead) (string, string) {
	if !br.sure {
		return "", br.why
	}
	t := br.text
	digits := strings.TrimPrefix(t, "D")
	if digits == "" || len(digits) > 4 || strings.Trim(digits, "0123456789") != "" {
		return "", fmt.Sprintf("read %q, not a progressive (D and 1-4 digits)", t)
	}
	n, _ := strconv.Atoi(digits)
	if n < 1 {
		return "", fmt.Sprintf("read %q, not a positive number", t)
	}
	if br.source == page.SourceHandwritten && len(digits) > 1 && digits[0] == '0' {
		// Nobody writes a leading 0 by hand; a D read as a 0 would be
		// a dispensario's sheet lost.
		return "", fmt.Sprintf("read %q, a handwritten leading 0 (a D?)", t)
	}
	if strings.HasPrefix(t, "D") {
		return "D" + strconv.Itoa(n), ""
	}
	return strconv.Itoa(n), ""
}

// acceptCount returns the count of a sure reading, or why it is not one.
func acceptCount(br boxRead) (int, string) {
	if !br.sure {
		return 0, br.why
	}
	if len(br.text) > 2 || strings.Trim(br.text, "0123456789") != "" {
		return 0, fmt.Sprintf("read %q, not a count (1-2 digits)", br.text)
	}
	n, _ := strconv.Atoi(br.text)
	if n > layout.SlotCount {
		return 0, fmt.Sprintf("read %d, more than the %d slots", n, layout.SlotCount)
	}
	return n, ""
}

// acceptDate returns the date of a sure reading of the eight cells
// (DDMMYYYY), or why it is not one.
func acceptDate(br boxRead) (time.Time, string) {
	if !br.sure {
		return time.Time{}, br.why
	}
	t := br.text
	if len(t) != 8 || strings.Trim(t, "0123456789") != "" {
		return time.Time{}, fmt.Sprintf("read %q, not eight digits", t)
	}
	d, err := time.Parse("02012006", t)
	if err != nil {
		return time.Time{}, fmt.Sprintf("read %s/%s/%s, not a calendar date", t[:2], t[2:4], t[4:])
	}
	return d, ""
}
