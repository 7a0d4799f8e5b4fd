package acquisition

import (
	"strings"
	"testing"

	"github.com/regfus/regfus/page"
	"github.com/regfus/regfus/sheet"
)

// TestLowResolutionReason: unreadable slots on a page under minReadableDPI
// are explained by its resolution; a sharp enough page, or a coarse page
// with every slot read, gets no such reason.
func TestLowResolutionReason(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		dpi        float64
		unreadable bool
		want       bool
	}{
		{"coarse page, slot unread", 139.5, true, true},
		{"coarse page, every slot read", 139.5, false, false},
		{"200 dpi, slot unread", 200, true, false},
		{"no dpi measured", 0, true, false},
		{"coarse page, head barcode unread", 139.5, false, true},
	} {
		state := page.Filled
		if tc.unreadable {
			state = page.Unreadable
		}
		res := &page.Result{Status: page.OK, Quality: &page.Quality{DPI: tc.dpi}, Slots: []page.Slot{{Slot: 7, State: state}}}
		if strings.Contains(tc.name, "head") {
			res.Reasons = append(res.Reasons, page.Reason{Kind: page.ReasonHeadUnread})
		}
		res.Sheet.Code = page.CodeOf(sheet.MustParseCode("12020599999012023"))
		st := &pageState{res: res}
		if err := st.output(); err != nil {
			t.Fatal(err)
		}
		got := false
		for _, r := range res.Reasons {
			if r.Kind == page.ReasonLowResolution && r.Detail != "" {
				got = true
				if !strings.Contains(r.Detail, "140 dpi") {
					t.Errorf("%s: reason %q does not give the page's resolution", tc.name, r)
				}
			}
		}
		if got != tc.want {
			t.Errorf("%s: low_resolution reason %v, want %v (reasons %q)", tc.name, got, tc.want, res.Reasons)
		}
	}
}
