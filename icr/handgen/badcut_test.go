package handgen

import (
	"bytes"
	"slices"
	"testing"

	"github.com/regfus/regfus/icr"
)

// mnistLike draws a rough 28×28 MNIST-style digit: a vertical stroke (a 1)
// or a ring (a 0), white on black.
func mnistLike(ring bool) []byte {
	pix := make([]byte, 28*28)
	for y := 4; y < 24; y++ {
		for x := 6; x < 22; x++ {
			switch {
			case !ring && (x == 13 || x == 14):
				pix[y*28+x] = 255
			case ring:
				dx, dy := float64(x)-13.5, (float64(y)-13.5)*0.75
				if d := dx*dx + dy*dy; d > 30 && d < 56 {
					pix[y*28+x] = 255
				}
			}
		}
	}
	return pix
}

// A bad cut is Other, made the same way from the same seed, and wider than
// its digit when it is a pair.
func TestFromMNISTBadCut(t *testing.T) {
	zero, one := mnistLike(true), mnistLike(false)
	a := FromMNISTBadCut(Rand(3, 1), zero, 0, one)
	b := FromMNISTBadCut(Rand(3, 1), zero, 0, one)
	if a.Class != icr.Other || a.Source != BadCut {
		t.Fatalf("bad cut: class %v, source %v", a.Class, a.Source)
	}
	if a.Crop.Rect != b.Crop.Rect || !bytes.Equal(a.Crop.Pix, b.Crop.Pix) {
		t.Error("same seed, different crops")
	}
	// A 1 is never cut in part (a part of it would be a fair 1): it is
	// always paired, and a pair of 1's is wider than a 1 is, row by row
	// (a slanted 1 is wide, but each row holds one stroke).
	var pairs, ones []float64
	for i := range 20 {
		pairs = append(pairs, rowWidth(t, FromMNISTBadCut(Rand(4, uint64(i)), one, 1, one)))
		ones = append(ones, rowWidth(t, FromMNIST(Rand(4, uint64(i)), one, 1, true)))
	}
	slices.Sort(pairs)
	slices.Sort(ones)
	if pairs[0] <= ones[len(ones)/2] {
		t.Errorf("a pair of 1's %.1f px wide a row, as wide as the median 1 (%.1f); pairs %v, 1's %v", pairs[0], ones[len(ones)/2], pairs, ones)
	}
}

// rowWidth is the mean width of the rows' ink of s, normalised.
func rowWidth(t *testing.T, s Sample) float64 {
	n, ok := icr.Normalize(s.Crop)
	if !ok {
		t.Fatal("no ink")
	}
	sum, rows := 0, 0
	for y := range 28 {
		x0, x1 := 28, -1
		for x := range 28 {
			if n.Pix[y*28+x] > 128 {
				x0, x1 = min(x0, x), max(x1, x)
			}
		}
		if x1 >= 0 {
			sum, rows = sum+x1-x0+1, rows+1
		}
	}
	return float64(sum) / float64(rows)
}

// strokeLike tells a thin stroke, upright or slanted, from a part that is
// not one.
func TestStrokeLike(t *testing.T) {
	c := newCanvas(60, 60)
	c.line(pt{30, 5}, pt{30, 55}, 3)
	if !strokeLike(c) {
		t.Error("an upright stroke is not stroke-like")
	}
	c = newCanvas(60, 60)
	c.line(pt{45, 5}, pt{20, 55}, 3)
	if !strokeLike(c) {
		t.Error("a slanted stroke is not stroke-like")
	}
	c = newCanvas(60, 60)
	c.line(pt{10, 30}, pt{50, 30}, 3)
	c.line(pt{10, 30}, pt{10, 45}, 3)
	if strokeLike(c) {
		t.Error("a bar with a hook (the top of a 7 or a 5) is stroke-like")
	}
	if cutPart(Rand(1, 1), Recipe{Wide: true}.distort(Rand(1, 1), enlarge(mnistLike(false)))) != nil {
		t.Error("a part of a 1 was made")
	}
}

// blur keeps the ink's sum (away from the edges) and spreads it.
func TestBlur(t *testing.T) {
	const w, h = 21, 21
	v := make([]float32, w*h)
	v[10*w+10] = 1
	blur(v, w, h, 1.5)
	var sum float32
	for _, p := range v {
		sum += p
	}
	if sum < 0.99 || sum > 1.01 || v[10*w+10] > 0.2 || v[10*w+12] == 0 {
		t.Errorf("blurred dot: sum %.3f, centre %.3f, 2 px right %.3f", sum, v[10*w+10], v[10*w+12])
	}
}
