package vision

// #include "imdecode.h"
import "C"

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"unsafe"

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
// The caller bounds the pixel count before calling.
//
// libjpeg writes the rows straight into the returned image's Go memory
// (a Mat header over it, of the size the stream's header gives): gocv's
// IMDecode, used until December 2026, copied the stream into a
// std::vector, decoded into a fresh C allocation (whose page faults a
// 4.7 Mpx page pays every time) and had it copied back to Go. A stream
// whose header image/jpeg cannot parse, or that OpenCV decodes to another
// size than its header says, is decoded that way still.
func DecodeJPEGGray(data []byte) (*image.Gray, error) {
	if len(data) == 0 {
		return nil, errors.New("vision: jpeg: no data")
	}
	if g, done, err := decodeJPEGInto(data); done {
		return g, err
	}
	m, err := gocv.IMDecode(data, jpegFlags)
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

// jpegFlags is how DecodeJPEGGray asks OpenCV to decode.
const jpegFlags = gocv.IMReadGrayScale | gocv.IMReadIgnoreOrientation

// decodeJPEGInto decodes data into a new image of the size its header
// gives, libjpeg writing the rows into Go memory. done is false when it
// could not, and the stream is to be decoded the other way: image/jpeg
// cannot parse its header, or OpenCV decodes it to another size or type.
func decodeJPEGInto(data []byte) (g *image.Gray, done bool, err error) {
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(data))
	if err != nil || cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > MaxPixels {
		return nil, false, nil
	}
	g = image.NewGray(image.Rect(0, 0, cfg.Width, cfg.Height))
	switch C.regfus_imdecode_into((*C.uchar)(unsafe.Pointer(&data[0])), C.int(len(data)), C.int(jpegFlags),
		(*C.uchar)(unsafe.Pointer(&g.Pix[0])), C.int(cfg.Width), C.int(cfg.Height)) {
	case C.REGFUS_DECODED:
		return g, true, nil
	case C.REGFUS_DECODE_FAILED:
		return nil, true, errors.New("vision: jpeg: libjpeg could not decode the stream")
	case C.REGFUS_DECODE_THREW:
		return nil, true, errors.New("vision: jpeg: OpenCV failed decoding the stream")
	}
	return nil, false, nil
}
