package scanfile

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"io"
	"math"

	hhtiff "github.com/hhrutter/tiff"
	"golang.org/x/image/ccitt"
)

// A TIFF file is a chain of IFDs (image file directories), one per page,
// each holding tags and the offset of the next. golang.org/x/image/tiff
// decodes only the first; github.com/hhrutter/tiff decodes the IFD at any
// offset (DecodeAt) but does not walk the chain. So this file walks the
// chain itself and reads from each IFD what is needed before decoding:
// the dimensions (checked against MaxPixels before the decoder allocates
// anything), the resolution (for DPI and to square fax pixels) and how the
// pixels are stored.
//
// Bitonal CCITT G3/G4 pages, what document scanners and faxes produce,
// decode straight into an image.Gray through golang.org/x/image/ccitt (one
// byte per pixel, no intermediate bit buffer); every other page, and a
// CCITT page the fast path cannot read, goes through hhrutter/tiff.

// TIFF tags and values used here.
const (
	tagNewSubfileType   = 254
	tagImageWidth       = 256
	tagImageLength      = 257
	tagBitsPerSample    = 258
	tagCompression      = 259
	tagPhotometric      = 262
	tagFillOrder        = 266
	tagStripOffsets     = 273
	tagSamplesPerPixel  = 277
	tagRowsPerStrip     = 278
	tagStripByteCounts  = 279
	tagXResolution      = 282
	tagYResolution      = 283
	tagT4Options        = 292
	tagT6Options        = 293
	tagResolutionUnit   = 296
	tagTileWidth        = 322
	tagTileLength       = 323
	tagTileOffsets      = 324
	tagTileByteCounts   = 325
	tagJPEGTables       = 347
	photometricYCbCr    = 6
	maxJPEGTables       = 1 << 20
	compressionNone     = 1
	compressionG3       = 3
	compressionG4       = 4
	compressionOldJPEG  = 6
	compressionJPEG     = 7
	maxIFDEntries       = 4096 // a real IFD has a few dozen
	maxStripsPerPage    = 1 << 20
	subfileReducedImage = 1 // NewSubfileType bit: a thumbnail, not a page
)

// typeSize is the byte size of each TIFF field type.
var typeSize = [...]int64{0, 1, 1, 2, 4, 8, 1, 1, 2, 4, 8, 4, 8}

// ifdEntry is one raw 12-byte directory entry.
type ifdEntry struct {
	typ   uint16
	count uint32
	val   [4]byte // the value, or the offset of the value when it is longer than 4 bytes
}

// ifd is the part of a directory this package needs.
type ifd struct {
	off              int64 // where the IFD is: hhrutter's DecodeAt wants it
	order            binary.ByteOrder
	entries          map[uint16]ifdEntry
	width, height    int
	bitsPerSample    uint
	samplesPerPixel  uint
	compression      uint
	photometric      uint
	fillOrder        uint
	t4, t6           uint
	rowsPerStrip     uint64
	subfile          uint
	xres, yres, unit float64
	tiled            bool
	hasStripOffsets  bool
}

// dpi is the resolution from XResolution, YResolution and ResolutionUnit.
func (d *ifd) dpi() (x, y float64) {
	return d.xres * d.unit, d.yres * d.unit
}

func tiffHeader(r io.ReaderAt) (binary.ByteOrder, int64, error) {
	var h [8]byte
	if _, err := r.ReadAt(h[:], 0); err != nil {
		return nil, 0, fmt.Errorf("TIFF header: %w", io.ErrUnexpectedEOF)
	}
	var order binary.ByteOrder
	switch string(h[:4]) {
	case "II*\x00":
		order = binary.LittleEndian
	case "MM\x00*":
		order = binary.BigEndian
	default:
		return nil, 0, errors.New("malformed TIFF header")
	}
	return order, int64(order.Uint32(h[4:8])), nil
}

