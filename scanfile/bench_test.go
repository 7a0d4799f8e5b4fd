package scanfile

import (
	"context"
	"image"
	"os"
	"testing"

	"github.com/regfus/regfus/internal/cputime"
)

// noisy adds deterministic paper grain of +-amp gray levels, so that the
// PNG and JPEG benchmarks compress like real scans rather than like flat
// synthetic white.
func noisy(g *image.Gray, amp int) *image.Gray {
	out := image.NewGray(g.Rect)
	s := uint32(12345)
	for i, v := range g.Pix {
		s = s*1664525 + 1013904223
		n := int(v) + int(s>>24)%(2*amp+1) - amp
		out.Pix[i] = uint8(max(0, min(255, n)))
	}
	return out
}

// BenchmarkDecode decodes one 200-dpi A4 page (1654 x 2339) per format, as
// the reader gets it (gray, square pixels), and reports wall and CPU
// ms/page (the CPU of this process and of the pdftoppm runs it waited
// for). The file is
// opened once; for PDF that leaves out pdfinfo, paid once per file.
//
//	go test ./scanfile -run '^$' -bench Decode -benchtime 20x
func BenchmarkDecode(b *testing.B) {
	page := synthPage(a4W200, a4H200, 21)
	scan := noisy(page, 6)
	g4, err := os.ReadFile(fixtureA4G4)
	if err != nil {
		b.Fatal(err)
	}
	cases := []struct {
		name  string
		data  []byte
		width int // of the page decoded
	}{
		{"png-gray", encodePNG(b, scan), a4W200},
		{"png-rgb", encodePNG(b, rgbOf(scan)), a4W200},
		{"jpeg-gray", encodeJPEG(b, scan, 85), a4W200},
		{"jpeg-rgb", encodeJPEG(b, rgbOf(scan), 85), a4W200},
		{"tiff-g4", g4, a4W200},
		{"pdf-jpeg-200dpi", makePDF(jpegPage(b, scan, 200)), a4W200},
		// A page that is one image is read at the image's resolution
		// (Options.PDFDPI zero).
		{"pdf-jpeg-300dpi-source", makePDF(jpegPage(b, noisy(synthPage(2480, 3508, 21), 6), 300)), 2480},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			path := writeFile(b, b.TempDir(), "page", tc.data)
			f, err := Open(context.Background(), path, Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer f.Close()
			b.SetBytes(int64(len(tc.data)))
			b.ReportAllocs()
			b.ResetTimer()
			cpu0 := cputime.WithChildren()
			for b.Loop() {
				p, err := f.Page(context.Background(), 1)
				if err != nil {
					b.Fatal(err)
				}
				if w := p.Image.Rect.Dx(); w < tc.width-1 || w > tc.width+1 {
					b.Fatalf("width %d, want %d", w, tc.width)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Microseconds())/1e3/float64(b.N), "ms/page")
			b.ReportMetric(float64((cputime.WithChildren()-cpu0).Microseconds())/1e3/float64(b.N), "cpu-ms/page")
		})
	}
}

// BenchmarkOpenPDF is the once-per-file cost of a PDF: pdfinfo.
func BenchmarkOpenPDF(b *testing.B) {
	path := writeFile(b, b.TempDir(), "doc.pdf", makePDF(flatePage(synthPage(400, 560, 1), 200)))
	cpu0 := cputime.WithChildren()
	for b.Loop() {
		f, err := Open(context.Background(), path, Options{})
		if err != nil {
			b.Fatal(err)
		}
		f.Close()
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1e3/float64(b.N), "ms/file")
	b.ReportMetric(float64((cputime.WithChildren()-cpu0).Microseconds())/1e3/float64(b.N), "cpu-ms/file")
}
