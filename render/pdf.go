package render

import (
	"fmt"
	"io"
	"time"

	"codeberg.org/go-pdf/fpdf"

	"github.com/regfus/regfus/layout"
	"github.com/regfus/regfus/typeface"
)

// PDF is a Canvas that writes a vector PDF, A4 portrait, one page per sheet,
// fonts embedded (subset by fpdf), bars as filled rectangles. It is
// reproducible: the same sheets give the same bytes.
type PDF struct {
	doc *fpdf.Fpdf
	// fonts are the fonts added to doc: every embedded one (typeface.All)
	// from the start, a loaded one (a --field-font) when first used.
	fonts map[typeface.Font]bool
}

// fixedTime stamps every PDF, so that output is reproducible.
var fixedTime = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// NewPDF starts a PDF document for pages of the given size in mm.
func NewPDF(page layout.Size) *PDF {
	doc := fpdf.NewCustom(&fpdf.InitType{
		OrientationStr: "P",
		UnitStr:        "mm",
		Size:           fpdf.SizeType{Wd: page.W, Ht: page.H},
	})
	doc.SetCreationDate(fixedTime)
	doc.SetModificationDate(fixedTime)
	doc.SetCatalogSort(true)
	doc.SetCreator("regfus", true)
	doc.SetTitle("Registro delle Fustelle", true)
	doc.SetMargins(0, 0, 0)
	doc.SetAutoPageBreak(false, 0)
	p := &PDF{doc: doc, fonts: map[typeface.Font]bool{}}
	for _, f := range typeface.All {
		p.addFont(f)
	}
	return p
}

// addFont embeds f in the document once.
func (p *PDF) addFont(f typeface.Font) {
	if !p.fonts[f] {
		p.doc.AddUTF8FontFromBytes(f.Name(), "", f.TTF())
		p.fonts[f] = true
	}
}

// AddPage starts a new page.
func (p *PDF) AddPage() { p.doc.AddPage() }

// FillRect implements Canvas.
func (p *PDF) FillRect(r layout.Rect, g uint8) {
	p.doc.SetFillColor(int(g), int(g), int(g))
	p.doc.Rect(r.X, r.Y, r.W, r.H, "F")
}

// Text implements Canvas.
func (p *PDF) Text(x, y, sizeMM float64, f typeface.Font, a Align, g uint8, s string) {
	p.addFont(f)
	p.doc.SetFont(f.Name(), "", sizeMM/25.4*72)
	p.doc.SetTextColor(int(g), int(g), int(g))
	w := p.doc.GetStringWidth(s)
	switch a {
	case Center:
		x -= w / 2
	case Right:
		x -= w
	}
	p.doc.Text(x, y, s)
}

// WriteTo writes the document.
func (p *PDF) WriteTo(w io.Writer) (int64, error) {
	if err := p.doc.Error(); err != nil {
		return 0, fmt.Errorf("render: pdf: %w", err)
	}
	cw := &countWriter{w: w}
	if err := p.doc.Output(cw); err != nil {
		return cw.n, fmt.Errorf("render: pdf: %w", err)
	}
	return cw.n, nil
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(b []byte) (int, error) {
	n, err := c.w.Write(b)
	c.n += int64(n)
	return n, err
}
