package scanfile

import (
	"bytes"
	"context"
	"testing"
)

// TestPDFEmbeddedJPEG checks that a page that is one grey JPEG over the
// whole page comes out as that JPEG decoded, pixel for pixel (not
// poppler's resampling of it), at its own resolution, read in order or
// alone, in runs broken by pages poppler still draws: a lossless page, a
// colour JPEG, a grey JPEG drawn over part of its page.
func TestPDFEmbeddedJPEG(t *testing.T) {
	t.Parallel()
	a, b := synthPage(400, 560, 31), synthPage(400, 560, 32)
	ja, jb := jpegPage(t, a, 200), jpegPage(t, b, 150)
	part := jpegPage(t, b, 200)
	part.Cover = 0.5
	path := writeFile(t, t.TempDir(), "scans.pdf", makePDF(
		ja, jb, flatePage(a, 200), jpegPage(t, rgbOf(a), 200), jb, part, ja,
	))
	f, pages, errs, err := decodeAll(t, path, Options{})
	if err != nil || len(errs) > 0 {
		t.Fatal(err, errs)
	}
	defer f.Close()
	if len(pages) != 7 {
		t.Fatalf("%d pages, want 7", len(pages))
	}
	for i, want := range []*pdfImage{&ja, &jb, nil, nil, &jb, nil, &ja} {
		p := pages[i]
		alone, err := f.Page(context.Background(), p.Index)
		if err != nil {
			t.Fatalf("page %d alone: %v", p.Index, err)
		}
		if alone.DPI != p.DPI || alone.Image.Rect != p.Image.Rect || !bytes.Equal(alone.Image.Pix, p.Image.Pix) {
			t.Errorf("page %d: in order %v at %g dpi, alone %v at %g dpi, or other pixels", p.Index, p.Image.Rect, p.DPI, alone.Image.Rect, alone.DPI)
		}
		if !f.pdf.pages[i].embedded != (want == nil) {
			t.Errorf("page %d: embedded %v, want %v", p.Index, f.pdf.pages[i].embedded, want != nil)
		}
		if want == nil {
			continue
		}
		dec, err := decodeJPEGData(want.Data, Options{}.withDefaults())
		if err != nil {
			t.Fatal(err)
		}
		if p.DPI != want.DPI || p.Image.Rect != dec.Rect || !bytes.Equal(p.Image.Pix, dec.Pix) {
			t.Errorf("page %d: %v at %g dpi, want its JPEG decoded (%v at %g dpi)", p.Index, p.Image.Rect, p.DPI, dec.Rect, want.DPI)
		}
	}
}
