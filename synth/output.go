package synth

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"io"
	"math"

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
