package scanfile

import (
	"bytes"
	"context"
	"errors"
	"testing"
)

// TestPDFPagesInRuns checks that reading a PDF's pages in order (one
// pdftoppm per run of pages at one resolution) gives, page for page, the
// same pixels and resolution as rendering each page alone (File.Page),
// and the same error in the same place for a page over the pixel limit
// between runs: the runs here are pages 1-2 (200 dpi), page 3 (too large,
// refused), page 4 (200 dpi), pages 5-6 (300 dpi, native).
func TestPDFPagesInRuns(t *testing.T) {
	t.Parallel()
	src := synthPage(400, 560, 21)
	other := synthPage(400, 560, 22)
	huge := pdfImage{Page: flateData(8, 8, 0.03, make([]byte, 64))}
	path := writeFile(t, t.TempDir(), "runs.pdf", makePDF(
		jpegPage(t, src, 200), flatePage(other, 200), huge, jpegPage(t, other, 200),
		flatePage(src, 300), flatePage(other, 300),
	))
	f, pages, errs, err := decodeAll(t, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(pages) != 5 || len(errs) != 1 {
		t.Fatalf("%d pages and %d errors (%v), want 5 and 1", len(pages), len(errs), errs)
	}
	var e *Error
	if !errors.As(errs[0], &e) || e.Page != 3 || e.Kind != KindTooLarge {
		t.Errorf("error %v, want page 3 too large", errs[0])
	}
	want := []int{1, 2, 4, 5, 6}
	for i, p := range pages {
		if p.Index != want[i] {
			t.Errorf("page %d is number %d, want %d", i, p.Index, want[i])
			continue
		}
		alone, err := f.Page(context.Background(), p.Index)
		if err != nil {
			t.Fatalf("page %d alone: %v", p.Index, err)
		}
		if alone.DPI != p.DPI || alone.Image.Rect != p.Image.Rect || !bytes.Equal(alone.Image.Pix, p.Image.Pix) {
			t.Errorf("page %d: in the run %v at %g dpi, alone %v at %g dpi, or other pixels", p.Index, p.Image.Rect, p.DPI, alone.Image.Rect, alone.DPI)
		}
	}
	if pages[3].DPI != 300 || pages[0].DPI != 200 {
		t.Errorf("resolutions %g and %g, want 200 and 300", pages[0].DPI, pages[3].DPI)
	}
}

// TestPDFRunStopsEarly checks that breaking out of Pages part-way through
// a run stops its pdftoppm (the iteration returns; nothing hangs) and
// that the file can be read again afterwards.
func TestPDFRunStopsEarly(t *testing.T) {
	t.Parallel()
	src := synthPage(400, 560, 23)
	path := writeFile(t, t.TempDir(), "three.pdf", makePDF(flatePage(src, 200), flatePage(src, 200), flatePage(src, 200)))
	f, err := Open(context.Background(), path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for range 2 {
		n := 0
		for p, err := range f.Pages(context.Background()) {
			if err != nil {
				t.Fatal(err)
			}
			if p.Index != 1 {
				t.Fatalf("first page is %d", p.Index)
			}
			n++
			break
		}
		if n != 1 {
			t.Fatalf("%d pages", n)
		}
	}
}
