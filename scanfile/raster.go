package scanfile

import (
	"bufio"
	"bytes"
	"encoding/binary"
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

// decodeJPEG is decodePNG for JPEG. Grayscale JPEGs decode straight to
// image.Gray; colour ones keep their Y plane.
func decodeJPEG(r *io.SectionReader, opts Options) (*image.Gray, float64, error) {
	cfg, err := jpeg.DecodeConfig(bufio.NewReaderSize(r, readBuf))
	if err != nil {
		return nil, 0, err
	}
	if err := checkPixels(cfg.Width, cfg.Height, opts.MaxPixels); err != nil {
		return nil, 0, err
	}
	xdpi, ydpi := jpegDPI(r)
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return nil, 0, err
	}
	img, err := jpeg.Decode(bufio.NewReaderSize(r, readBuf))
	if err != nil {
		return nil, 0, err
	}
	return squarePixels(toGray(img), xdpi, ydpi, opts.MaxPixels)
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