// readIFD reads the directory at off and returns it with the offset of
// the next one (0 at the end of the chain).
func readIFD(r io.ReaderAt, order binary.ByteOrder, off int64) (*ifd, int64, error) {
	var nb [2]byte
	if _, err := r.ReadAt(nb[:], off); err != nil {
		return nil, 0, fmt.Errorf("IFD at offset %d: %w", off, io.ErrUnexpectedEOF)
	}
	n := int(order.Uint16(nb[:]))
	if n == 0 || n > maxIFDEntries {
		return nil, 0, fmt.Errorf("IFD at offset %d has %d entries", off, n)
	}
	buf := make([]byte, 12*n+4)
	if _, err := r.ReadAt(buf, off+2); err != nil {
		return nil, 0, fmt.Errorf("IFD at offset %d: %w", off, io.ErrUnexpectedEOF)
	}
	d := &ifd{
		off: off, order: order, entries: make(map[uint16]ifdEntry, n),
		bitsPerSample: 1, samplesPerPixel: 1, compression: compressionNone,
		fillOrder: 1, rowsPerStrip: math.MaxUint32, unit: 1,
	}
	for i := 0; i < n; i++ {
		e := buf[12*i : 12*i+12]
		tag := order.Uint16(e[0:2])
		if _, dup := d.entries[tag]; dup {
			return nil, 0, fmt.Errorf("IFD at offset %d repeats tag %d", off, tag)
		}
		var ent ifdEntry
		ent.typ, ent.count = order.Uint16(e[2:4]), order.Uint32(e[4:8])
		copy(ent.val[:], e[8:12])
		d.entries[tag] = ent
	}
	next := int64(order.Uint32(buf[12*n:]))

	first := func(tag uint16, def uint64) (uint64, error) {
		if _, ok := d.entries[tag]; !ok {
			return def, nil
		}
		v, err := d.uints(r, tag, 1)
		if err != nil {
			return 0, err
		}
		if len(v) == 0 {
			return 0, fmt.Errorf("tag %d has no value", tag)
		}
		return v[0], nil
	}
	var err error
	var w, h, v uint64
	if w, err = first(tagImageWidth, 0); err != nil {
		return nil, 0, err
	}
	if h, err = first(tagImageLength, 0); err != nil {
		return nil, 0, err
	}
	if w > math.MaxInt32 || h > math.MaxInt32 {
		return nil, 0, fmt.Errorf("page is %dx%d pixels", w, h)
	}
	d.width, d.height = int(w), int(h)
	for _, f := range []struct {
		tag uint16
		dst *uint
		def uint64
	}{
		{tagBitsPerSample, &d.bitsPerSample, 1},
		{tagSamplesPerPixel, &d.samplesPerPixel, 1},
		{tagCompression, &d.compression, compressionNone},
		{tagPhotometric, &d.photometric, 0},
		{tagFillOrder, &d.fillOrder, 1},
		{tagT4Options, &d.t4, 0},
		{tagT6Options, &d.t6, 0},
		{tagNewSubfileType, &d.subfile, 0},
	} {
		if v, err = first(f.tag, f.def); err != nil {
			return nil, 0, err
		}
		*f.dst = uint(min(v, math.MaxUint32))
	}
	if d.rowsPerStrip, err = first(tagRowsPerStrip, math.MaxUint32); err != nil {
		return nil, 0, err
	}
	_, d.tiled = d.entries[tagTileWidth]
	_, d.hasStripOffsets = d.entries[tagStripOffsets]
	// Resolution is metadata: a broken value means "unknown", not a bad page.
	d.xres, _ = d.rational(r, tagXResolution)
	d.yres, _ = d.rational(r, tagYResolution)
	switch unit, _ := first(tagResolutionUnit, 2); unit {
	case 2:
		d.unit = 1
	case 3:
		d.unit = 2.54
	default:
		d.unit = 0
	}
	return d, next, nil
}

