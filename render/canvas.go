// Package render draws Registro delle Fustelle sheets from package layout's
// geometry: as a vector PDF for printing, and as a raster image at any
// resolution for previews and synthetic scans.
//
// Both outputs come from one drawing routine (DrawSheet) over a small
// Canvas interface with two implementations, PDF and Raster, so the printed
// sheet and the simulated one cannot drift apart. The drawing vocabulary is
// deliberately tiny - axis-aligned filled rectangles and text - because that
// is all a sheet is: barcodes are bars, markers and boxes are rectangles.
package render

import (
	"github.com/regfus/regfus/barcode"
	"github.com/regfus/regfus/layout"
	"github.com/regfus/regfus/typeface"
)

// Gray levels: 0 is black ink, 255 is paper.
const (
	Black uint8 = 0
	Dark  uint8 = 60
	Mid   uint8 = 140
	White uint8 = 255
)

// Align is the horizontal alignment of text.
type Align int

const (
	Left Align = iota
	Center
	Right
)

// Canvas is a page that can be drawn on, in millimetres.
type Canvas interface {
	// FillRect paints r with the gray level g.
	FillRect(r layout.Rect, g uint8)
	// Text draws s with its baseline at y, em size sizeMM, aligned on x.
	Text(x, y, sizeMM float64, f typeface.Font, a Align, g uint8, s string)
}

// StrokeRect draws the outline of r with lines w mm wide, inside r.
func StrokeRect(c Canvas, r layout.Rect, w float64, g uint8) {
	c.FillRect(layout.Rect{X: r.X, Y: r.Y, W: r.W, H: w}, g)
	c.FillRect(layout.Rect{X: r.X, Y: r.Bottom() - w, W: r.W, H: w}, g)
	c.FillRect(layout.Rect{X: r.X, Y: r.Y + w, W: w, H: r.H - 2*w}, g)
	c.FillRect(layout.Rect{X: r.Right() - w, Y: r.Y + w, W: w, H: r.H - 2*w}, g)
}

// Bars draws a 1D symbol filling r horizontally: the narrow element is
// r.W / s.Modules() wide. Quiet zones are the caller's business (layout
// keeps them clear).
func Bars(c Canvas, s barcode.Symbol, r layout.Rect, g uint8) {
	narrow := r.W / s.Modules()
	x := r.X
	for i, e := range s {
		w := e * narrow
		if i%2 == 0 {
			c.FillRect(layout.Rect{X: x, Y: r.Y, W: w, H: r.H}, g)
		}
		x += w
	}
}
