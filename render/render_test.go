package render

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/oned"

	"github.com/regfus/regfus/layout"
	"github.com/regfus/regfus/sheet"
)

func testSheet(t testing.TB, code string) Sheet {
	t.Helper()
	c, err := sheet.ParseCode(code)
	if err != nil {
		t.Fatal(err)
	}
	return Sheet{Code: c, VAT: "12345678911", Name: "Farmacia Prova", RegionLabel: "Regione Lazio"}
}

// crop returns the part of img under r (mm) at dpi, widened by the quiet
// zone and a margin, as gozxing wants a quiet zone.
func crop(img *image.Gray, r layout.Rect, dpi, grow float64) *image.Gray {
	px := func(mm float64) int { return int(mm / 25.4 * dpi) }
	rect := image.Rect(px(r.X-grow), px(r.Y-1), px(r.Right()+grow), px(r.Bottom()+1)).Intersect(img.Bounds())
	return img.SubImage(rect).(*image.Gray)
}

func decodeCode39(t *testing.T, img image.Image) string {
	t.Helper()
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := oned.NewCode39Reader().Decode(bmp, map[gozxing.DecodeHintType]interface{}{gozxing.DecodeHintType_TRY_HARDER: true})
	if err != nil {
		t.Fatalf("CODE 39 not decoded: %v", err)
	}
	return res.GetText()
}

func TestRasterBarcodesRoundTrip(t *testing.T) {
	t.Parallel()
	l := layout.Current()
	for _, dpi := range []float64{300, 200, 150} {
		for _, code := range []string{"12020599999012023", "01000100001122099", "20088812345072031"} {
			t.Run(fmt.Sprintf("%gdpi/%s", dpi, code), func(t *testing.T) {
				t.Parallel()
				img, err := Image(l, testSheet(t, code), dpi)
				if err != nil {
					t.Fatal(err)
				}
				for name, r := range map[string]layout.Rect{"head": l.HeadBarcode, "tail": l.TailBarcode} {
					got := decodeCode39(t, crop(img, r, dpi, l.Barcode.QuietZone))
					if got != code {
						t.Errorf("%s barcode at %g dpi decodes to %q, want %q", name, dpi, got, code)
					}
				}
			})
		}
	}
}

// TestMarkersWhereLayoutSays samples the rendered page: head markers have a
// black ring, a white ring and a black core; tail markers are solid.
func TestMarkersWhereLayoutSays(t *testing.T) {
	t.Parallel()
	l := layout.Current()
	const dpi = 200
	img, err := Image(l, testSheet(t, "12020599999012023"), dpi)
	if err != nil {
		t.Fatal(err)
	}
	at := func(xmm, ymm float64) uint8 {
		return img.GrayAt(int(xmm/25.4*dpi), int(ymm/25.4*dpi)).Y
	}
	for _, m := range l.Markers {
		mod := m.W / float64(m.Modules)
		cx, cy := m.Center()
		want := []struct {
			x, y float64
			dark bool
		}{
			{cx, cy, true},                             // core
			{m.X + mod/2, cy, true},                    // outer ring
			{m.X + 1.5*mod, cy, m.Kind != layout.Head}, // white ring on head markers
			{m.X - 1, cy, false},                       // outside
			{m.Right() + 1, cy, false},
		}
		for _, w := range want {
			if dark := at(w.x, w.y) < 128; dark != w.dark {
				t.Errorf("marker %s at (%.1f, %.1f) mm: dark = %v, want %v", m.Name, w.x, w.y, dark, w.dark)
			}
		}
	}
}

