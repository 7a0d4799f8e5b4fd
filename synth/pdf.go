package synth

import (
	"bytes"
	"fmt"
	"image"
	"io"
)

// writeImagePDF writes one JPEG image per page, each page the image's size
// at its resolution, as document scanners make PDF files: no text, no
// vectors, just the scan. It is written by hand rather than with fpdf
// because fpdf orders image objects by a sort over map keys that is not
// stable for equal widths, which would break "same seed, same bytes"; this
// writer also keeps image objects in page order, as scanners do.
func writeImagePDF(w io.Writer, pages []encoded) error {
	var b bytes.Buffer
	var offsets []int
	obj := func(body string, stream []byte) {
		offsets = append(offsets, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s", len(offsets), body)
		if stream != nil {
			b.WriteString("\nstream\n")
			b.Write(stream)
			b.WriteString("\nendstream")
		}
		b.WriteString("\nendobj\n")
	}
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	n := len(pages)
	// Objects: 1 catalog, 2 pages, then per page: page, contents, image.
	kids := ""
	for i := 0; i < n; i++ {
		kids += fmt.Sprintf("%d 0 R ", 3+3*i)
	}
	obj("<< /Type /Catalog /Pages 2 0 R >>", nil)
	obj(fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", kids, n), nil)
	for i, p := range pages {
		if p.jpeg == nil {
			return fmt.Errorf("page %d has no JPEG", i+1)
		}
		wpt := float64(p.scan.Width) / p.scan.DPI * 72
		hpt := float64(p.scan.Height) / p.scan.DPI * 72
		cs := "/DeviceGray"
		if _, gray := p.img.(*image.Gray); !gray {
			cs = "/DeviceRGB"
		}
		content, img := 4+3*i, 5+3*i
		obj(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.2f %.2f] /Resources << /XObject << /Im%d %d 0 R >> >> /Contents %d 0 R >>",
			wpt, hpt, i+1, img, content), nil)
		cmd := fmt.Sprintf("q %.2f 0 0 %.2f 0 0 cm /Im%d Do Q", wpt, hpt, i+1)
		obj(fmt.Sprintf("<< /Length %d >>", len(cmd)), []byte(cmd))
		obj(fmt.Sprintf("<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace %s /BitsPerComponent 8 /Filter /DCTDecode /Length %d >>",
			p.scan.Width, p.scan.Height, cs, len(p.jpeg)), p.jpeg)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(offsets)+1)
	for _, o := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offsets)+1, xref)
	_, err := w.Write(b.Bytes())
	return err
}
