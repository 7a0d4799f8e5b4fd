package icr

import (
	"image"
	"image/color"
	"math"
	"testing"
)

// paper returns a w×h crop of paper (grey 230) with a dark (40) filled
// rectangle r on it.
func paper(w, h int, rs ...image.Rectangle) *image.Gray {
	g := image.NewGray(image.Rect(0, 0, w, h))
	for i := range g.Pix {
		g.Pix[i] = 230
	}
	for _, r := range rs {
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for x := r.Min.X; x < r.Max.X; x++ {
				g.SetGray(x, y, gray(40))
			}
		}
	}
	return g
}

// inkBox is the box of the pixels over 64 in a normalised image, and its
// centre of mass.
func inkBox(g *image.Gray) (image.Rectangle, float64, float64) {
	r := image.Rectangle{}
	var m, mx, my float64
	for y := 0; y < Size; y++ {
		for x := 0; x < Size; x++ {
			v := float64(g.Pix[y*g.Stride+x])
			m += v
			mx += v * (float64(x) + 0.5)
			my += v * (float64(y) + 0.5)
			if v > 64 {
				r = r.Union(image.Rect(x, y, x+1, y+1))
			}
		}
	}
	return r, mx / m, my / m
}

func TestNormalizeBox(t *testing.T) {
	// A bar 3 wide and 40 high, off centre in a 90×70 crop, at three
	// scales: longest side 20 px, thin side kept in proportion, centre of
	// mass at the centre.
	for _, k := range []int{1, 2, 5} {
		g := paper(90*k, 70*k, image.Rect(10*k, 20*k, 13*k, 60*k))
		n, ok := Normalize(g)
		if !ok {
			t.Fatalf("scale %d: no ink", k)
		}
		box, cx, cy := inkBox(n)
		if box.Dy() != 20 {
			t.Errorf("scale %d: ink box %v is %d high, want 20", k, box, box.Dy())
		}
		if box.Dx() < 1 || box.Dx() > 3 {
			t.Errorf("scale %d: ink box %v is %d wide, want 1-3 (3/40 of 20)", k, box, box.Dx())
		}
		if math.Abs(cx-14) > 1 || math.Abs(cy-14) > 1 {
			t.Errorf("scale %d: centre of mass (%.1f, %.1f), want (14, 14)", k, cx, cy)
		}
	}
}

func TestNormalizeBlank(t *testing.T) {
	for name, g := range map[string]*image.Gray{
		"paper":        paper(40, 50),
		"low contrast": func() *image.Gray { g := paper(40, 50); g.SetGray(5, 5, gray(220)); return g }(),
		"empty":        image.NewGray(image.Rectangle{}),
		"nil":          nil,
	} {
		n, ok := Normalize(g)
		if ok {
			t.Errorf("%s: ink found", name)
		}
		for _, p := range n.Pix {
			if p != 0 {
				t.Errorf("%s: normalised image not black", name)
				break
			}
		}
	}
}

// A speck far from the glyph does not stretch the ink box.
func TestNormalizeSpeck(t *testing.T) {
	clean, _ := Normalize(paper(60, 60, image.Rect(20, 10, 40, 50)))
	specked, _ := Normalize(paper(60, 60, image.Rect(20, 10, 40, 50), image.Rect(55, 55, 57, 57)))
	for i := range clean.Pix {
		if clean.Pix[i] != specked.Pix[i] {
			t.Fatal("a 2x2 speck changed the normalised glyph")
		}
	}
}

// A crop not at the origin (a SubImage) normalises like a fresh one.
func TestNormalizeSubImage(t *testing.T) {
	big := paper(100, 100, image.Rect(60, 60, 70, 90))
	sub := big.SubImage(image.Rect(50, 50, 100, 100)).(*image.Gray)
	a, _ := Normalize(sub)
	b, _ := Normalize(paper(50, 50, image.Rect(10, 10, 20, 40)))
	for i := range a.Pix {
		if a.Pix[i] != b.Pix[i] {
			t.Fatal("SubImage normalised differently")
		}
	}
}

func gray(v uint8) color.Gray { return color.Gray{Y: v} }

// BenchmarkNormalize: a 60×80 crop (a digit at 300 dpi).
func BenchmarkNormalize(b *testing.B) {
	g := paper(60, 80, image.Rect(20, 10, 26, 70), image.Rect(10, 10, 40, 16))
	for range b.N {
		Normalize(g)
	}
}
