package reconcile

import (
	"fmt"
	"strings"

	"github.com/regfus/regfus/fustella"
	"github.com/regfus/regfus/layout"
	"github.com/regfus/regfus/page"
	"github.com/regfus/regfus/sheet"
)

func (r *run) match(g *group) {
	// The fustelle of this group with a targatura, in page order.
	occ := func(t fustella.Targatura) []slotRef {
		all := r.fusts(t)
		for i := range all {
			if all[i].p.g != g {
				out := make([]slotRef, 0, len(all))
				for _, c := range all {
					if c.p.g == g {
						out = append(out, c)
					}
				}
				return out
			}
		}
		return all
	}
	pair := func(ri *recInfo, c slotRef) {
		c.s.rec, c.s.outcome = ri, FMatched
		ri.match, ri.foundP, ri.foundS = MMatched, c.p, c.s
		rec := ri.r
		// A page whose progressive was not read may well be the assigned
		// sheet: only a known other sheet, or another slot, is a mismatch.
		if (c.p.progKnown && c.p.prog != rec.Sheet) || c.s.n != rec.Slot {
			r.add(g, Finding{Kind: SlotMismatch, Targatura: string(rec.Targatura), RecordID: rec.ID,
				Detail: fmt.Sprintf("recorded on sheet %s slot %d, found on %s slot %d", rec.Sheet, rec.Slot, c.p.where(), c.s.n)}, c.p, c.s)
		}
		if c.s.aic != rec.AIC {
			r.add(g, Finding{Kind: AICMismatch, Targatura: string(rec.Targatura), RecordID: rec.ID,
				Detail: fmt.Sprintf("AIC read %s, recorded %s", c.s.aic, rec.AIC)}, c.p, c.s)
		}
	}
	// Pass 1: a fustella exactly where its record puts it. Pass 2: anywhere
	// else on the sheets of this group.
	for _, ri := range g.recs {
		for _, c := range occ(ri.r.Targatura) {
			if c.s.rec == nil && c.p.progKnown && c.p.prog == ri.r.Sheet && c.s.n == ri.r.Slot {
				pair(ri, c)
				break
			}
		}
	}
	for _, ri := range g.recs {
		if ri.match != "" {
			continue
		}
		cands := occ(ri.r.Targatura)
		for _, c := range cands {
			if c.s.rec == nil {
				pair(ri, c)
				break
			}
		}
		if ri.match == "" && len(cands) > 0 {
			ri.match = MDuplicate
			ri.why = fmt.Sprintf("its fustella on %s slot %d is matched to record %s, which has the same targatura", cands[0].p.where(), cands[0].s.n, cands[0].s.rec.r.ID)
		}
	}
	// A fustella left over is unrecorded, or a duplicate when another copy
	// in this group is matched or was reported unrecorded before it.
	counted := func(t fustella.Targatura) bool {
		for _, c := range r.fusts(t) {
			if c.p.g == g && (c.s.rec != nil || c.s.outcome == FUnrecorded) {
				return true
			}
		}
		return false
	}
	for _, p := range g.pages {
		if !p.usable() {
			continue
		}
		for i := range p.slots {
			s := &p.slots[i]
			if !s.hasFustella() || !s.codesOK || s.rec != nil {
				continue
			}
			if counted(s.tg) {
				s.outcome = FDuplicate
				continue
			}
			s.outcome = FUnrecorded
			d := fmt.Sprintf("targatura %s (AIC %s) is in no record of %s", s.tg, s.aic, g.key)
			if others := r.recsOf(s.tg); len(others) > 0 {
				d += fmt.Sprintf("; recorded as %s in %s", others[0].r.ID, others[0].key)
			}
			r.add(g, Finding{Kind: UnrecordedFustella, Targatura: string(s.tg), Detail: d}, p, s)
		}
	}
}

// unmatched decides, for each record not matched, between missing and
// unverifiable.
func (r *run) unmatched(g *group) {
	var h *hiding
	for _, ri := range g.recs {
		if ri.match != "" {
			continue
		}
		if h == nil {
			h = newHiding(g)
		}
		rec := ri.r
		why, coverS := h.couldBeHidden(ri)
		if why != "" {
			ri.match, ri.why = MUnverifiable, why
			if coverS != nil && coverS.rec == nil {
				// The slot's own unreadable finding names the record.
				ri.covered = true
				coverS.rec = ri
			}
			continue
		}
		ri.match = MMissing
		d := fmt.Sprintf("recorded on sheet %s slot %d (AIC %s)", rec.Sheet, rec.Slot, rec.AIC)
		switch {
		case len(h.byProg[rec.Sheet]) > 0:
			d += ", not found on the delivered sheets"
		case len(h.unnumbered) > 0 && rec.Slot >= 1 && rec.Slot <= layout.SlotCount:
			d += fmt.Sprintf(", not found on the delivered sheets: none was read as %s, and slot %d is read for sure on the %d whose progressive was not read", rec.Sheet, rec.Slot, len(h.unnumbered))
		case len(h.unnumbered) > 0:
			d += fmt.Sprintf(", not found on the delivered sheets (none was read as %s)", rec.Sheet)
		default:
			d += fmt.Sprintf("; sheet %s was not delivered", rec.Sheet)
		}
		for _, c := range r.fusts(rec.Targatura) {
			if c.p.g != g {
				d += fmt.Sprintf("; found on %s slot %d of %s", c.p.where(), c.s.n, c.p.key)
				break
			}
		}
		r.add(g, Finding{Kind: MissingFustella, Sheet: rec.Sheet.String(), Slot: rec.Slot, Targatura: string(rec.Targatura), RecordID: rec.ID, Detail: d}, nil, nil)
	}
}

