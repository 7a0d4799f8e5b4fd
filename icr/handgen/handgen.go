// Package handgen makes the training and test glyphs of package icr that
// MNIST does not have: handwritten-looking D's, "other" marks (pieces of
// box lines, dots, blobs, scribbles, fragments, letters that are not D),
// digits in a pen model's hand (with the Italian hooked and footed 1 and
// crossed 7), and MNIST digits distorted and laid on paper the way a
// segmenter would crop them from a scan.
//
// Every sample is a crop, dark ink on light paper, as Classify receives
// it; icr.Normalize turns it into the model's input. A sample depends only
// on the seed and its index (rand.NewPCG(seed, index)), so a data set is
// the same bytes on every machine and can be made in parallel.
package handgen

import (
	"image"
	"math"
	"math/rand/v2"

	"github.com/regfus/regfus/icr"
)

// Source says how a sample was made, for figures per kind.
type Source uint8

// The sources.
const (
	MNIST     Source = iota // an MNIST digit, inverted onto paper as it is
	MNISTAug                // an MNIST digit distorted, hooked/crossed, cropped on paper
	PenDigit                // a digit in the pen model's hand
	PenD                    // a D in the pen model's hand
	FontD                   // a D of a Go font, distorted
	PenOther                // a letter, scribble, fragment, dot or line piece
	FontOther               // a letter or symbol of a Go font, distorted
	BadCut                  // Other made of MNIST digits: two touching, or one cut in part
	NumSources
)

var sourceNames = [...]string{"mnist", "mnist-aug", "pen-digit", "pen-D", "font-D", "pen-other", "font-other", "bad-cut"}

func (s Source) String() string {
	if int(s) < len(sourceNames) {
		return sourceNames[s]
	}
	return "source?"
}

// Sample is one glyph crop and what it is.
type Sample struct {
	Crop   *image.Gray
	Class  icr.Class
	Source Source
}

// Recipe is the augmentation a data set's glyphs are made with. The zero
// Recipe is net-a's (145f771): slant -0.3..0.4, rotation ±8.6°, pens
// -1..+3 px at 3×, whole box lines on a quarter of the crops, bitonal a
// fifth, a cut side on 15%. Wide (icrgen -wide; net-c) is as wide as a
// form's writers and scanners are: slant -0.3..0.45, rotation ±12°, a
// scan's blur on 30% of the crops (before any bitonal threshold), light
// ink on 20%, pens -2..+3 px, box lines 30%, bitonal 25%, a cut side
// 25%. A Recipe{} data set is the same bytes as before Wide existed.
type Recipe struct {
	Wide bool
}

// Rand returns the random source of sample index of the set seed.
func Rand(seed, index uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, index)) }

// FromMNIST makes a sample of the 28×28 MNIST image pix (white on black)
// of digit label: inverted onto paper as it is, or, with augment, enlarged
// three times, given a European hook and foot (1) or a bar (7) a third of
// the time, distorted, made thicker or thinner, given what a field
// reader leaves of box lines and neighbours (remnants) and cropped on
// paper (with whole box lines a quarter of the time, bitonal a fifth).
func FromMNIST(r *rand.Rand, pix []byte, label int, augment bool) Sample {
	return Recipe{}.FromMNIST(r, pix, label, augment)
}

// FromMNIST is FromMNIST with the recipe rc.
func (rc Recipe) FromMNIST(r *rand.Rand, pix []byte, label int, augment bool) Sample {
	if !augment {
		g := image.NewGray(image.Rect(0, 0, 28, 28))
		for i, p := range pix {
			g.Pix[i] = 255 - p
		}
		return Sample{g, icr.Class(label), MNIST}
	}
	c := enlarge(pix)
	if r.Float64() < 0.35 {
		switch label {
		case 1:
			hook(r, c)
		case 7:
			crossBar(r, c)
		}
	}
	c = rc.distort(r, c)
	if rc.Wide {
		c = morph(c, r.IntN(6)-2) // -2..3 px at 3×: a fine pen to a felt tip
	} else {
		c = morph(c, r.IntN(5)-1) // -1..3 px at 3×: thin to felt tip
	}
	c = rc.remnants(r, c)
	return Sample{rc.compose(r, c, rc.crop(r)), icr.Class(label), MNISTAug}
}

// crop draws how a glyph is laid on paper: with whole box lines at its
// edges, bitonal.
func (rc Recipe) crop(r *rand.Rand) crop {
	if rc.Wide {
		return crop{boxLines: r.Float64() < 0.3, bitonal: r.Float64() < 0.25}
	}
	return crop{boxLines: r.Float64() < 0.25, bitonal: r.Float64() < 0.2}
}

// enlarge is the 28×28 MNIST image pix (white on black) scaled three
// times (bilinear) on a canvas with a 12 px margin.
func enlarge(pix []byte) *canvas {
	const k = 3
	c := newCanvas(28*k+24, 28*k+24)
	src := &canvas{28, 28, make([]float32, 28*28)}
	for i, p := range pix {
		src.v[i] = float32(p) / 255
	}
	for y := 0; y < c.h; y++ {
		for x := 0; x < c.w; x++ {
			c.v[y*c.w+x] = src.bilinear((float64(x-12)+0.5)/k-0.5, (float64(y-12)+0.5)/k-0.5)
		}
	}
	return c
}

// rowCentre is the ink-weighted x of row y of c, and whether it has ink.
func rowCentre(c *canvas, y int) (float64, bool) {
	var s, sx float64
	for x := 0; x < c.w; x++ {
		v := float64(c.v[y*c.w+x])
		s += v
		sx += v * (float64(x) + 0.5)
	}
	return sx / s, s > 0.5
}

