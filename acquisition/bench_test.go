package acquisition

import (
	"context"
	"image"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/regfus/regfus/layout"
	"github.com/regfus/regfus/render/rendertest"
	"github.com/regfus/regfus/scanfile"
	"github.com/regfus/regfus/vision"
)

// The benchmarks time each stage on one 200-dpi page with every slot
// filled (rendered here, slightly skewed), and decoding on the corpus.
// Figures for issue 4: go test -run XXX -bench . ./acquisition/

// cpuMetric reports the process's CPU time (user + system) per operation
// from now to the end of the benchmark: on a machine shared with other
// work, wall time per operation is inflated and CPU time is what a page
// costs. Call it after ResetTimer.
func cpuMetric(b *testing.B) {
	start := cpuTime()
	b.Cleanup(func() {
		if b.N > 0 {
			b.ReportMetric(float64((cpuTime()-start).Microseconds())/1000/float64(b.N), "cpu-ms/op")
		}
	})
}

// cpuTime is the process's user + system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func benchPage(b *testing.B) *image.Gray {
	b.Helper()
	l := layout.Current()
	g := rendertest.EmptySheet(b, 200)
	for _, s := range l.Slots {
		stickLabel(b, g, 200, s, testLabel(b, s.N), 0, 0, false)
	}
	img, _ := transformed(b, g, 0.7, 1, 0)
	return img
}

// benchState is a page with its geometry found, ready for the later steps.
func benchState(b *testing.B, r *Reader) *pageState {
	img := benchPage(b)
	st := &pageState{ctx: context.Background(), r: r, src: img, res: newResult("bench", 1, r)}
	var err error
	if st.img, err = vision.NewImage(img); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.img.Close() })
	if err := st.geometry(); err != nil {
		b.Fatal(err)
	}
	return st
}

func ocrReader(b *testing.B) *Reader {
	r, err := NewOCRReader(nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { r.Close() })
	return r
}

// BenchmarkDecode decodes the first office page of the corpus (JPEG).
func BenchmarkDecode(b *testing.B) {
	files, _ := os.ReadDir(corpusDir)
	path := ""
	for _, f := range files {
		if len(f.Name()) > 10 && f.Name()[len(f.Name())-10:] == "office.jpg" {
			path = corpusDir + "/" + f.Name()
			break
		}
	}
	if path == "" {
		b.Skip("no office page in the corpus")
	}
	for i := 0; i < b.N; i++ {
		for _, err := range scanfile.All(context.Background(), []string{path}, scanOptions) {
			if err != nil {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkGeometry(b *testing.B) {
	img := benchPage(b)
	b.ResetTimer()
	cpuMetric(b)
	for i := 0; i < b.N; i++ {
		im, err := vision.NewImage(img)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := findGeometry(im, layout.Current()); err != nil {
			b.Fatal(err)
		}
		im.Close()
	}
}

// BenchmarkBarcodes is the slots step without OCR: bar regions, decoding,
// outlines, for 28 filled slots.
func BenchmarkBarcodes(b *testing.B) {
	st := benchState(b, NewReader(nil))
	b.ResetTimer()
	cpuMetric(b)
	for i := 0; i < b.N; i++ {
		st.res.Slots = st.res.Slots[:0]
		if err := st.slots(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOCR is the OCR of the 56 code lines of a full page.
func BenchmarkOCR(b *testing.B) {
	st := benchState(b, ocrReader(b))
	var lines []labelRead
	for _, s := range st.r.layout.Slots {
		sr, err := st.readSlot(s)
		if err != nil {
			b.Fatal(err)
		}
		lines = append(lines, sr.labels...)
	}
	b.ResetTimer()
	cpuMetric(b)
	for i := 0; i < b.N; i++ {
		for k := range lines {
			lr := lines[k]
			win := lineWindows(&lr)[0]
			st.ocrUnder(&lr, lr.kind, lr.reversed, win, lineMargin)
		}
	}
}

// BenchmarkReadPage is a whole page, every filled slot OCR-checked.
func BenchmarkReadPage(b *testing.B) {
	img := benchPage(b)
	r := ocrReader(b)
	b.ResetTimer()
	cpuMetric(b)
	for i := 0; i < b.N; i++ {
		r.Read(context.Background(), img, "bench", 1)
	}
}
