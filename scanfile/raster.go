package scanfile

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io"
)

// readBuf is the buffer between the file and the PNG/JPEG decoders, which
// otherwise issue many small reads.
const readBuf = 64 << 10

// decodePNG decodes a single-image PNG: the header first, to refuse an
// oversized page before the decoder allocates it, then the pixels.
func decodePNG(r *io.SectionReader, opts Options) (*image.Gray, float64, error) {
	cfg, err := png.DecodeConfig(bufio.NewReaderSize(r, readBuf))
	if err != nil {
		return nil, 0, err
	}
	if err := checkPixels(cfg.Width, cfg.Height, opts.MaxPixels); err != nil {
		return nil, 0, err
	}
	xdpi, ydpi := pngDPI(r)
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return nil, 0, err
	}
	img, err := png.Decode(bufio.NewReaderSize(r, readBuf))
	if err != nil {
		return nil, 0, err
	}
	return squarePixels(toGray(img), xdpi, ydpi, opts.MaxPixels)
}

// decodeJPEG is decodePNG for JPEG, with the pixels decoded by
// opts.JPEG: in the reader, libjpeg-turbo (vision.DecodeJPEGGray) asked
// for grey, the page's luma as the Go decoders give it, at about a quarter
// of image/jpeg's CPU time (a 200-dpi colour A4 scan: 39 -> 9 ms), which
// was 8% of reading a page; image/jpeg when it is nil. The header is
// parsed in Go first, to refuse an oversized page before anything is
// allocated; a stream without its end-of-image marker after its last scan
// is truncated (libjpeg would only warn and grey-fill the missing rows).
func decodeJPEG(r *io.SectionReader, opts Options) (*image.Gray, float64, error) {
	// libjpeg wants the stream in memory: read it once (the file size is
	// bounded by Options.MaxFileBytes) and parse the header from there.
	data := make([]byte, r.Size())
	if _, err := r.ReadAt(data, 0); err != nil {
		return nil, 0, err
	}
	g, err := decodeJPEGData(data, opts)
	if err != nil {
		return nil, 0, err
	}
	xdpi, ydpi := jpegDPI(bytes.NewReader(data))
	return squarePixels(g, xdpi, ydpi, opts.MaxPixels)
}

// decodeJPEGData decodes a JPEG stream held in memory to grey (see
// decodeJPEG), refusing it over the pixel limit before decoding.
func decodeJPEGData(data []byte, opts Options) (*image.Gray, error) {
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	if err := checkPixels(cfg.Width, cfg.Height, opts.MaxPixels); err != nil {
		return nil, err
	}
	if !jpegComplete(data) {
		return nil, fmt.Errorf("jpeg: no end of image after the last scan: %w", io.ErrUnexpectedEOF)
	}
	dec := opts.JPEG
	if dec == nil {
		dec = goJPEGGray
	}
	g, err := dec(data)
	if err != nil {
		return nil, err
	}
	if g.Rect.Dx() != cfg.Width || g.Rect.Dy() != cfg.Height {
		return nil, fmt.Errorf("jpeg: decoded %dx%d, header says %dx%d", g.Rect.Dx(), g.Rect.Dy(), cfg.Width, cfg.Height)
	}
	return g, nil
}

// goJPEGGray is the JPEGDecoder of the standard library.
func goJPEGGray(data []byte) (*image.Gray, error) {
	img, err := jpeg.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	return toGray(img), nil
}

// jpegComplete reports whether the end-of-image marker (FF D9) follows the
// start of the last scan (FF DA). Entropy-coded data cannot hold either
// marker (a data byte FF is stuffed as FF 00), so a stream cut anywhere
// in or before its last scan fails, while the markers of an embedded EXIF
// thumbnail, which precede the image's own scans, do not count.
func jpegComplete(data []byte) bool {
	sos := bytes.LastIndex(data, []byte{0xff, 0xda})
	return sos >= 0 && bytes.LastIndex(data, []byte{0xff, 0xd9}) > sos
}

// pngDPI reads the pHYs chunk, which must come before the image data.
// It returns zeros when there is none or it is not in metres.
func pngDPI(r io.ReaderAt) (xdpi, ydpi float64) {
	off := int64(8)
	var hdr [8]byte
	for range 256 {
		if _, err := r.ReadAt(hdr[:], off); err != nil {
			return 0, 0
		}
		n := int64(binary.BigEndian.Uint32(hdr[:4]))
		switch string(hdr[4:8]) {
		case "pHYs":
			var p [9]byte
			if n != 9 {
				return 0, 0
			}
			if _, err := r.ReadAt(p[:], off+8); err != nil || p[8] != 1 {
				return 0, 0
			}
			return float64(binary.BigEndian.Uint32(p[0:4])) * 0.0254, float64(binary.BigEndian.Uint32(p[4:8])) * 0.0254
		case "IDAT", "IEND":
			return 0, 0
		}
		off += 12 + n
	}
	return 0, 0
}

// jpegDPI reads the density from the JFIF APP0 segment, or failing that
// from the Exif APP1 segment's XResolution/YResolution. It stops at the
// first frame header and returns zeros when there is no usable density.
func jpegDPI(r io.ReaderAt) (xdpi, ydpi float64) {
	off := int64(2)
	var hdr [4]byte
	var exifX, exifY float64
	for range 64 {
		if _, err := r.ReadAt(hdr[:], off); err != nil || hdr[0] != 0xff {
			break
		}
		marker := hdr[1]
		if marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 && marker != 0xcc || marker == 0xda || marker == 0xd9 {
			break // a frame, scan or end: metadata segments are before it
		}
		n := int64(binary.BigEndian.Uint16(hdr[2:4]))
		if n < 2 {
			break
		}
		if marker == 0xe0 || marker == 0xe1 {
			seg := make([]byte, min(n-2, 64<<10))
			if _, err := r.ReadAt(seg, off+4); err != nil {
				break
			}
			switch {
			case marker == 0xe0 && len(seg) >= 12 && bytes.HasPrefix(seg, []byte("JFIF\x00")):
				x, y := float64(binary.BigEndian.Uint16(seg[8:10])), float64(binary.BigEndian.Uint16(seg[10:12]))
				switch seg[7] {
				case 1:
					return x, y
				case 2:
					return x * 2.54, y * 2.54
				}
			case marker == 0xe1 && bytes.HasPrefix(seg, []byte("Exif\x00\x00")):
				exifX, exifY = exifDPI(seg[6:])
			}
		}
		off += 2 + n
	}
	return exifX, exifY
}

// exifDPI reads the resolution tags of an Exif block's first IFD (the
// block is a little TIFF file).
func exifDPI(b []byte) (xdpi, ydpi float64) {
	order, first, err := tiffHeader(bytes.NewReader(b))
	if err != nil {
		return 0, 0
	}
	ifd, _, err := readIFD(bytes.NewReader(b), order, first)
	if err != nil {
		return 0, 0
	}
	return ifd.dpi()
}
