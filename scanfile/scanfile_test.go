package scanfile

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// pngChunk encodes one PNG chunk with its CRC.
func pngChunk(typ string, data []byte) []byte {
	var b bytes.Buffer
	binary.Write(&b, binary.BigEndian, uint32(len(data)))
	b.WriteString(typ)
	b.Write(data)
	crc := crc32.NewIEEE()
	crc.Write([]byte(typ))
	crc.Write(data)
	binary.Write(&b, binary.BigEndian, crc.Sum32())
	return b.Bytes()
}

// withPHYs inserts a pHYs chunk (pixels per metre) after the IHDR chunk.
func withPHYs(p []byte, xdpi, ydpi float64) []byte {
	d := make([]byte, 9)
	binary.BigEndian.PutUint32(d[0:], uint32(xdpi/0.0254+0.5))
	binary.BigEndian.PutUint32(d[4:], uint32(ydpi/0.0254+0.5))
	d[8] = 1
	const afterIHDR = 8 + 8 + 13 + 4
	return append(append(append([]byte{}, p[:afterIHDR]...), pngChunk("pHYs", d)...), p[afterIHDR:]...)
}

// withJFIF inserts a JFIF APP0 segment with a density in dpi after SOI.
func withJFIF(j []byte, xdpi, ydpi int) []byte {
	seg := []byte{0xff, 0xe0, 0, 16, 'J', 'F', 'I', 'F', 0, 1, 2, 1, 0, 0, 0, 0, 0, 0}
	binary.BigEndian.PutUint16(seg[12:], uint16(xdpi))
	binary.BigEndian.PutUint16(seg[14:], uint16(ydpi))
	return append(append(append([]byte{}, j[:2]...), seg...), j[2:]...)
}

// bombPNG is a valid PNG header announcing w x h 8-bit gray pixels, with a
// tiny IDAT: a decompression bomb's shape, a few hundred bytes on disk.
func bombPNG(w, h uint32) []byte {
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 0
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	b.Write(pngChunk("IHDR", ihdr))
	b.Write(pngChunk("IDAT", []byte{0x78, 0x9c, 0x63, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01}))
	b.Write(pngChunk("IEND", nil))
	return b.Bytes()
}

// bombJPEG patches the frame header of a real JPEG to announce w x h.
func bombJPEG(t testing.TB, w, h uint16) []byte {
	j := encodeJPEG(t, synthPage(64, 64, 1), 80)
	i := bytes.Index(j, []byte{0xff, 0xc0})
	if i < 0 {
		t.Fatal("no SOF0")
	}
	binary.BigEndian.PutUint16(j[i+5:], h)
	binary.BigEndian.PutUint16(j[i+7:], w)
	return j
}

// tinyTIFF builds a little-endian, uncompressed 8-bit gray TIFF page of
// w x h whose pixels are pix, and whose next-IFD offset is next(ifdOffset).
func tinyTIFF(w, h uint32, pix []byte, next func(ifd uint32) uint32) []byte {
	var b bytes.Buffer
	b.WriteString("II*\x00")
	ifd := uint32(8 + len(pix))
	binary.Write(&b, binary.LittleEndian, ifd)
	b.Write(pix)
	type ent struct {
		tag, typ uint16
		val      uint32
	}
	ents := []ent{
		{256, 4, w}, {257, 4, h}, {258, 3, 8}, {259, 3, 1}, {262, 3, 1},
		{273, 4, 8}, {277, 3, 1}, {278, 4, h}, {279, 4, uint32(len(pix))},
	}
	binary.Write(&b, binary.LittleEndian, uint16(len(ents)))
	for _, e := range ents {
		binary.Write(&b, binary.LittleEndian, e.tag)
		binary.Write(&b, binary.LittleEndian, e.typ)
		binary.Write(&b, binary.LittleEndian, uint32(1))
		binary.Write(&b, binary.LittleEndian, e.val)
	}
	binary.Write(&b, binary.LittleEndian, next(ifd))
	return b.Bytes()
}

func zipBytes(t testing.TB) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, _ := zw.Create("word/document.xml")
	w.Write([]byte("<doc/>"))
	zw.Close()
	return b.Bytes()
}

