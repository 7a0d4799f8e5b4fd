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

// pdfImage is one page of a hand-made PDF: an image filling the page.
type pdfImage struct {
	W, H   int     // pixels
	DPI    float64 // page size = pixels / DPI inches
	Gray   bool
	Filter string // "DCTDecode" (Data is a JPEG) or "FlateDecode" (Data is raw samples, zlib'd here)
	Data   []byte
	// Cover, when set, is the fraction of the page's width and height the
	// image is drawn over (from the bottom-left corner) instead of all of
	// it; NoImage makes the page a grey vector rectangle instead.
	Cover   float64
	NoImage bool
}

// jpegPage makes a DCTDecode pdfImage from img.
func jpegPage(t testing.TB, img image.Image, dpi float64) pdfImage {
	_, gray := img.(*image.Gray)
	b := img.Bounds()
	return pdfImage{W: b.Dx(), H: b.Dy(), DPI: dpi, Gray: gray, Filter: "DCTDecode", Data: encodeJPEG(t, img, 90)}
}

// flatePage makes a lossless FlateDecode grayscale pdfImage from g.
func flatePage(g *image.Gray, dpi float64) pdfImage {
	b := g.Bounds()
	raw := make([]byte, 0, b.Dx()*b.Dy())
	for y := 0; y < b.Dy(); y++ {
		raw = append(raw, g.Pix[y*g.Stride:y*g.Stride+b.Dx()]...)
	}
	return pdfImage{W: b.Dx(), H: b.Dy(), DPI: dpi, Gray: true, Filter: "FlateDecode", Data: raw}
}

// makePDF writes a minimal, valid PDF with one page per image, each image
// drawn over the whole page: what a scanner's "scan to PDF" produces. It
// builds the cross-reference table from real byte offsets.
func makePDF(pages ...pdfImage) []byte {
	var b bytes.Buffer
	var offsets []int
	obj := func(body string, stream []byte) {
		offsets = append(offsets, b.Len())
		fmt.Fprintf(&b, "%d 0 obj\n%s", len(offsets), body)
		if stream != nil {
			b.WriteString("\nstream\n")
			b.Write(stream)
			b.WriteString("\nendstream")
		}
		b.WriteString("\nendobj\n")
	}
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	n := len(pages)
	// Objects: 1 catalog, 2 pages, then per page: page, content, image.
	kids := ""
	for i := range n {
		kids += fmt.Sprintf("%d 0 R ", 3+3*i)
	}
	obj("<< /Type /Catalog /Pages 2 0 R >>", nil)
	obj(fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", kids, n), nil)
	for i, p := range pages {
		wpt, hpt := float64(p.W)*72/p.DPI, float64(p.H)*72/p.DPI
		page, content, img := 3+3*i, 4+3*i, 5+3*i
		_ = page
		obj(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.4f %.4f] /Contents %d 0 R /Resources << /XObject << /Im0 %d 0 R >> >> >>",
			wpt, hpt, content, img), nil)
		cover := p.Cover
		if cover == 0 {
			cover = 1
		}
		cs := fmt.Sprintf("q %.4f 0 0 %.4f 0 0 cm /Im0 Do Q", wpt*cover, hpt*cover)
		if p.NoImage {
			cs = fmt.Sprintf("0.5 g 10 10 %.4f %.4f re f", wpt/2, hpt/2)
		}
		obj(fmt.Sprintf("<< /Length %d >>", len(cs)), []byte(cs))
		space := "/DeviceRGB"
		if p.Gray {
			space = "/DeviceGray"
		}
		data := p.Data
		if p.Filter == "FlateDecode" {
			var z bytes.Buffer
			zw := zlib.NewWriter(&z)
			zw.Write(data)
			zw.Close()
			data = z.Bytes()
		}
		obj(fmt.Sprintf("<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace %s /BitsPerComponent 8 /Filter /%s /Length %d >>",
			p.W, p.H, space, p.Filter, len(data)), data)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(offsets)+1)
	for _, o := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offsets)+1, xref)
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
