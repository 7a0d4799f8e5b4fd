// Package pdfwrite writes PDF files whose pages are each one image, as
// document scanners make them: no text and no fonts, just the scan, with
// the image objects in page order. synth writes its pdf-jpeg scans with it
// and scanfile's tests build their PDF inputs with it, so the reader is
// tested on the same files the corpus holds.
//
// It is written by hand rather than with fpdf because fpdf orders image
// objects by a sort over map keys that is not stable for equal widths,
// which would break synth's "same seed, same bytes".
package pdfwrite

import (
	"bytes"
	"fmt"
	"io"
)

// Image filters: how Page.Data is encoded.
const (
	DCT   = "DCTDecode"   // Data is a JPEG file
	Flate = "FlateDecode" // Data is zlib-compressed 8-bit samples, row by row
)

// Page is one page: an image of Width x Height samples at DPI, the page
// being the image's size at that resolution.
type Page struct {
	Width, Height int
	DPI           float64
	// Gray: one sample per pixel (DeviceGray), else three (DeviceRGB).
	Gray bool
	// Filter is DCT or Flate; Data is the image stream as stored.
	Filter string
	Data   []byte
	// Contents, when set, is the page's content stream instead of the
	// image drawn over the whole page. The page's image is the XObject
	// named by Page.ImageName, the page's size in points is Page.Size.
	Contents string
}

// Size is the page's width and height in points (1/72 inch).
func (p Page) Size() (w, h float64) {
	return float64(p.Width) / p.DPI * 72, float64(p.Height) / p.DPI * 72
}

// ImageName is the name of page n's image (n from 0) in its resources.
func ImageName(n int) string { return fmt.Sprintf("/Im%d", n+1) }

// Write writes pages as one PDF file.
func Write(w io.Writer, pages []Page) error {
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
		if p.Filter != DCT && p.Filter != Flate {
			return fmt.Errorf("pdfwrite: page %d: unknown filter %q", i+1, p.Filter)
		}
		if len(p.Data) == 0 {
			return fmt.Errorf("pdfwrite: page %d has no image data", i+1)
		}
		wpt, hpt := p.Size()
		cs := "/DeviceGray"
		if !p.Gray {
			cs = "/DeviceRGB"
		}
		content, img := 4+3*i, 5+3*i
		obj(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.2f %.2f] /Resources << /XObject << %s %d 0 R >> >> /Contents %d 0 R >>",
			wpt, hpt, ImageName(i), img, content), nil)
		cmd := p.Contents
		if cmd == "" {
			cmd = fmt.Sprintf("q %.2f 0 0 %.2f 0 0 cm %s Do Q", wpt, hpt, ImageName(i))
		}
		obj(fmt.Sprintf("<< /Length %d >>", len(cmd)), []byte(cmd))
		obj(fmt.Sprintf("<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace %s /BitsPerComponent 8 /Filter /%s /Length %d >>",
			p.Width, p.Height, cs, p.Filter, len(p.Data)), p.Data)
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