// decodeAll opens path and decodes every page.
func decodeAll(t *testing.T, path string, opts Options) (*File, []Page, []error, error) {
	t.Helper()
	ctx := context.Background()
	f, err := Open(ctx, path, opts)
	if err != nil {
		return nil, nil, nil, err
	}
	t.Cleanup(func() { f.Close() })
	var pages []Page
	var errs []error
	for p, err := range f.Pages(ctx) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		pages = append(pages, p)
	}
	return f, pages, errs, nil
}

func TestSingleImageFormats(t *testing.T) {
	t.Parallel()
	src := synthPage(400, 560, 7)
	// A transparent PNG: left half opaque black, right half transparent.
	alpha := image.NewNRGBA(image.Rect(0, 0, 40, 20))
	for y := 0; y < 20; y++ {
		for x := 0; x < 40; x++ {
			if x < 20 {
				alpha.Set(x, y, color.NRGBA{0, 0, 0, 255})
			} else {
				alpha.Set(x, y, color.NRGBA{0, 0, 0, 0})
			}
		}
	}
	wantAlpha := image.NewGray(alpha.Rect)
	for y := 0; y < 20; y++ {
		for x := 20; x < 40; x++ {
			wantAlpha.Pix[y*40+x] = 255
		}
	}
	pal := image.NewPaletted(src.Rect, color.Palette{color.Gray{0}, color.Gray{200}, color.Gray{255}})
	for i, v := range src.Pix {
		switch {
		case v < 100:
			pal.Pix[i] = 0
		case v < 230:
			pal.Pix[i] = 1
		default:
			pal.Pix[i] = 2
		}
	}
	palGray := image.NewGray(src.Rect)
	for i, v := range pal.Pix {
		palGray.Pix[i] = []uint8{0, 200, 255}[v]
	}
	g16 := image.NewGray16(src.Rect)
	for i, v := range src.Pix {
		g16.Pix[2*i], g16.Pix[2*i+1] = v, 0x7f
	}

	tests := []struct {
		name      string
		data      []byte
		format    Format
		want      *image.Gray
		tolerance float64 // mean abs difference; 0 = exact
		dpi       float64
	}{
		{"png gray", encodePNG(t, src), PNG, src, 0, 0},
		{"png rgb", encodePNG(t, rgbOf(src)), PNG, src, 0, 0},
		{"png 16-bit gray", encodePNG(t, g16), PNG, src, 0, 0},
		{"png paletted", encodePNG(t, pal), PNG, palGray, 0, 0},
		{"png with alpha over white", encodePNG(t, alpha), PNG, wantAlpha, 0, 0},
		{"png with pHYs 300 dpi", withPHYs(encodePNG(t, src), 300, 300), PNG, src, 0, 300},
		{"jpeg gray", encodeJPEG(t, src, 92), JPEG, src, 2.5, 0},
		{"jpeg rgb", encodeJPEG(t, rgbOf(src), 92), JPEG, src, 2.5, 0},
		{"jpeg with JFIF 200 dpi", withJFIF(encodeJPEG(t, src, 92), 200, 200), JPEG, src, 2.5, 200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := writeFile(t, t.TempDir(), "scan.bin", tc.data)
			f, pages, errs, err := decodeAll(t, path, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if len(errs) > 0 || len(pages) != 1 {
				t.Fatalf("pages %d, errors %v", len(pages), errs)
			}
			p := pages[0]
			if f.Format() != tc.format || p.Format != tc.format || p.Index != 1 || p.Count != 1 || p.Source != path {
				t.Errorf("page %+v, file format %s", p, f.Format())
			}
			if p.DPI < tc.dpi-0.01 || p.DPI > tc.dpi+0.01 {
				t.Errorf("DPI %g, want %g", p.DPI, tc.dpi)
			}
			if p.Image.Rect != tc.want.Rect {
				t.Fatalf("size %v, want %v", p.Image.Rect, tc.want.Rect)
			}
			if tc.tolerance == 0 {
				if d := exactDiff(p.Image, tc.want); d != 0 {
					t.Errorf("%d pixels differ", d)
				}
			} else if d := meanAbsDiff(p.Image, tc.want); d > tc.tolerance {
				t.Errorf("mean abs difference %.2f > %.2f", d, tc.tolerance)
			}
		})
	}
}

