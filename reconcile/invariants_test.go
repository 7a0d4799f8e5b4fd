package reconcile

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/regfus/regfus/fustella"
	"github.com/regfus/regfus/page"
)

// checkInvariants asserts what must hold for every input: every fustella
// and every record has exactly one outcome, totals add up, every missing,
// unverifiable or unrecorded item is named by exactly one finding, doubt is
// judged value by value (see valueInvariants), and the report does not
// depend on the order of the input.
func checkInvariants(t *testing.T, in Input, rep *Report) {
	t.Helper()
	fail := func(format string, a ...any) {
		t.Helper()
		t.Errorf("invariant: "+format, a...)
	}
	// Fustelle in the input.
	total := 0
	for _, p := range in.Pages {
		seen := map[int]bool{}
		for _, s := range p.Slots {
			if s.Slot < 1 || s.Slot > 28 || seen[s.Slot] {
				continue
			}
			seen[s.Slot] = true
			if s.State != page.Empty {
				total++
			}
		}
	}
	sum := func(m map[FustellaOutcome]int) int {
		n := 0
		for k, v := range m {
			if !slices.Contains(FustellaOutcomes, k) {
				fail("unknown fustella outcome %q", k)
			}
			n += v
		}
		return n
	}
	if got := sum(rep.Totals.Fustelle); got != total {
		fail("totals count %d fustelle, the input has %d: %v", got, total, rep.Totals.Fustelle)
	}
	if rep.Totals.Pages != len(in.Pages) {
		fail("totals count %d pages, the input has %d", rep.Totals.Pages, len(in.Pages))
	}

	ids := map[string]int{}
	for _, r := range in.Records {
		ids[r.ID]++
	}
	seenIDs := map[string]int{}
	var matchedRecords, matchedFustelle, payableOrCarried, payableEntries int
	payIDs := map[string]int{}
	for gi := range rep.Groups {
		g := &rep.Groups[gi]
		if gi > 0 && rep.Groups[gi-1].Key.Compare(g.Key) >= 0 {
			fail("groups not sorted: %s then %s", rep.Groups[gi-1].Key, g.Key)
		}
		// Summary against the detail.
		fust := map[FustellaOutcome]int{}
		for _, sv := range g.Sheets {
			if len(sv.Slots) != 28 {
				fail("%s: sheet view with %d slots", g.Key, len(sv.Slots))
			}
			for _, s := range sv.Slots {
				switch s.Outcome {
				case SlotEmpty, SlotUnknown:
					continue
				}
				fust[FustellaOutcome(s.Outcome)]++
				if (s.Outcome == string(FMatched)) != (s.RecordID != "") {
					fail("%s sheet %q slot %d: outcome %s with record %q", g.Key, sv.Sheet, s.Slot, s.Outcome, s.RecordID)
				}
			}
		}
		for _, o := range FustellaOutcomes {
			if fust[o] != g.Summary.Fustelle[o] {
				fail("%s: summary says %d %s fustelle, sheets show %d", g.Key, g.Summary.Fustelle[o], o, fust[o])
			}
		}
		matchedFustelle += fust[FMatched]
		valueInvariants(t, in, g, ids)
		if g.Summary.Pages != len(g.Sheets) {
			fail("%s: %d pages in summary, %d sheets", g.Key, g.Summary.Pages, len(g.Sheets))
		}
		match, account := map[MatchOutcome]int{}, map[AccountOutcome]int{}
		named := map[Kind]map[string]int{}
		for _, f := range g.Findings {
			if named[f.Kind] == nil {
				named[f.Kind] = map[string]int{}
			}
			named[f.Kind][f.RecordID]++
		}
		for i, r := range g.Records {
			if i > 0 && g.Records[i-1].RecordID > r.RecordID {
				fail("%s: records not sorted", g.Key)
			}
			seenIDs[r.RecordID]++
			if !slices.Contains(MatchOutcomes, r.Match) || !slices.Contains(AccountOutcomes, r.Account) {
				fail("%s record %s: outcomes %q/%q", g.Key, r.RecordID, r.Match, r.Account)
			}
			match[r.Match]++
			account[r.Account]++
			switch r.Match {
			case MMatched:
				matchedRecords++
				if r.FoundSlot == 0 {
					fail("%s record %s matched nowhere", g.Key, r.RecordID)
				}
			case MMissing:
				if ids[r.RecordID] == 1 && named[MissingFustella][r.RecordID] != 1 {
					fail("%s record %s missing, named by %d missing_fustella findings", g.Key, r.RecordID, named[MissingFustella][r.RecordID])
				}
			case MUnverifiable:
				if ids[r.RecordID] == 1 && named[Unreadable][r.RecordID] != 1 {
					fail("%s record %s unverifiable, named by %d unreadable findings", g.Key, r.RecordID, named[Unreadable][r.RecordID])
				}
			}
			if (r.Match != MMatched) != (r.Account == AUnmatched) {
				fail("%s record %s: match %s but account %s", g.Key, r.RecordID, r.Match, r.Account)
			}
			if r.Account == APayable || r.Account == ACarried {
				payableOrCarried++
				if (r.Account == APayable) != (r.PayableIn == g.Competence) {
					fail("%s record %s: %s, payable in %s", g.Key, r.RecordID, r.Account, r.PayableIn)
				}
			} else if r.PayableIn != "" {
				fail("%s record %s: %s but payable in %s", g.Key, r.RecordID, r.Account, r.PayableIn)
			}
			if r.Match != MMissing && named[MissingFustella][r.RecordID] > 0 && ids[r.RecordID] == 1 {
				fail("%s record %s is %s but has a missing_fustella finding", g.Key, r.RecordID, r.Match)
			}
		}
		for _, o := range MatchOutcomes {
			if match[o] != g.Summary.RecordsMatch[o] {
				fail("%s: summary says %d %s records, found %d", g.Key, g.Summary.RecordsMatch[o], o, match[o])
			}
		}
		for _, o := range AccountOutcomes {
			if account[o] != g.Summary.RecordsAccount[o] {
				fail("%s: summary says %d %s records, found %d", g.Key, g.Summary.RecordsAccount[o], o, account[o])
			}
		}
		if n := len(g.Findings); n != sumKinds(g.Summary.Findings) {
			fail("%s: %d findings, summary counts %d", g.Key, n, sumKinds(g.Summary.Findings))
		}
		if g.Summary.Findings[UnrecordedFustella] != g.Summary.Fustelle[FUnrecorded] {
			fail("%s: %d unrecorded fustelle, %d unrecorded_fustella findings", g.Key, g.Summary.Fustelle[FUnrecorded], g.Summary.Findings[UnrecordedFustella])
		}
		for _, p := range g.Payable {
			payableEntries++
			payIDs[p.RecordID]++
			if p.Attestation == "" || p.Slot == 0 {
				fail("%s payable %s: attestation %q slot %d", g.Key, p.RecordID, p.Attestation, p.Slot)
			}
			if (p.CarriedFrom != "") != (p.CarriedFrom != "" && p.CarriedFrom < g.Competence) {
				fail("%s payable %s carried from %s", g.Key, p.RecordID, p.CarriedFrom)
			}
		}
	}
	for id, n := range ids {
		if seenIDs[id] != n {
			fail("record %s given %d times, reported %d times", id, n, seenIDs[id])
		}
	}
	if len(seenIDs) != len(ids) {
		fail("%d record ids reported, %d given", len(seenIDs), len(ids))
	}
	if matchedFustelle != matchedRecords {
		fail("%d fustelle matched, %d records matched", matchedFustelle, matchedRecords)
	}
	if payableEntries != payableOrCarried {
		fail("%d payable entries, %d payable or carried records", payableEntries, payableOrCarried)
	}
	for id, n := range payIDs {
		if n > ids[id] {
			fail("record %s payable %d times", id, n)
		}
	}

	// The same input in another order gives the same report.
	rev := Input{Declarations: slices.Clone(in.Declarations), Records: slices.Clone(in.Records), Pages: slices.Clone(in.Pages), Known: in.Known}
	slices.Reverse(rev.Declarations)
	slices.Reverse(rev.Records)
	slices.Reverse(rev.Pages)
	rep2, err := Reconcile(rev)
	if err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(rep)
	b, _ := json.Marshal(rep2)
	if string(a) != string(b) && !identicalPages(in.Pages) {
		fail("the report depends on the order of the input")
	}
}

