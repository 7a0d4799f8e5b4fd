package acquisition

import (
	"image"
	"math/rand"
	"reflect"
	"testing"
)

// edgeLevels gives edgeProfiles' numbers, on random images (random gray
// levels, so a pixel counted in the wrong part or twice changes a
// percentile) and spans that reach past the image or are empty.
func TestEdgeLevelsIsEdgeProfiles(t *testing.T) {
	r := rand.New(rand.NewSource(9))
	for i := 0; i < 300; i++ {
		w, h := 1+r.Intn(60), 1+r.Intn(60)
		g := image.NewGray(image.Rect(0, 0, w, h))
		for k := range g.Pix {
			g.Pix[k] = uint8(r.Intn(256))
		}
		rowsOf := r.Intn(2) == 0
		from, to := r.Intn(80)-10, r.Intn(80)-10
		if got, want := edgeLevels(g, rowsOf, from, to), edgeProfiles(g, rowsOf, from, to); !reflect.DeepEqual(got, want) {
			t.Fatalf("%dx%d rows %v [%d,%d): edgeLevels %v, edgeProfiles %v", w, h, rowsOf, from, to, got, want)
		}
	}
}

// BenchmarkEdgeLevels times the profiles of a label-outline crop (68 x 56
// mm at 8 px/mm, a 35 x 15 mm print): rows over the print's width,
// columns over its height, by edgeProfiles and edgeLevels.
func BenchmarkEdgeLevels(b *testing.B) {
	r := rand.New(rand.NewSource(1))
	g := image.NewGray(image.Rect(0, 0, 544, 448))
	for k := range g.Pix {
		g.Pix[k] = uint8(r.Intn(256))
	}
	for _, c := range []struct {
		name string
		f    func(*image.Gray, bool, int, int) [4][]float64
	}{{"edgeProfiles", edgeProfiles}, {"edgeLevels", edgeLevels}} {
		b.Run(c.name, func(b *testing.B) {
			for range b.N {
				c.f(g, true, 132, 412)
				c.f(g, false, 164, 284)
			}
		})
	}
}

// The reference edgeLevels is checked against: each level by its own
// histogram over the span, as the outline once computed them.

// edgeProfiles returns lineLevels over the span [from, to) and over each
// of its thirds.
func edgeProfiles(g *image.Gray, rowsOf bool, from, to int) [4][]float64 {
	third := (to - from) / 3
	return [4][]float64{
		lineLevels(g, rowsOf, from, to),
		lineLevels(g, rowsOf, from, from+third),
		lineLevels(g, rowsOf, from+third, to-third),
		lineLevels(g, rowsOf, to-third, to),
	}
}

// lineLevels returns, for each row (rowsOf) or column of g, the 70th
// percentile of its gray levels over the span [from, to) of the other axis
// (by a histogram: gray levels are bytes).
func lineLevels(g *image.Gray, rowsOf bool, from, to int) []float64 {
	w, h := g.Rect.Dx(), g.Rect.Dy()
	n, span := h, w
	if !rowsOf {
		n, span = w, h
	}
	from, to = max(0, from), min(span, to)
	out := make([]float64, n)
	if to <= from {
		return out
	}
	rank := (to - from) * 7 / 10
	for i := 0; i < n; i++ {
		var hist [256]int
		for j := from; j < to; j++ {
			if rowsOf {
				hist[g.Pix[i*g.Stride+j]]++
			} else {
				hist[g.Pix[j*g.Stride+i]]++
			}
		}
		c := 0
		for v := 0; v < 256; v++ {
			c += hist[v]
			if c > rank {
				out[i] = float64(v)
				break
			}
		}
	}
	return out
}