// uints reads up to max values of an integer-typed entry.
func (d *ifd) uints(r io.ReaderAt, tag uint16, max int) ([]uint64, error) {
	e, ok := d.entries[tag]
	if !ok {
		return nil, nil
	}
	if int(e.typ) >= len(typeSize) || typeSize[e.typ] == 0 {
		return nil, fmt.Errorf("tag %d has unknown type %d", tag, e.typ)
	}
	size := typeSize[e.typ]
	count := min(int64(e.count), int64(max))
	raw := e.val[:]
	if size*int64(e.count) > 4 {
		raw = make([]byte, size*count)
		if _, err := r.ReadAt(raw, int64(d.order.Uint32(e.val[:]))); err != nil {
			return nil, fmt.Errorf("tag %d: %w", tag, io.ErrUnexpectedEOF)
		}
	}
	out := make([]uint64, count)
	for i := range out {
		switch e.typ {
		case 1, 7: // BYTE, UNDEFINED
			out[i] = uint64(raw[i])
		case 3: // SHORT
			out[i] = uint64(d.order.Uint16(raw[2*i:]))
		case 4, 13: // LONG, IFD
			out[i] = uint64(d.order.Uint32(raw[4*i:]))
		default:
			return nil, fmt.Errorf("tag %d has non-integer type %d", tag, e.typ)
		}
	}
	return out, nil
}

// rational reads the first value of a RATIONAL entry.
func (d *ifd) rational(r io.ReaderAt, tag uint16) (float64, error) {
	e, ok := d.entries[tag]
	if !ok || e.count < 1 {
		return 0, nil
	}
	switch e.typ {
	case 5: // RATIONAL, always stored at an offset
		var b [8]byte
		if _, err := r.ReadAt(b[:], int64(d.order.Uint32(e.val[:]))); err != nil {
			return 0, err
		}
		num, den := d.order.Uint32(b[0:4]), d.order.Uint32(b[4:8])
		if den == 0 {
			return 0, nil
		}
		return float64(num) / float64(den), nil
	case 3, 4: // a SHORT or LONG where a RATIONAL belongs: seen in the wild
		v, err := d.uints(r, tag, 1)
		if err != nil || len(v) == 0 {
			return 0, err
		}
		return float64(v[0]), nil
	}
	return 0, nil
}

// tiffFile is an opened TIFF with its page directories.
type tiffFile struct {
	r     io.ReaderAt
	size  int64
	pages []*ifd
	// chainErr is why the walk stopped before the chain's end: the pages
	// before it are still readable.
	chainErr error
}

// openTIFF walks the IFD chain. Reduced-resolution images (thumbnails some
// scanners add) are not pages and are skipped, unless they are all the
// file has. A file with more than opts.MaxPages pages is refused whole.
func openTIFF(r io.ReaderAt, size int64, opts Options) (*tiffFile, error) {
	order, off, err := tiffHeader(r)
	if err != nil {
		return nil, err
	}
	t := &tiffFile{r: r, size: size}
	var thumbs []*ifd
	seen := make(map[int64]bool)
	for walked := 0; off != 0; walked++ {
		if off >= size {
			t.chainErr = fmt.Errorf("next directory at offset %d, past the end of the %d-byte file: %w", off, size, io.ErrUnexpectedEOF)
			break
		}
		if off < 8 {
			t.chainErr = fmt.Errorf("next directory at offset %d, inside the header", off)
			break
		}
		if seen[off] {
			t.chainErr = fmt.Errorf("directory chain loops back to offset %d", off)
			break
		}
		seen[off] = true
		if len(t.pages) >= opts.MaxPages || walked >= 2*opts.MaxPages {
			return nil, newError("", 0, KindTooManyPages,
				fmt.Sprintf("too many pages (more than the %d-page limit)", opts.MaxPages), nil)
		}
		d, next, err := readIFD(r, order, off)
		if err != nil {
			t.chainErr = err
			break
		}
		if d.subfile&subfileReducedImage != 0 {
			thumbs = append(thumbs, d)
		} else {
			t.pages = append(t.pages, d)
		}
		off = next
	}
	if len(t.pages) == 0 {
		t.pages = thumbs
	}
	return t, nil
}

