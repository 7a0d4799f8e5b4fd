package tiffwrite

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"image"
	"io"
	"math/rand/v2"
	"testing"

	"golang.org/x/image/ccitt"
	"golang.org/x/image/tiff"
)

// testImage returns a bilevel-looking gray image exercising every G4 mode:
// bars of every width (vertical modes), shifted edges (horizontal mode),
// lone pixels and stairs (pass mode), runs longer than 2560 (make-up codes),
// black at both ends of a row.
func testImage(seed uint64, w, h int) *image.Gray {
	r := rand.New(rand.NewPCG(seed, 1))
	img := image.NewGray(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	set := func(x, y int) {
		if x >= 0 && x < w && y >= 0 && y < h {
			img.Pix[y*w+x] = 0
		}
	}
	for k := 0; k < 40; k++ { // rectangles
		x0, y0 := r.IntN(w), r.IntN(h)
		x1, y1 := x0+r.IntN(w/2+1), y0+r.IntN(h/4+1)
		for y := y0; y < y1; y++ {
			for x := x0; x < x1; x++ {
				set(x, y)
			}
		}
	}
	for y := 0; y < h; y++ { // stairs and noise
		set(y%w, y)
		set(w-1-(2*y)%w, y)
		if r.IntN(3) == 0 {
			set(r.IntN(w), y)
		}
	}
	for y := h / 3; y < h/3+3; y++ { // full black rows
		for x := 0; x < w; x++ {
			set(x, y)
		}
	}
	for y := 2 * h / 3; y < h; y += 5 { // a barcode-like row band
		x := 0
		for x < w {
			n := 1 + r.IntN(4)
			for i := 0; i < n; i++ {
				set(x+i, y)
			}
			x += n + 1 + r.IntN(4)
		}
	}
	return img
}

func TestG4RoundTrip(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		w, h int
		seed uint64
	}{
		{1, 1, 1}, {7, 3, 2}, {64, 64, 3}, {1654, 60, 4}, {3000, 40, 5}, {5300, 20, 6}, {333, 777, 7},
	} {
		t.Run(fmt.Sprintf("%dx%d", tc.w, tc.h), func(t *testing.T) {
			t.Parallel()
			img := testImage(tc.seed, tc.w, tc.h)
			black := make([]bool, tc.w*tc.h)
			for i, v := range img.Pix {
				black[i] = v < 128
			}
			var buf bytes.Buffer
			if err := EncodeG4(&buf, black, tc.w, tc.h); err != nil {
				t.Fatal(err)
			}
			got := image.NewGray(image.Rect(0, 0, tc.w, tc.h))
			if err := ccitt.DecodeIntoGray(got, bytes.NewReader(buf.Bytes()), ccitt.MSB, ccitt.Group4, &ccitt.Options{}); err != nil {
				t.Fatalf("decode: %v", err)
			}
			for i := range img.Pix {
				want := uint8(0xff)
				if black[i] {
					want = 0
				}
				if got.Pix[i] != want {
					t.Fatalf("pixel (%d,%d) = %d, want %d", i%tc.w, i/tc.w, got.Pix[i], want)
				}
			}
		})
	}
}

// readIFDs walks the IFD chain of a little-endian TIFF and returns each
// IFD's tags (first value, or offset for out-of-line values).
func readIFDs(t *testing.T, b []byte) []map[uint16]uint32 {
	t.Helper()
	le := binary.LittleEndian
	if string(b[:4]) != "II*\x00" {
		t.Fatalf("header %q", b[:4])
	}
	var out []map[uint16]uint32
	for off := le.Uint32(b[4:]); off != 0; {
		n := int(le.Uint16(b[off:]))
		tags := map[uint16]uint32{}
		for j := 0; j < n; j++ {
			e := b[int(off)+2+12*j:]
			tag, typ := le.Uint16(e), le.Uint16(e[2:])
			if typ == fShort {
				tags[tag] = uint32(le.Uint16(e[8:]))
			} else {
				tags[tag] = le.Uint32(e[8:])
			}
		}
		out = append(out, tags)
		off = le.Uint32(b[int(off)+2+12*n:])
		if len(out) > 100 {
			t.Fatal("IFD loop")
		}
	}
	return out
}

