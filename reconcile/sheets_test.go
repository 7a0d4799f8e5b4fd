package reconcile

import (
	"testing"

	"github.com/regfus/regfus/page"
)

func TestDateOutsideMonth(t *testing.T) {
	t.Parallel()
	in := cleanMonth()
	in.Pages[0].Sheet.Date = page.Str("2023-02-03") // the sheets are of January 2023
	in.Pages[1].Sheet.Date = page.Str("2023-01-31")
	g := mustReconcile(t, in).Group(jan)
	wantFindings(t, g, "date_outside_month@1/0/")
	if d := g.Findings[0].Detail; d != "the DATA field says 03/02/2023, outside the competence 2023-01" {
		t.Errorf("detail %q", d)
	}
}

func TestSheetCountOneStory(t *testing.T) {
	t.Parallel()
	in := cleanMonth()
	asRead(&in.Pages[0], false, false) // progressive unread
	g := mustReconcile(t, in).Group(jan)
	c := g.SheetCount()
	if c.REGFUS != 1 || c.REGFUSD != 1 || c.UnknownProgressive != 1 || c.Delivered() != 3 {
		t.Fatalf("count %+v", c)
	}
	want := "REGFUS 2 declared, 1 delivered; REGFUS-D 1 declared, 1 delivered; 1 delivered sheet of unknown progressive (3 delivered in all)"
	if got := c.String(); got != want {
		t.Errorf("count\n got %q\nwant %q", got, want)
	}
	// The same story in the finding when the counts do not add up.
	in.Declarations[0].Sheets = 3
	g = mustReconcile(t, in).Group(jan)
	for _, f := range g.Findings {
		if f.Kind == SheetCountMismatch {
			if f.Detail != g.SheetCount().String() {
				t.Errorf("finding %q, count %q", f.Detail, g.SheetCount())
			}
			return
		}
	}
	t.Errorf("no sheet_count_mismatch in %s", findingsString(g))
}