func sumKinds(m map[Kind]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// identicalPages reports whether two pages share source and page number,
// the one tie the order of the input may break.
func identicalPages(ps []page.Result) bool {
	type k struct {
		s string
		p int
	}
	seen := map[k]bool{}
	for _, p := range ps {
		if seen[k{p.Source, p.Page}] {
			return true
		}
		seen[k{p.Source, p.Page}] = true
	}
	return false
}

// valueInvariants checks the unit of doubt on one group, restated here
// from the rule rather than from the code: a fustella is counted (matched,
// unrecorded or duplicate) only from a slot read for sure on a page whose
// identity is certain, and every such slot is counted, whatever the page's
// status, unless its page is foreign or a second scan; a page whose
// progressive is unread gives a slot_mismatch only for another slot
// number; no progressive is reported missing by number while a page with
// an unread progressive could be it.
func valueInvariants(t *testing.T, in Input, g *Group, ids map[string]int) {
	t.Helper()
	type at struct {
		src  string
		page int
	}
	pages := map[at][]page.Result{}
	for _, p := range in.Pages {
		pages[at{p.Source, p.Page}] = append(pages[at{p.Source, p.Page}], p)
	}
	unnumbered := false
	for _, sv := range g.Sheets {
		if sv.Sheet == "" && sv.RescanOf == "" {
			unnumbered = true
		}
		cands := pages[at{sv.Source, sv.Page}]
		for _, s := range sv.Slots {
			sure := 0
			for _, p := range cands {
				if certainIdentity(p) && certainSlot(p, s.Slot) {
					sure++
				}
			}
			switch FustellaOutcome(s.Outcome) {
			case FMatched, FUnrecorded, FDuplicate:
				if sure == 0 {
					t.Errorf("invariant: %s %s p.%d slot %d is %s, but the slot or the page identity is not read for sure", g.Key, sv.Source, sv.Page, s.Slot, s.Outcome)
				}
			case FUnreadable:
				if len(cands) == 1 && sure == 1 {
					t.Errorf("invariant: %s %s p.%d slot %d (status %s) is read for sure on a page of certain identity, but unreadable", g.Key, sv.Source, sv.Page, s.Slot, sv.Status)
				}
			}
		}
	}
	for _, f := range g.Findings {
		switch {
		case f.Kind == SlotMismatch && f.Sheet == "" && ids[f.RecordID] == 1:
			if r := recordOf(g, f.RecordID); r.Slot == f.Slot {
				t.Errorf("invariant: %s slot_mismatch of %s on a page whose progressive is unread, in the slot it is assigned to: %s", g.Key, f.RecordID, f.Detail)
			}
		case f.Kind == MissingProgressive && f.Sheet != "" && unnumbered:
			t.Errorf("invariant: %s missing_progressive %s while a page with an unread progressive could be it: %s", g.Key, f.Sheet, f.Detail)
		}
	}
}

// certainIdentity: status ok or review, a valid head code, the tail code
// unread or equal, and only reasons that doubt values.
func certainIdentity(p page.Result) bool {
	if p.Status != page.OK && p.Status != page.Review || p.Sheet.Code == nil {
		return false
	}
	if p.Sheet.TailCode != nil && *p.Sheet.TailCode != *p.Sheet.Code {
		return false
	}
	for _, r := range p.Reasons {
		switch r.Kind {
		case page.ReasonHeadUnread, page.ReasonTailUnread, page.ReasonUnreadableSlot, page.ReasonProgressiveUnread,
			page.ReasonCountUnread, page.ReasonDateUnread, page.ReasonRuleBroken, page.ReasonLowResolution:
		default:
			return false
		}
	}
	return true
}

// certainSlot: the first listing of slot n is filled with two valid codes
// and no flag doubting them.
func certainSlot(p page.Result, n int) bool {
	for _, s := range p.Slots {
		if s.Slot != n {
			continue
		}
		if s.State != page.Filled || s.AIC == nil || s.Targatura == nil {
			return false
		}
		if _, err := fustella.ParseAIC(*s.AIC); err != nil {
			return false
		}
		if _, err := fustella.ParseTargatura(*s.Targatura); err != nil {
			return false
		}
		for _, f := range s.Flags {
			if strings.HasSuffix(string(f), "_unread") || strings.HasSuffix(string(f), "_disagree") {
				return false
			}
		}
		return true
	}
	return false
}
