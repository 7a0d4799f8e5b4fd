package icr

import (
	"encoding/csv"
	"errors"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
)

// The data set of the users' own handwriting (issue 12.4): each header
// field a person answered in review (progressive, count, date) is an
// example, its answer the label, so the model can later be fine-tuned on
// the hands it actually meets. Its format, in a directory:
//
//	labels.csv            header: file,kind,label,field,ref
//	fields/000001.png     a whole field (kind "field"): the box or the
//	                      eight DATA cells with their lines, upright,
//	                      10 px/mm; label its text as the person gave it
//	                      ("D12", "7", the date as DDMMYYYY)
//	glyphs/000001-0.png   one character as the model is given it (kind
//	                      "glyph"): dark ink on light paper, any size (the
//	                      caller of Classify's crop; Normalize makes the
//	                      28x28 input); label "0"-"9" or "D"
//
// file is the path relative to the directory; field is "progressive",
// "count" or "date"; ref says where the example came from (the review item
// and page). Characters are written only when the field was cut into as
// many characters as its label has (one per DATA cell, empty cells left
// out), so a glyph's label is never a guess; a field whose cut does not
// match keeps only its whole-field image.

// Example is one labelled field.
type Example struct {
	Field string // "progressive", "count" or "date"
	Label string // the field's text: "D12", "7", "05032024"
	Ref   string // where it came from, for people
	Box   *image.Gray
	// Glyphs are the field's characters as the reader cut them, left to
	// right; for the date one per cell, nil for an empty cell.
	Glyphs []*image.Gray
}

// DatasetWriter writes Examples into a directory in the format above.
type DatasetWriter struct {
	dir    string
	f      *os.File
	csv    *csv.Writer
	n      int
	Fields int // fields written
	Chars  int // characters written
}

// NewDatasetWriter creates dir (which must not hold a labels.csv already)
// and starts its labels.csv.
func NewDatasetWriter(dir string) (*DatasetWriter, error) {
	for _, d := range []string{dir, filepath.Join(dir, "fields"), filepath.Join(dir, "glyphs")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, err
		}
	}
	f, err := os.OpenFile(filepath.Join(dir, "labels.csv"), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		if errors.Is(err, os.ErrExist) {
			return nil, fmt.Errorf("icr: %s already holds a data set (labels.csv)", dir)
		}
		return nil, err
	}
	w := &DatasetWriter{dir: dir, f: f, csv: csv.NewWriter(f)}
	if err := w.csv.Write([]string{"file", "kind", "label", "field", "ref"}); err != nil {
		f.Close()
		return nil, err
	}
	return w, nil
}

// Add writes one example: its field image and, where the cut matches the
// label, its characters.
func (w *DatasetWriter) Add(e Example) error {
	if e.Box == nil || e.Label == "" {
		return fmt.Errorf("icr: example %s: no image or no label", e.Ref)
	}
	w.n++
	name := fmt.Sprintf("%06d", w.n)
	file := filepath.Join("fields", name+".png")
	if err := writePNG(filepath.Join(w.dir, file), e.Box); err != nil {
		return err
	}
	if err := w.csv.Write([]string{filepath.ToSlash(file), "field", e.Label, e.Field, e.Ref}); err != nil {
		return err
	}
	w.Fields++
	if len(e.Glyphs) != len(e.Label) {
		return w.csv.Error()
	}
	for i, g := range e.Glyphs {
		ch := e.Label[i]
		if g == nil || !(ch >= '0' && ch <= '9' || ch == 'D') {
			continue
		}
		file := filepath.Join("glyphs", fmt.Sprintf("%s-%d.png", name, i))
		if err := writePNG(filepath.Join(w.dir, file), g); err != nil {
			return err
		}
		if err := w.csv.Write([]string{filepath.ToSlash(file), "glyph", string(ch), e.Field, e.Ref}); err != nil {
			return err
		}
		w.Chars++
	}
	return w.csv.Error()
}

// Close finishes labels.csv.
func (w *DatasetWriter) Close() error {
	w.csv.Flush()
	err := w.csv.Error()
	if e := w.f.Close(); err == nil {
		err = e
	}
	return err
}

func writePNG(path string, img image.Image) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// DateLabel turns a date answer (YYYY-MM-DD, as a review stores it) into
// the DATA cells' text, DDMMYYYY.
func DateLabel(iso string) (string, error) {
	p := strings.Split(iso, "-")
	if len(p) != 3 || len(p[0]) != 4 || len(p[1]) != 2 || len(p[2]) != 2 {
		return "", fmt.Errorf("icr: date %q is not YYYY-MM-DD", iso)
	}
	return p[2] + p[1] + p[0], nil
}
