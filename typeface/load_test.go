package typeface

import (
	"strings"
	"testing"
)

// TestLoad loads a system font (Debian's fonts-ocr-b, installed by
// scripts/setup), measures and names it, and loads it again as the same
// Font; a missing file is an error.
func TestLoad(t *testing.T) {
	f, err := Load("/usr/share/fonts/opentype/ocr-b/OCRB.otf")
	if err != nil {
		t.Fatal(err)
	}
	if f.Name() != "OCRB" {
		t.Errorf("name %q, want OCRB", f.Name())
	}
	if a := f.Advance("0123456789"); a < 5 || a > 8 {
		t.Errorf("advance of ten OCR-B digits %.2f em, want about 7.2", a)
	}
	g, err := Load("/usr/share/fonts/opentype/ocr-b/../ocr-b/OCRB.otf")
	if err != nil || g != f {
		t.Errorf("second load: %v, %v; want the same Font %v", g, err, f)
	}
	m, err := Load("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf")
	if err != nil || m == f || m.Name() != "DejaVuSansMono" || len(m.TTF()) == 0 {
		t.Errorf("DejaVu Sans Mono: %v %v %q", m, err, m.Name())
	}
	if _, err := Load("/nonexistent/font.ttf"); err == nil {
		t.Error("missing file loaded")
	}
	if OCRA.Name() != "ocra" || len(OCRA.TTF()) == 0 {
		t.Error("embedded OCR-A changed")
	}
}

// TestDraws: Debian's OCR-B parses, but Go's sfnt cannot read its 8 (the
// CFF flex1 operator), which a canvas then draws as nothing; Draws names
// it. A font held in memory loads by name, once, and draws its digits.
func TestDraws(t *testing.T) {
	b, err := Load("/usr/share/fonts/opentype/ocr-b/OCRB.otf")
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Draws("0123456789"); err == nil || !strings.Contains(err.Error(), `'8'`) {
		t.Errorf("OCRB.otf draws its digits: %v, want an error naming '8'", err)
	}
	if err := b.Draws("012345679A"); err != nil {
		t.Errorf("OCRB.otf without 8: %v", err)
	}
	f, err := LoadData("ocra-copy", ocra)
	if err != nil || f == OCRA || f.Name() != "ocra-copy" {
		t.Fatalf("LoadData: %v %v %q", f, err, f.Name())
	}
	if g, err := LoadData("ocra-copy", ocra); err != nil || g != f {
		t.Errorf("second LoadData: %v, %v; want the same Font %v", g, err, f)
	}
	if err := f.Draws("0123456789AD"); err != nil {
		t.Error(err)
	}
	if err := f.Draws("\u4e2d"); err == nil {
		t.Error("OCR-A draws a CJK character")
	}
	if _, err := LoadData("junk", []byte("not a font")); err == nil {
		t.Error("junk loaded")
	}
}
