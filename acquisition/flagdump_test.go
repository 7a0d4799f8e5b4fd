package acquisition

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/regfus/regfus/geom"
	"github.com/regfus/regfus/page"
	"github.com/regfus/regfus/scanfile"
	"github.com/regfus/regfus/synth"
)

// TestDumpSlotReads writes, for every page of the corpus in
// REGFUS_DUMP_CORPUS, what the slot pass saw (each slot's symbols, their
// label's print and outline, its result) as JSON lines to
// REGFUS_DUMP_OUT: the evidence the defect flags are decided from, for
// studying them against the truth off line. Skipped without both.
func TestDumpSlotReads(t *testing.T) {
	dir, out := os.Getenv("REGFUS_DUMP_CORPUS"), os.Getenv("REGFUS_DUMP_OUT")
	if dir == "" || out == "" {
		t.Skip("REGFUS_DUMP_CORPUS and REGFUS_DUMP_OUT not set")
	}
	truths, paths, err := synth.LoadCorpus(dir)
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, p := range paths {
		files = append(files, synth.ImagePath(p, truths[p]))
	}
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	type sym struct {
		Center       geom.Point
		Angle, W, H  float64
		Kind, ReadAs string
		Reversed     bool
		Uncut        *[4]geom.Point `json:",omitempty"`
		Text         *[4]geom.Point `json:",omitempty"`
		LabelCentre  *geom.Point    `json:",omitempty"`
		Partner      int
		OCROutcome   string
	}
	type slot struct {
		N              int
		Ink            float64
		Syms           []sym
		Shape          *[4]geom.Point `json:",omitempty"`
		Across, Covers bool
		Stacked, Split bool
		Hides          int
		Out            page.Slot
		Why            [2]string
	}
	type rec struct {
		Source string
		Page   int
		Slots  []slot
	}
	var mu sync.Mutex
	enc := json.NewEncoder(f)
	pool := &Pool{Workers: 2}
	pool.NewReader = func() (*Reader, error) {
		r, err := NewOCRReader(nil)
		if err != nil {
			return nil, err
		}
		r.trace = func(res *page.Result, reads []*slotRead) {
			rc := rec{Source: filepath.Base(res.Source), Page: res.Page}
			for _, sr := range reads {
				s := slot{N: sr.n, Ink: sr.ink, Stacked: sr.stacked, Split: sr.split, Hides: sr.hides, Out: sr.out, Why: sr.why}
				if sr.shape != nil {
					c := sr.shape.corners
					s.Shape, s.Across, s.Covers = &c, sr.shape.across, sr.shape.covers
				}
				for i := range sr.labels {
					lr := &sr.labels[i]
					y := sym{Center: lr.center, Angle: lr.angle, W: lr.w, H: lr.h, Kind: lr.kind, ReadAs: lr.readAs(), Reversed: lr.reversed, Partner: -1, OCROutcome: lr.ocrOutcome.String()}
					if lr.uncut != nil {
						q := barsOutline(lr.uncut).corners
						y.Uncut = &q
					}
					if lr.text.found {
						q := lr.text.quad
						y.Text = &q
					}
					if lr.readAs() != "" {
						c := sr.labelCentre(lr)
						y.LabelCentre = &c
					}
					if p := sr.partner(lr); p != nil {
						for j := range sr.labels {
							if &sr.labels[j] == p {
								y.Partner = j
							}
						}
					}
					s.Syms = append(s.Syms, y)
				}
				rc.Slots = append(rc.Slots, s)
			}
			mu.Lock()
			enc.Encode(rc)
			mu.Unlock()
		}
		return r, nil
	}
	err = pool.Run(context.Background(), scanfile.All(context.Background(), files, scanOptions), func(*page.Result, error) {})
	if err != nil {
		t.Fatal(err)
	}
}
