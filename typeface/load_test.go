package typeface

import (
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
