package report

import (
	"fmt"
	"html"
	"math"
	"strconv"
	"strings"

	"github.com/regfus/regfus/layout"
	"github.com/regfus/regfus/reconcile"
)

// slotClass is the CSS class a slot is coloured with: its outcome, or
// "issue" for a fustella matched with a finding on it (wrong slot, other
// AIC, duplicate targatura, or its record is suspended or unsigned): green
// means matched and payable.
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
	fmt.Fprintf(&b, `<svg class="sheet" viewBox="0 0 %s %s" width="%d" height="%d" role="img" aria-label="%s">`,
		mm(l.Page.W), mm(l.Page.H), widthPx, hPx, html.EscapeString(sheetTitle(v)))
	rect := func(class string, r layout.Rect) {
		fmt.Fprintf(&b, `<rect class="%s" x="%s" y="%s" width="%s" height="%s"/>`, class, mm(r.X), mm(r.Y), mm(r.W), mm(r.H))
	}
	rect("paper", layout.Rect{X: 0.5, Y: 0.5, W: l.Page.W - 1, H: l.Page.H - 1})
	for _, m := range l.Markers {
		rect("ink", m.Rect)
		if m.Kind == layout.Head {
			u := m.W / float64(m.Modules)
			rect("paper-fill", m.Inset(u))
			rect("ink", m.Inset(2*u))
		}
	}
	rect("bars", l.HeadBarcode)
	rect("bars", l.TailBarcode)
	for _, r := range l.DateCells {
		rect("box", r)
	}
	if v.Sheet != "" {
		f := l.Progressive.Rect
		fmt.Fprintf(&b, `<text class="prog" x="%s" y="%s">%s</text>`, mm(f.X), mm(f.Bottom()), html.EscapeString(v.Sheet))
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
		fmt.Fprintf(&b, `<g class="%s"><title>%s</title><rect x="%s" y="%s" width="%s" height="%s" rx="1.5"/><text x="%s" y="%s">%d</text></g>`,
			cls, html.EscapeString(slotTooltip(s)), mm(r.X), mm(r.Y), mm(r.W), mm(r.H), mm(r.X+2), mm(r.Y+8), s.Slot)
	}
	b.WriteString(`</svg>`)
	return b.String()
}

// mm formats a coordinate with at most two decimals (0.01 mm is far below
// what a picture 150 px wide shows).
func mm(v float64) string {
	return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64)
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

// SheetSVG is the picture of one sheet the HTML report draws (inline SVG,
// widthPx wide, slots with classes "slot o-OUTCOME" and "flagged"), for
// other pages that show sheets the same way (the web interface).
func SheetSVG(l *layout.Layout, v *reconcile.SheetView, widthPx int) string {
	return sheetSVG(l, v, widthPx)
}