func TestMultiPage(t *testing.T) {
	t.Parallel()
	pages := []Page{
		{Img: testImage(1, 400, 300), DPI: 200, Bilevel: true},
		{Img: testImage(2, 250, 500), DPI: 300},
		{Img: testImage(3, 1654, 100), DPI: 200, Bilevel: true},
	}
	var buf bytes.Buffer
	if err := Write(&buf, pages); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	ifds := readIFDs(t, b)
	if len(ifds) != len(pages) {
		t.Fatalf("%d IFDs, want %d", len(ifds), len(pages))
	}
	le := binary.LittleEndian
	for i, p := range pages {
		tags := ifds[i]
		w, h := p.Img.Rect.Dx(), p.Img.Rect.Dy()
		if tags[tImageWidth] != uint32(w) || tags[tImageLength] != uint32(h) {
			t.Fatalf("page %d: size %dx%d", i+1, tags[tImageWidth], tags[tImageLength])
		}
		if tags[tPageNumber] != uint32(i) {
			t.Errorf("page %d: PageNumber %d", i+1, tags[tPageNumber])
		}
		res := tags[tXResolution]
		if dpi := float64(le.Uint32(b[res:])) / float64(le.Uint32(b[res+4:])); dpi != p.DPI {
			t.Errorf("page %d: dpi %g, want %g", i+1, dpi, p.DPI)
		}
		data := bytes.NewReader(b[tags[tStripOffsets] : tags[tStripOffsets]+tags[tStripByteCounts]])
		got := image.NewGray(image.Rect(0, 0, w, h))
		if p.Bilevel {
			if tags[tCompression] != 4 || tags[tBitsPerSample] != 1 {
				t.Fatalf("page %d: compression %d bps %d", i+1, tags[tCompression], tags[tBitsPerSample])
			}
			if err := ccitt.DecodeIntoGray(got, data, ccitt.MSB, ccitt.Group4, &ccitt.Options{}); err != nil {
				t.Fatalf("page %d: %v", i+1, err)
			}
		} else {
			zr, err := zlib.NewReader(data)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := io.ReadFull(zr, got.Pix); err != nil {
				t.Fatalf("page %d: %v", i+1, err)
			}
		}
		for k := range got.Pix {
			want := p.Img.Pix[k]
			if p.Bilevel {
				want = map[bool]uint8{true: 0, false: 255}[want < 128]
			}
			if got.Pix[k] != want {
				t.Fatalf("page %d: pixel %d = %d, want %d", i+1, k, got.Pix[k], want)
			}
		}
	}
	// The first page also decodes with the standard TIFF reader.
	img, err := tiff.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("x/image/tiff: %v", err)
	}
	if img.Bounds().Dx() != 400 {
		t.Fatalf("x/image/tiff: width %d", img.Bounds().Dx())
	}
	for y := 0; y < 300; y++ {
		for x := 0; x < 400; x++ {
			r, _, _, _ := img.At(x, y).RGBA()
			if (r < 0x8000) != (pages[0].Img.Pix[y*400+x] < 128) {
				t.Fatalf("x/image/tiff: pixel (%d,%d) differs", x, y)
			}
		}
	}
}

func TestWriteErrors(t *testing.T) {
	t.Parallel()
	for _, pages := range [][]Page{
		nil,
		{{Img: image.NewGray(image.Rect(0, 0, 0, 0)), DPI: 200}},
		{{Img: image.NewGray(image.Rect(0, 0, 4, 4)), DPI: 0}},
	} {
		if err := Write(io.Discard, pages); err == nil {
			t.Errorf("Write(%v) succeeded", pages)
		}
	}
}

func BenchmarkG4A4(b *testing.B) {
	img := testImage(9, 1654, 2339)
	black := make([]bool, len(img.Pix))
	for i, v := range img.Pix {
		black[i] = v < 128
	}
	for b.Loop() {
		if err := EncodeG4(io.Discard, black, 1654, 2339); err != nil {
			b.Fatal(err)
		}
	}
}
