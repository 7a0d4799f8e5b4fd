package tesseract

import (
	"bytes"
	"math/rand"
	"testing"
)

// softenRef is soften as first written: every tap clamped at the edges.
// soften must give its bytes exactly (its direct taps inside the image
// are a speed-up, not another filter).
func softenRef(px []byte, w, h int) {
	k := [5]int{18, 45, 60, 45, 18}
	const sum = 186
	tmp := make([]int32, len(px))
	for y := range h {
		for x := range w {
			acc := 0
			for i, kv := range k {
				acc += kv * int(px[y*w+min(w-1, max(0, x+i-2))])
			}
			tmp[y*w+x] = int32(acc)
		}
	}
	for y := range h {
		for x := range w {
			acc := 0
			for i, kv := range k {
				acc += kv * int(tmp[min(h-1, max(0, y+i-2))*w+x])
			}
			px[y*w+x] = uint8((acc + sum*sum/2) / (sum * sum))
		}
	}
}

// TestSoftenIsReference checks soften against softenRef on random
// images, from 1x1 (every tap clamped) to line-sized ones.
func TestSoftenIsReference(t *testing.T) {
	r := rand.New(rand.NewSource(17))
	for i := 0; i < 400; i++ {
		w, h := 1+r.Intn(40), 1+r.Intn(12)
		if i%10 == 0 {
			w, h = 200+r.Intn(300), LineHeight
		}
		px := make([]byte, w*h)
		for k := range px {
			px[k] = uint8(r.Intn(256))
		}
		want := bytes.Clone(px)
		softenRef(want, w, h)
		soften(px, w, h)
		if !bytes.Equal(px, want) {
			t.Fatalf("%dx%d: soften differs from the reference", w, h)
		}
	}
}

// BenchmarkSoften times soften on a code line's crop (LineHeight high,
// about 13,600 pixels: the mean line regfus bench gives Tesseract).
func BenchmarkSoften(b *testing.B) {
	w, h := 13600/LineHeight, LineHeight
	r := rand.New(rand.NewSource(1))
	src := make([]byte, w*h)
	for k := range src {
		src[k] = uint8(r.Intn(256))
	}
	px := make([]byte, len(src))
	for _, c := range []struct {
		name string
		f    func([]byte, int, int)
	}{{"reference", softenRef}, {"soften", soften}} {
		b.Run(c.name, func(b *testing.B) {
			for range b.N {
				copy(px, src)
				c.f(px, w, h)
			}
		})
	}
}