// hook gives an MNIST 1 the European flag from its top down to the left,
// and half the time a foot.
func hook(r *rand.Rand, c *canvas) {
	_, y0, _, y1, ok := c.bounds()
	if !ok {
		return
	}
	h := float64(y1 - y0)
	rad := uniform(r, 2.5, 4.5)
	tx, ok := rowCentre(c, y0+1)
	if !ok {
		return
	}
	top := pt{tx, float64(y0) + rad}
	c.line(top, pt{tx - h*uniform(r, 0.2, 0.35), top.y + h*uniform(r, 0.12, 0.35)}, rad)
	if r.IntN(2) == 0 {
		bx, ok := rowCentre(c, y1-2)
		if ok {
			l := h * uniform(r, 0.15, 0.3)
			c.line(pt{bx - l, float64(y1) - rad}, pt{bx + l, float64(y1) - rad}, rad)
		}
	}
}

// crossBar crosses an MNIST 7's stem at about half its height.
func crossBar(r *rand.Rand, c *canvas) {
	x0, y0, x1, y1, ok := c.bounds()
	if !ok {
		return
	}
	y := y0 + int(float64(y1-y0)*uniform(r, 0.45, 0.62))
	sx, ok := rowCentre(c, y)
	if !ok {
		return
	}
	l := float64(x1-x0) * uniform(r, 0.18, 0.32)
	rad := uniform(r, 2.5, 4.5)
	c.line(pt{sx - l, float64(y)}, pt{sx + l, float64(y) + normal(r, 2)}, rad)
}

// Glyph makes a sample of class c (a digit, D or Other) in the pen model's
// hand or, for D and Other, sometimes in a distorted Go font.
func Glyph(r *rand.Rand, c icr.Class) Sample { return Recipe{}.Glyph(r, c) }

// Glyph is Glyph with the recipe rc.
func (rc Recipe) Glyph(r *rand.Rand, c icr.Class) Sample {
	opt := crop{boxLines: r.Float64() < 0.25, bitonal: r.Float64() < 0.2}
	height := uniform(r, 24, 90)
	switch {
	case c.Digit():
		shapes := digitShapes[c]
		ink := newHand(r).draw(r, shapes[r.IntN(len(shapes))], height)
		return Sample{rc.compose(r, rc.remnants(r, ink), opt), c, PenDigit}
	case c == icr.D:
		if r.Float64() < 0.15 {
			return Sample{rc.compose(r, rc.remnants(r, morph(rc.distort(r, fontGlyph(r, 'D', height)), r.IntN(3)-1)), opt), c, FontD}
		}
		return Sample{rc.compose(r, rc.remnants(r, newHand(r).draw(r, dShape(r), height)), opt), c, PenD}
	}
	if r.Float64() < 0.15 {
		ch := fontOthers[r.IntN(len(fontOthers))]
		return Sample{rc.compose(r, morph(rc.distort(r, fontGlyph(r, ch, height)), r.IntN(3)-1), opt), icr.Other, FontOther}
	}
	return Sample{rc.compose(r, otherInk(r, height), opt), icr.Other, PenOther}
}

// fontOthers are the font characters drawn as Other: letters and symbols
// that do not pass for a digit or a D.
var fontOthers = []rune("ACEFHKMNPRTUVWXYaemnrwxkvhy-+=*#%&?@~")

// otherInk draws one of the marks that are not characters, or a letter.
func otherInk(r *rand.Rand, height float64) *canvas {
	hd := newHand(r)
	switch x := r.Float64(); {
	case x < 0.35:
		return hd.draw(r, letterShapes[r.IntN(len(letterShapes))], height)
	case x < 0.5:
		return hd.draw(r, scribble(r), height)
	case x < 0.58:
		return hd.draw(r, coil(r), height)
	case x < 0.7:
		return hd.draw(r, arc(r), height*uniform(r, 0.3, 1))
	case x < 0.75:
		return hd.draw(r, zigzag(r), height)
	case x < 0.83: // dots and blobs
		side := int(height*1.5) + 8
		c := newCanvas(side, side)
		n := 1 + r.IntN(3)
		rad := height * uniform(r, 0.04, 0.2)
		if r.IntN(3) == 0 {
			n, rad = 1, height*uniform(r, 0.2, 0.45)
		}
		for range n {
			c.disc(pt{uniform(r, 0.3, 0.7) * float64(side), uniform(r, 0.3, 0.7) * float64(side)},
				rad*uniform(r, 0.6, 1.4), rad*uniform(r, 0.6, 1.4), r.Float64()*math.Pi)
		}
		return c
	case x < 0.95: // pieces of box lines: a bar, a corner, a T, a cross, two bars
		side := int(height*2) + 8
		c := newCanvas(side, side)
		th := uniform(r, 0.6, 2.5)
		s := float64(side)
		a, b := uniform(r, 0.1, 0.4)*s, uniform(r, 0.6, 0.9)*s
		y := uniform(r, 0.2, 0.8) * s
		c.line(pt{a, y}, pt{b, y + normal(r, 0.02*s)}, th)
		switch r.IntN(5) {
		case 1: // corner
			x := a
			if r.IntN(2) == 0 {
				x = b
			}
			c.line(pt{x, y}, pt{x, y + uniform(r, -0.4, 0.4)*s}, th)
		case 2: // T
			x := uniform(r, a, b)
			c.line(pt{x, y}, pt{x, y + uniform(r, -0.4, 0.4)*s}, th)
		case 3: // two bars
			y2 := y + uniform(r, 0.15, 0.4)*s
			c.line(pt{a, y2}, pt{b, y2}, th)
		}
		return c
	default: // a blank crop: paper and noise
		return newCanvas(int(height), int(height))
	}
}