// decode decodes page n.
func (t *tiffFile) decode(ctx context.Context, n int, opts Options) (*image.Gray, float64, error) {
	d := t.pages[n-1]
	if err := checkPixels(d.width, d.height, opts.MaxPixels); err != nil {
		return nil, 0, err
	}
	r := ctxReaderAt{ctx, t.r}
	xdpi, ydpi := d.dpi()
	var fastErr error
	if d.bitonalCCITT() {
		g, err := t.decodeCCITT(r, d)
		if err == nil {
			return squarePixels(g, xdpi, ydpi, opts.MaxPixels)
		}
		if ctx.Err() != nil {
			return nil, 0, ctx.Err()
		}
		fastErr = err
	}
	if d.compression == compressionJPEG || d.compression == compressionOldJPEG {
		// The JPEG decoder trusts the frame size inside each strip, not the
		// TIFF's: check it too, or a small page could hide a huge frame.
		if err := t.checkJPEGFrames(r, d, opts.MaxPixels); err != nil {
			return nil, 0, err
		}
	}
	if d.compression == compressionJPEG && d.photometric == photometricYCbCr {
		// libtiff's default for JPEG pages, which hhrutter/tiff refuses.
		g, err := t.decodeJPEGBlocks(r, d)
		if err != nil {
			return nil, 0, err
		}
		return squarePixels(g, xdpi, ydpi, opts.MaxPixels)
	}
	img, err := hhtiff.DecodeAt(io.NewSectionReader(r, 0, t.size), d.off)
	if err != nil {
		if fastErr != nil {
			return nil, 0, fastErr
		}
		return nil, 0, err
	}
	return squarePixels(toGray(img), xdpi, ydpi, opts.MaxPixels)
}

// bitonalCCITT reports whether the page is one the fast path reads: one
// 1-bit sample, CCITT G4 or one-dimensional G3, in strips.
func (d *ifd) bitonalCCITT() bool {
	if d.bitsPerSample != 1 || d.samplesPerPixel != 1 || d.tiled || !d.hasStripOffsets || d.photometric > 1 {
		return false
	}
	switch d.compression {
	case compressionG3:
		return d.t4&3 == 0 // no 2-D coding, no uncompressed mode
	case compressionG4:
		return d.t6&2 == 0
	}
	return false
}

// strips returns the offsets and byte counts of the page's strips.
func (t *tiffFile) strips(r io.ReaderAt, d *ifd, offTag, countTag uint16, n int) (offs, counts []uint64, err error) {
	if n > maxStripsPerPage {
		return nil, nil, fmt.Errorf("%d strips", n)
	}
	if offs, err = d.uints(r, offTag, n); err != nil {
		return nil, nil, err
	}
	if counts, err = d.uints(r, countTag, n); err != nil {
		return nil, nil, err
	}
	if len(offs) < n || len(counts) < n {
		return nil, nil, fmt.Errorf("%d strips announced, %d offsets and %d byte counts given", n, len(offs), len(counts))
	}
	return offs, counts, nil
}

