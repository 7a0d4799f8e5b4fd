package reconcile

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/regfus/regfus/page"
)

func (r *run) unreadables() {
	for _, g := range r.sortedGroups() {
		for _, p := range g.pages {
			if p.rescanOf != nil {
				continue
			}
			for _, e := range p.slotErrs {
				r.add(g, Finding{Kind: Unreadable, Detail: e}, p, nil)
			}
			if !p.certain {
				var bad []string
				for i := range p.slots {
					if s := &p.slots[i]; s.hasFustella() && !s.codesOK {
						bad = append(bad, strconv.Itoa(s.n))
					}
				}
				d := fmt.Sprintf("sheet identity not certain: %s (page %s); its %d fustelle are not reconciled until a person checks it", p.doubt, statusWords(p), p.found())
				if len(bad) > 0 {
					d += "; unreadable slots: " + strings.Join(bad, ", ")
				}
				r.add(g, Finding{Kind: Unreadable, Detail: d}, p, nil)
				continue
			}
			if !p.foreign {
				if d := fieldsUnread(p); d != "" {
					r.add(g, Finding{Kind: Unreadable, Detail: d}, p, nil)
				}
			}
			for i := range p.slots {
				s := &p.slots[i]
				if !s.hasFustella() || s.codesOK {
					continue
				}
				f := Finding{Kind: Unreadable, Detail: s.why}
				if s.rec != nil && s.rec.covered {
					f.RecordID, f.Targatura = s.rec.r.ID, string(s.rec.r.Targatura)
					f.Detail += fmt.Sprintf("; record %s could be this fustella and is not reported missing until a person checks", s.rec.r.ID)
				}
				r.add(g, f, p, s)
			}
		}
		for _, ri := range g.recs {
			if ri.match == MUnverifiable && !ri.covered {
				rec := ri.r
				r.add(g, Finding{Kind: Unreadable, Sheet: rec.Sheet.String(), Slot: rec.Slot, Targatura: string(rec.Targatura), RecordID: rec.ID, Detail: "record " + rec.ID + ": " + ri.why}, nil, nil)
			}
		}
	}
	for _, p := range r.unidentified {
		d := fmt.Sprintf("the sheet could not be identified (no valid head or tail code; status %s", p.res.Status)
		if len(p.res.Reasons) > 0 {
			d += ": " + strings.Join(p.res.Reasons.Strings(), ", ")
		}
		d += fmt.Sprintf("): its %d fustelle are not reconciled", p.found())
		r.add(nil, Finding{Kind: Unreadable, Detail: d}, p, nil)
	}
}

// fieldsUnread tells, in one line for the page (one finding, not one per
// field), the header fields that were not read and the checks therefore
// not made, with the reader's suggestion where it had one. The progressive
// is required, so an unread or empty progressive box is always told; the
// count and the date are optional, so only a box with writing that was
// not read is. Whether a box holds writing comes from page.Sheet.Written
// or, when a result does not say, from the reader's reasons (count_unread,
// date_unread). "" when every field was read or left empty as allowed.
func fieldsUnread(p *pageInfo) string {
	sh := p.res.Sheet
	var out []string
	var sug page.Suggestions
	if sh.Suggestions != nil {
		sug = *sh.Suggestions
	}
	suggested := func(sg *page.Suggestion) string {
		if sg == nil {
			return ""
		}
		return fmt.Sprintf(" (reads %q at %.0f%%: %s)", sg.Text, 100*sg.Confidence, sg.Why)
	}
	if !p.progKnown {
		what := "progressive not read"
		switch {
		case sh.Progressive != nil:
			what = fmt.Sprintf("progressive read as %q, which is not a progressive", *sh.Progressive)
		case sh.Written != nil && !sh.Written.Progressive, p.res.Reasons.Contains(page.Reason{Kind: page.ReasonProgressiveUnread, Detail: page.DetailBoxEmpty}):
			what = "progressive box empty (the progressive is required)"
		default:
			what += suggested(sug.Progressive)
		}
		what += ": slot assignment not checked against the sheet number (fustelle are matched by targatura and their slot number is still compared); no progressive is judged missing on its account"
		if s := orderSuggestion(p); s != nil {
			what += fmt.Sprintf(" (the scan order suggests sheet %s, a suggestion only)", s.Sheet)
		}
		out = append(out, what)
	}
	written := func(w func(*page.Written) bool, kind page.ReasonKind) bool {
		if sh.Written != nil {
			return w(sh.Written)
		}
		return p.res.Reasons.Contains(page.Reason{Kind: kind})
	}
	if sh.DeclaredCount == nil && written(func(w *page.Written) bool { return w.Count }, page.ReasonCountUnread) {
		out = append(out, fmt.Sprintf("count written but not read%s: not checked against the %d fustelle found", suggested(sug.Count), p.found()))
	}
	if sh.Date == nil && written(func(w *page.Written) bool { return w.Date }, page.ReasonDateUnread) {
		out = append(out, fmt.Sprintf("date written but not read%s (the date is not checked)", suggested(sug.Date)))
	}
	return strings.Join(out, "; ")
}
