package reconcile

import (
	"slices"
	"strings"

	"github.com/regfus/regfus/sheet"
)

// ScanOrder is what the order of the scan batch suggests for a progressive
// that was not read (issue 12.3; see orderSuggestion): a suggestion for the
// reviewer, never a value. The report gives it on the page's SheetView, and
// process offers it on the page's progressive review item when the reader
// had no suggestion of its own.
type ScanOrder struct {
	// Sheet is the suggested progressive as printed ("5", "D5").
	Sheet string `json:"sheet"`
	// Prev and Next are the read sheets of its bundle scanned nearest
	// before and after it ("4", "6"): the evidence.
	Prev string `json:"prev"`
	Next string `json:"next"`
}

// orderSuggestion is what the order of the scan batch suggests for the
// progressive of page p, whose progressive was not read (issue 12.3): a
// bundle is usually scanned in order, so a sheet lying between sheets 4
// and 6 of the same pharmacy, month and bundle is likely sheet 5. It is a
// suggestion for the reviewer and for the report's wording, never a
// value: nothing is matched, counted or judged missing on its account.
//
// The scan order is the pages' files by name and the pages within each
// file (a scanner numbers its files in the order it scans them; the order
// the results are given in is not used: the report does not depend on
// it). The nearest pages before and after p in the group, in that order,
// whose progressive was read, of one bundle (REGFUS or REGFUS-D),
// must bracket p exactly (the numbers between them as many as the pages
// between them, so no sheet is missing or out of order there); with a read
// neighbour on one side only, none is suggested (nil).
func orderSuggestion(p *pageInfo) *ScanOrder {
	if p.g == nil || p.progKnown {
		return nil
	}
	pages := slices.Clone(p.g.pages)
	slices.SortStableFunc(pages, func(a, b *pageInfo) int {
		if c := strings.Compare(a.res.Source, b.res.Source); c != 0 {
			return c
		}
		return a.res.Page - b.res.Page
	})
	at := -1
	for i, q := range pages {
		if q == p {
			at = i
			break
		}
	}
	if at < 0 {
		return nil
	}
	var prev, next *pageInfo
	var a, b int // pages from prev to p, from p to next
	for i := at - 1; i >= 0; i-- {
		if pages[i].progKnown && pages[i].rescanOf == nil {
			prev, a = pages[i], at-i
			break
		}
	}
	for i := at + 1; i < len(pages); i++ {
		if pages[i].progKnown && pages[i].rescanOf == nil {
			next, b = pages[i], i-at
			break
		}
	}
	if prev == nil || next == nil || prev.prog.Dispensario != next.prog.Dispensario {
		return nil
	}
	if next.prog.N-prev.prog.N != a+b {
		return nil
	}
	s := sheet.Progressive{N: prev.prog.N + a, Dispensario: prev.prog.Dispensario}
	return &ScanOrder{Sheet: s.String(), Prev: prev.prog.String(), Next: next.prog.String()}
}
