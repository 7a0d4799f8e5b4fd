package synth

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"io"
	"math"
	"time"

	"codeberg.org/go-pdf/fpdf"

	"github.com/regfus/regfus/render"
	"github.com/regfus/regfus/tiffwrite"
)

// encoded is one page ready for its file.
type encoded struct {
	img  image.Image
	scan Scan
	jpeg []byte // for jpeg and pdf-jpeg
}

// extension returns the file extension of an encoding.
func extension(enc string) string {
	switch enc {
	case "jpeg":
		return ".jpg"
	case "tiff-g4":
		return ".tif"
	case "pdf-jpeg":
		return ".pdf"
	}
	return ".png"
}

// encodeJPEG encodes img at quality q and adds a JFIF header with its
// density, as scanners and cameras write one (Go's encoder writes none).
func encodeJPEG(img image.Image, q int, dpi float64) ([]byte, error) {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: q}); err != nil {
		return nil, err
	}
	b := buf.Bytes()
	d := uint16(math.Round(dpi))
	app0 := []byte{0xFF, 0xE0, 0, 16, 'J', 'F', 'I', 'F', 0, 1, 1, 1, byte(d >> 8), byte(d), byte(d >> 8), byte(d), 0, 0}
	out := make([]byte, 0, len(b)+len(app0))
	out = append(out, b[:2]...) // SOI
	out = append(out, app0...)
	return append(out, b[2:]...), nil
}

// writeFile writes the pages of one file in the profile's encoding.
func writeFile(w io.Writer, prof Profile, pages []encoded) error {
	switch prof.Encoding {
	case "png":
		if len(pages) != 1 {
			return fmt.Errorf("png holds one page, got %d", len(pages))
		}
		return render.WritePNG(w, pages[0].img, pages[0].scan.DPI)
	case "jpeg":
		if len(pages) != 1 {
			return fmt.Errorf("jpeg holds one page, got %d", len(pages))
		}
		_, err := w.Write(pages[0].jpeg)
		return err
	case "tiff-g4":
		var tp []tiffwrite.Page
		for _, p := range pages {
			g, ok := p.img.(*image.Gray)
			if !ok {
				return fmt.Errorf("tiff-g4 page is %T, want gray", p.img)
			}
			tp = append(tp, tiffwrite.Page{Img: g, DPI: p.scan.DPI, Bilevel: true})
		}
		return tiffwrite.Write(w, tp)
	case "pdf-jpeg":
		return writeImagePDF(w, pages)
	}
	return fmt.Errorf("unknown encoding %q", prof.Encoding)
}

// writeImagePDF writes one JPEG image per page, the page the image's size
// at its resolution, as document scanners make "PDF" files: no text, no
// vectors, just the scan.
func writeImagePDF(w io.Writer, pages []encoded) error {
	doc := fpdf.NewCustom(&fpdf.InitType{UnitStr: "mm", Size: fpdf.SizeType{Wd: 210, Ht: 297}})
	t := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	doc.SetCreationDate(t)
	doc.SetModificationDate(t)
	doc.SetCatalogSort(true)
	doc.SetCreator("regfus synth (simulated document scanner)", true)
	doc.SetMargins(0, 0, 0)
	doc.SetAutoPageBreak(false, 0)
	for i, p := range pages {
		wmm := float64(p.scan.Width) / p.scan.DPI * 25.4
		hmm := float64(p.scan.Height) / p.scan.DPI * 25.4
		// "P" keeps Wd as the width; landscape scans simply have Wd > Ht.
		doc.AddPageFormat("P", fpdf.SizeType{Wd: wmm, Ht: hmm})
		name := fmt.Sprintf("scan%d", i+1)
		opt := fpdf.ImageOptions{ImageType: "JPG"}
		doc.RegisterImageOptionsReader(name, opt, bytes.NewReader(p.jpeg))
		doc.ImageOptions(name, 0, 0, wmm, hmm, false, opt, 0, "")
	}
	if err := doc.Error(); err != nil {
		return err
	}
	return doc.Output(w)
}
