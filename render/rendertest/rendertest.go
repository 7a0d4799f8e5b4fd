// Package rendertest draws the sheets other packages' tests read: a page
// drawn by the project's own renderer, so a test of the scanner side needs
// no fixture files and follows the layout when it changes.
package rendertest

import (
	"image"
	"testing"

	"github.com/regfus/regfus/layout"
	"github.com/regfus/regfus/render"
	"github.com/regfus/regfus/sheet"
)

// Code is the sheet code of EmptySheet: region 120, ASL 205, pharmacy
// 99999, January 2023.
const Code = "12020599999012023"

// EmptySheet draws the current layout's sheet for Code with no fustella
// on it, as a gray raster at dpi.
func EmptySheet(t testing.TB, dpi float64) *image.Gray {
	t.Helper()
	code, err := sheet.ParseCode(Code)
	if err != nil {
		t.Fatal(err)
	}
	g, err := render.Image(layout.Current(), render.Sheet{Code: code, VAT: "12345678911", Name: "Farmacia Test"}, dpi)
	if err != nil {
		t.Fatal(err)
	}
	return g
}
