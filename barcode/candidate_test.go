package barcode

import (
	"image"
	"image/draw"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCandidateOfOneBitCrops reads the candidates of crops of 1-bit pages
// (testdata/onebit: seed 4201's 1-bit pages, threshold 134, named for
// their design, page, slot, symbology and truth), as the page reader cut
// them around symbols whose bars no pass of the crop plan nor the model
// read: every band of three ITFs draws its right digits, by too small a
// margin for a read; the fourth's narrow spaces closed (-closed) and no
// band draws anything the same way. A candidate is marked, weighs less
// than any read, and is never of the other symbology; a decoded Code 32's
// crop has no ITF candidate.
func TestCandidateOfOneBitCrops(t *testing.T) {
	files, err := filepath.Glob("testdata/onebit/*.png")
	if err != nil || len(files) < 5 {
		t.Fatalf("testdata/onebit: %d crops, %v", len(files), err)
	}
	d := NewDecoder()
	for _, f := range files {
		img := readGrayPNG(t, f)
		parts := strings.Split(strings.TrimSuffix(filepath.Base(f), ".png"), "-")
		closed := parts[len(parts)-1] == "closed"
		if closed {
			parts = parts[:len(parts)-1]
		}
		kind, want := parts[len(parts)-2], parts[len(parts)-1]
		_, rc, okc := d.Code32Candidate(img)
		_, rt, okt := d.TargaturaCandidate(img)
		if kind == "code32" {
			if okt {
				t.Errorf("%s: an ITF candidate %q in a Code 32's crop", f, rt.Text)
			}
			if okc && rc.Text != want {
				t.Errorf("%s: Code 32 candidate %q, truth %q", f, rc.Text, want)
			}
			continue
		}
		if okc {
			t.Errorf("%s: a Code 32 candidate %q in an ITF's crop", f, rc.Text)
		}
		switch {
		case closed && okt:
			t.Errorf("%s: candidate %q from bars whose narrow spaces closed", f, rt.Text)
		case closed:
		case !okt:
			t.Errorf("%s: no candidate, want %s", f, want)
		case rt.Text != want:
			t.Errorf("%s: candidate %q, truth %q", f, rt.Text, want)
		case !rt.Candidate || rt.Confidence() > 0.5:
			t.Errorf("%s: candidate %+v not marked, or confidence %.2f", f, rt, rt.Confidence())
		}
	}
}

func readGrayPNG(t *testing.T, path string) *image.Gray {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	im, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if g, ok := im.(*image.Gray); ok {
		return g
	}
	g := image.NewGray(im.Bounds())
	draw.Draw(g, g.Rect, im, im.Bounds().Min, draw.Src)
	return g
}
