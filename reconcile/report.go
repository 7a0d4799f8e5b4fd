package reconcile

import (
	"sort"

	"github.com/regfus/regfus/layout"
	"github.com/regfus/regfus/records"
)

func (r *run) fustellaOutcome(p *pageInfo, s *slotInfo) FustellaOutcome {
	switch {
	case !p.identified:
		return FUnreadable
	case p.rescanOf != nil:
		return FRescanned
	case !p.certain, !s.codesOK:
		return FUnreadable
	case p.foreign:
		return FForeign
	}
	return s.outcome
}

func (r *run) report() *Report {
	rep := &Report{Groups: []Group{}, Totals: newSummary()}
	for _, g := range r.sortedGroups() {
		out := Group{Key: g.key, Findings: g.findings, Payable: g.payable, Summary: newSummary()}
		out.DeclaredSheets = g.declared(records.REGFUS)
		out.DeclaredDispensarioSheets = g.declared(records.REGFUSD)
		reg, disp, unknown := g.counts()
		out.ScannedSheets, out.ScannedDispensarioSheets = reg+unknown, disp
		out.UnknownProgressiveSheets = unknown
		out.Sheets = make([]SheetView, 0, len(g.pages))
		for _, p := range g.pages {
			out.Sheets = append(out.Sheets, r.sheetView(p, &out.Summary))
		}
		out.Summary.Pages = len(g.pages)
		out.Records = make([]RecordResult, 0, len(g.recs))
		for _, ri := range g.recs {
			out.Records = append(out.Records, recordResult(ri))
			out.Summary.RecordsMatch[ri.match]++
			out.Summary.RecordsAccount[ri.account]++
		}
		sortFindings(out.Findings)
		for _, f := range out.Findings {
			out.Summary.Findings[f.Kind]++
		}
		sort.Slice(out.Payable, func(i, j int) bool { return out.Payable[i].RecordID < out.Payable[j].RecordID })
		for _, p := range out.Payable {
			out.Summary.Payable++
			if p.CarriedFrom != "" {
				out.Summary.PayableCarried++
			}
		}
		if out.Findings == nil {
			out.Findings = []Finding{}
		}
		if out.Payable == nil {
			out.Payable = []Payable{}
		}
		if out.Records == nil {
			out.Records = []RecordResult{}
		}
		if out.Sheets == nil {
			out.Sheets = []SheetView{}
		}
		rep.Totals.add(out.Summary)
		rep.Groups = append(rep.Groups, out)
	}
	rep.Findings = r.top
	sortFindings(rep.Findings)
	if rep.Findings == nil {
		rep.Findings = []Finding{}
	}
	for _, f := range rep.Findings {
		rep.Totals.Findings[f.Kind]++
	}
	for _, p := range r.unidentified {
		rep.Totals.Pages++
		for i := range p.slots {
			if p.slots[i].hasFustella() {
				rep.Totals.Fustelle[FUnreadable]++
			}
		}
	}
	return rep
}

func (r *run) sheetView(p *pageInfo, sum *Summary) SheetView {
	v := SheetView{Source: p.res.Source, Page: p.res.Page, Status: p.res.Status, Sheet: p.label(), ScanOrder: orderSuggestion(p),
		DeclaredCount: p.res.Sheet.DeclaredCount, Found: p.found(), Foreign: p.foreign, LayoutVersion: p.res.LayoutVersion, Input: p.idx}
	if p.rescanOf != nil {
		v.RescanOf = p.rescanOf.ref()
	}
	v.Slots = make([]SlotView, layout.SlotCount)
	for i := range p.slots {
		s := &p.slots[i]
		sv := SlotView{Slot: s.n, AIC: string(s.aic), Targatura: string(s.tg), Issues: s.issues}
		switch {
		case !s.present:
			sv.Outcome = SlotUnknown
		case !s.hasFustella():
			sv.Outcome = SlotEmpty
		default:
			o := r.fustellaOutcome(p, s)
			sv.Outcome = string(o)
			sum.Fustelle[o]++
			if s.rec != nil && o == FMatched {
				sv.RecordID = s.rec.r.ID
			}
		}
		v.Slots[i] = sv
	}
	return v
}

func recordResult(ri *recInfo) RecordResult {
	rec := ri.r
	out := RecordResult{RecordID: rec.ID, Targatura: string(rec.Targatura), AIC: string(rec.AIC), Sheet: rec.Sheet.String(), Slot: rec.Slot,
		Match: ri.match, Account: ri.account, PayableIn: ri.payIn}
	if ri.foundS != nil {
		out.FoundSheet, out.FoundSlot = ri.foundP.label(), ri.foundS.n
	}
	return out
}

func sortFindings(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := &fs[i], &fs[j]
		if (a.Sheet == "" && a.Source == "") != (b.Sheet == "" && b.Source == "") {
			return a.Sheet == "" && a.Source == "" // about the whole group first
		}
		if a.sheetRank != b.sheetRank {
			return a.sheetRank < b.sheetRank
		}
		if a.Slot != b.Slot {
			return a.Slot < b.Slot
		}
		if a.Source != b.Source {
			return a.Source < b.Source
		}
		if a.Page != b.Page {
			return a.Page < b.Page
		}
		if a.Kind != b.Kind {
			return kindRank[a.Kind] < kindRank[b.Kind]
		}
		if a.RecordID != b.RecordID {
			return a.RecordID < b.RecordID
		}
		if a.Targatura != b.Targatura {
			return a.Targatura < b.Targatura
		}
		return a.Detail < b.Detail
	})
}
