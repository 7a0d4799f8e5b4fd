package report

import (
	"fmt"
	"html"
	"strings"

	"github.com/regfus/regfus/layout"
	"github.com/regfus/regfus/reconcile"
)

// slotClass is the CSS class a slot is coloured with: its outcome, or
// "issue" for a fustella matched with a finding on it (wrong slot, other
// AIC, duplicate targatura).
func slotClass(s reconcile.SlotView) string {
	if s.Outcome == string(reconcile.FMatched) {
		for _, k := range s.Issues {
			if k != reconcile.RuleBroken {
				return "issue"
			}
		}
	}
	return s.Outcome
}

// sheetSVG draws a small picture of one sheet from the layout's geometry:
// page, markers, barcodes, DATA field and the 28 slots coloured by
// outcome, each with a tooltip saying what was found there. Everything is
// inline; coordinates are the layout's millimetres.
func sheetSVG(l *layout.Layout, v *reconcile.SheetView, widthPx int) string {
	var b strings.Builder
	hPx := int(float64(widthPx) * l.Page.H / l.Page.W)
	fmt.Fprintf(&b, `<svg class="sheet" viewBox="0 0 %g %g" width="%d" height="%d" role="img" aria-label="%s">`,
		l.Page.W, l.Page.H, widthPx, hPx, html.EscapeString(sheetTitle(v)))
	fmt.Fprintf(&b, `<rect class="paper" x="0.5" y="0.5" width="%g" height="%g"/>`, l.Page.W-1, l.Page.H-1)
	for _, m := range l.Markers {
		r := m.Rect
		fmt.Fprintf(&b, `<rect class="ink" x="%g" y="%g" width="%g" height="%g"/>`, r.X, r.Y, r.W, r.H)
		if m.Kind == layout.Head {
			u := r.W / float64(m.Modules)
			fmt.Fprintf(&b, `<rect class="paper-fill" x="%g" y="%g" width="%g" height="%g"/>`, r.X+u, r.Y+u, r.W-2*u, r.H-2*u)
			fmt.Fprintf(&b, `<rect class="ink" x="%g" y="%g" width="%g" height="%g"/>`, r.X+2*u, r.Y+2*u, r.W-4*u, r.H-4*u)
		}
	}
	for _, r := range []layout.Rect{l.HeadBarcode, l.TailBarcode} {
		fmt.Fprintf(&b, `<rect class="bars" x="%g" y="%g" width="%g" height="%g"/>`, r.X, r.Y, r.W, r.H)
	}
	for _, r := range l.DateCells {
		fmt.Fprintf(&b, `<rect class="box" x="%g" y="%g" width="%g" height="%g"/>`, r.X, r.Y, r.W, r.H)
	}
	if v.Sheet != "" {
		f := l.Progressive.Rect
		fmt.Fprintf(&b, `<text class="prog" x="%g" y="%g">%s</text>`, f.X, f.Bottom(), html.EscapeString(v.Sheet))
	}
	for _, s := range v.Slots {
		ls, ok := l.Slot(s.Slot)
		if !ok {
			continue
		}
		r := ls.Rect
		cls := "slot o-" + slotClass(s)
		if len(s.Issues) > 0 {
			cls += " flagged"
		}
		fmt.Fprintf(&b, `<g class="%s"><title>%s</title><rect x="%g" y="%g" width="%g" height="%g" rx="1.5"/><text x="%g" y="%g">%d</text></g>`,
			cls, html.EscapeString(slotTooltip(s)), r.X, r.Y, r.W, r.H, r.X+2, r.Y+8, s.Slot)
	}
	b.WriteString(`</svg>`)
	return b.String()
}

func sheetTitle(v *reconcile.SheetView) string {
	name := "sheet " + v.Sheet
	if v.Sheet == "" {
		name = "sheet with unread progressive"
	}
	return fmt.Sprintf("%s (%s p.%d)", name, v.Source, v.Page)
}

func slotTooltip(s reconcile.SlotView) string {
	var b strings.Builder
	fmt.Fprintf(&b, "slot %d: %s", s.Slot, s.Outcome)
	if s.RecordID != "" {
		fmt.Fprintf(&b, ", record %s", s.RecordID)
	}
	if s.Targatura != "" {
		fmt.Fprintf(&b, "\ntargatura %s", s.Targatura)
	}
	if s.AIC != "" {
		fmt.Fprintf(&b, "\nAIC %s", s.AIC)
	}
	for _, k := range s.Issues {
		fmt.Fprintf(&b, "\n%s", k)
	}
	return b.String()
}
