package acquisition

import (
	"context"
	"image"
	"testing"

	"github.com/regfus/regfus/layout"
	"github.com/regfus/regfus/vision"
)

// benchPage is a 200-dpi sheet with every slot filled, slightly skewed.
func benchPage(b *testing.B) *image.Gray {
	b.Helper()
	l := layout.Current()
	g := renderPage(b, 200)
	for _, s := range l.Slots {
		stickLabel(b, g, 200, s, testLabel(b, s.N), 0, 0, false)
	}
	img, _ := transformed(b, g, 0.7, 1, 0)
	return img
}

func BenchmarkReadPage(b *testing.B) {
	img := benchPage(b)
	r := NewReader(nil)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r.Read(context.Background(), img, "bench", 1)
	}
}

func BenchmarkGeometry(b *testing.B) {
	img := benchPage(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		im, err := vision.NewImage(img)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := findGeometry(im, layout.Current()); err != nil {
			b.Fatal(err)
		}
		im.Close()
	}
}
