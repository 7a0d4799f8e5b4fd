package scanfile

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// FuzzOpen feeds arbitrary bytes through the whole entry point: sniff,
// Open, every page. Nothing may panic or hang, every failure must be an
// *Error naming the file, and every page must respect the limits.
//
//	go test ./scanfile -run '^$' -fuzz FuzzOpen -fuzztime 30s
func FuzzOpen(f *testing.F) {
	src := synthPage(64, 90, 3)
	f.Add(encodePNG(f, src))
	f.Add(encodePNG(f, rgbOf(src)))
	f.Add(withPHYs(encodePNG(f, src), 200, 100))
	f.Add(encodeJPEG(f, src, 80))
	f.Add(withJFIF(encodeJPEG(f, rgbOf(src), 80), 300, 300))
	f.Add(tinyTIFF(8, 8, make([]byte, 64), func(uint32) uint32 { return 0 }))
	f.Add(tinyTIFF(4, 4, make([]byte, 16), func(ifd uint32) uint32 { return ifd }))
	f.Add(makePDF(flatePage(src, 72)))
	f.Add(bombPNG(50000, 50000))
	f.Add(zipBytes(f))
	f.Add([]byte("just text"))
	if g4, err := os.ReadFile(fixtureA4G4); err == nil {
		f.Add(g4)
	}
	opts := Options{MaxPixels: 4_000_000, MaxPages: 4, PageTimeout: 3 * time.Second}
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "in")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		file, err := Open(ctx, path, opts)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Source != path {
				t.Fatalf("Open: %T %v is not an *Error for the file", err, err)
			}
			return
		}
		defer file.Close()
		if file.Count() < 1 || file.Count() > opts.MaxPages {
			t.Fatalf("%d pages", file.Count())
		}
		for p, err := range file.Pages(ctx) {
			if err != nil {
				var e *Error
				if !errors.As(err, &e) || e.Source != path || e.Page < 1 {
					t.Fatalf("page error %T %v", err, err)
				}
				continue
			}
			r := p.Image.Rect
			if r.Min.X != 0 || r.Min.Y != 0 || r.Empty() || int64(r.Dx())*int64(r.Dy()) > opts.MaxPixels {
				t.Fatalf("page %d: image %v", p.Index, r)
			}
			if len(p.Image.Pix) < (r.Dy()-1)*p.Image.Stride+r.Dx() {
				t.Fatalf("page %d: %d bytes for %v", p.Index, len(p.Image.Pix), r)
			}
		}
	})
}