// decodeCCITT decodes a bitonal page strip by strip straight into a Gray
// image: white 255, black 0.
func (t *tiffFile) decodeCCITT(r io.ReaderAt, d *ifd) (*image.Gray, error) {
	rps := int(min(d.rowsPerStrip, uint64(d.height)))
	if rps <= 0 {
		rps = d.height
	}
	nstrips := (d.height + rps - 1) / rps
	offs, counts, err := t.strips(r, d, tagStripOffsets, tagStripByteCounts, nstrips)
	if err != nil {
		return nil, err
	}
	order := ccitt.MSB
	if d.fillOrder == 2 {
		order = ccitt.LSB
	}
	// CCITT codes runs of "white" and "black"; like libtiff (and so every
	// viewer), a white run is a 0 bit, which BlackIsZero shows as black.
	invert := d.photometric == 1
	sf, opts := ccitt.Group4, &ccitt.Options{Invert: invert}
	if d.compression == compressionG3 {
		sf = ccitt.Group3
	}
	g := image.NewGray(image.Rect(0, 0, d.width, d.height))
	br := bufio.NewReaderSize(nil, readBuf)
	for i := 0; i < nstrips; i++ {
		y0, y1 := i*rps, min((i+1)*rps, d.height)
		if int64(offs[i]) >= t.size {
			return nil, fmt.Errorf("strip %d: offset %d: %w", i+1, offs[i], io.ErrUnexpectedEOF)
		}
		n := min(int64(counts[i]), t.size-int64(offs[i]))
		// CCITT spends at most ~9 bits on a pixel: anything past that is
		// not image data, and is not read.
		n = min(n, int64(d.width)*int64(y1-y0)*9/8+4096)
		src := io.NewSectionReader(r, int64(offs[i]), n)
		strip := g.SubImage(image.Rect(0, y0, d.width, y1)).(*image.Gray)
		if sf == ccitt.Group3 && d.t4&4 != 0 {
			err = decodeG3Filled(strip, src, order, invert)
		} else {
			br.Reset(src)
			err = ccitt.DecodeIntoGray(strip, br, order, sf, opts)
			if err != nil && sf == ccitt.Group3 {
				// Fill bits before EOLs without the T4Options flag saying so?
				if _, serr := src.Seek(0, io.SeekStart); serr == nil && decodeG3Filled(strip, src, order, invert) == nil {
					err = nil
				}
			}
		}
		if err != nil {
			if n < int64(counts[i]) && !errors.Is(err, io.ErrUnexpectedEOF) {
				err = fmt.Errorf("%w (%v)", io.ErrUnexpectedEOF, err)
			}
			return nil, fmt.Errorf("strip %d: CCITT: %w", i+1, err)
		}
	}
	return g, nil
}

// checkJPEGFrames reads the frame header of every JPEG strip or tile of a
// JPEG-compressed page and refuses one bigger than the page itself.
func (t *tiffFile) checkJPEGFrames(r io.ReaderAt, d *ifd, maxPixels int64) error {
	var offs, counts []uint64
	var err error
	switch {
	case d.tiled:
		tw, _ := d.uints(r, tagTileWidth, 1)
		tl, _ := d.uints(r, tagTileLength, 1)
		if len(tw) == 0 || len(tl) == 0 || tw[0] == 0 || tl[0] == 0 {
			return errors.New("tile size missing")
		}
		across := (uint64(d.width) + tw[0] - 1) / tw[0]
		down := (uint64(d.height) + tl[0] - 1) / tl[0]
		if across*down > maxStripsPerPage {
			return fmt.Errorf("%d tiles", across*down)
		}
		offs, counts, err = t.strips(r, d, tagTileOffsets, tagTileByteCounts, int(across*down))
	default:
		rps := int(min(d.rowsPerStrip, uint64(d.height)))
		if rps <= 0 {
			rps = d.height
		}
		offs, counts, err = t.strips(r, d, tagStripOffsets, tagStripByteCounts, (d.height+rps-1)/rps)
	}
	if err != nil {
		return err
	}
	for i := range offs {
		w, h, ok := jpegFrameSize(r, int64(offs[i]), int64(counts[i]))
		if !ok {
			continue // no frame header here: the decoder will fail on its own
		}
		if w > d.width+16 || h > d.height+16 || int64(w)*int64(h) > maxPixels {
			return newError("", 0, KindCorrupt,
				fmt.Sprintf("corrupt: JPEG strip %d is %dx%d pixels in a %dx%d page", i+1, w, h, d.width, d.height), nil)
		}
	}
	return nil
}

// jpegFrameSize walks the marker segments of the JPEG stream in the n
// bytes at off up to its frame header (SOFn) and returns the frame size.
func jpegFrameSize(r io.ReaderAt, off, n int64) (w, h int, ok bool) {
	end := off + n
	var m [4]byte
	if _, err := r.ReadAt(m[:2], off); err != nil || m[0] != 0xff || m[1] != 0xd8 {
		return 0, 0, false
	}
	for p := off + 2; p+4 <= end; {
		if _, err := r.ReadAt(m[:], p); err != nil || m[0] != 0xff {
			return 0, 0, false
		}
		switch marker := m[1]; {
		case marker == 0xff: // fill byte
			p++
			continue
		case marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 && marker != 0xcc:
			var f [5]byte
			if _, err := r.ReadAt(f[:], p+4); err != nil {
				return 0, 0, false
			}
			return int(binary.BigEndian.Uint16(f[3:5])), int(binary.BigEndian.Uint16(f[1:3])), true
		case marker == 0xda || marker == 0xd9:
			return 0, 0, false
		}
		p += 2 + int64(binary.BigEndian.Uint16(m[2:4]))
	}
	return 0, 0, false
}