func TestPDFRasterisedDecodes(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("pdftoppm"); err != nil {
		t.Fatal("pdftoppm (poppler-utils) is required: run scripts/setup")
	}
	l := layout.Current()
	codes := []string{"12020599999012023", "12020512345122024"}
	var sheets []Sheet
	for _, c := range codes {
		sheets = append(sheets, testSheet(t, c))
	}
	var b bytes.Buffer
	if err := WritePDF(&b, l, sheets); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	pdf := filepath.Join(dir, "pack.pdf")
	if err := os.WriteFile(pdf, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	// The fonts are embedded: pdffonts lists them all as emb=yes.
	if out, err := exec.Command("pdffonts", pdf).CombinedOutput(); err == nil {
		for _, line := range strings.Split(string(out), "\n")[2:] {
			if f := strings.Fields(line); len(f) >= 5 && !strings.Contains(line, " yes ") {
				t.Errorf("font not embedded: %s", line)
			}
		}
	}
	for _, dpi := range []int{200, 150} {
		prefix := filepath.Join(dir, fmt.Sprintf("p%d", dpi))
		if out, err := exec.Command("pdftoppm", "-r", fmt.Sprint(dpi), "-gray", "-png", pdf, prefix).CombinedOutput(); err != nil {
			t.Fatalf("pdftoppm: %v: %s", err, out)
		}
		for i, code := range codes {
			f, err := os.Open(fmt.Sprintf("%s-%d.png", prefix, i+1))
			if err != nil {
				t.Fatal(err)
			}
			img, err := png.Decode(f)
			f.Close()
			if err != nil {
				t.Fatal(err)
			}
			g := toGray(img)
			if w := g.Bounds().Dx(); w < int(209/25.4*float64(dpi)) || w > int(211/25.4*float64(dpi)) {
				t.Errorf("page %d at %d dpi is %d px wide, not A4", i+1, dpi, w)
			}
			for name, r := range map[string]layout.Rect{"head": l.HeadBarcode, "tail": l.TailBarcode} {
				if got := decodeCode39(t, crop(g, r, float64(dpi), l.Barcode.QuietZone)); got != code {
					t.Errorf("PDF page %d %s barcode at %d dpi: %q, want %q", i+1, name, dpi, got, code)
				}
			}
		}
	}
}

// TestZbarAgrees checks the CODE 39 against an independent reader.
func TestZbarAgrees(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("zbarimg"); err != nil {
		t.Fatal("zbarimg (zbar-tools) is required: run scripts/setup")
	}
	l := layout.Current()
	const code = "12020599999012023"
	for _, dpi := range []float64{300, 200} {
		img, err := Image(l, testSheet(t, code), dpi)
		if err != nil {
			t.Fatal(err)
		}
		// zbar reports identical symbols in one image once: read the head
		// and the tail from their own crops.
		for name, r := range map[string]layout.Rect{"head": l.HeadBarcode, "tail": l.TailBarcode} {
			path := filepath.Join(t.TempDir(), name+".png")
			var b bytes.Buffer
			if err := WritePNG(&b, crop(img, r, dpi, l.Barcode.QuietZone), dpi); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command("zbarimg", "--quiet", "--raw", "-Sdisable", "-Scode39.enable", path).Output()
			if err != nil {
				t.Fatalf("zbarimg on the %s barcode at %g dpi: %v", name, dpi, err)
			}
			if got := strings.TrimSpace(string(out)); got != code {
				t.Errorf("zbarimg on the %s barcode at %g dpi read %q, want %q", name, dpi, got, code)
			}
		}
	}
}

func TestPNGRecordsDPI(t *testing.T) {
	t.Parallel()
	img := image.NewGray(image.Rect(0, 0, 10, 10))
	var b bytes.Buffer
	if err := WritePNG(&b, img, 200); err != nil {
		t.Fatal(err)
	}
	if _, err := png.Decode(bytes.NewReader(b.Bytes())); err != nil {
		t.Fatalf("PNG with pHYs does not decode: %v", err)
	}
	if !bytes.Contains(b.Bytes(), []byte("pHYs")) {
		t.Fatal("no pHYs chunk")
	}
}

func TestPDFIsReproducible(t *testing.T) {
	t.Parallel()
	l := layout.Current()
	var a, b bytes.Buffer
	s := []Sheet{testSheet(t, "12020599999012023")}
	if err := WritePDF(&a, l, s); err != nil {
		t.Fatal(err)
	}
	if err := WritePDF(&b, l, s); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("same sheets, different PDF bytes")
	}
}

func TestSheetValidation(t *testing.T) {
	t.Parallel()
	good := testSheet(t, "12020599999012023")
	for name, mod := range map[string]func(*Sheet){
		"short VAT":    func(s *Sheet) { s.VAT = "1234" },
		"letters VAT":  func(s *Sheet) { s.VAT = "1234567891A" },
		"bad tax code": func(s *Sheet) { s.VAT = "RSSMRA80A01H501!" },
		"empty name":   func(s *Sheet) { s.Name = "" },
		"count 29":     func(s *Sheet) { n := 29; s.Count = &n },
		"bad code":     func(s *Sheet) { s.Code.Month = 13 },
	} {
		s := good
		mod(&s)
		if _, err := Image(layout.Current(), s, 100); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	s := good
	s.VAT = "RSSMRA80A01H501U"
	if err := s.Validate(); err != nil {
		t.Errorf("tax code rejected: %v", err)
	}
}

func toGray(img image.Image) *image.Gray {
	if g, ok := img.(*image.Gray); ok {
		return g
	}
	b := img.Bounds()
	g := image.NewGray(b)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			g.Set(x, y, img.At(x, y))
		}
	}
	return g
}

func BenchmarkImage200(b *testing.B) {
	l := layout.Current()
	s := testSheet(b, "12020599999012023")
	for i := 0; i < b.N; i++ {
		if _, err := Image(l, s, 200); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPDF(b *testing.B) {
	l := layout.Current()
	s := []Sheet{testSheet(b, "12020599999012023")}
	for i := 0; i < b.N; i++ {
		if err := WritePDF(&bytes.Buffer{}, l, s); err != nil {
			b.Fatal(err)
		}
	}
}