// A scan whose metadata says 200 x 100 dpi (a fax) comes out with square
// pixels: rows doubled, 200 dpi.
func TestAnisotropicResolutionIsSquared(t *testing.T) {
	t.Parallel()
	src := bitonal(synthPage(300, 200, 3))
	path := writeFile(t, t.TempDir(), "fax.png", withPHYs(encodePNG(t, src), 200, 100))
	_, pages, errs, err := decodeAll(t, path, Options{})
	if err != nil || len(errs) > 0 {
		t.Fatal(err, errs)
	}
	p := pages[0]
	if p.Image.Rect.Dx() != 300 || p.Image.Rect.Dy() != 400 || p.DPI < 199.9 || p.DPI > 200.1 {
		t.Fatalf("got %v at %g dpi, want 300x400 at 200", p.Image.Rect, p.DPI)
	}
	for y := 0; y < 400; y++ {
		if !bytes.Equal(p.Image.Pix[y*p.Image.Stride:y*p.Image.Stride+300], src.Pix[(y/2)*src.Stride:(y/2)*src.Stride+300]) {
			t.Fatalf("row %d is not source row %d", y, y/2)
		}
	}
}

// TestPDFNativeResolution checks that a page that is one scanned image is
// rasterised at the image's own resolution (pixel for pixel), and that any
// other page, or an explicit Options.PDFDPI, gets the fixed resolution.
func TestPDFNativeResolution(t *testing.T) {
	t.Parallel()
	src := synthPage(600, 840, 13)
	half := flatePage(src, 300)
	half.Cover = 0.5
	vector := flatePage(src, 300)
	wpt, hpt := vector.Size()
	vector.Contents = fmt.Sprintf("0.5 g 10 10 %.4f %.4f re f", wpt/2, hpt/2) // a grey rectangle, the image unused
	path := writeFile(t, t.TempDir(), "mixed.pdf", makePDF(
		flatePage(src, 300),   // 2x2.8 in at 300 ppi
		jpegPage(t, src, 150), // 4x5.6 in at 150 ppi
		flatePage(src, 1200),  // a tiny page at 1200 ppi: out of range
		half,                  // image over a quarter of the page
		vector,                // no image at all
	))
	for _, tc := range []struct {
		opts    Options
		dpi     []float64
		w, h    []int
		exactly []bool
	}{
		{Options{}, []float64{300, 150, 200, 200, 200}, []int{600, 600, 100, 600 * 2 / 3, 400}, []int{840, 840, 140, 840 * 2 / 3, 560}, []bool{true, false, false, false, false}},
		{Options{PDFDPI: 100}, []float64{100, 100, 100, 100, 100}, []int{200, 400, 50, 200, 200}, []int{280, 560, 70, 280, 280}, make([]bool, 5)},
	} {
		f, pages, errs, err := decodeAll(t, path, tc.opts)
		if err != nil || len(errs) > 0 {
			t.Fatal(err, errs)
		}
		if len(pages) != 5 {
			t.Fatalf("%d pages", len(pages))
		}
		for i, p := range pages {
			if p.DPI != tc.dpi[i] || p.Image.Rect.Dx() != tc.w[i] || p.Image.Rect.Dy() != tc.h[i] {
				t.Errorf("PDFDPI %d page %d: %v at %g dpi, want %dx%d at %g", tc.opts.PDFDPI, i+1, p.Image.Rect, p.DPI, tc.w[i], tc.h[i], tc.dpi[i])
				continue
			}
			// At its own resolution a lossless page comes back as it was
			// scanned (poppler smears edges by up to a pixel: same measure
			// as TestPDF).
			if tc.exactly[i] {
				if d, o := blockDiff(p.Image, src, 4), blockDiff(p.Image, flip(src), 4); d > 6 || d > o/3 {
					t.Errorf("page %d at native resolution: block difference %.2f (%.2f upside down)", i+1, d, o)
				}
			}
		}
		f.Close()
	}
}

