package vision

import (
	"errors"
	"fmt"
	"image"

	"gocv.io/x/gocv"
)

// DecodeJPEGGray decodes a JPEG (baseline or progressive, grey, YCbCr or
// CMYK) to 8-bit grey with OpenCV's libjpeg-turbo, ignoring any EXIF
// orientation (the reader finds the page's orientation itself, and every
// other tool must see the pixels where the file has them).
//
// It exists for speed: a 200-dpi A4 colour scan decodes in about a quarter
// of image/jpeg's time, because libjpeg-turbo has SIMD transforms and,
// asked for grey, never transforms or upsamples the chroma (the page is
// its luma, as package scanfile's Go decoders also take it).
//
// libjpeg stops on a fatal error (a bad marker or table) and this returns
// an error; it only warns about damaged entropy-coded data, which then
// decodes to a damaged image: callers that must tell a truncated file from
// a whole one check the stream's end themselves (see package scanfile).
// The caller bounds the pixel count before calling: the header is not
// checked here.
func DecodeJPEGGray(data []byte) (*image.Gray, error) {
	if len(data) == 0 {
		return nil, errors.New("vision: jpeg: no data")
	}
	m, err := gocv.IMDecode(data, gocv.IMReadGrayScale|gocv.IMReadIgnoreOrientation)
	if err != nil {
		return nil, fmt.Errorf("vision: jpeg: %w", err)
	}
	defer m.Close()
	if m.Empty() {
		return nil, errors.New("vision: jpeg: libjpeg could not decode the stream")
	}
	if m.Type() != gocv.MatTypeCV8UC1 {
		return nil, fmt.Errorf("vision: jpeg: decoded to Mat type %v, want 8-bit grey", m.Type())
	}
	w, h := m.Cols(), m.Rows()
	px, err := m.DataPtrUint8()
	if err != nil {
		return nil, fmt.Errorf("vision: jpeg: %w", err)
	}
	g := image.NewGray(image.Rect(0, 0, w, h))
	step := m.Step()
	if step == w {
		copy(g.Pix, px[:w*h])
		return g, nil
	}
	for y := 0; y < h; y++ {
		copy(g.Pix[y*w:(y+1)*w], px[y*step:y*step+w])
	}
	return g, nil
}
