package icr_test

import (
	"encoding/csv"
	"image"
	"os"
	"path/filepath"
	"testing"

	"github.com/regfus/regfus/icr"
)

// TestDatasetWriter: a field is written whole with its label; its
// characters only when the cut matches the label, an empty DATA cell left
// out; labels.csv lists every file; a second export into the same folder
// is refused.
func TestDatasetWriter(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "set")
	w, err := icr.NewDatasetWriter(dir)
	if err != nil {
		t.Fatal(err)
	}
	g := func() *image.Gray { return image.NewGray(image.Rect(0, 0, 20, 30)) }
	box := image.NewGray(image.Rect(0, 0, 280, 100))
	date := make([]*image.Gray, 8)
	for i := range date {
		if i != 3 {
			date[i] = g()
		}
	}
	for _, e := range []icr.Example{
		{Field: "progressive", Label: "D12", Ref: "a", Box: box, Glyphs: []*image.Gray{g(), g(), g()}},
		{Field: "count", Label: "17", Ref: "b", Box: box, Glyphs: []*image.Gray{g()}}, // cut into 1: no glyphs
		{Field: "date", Label: "05032024", Ref: "c", Box: box, Glyphs: date},
	} {
		if err := w.Add(e); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Add(icr.Example{Field: "count", Ref: "d", Box: box}); err == nil {
		t.Error("an example without a label was written")
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if w.Fields != 3 || w.Chars != 3+7 {
		t.Errorf("%d fields, %d characters; want 3, 10", w.Fields, w.Chars)
	}
	f, err := os.Open(filepath.Join(dir, "labels.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1+3+10 {
		t.Fatalf("%d rows", len(rows))
	}
	labels := map[string]string{}
	for _, r := range rows[1:] {
		if _, err := os.Stat(filepath.Join(dir, r[0])); err != nil {
			t.Errorf("row %v: %v", r, err)
		}
		labels[r[0]] = r[2]
	}
	for file, want := range map[string]string{"fields/000001.png": "D12", "glyphs/000001-0.png": "D", "glyphs/000001-2.png": "2", "fields/000002.png": "17", "glyphs/000003-4.png": "2", "glyphs/000003-7.png": "4"} {
		if labels[file] != want {
			t.Errorf("%s: label %q, want %q", file, labels[file], want)
		}
	}
	if _, ok := labels["glyphs/000003-3.png"]; ok {
		t.Error("the empty DATA cell was written")
	}
	if _, err := icr.NewDatasetWriter(dir); err == nil {
		t.Error("a second data set over the first was not refused")
	}
	if d, err := icr.DateLabel("2024-03-05"); err != nil || d != "05032024" {
		t.Errorf("DateLabel = %q, %v", d, err)
	}
	if _, err := icr.DateLabel("05/03/2024"); err == nil {
		t.Error("DateLabel of 05/03/2024: no error")
	}
}
