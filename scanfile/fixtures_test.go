package scanfile

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"image"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// The TIFF fixtures in testdata/ are written by libtiff (ppm2tiff, tiffcp,
// tiffset from Debian's libtiff-tools), an implementation independent of the
// decoders under test, from pages drawn by synthPage. Regenerate them with
//
//	go test ./scanfile -run TestTIFFFixtures -update
//
// TestTIFFFixtures always checks that every page decodes to the very pixels
// it was made from.
var update = flag.Bool("update", false, "regenerate testdata TIFF fixtures with libtiff-tools")

const (
	fixtureMulti = "testdata/multipage.tif"
	fixtureA4G4  = "testdata/a4-g4.tif"
	fxW, fxH     = 620, 880
)

// tiffFixturePage describes one page of testdata/multipage.tif.
type tiffFixturePage struct {
	name        string
	compression uint   // expected TIFF Compression tag
	args        string // ppm2tiff compression option
	kind        string // pbm, pgm or ppm source
	rows        int    // rows of the source (the fax page has half)
	yres        string // YResolution override ("" = same as X, 200)
	thumb       bool   // marked as a reduced-resolution image: not a page
	// tolerance is the largest mean absolute difference allowed (0 = exact).
	tolerance float64
}

var multiPages = []tiffFixturePage{
	{name: "g4 bitonal, strips of 100 rows", compression: 4, args: "g4", kind: "pbm", rows: fxH},
	{name: "g3 1-D bitonal fax, 200x100 dpi", compression: 3, args: "g3:1d", kind: "pbm", rows: fxH / 2, yres: "100"},
	{name: "thumbnail", compression: 1, args: "none", kind: "pbm", rows: 64, thumb: true},
	{name: "lzw gray with predictor", compression: 5, args: "lzw:2", kind: "pgm", rows: fxH},
	{name: "packbits rgb", compression: 32773, args: "packbits", kind: "ppm", rows: fxH},
	{name: "deflate gray", compression: 8, args: "zip", kind: "pgm", rows: fxH},
	{name: "jpeg ycbcr", compression: 7, args: "jpeg:90", kind: "ppm", rows: fxH, tolerance: 3},
	{name: "g3 1-D bitonal, byte-aligned EOLs", compression: 3, args: "g3:1d:fill", kind: "pbm", rows: fxH},
}

// sourceOf is the image a fixture page was made from, as the reader should
// get it back (the fax page with its rows doubled to square pixels).
func sourceOf(i int, p tiffFixturePage) *image.Gray {
	w := fxW
	if p.thumb {
		w = 45
	}
	g := synthPage(w, p.rows, i+1)
	if p.kind == "pbm" {
		g = bitonal(g)
	}
	return g
}

func wantOf(i int, p tiffFixturePage) *image.Gray {
	g := sourceOf(i, p)
	if p.yres == "100" {
		out := image.NewGray(image.Rect(0, 0, g.Rect.Dx(), 2*g.Rect.Dy()))
		for y := 0; y < out.Rect.Dy(); y++ {
			copy(out.Pix[y*out.Stride:], g.Pix[(y/2)*g.Stride:(y/2)*g.Stride+g.Rect.Dx()])
		}
		return out
	}
	return g
}