func TestPDF(t *testing.T) {
	t.Parallel()
	a4 := synthPage(a4W200, a4H200, 11)
	small := synthPage(400, 560, 12)
	data := makePDF(
		jpegPage(t, a4, 200),
		flatePage(small, 200),
		jpegPage(t, rgbOf(small), 200),
	)
	path := writeFile(t, t.TempDir(), "batch.pdf", data)

	t.Run("pages at the default 200 dpi", func(t *testing.T) {
		t.Parallel()
		f, pages, errs, err := decodeAll(t, path, Options{})
		if err != nil || len(errs) > 0 {
			t.Fatal(err, errs)
		}
		if f.Format() != PDF || f.Count() != 3 || len(pages) != 3 {
			t.Fatalf("format %s count %d pages %d", f.Format(), f.Count(), len(pages))
		}
		for i, want := range []*image.Gray{a4, small, small} {
			p := pages[i]
			if p.Index != i+1 || p.Count != 3 || p.DPI != 200 || p.Format != PDF {
				t.Errorf("page %d: %+v", i+1, p)
			}
			if p.Image.Rect != want.Rect {
				t.Errorf("page %d: size %v, want %v", i+1, p.Image.Rect, want.Rect)
				continue
			}
			// Poppler resamples even at 1:1 (edges smeared by up to a
			// pixel) and pages 1 and 3 are JPEG: compare 4x4 block means,
			// and require far less difference than from the page turned
			// upside down.
			if d, o := blockDiff(p.Image, want, 4), blockDiff(p.Image, flip(want), 4); d > 6 || d > o/3 {
				t.Errorf("page %d: block difference %.2f (%.2f from the page upside down)", i+1, d, o)
			}
		}
	})
	t.Run("configurable dpi", func(t *testing.T) {
		t.Parallel()
		f, err := Open(context.Background(), path, Options{PDFDPI: 100})
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		p, err := f.Page(context.Background(), 2)
		if err != nil {
			t.Fatal(err)
		}
		if p.DPI != 100 || p.Image.Rect.Dx() != 200 || p.Image.Rect.Dy() != 280 {
			t.Errorf("got %v at %g dpi, want 200x280 at 100", p.Image.Rect, p.DPI)
		}
	})
	t.Run("pages decode concurrently", func(t *testing.T) {
		t.Parallel()
		f, err := Open(context.Background(), path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		errc := make(chan error, 6)
		for range 2 {
			for n := 1; n <= 3; n++ {
				go func() {
					p, err := f.Page(context.Background(), n)
					if err == nil && p.Index != n {
						err = errors.New("wrong page")
					}
					errc <- err
				}()
			}
		}
		for range 6 {
			if err := <-errc; err != nil {
				t.Error(err)
			}
		}
	})
}

// The name of a file is never trusted: content decides.
func TestWrongExtension(t *testing.T) {
	t.Parallel()
	src := synthPage(200, 280, 5)
	tests := []struct {
		name, file string
		data       []byte
		format     Format // "" = must fail
		reason     string
	}{
		{"png named .pdf", "scan.pdf", encodePNG(t, src), PNG, ""},
		{"jpeg named .tif", "scan.tif", encodeJPEG(t, src, 90), JPEG, ""},
		{"pdf named .png", "scan.png", makePDF(flatePage(src, 200)), PDF, ""},
		{"tiff named .jpg", "scan.jpg", tinyTIFF(4, 4, make([]byte, 16), func(uint32) uint32 { return 0 }), TIFF, ""},
		{"text named .png", "scan.png", []byte("Registro fustelle, marzo\nnothing to see\n"), "", "unsupported format (looks like text)"},
		{"zip named .tiff", "scan.tiff", zipBytes(t), "", "unsupported format (looks like ZIP)"},
		{"gif named .jpg", "scan.jpg", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), "", "unsupported format (looks like GIF image)"},
		{"binary junk named .pdf", "scan.pdf", []byte{0, 1, 2, 3, 0xfe, 0xff, 0, 9}, "", "unsupported format (looks like unknown binary data)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := writeFile(t, t.TempDir(), tc.file, tc.data)
			f, pages, errs, err := decodeAll(t, path, Options{})
			if tc.format == "" {
				var e *Error
				if !errors.As(err, &e) || e.Kind != KindUnsupported || e.Page != 0 || e.Source != path {
					t.Fatalf("err %v, want a file-level unsupported *Error", err)
				}
				if want := path + ": " + tc.reason; err.Error() != want {
					t.Errorf("message %q, want %q", err.Error(), want)
				}
				return
			}
			if err != nil || len(errs) > 0 || len(pages) != 1 {
				t.Fatal(err, errs)
			}
			if f.Format() != tc.format {
				t.Errorf("format %s, want %s", f.Format(), tc.format)
			}
		})
	}
}

