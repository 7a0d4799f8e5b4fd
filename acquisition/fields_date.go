package acquisition

import (
	"fmt"
	"image"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/regfus/regfus/icr"
	"github.com/regfus/regfus/layout"
	"github.com/regfus/regfus/page"
)

// dateArea is the crop of the DATA cells: the cells with a margin, less
// above them (the printed "DATA (GG MM AAAA)": kept clear of).
func dateArea(l *layout.Layout) layout.Rect {
	area := l.DateBox
	area.X, area.W = area.X-fieldMarginMM, area.W+2*fieldMarginMM
	area.Y, area.H = area.Y-0.6, area.H+0.6+fieldMarginMM
	return area
}

// readDate reads the eight DATA cells.
func (st *pageState) readDate() (boxRead, error) {
	l := st.r.layout
	area := dateArea(l)
	s, err := st.segmentArea(area, dateRules(l.DateCells, area, fieldPx))
	if err != nil || s.labels == nil {
		return boxRead{}, err
	}
	cells := make([]image.Rectangle, len(l.DateCells))
	for i, c := range l.DateCells {
		cells[i] = mmToCrop(c, area, fieldPx)
	}
	gs := cellGlyphs(s.comps, s.labels, s.mask.w, cells, fieldPx)
	var crops []*image.Gray
	var at []int
	for i, g := range gs {
		if g != nil {
			crops = append(crops, g.crop(s))
			at = append(at, i)
		}
	}
	if len(crops) == 0 {
		return boxRead{}, nil
	}
	br := boxRead{written: true, source: page.SourceHandwritten}
	switch {
	case len(crops) < len(cells):
		br.why = fmt.Sprintf("%d of %d cells written", len(crops), len(cells))
	case st.covered(s):
		br.why = fmt.Sprintf("%d of the cells' printed lines not seen, and a corner marker: the field may be covered", s.hidden)
	}
	if st.r.hand == nil {
		if br.why == "" {
			br.why = "no handwriting model"
		}
		br.text = strings.Repeat("_", len(cells))
		return br, nil
	}
	reads, err := st.r.hand(crops)
	if err != nil {
		return boxRead{}, err
	}
	full := make([]charRead, len(cells))
	for i := range full {
		full[i] = charRead{ch: '_', conf: 1}
	}
	for k, i := range at {
		full[i] = reads[k].noD() // a date has no D
	}
	// The month and year cells are expected to hold the competence's,
	// the day is weighed with the calendar (dateContext); the blobs two
	// cells share are cut at other places where a cell is not read for
	// sure (recut), and the context weighs the new readings again.
	st.dateContext(full)
	if err := st.recut(s, gs, cells, full); err != nil {
		return boxRead{}, err
	}
	st.dateContext(full)
	return handRead(full, br, st.r.handMin), nil
}

// dateContext marks the DATA cells' readings (full, DDMMYYYY, the
// field's grammar applied) that the context confirms: the month and year
// cells that read the competence's (the sheet code) at the threshold its
// prior leaves (contextMin), a cell the model calls other or D read among
// the digits (digitOnly) when that gives the expected digit, and the day,
// when the month and year are the competence's, weighed with the
// calendar (calendarDay). Without a sheet code nothing is marked.
func (st *pageState) dateContext(full []charRead) {
	want, ok := st.dateWant()
	if !ok || len(full) != 8 {
		return
	}
	inMonth := true
	for i := 2; i < 8; i++ {
		full[i] = st.cellContext(full[i], want[i-2])
		inMonth = inMonth && full[i].ch == want[i-2]
	}
	if inMonth {
		c, _ := st.res.Sheet.SheetCode()
		calendarDay(full[:2], daysIn(c.Month, c.Year), st.r.handMin)
	}
}

// dateWant is what the DATA cells of the month and year are expected to
// hold (MMYYYY): the sheet code's competence; ok is false without a code.
func (st *pageState) dateWant() (string, bool) {
	c, ok := st.res.Sheet.SheetCode()
	if !ok {
		return "", false
	}
	return fmt.Sprintf("%02d%04d", c.Month, c.Year), true
}