// writePNM writes g as PBM (1 = black), PGM or PPM (gray in all channels).
func writePNM(t *testing.T, path, kind string, g *image.Gray) {
	t.Helper()
	w, h := g.Rect.Dx(), g.Rect.Dy()
	var b bytes.Buffer
	switch kind {
	case "pbm":
		fmt.Fprintf(&b, "P4\n%d %d\n", w, h)
		row := make([]byte, (w+7)/8)
		for y := 0; y < h; y++ {
			clear(row)
			for x := 0; x < w; x++ {
				if g.Pix[y*g.Stride+x] < 128 {
					row[x/8] |= 0x80 >> (x % 8)
				}
			}
			b.Write(row)
		}
	case "pgm":
		fmt.Fprintf(&b, "P5\n%d %d\n255\n", w, h)
		for y := 0; y < h; y++ {
			b.Write(g.Pix[y*g.Stride : y*g.Stride+w])
		}
	case "ppm":
		fmt.Fprintf(&b, "P6\n%d %d\n255\n", w, h)
		for _, v := range g.Pix {
			b.Write([]byte{v, v, v})
		}
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func run(t *testing.T, name string, args ...string) {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
}

func regenerateTIFFFixtures(t *testing.T) {
	tmp := t.TempDir()
	var parts []string
	thumbDir := -1
	for i, p := range multiPages {
		src := filepath.Join(tmp, fmt.Sprintf("p%d.%s", i, p.kind))
		writePNM(t, src, p.kind, sourceOf(i, p))
		out := filepath.Join(tmp, fmt.Sprintf("p%d.tif", i))
		args := []string{"-c", p.args, "-R", "200"}
		if i == 0 {
			args = append(args, "-r", "100")
		}
		run(t, "ppm2tiff", append(args, src, out)...)
		if p.yres != "" {
			run(t, "tiffset", "-s", "283", p.yres, out)
		}
		if p.thumb {
			thumbDir = i
		}
		parts = append(parts, out)
	}
	if err := os.MkdirAll("testdata", 0o755); err != nil {
		t.Fatal(err)
	}
	os.Remove(fixtureMulti)
	run(t, "tiffcp", append(parts, fixtureMulti)...)
	run(t, "tiffset", "-d", fmt.Sprint(thumbDir), "-s", "254", "1", fixtureMulti)

	src := filepath.Join(tmp, "a4.pbm")
	writePNM(t, src, "pbm", bitonal(synthPage(a4W200, a4H200, 99)))
	os.Remove(fixtureA4G4)
	run(t, "ppm2tiff", "-c", "g4", "-R", "200", src, fixtureA4G4)
}

func TestTIFFFixtures(t *testing.T) {
	if *update {
		regenerateTIFFFixtures(t)
	}
	ctx := context.Background()
	f, err := Open(ctx, fixtureMulti, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var want []int // indexes into multiPages of the real pages
	for i, p := range multiPages {
		if !p.thumb {
			want = append(want, i)
		}
	}
	if f.Format() != TIFF || f.Count() != len(want) {
		t.Fatalf("format %s, %d pages; want tiff, %d (the thumbnail is not a page)", f.Format(), f.Count(), len(want))
	}
	n := 0
	for pg, err := range f.Pages(ctx) {
		if err != nil {
			t.Errorf("page %d: %v", n+1, err)
			n++
			continue
		}
		spec := multiPages[want[n]]
		n++
		t.Run(spec.name, func(t *testing.T) {
			if got := f.tiff.pages[pg.Index-1].compression; got != spec.compression {
				t.Fatalf("fixture page %d has compression %d, want %d: regenerate it", pg.Index, got, spec.compression)
			}
			if pg.Index != n || pg.Count != len(want) || pg.Source != fixtureMulti || pg.Format != TIFF {
				t.Errorf("page %+v", pg)
			}
			if pg.DPI != 200 {
				t.Errorf("DPI %g, want 200", pg.DPI)
			}
			exp := wantOf(want[n-1], spec)
			if pg.Image.Rect != exp.Rect {
				t.Fatalf("size %v, want %v", pg.Image.Rect, exp.Rect)
			}
			if spec.tolerance == 0 {
				if d := exactDiff(pg.Image, exp); d != 0 {
					t.Errorf("%d pixels differ from the source", d)
				}
			} else if d := meanAbsDiff(pg.Image, exp); d > spec.tolerance {
				t.Errorf("mean abs difference %.2f, want <= %.2f", d, spec.tolerance)
			}
		})
	}
	if n != len(want) {
		t.Errorf("iterated %d pages, want %d", n, len(want))
	}

	pg, err := ReadPage(ctx, fixtureA4G4, Options{}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if d := exactDiff(pg.Image, bitonal(synthPage(a4W200, a4H200, 99))); d != 0 || pg.DPI != 200 {
		t.Errorf("A4 G4: %d pixels differ, dpi %g", d, pg.DPI)
	}
}

// setTIFFShort rewrites the value of a SHORT tag in the first IFD of a
// little- or big-endian TIFF held in memory.
func setTIFFShort(t *testing.T, data []byte, tag, value uint16) {
	t.Helper()
	order, off, err := tiffHeader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	n := int(order.Uint16(data[off:]))
	for i := 0; i < n; i++ {
		e := data[int(off)+2+12*i:]
		if order.Uint16(e) == tag {
			order.PutUint16(e[8:], value)
			return
		}
	}
	t.Fatalf("no tag %d", tag)
}

// A CCITT page marked BlackIsZero shows inverted, as libtiff shows it
// (checked by hand: tiffset -s 262 1 then tiffcp -c none gives a black page).
func TestCCITTBlackIsZeroIsInverted(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(fixtureA4G4)
	if err != nil {
		t.Fatal(err)
	}
	setTIFFShort(t, data, tagPhotometric, 1)
	_, pages, errs, err := decodeAll(t, writeFile(t, t.TempDir(), "mib.tif", data), Options{})
	if err != nil || len(errs) > 0 {
		t.Fatal(err, errs)
	}
	want := bitonal(synthPage(a4W200, a4H200, 99))
	for i := range want.Pix {
		want.Pix[i] = 255 - want.Pix[i]
	}
	if d := exactDiff(pages[0].Image, want); d != 0 {
		t.Errorf("%d pixels differ from the inverted source", d)
	}
}