// decodeJPEGBlocks decodes a JPEG-compressed page (Compression 7) strip by
// strip or tile by tile with image/jpeg: each block is a JPEG stream, often
// abbreviated, with the tables shared in the JPEGTables tag. YCbCr blocks
// give their Y plane, which is the gray the reader wants.
func (t *tiffFile) decodeJPEGBlocks(r io.ReaderAt, d *ifd) (*image.Gray, error) {
	bw, bh := d.width, int(min(d.rowsPerStrip, uint64(d.height)))
	offTag, countTag := uint16(tagStripOffsets), uint16(tagStripByteCounts)
	if d.tiled {
		tw, _ := d.uints(r, tagTileWidth, 1)
		tl, _ := d.uints(r, tagTileLength, 1)
		if len(tw) == 0 || len(tl) == 0 || tw[0] == 0 || tl[0] == 0 || tw[0] > 1<<16 || tl[0] > 1<<16 {
			return nil, errors.New("bad tile size")
		}
		bw, bh = int(tw[0]), int(tl[0])
		offTag, countTag = tagTileOffsets, tagTileByteCounts
	}
	if bh <= 0 {
		bh = d.height
	}
	across, down := (d.width+bw-1)/bw, (d.height+bh-1)/bh
	if across*down > maxStripsPerPage {
		return nil, fmt.Errorf("%d blocks", across*down)
	}
	offs, counts, err := t.strips(r, d, offTag, countTag, across*down)
	if err != nil {
		return nil, err
	}
	var tables []byte
	if e, ok := d.entries[tagJPEGTables]; ok && e.count >= 4 && e.count <= maxJPEGTables {
		tables = make([]byte, e.count)
		if _, err := r.ReadAt(tables, int64(d.order.Uint32(e.val[:]))); err != nil {
			return nil, fmt.Errorf("JPEGTables: %w", io.ErrUnexpectedEOF)
		}
		if tables[0] != 0xff || tables[1] != 0xd8 || tables[len(tables)-2] != 0xff || tables[len(tables)-1] != 0xd9 {
			return nil, errors.New("JPEGTables is not an abbreviated JPEG stream")
		}
		tables = tables[:len(tables)-2] // drop its EOI
	}
	g := image.NewGray(image.Rect(0, 0, d.width, d.height))
	var buf []byte
	for i := range offs {
		if counts[i] > uint64(t.size) || offs[i] > uint64(t.size) {
			return nil, fmt.Errorf("block %d: %w", i+1, io.ErrUnexpectedEOF)
		}
		block := make([]byte, counts[i])
		if _, err := r.ReadAt(block, int64(offs[i])); err != nil {
			return nil, fmt.Errorf("block %d: %w", i+1, io.ErrUnexpectedEOF)
		}
		stream := block
		if tables != nil && len(block) >= 2 && block[0] == 0xff && block[1] == 0xd8 {
			buf = append(append(buf[:0], tables...), block[2:]...)
			stream = buf
		}
		img, err := jpeg.Decode(bytes.NewReader(stream))
		if err != nil {
			return nil, fmt.Errorf("block %d: %w", i+1, err)
		}
		x0, y0 := (i%across)*bw, (i/across)*bh
		bg := toGray(img)
		dst := image.Rect(x0, y0, x0+bg.Rect.Dx(), y0+bg.Rect.Dy()).Intersect(g.Rect)
		for y := dst.Min.Y; y < dst.Max.Y; y++ {
			copy(g.Pix[y*g.Stride+dst.Min.X:y*g.Stride+dst.Max.X], bg.Pix[(y-y0)*bg.Stride:])
		}
	}
	return g, nil
}