// cellContext is the reading r of a month or year cell weighed by the
// context, which expects the digit want there: a cell the model calls
// other or D is read among the digits (digitOnly) when that gives want
// (the suggestion keeps the model's reading otherwise), and the reading
// is confirmed (ctx) when it is want at the threshold the context's prior
// leaves (contextMin). A digit other than want is weighed by the same
// prior the other way (againstContext): its confidence becomes the most
// the prior leaves it.
func (st *pageState) cellContext(r charRead, want byte) charRead {
	if d := r.digitOnly(); (r.ch == '?' || r.ch == 'D') && d.ch == want {
		r = d
	}
	r.ctx = r.ch == want && r.conf >= contextMin(max(st.r.handMin, handThreshold), datePrior)
	if r.ch != want && r.ch >= '0' && r.ch <= '9' && len(r.probs) == icr.NumClasses {
		// From the model's probabilities, not r.conf: the context is
		// weighed again after recut, and the same reading must give
		// the same bound.
		r.conf = min(r.conf, againstContext(r.probs[r.ch-'0'], r.probs[want-'0'], datePrior))
	}
	return r
}

// againstContext is the most probability a reading p can keep against a
// context that expects another value, which the model gives pWant, when
// the context holds with prior: the posterior of the reading with the
// whole of the prior's rest, 1-prior, put on it (the most it can have),
// p(1-prior) / (p(1-prior) + pWant·prior + (1-p-pWant)(1-prior)). It is
// contextMin's other side: the prior that lets a month cell read the
// competence's digit at 0.51 holds a reading of another digit to the
// threshold only when the model all but rules the competence's out (a
// bitonal 4 read as a 1 at over 0.99, the 4 at 0.01, made a date of April
// January, a false date_outside_month, with two nets that agreed).
func againstContext(p, pWant, prior float64) float64 {
	rest := max(0, 1-p-pWant)
	return p * (1 - prior) / (p*(1-prior) + pWant*prior + rest*(1-prior))
}

