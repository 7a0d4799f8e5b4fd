package barcode

import (
	"image"
	"sync"
	"syscall"
	"testing"
	"time"
)

// cpuTimer reports CPU time per operation (user + system, whole process,
// so including GC) next to ns/op: on a shared, loaded machine wall time
// says more about the neighbours than about the code.
type cpuTimer struct{ start time.Duration }

func cpuNow() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func startCPU() cpuTimer { return cpuTimer{cpuNow()} }

func (c cpuTimer) report(b *testing.B) {
	if b.N > 0 {
		b.ReportMetric(float64(cpuNow()-c.start)/float64(b.N), "cpu-ns/op")
	}
}

// Benchmark crops are what the page reader hands over at 200 dpi: a Code 32
// and an ITF at 0.27 mm narrow (2.1 px) on a fustella, the head barcode at
// 0.33 mm (2.6 px), "office" quality (light blur and noise, grey paper).
const benchDPI = 200

func mmPx(mm float64) float64 { return mm / 25.4 * benchDPI }

var office = degrade{blur: 0.6, noise: 6, ink: 30, paper: 235, seed: 1}

var benchImgs = sync.OnceValue(func() map[string]image.Image {
	m := map[string]image.Image{}
	tb := &testing.T{}
	m["code32"] = label(mustCode39(tb, "0CSSBD", 3), mmPx(0.27), mmPx(7), 12, 6, 0, office)
	m["itf"] = label(mustITF(tb, "1234567895", 3), mmPx(0.27), mmPx(6), 12, 6, 0, office)
	m["sheet"] = label(mustCode39(tb, "12020599999012023", 3), mmPx(0.33), mmPx(11), 15, 6, 0, office)
	m["code32-hard"] = rotate180(label(mustCode39(tb, "0CSSBD", 2.5), 1.6, mmPx(7), 12, 6, 2, degrade{blur: 0.8, noise: 25, ink: 60, paper: 200, seed: 2}))
	blank := image.NewGray(image.Rect(0, 0, int(mmPx(40)), int(mmPx(9))))
	for i := range blank.Pix {
		blank.Pix[i] = 235
	}
	m["blank"] = blank
	noisy := label(mustCode39(tb, "0CSSBD", 3), mmPx(0.27), mmPx(7), 12, 6, 0, degrade{noise: 30, paper: 235, seed: 3})
	// Smudge the middle: nothing readable, contrast everywhere.
	for y := 0; y < noisy.Bounds().Dy(); y++ {
		for x := noisy.Bounds().Dx() / 3; x < noisy.Bounds().Dx()/2; x++ {
			noisy.Pix[y*noisy.Stride+x] = 40
		}
	}
	m["unreadable"] = noisy
	// A phone photo's label at the page reader's 8 px/mm: narrow bars of
	// 2.1 px under a blur of 1.5 px, which no gozxing attempt reads; the
	// model fallback does.
	phone := degrade{blur: 1.5, noise: 4, ink: 40, paper: 215, seed: 4}
	m["code32-blurred"] = label(mustCode39(tb, "0CSSBD", 2.7), 2.1, 45, 12, 4, 0, phone)
	m["itf-blurred"] = label(mustITF(tb, "1234567895", 2.7), 2.1, 40, 12, 4, 0, phone)
	w, h, items, _ := sheetScene(tb, benchDPI)
	m["page"] = renderScene(w, h, items, degrade{noise: 6, ink: 20, paper: 245, seed: 3})
	m["photo"] = renderScene(1200, 900, []placed{
		{sym: mustCode39(tb, "0CSSBD", 2.8), narrow: 3.2, height: 80, cx: 500, cy: 350, angle: 22},
		{sym: mustITF(tb, "1234567895", 2.8), narrow: 3.2, height: 70, cx: 550, cy: 500, angle: 22},
	}, degrade{noise: 12, blur: 1.2, ink: 40, paper: 210, gradient: 70, seed: 8})
	return m
})

func benchCrop(b *testing.B, name string, f func(d *Decoder, img *image.Gray) error, wantErr bool) {
	img := benchImgs()[name].(*image.Gray)
	d := NewDecoder()
	b.ReportAllocs()
	b.ResetTimer()
	cpu := startCPU()
	for b.Loop() {
		if err := f(d, img); (err != nil) != wantErr {
			b.Fatalf("%s: err %v", name, err)
		}
	}
	cpu.report(b)
}

