package acquisition

import (
	"fmt"
	"maps"
	"slices"

	"github.com/regfus/regfus/page"
)

// minReadableDPI is the least resolution at which a fustella's narrowest
// bars (about 0.25 mm) are the 1.5 px the barcode decoder needs (package
// barcode's limits) and its OCR-A digits (1.8 mm) about 10 px high. Below
// it unreadable slots are explained by the resolution (on the fresh
// corpora of seeds 9001 and 5150, the phone photos at 135-140 effective
// dpi held most of the phone profile's unread values).
const minReadableDPI = 150

// output is the last step: slot problems become page reasons and the
// status follows from the reasons. A page with no reason left is ok.
func (st *pageState) output() error {
	res := st.res
	// The placement the reader used goes out with the result, so overlays
	// and review crops are drawn exactly where the reader looked.
	if st.geo != nil && st.src != nil {
		res.Geometry = &page.Geometry{ToSource: st.geo.ToSource, Width: st.src.Bounds().Dx(), Height: st.src.Bounds().Dy()}
	}
	var unreadable []int
	rules := map[page.Flag][]int{}
	for _, s := range res.Slots {
		if s.State == page.Unreadable {
			unreadable = append(unreadable, s.Slot)
		}
		for _, f := range s.Flags {
			if f.Rule() {
				rules[f] = append(rules[f], s.Slot)
			}
		}
	}
	if len(unreadable) > 0 {
		res.Reasons = append(res.Reasons, page.Reason{Kind: page.ReasonUnreadableSlot, Slots: unreadable})
	}
	if len(unreadable) > 0 || res.Reasons.Has(page.ReasonHeadUnread) {
		if q := res.Quality; q != nil && q.DPI > 0 && q.DPI < minReadableDPI {
			res.Reasons = append(res.Reasons, page.Reason{Kind: page.ReasonLowResolution,
				Detail: fmt.Sprintf("%.0f dpi, the fustelle need %d or more (scan at 200 dpi)", q.DPI, minReadableDPI)})
		}
	}
	for _, k := range slices.Sorted(maps.Keys(rules)) {
		res.Reasons = append(res.Reasons, page.Reason{Kind: page.ReasonRuleBroken, Detail: string(k), Slots: rules[k]})
	}
	if res.Sheet.Code == nil && !res.Reasons.Has(page.ReasonHeadUnread) {
		res.Reasons = append(res.Reasons, page.Reason{Kind: page.ReasonInvalidCode})
	}
	if len(res.Reasons) > 0 {
		res.Status = page.Review
	}
	return nil
}
