package tesseract

import (
	"testing"

	"github.com/regfus/regfus/internal/cputime"
	"github.com/regfus/regfus/ocrtrain/lines"
)

// benchLines returns n held-out office lines (the profile a station's
// scanner gives), generated once.
func benchLines(b *testing.B, n int) []lines.Sample {
	b.Helper()
	return samples(b, lines.Set{Gen: lines.FontGenerator{Profile: lines.EvalProfiles()[1]}, Seed: 920_001, N: n})
}

// BenchmarkReadLine is one client reading one line at a time
// (OMP_THREAD_LIMIT=1, see TestMain): the cost of one OCR in a worker.
func BenchmarkReadLine(b *testing.B) {
	ls := benchLines(b, 64)
	c := mustClient(b)
	b.ResetTimer()
	cpu0 := cputime.Self()
	for i := 0; b.Loop(); i++ {
		s := ls[i%len(ls)]
		if _, err := c.ReadLine(s.Image, kindOf(s.Kind)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/1000/float64(b.N), "ms/line")
	// CPU time is what a line costs on a machine shared with other work.
	b.ReportMetric(float64((cputime.Self()-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/line")
}

// BenchmarkReadLineParallel is one client per goroutine on every core:
// the throughput of a worker pool.
func BenchmarkReadLineParallel(b *testing.B) {
	ls := benchLines(b, 64)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		c, err := New()
		if err != nil {
			b.Error(err)
			return
		}
		defer c.Close()
		for i := 0; pb.Next(); i++ {
			s := ls[i%len(ls)]
			if _, err := c.ReadLine(s.Image, kindOf(s.Kind)); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "lines/s")
}

// BenchmarkNew is the cost of loading the model into a client.
func BenchmarkNew(b *testing.B) {
	for b.Loop() {
		c, err := New()
		if err != nil {
			b.Fatal(err)
		}
		c.Close()
	}
}

// BenchmarkReadCode is the Read* helpers' whole path (model, confirmation,
// second opinion) on held-out office AIC and targatura lines of one face
// per class: on OCR-A the model reads and the second opinion vetoes (three
// readings); on a face the model does not know, the second opinion reads
// (up to four).
func BenchmarkReadCode(b *testing.B) {
	for _, face := range []string{"ocra", "ocrb", "liberation-sans", "dejavu-sans-mono"} {
		b.Run(face, func(b *testing.B) {
			p := lines.EvalProfiles()[1].WithFace(face)
			p.Kinds = []lines.KindWeight{{Kind: lines.KindAIC, Weight: 1}, {Kind: lines.KindTargatura, Weight: 1}}
			ls := samples(b, lines.Set{Gen: lines.FontGenerator{Profile: p}, Seed: 920_002, N: 32})
			c := mustClient(b)
			b.ResetTimer()
			cpu0 := cputime.Self()
			for i := 0; b.Loop(); i++ {
				s := ls[i%len(ls)]
				if s.Kind == lines.KindAIC {
					c.ReadAIC(s.Image)
				} else {
					c.ReadTargatura(s.Image)
				}
			}
			b.ReportMetric(float64((cputime.Self()-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/code")
		})
	}
}
