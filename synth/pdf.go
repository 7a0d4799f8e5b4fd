package synth

import (
	"fmt"
	"image"
	"io"

	"github.com/regfus/regfus/pdfwrite"
)

// writeImagePDF writes one JPEG image per page, each page the image's size
// at its resolution, as document scanners make PDF files (package pdfwrite).
func writeImagePDF(w io.Writer, pages []encoded) error {
	out := make([]pdfwrite.Page, len(pages))
	for i, p := range pages {
		if p.jpeg == nil {
			return fmt.Errorf("page %d has no JPEG", i+1)
		}
		_, gray := p.img.(*image.Gray)
		out[i] = pdfwrite.Page{Width: p.scan.Width, Height: p.scan.Height, DPI: p.scan.DPI,
			Gray: gray, Filter: pdfwrite.DCT, Data: p.jpeg}
	}
	return pdfwrite.Write(w, out)
}