// hiding indexes, for one group, the places a fustella not found could be
// hiding in: targature read on a slot or page not read for sure, pages by
// progressive, pages of uncertain identity whose progressive is unread
// (they could be any sheet), and pages of certain identity whose
// progressive is unread (they could be any sheet, but only their slots not
// read for sure could hide a fustella).
type hiding struct {
	doubtful   map[fustella.Targatura]slotRef
	byProg     map[sheet.Progressive][]*pageInfo
	dark       int
	unnumbered []*pageInfo
}

func newHiding(g *group) *hiding {
	h := &hiding{doubtful: map[fustella.Targatura]slotRef{}, byProg: map[sheet.Progressive][]*pageInfo{}}
	for _, p := range g.pages {
		if p.rescanOf != nil {
			continue
		}
		for i := range p.slots {
			s := &p.slots[i]
			if !s.hasFustella() || s.tg == "" || (p.usable() && s.codesOK) {
				continue
			}
			if _, seen := h.doubtful[s.tg]; !seen {
				h.doubtful[s.tg] = slotRef{p, s}
			}
		}
		switch {
		case p.progKnown:
			h.byProg[p.prog] = append(h.byProg[p.prog], p)
		case !p.usable():
			h.dark++
		default:
			h.unnumbered = append(h.unnumbered, p)
		}
	}
	return h
}

// couldBeHidden tells why a record not found might still be on a sheet
// that was not read for sure; "" when nothing could hide it. The slot is
// returned when the reason is that one slot, on a page whose slots have
// findings of their own (the slot's finding then names the record).
func (h *hiding) couldBeHidden(ri *recInfo) (string, *slotInfo) {
	rec := ri.r
	const notMissing = "; not reported missing until a person checks"
	if c, ok := h.doubtful[rec.Targatura]; ok {
		if !c.p.usable() {
			return fmt.Sprintf("its targatura was read on %s slot %d, a page not reconciled: %s%s", c.p.where(), c.s.n, c.p.doubt, notMissing), nil
		}
		return fmt.Sprintf("its targatura was read on %s slot %d, which is not read for sure (%s)%s", c.p.where(), c.s.n, c.s.why, notMissing), c.s
	}
	assigned := h.byProg[rec.Sheet]
	for _, p := range assigned {
		if !p.usable() {
			return fmt.Sprintf("assigned to sheet %s slot %d, and that page is not reconciled: %s (page %s)%s", rec.Sheet, rec.Slot, p.doubt, statusWords(p), notMissing), nil
		}
		if why, s := slotDoubt(p, rec.Slot); why != "" {
			return fmt.Sprintf("assigned to sheet %s slot %d, which %s%s", rec.Sheet, rec.Slot, why, notMissing), s
		}
	}
	if len(assigned) > 0 {
		return "", nil
	}
	if h.dark > 0 {
		return fmt.Sprintf("assigned to sheet %s slot %d; no delivered sheet was read as %s, and %d sheets with an unread progressive are not reconciled (their identity is not certain) and could be it%s", rec.Sheet, rec.Slot, rec.Sheet, h.dark, notMissing), nil
	}
	for _, p := range h.unnumbered {
		if why, s := slotDoubt(p, rec.Slot); why != "" {
			return fmt.Sprintf("assigned to sheet %s slot %d; no delivered sheet was read as %s, and on %s, which could be it, slot %d %s%s",
				rec.Sheet, rec.Slot, rec.Sheet, p.where(), rec.Slot, why, notMissing), s
		}
	}
	return "", nil
}

// slotDoubt tells, for a page whose identity is certain, why its slot n is
// not read for sure ("" when it is, or when n is not a slot number), and
// returns that slot when it holds a fustella.
func slotDoubt(p *pageInfo, n int) (string, *slotInfo) {
	if n < 1 || n > layout.SlotCount {
		return "", nil
	}
	switch s := &p.slots[n-1]; {
	case !s.present:
		return "is not in the page result", nil
	case s.hasFustella() && !s.codesOK:
		return fmt.Sprintf("is not read for sure (%s)", s.why), s
	}
	return "", nil
}

func statusWords(p *pageInfo) string {
	w := "in review"
	if p.res.Status == page.Rejected {
		w = "rejected"
	} else if p.res.Status != page.Review {
		w = fmt.Sprintf("with status %q", p.res.Status)
	}
	if len(p.res.Reasons) > 0 {
		w += " (" + strings.Join(p.res.Reasons.Strings(), ", ") + ")"
	}
	return w
}
