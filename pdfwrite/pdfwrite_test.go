package pdfwrite

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestXrefPointsAtObjects: every offset of the cross-reference table is
// where its object starts, startxref is where the table starts, and the
// page sizes and image names are the ones asked for.
func TestXrefPointsAtObjects(t *testing.T) {
	pages := []Page{
		{Width: 1654, Height: 2339, DPI: 200, Gray: true, Filter: DCT, Data: []byte("jpeg")},
		{Width: 300, Height: 400, DPI: 150, Filter: Flate, Data: []byte("zlib"), Contents: "0.5 g 0 0 10 10 re f"},
	}
	var b bytes.Buffer
	if err := Write(&b, pages); err != nil {
		t.Fatal(err)
	}
	pdf := b.String()
	m := regexp.MustCompile(`startxref\n(\d+)\n%%EOF\n$`).FindStringSubmatch(pdf)
	if m == nil {
		t.Fatalf("no startxref at the end:\n%s", pdf)
	}
	xref, _ := strconv.Atoi(m[1])
	if !strings.HasPrefix(pdf[xref:], "xref\n0 9\n") {
		t.Fatalf("startxref %d does not point at a table of 9 entries: %q", xref, pdf[xref:min(len(pdf), xref+20)])
	}
	offs := regexp.MustCompile(`(\d{10}) 00000 n `).FindAllStringSubmatch(pdf[xref:], -1)
	if len(offs) != 8 {
		t.Fatalf("%d objects in the table, want 8", len(offs))
	}
	for i, o := range offs {
		at, _ := strconv.Atoi(o[1])
		if want := fmt.Sprintf("%d 0 obj\n", i+1); !strings.HasPrefix(pdf[at:], want) {
			t.Errorf("entry %d points at %q, want %q", i+1, pdf[at:min(len(pdf), at+12)], want)
		}
	}
	for _, want := range []string{
		"/MediaBox [0 0 595.44 842.04] /Resources << /XObject << /Im1 5 0 R",
		"q 595.44 0 0 842.04 0 0 cm /Im1 Do Q",
		"/MediaBox [0 0 144.00 192.00] /Resources << /XObject << /Im2 8 0 R",
		"0.5 g 0 0 10 10 re f",
		"/ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /DCTDecode /Length 4",
		"/ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /FlateDecode /Length 4",
	} {
		if !strings.Contains(pdf, want) {
			t.Errorf("no %q in\n%s", want, pdf)
		}
	}
}

func TestWriteRefuses(t *testing.T) {
	for _, p := range []Page{
		{Width: 1, Height: 1, DPI: 72, Filter: "LZWDecode", Data: []byte{0}},
		{Width: 1, Height: 1, DPI: 72, Filter: DCT},
	} {
		if err := Write(&bytes.Buffer{}, []Page{p}); err == nil {
			t.Errorf("%+v written", p)
		}
	}
}
