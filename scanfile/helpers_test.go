package scanfile

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"

	"github.com/regfus/regfus/pdfwrite"
)

// A4 at 200 dpi, the reader's working resolution.
const (
	a4W200 = 1654
	a4H200 = 2339
)

// synthPage draws a deterministic page-like grayscale image: white paper,
// four solid corner squares, a barcode-like band of bars, rows of boxes and
// a gray tint band. seed varies the bars so pages of one file differ.
func synthPage(w, h, seed int) *image.Gray {
	g := image.NewGray(image.Rect(0, 0, w, h))
	for i := range g.Pix {
		g.Pix[i] = 255
	}
	fill := func(x0, y0, x1, y1 int, v uint8) {
		r := image.Rect(x0, y0, x1, y1).Intersect(g.Rect)
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for x := r.Min.X; x < r.Max.X; x++ {
				g.Pix[y*g.Stride+x] = v
			}
		}
	}
	m := w / 25
	fill(m, m, 2*m, 2*m, 0)
	fill(w-2*m, m, w-m, 2*m, 0)
	fill(m, h-2*m, 2*m, h-m, 0)
	fill(w-2*m, h-2*m, w-m, h-m, 0)
	// Bars: widths from a little LCG so each seed gives its own pattern.
	x, s := 3*m, uint32(seed*7919+1)
	for x < w-3*m {
		s = s*1664525 + 1013904223
		bw := 2 + int(s>>28)%5
		if (s>>20)&1 == 1 {
			fill(x, 3*m, x+bw, 5*m, 0)
		}
		x += bw
	}
	for row := 0; row < 6; row++ {
		for col := 0; col < 4; col++ {
			x0, y0 := 2*m+col*(w-4*m)/4, 7*m+row*(h-10*m)/6
			x1, y1 := x0+(w-4*m)/4-m/2, y0+(h-10*m)/6-m/2
			fill(x0, y0, x1, y0+2, 0)
			fill(x0, y1-2, x1, y1, 0)
			fill(x0, y0, x0+2, y1, 0)
			fill(x1-2, y0, x1, y1, 0)
		}
	}
	fill(0, h/2, w, h/2+m/3, 200)
	return g
}

// bitonal thresholds g to 0/255.
func bitonal(g *image.Gray) *image.Gray {
	out := image.NewGray(g.Rect)
	for i, v := range g.Pix {
		if v >= 128 {
			out.Pix[i] = 255
		}
	}
	return out
}

// rgbOf paints g into an RGBA image with a warm paper tint, so that the
// luma of every pixel is known: gray levels stay exact for 0 and 255.
func rgbOf(g *image.Gray) *image.RGBA {
	out := image.NewRGBA(g.Rect)
	for i, v := range g.Pix {
		out.Pix[4*i], out.Pix[4*i+1], out.Pix[4*i+2], out.Pix[4*i+3] = v, v, v, 255
	}
	return out
}

func encodePNG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func encodeJPEG(t testing.TB, img image.Image, q int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: q}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func writeFile(t testing.TB, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// pdfImage is one page of a hand-made PDF: an image filling the page, or,
// with Cover set, the fraction of the page's width and height it is drawn
// over (from the bottom-left corner).
type pdfImage struct {
	pdfwrite.Page
	Cover float64
}

// jpegPage makes a DCTDecode pdfImage from img.
func jpegPage(t testing.TB, img image.Image, dpi float64) pdfImage {
	_, gray := img.(*image.Gray)
	b := img.Bounds()
	return pdfImage{Page: pdfwrite.Page{Width: b.Dx(), Height: b.Dy(), DPI: dpi, Gray: gray, Filter: pdfwrite.DCT, Data: encodeJPEG(t, img, 90)}}
}

// flatePage makes a lossless FlateDecode grayscale pdfImage from g.
func flatePage(g *image.Gray, dpi float64) pdfImage {
	b := g.Bounds()
	raw := make([]byte, 0, b.Dx()*b.Dy())
	for y := 0; y < b.Dy(); y++ {
		raw = append(raw, g.Pix[y*g.Stride:y*g.Stride+b.Dx()]...)
	}
	return pdfImage{Page: flateData(b.Dx(), b.Dy(), dpi, raw)}
}

// flateData makes a FlateDecode grayscale page of raw 8-bit samples.
func flateData(w, h int, dpi float64, raw []byte) pdfwrite.Page {
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write(raw)
	zw.Close()
	return pdfwrite.Page{Width: w, Height: h, DPI: dpi, Gray: true, Filter: pdfwrite.Flate, Data: z.Bytes()}
}

// makePDF writes a PDF with one page per image, as a scanner's "scan to
// PDF" produces (package pdfwrite, which synth's corpus is written with).
func makePDF(pages ...pdfImage) []byte {
	out := make([]pdfwrite.Page, len(pages))
	for i, p := range pages {
		out[i] = p.Page
		if p.Cover != 0 {
			wpt, hpt := p.Size()
			out[i].Contents = fmt.Sprintf("q %.4f 0 0 %.4f 0 0 cm %s Do Q", wpt*p.Cover, hpt*p.Cover, pdfwrite.ImageName(i))
		}
	}
	var b bytes.Buffer
	if err := pdfwrite.Write(&b, out); err != nil {
		panic(err)
	}
	return b.Bytes()
}

// meanAbsDiff is the mean absolute difference of two equal-sized images.
func meanAbsDiff(a, b *image.Gray) float64 {
	var sum int64
	w, h := a.Rect.Dx(), a.Rect.Dy()
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			d := int64(a.Pix[y*a.Stride+x]) - int64(b.Pix[y*b.Stride+x])
			if d < 0 {
				d = -d
			}
			sum += d
		}
	}
	return float64(sum) / float64(w*h)
}

// exactDiff counts differing pixels.
func exactDiff(a, b *image.Gray) int {
	n := 0
	w, h := a.Rect.Dx(), a.Rect.Dy()
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			if a.Pix[y*a.Stride+x] != b.Pix[y*b.Stride+x] {
				n++
			}
		}
	}
	return n
}

// runtimeMem snapshots the bytes allocated so far by the process.
type runtimeMem struct{ total uint64 }

func (m *runtimeMem) read() {
	var s runtime.MemStats
	runtime.ReadMemStats(&s)
	m.total = s.TotalAlloc
}

func mkfifo(path string) error { return syscall.Mkfifo(path, 0o644) }

// blockDiff is the mean absolute difference of the k x k block means of
// two equal-sized images: it ignores the sub-pixel shifts and edge
// smoothing of a rasteriser but not a wrong or misplaced page.
func blockDiff(a, b *image.Gray, k int) float64 {
	w, h := a.Rect.Dx()/k, a.Rect.Dy()/k
	var sum float64
	for by := 0; by < h; by++ {
		for bx := 0; bx < w; bx++ {
			var sa, sb int
			for y := by * k; y < by*k+k; y++ {
				for x := bx * k; x < bx*k+k; x++ {
					sa += int(a.Pix[y*a.Stride+x])
					sb += int(b.Pix[y*b.Stride+x])
				}
			}
			d := float64(sa-sb) / float64(k*k)
			if d < 0 {
				d = -d
			}
			sum += d
		}
	}
	return sum / float64(w*h)
}

// flip turns g upside down.
func flip(g *image.Gray) *image.Gray {
	out := image.NewGray(g.Rect)
	h, w := g.Rect.Dy(), g.Rect.Dx()
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			out.Pix[y*out.Stride+x] = g.Pix[(h-1-y)*g.Stride+w-1-x]
		}
	}
	return out
}
