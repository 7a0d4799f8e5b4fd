package acquisition

import (
	"testing"

	"github.com/regfus/regfus/geom"
	"github.com/regfus/regfus/layout"
	"github.com/regfus/regfus/page"
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
