package render

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"io"

	"github.com/regfus/regfus/layout"
)

// Image draws s as a gray raster at dpi.
func Image(l *layout.Layout, s Sheet, dpi float64) (*image.Gray, error) {
	if dpi < 50 || dpi > 1200 {
		return nil, fmt.Errorf("render: dpi %g out of range 50-1200", dpi)
	}
	r := NewRaster(l.Page.W, l.Page.H, dpi)
	defer r.Close()
	if err := DrawSheet(r, l, s); err != nil {
		return nil, err
	}
	return r.Img, nil
}

// WritePNG encodes img as PNG with its resolution recorded (pHYs chunk), so
// a reader knows the dpi without guessing.
func WritePNG(w io.Writer, img image.Image, dpi float64) error {
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&buf, img); err != nil {
		return err
	}
	_, err := w.Write(withPHYs(buf.Bytes(), dpi))
	return err
}

// WritePDF writes sheets as one multi-page PDF.
func WritePDF(w io.Writer, l *layout.Layout, sheets []Sheet) error {
	if len(sheets) == 0 {
		return fmt.Errorf("render: no sheets to write")
	}
	p := NewPDF(l.Page)
	for i, s := range sheets {
		p.AddPage()
		if err := DrawSheet(p, l, s); err != nil {
			return fmt.Errorf("render: sheet %d: %w", i+1, err)
		}
	}
	_, err := p.WriteTo(w)
	return err
}
