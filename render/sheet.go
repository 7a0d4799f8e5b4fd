package render

import (
	"fmt"
	"strconv"

	"github.com/regfus/regfus/barcode"
	"github.com/regfus/regfus/layout"
	"github.com/regfus/regfus/sheet"
	"github.com/regfus/regfus/typeface"
)

// Sheet is what the counter software prints on one sheet.
type Sheet struct {
	Code sheet.Code
	// VAT is the pharmacy's VAT number (11 digits) or tax code (16 characters).
	VAT  string
	Name string
	// RegionLabel is printed after the title, e.g. "Regione Lazio". No logos.
	RegionLabel string
	// Progressive and Count are printed when set; otherwise their boxes stay
	// empty for handwriting.
	Progressive *sheet.Progressive
	Count       *int
	// TailDigits prints the code's digits under the tail barcode too.
	TailDigits bool
	// FieldFont and FieldSize are the face and height (mm) the progressive
	// and count are printed in: pharmacy software prints them in its own
	// face. nil and 0: Go Sans Bold, 4.5 mm.
	FieldFont *typeface.Font
	FieldSize float64
}

// Validate checks the printed fields.
func (s Sheet) Validate() error {
	if err := s.Code.Validate(); err != nil {
		return err
	}
	if err := sheet.ValidateVAT(s.VAT); err != nil {
		return err
	}
	if s.Name == "" {
		return fmt.Errorf("pharmacy name is empty")
	}
	if len([]rune(s.Name)) > 40 {
		return fmt.Errorf("pharmacy name %q is longer than 40 characters", s.Name)
	}
	if s.Count != nil && (*s.Count < 0 || *s.Count > layout.SlotCount) {
		return fmt.Errorf("count %d out of range 0-%d", *s.Count, layout.SlotCount)
	}
	return nil
}

// DrawSheet draws s on c following l.
func DrawSheet(c Canvas, l *layout.Layout, s Sheet) error {
	if err := s.Validate(); err != nil {
		return err
	}
	code := s.Code.String()
	bars, err := barcode.Code39(code, l.Barcode.Ratio)
	if err != nil {
		return err
	}

	for _, m := range l.Markers {
		drawMarker(c, m)
	}

	// Title.
	title := "REGISTRO FUSTELLE"
	if s.RegionLabel != "" {
		title += " - " + s.RegionLabel
	}
	tx, _ := l.Title.Center()
	c.Text(tx, l.Title.Y+5.5, 5, typeface.SansBold, Center, Black, title)

	// Head barcode with its digits in OCR-A.
	Bars(c, bars, l.HeadBarcode, Black)
	dx, _ := l.HeadDigits.Center()
	c.Text(dx, l.HeadDigits.Bottom()-0.6, 4.2, typeface.OCRA, Center, Black, code)

	// Printed fields.
	values := map[string]string{
		"asl_pharmacy": s.Code.ASL + " " + s.Code.Pharmacy,
		"vat":          s.VAT,
		"name":         s.Name,
		"competence":   fmt.Sprintf("%02d/%04d", s.Code.Month, s.Code.Year),
	}
	for _, f := range l.Fields {
		base := f.Bottom() - 1.4
		c.Text(f.X, base, 2.4, typeface.Sans, Left, Dark, f.Label+":")
		c.Text(f.X+22, base, 3.4, typeface.SansBold, Left, Black, values[f.Name])
	}

	// Handwriting boxes: progressive and count.
	for _, hb := range []struct {
		f   layout.Field
		val string
	}{
		{l.Progressive, progressiveText(s.Progressive)},
		{l.Count, countText(s.Count)},
	} {
		c.Text(hb.f.X-1.5, hb.f.Y+hb.f.H/2+1, 2.4, typeface.Sans, Right, Dark, hb.f.Label)
		StrokeRect(c, hb.f.Rect, 0.3, Dark)
		if hb.val != "" {
			cx, _ := hb.f.Center()
			face, size, base := typeface.SansBold, 4.5, hb.f.Bottom()-2
			if s.FieldFont != nil {
				face = *s.FieldFont
			}
			if s.FieldSize > 0 { // digits about 0.72 of the size, centred
				size = s.FieldSize
				base = hb.f.Bottom() - (hb.f.H-0.72*size)/2
			}
			c.Text(cx, base, size, face, Center, Black, hb.val)
		}
	}

	// Slots.
	for _, sl := range l.Slots {
		StrokeRect(c, sl.Rect, 0.25, Mid)
		c.Text(sl.X+1, sl.Y+2.6, 2.2, typeface.Sans, Left, Mid, fmt.Sprintf("%02d", sl.N))
	}

	// DATA field.
	c.Text(l.DateBox.X, l.DateBox.Y-0.8, 2.4, typeface.Sans, Left, Dark, "DATA (GG MM AAAA)")
	for _, cell := range l.DateCells {
		StrokeRect(c, cell, 0.25, Dark)
	}

	// Tail barcode.
	Bars(c, bars, l.TailBarcode, Black)
	if s.TailDigits {
		x, _ := l.TailBarcode.Center()
		c.Text(x, l.TailBarcode.Bottom()+2.5, 2.5, typeface.OCRA, Center, Black, code)
	}
	return nil
}

func progressiveText(p *sheet.Progressive) string {
	if p == nil {
		return ""
	}
	return p.String()
}

func countText(n *int) string {
	if n == nil {
		return ""
	}
	return strconv.Itoa(*n)
}

// drawMarker draws a head marker (7x7 finder: black ring, white ring, black
// 3x3 core) or a tail marker (solid square). See package layout.
func drawMarker(c Canvas, m layout.Marker) {
	c.FillRect(m.Rect, Black)
	if m.Kind != layout.Head {
		return
	}
	mod := m.W / float64(m.Modules)
	c.FillRect(m.Rect.Inset(mod), White)
	c.FillRect(m.Rect.Inset(2*mod), Black)
}
