package acquisition

import (
	"bytes"
	"image"
	"testing"

	"github.com/regfus/regfus/page"
)

// TestCropField: a page's header fields cut again from the page and its
// stored geometry are the very crops the reader gave the model.
func TestCropField(t *testing.T) {
	if testing.Short() {
		t.Skip("renders a page")
	}
	r := NewReader(nil)
	var seen [][]*image.Gray
	r.hand = func(gs []*image.Gray) ([]charRead, error) {
		seen = append(seen, gs)
		out := make([]charRead, len(gs))
		for i := range out {
			out[i] = charRead{ch: '?', conf: 0.1}
		}
		return out, nil
	}
	st := handPage(t, r)
	res := &page.Result{LayoutVersion: r.layout.Version, Geometry: &page.Geometry{ToSource: st.geo.ToSource, Width: st.src.Bounds().Dx(), Height: st.src.Bounds().Dy()}}
	same := func(field string, got []*image.Gray, want []*image.Gray) {
		t.Helper()
		if len(got) != len(want) {
			t.Fatalf("%s: %d glyphs cut again, the reader had %d", field, len(got), len(want))
		}
		for i := range got {
			if got[i] == nil || want[i] == nil {
				t.Fatalf("%s: glyph %d missing", field, i)
			}
			if got[i].Rect != want[i].Rect || !bytes.Equal(got[i].Pix, want[i].Pix) {
				t.Errorf("%s: glyph %d differs from the reader's (%v, %v)", field, i, got[i].Rect, want[i].Rect)
			}
		}
	}
	// The progressive (no touching characters on this page: one call).
	seen = nil
	if _, err := st.readBox(r.layout.Progressive.Rect, progressiveField, ""); err != nil {
		t.Fatal(err)
	}
	fc, err := CropField(st.src, res, FieldProgressive)
	if err != nil {
		t.Fatal(err)
	}
	if fc.Box == nil || fc.Box.Rect.Dx() < 200 {
		t.Errorf("progressive box %v", fc.Box)
	}
	t.Logf("progressive: %d glyphs cut again, %d model calls of %v", len(fc.Glyphs), len(seen), func() (n []int) {
		for _, s := range seen {
			n = append(n, len(s))
		}
		return
	}())
	if len(seen) == 1 && len(seen[0]) == len(fc.Glyphs) {
		same(FieldProgressive, fc.Glyphs, seen[0])
	}
	// The date: eight cells, all written on this page.
	seen = nil
	if _, err := st.readDate(); err != nil {
		t.Fatal(err)
	}
	fc, err = CropField(st.src, res, FieldDate)
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != 1 || len(seen[0]) != 8 {
		t.Fatalf("the reader read %d calls of the date", len(seen))
	}
	same(FieldDate, fc.Glyphs, seen[0])
	// A page the reader could not place, a field that is not one.
	if _, err := CropField(st.src, &page.Result{}, FieldDate); err == nil {
		t.Error("no geometry: no error")
	}
	if _, err := CropField(st.src, res, "aic"); err == nil {
		t.Error("field aic: no error")
	}
}