// hostileCase is one bad input and the error it must produce.
type hostileCase struct {
	name string
	data []byte
	opts Options
	// page is 0 when Open must fail, else the page whose decode must fail.
	page int
	kind Kind
	msg  string // a substring of the message
}

func hostileCases(t *testing.T) []hostileCase {
	src := synthPage(300, 420, 9)
	goodPNG := encodePNG(t, src)
	goodJPEG := encodeJPEG(t, src, 90)
	corruptPNG := append([]byte{}, goodPNG...)
	corruptPNG[len(corruptPNG)/2] ^= 0xff // IDAT CRC no longer matches
	corruptJPEG := append([]byte{}, goodJPEG...)
	if i := bytes.Index(corruptJPEG, []byte{0xff, 0xc4}); i > 0 {
		copy(corruptJPEG[i+4:i+40], bytes.Repeat([]byte{0xff}, 36)) // Huffman table garbage
	}
	a4pdf := makePDF(flatePage(src, 200), flatePage(src, 200), flatePage(src, 200))
	hugePDF := makePDF(pdfImage{Page: flateData(8, 8, 0.03, make([]byte, 64))})
	hugeTIFF := tinyTIFF(50000, 50000, make([]byte, 64), func(uint32) uint32 { return 0 })
	loopTIFF := tinyTIFF(4, 4, make([]byte, 16), func(ifd uint32) uint32 { return ifd })
	return []hostileCase{
		{name: "zero-byte", data: nil, kind: KindEmpty, msg: ": zero-byte file"},
		{name: "50000x50000 png header", data: bombPNG(50000, 50000), page: 1, kind: KindTooLarge,
			msg: "page is 50000x50000 pixels, over the 60 MP limit"},
		{name: "50000x50000 jpeg header", data: bombJPEG(t, 50000, 50000), page: 1, kind: KindTooLarge,
			msg: "page is 50000x50000 pixels, over the 60 MP limit"},
		{name: "50000x50000 tiff directory", data: hugeTIFF, page: 1, kind: KindTooLarge,
			msg: "page is 50000x50000 pixels, over the 60 MP limit"},
		{name: "pdf page over the limit at 200 dpi", data: hugePDF, page: 1, kind: KindTooLarge,
			msg: "page is 53334x53334 pixels, over the 60 MP limit"},
		{name: "png over a lower limit", data: goodPNG, opts: Options{MaxPixels: 100_000}, page: 1, kind: KindTooLarge,
			msg: "page is 300x420 pixels, over the 0.1 MP limit"},
		{name: "truncated png", data: goodPNG[:len(goodPNG)/2], page: 1, kind: KindTruncated, msg: "page 1: truncated"},
		{name: "truncated jpeg", data: goodJPEG[:len(goodJPEG)/2], page: 1, kind: KindTruncated, msg: "page 1: truncated"},
		// Cut at the very end: every scan is there but the end-of-image
		// marker (libjpeg would decode it without a word).
		{name: "jpeg without its end", data: goodJPEG[:len(goodJPEG)-2], page: 1, kind: KindTruncated, msg: "page 1: truncated"},
		{name: "png header only", data: goodPNG[:40], page: 1, kind: KindTruncated, msg: "truncated"},
		{name: "corrupt png", data: corruptPNG, page: 1, kind: KindCorrupt, msg: "page 1: corrupt: png: invalid format"},
		{name: "corrupt jpeg", data: corruptJPEG, page: 1, kind: KindCorrupt, msg: "page 1: corrupt"},
		{name: "tiff header only", data: []byte("II*\x00\x08\x00\x00\x00"), kind: KindTruncated, msg: ": no readable page: truncated"},
		{name: "tiff directory loop", data: loopTIFF, page: 2, kind: KindCorrupt, msg: "page 2: page chain broken after page 1: corrupt: directory chain loops"},
		{name: "pdf that is not one", data: []byte("%PDF-1.7\nthis is not a PDF body at all\n"), kind: KindCorrupt, msg: "corrupt: pdfinfo:"},
		{name: "pdf with too many pages", data: a4pdf, opts: Options{MaxPages: 2}, kind: KindTooManyPages,
			msg: "too many pages (3, over the 2-page limit)"},
		{name: "png over the file size limit", data: goodPNG, opts: Options{MaxFileBytes: 100}, kind: KindTooBig,
			msg: "bytes, over the 100-byte limit"},
		{name: "png timed out", data: goodPNG, opts: Options{PageTimeout: time.Nanosecond}, page: 1, kind: KindTimeout,
			msg: "page 1: timed out"},
		{name: "pdf timed out", data: a4pdf, opts: Options{PageTimeout: time.Nanosecond}, kind: KindTimeout,
			msg: "timed out"},
	}
}

