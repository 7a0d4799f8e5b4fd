package acquisition

import (
	"context"
	"image"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/regfus/regfus/internal/cputime"
	"github.com/regfus/regfus/layout"
	"github.com/regfus/regfus/render/rendertest"
	"github.com/regfus/regfus/scanfile"
	"github.com/regfus/regfus/tesseract"
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
	start := cputime.Self()
	b.Cleanup(func() {
		if b.N > 0 {
			b.ReportMetric(float64((cputime.Self()-start).Microseconds())/1000/float64(b.N), "cpu-ms/op")
		}
	})
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

// benchPagesDir names a folder of page images (regfus bench's corpus,
// e.g. /work/bench200 or a folder regfus bench --dir generated) for the
// two benchmarks below; without it they skip. BENCH_PAGES bounds how many
// of its pages are decoded (default 20).
const benchPagesDir = "REGFUS_BENCH_DIR"

// benchPages decodes up to BENCH_PAGES pages of $REGFUS_BENCH_DIR.
func benchPages(b *testing.B) []scanfile.Page {
	dir := os.Getenv(benchPagesDir)
	if dir == "" {
		b.Skipf("%s not set", benchPagesDir)
	}
	n := 20
	if v, err := strconv.Atoi(os.Getenv("BENCH_PAGES")); err == nil && v > 0 {
		n = v
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.jpg"))
	if err != nil || len(files) == 0 {
		b.Skipf("no *.jpg in %s", dir)
	}
	sort.Strings(files)
	var pages []scanfile.Page
	for pg, err := range scanfile.All(context.Background(), files[:min(n, len(files))], scanOptions) {
		if err != nil {
			b.Fatal(err)
		}
		pages = append(pages, pg)
	}
	return pages
}

// BenchmarkReadPages reads the pages of $REGFUS_BENCH_DIR in turn with one
// OCR reader, as one worker of regfus scan does (decoding excluded): the
// CPU and the allocations per page of the pipeline on real corpus pages,
// for -cpuprofile and -memprofile (regfus bench's profile is the scan's,
// whose allocations it cannot show).
//
//	REGFUS_BENCH_DIR=/work/bench200 go test -run XXX -bench ReadPages -benchtime 40x -benchmem ./acquisition/
//
// It also reports how often Tesseract ran (issue 17 keeps it as the
// arbiter of the bars and the fast line reader): the lines its engines
// recognised per page, the code lines' model and second opinion
// (tess-lines/page) and the printed fields' (field-lines/page), and the
// mean size of a code line given to it (tess-px/line).
func BenchmarkReadPages(b *testing.B) {
	pages := benchPages(b)
	r := ocrReader(b)
	b.ResetTimer()
	cpuMetric(b)
	codes0, fields0 := tesseractUsage(r.ocr), tesseractUsage(r.fields)
	for i := 0; i < b.N; i++ {
		pg := pages[i%len(pages)]
		r.Read(context.Background(), pg.Image, pg.Source, pg.Index)
	}
	codes, fields := tesseractUsage(r.ocr), tesseractUsage(r.fields)
	b.ReportMetric(float64(codes.Recognitions-codes0.Recognitions)/float64(b.N), "tess-lines/page")
	b.ReportMetric(float64(codes.Pixels-codes0.Pixels)/float64(max(1, codes.Recognitions-codes0.Recognitions)), "tess-px/line")
	b.ReportMetric(float64(fields.Recognitions-fields0.Recognitions)/float64(b.N), "field-lines/page")
}

// tesseractUsage is what a Tesseract client has recognised so far; zero
// for another OCR or none.
func tesseractUsage(c any) tesseract.Usage {
	if u, ok := c.(interface{ Usage() tesseract.Usage }); ok {
		return u.Usage()
	}
	return tesseract.Usage{}
}

// BenchmarkWorkerRSS is the cheap check that a long-running worker's
// memory stays flat (issue 17.4): one OCR reader reads the pages of
// $REGFUS_BENCH_DIR round and round, b.N pages in all, and the resident
// size is sampled (after a collection that gives freed Go memory back)
// every tenth of the run. It reports the first and last samples and the
// least-squares slope of the samples after the first tenth, in KB per
// page: a leak of 1 KB per OCR call (gosseract's, ~5 calls a page) would
// show as about 5 KB/page. What it does not show: a leak on a path these
// pages never take (PDF input, a page that times out), or one too slow to
// rise above the allocator's noise in the pages run.
//
//	REGFUS_BENCH_DIR=/work/bench200 go test -run XXX -bench WorkerRSS -benchtime 1000x ./acquisition/
func BenchmarkWorkerRSS(b *testing.B) {
	pages := benchPages(b)
	r := ocrReader(b)
	b.ResetTimer()
	cpuMetric(b)
	step := max(1, b.N/10)
	var xs, ys []float64
	for i := 1; i <= b.N; i++ {
		pg := pages[i%len(pages)]
		r.Read(context.Background(), pg.Image, pg.Source, pg.Index)
		if i%step == 0 {
			rss := residentKB(b)
			b.Logf("after %6d pages: RSS %.1f MB", i, rss/1000)
			xs, ys = append(xs, float64(i)), append(ys, rss)
		}
	}
	if len(ys) < 3 {
		return
	}
	b.ReportMetric(ys[0]/1000, "rss-first-MB")
	b.ReportMetric(ys[len(ys)-1]/1000, "rss-last-MB")
	b.ReportMetric(slope(xs[1:], ys[1:]), "rss-KB/page")
}

// residentKB is the process's resident size in KB after a collection that
// returns freed Go memory to the system.
func residentKB(b *testing.B) float64 {
	runtime.GC()
	debug.FreeOSMemory()
	s, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		b.Skipf("no /proc/self/statm: %v", err)
	}
	f := strings.Fields(string(s))
	pages, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil {
		b.Fatal(err)
	}
	return float64(pages*int64(os.Getpagesize())) / 1000
}

// slope is the least-squares slope of ys over xs.
func slope(xs, ys []float64) float64 {
	n := float64(len(xs))
	var sx, sy, sxx, sxy float64
	for i := range xs {
		sx, sy, sxx, sxy = sx+xs[i], sy+ys[i], sxx+xs[i]*xs[i], sxy+xs[i]*ys[i]
	}
	return (n*sxy - sx*sy) / (n*sxx - sx*sx)
}