func BenchmarkCode39(b *testing.B) {
	benchCrop(b, "code32", resultErr((*Decoder).Code39), false)
}

func BenchmarkCode32(b *testing.B) {
	benchCrop(b, "code32", valueErr((*Decoder).Code32), false)
}

func BenchmarkCode32Hard(b *testing.B) {
	benchCrop(b, "code32-hard", valueErr((*Decoder).Code32), false)
}

func BenchmarkITF(b *testing.B) {
	benchCrop(b, "itf", resultErr((*Decoder).ITF), false)
}

func BenchmarkTargatura(b *testing.B) {
	benchCrop(b, "itf", valueErr((*Decoder).Targatura), false)
}

func BenchmarkSheetCode(b *testing.B) {
	benchCrop(b, "sheet", valueErr((*Decoder).SheetCode), false)
}

// An empty slot's crop: rejected at once for lack of contrast.
func BenchmarkCode32Blank(b *testing.B) {
	benchCrop(b, "blank", valueErr((*Decoder).Code32), true)
}

// The worst case: contrast everywhere, no symbol; every attempt runs.
func BenchmarkCode32Unreadable(b *testing.B) {
	benchCrop(b, "unreadable", valueErr((*Decoder).Code32), true)
}

// A blurred crop read by the model fallback after every gozxing attempt.
func BenchmarkCode32Blurred(b *testing.B) {
	benchCrop(b, "code32-blurred", byModel(b, (*Decoder).Code32), false)
}

func BenchmarkTargaturaBlurred(b *testing.B) {
	benchCrop(b, "itf-blurred", byModel(b, (*Decoder).Targatura), false)
}

// The other symbology asked of a blurred crop, as the page reader does
// when its first guess fails: every attempt and the model run, no value.
func BenchmarkTargaturaOnCode32Blurred(b *testing.B) {
	benchCrop(b, "code32-blurred", valueErr((*Decoder).Targatura), true)
}

// resultErr and valueErr adapt a crop method to benchCrop: only the error
// counts.
func resultErr(read func(*Decoder, *image.Gray) (Result, error)) func(*Decoder, *image.Gray) error {
	return func(d *Decoder, img *image.Gray) error { _, err := read(d, img); return err }
}

func valueErr[T any](read func(*Decoder, *image.Gray) (T, Result, error)) func(*Decoder, *image.Gray) error {
	return func(d *Decoder, img *image.Gray) error { _, _, err := read(d, img); return err }
}

// byModel is valueErr for a crop only the model fallback reads: a read by
// any other attempt fails the benchmark, which would then time the wrong
// path.
func byModel[T any](b *testing.B, read func(*Decoder, *image.Gray) (T, Result, error)) func(*Decoder, *image.Gray) error {
	return func(d *Decoder, img *image.Gray) error {
		_, r, err := read(d, img)
		if err == nil && r.Attempt.Binarizer != Model {
			b.Fatalf("read by %s, not the model fallback", r.Attempt)
		}
		return err
	}
}

func benchFind(b *testing.B, name string, want int) {
	img := benchImgs()[name]
	d := NewDecoder()
	b.ReportAllocs()
	b.ResetTimer()
	cpu := startCPU()
	for b.Loop() {
		if n := len(d.FindAll(img)); n != want {
			b.Fatalf("%s: found %d, want %d", name, n, want)
		}
	}
	cpu.report(b)
}

// A whole 200-dpi page: 28 fustelle with two symbols each, head and tail.
func BenchmarkFindAllPage(b *testing.B) { benchFind(b, "page", 58) }

// A 1200x900 photo of one label at 22 degrees.
func BenchmarkFindAllPhoto(b *testing.B) { benchFind(b, "photo", 2) }

// The model fallback alone on the blurred crops (what it adds to a crop
// gozxing could not read).
func BenchmarkModelOnly(b *testing.B) {
	for _, c := range []struct {
		name string
		m    *modelSymbol
		t    *target
	}{{"code32-blurred", code32Model, &code32Target}, {"itf-blurred", targaturaModel, &targaturaTarget}} {
		b.Run(c.name, func(b *testing.B) {
			p := planeFromGray(benchImgs()[c.name].(*image.Gray))
			d := NewDecoder()
			b.ReportAllocs()
			cpu := startCPU()
			for b.Loop() {
				if _, _, ok := d.decodeModel(p, c.m, c.t.accept); !ok {
					b.Fatal("not read")
				}
			}
			cpu.report(b)
		})
	}
}