func TestHostileInput(t *testing.T) {
	t.Parallel()
	for _, tc := range hostileCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := writeFile(t, t.TempDir(), "in.dat", tc.data)
			f, pages, errs, err := decodeAll(t, path, tc.opts)
			var got error
			switch {
			case tc.page == 0:
				got = err
				if err == nil {
					t.Fatalf("Open succeeded (%d pages), want an error", f.Count())
				}
			case err != nil:
				// A too-slow pdfinfo may time out at Open already.
				got = err
				if tc.kind != KindTimeout {
					t.Fatalf("Open: %v; want page %d to fail", err, tc.page)
				}
			default:
				if len(errs) != 1 {
					t.Fatalf("%d page errors (%v), want 1", len(errs), errs)
				}
				got = errs[0]
				if len(pages) != f.Count()-1+btoi(tc.page > f.Count()) {
					t.Errorf("%d good pages of %d", len(pages), f.Count())
				}
			}
			var e *Error
			if !errors.As(got, &e) {
				t.Fatalf("%T %v is not an *Error", got, got)
			}
			if e.Kind != tc.kind || e.Source != path || (tc.page > 0 && e.Page != tc.page && err == nil) {
				t.Errorf("kind %s page %d source %s, want %s page %d %s", e.Kind, e.Page, e.Source, tc.kind, tc.page, path)
			}
			if !strings.Contains(got.Error(), tc.msg) || !strings.HasPrefix(got.Error(), path) {
				t.Errorf("message %q, want it to start with the path and contain %q", got.Error(), tc.msg)
			}
		})
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// A bad page does not hide the pages after it, and a truncated TIFF gives
// the pages before the cut and then one error.
func TestTIFFBadPagesDoNotStopTheRest(t *testing.T) {
	t.Parallel()
	orig, err := os.ReadFile(fixtureMulti)
	if err != nil {
		t.Fatal(err)
	}
	f, err := Open(context.Background(), fixtureMulti, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Overwrite page 2's (the fax page's) strip with garbage.
	d := f.tiff.pages[1]
	offs, counts, err := f.tiff.strips(f.f, d, tagStripOffsets, tagStripByteCounts, 1)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	bad := append([]byte{}, orig...)
	for i := offs[0]; i < offs[0]+counts[0]; i++ {
		bad[i] = 0x5a
	}
	dir := t.TempDir()
	_, pages, errs, err := decodeAll(t, writeFile(t, dir, "bad.tif", bad), Options{})
	if err != nil {
		t.Fatal(err)
	}
	var e *Error
	if len(errs) != 1 || !errors.As(errs[0], &e) || e.Page != 2 || e.Kind != KindCorrupt {
		t.Fatalf("errors %v, want page 2 corrupt", errs)
	}
	if len(pages) != 6 || pages[1].Index != 3 {
		t.Fatalf("%d good pages, want 6 (all but page 2)", len(pages))
	}

	// Cut after the second page's directory: the rest of the chain is gone.
	cut := orig[:60000]
	file, pages, errs, err := decodeAll(t, writeFile(t, dir, "cut.tif", cut), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(errs) != 1 || !errors.As(errs[0], &e) || e.Kind != KindTruncated || e.Page != file.Count()+1 {
		t.Fatalf("errors %v, want one truncation after page %d", errs, file.Count())
	}
	if file.Count() < 1 || len(pages) != file.Count() {
		t.Errorf("%d pages decoded of %d", len(pages), file.Count())
	}
	if !strings.Contains(errs[0].Error(), "page chain broken after page") {
		t.Errorf("message %q", errs[0])
	}
}

// The pixel limit is checked before allocating: a 50,000 x 50,000 PNG
// (2.5 GB of pixels) costs almost nothing to refuse. Not parallel, so that
// the allocation count is this test's alone.
func TestPixelBombAllocatesNothing(t *testing.T) {
	dir := t.TempDir()
	paths := []string{
		writeFile(t, dir, "bomb.png", bombPNG(50000, 50000)),
		writeFile(t, dir, "bomb.jpg", bombJPEG(t, 50000, 50000)),
		writeFile(t, dir, "bomb.tif", tinyTIFF(50000, 50000, make([]byte, 64), func(uint32) uint32 { return 0 })),
	}
	for _, path := range paths {
		var before, after runtimeMem
		before.read()
		f, err := Open(context.Background(), path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.Page(context.Background(), 1)
		f.Close()
		after.read()
		var e *Error
		if !errors.As(err, &e) || e.Kind != KindTooLarge {
			t.Fatalf("%s: %v, want too large", path, err)
		}
		if n := after.total - before.total; n > 1<<20 {
			t.Errorf("%s: refusing it allocated %d bytes", path, n)
		}
	}
}

func TestExpand(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	mk := func(rel string) string {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Dir(p), filepath.Base(p), []byte("x"))
		return p
	}
	b := mk("in/b.png")
	a := mk("in/a.png")
	c10 := mk("in/sub/scan_0010.tif")
	c02 := mk("in/sub/scan_0002.tif")
	mk("in/.hidden.png")
	mk("in/.git/config")
	explicitHidden := mk("other/.named.png")
	// A link back to an ancestor, a link to a file already listed, a
	// dangling link, and a FIFO.
	if err := os.Symlink(filepath.Join(dir, "in"), filepath.Join(dir, "in/sub/loop")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(a, filepath.Join(dir, "in/sub/zz-alias.png")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(dir, "nowhere"), filepath.Join(dir, "in/dangling.png")); err != nil {
		t.Fatal(err)
	}
	if err := mkfifo(filepath.Join(dir, "in/pipe.png")); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.png")

	got, err := Expand([]string{filepath.Join(dir, "in"), explicitHidden, a, missing})
	want := []string{a, b, c02, c10, explicitHidden}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("files\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	var msgs []string
	for _, e := range unjoin(err) {
		var se *Error
		if !errors.As(e, &se) {
			t.Errorf("%T is not *Error", e)
		}
		msgs = append(msgs, e.Error())
	}
	joined := strings.Join(msgs, "\n")
	if len(msgs) != 2 || !strings.Contains(joined, "dangling.png: broken symbolic link") || !strings.Contains(joined, "missing.png: cannot read") {
		t.Errorf("errors:\n%s", joined)
	}
}

// A folder of mixed files: every good page comes out, every bad file is one
// error naming it, and the walk goes on.
func TestAllOnAMixedFolder(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	src := synthPage(300, 420, 4)
	writeFile(t, dir, "01-good.png", encodePNG(t, src))
	writeFile(t, dir, "02-empty.png", nil)
	writeFile(t, dir, "03-notes.png", []byte("not a scan\n"))
	writeFile(t, dir, "04-good.jpg", encodeJPEG(t, src, 90))
	writeFile(t, dir, "05-archive.zip", zipBytes(t))
	writeFile(t, dir, "06-truncated.png", encodePNG(t, src)[:500])
	writeFile(t, dir, "07-two.pdf", makePDF(flatePage(src, 200), flatePage(src, 200)))
	writeFile(t, dir, "08-bomb.png", bombPNG(50000, 50000))
	multi, err := os.ReadFile(fixtureMulti)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "09-multi.tif", multi)
	writeFile(t, dir, ".DS_Store", []byte{0, 0, 0, 1, 'B', 'u', 'd', '1'})

	var got []string
	for p, err := range All(context.Background(), []string{dir}, Options{}) {
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("%T %v", err, err)
			}
			got = append(got, filepath.Base(e.Source)+" "+string(e.Kind))
			continue
		}
		if p.Image == nil || p.Image.Rect.Empty() {
			t.Errorf("%s page %d has no image", p.Source, p.Index)
		}
		got = append(got, filepath.Base(p.Source)+" page "+string(rune('0'+p.Index)))
	}
	want := []string{
		"01-good.png page 1",
		"02-empty.png empty",
		"03-notes.png unsupported",
		"04-good.jpg page 1",
		"05-archive.zip unsupported",
		"06-truncated.png truncated",
		"07-two.pdf page 1", "07-two.pdf page 2",
		"08-bomb.png too_large",
		"09-multi.tif page 1", "09-multi.tif page 2", "09-multi.tif page 3", "09-multi.tif page 4",
		"09-multi.tif page 5", "09-multi.tif page 6", "09-multi.tif page 7",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// A panic inside a decoder is an error, not a crash.
func TestGuardRecoversPanics(t *testing.T) {
	t.Parallel()
	_, _, err := guard(context.Background(), func(context.Context) (*image.Gray, float64, error) {
		var m map[string]int
		m["boom"]++ // nil map write: a runtime panic
		return nil, 0, nil
	})
	var e *Error
	if !errors.As(err, &e) || e.Kind != KindCorrupt || !strings.Contains(err.Error(), "decoder crashed") {
		t.Fatalf("got %v", err)
	}
}

// The caller gets the timeout when it falls due, even from a decoder that
// does not look at its context.
func TestGuardReturnsAtTheDeadline(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	release := make(chan struct{})
	defer close(release)
	_, _, err := guard(ctx, func(context.Context) (*image.Gray, float64, error) {
		<-release
		return nil, 0, nil
	})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v", err)
	}
	if e := classify("x.png", 2, err); e.Kind != KindTimeout || e.Error() != "x.png page 2: timed out" {
		t.Errorf("classified as %v (%s)", e, e.Kind)
	}
}

func TestErrorMessages(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err  *Error
		want string
	}{
		{newError("a/b.png", 0, KindEmpty, "", nil), "a/b.png: zero-byte file"},
		{newError("s.tif", 3, KindCorrupt, "", errors.New("ccitt: invalid code")), "s.tif page 3: corrupt: ccitt: invalid code"},
		{newError("s.pdf", 0, KindTooManyPages, "", nil), "s.pdf: too many pages"},
		{newError("s.pdf", 7, KindTimeout, "", nil), "s.pdf page 7: timed out"},
	}
	for _, tc := range tests {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("%q, want %q", got, tc.want)
		}
	}
}

