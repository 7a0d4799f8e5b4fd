package acquisition

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"github.com/regfus/regfus/geom"
	"github.com/regfus/regfus/layout"
	"github.com/regfus/regfus/page"
	"github.com/regfus/regfus/scanfile"
	"github.com/regfus/regfus/synth"
)

// TestLeftEmpty: a slot showing two labels, left without values, sends
// the empty slots beside it (above, below, left, right; not the one
// ending the row before) to a person; a slot with one label read does not.
func TestLeftEmpty(t *testing.T) {
	reads := make([]*slotRead, layout.SlotCount)
	for i := range reads {
		reads[i] = &slotRead{n: i + 1, out: page.Slot{Slot: i + 1, State: page.Empty}}
	}
	// Slot 5 (first of its row) overlapped and unread; slot 10 unread with
	// two symbols only.
	reads[4].out.State = page.Unreadable
	addFlag(&reads[4].out, page.FlagOverlap)
	reads[9].out.State = page.Unreadable
	reads[9].labels = []labelRead{{w: 20}, {w: 18}}
	leftEmpty(reads)
	for n, want := range map[int]bool{1: true, 9: true, 6: true, 4: false, 14: false, 11: false, 2: false} {
		r := reads[n-1]
		got := r.out.State == page.Unreadable && r.out.HasFlag(page.FlagCrossing) && r.out.HasFlag(page.FlagOverlap)
		if got != want {
			t.Errorf("slot %d sent to a person %v, want %v (%v %v)", n, got, want, r.out.State, r.out.Flags)
		}
	}
	// A third symbol-wide region makes two labels too.
	reads[9].labels = append(reads[9].labels, labelRead{w: 15})
	leftEmpty(reads)
	if reads[10].out.State != page.Unreadable {
		t.Errorf("slot 11 beside slot 10's three bar regions: %v, want unreadable", reads[10].out.State)
	}
}

// TestInsideGrown: inside a quadrilateral (either way round), within the
// margin outside it, and not beyond.
func TestInsideGrown(t *testing.T) {
	q := [4]geom.Point{{X: 0, Y: 0}, {X: 10, Y: 0}, {X: 10, Y: 5}, {X: 0, Y: 5}}
	r := [4]geom.Point{q[3], q[2], q[1], q[0]}
	for _, c := range []struct {
		p    geom.Point
		m    float64
		want bool
	}{
		{geom.Point{X: 5, Y: 2}, 0, true},
		{geom.Point{X: 10.5, Y: 2}, 0, false},
		{geom.Point{X: 10.5, Y: 2}, 1, true},
		{geom.Point{X: 5, Y: -1.5}, 1, false},
	} {
		for _, quad := range [][4]geom.Point{q, r} {
			if got := inside(quad, c.p, c.m); got != c.want {
				t.Errorf("inside(%v, %v, %v) = %v, want %v", quad, c.p, c.m, got, c.want)
			}
		}
	}
}

// TestCorrelation: columns the same in both halves (bars) correlate at 1,
// different ones less, flat ones not at all.
func TestCorrelation(t *testing.T) {
	bars := []float64{0, 255, 255, 0, 0, 255, 0, 255}
	if r := correlation(bars, bars); r < 0.999 {
		t.Errorf("bars: r = %.3f, want 1", r)
	}
	letters := []float64{0, 255, 0, 255, 255, 255, 0, 0}
	if r := correlation(bars, letters); r >= minBarsAlong {
		t.Errorf("letters: r = %.3f, want under %.2f", r, minBarsAlong)
	}
	if r := correlation(bars, make([]float64, len(bars))); r != 0 {
		t.Errorf("flat: r = %.3f, want 0", r)
	}
}

// TestLabelOverSlot3: the page that showed the silent error (seed 7853,
// side-by-side labels, page 8, a phone picture): slot 7's label moved
// 13 mm up over slot 3's, its print 9.0 mm from slot 3's centre, slot 3's
// own label showing its name and a 2.7 mm sliver of its bars. Slot 3 must
// not report slot 7's values, and slot 7 must not be reported empty; both
// are flagged overlap. It fails without overAnother (slot 3 reported
// AIC 028506501 and targatura 2957389238, slot 7 empty).
func TestLabelOverSlot3(t *testing.T) {
	if testing.Short() {
		t.Skip("renders and reads a page")
	}
	dir := t.TempDir()
	ds, err := synth.ParseDesigns("side-by-side")
	if err != nil {
		t.Fatal(err)
	}
	ps, err := synth.ParseProfiles("clean,office,bitonal,phone")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := synth.Generate(context.Background(), synth.Options{Dir: dir, Pages: 8, Seed: 7853, Profiles: ps, Designs: ds, Workers: 1, Only: []string{"0008-phone.jpg"}}); err != nil {
		t.Fatal(err)
	}
	tr, err := synth.LoadTruth(filepath.Join(dir, "0008-phone"+synth.TruthSuffix))
	if err != nil {
		t.Fatal(err)
	}
	tp := tr.Pages[0]
	if tp.Slots[6].Label == nil || tp.Slots[6].AIC != "028506501" || !slices.Contains(tp.Slots[2].Defects, synth.DefectOverlap) {
		t.Fatalf("the page is not the one of the silent error: slot 7 %q, slot 3 defects %v", tp.Slots[6].AIC, tp.Slots[2].Defects)
	}
	rd, err := NewOCRReader(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	pg, err := scanfile.ReadPage(context.Background(), synth.ImagePath(filepath.Join(dir, "0008-phone"+synth.TruthSuffix), tr), scanOptions, 1)
	if err != nil {
		t.Fatal(err)
	}
	res := rd.Read(context.Background(), pg.Image, tp.File, 1)
	s3, s7 := res.Slots[2], res.Slots[6]
	if s3.AIC != nil && *s3.AIC != tp.Slots[2].AIC || s3.Targatura != nil && *s3.Targatura != tp.Slots[2].Targatura {
		t.Errorf("slot 3 reports %s/%s, truth %s/%s", deref(s3.AIC), deref(s3.Targatura), tp.Slots[2].AIC, tp.Slots[2].Targatura)
	}
	if s7.State == page.Empty {
		t.Errorf("slot 7 reported empty (flags %v), its label over slot 3", s7.Flags)
	}
	for _, s := range []page.Slot{s3, s7} {
		if !s.HasFlag(page.FlagOverlap) {
			t.Errorf("slot %d not flagged overlap: %v", s.Slot, s.Flags)
		}
	}
}
