package synth

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	_ "image/jpeg"
	_ "image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/image/ccitt"

	"github.com/regfus/regfus/geom"
)

// loadPages returns every page of an image file of the corpus as gray
// images, whatever its format: PNG and JPEG through image.Decode, TIFF by
// walking its IFD chain (x/image/tiff reads only the first page), PDF by
// taking out the JPEG image of each page.
func loadPages(t testing.TB, path string) []*image.Gray {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".tif":
		return tiffPages(t, path, b)
	case ".pdf":
		var out []*image.Gray
		for rest := b; ; {
			i := bytes.Index(rest, []byte("stream\n\xff\xd8\xff"))
			if i < 0 {
				break
			}
			rest = rest[i+len("stream\n"):]
			j := bytes.Index(rest, []byte("\nendstream"))
			if j < 0 {
				t.Fatalf("%s: unterminated stream", path)
			}
			out = append(out, decodeGray(t, path, rest[:j]))
			rest = rest[j:]
		}
		if len(out) == 0 {
			t.Fatalf("%s: no JPEG page", path)
		}
		return out
	}
	return []*image.Gray{decodeGray(t, path, b)}
}

func decodeGray(t testing.TB, path string, b []byte) *image.Gray {
	t.Helper()
	img, _, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if g, ok := img.(*image.Gray); ok {
		return g
	}
	g := image.NewGray(img.Bounds())
	for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y; y++ {
		for x := img.Bounds().Min.X; x < img.Bounds().Max.X; x++ {
			g.Set(x, y, color.GrayModel.Convert(img.At(x, y)))
		}
	}
	return g
}

func tiffPages(t testing.TB, path string, b []byte) []*image.Gray {
	t.Helper()
	le := binary.LittleEndian
	if len(b) < 8 || string(b[:4]) != "II*\x00" {
		t.Fatalf("%s: not a little-endian TIFF", path)
	}
	var out []*image.Gray
	for off := int(le.Uint32(b[4:])); off != 0; {
		n := int(le.Uint16(b[off:]))
		tags := map[uint16]int{}
		for j := 0; j < n; j++ {
			e := b[off+2+12*j:]
			if le.Uint16(e[2:]) == 3 {
				tags[le.Uint16(e)] = int(le.Uint16(e[8:]))
			} else {
				tags[le.Uint16(e)] = int(le.Uint32(e[8:]))
			}
		}
		w, h := tags[256], tags[257]
		if tags[259] != 4 {
			t.Fatalf("%s page %d: compression %d, want 4 (G4)", path, len(out)+1, tags[259])
		}
		g := image.NewGray(image.Rect(0, 0, w, h))
		strip := b[tags[273] : tags[273]+tags[279]]
		if err := ccitt.DecodeIntoGray(g, bytes.NewReader(strip), ccitt.MSB, ccitt.Group4, &ccitt.Options{}); err != nil {
			t.Fatalf("%s page %d: %v", path, len(out)+1, err)
		}
		out = append(out, g)
		off = int(le.Uint32(b[off+2+12*n:]))
	}
	return out
}

// rectify cuts the symbol with corners q (page mm, in the label's own
// orientation) plus a margin of m mm out of a scanned page, upright and
// axis-aligned, at the scan's effective resolution: what a reader gets
// after locating the label.
func rectify(img *image.Gray, sc Scan, q Quad, m float64) *image.Gray {
	ux, uy := unit(q[0], q[1]), unit(q[0], q[3])
	w := math.Hypot(q[1].X-q[0].X, q[1].Y-q[0].Y) + 2*m
	h := math.Hypot(q[3].X-q[0].X, q[3].Y-q[0].Y) + 2*m
	o := geom.Point{X: q[0].X - m*ux.X - m*uy.X, Y: q[0].Y - m*ux.Y - m*uy.Y}
	k := sc.EffectiveDPI / 25.4
	cw, ch := int(w*k), int(h*k)
	out := image.NewGray(image.Rect(0, 0, cw, ch))
	for y := 0; y < ch; y++ {
		for x := 0; x < cw; x++ {
			a, b := (float64(x)+0.5)/k, (float64(y)+0.5)/k
			px, py := o.X+a*ux.X+b*uy.X, o.Y+a*ux.Y+b*uy.Y
			ix, iy := sc.ToImage(px, py)
			out.Pix[y*cw+x] = uint8(bilinear(img, ix-0.5, iy-0.5) + 0.5)
		}
	}
	return out
}

func unit(a, b geom.Point) geom.Point {
	d := math.Hypot(b.X-a.X, b.Y-a.Y)
	return geom.Point{X: (b.X - a.X) / d, Y: (b.Y - a.Y) / d}
}

// mean returns the mean gray of img in a square of side s px around (x, y).
func mean(img *image.Gray, x, y float64, s int) float64 {
	var sum, n float64
	for dy := -s / 2; dy <= s/2; dy++ {
		for dx := -s / 2; dx <= s/2; dx++ {
			px, py := int(x)+dx, int(y)+dy
			if image.Pt(px, py).In(img.Rect) {
				sum += float64(img.GrayAt(px, py).Y)
				n++
			}
		}
	}
	if n == 0 {
		return math.NaN()
	}
	return sum / n
}

func pageName(p Page) string { return fmt.Sprintf("%s page %d", p.File, p.Page) }
