package handgen

import (
	"bytes"
	"testing"

	"github.com/regfus/regfus/icr"
)

// Same seed and index, same crop; another index, another crop.
func TestDeterministic(t *testing.T) {
	for c := range icr.Class(icr.NumClasses) {
		a := Glyph(Rand(5, 1), c)
		b := Glyph(Rand(5, 1), c)
		d := Glyph(Rand(5, 2), c)
		if a.Crop.Rect != b.Crop.Rect || !bytes.Equal(a.Crop.Pix, b.Crop.Pix) {
			t.Errorf("%v: same seed, different crops", c)
		}
		if a.Crop.Rect == d.Crop.Rect && bytes.Equal(a.Crop.Pix, d.Crop.Pix) {
			t.Errorf("%v: another index, same crop", c)
		}
		if a.Class != c {
			t.Errorf("Glyph(%v) made a %v", c, a.Class)
		}
	}
}

// Every class but Other (which includes blank crops) has ink that
// normalises to a 20-px glyph; D's are about as high as wide or higher.
func TestGlyphsHaveInk(t *testing.T) {
	blank := 0
	for c := range icr.Class(icr.NumClasses) {
		for i := range 50 {
			s := Glyph(Rand(9, uint64(i)), c)
			n, ok := icr.Normalize(s.Crop)
			if !ok {
				if c != icr.Other {
					t.Errorf("%v %d: no ink", c, i)
				}
				blank++
				continue
			}
			lit := 0
			for _, p := range n.Pix {
				if p > 64 {
					lit++
				}
			}
			if lit < 12 && c != icr.Other {
				t.Errorf("%v %d: %d inked pixels after normalising", c, i, lit)
			}
		}
	}
	if blank > 10 {
		t.Errorf("%d of 50 Other glyphs blank", blank)
	}
}

// The European forms change an MNIST 1 or 7: the hooked, crossed copy has
// more ink than the plain distorted digit would have had at the same
// seed, for some seeds.
func TestFromMNISTAugment(t *testing.T) {
	pix := make([]byte, 28*28)
	for y := 4; y < 24; y++ { // a plain vertical 1
		pix[y*28+13], pix[y*28+14] = 255, 255
	}
	plain := FromMNIST(Rand(1, 1), pix, 1, false)
	if plain.Source != MNIST || plain.Crop.Pix[5*28+13] != 0 || plain.Crop.Pix[0] != 255 {
		t.Fatal("plain MNIST sample is not the inverted digit")
	}
	hooked := 0
	for i := range 40 {
		s := FromMNIST(Rand(1, uint64(i)), pix, 1, true)
		n, ok := icr.Normalize(s.Crop)
		if !ok || s.Class != 1 || s.Source != MNISTAug {
			t.Fatalf("augmented 1 %d: ink %v, class %v, source %v", i, ok, s.Class, s.Source)
		}
		// a hook puts ink left of the stem in the top third
		left := 0
		for y := 4; y < 12; y++ {
			for x := 0; x < 10; x++ {
				if n.Pix[y*28+x] > 128 {
					left++
				}
			}
		}
		if left > 3 {
			hooked++
		}
	}
	if hooked < 4 || hooked > 30 {
		t.Errorf("%d of 40 augmented 1s hooked, want about a third", hooked)
	}
}
