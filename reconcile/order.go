package reconcile

import (
	"slices"
	"strings"

	"github.com/regfus/regfus/sheet"
)

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
// neighbour on one side only, none is suggested.
func orderSuggestion(p *pageInfo) (sheet.Progressive, bool) {
	if p.g == nil || p.progKnown {
		return sheet.Progressive{}, false
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
		return sheet.Progressive{}, false
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
		return sheet.Progressive{}, false
	}
	if next.prog.N-prev.prog.N != a+b {
		return sheet.Progressive{}, false
	}
	return sheet.Progressive{N: prev.prog.N + a, Dispensario: prev.prog.Dispensario}, true
}
