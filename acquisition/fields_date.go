package acquisition

import (
	"fmt"
	"image"
	"strings"
	"time"

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
	// The month and year cells are expected to hold the competence's.
	if c, ok := st.res.Sheet.SheetCode(); ok && len(full) == 8 {
		want := fmt.Sprintf("%02d%04d", c.Month, c.Year)
		cellMin := contextMin(max(st.r.handMin, handThreshold), datePrior)
		inMonth := true
		for i := 2; i < 8; i++ {
			if d := full[i].digitOnly(); (full[i].ch == '?' || full[i].ch == 'D') && d.ch == want[i-2] {
				// A cell the context expects a digit in: the model's
				// reading among the digits (digitOnly), when it is the
				// expected one (the suggestion keeps the model's reading
				// otherwise).
				full[i] = d
			}
			full[i].ctx = full[i].ch == want[i-2] && full[i].conf >= cellMin
			inMonth = inMonth && full[i].ch == want[i-2]
		}
		if inMonth {
			calendarDay(full[:2], daysIn(c.Month, c.Year), st.r.handMin)
		}
	}
	return handRead(full, br, st.r.handMin), nil
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