func TestSniff(t *testing.T) {
	t.Parallel()
	tests := []struct {
		head   string
		format Format
		looks  string
	}{
		{"\x89PNG\r\n\x1a\n....", PNG, ""},
		{"\xff\xd8\xff\xe0", JPEG, ""},
		{"II*\x00\x08\x00\x00\x00", TIFF, ""},
		{"MM\x00*\x00\x00\x00\x08", TIFF, ""},
		{"garbage before %PDF-1.4", PDF, ""},
		{"II+\x00", "", "BigTIFF"},
		{"RIFF\x00\x00\x00\x00WEBPVP8 ", "", "WebP image"},
		{"\x00\x00\x00\x18ftypheic", "", "HEIC image"},
		{"PK\x03\x04", "", "ZIP"},
		{"città, 3 €\n", "", "text"},
		{"\x00\x01\x02", "", "unknown binary data"},
	}
	for _, tc := range tests {
		f, looks := sniff([]byte(tc.head))
		if f != tc.format || looks != tc.looks {
			t.Errorf("sniff(%q) = %q, %q; want %q, %q", tc.head, f, looks, tc.format, tc.looks)
		}
	}
}

func TestExpandSkipsSidecarsInFolders(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, n := range []string{"a.png", "a.truth.json", "manifest.json", "README.md", "notes.TXT", "b.tif"} {
		if err := os.WriteFile(filepath.Join(dir, n), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := Expand([]string{dir, filepath.Join(dir, "manifest.json")})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{filepath.Join(dir, "a.png"), filepath.Join(dir, "b.tif"), filepath.Join(dir, "manifest.json")}
	if !slices.Equal(got, want) {
		t.Fatalf("Expand = %v, want %v (sidecars skipped in folders, kept when named)", got, want)
	}
}
