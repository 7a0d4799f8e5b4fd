// Package tiffwrite writes TIFF files the way document scanners do: one or
// more pages in one file (a chain of IFDs), bilevel pages compressed with
// CCITT Group 4 and 8-bit gray pages with Deflate, each with its
// resolution. Go's golang.org/x/image/tiff reads TIFF (G4 included) but
// writes neither G4 nor several pages, which is what a scanning station
// uploads; regfus needs both to build realistic test scans.
package tiffwrite

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"image"
	"io"
	"math"
)

// Page is one page of a TIFF file.
type Page struct {
	Img *image.Gray
	DPI float64
	// Bilevel encodes the page as 1-bit CCITT G4: pixels below 128 are
	// black. Otherwise the page is 8-bit gray, Deflate-compressed.
	Bilevel bool
}

// TIFF tag numbers and field types used here.
const (
	tNewSubfileType  = 254
	tImageWidth      = 256
	tImageLength     = 257
	tBitsPerSample   = 258
	tCompression     = 259
	tPhotometric     = 262
	tFillOrder       = 266
	tStripOffsets    = 273
	tSamplesPerPixel = 277
	tRowsPerStrip    = 278
	tStripByteCounts = 279
	tXResolution     = 282
	tYResolution     = 283
	tT6Options       = 293
	tResolutionUnit  = 296
	tPageNumber      = 297

	fShort    = 3
	fLong     = 4
	fRational = 5
)

type entry struct {
	tag, typ uint16
	count    uint32
	value    []byte // inline when len <= 4, else at an offset
}

// Write writes pages as one little-endian TIFF.
func Write(w io.Writer, pages []Page) error {
	if len(pages) == 0 {
		return fmt.Errorf("tiffwrite: no pages")
	}
	var out bytes.Buffer
	le := binary.LittleEndian
	out.Write([]byte{'I', 'I', 42, 0, 0, 0, 0, 0}) // first IFD offset patched below
	prevNext := 4                                  // where to write the next IFD's offset
	for i, p := range pages {
		if p.Img == nil || p.Img.Rect.Empty() {
			return fmt.Errorf("tiffwrite: page %d: empty image", i+1)
		}
		if p.DPI <= 0 {
			return fmt.Errorf("tiffwrite: page %d: dpi %g", i+1, p.DPI)
		}
		data, err := encodePage(p)
		if err != nil {
			return fmt.Errorf("tiffwrite: page %d: %w", i+1, err)
		}
		wd, ht := p.Img.Rect.Dx(), p.Img.Rect.Dy()
		align(&out)
		stripOff := out.Len()
		out.Write(data)
		align(&out)

		short := func(v ...uint16) []byte {
			b := make([]byte, 2*len(v))
			for i, x := range v {
				le.PutUint16(b[2*i:], x)
			}
			return b
		}
		long := func(v uint32) []byte { b := make([]byte, 4); le.PutUint32(b, v); return b }
		num, den := rational(p.DPI)
		rat := make([]byte, 8)
		le.PutUint32(rat, num)
		le.PutUint32(rat[4:], den)

		bps, comp, photo := uint16(8), uint16(8), uint16(1) // gray, Deflate, BlackIsZero
		if p.Bilevel {
			bps, comp, photo = 1, 4, 0 // 1 bit, CCITT G4, WhiteIsZero
		}
		es := []entry{
			{tNewSubfileType, fLong, 1, long(2)},
			{tImageWidth, fLong, 1, long(uint32(wd))},
			{tImageLength, fLong, 1, long(uint32(ht))},
			{tBitsPerSample, fShort, 1, short(bps)},
			{tCompression, fShort, 1, short(comp)},
			{tPhotometric, fShort, 1, short(photo)},
			{tFillOrder, fShort, 1, short(1)},
			{tStripOffsets, fLong, 1, long(uint32(stripOff))},
			{tSamplesPerPixel, fShort, 1, short(1)},
			{tRowsPerStrip, fLong, 1, long(uint32(ht))},
			{tStripByteCounts, fLong, 1, long(uint32(len(data)))},
			{tXResolution, fRational, 1, rat},
			{tYResolution, fRational, 1, rat},
		}
		if p.Bilevel {
			es = append(es, entry{tT6Options, fLong, 1, long(0)})
		}
		es = append(es,
			entry{tResolutionUnit, fShort, 1, short(2)},
			entry{tPageNumber, fShort, 2, short(uint16(i), uint16(len(pages)))},
		)
		// Out-of-line values first, then the IFD.
		offs := make([]uint32, len(es))
		for j, e := range es {
			if len(e.value) > 4 {
				align(&out)
				offs[j] = uint32(out.Len())
				out.Write(e.value)
			}
		}
		align(&out)
		ifd := out.Len()
		le.PutUint32(out.Bytes()[prevNext:], uint32(ifd))
		b := make([]byte, 2+12*len(es)+4)
		le.PutUint16(b, uint16(len(es)))
		for j, e := range es {
			o := 2 + 12*j
			le.PutUint16(b[o:], e.tag)
			le.PutUint16(b[o+2:], e.typ)
			le.PutUint32(b[o+4:], e.count)
			if len(e.value) > 4 {
				le.PutUint32(b[o+8:], offs[j])
			} else {
				copy(b[o+8:o+12], e.value)
			}
		}
		out.Write(b) // next-IFD offset stays 0 unless another page follows
		prevNext = ifd + 2 + 12*len(es)
		if out.Len() > math.MaxUint32 {
			return fmt.Errorf("tiffwrite: file larger than 4 GB")
		}
	}
	_, err := w.Write(out.Bytes())
	return err
}

func align(b *bytes.Buffer) {
	if b.Len()%2 == 1 {
		b.WriteByte(0)
	}
}

// rational writes dpi as a fraction with two decimals.
func rational(v float64) (uint32, uint32) {
	n := uint32(math.Round(v * 100))
	if n%100 == 0 {
		return n / 100, 1
	}
	return n, 100
}

func encodePage(p Page) ([]byte, error) {
	wd, ht := p.Img.Rect.Dx(), p.Img.Rect.Dy()
	var buf bytes.Buffer
	if p.Bilevel {
		black := make([]bool, wd*ht)
		for y := 0; y < ht; y++ {
			row := p.Img.Pix[y*p.Img.Stride:]
			for x := 0; x < wd; x++ {
				black[y*wd+x] = row[x] < 128
			}
		}
		if err := EncodeG4(&buf, black, wd, ht); err != nil {
			return nil, err
		}
		return buf.Bytes(), nil
	}
	zw, err := zlib.NewWriterLevel(&buf, zlib.BestSpeed)
	if err != nil {
		return nil, err
	}
	for y := 0; y < ht; y++ {
		if _, err := zw.Write(p.Img.Pix[y*p.Img.Stride : y*p.Img.Stride+wd]); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
