package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/image/tiff"

	"github.com/regfus/regfus/barcode"
	"github.com/regfus/regfus/fustella"
	"github.com/regfus/regfus/layout"
	"github.com/regfus/regfus/render"
)

// labelImage draws a fustella-like label at 200 dpi: a Code 32 over an ITF
// targatura, with quiet zones.
func labelImage(t *testing.T, aic fustella.AIC, tg fustella.Targatura) *image.Gray {
	t.Helper()
	c32, err := barcode.Code39(aic.Code32(), 3)
	if err != nil {
		t.Fatal(err)
	}
	itf, err := barcode.ITF(string(tg), 3)
	if err != nil {
		t.Fatal(err)
	}
	r := render.NewRaster(60, 30, 200)
	render.Bars(r, c32, layout.Rect{X: 10, Y: 3, W: c32.Modules() * 0.3, H: 9}, 0)
	render.Bars(r, itf, layout.Rect{X: 14, Y: 17, W: itf.Modules() * 0.3, H: 9}, 0)
	return r.Img
}

func writeFile(t *testing.T, path string, data []byte) string {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func encodePNG(t *testing.T, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// runWithStdin runs the CLI in-process with stdin.
func runWithStdin(t *testing.T, stdin []byte, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	err := Main(context.Background(), args, Streams{Stdin: bytes.NewReader(stdin), Stdout: &out, Stderr: &errb})
	return out.String(), errb.String(), exitCode(err, &errb)
}

func TestBarcodeCommandFormats(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	aic, _ := fustella.NewAIC("01234567")
	tg, _ := fustella.NewTargatura("123456789")
	img := labelImage(t, aic, tg)

	pngPath := writeFile(t, filepath.Join(dir, "label.png"), encodePNG(t, img))
	var jb bytes.Buffer
	if err := jpeg.Encode(&jb, img, &jpeg.Options{Quality: 85}); err != nil {
		t.Fatal(err)
	}
	jpgPath := writeFile(t, filepath.Join(dir, "label.jpg"), jb.Bytes())
	var tb bytes.Buffer
	if err := tiff.Encode(&tb, img, &tiff.Options{Compression: tiff.Deflate}); err != nil {
		t.Fatal(err)
	}
	tifPath := writeFile(t, filepath.Join(dir, "label.tif"), tb.Bytes())
	// The same label upside down and as a negative.
	flipped := image.NewGray(img.Bounds())
	n := len(img.Pix)
	for i, v := range img.Pix {
		flipped.Pix[n-1-i] = 255 - v
	}
	negPath := writeFile(t, filepath.Join(dir, "negative-upside-down.png"), encodePNG(t, flipped))
	blankPath := writeFile(t, filepath.Join(dir, "blank.png"), encodePNG(t, image.NewGray(image.Rect(0, 0, 50, 50))))

	out, errOut, code := runCLI(t, "barcode", pngPath, jpgPath, tifPath, blankPath)
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	var want strings.Builder
	for _, p := range []string{pngPath, jpgPath, tifPath} {
		want.WriteString(p + "\tCODE32\tA012345676\n" + p + "\tITF\t1234567895\n")
	}
	if out != want.String() {
		t.Fatalf("stdout:\n%s\nwant:\n%s", out, want.String())
	}
	if !strings.Contains(errOut, blankPath+": no symbol found") {
		t.Errorf("stderr %q does not note the blank file", errOut)
	}

	// Standard input, --details and --workers 1.
	out, errOut, code = runWithStdin(t, encodePNG(t, flipped), "barcode", "--details", "--workers", "1", "-")
	if code != 0 {
		t.Fatalf("stdin: exit %d, stderr %q", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 {
		t.Fatalf("stdin: %q", out)
	}
	for _, l := range lines {
		f := strings.Split(l, "\t")
		if len(f) != 7 || f[0] != "-" || f[5] != "180" {
			t.Errorf("--details line %q: want 7 fields, file -, angle 180", l)
		}
	}
	out, _, code = runCLI(t, "barcode", negPath)
	if code != 0 || !strings.Contains(out, "\tCODE32\tA012345676\n") || !strings.Contains(out, "\tITF\t1234567895\n") {
		t.Fatalf("negative upside-down label: exit %d, %q", code, out)
	}
}

// pngHeaderOnly is a PNG that declares w x h pixels and ends after IHDR:
// what a decompression bomb looks like to DecodeConfig.
func pngHeaderOnly(w, h uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 0 // 8-bit grey
	chunk := append([]byte("IHDR"), ihdr...)
	_ = binary.Write(&b, binary.BigEndian, uint32(13))
	b.Write(chunk)
	_ = binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(chunk))
	return b.Bytes()
}

func TestBarcodeCommandBadFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	aic, _ := fustella.NewAIC("07654321")
	tg, _ := fustella.NewTargatura("987654321")
	good := writeFile(t, filepath.Join(dir, "good.png"), encodePNG(t, labelImage(t, aic, tg)))
	full := encodePNG(t, labelImage(t, aic, tg))
	cases := []struct{ name, reason string }{
		{writeFile(t, filepath.Join(dir, "truncated.png"), full[:len(full)/2]), "corrupt or truncated"},
		{writeFile(t, filepath.Join(dir, "empty.png"), nil), "empty file"},
		{writeFile(t, filepath.Join(dir, "notes.txt"), []byte("not an image at all\n")), "not a PNG, JPEG or TIFF image"},
		{writeFile(t, filepath.Join(dir, "photo.jpg"), full), ""}, // wrong extension: decoded by content
		{writeFile(t, filepath.Join(dir, "bomb.png"), pngHeaderOnly(50000, 50000)), "over the limit"},
		{filepath.Join(dir, "missing.png"), "no such file"},
		{dir, "is a directory"},
	}
	args := []string{"barcode", good}
	for _, c := range cases {
		args = append(args, c.name)
	}
	out, errOut, code := runCLI(t, args...)
	if code != 1 {
		t.Fatalf("exit %d, want 1; stderr %q", code, errOut)
	}
	wantOut := good + "\tCODE32\t" + aic.Printed() + "\n" + good + "\tITF\t" + string(tg) + "\n"
	wrongExt := cases[3].name
	wantOut += wrongExt + "\tCODE32\t" + aic.Printed() + "\n" + wrongExt + "\tITF\t" + string(tg) + "\n"
	if out != wantOut {
		t.Fatalf("stdout:\n%s\nwant:\n%s", out, wantOut)
	}
	for _, c := range cases {
		if c.reason == "" {
			continue
		}
		found := false
		for _, l := range strings.Split(errOut, "\n") {
			if strings.Contains(l, c.name+":") && strings.Contains(l, c.reason) {
				found = true
			}
		}
		if !found {
			t.Errorf("stderr lacks %q for %s:\n%s", c.reason, c.name, errOut)
		}
	}
	if !strings.Contains(errOut, "6 of 8 files could not be read") {
		t.Errorf("stderr lacks the summary: %q", errOut)
	}
}

func TestBarcodeCommandUsage(t *testing.T) {
	t.Parallel()
	out, _, code := runCLI(t, "barcode", "--help")
	if code != 0 || !strings.Contains(out, "FILE<TAB>FORMAT<TAB>TEXT") || !strings.Contains(out, "--max-pixels") || !strings.Contains(out, "CODE32") {
		t.Fatalf("--help: exit %d, %q", code, out)
	}
	for _, args := range [][]string{
		{"barcode"},
		{"barcode", "--workers", "0", "x.png"},
		{"barcode", "--max-pixels", "0", "x.png"},
		{"barcode", "--bogus", "x.png"},
		{"barcode", "-", "-"},
	} {
		if _, errOut, code := runCLI(t, args...); code != 2 || !strings.HasPrefix(errOut, "regfus: barcode") {
			t.Errorf("%v: exit %d, stderr %q; want 2 and a one-line usage error", args, code, errOut)
		}
	}
}

// --checked drops symbols that are not domain values: an ITF whose check
// digit fails, a CODE 39 that is neither a Code 32 nor a sheet code.
func TestBarcodeCommandChecked(t *testing.T) {
	t.Parallel()
	r := render.NewRaster(150, 50, 200)
	for _, s := range []struct {
		sym func() (barcode.Symbol, error)
		y   float64
	}{
		{func() (barcode.Symbol, error) { return barcode.ITF("1234567895", 3) }, 3},            // valid targatura
		{func() (barcode.Symbol, error) { return barcode.ITF("1234567890", 3) }, 15},           // check digit fails
		{func() (barcode.Symbol, error) { return barcode.Code39("HELLO", 3) }, 27},             // not a domain code
		{func() (barcode.Symbol, error) { return barcode.Code39("12020599999012023", 3) }, 39}, // sheet code
	} {
		sym, err := s.sym()
		if err != nil {
			t.Fatal(err)
		}
		render.Bars(r, sym, layout.Rect{X: 8, Y: s.y, W: sym.Modules() * 0.33, H: 8}, 0)
	}
	path := writeFile(t, filepath.Join(t.TempDir(), "mixed.png"), encodePNG(t, r.Img))
	out, errOut, code := runCLI(t, "barcode", path)
	want := path + "\tITF\t1234567895\n" + path + "\tITF\t1234567890\n" + path + "\tCODE39\tHELLO\n" + path + "\tCODE39\t12020599999012023\n"
	if code != 0 || out != want {
		t.Fatalf("exit %d, stderr %q, stdout:\n%s\nwant:\n%s", code, errOut, out, want)
	}
	out, _, code = runCLI(t, "barcode", "--checked", path)
	want = path + "\tITF\t1234567895\n" + path + "\tCODE39\t12020599999012023\n"
	if code != 0 || out != want {
		t.Fatalf("--checked: exit %d, stdout:\n%s\nwant:\n%s", code, out, want)
	}
}
