//go:build matprofile

package acquisition

import (
	"context"
	"testing"

	"gocv.io/x/gocv"

	"github.com/regfus/regfus/layout"
	"github.com/regfus/regfus/page"
	"github.com/regfus/regfus/render/rendertest"
	"github.com/regfus/regfus/scanfile"
	"github.com/regfus/regfus/synth"
)

// TestReadingLeavesNoMats reads pages (rendered ones, a blank one that is
// rejected, and the corpus when present) through the pool and checks that
// gocv.MatProfile.Count() is back where it started: every Mat made while
// reading was closed. Run with: go test -tags matprofile ./acquisition/
// (gocv's matprofile build tag is what makes MatProfile count).
func TestReadingLeavesNoMats(t *testing.T) {
	start := gocv.MatProfile.Count()
	g := rendertest.EmptySheet(t, 200)
	l := layout.Current()
	for _, n := range []int{1, 7, 22} {
		s, _ := l.Slot(n)
		stickLabel(t, g, 200, s, testLabel(t, n), 0, 0, n == 7)
	}
	r := NewReader(nil)
	for _, deg := range []float64{0.5, 180} {
		img, _ := transformed(t, g, deg, 1, 0)
		if res := r.Read(context.Background(), img, "rendered", 1); res.Status == page.Rejected {
			t.Fatalf("rendered page rejected: %v", res.Reasons)
		}
	}
	blank := cloneGray(g)
	for i := range blank.Pix {
		blank.Pix[i] = 255
	}
	r.Read(context.Background(), blank, "blank", 1)

	var files []string
	if truths, paths, err := synth.LoadCorpus(corpusDir); err == nil {
		for _, p := range paths[:min(8, len(paths))] {
			files = append(files, synth.ImagePath(p, truths[p]))
		}
	}
	pool := &Pool{Workers: 2, NewReader: func() (*Reader, error) { return NewReader(nil), nil }}
	n := 0
	err := pool.Run(context.Background(), scanfile.All(context.Background(), files, scanOptions), func(*page.Result, error) { n++ })
	if err != nil {
		t.Fatal(err)
	}
	if got := gocv.MatProfile.Count(); got != start {
		t.Errorf("MatProfile.Count() = %d after reading %d corpus pages, started at %d", got, n, start)
	}
}
