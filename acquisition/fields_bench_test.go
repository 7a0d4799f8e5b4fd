package acquisition

import (
	"context"
	"os"
	"testing"

	"github.com/regfus/regfus/scanfile"
	"github.com/regfus/regfus/synth"
	"github.com/regfus/regfus/vision"
)

// handPage returns a synth page (office profile, MNIST handwriting) whose
// progressive, count and date are all handwritten, with its geometry
// found, for a reader r.
func handPage(b testing.TB, r *Reader) *pageState {
	b.Helper()
	dir := b.TempDir()
	hand, err := synth.LoadMNIST(mnistData(b), 55000, 60000)
	if err != nil {
		b.Fatal(err)
	}
	prof, err := synth.ParseProfiles("office")
	if err != nil {
		b.Fatal(err)
	}
	for seed := uint64(1); seed < 40; seed++ {
		os.RemoveAll(dir)
		if _, err := synth.Generate(context.Background(), synth.Options{Dir: dir, Pages: 1, Seed: seed, Profiles: prof, Workers: 1, Hand: hand}); err != nil {
			b.Fatal(err)
		}
		truths, paths, err := synth.LoadCorpus(dir)
		if err != nil {
			b.Fatal(err)
		}
		tr := truths[paths[0]]
		sh := tr.Pages[0].Sheet
		if sh.ProgressiveSource != synth.SourceHandwritten || sh.CountSource != synth.SourceHandwritten || sh.DateSource != synth.SourceHandwritten {
			continue
		}
		for p, err := range scanfile.All(context.Background(), []string{synth.ImagePath(paths[0], tr)}, scanOptions) {
			if err != nil {
				b.Fatal(err)
			}
			st := &pageState{ctx: context.Background(), r: r, src: p.Image, res: newResult("bench", 1, r)}
			if st.img, err = vision.NewImage(p.Image); err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { st.img.Close() })
			if err := st.geometry(); err != nil {
				b.Fatal(err)
			}
			return st
		}
	}
	b.Fatal("no page with the three fields handwritten in 40 seeds")
	return nil
}

// BenchmarkHandwriting times the handwriting read of one page whose three
// fields are handwritten: segmenting the progressive, count and DATA boxes
// and classifying their characters (issue 12: at most 5 ms of CPU per
// page). The printed-field OCR is left out (no print on the page).
func BenchmarkHandwriting(b *testing.B) {
	r := ocrReader(b)
	r.fields = nil
	st := handPage(b, r)
	b.ResetTimer()
	cpuMetric(b)
	for range b.N {
		st.res = newResult("bench", 1, r)
		if err := st.handwriting(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFieldsWithOCR is BenchmarkHandwriting with the printed-field
// OCR on: a single handwritten character is also read by it (print is
// told from handwriting by the two models agreeing), so this is the whole
// cost of the header fields on such a page.
func BenchmarkFieldsWithOCR(b *testing.B) {
	r := ocrReader(b)
	st := handPage(b, r)
	b.ResetTimer()
	cpuMetric(b)
	for range b.N {
		st.res = newResult("bench", 1, r)
		if err := st.handwriting(); err != nil {
			b.Fatal(err)
		}
	}
}
