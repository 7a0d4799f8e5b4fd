package barcode_test

import (
	"fmt"
	"image"
	"testing"

	"github.com/regfus/regfus/barcode"
	"github.com/regfus/regfus/layout"
	"github.com/regfus/regfus/render"
	"github.com/regfus/regfus/sheet"
)

// TestRenderedSheet reads the head and tail barcodes of a sheet drawn by
// the project's own renderer, at the resolutions stations scan at: FindAll
// on the whole page finds exactly those two (nothing in the text, markers
// or boxes reads as a symbol), and SheetCode on the layout's crops parses
// the code.
func TestRenderedSheet(t *testing.T) {
	t.Parallel()
	l := layout.Current()
	code, err := sheet.ParseCode("12020599999012023")
	if err != nil {
		t.Fatal(err)
	}
	for _, dpi := range []float64{150, 200, 300} {
		t.Run(fmt.Sprintf("%gdpi", dpi), func(t *testing.T) {
			t.Parallel()
			img, err := render.Image(l, render.Sheet{Code: code, VAT: "12345678911", Name: "Farmacia Prova", TailDigits: true}, dpi)
			if err != nil {
				t.Fatal(err)
			}
			d := barcode.NewDecoder()
			dets := d.FindAll(img)
			if len(dets) != 2 {
				t.Fatalf("FindAll found %d symbols, want head and tail: %+v", len(dets), dets)
			}
			px := func(mm float64) float64 { return mm / 25.4 * dpi }
			for i, r := range []layout.Rect{l.HeadBarcode, l.TailBarcode} {
				det := dets[i]
				if det.Format != barcode.FormatCode39 || det.Text != code.String() || det.Angle != 0 {
					t.Errorf("symbol %d: %+v", i, det)
				}
				cx, cy := px(r.X+r.W/2), px(r.Y+r.H/2)
				if det.X < cx-px(5) || det.X > cx+px(5) || det.Y < cy-px(r.H) || det.Y > cy+px(r.H) {
					t.Errorf("symbol %d at %.0f,%.0f, layout says %.0f,%.0f", i, det.X, det.Y, cx, cy)
				}
				q := l.Barcode.QuietZone
				crop := img.SubImage(image.Rect(int(px(r.X-q*0.8)), int(px(r.Y-0.5)), int(px(r.Right()+q*0.8)), int(px(r.Bottom()+0.5)))).(*image.Gray)
				got, res, err := d.SheetCode(crop)
				if err != nil || got != code {
					t.Errorf("SheetCode on crop %d = %+v, %v", i, got, err)
				}
				if res.Attempt.Index != 0 {
					t.Errorf("a clean render needed fallbacks: %s", res.Attempt)
				}
			}
		})
	}
}
