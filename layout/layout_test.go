package layout

import "testing"

func TestCurrentIsConsistent(t *testing.T) {
	t.Parallel()
	l := Current()
	if l.Version != CurrentVersion {
		t.Fatalf("version %d, want %d", l.Version, CurrentVersion)
	}
	page := Rect{0, 0, l.Page.W, l.Page.H}
	printable := page.Inset(l.Margin)
	if len(l.Slots) != SlotCount {
		t.Fatalf("%d slots, want %d", len(l.Slots), SlotCount)
	}
	for i, s := range l.Slots {
		if s.N != i+1 {
			t.Errorf("slot %d numbered %d", i+1, s.N)
		}
		if s.W < 45 || s.H < 29 {
			t.Errorf("slot %d is %.1f x %.1f mm, want at least 45 x 29", s.N, s.W, s.H)
		}
		if !printable.Contains(s.Rect) {
			t.Errorf("slot %d outside the printable area", s.N)
		}
		for _, o := range l.Slots[i+1:] {
			if s.Overlaps(o.Rect) {
				t.Errorf("slots %d and %d overlap", s.N, o.N)
			}
		}
		// Row by row: slot n+1 is right of n in the same row, or starts the next row.
		if i > 0 {
			prev := l.Slots[i-1]
			if i%Columns == 0 {
				if s.Y <= prev.Y || s.X >= prev.X {
					t.Errorf("slot %d does not start a new row", s.N)
				}
			} else if s.Y != prev.Y || s.X <= prev.X {
				t.Errorf("slot %d is not right of slot %d", s.N, prev.N)
			}
		}
	}

	// Every other element: inside the printable area, overlapping no slot
	// and no other element.
	named := map[string]Rect{
		"title": l.Title, "head_barcode": l.quiet(l.HeadBarcode), "head_digits": l.HeadDigits,
		"tail_barcode": l.quiet(l.TailBarcode), "date_box": l.DateBox,
		"progressive": l.Progressive.Rect, "count": l.Count.Rect,
	}
	for _, m := range l.Markers {
		named[m.Name] = m.Rect
	}
	for _, f := range l.Fields {
		named[f.Name] = f.Rect
	}
	for name, r := range named {
		if !printable.Contains(r) {
			t.Errorf("%s %+v outside the printable area %+v", name, r, printable)
		}
		for _, s := range l.Slots {
			if r.Overlaps(s.Rect) {
				t.Errorf("%s overlaps slot %d", name, s.N)
			}
		}
		for other, o := range named {
			if other < name && r.Overlaps(o) && !(name == "head_digits" || other == "head_digits") {
				t.Errorf("%s overlaps %s", name, other)
			}
		}
	}

	// Footer positions: DATA under slot 25, tail barcode centred under slot 27.
	s25, s27 := l.Slots[24], l.Slots[26]
	if l.DateBox.Y < s25.Bottom() || l.DateBox.X < s25.X || l.DateBox.Right() > s25.Right() {
		t.Errorf("date box %+v not under slot 25 %+v", l.DateBox, s25)
	}
	if len(l.DateCells) != 8 {
		t.Errorf("%d date cells, want 8", len(l.DateCells))
	}
	cx, _ := s27.Center()
	if tx, _ := l.TailBarcode.Center(); tx != cx || l.TailBarcode.Y < s27.Bottom() {
		t.Errorf("tail barcode %+v not centred under slot 27 %+v", l.TailBarcode, s27)
	}

	// Markers: two head and two tail, forming a rectangle.
	kinds := map[MarkerKind]int{}
	for _, m := range l.Markers {
		kinds[m.Kind]++
		if m.W != m.H {
			t.Errorf("marker %s is not square", m.Name)
		}
	}
	if kinds[Head] != 2 || kinds[Tail] != 2 {
		t.Errorf("marker kinds %v, want 2 head and 2 tail", kinds)
	}
	// Barcode geometry: narrow bar printable at 200 dpi.
	if l.Barcode.Narrow < 0.25 || l.Barcode.QuietZone < 10*l.Barcode.Narrow {
		t.Errorf("barcode %+v: narrow bar under 0.25 mm or quiet zone under 10 narrow bars", l.Barcode)
	}
}

func (l *Layout) quiet(r Rect) Rect {
	q := l.Barcode.QuietZone
	return Rect{r.X - q, r.Y, r.W + 2*q, r.H}
}

func TestVersion(t *testing.T) {
	t.Parallel()
	if _, err := Version(1); err != nil {
		t.Fatal(err)
	}
	if _, err := Version(99); err == nil {
		t.Fatal("unknown version accepted")
	}
}
