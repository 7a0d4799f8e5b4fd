package reconcile

import (
	"maps"
	"strings"
	"testing"

	"github.com/regfus/regfus/page"
)

// TestOrderSuggestion: an unread progressive between sheets 1 and 3 of
// the scan batch is suggested as 2, in the finding's words and on the
// page's sheet view (ScanOrder, with the page's index in the input): the
// sheet stays of unknown progressive everywhere else. Without a read
// neighbour on both sides, or with neighbours that do not bracket it
// exactly, nothing is suggested.
func TestOrderSuggestion(t *testing.T) {
	three := func() Input {
		in := cleanMonth()
		s3 := sheetPage("s3.tif", code("99999", 1), "3", map[int]int{1: 7})
		in.Pages = append([]page.Result{in.Pages[0], in.Pages[1], s3}, in.Pages[2:]...)
		return in
	}
	unread := func(in *Input, i int) {
		in.Pages[i].Sheet.Progressive = nil
		in.Pages[i].Status, in.Pages[i].Reasons = page.Review, because(page.ReasonProgressiveUnread)
	}
	detail := func(g *Group) string {
		for _, f := range g.Findings {
			if f.Kind == Unreadable {
				return f.Detail
			}
		}
		return ""
	}
	// Between 1 and 3: suggested 2.
	in := three()
	unread(&in, 1)
	g := mustReconcile(t, in).Group(jan)
	d := detail(g)
	if !strings.HasPrefix(d, "progressive not read: ") || !strings.Contains(d, "the scan order suggests sheet 2, a suggestion only") {
		t.Errorf("between 1 and 3: %q", d)
	}
	if g.UnknownProgressiveSheets != 1 {
		t.Errorf("unknown progressive sheets %d, want 1: a suggestion is not a value", g.UnknownProgressiveSheets)
	}
	// suggested is the scan order of each sheet view, by its input index.
	suggested := func(g *Group) map[int]ScanOrder {
		out := map[int]ScanOrder{}
		for _, v := range g.Sheets {
			if v.ScanOrder != nil {
				out[v.Input] = *v.ScanOrder
			}
		}
		return out
	}
	if got, want := suggested(g), (map[int]ScanOrder{1: {Sheet: "2", Prev: "1", Next: "3"}}); !maps.Equal(got, want) {
		t.Errorf("between 1 and 3: sheet views suggest %v, want %v", got, want)
	}
	for _, v := range g.Sheets {
		if v.Source != in.Pages[v.Input].Source || v.Page != in.Pages[v.Input].Page {
			t.Errorf("sheet view %s p.%d names input %d, which is %s p.%d", v.Source, v.Page, v.Input, in.Pages[v.Input].Source, in.Pages[v.Input].Page)
		}
	}
	// noSuggestion: the group of in still has its unread progressive, and
	// the scan order suggests nothing for it.
	noSuggestion := func(what string, in Input) {
		t.Helper()
		g := mustReconcile(t, in).Group(jan)
		if d := detail(g); d == "" || strings.Contains(d, "suggests") {
			t.Errorf("%s: %q", what, d)
		}
		if s := suggested(g); len(s) != 0 {
			t.Errorf("%s: sheet views suggest %v", what, s)
		}
	}
	// The last REGFUS sheet: no read neighbour after it in its bundle
	// (the D1 sheet is of the other bundle).
	in = three()
	unread(&in, 2)
	noSuggestion("last sheet", in)
	// Between 1 and 3 with a gap (the sheet after is 4): nothing.
	in = three()
	in.Pages[2].Sheet.Progressive = page.Str("4")
	unread(&in, 1)
	noSuggestion("between 1 and 4", in)
}
