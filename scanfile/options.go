package scanfile

import (
	"image"
	"time"
)

// Defaults applied to zero fields of Options.
const (
	DefaultMaxPixels      = 60_000_000 // A4 at 600 dpi is 35 MP; A3 at 600 dpi is 70 MP
	DefaultMaxPages       = 1000
	DefaultMaxFileBytes   = 1 << 30
	DefaultPDFDPI         = 200
	DefaultPageTimeout    = 30 * time.Second
	DefaultPDFMemoryLimit = 1 << 30
)

// Options bound what one file may cost. The zero value means the defaults.
type Options struct {
	// MaxPixels is the largest page, in pixels (width x height), that is
	// decoded. It is checked against the dimensions in the header before any
	// pixel buffer is allocated, so a decompression bomb costs nothing.
	MaxPixels int64
	// MaxPages is the most pages one file may have; a file with more is
	// refused as a whole before its first page is decoded.
	MaxPages int
	// MaxFileBytes is the largest file accepted.
	MaxFileBytes int64
	// PDFDPI is the resolution PDF pages are rasterised at. Zero (the
	// default) means each page's own: a page that is one scanned image is
	// rasterised at that image's resolution, any other at DefaultPDFDPI
	// (what the reader is tuned for). See pdf.go.
	PDFDPI int
	// PageTimeout bounds the time to decode one page (for PDF: to rasterise
	// it, and also pdfinfo's run at Open). A page over it is an error of
	// KindTimeout; the next page is tried.
	PageTimeout time.Duration
	// PDFMemoryLimit caps the address space, in bytes, of each pdfinfo and
	// pdftoppm process, so a hostile PDF cannot make poppler exhaust memory.
	PDFMemoryLimit int64
	// JPEG decodes a JPEG file's pixels; nil means image/jpeg. The reader
	// is measured with libjpeg-turbo (vision.DecodeJPEGGray, at about a
	// quarter of image/jpeg's CPU), and the programs that read pages set
	// it where they assemble the pipeline; this package does not import
	// OpenCV, so that what only opens or counts files (the API, the
	// stores) builds without it.
	JPEG JPEGDecoder
}

// JPEGDecoder decodes a whole JPEG stream (baseline or progressive, grey,
// YCbCr or CMYK) to 8-bit grey: the luma, ignoring any EXIF orientation.
// It is called after the header has been checked against the limits and
// the stream found complete (see decodeJPEG); two decoders may differ by
// a grey level here and there (their IDCTs round differently).
type JPEGDecoder func(data []byte) (*image.Gray, error)

func (o Options) withDefaults() Options {
	if o.MaxPixels <= 0 {
		o.MaxPixels = DefaultMaxPixels
	}
	if o.MaxPages <= 0 {
		o.MaxPages = DefaultMaxPages
	}
	if o.MaxFileBytes <= 0 {
		o.MaxFileBytes = DefaultMaxFileBytes
	}
	if o.PDFDPI < 0 {
		o.PDFDPI = 0
	}
	if o.PageTimeout <= 0 {
		o.PageTimeout = DefaultPageTimeout
	}
	if o.PDFMemoryLimit <= 0 {
		o.PDFMemoryLimit = DefaultPDFMemoryLimit
	}
	return o
}