// daysIn is the number of days of month m of year y.
func daysIn(m, y int) int {
	return time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// minDayMass is the least probability, under the model, that the two day
// cells hold some day of the month at all (dd in 01..days) for the
// calendar to weigh them (calendarDay).
const minDayMass = 0.5

// calendarDay weighs the two day cells of a date whose month and year are
// the competence's (so its day is one of 1..days) with the calendar: the
// probability of day d is the model's p(tens digit) · p(units digit) over
// the days of the month, a uniform prior on them. When the model's first
// choices of both cells make the most probable day, both are digits, the
// days of the month hold at least minDayMass of the model's probability,
// and that day's share of it is at least minConf (the threshold a
// character needs alone), both cells are marked as confirmed by the
// context, with that share as their confidence. Probability the model
// gives to digits no day can have (a tens digit of 4-9, a 32nd) is what
// the calendar rules out; nothing else is assumed.
func calendarDay(day []charRead, days int, minConf float64) {
	t, u := day[0], day[1]
	if t.probs == nil || u.probs == nil || t.ch < '0' || t.ch > '9' || u.ch < '0' || u.ch > '9' {
		return
	}
	var mass, best float64
	bestD := 0
	for d := 1; d <= days; d++ {
		p := t.probs[d/10] * u.probs[d%10]
		mass += p
		if p > best {
			best, bestD = p, d
		}
	}
	if mass < minDayMass || bestD != int(t.ch-'0')*10+int(u.ch-'0') {
		return
	}
	if share := best / mass; share >= minConf {
		for i := range day {
			day[i].ctx, day[i].conf = true, max(day[i].conf, share)
		}
	}
}

// cellCutShifts are the other places, in fractions of the cells' pitch
// from the line between two DATA cells, where a blob of ink the two cells
// share is cut (recut).
var cellCutShifts = []float64{-0.3, -0.15, 0.15, 0.3}

// recut tries other cuts of the blobs two neighbouring month or year
// cells share. Digits written across a cell's line and touching or
// overlapping their neighbour make one blob, which cellGlyphs cuts at the
// line: a piece of one digit goes with the other (an 8 leaning over its 0
// gives the 0 a bowl and reads 6). Where one of the two cells is not read
// for sure (full: the field's grammar and the context applied,
// dateContext), the blob is also cut at cellCutShifts, and the cut whose
// two readings are likeliest (the product of their confidences, a mark
// read as other counting nothing) is taken when it is likelier than the
// line's, a cell read for sure keeps its reading, and both its cells read
// the competence's digits at the context's threshold (cellContext). The
// model alone chooses the cut, never what the context expects; but the
// cut is the best of five, so neither its readings nor its confidences
// stand on their own: only the context can confirm them. Hence no day
// cell is cut again (the day has no context but the calendar: a cut
// further right can read a 28 as a sure 23), nor any cell of a sheet
// without a code. (Tried: recutting cells read for sure turned confirmed
// year cells into sure misreadings, a 23 into a 25; taking a cut's reading
// on its own confidence dated a sheet of 09 in 07, its 9 cut into a 7 at
// over the threshold where the line's cut read it at 0.946: a false
// finding.) gs and full are updated in place.
func (st *pageState) recut(s *segmented, gs []*glyph, cells []image.Rectangle, full []charRead) error {
	want, coded := st.dateWant()
	if !coded || len(cells) != 8 {
		return nil // no context to confirm a cut with
	}
	w := s.mask.w
	minH := 0.8 * fieldPx
	for k := 2; k+1 < len(cells); k++ {
		a, b := gs[k], gs[k+1]
		keep := [2]bool{st.cellSure(full[k]), st.cellSure(full[k+1])}
		if a == nil || b == nil || keep[0] && keep[1] {
			continue
		}
		line := (cells[k].Max.X + cells[k+1].Min.X) / 2
		var shared [][2]int // the blobs' indices in a's ids and in b's
		for i, id := range a.ids {
			if a.idClip[i][1] != line {
				continue
			}
			if j := slices.Index(b.ids, id); j >= 0 && b.idClip[j][0] == line {
				shared = append(shared, [2]int{i, j})
			}
		}
		if len(shared) == 0 {
			continue
		}
		pitch := float64(cells[k+1].Min.X - cells[k].Min.X)
		var hyps [][2]*glyph
		var crops []*image.Gray
		for _, f := range cellCutShifts {
			x := line + int(math.Round(f*pitch))
			na, nb := a.cellCopy(), b.cellCopy()
			for _, p := range shared {
				na.idClip[p[0]][1], nb.idClip[p[1]][0] = x, x
			}
			if !na.bound(s.comps, s.labels, w, minH) || !nb.bound(s.comps, s.labels, w, minH) {
				continue
			}
			hyps = append(hyps, [2]*glyph{na, nb})
			crops = append(crops, na.crop(s), nb.crop(s))
		}
		if len(hyps) == 0 {
			continue
		}
		rs, err := st.r.hand(crops)
		if err != nil {
			return err
		}
		best, bestP := -1, joint(full[k:k+2])
		var bestR [2]charRead
		for h := range hyps {
			r := [2]charRead{rs[2*h].noD(), rs[2*h+1].noD()}
			if keep[0] && r[0].ch != full[k].ch || keep[1] && r[1].ch != full[k+1].ch {
				continue
			}
			if p := joint(r[:]); p > bestP {
				best, bestP, bestR = h, p, r
			}
		}
		if best < 0 {
			continue
		}
		// Both cells of the cut must read what the context expects,
		// confirmed: the cut is one of five tried, so neither its
		// readings nor its confidences stand on their own (a 9 cut
		// into a 7 at a higher confidence than the line's 0.946 dated a
		// sheet of 09 in 07, a false finding).
		if !st.cellContext(bestR[0], want[k-2]).ctx || !st.cellContext(bestR[1], want[k-1]).ctx {
			continue
		}
		gs[k], gs[k+1] = hyps[best][0], hyps[best][1]
		full[k], full[k+1] = bestR[0], bestR[1]
	}
	return nil
}

// cellSure reports whether a DATA cell's reading stands alone or with
// the context: a digit at the threshold, or confirmed (charRead.ctx).
func (st *pageState) cellSure(r charRead) bool {
	return r.ctx || r.ch >= '0' && r.ch <= '9' && r.conf >= max(st.r.handMin, handThreshold)
}

// cellCopy is a copy of a DATA cell's glyph whose clips can be changed.
func (g *glyph) cellCopy() *glyph {
	c := *g
	c.ids = slices.Clone(g.ids)
	c.idClip = slices.Clone(g.idClip)
	return &c
}
