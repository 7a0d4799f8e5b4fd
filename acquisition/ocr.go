package acquisition

import (
	"image"
	"math"

	"github.com/regfus/regfus/fustella"
	"github.com/regfus/regfus/layout"
	"github.com/regfus/regfus/sheet"
	"github.com/regfus/regfus/tesseract"
	"github.com/regfus/regfus/vision"
)

// OCR reads the OCR-A lines printed on a sheet and on fustelle: package
// tesseract's Client, with a model trained on OCR-A. Each method gets one
// upright line crop LineHeight pixels high and returns a value that passed
// its own validation (length, check digit) with a confidence in [0,1], or
// an error.
type OCR interface {
	ReadAIC(line image.Image) (fustella.AIC, float64, error)
	ReadTargatura(line image.Image) (fustella.Targatura, float64, error)
	ReadSheetCode(line image.Image) (sheet.Code, float64, error)
	Close() error
}

var _ OCR = (*tesseract.Client)(nil)

// ocrWindowPx is the resolution the text band is looked for at.
const ocrWindowPx = 12.0

// ocrLine returns the line of text inside the window fr (in the frame of
// frameCrop) as the OCR wants it: the band of rows that carry ink, with a
// third of its height of paper above and below, scaled to
// tesseract.LineHeight pixels high. ok is false when the window is blank.
func (st *pageState) ocrLine(c vision.Point, angle float64, flip bool, fr layout.Rect) (*image.Gray, bool) {
	win, err := st.frameCrop(c, angle, flip, fr, ocrWindowPx)
	if err != nil {
		return nil, false
	}
	y0, y1, x0, x1, ok := inkBand(win)
	if !ok {
		return nil, false
	}
	hb := float64(y1-y0) / ocrWindowPx
	m := hb / 3
	band := layout.Rect{
		X: fr.X + float64(x0)/ocrWindowPx - 2*m, Y: fr.Y + float64(y0)/ocrWindowPx - m,
		W: float64(x1-x0)/ocrWindowPx + 4*m, H: hb + 2*m,
	}
	q := float64(tesseract.LineHeight) / band.H
	line, err := st.frameCrop(c, angle, flip, band, q)
	if err != nil {
		return nil, false
	}
	// The margins are paper by definition: whiten them, so that the edge
	// of a bar or a neighbouring line caught in them cannot become a glyph.
	top, bot := int(m*q)-2, int((m+hb)*q)+2
	lw := line.Rect.Dx()
	for y := 0; y < line.Rect.Dy(); y++ {
		if y < top || y >= bot {
			row := line.Pix[y*line.Stride : y*line.Stride+lw]
			for i := range row {
				row[i] = 255
			}
		}
	}
	return line, true
}

// inkBand finds the tallest run of rows of g holding dark pixels (darker
// than 60% of the brightest tenth), and the columns that ink spans in it.
func inkBand(g *image.Gray) (y0, y1, x0, x1 int, ok bool) {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	if w == 0 || h == 0 {
		return
	}
	var hist [256]int
	for _, v := range g.Pix[:w*h] {
		hist[v]++
	}
	paper, n := 255, 0
	for paper > 0 && n < w*h/10 {
		n += hist[paper]
		paper--
	}
	cut := uint8(math.Min(255, float64(paper)*0.6))
	rows := make([]int, h)
	for y := 0; y < h; y++ {
		for _, v := range g.Pix[y*g.Stride : y*g.Stride+w] {
			if v < cut {
				rows[y]++
			}
		}
	}
	minRow := max(2, w/100)
	best := 0
	for y := 0; y < h; {
		if rows[y] < minRow {
			y++
			continue
		}
		s := y
		for y < h && rows[y] >= minRow {
			y++
		}
		if y-s > best {
			best, y0, y1 = y-s, s, y
		}
	}
	if best < 3 {
		return
	}
	x0, x1 = w, 0
	for y := y0; y < y1; y++ {
		for x, v := range g.Pix[y*g.Stride : y*g.Stride+w] {
			if v < cut {
				x0, x1 = min(x0, x), max(x1, x+1)
			}
		}
	}
	return y0, y1, x0, x1, x1 > x0
}
